/**
 * Static analysis of a typechecked workflow module: which tools it can call (its capabilities),
 * its definition (name, description, input and output schemas, triggers), and the constructs that
 * would let code reach a tool without naming it, which are rejected at their line.
 *
 * Why it is sound: the only way to reach a tool is an SDK function; SDK functions are reachable
 * only through the namespaces imported from `charter:sdk`; and a namespace may appear only as
 * `namespace.function`, with the function named in the source. Storing, passing, spreading or
 * indexing a namespace is rejected, so every reachable function is listed. Code built at run time
 * (`eval`, `Function`, dynamic `import()`) is rejected too. The bridge enforces the same list at
 * run time, so a hole here fails closed, not open.
 */
import { ts } from "ts-morph";
import type { Annotations, Capability } from "../core/workflow.ts";
import { literalJson, NotLiteral, type Json } from "./literal-json.ts";
import { isLibraryFile } from "./typecheck.ts";

export type AnalysisRule =
  | "CHARTER_FORBIDDEN_IMPORT"
  | "CHARTER_NAMESPACE_ESCAPE"
  | "CHARTER_COMPUTED_ACCESS"
  | "CHARTER_FORBIDDEN_EVAL"
  | "CHARTER_FORBIDDEN_WITH"
  | "CHARTER_FORBIDDEN_DECLARE"
  | "CHARTER_FORBIDDEN_PROTOTYPE"
  | "CHARTER_DYNAMIC_IMPORT"
  | "CHARTER_NO_WORKFLOW"
  | "CHARTER_NOT_LITERAL";

export type Finding = { node: ts.Node; code: AnalysisRule; message: string };

export type SdkFunction = { integration: string; tool: string; functionName: string; annotations: Annotations };

/** What the analysis needs to know of the SDK: namespace identifier → function name → tool. */
export type SdkIndex = ReadonlyMap<string, ReadonlyMap<string, SdkFunction>>;

export type RawDefinition = {
  name: Json;
  description: Json;
  input: Json;
  output: Json;
  triggers: Json;
  retry: Json;
  /** Nodes to report later validation problems at. */
  nodes: {
    name: ts.Node;
    description: ts.Node;
    input: ts.Node;
    output: ts.Node;
    triggers: ts.Node | undefined;
    retry: ts.Node | undefined;
    run: ts.Node | undefined;
  };
};

export type Analysis = { findings: Finding[]; capabilities: Capability[]; definition: RawDefinition | undefined };

const ALLOWED_IMPORTS = new Set(["charter:sdk", "charter:workflow"]);
const RUNTIME_CODE = new Set(["eval", "Function", "globalThis"]);
/** Names that lead from any value to its constructor (and so to Function) or to shared prototypes. */
const PROTOTYPE_NAMES = new Set(["constructor", "prototype", "__proto__"]);

export function analyzeWorkflow(sourceFile: ts.SourceFile, checker: ts.TypeChecker, sdk: SdkIndex): Analysis {
  const findings: Finding[] = [];
  const report = (node: ts.Node, code: AnalysisRule, message: string) => findings.push({ node, code, message });
  const namespaces = new Map<ts.Symbol, string>();
  const capabilities = new Map<string, Capability>();

  // `/// <reference lib="dom" />` and the like would bring in types (fetch, DOM) that do not exist in the sandbox.
  const directives = [
    ...sourceFile.referencedFiles,
    ...sourceFile.typeReferenceDirectives,
    ...sourceFile.libReferenceDirectives,
  ];
  if (directives.length > 0) {
    report(
      sourceFile,
      "CHARTER_FORBIDDEN_IMPORT",
      `a workflow may not use \`/// <reference>\` directives ("${directives[0]?.fileName}"): it ` +
        `sees only charter:sdk, charter:workflow and ECMAScript 2023`,
    );
  }

  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) checkImport(statement, checker, namespaces, report);
    else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      report(
        statement,
        "CHARTER_FORBIDDEN_IMPORT",
        "a workflow may not re-export other modules; import what it uses and export only its definition",
      );
    }
  }

  const visit = (node: ts.Node): void => {
    if (ts.isWithStatement(node))
      report(
        node,
        "CHARTER_FORBIDDEN_WITH",
        "`with` hides which names code refers to; it is not allowed in a workflow",
      );
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      report(
        node,
        "CHARTER_DYNAMIC_IMPORT",
        "dynamic `import()` is not allowed in a workflow; import from charter:sdk and charter:workflow at the top",
      );
    } else if (ts.isPropertyAccessExpression(node) && node.name.text === "constructor") {
      report(
        node.name,
        "CHARTER_FORBIDDEN_EVAL",
        "`.constructor` can reach `Function`, which builds code from strings; it is not allowed in a workflow",
      );
    } else if (ts.isImportEqualsDeclaration(node)) {
      report(
        node,
        "CHARTER_FORBIDDEN_IMPORT",
        "`import … =` is not allowed in a workflow: import from charter:sdk and charter:workflow " +
          "with `import { … } from`",
      );
    } else if (
      ts.isModuleDeclaration(node) ||
      (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))
    ) {
      report(
        node,
        "CHARTER_FORBIDDEN_DECLARE",
        "declarations for the type checker (`declare …`, `namespace`, `declare global`, `declare " +
          "module`) are not allowed in a workflow: they could claim globals the sandbox does not " +
          "have, or tools the tenant's SDK does not",
      );
    } else if (isPrototypeRoute(node)) {
      report(
        node,
        "CHARTER_FORBIDDEN_PROTOTYPE",
        `\`${(node as ts.Identifier | ts.StringLiteralLike).text}\` leads to a value's constructor ` +
          `or shared prototypes (and from there to Function); it is not allowed in a workflow by any ` +
          `route: property, index, string or destructuring`,
      );
    } else if (ts.isIdentifier(node)) {
      checkIdentifier(node);
    }
    // Types are erased, so names in them call nothing; but `extends <expression>` is a value.
    if (!ts.isImportDeclaration(node) && (!ts.isTypeNode(node) || ts.isExpressionWithTypeArguments(node)))
      ts.forEachChild(node, visit);
  };

  const checkIdentifier = (node: ts.Identifier) => {
    const reference = referencedSymbol(node, checker);
    if (reference === "not a reference") return;
    const namespace = reference && namespaces.get(reference);
    if (namespace !== undefined) {
      checkNamespaceUse(node, namespace);
      return;
    }
    // A name the workflow does not declare itself is a global: the library's (or, when the
    // checker was built without the ES library, one it cannot see, which is a global all the same).
    if (RUNTIME_CODE.has(node.text) && (!reference || isLibraryGlobal(reference))) {
      report(
        node,
        "CHARTER_FORBIDDEN_EVAL",
        `\`${node.text}\` is not allowed in a workflow: code built at run time could call tools the reviewer never saw`,
      );
    }
  };

  const checkNamespaceUse = (node: ts.Identifier, namespace: string) => {
    const parent = node.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
      const fn = sdk.get(namespace)?.get(parent.name.text);
      if (fn)
        capabilities.set(`${fn.integration}\u0000${fn.tool}`, {
          integration: fn.integration,
          tool: fn.tool,
          sdkFunction: `${namespace}.${fn.functionName}`,
          annotations: fn.annotations,
        });
      return; // an unknown function is TypeScript's error to report
    }
    if (ts.isElementAccessExpression(parent) && parent.expression === node) {
      report(
        parent,
        "CHARTER_COMPUTED_ACCESS",
        `computed access on \`${node.text}\` hides which tool is called; call \`${node.text}.someTool(…)\` by name`,
      );
      return;
    }
    report(
      node,
      "CHARTER_NAMESPACE_ESCAPE",
      `\`${node.text}\` may only be used as \`${node.text}.someTool(…)\`; storing, passing or ` +
        `spreading it would hide which tools the workflow calls`,
    );
  };

  for (const statement of sourceFile.statements) if (!ts.isImportDeclaration(statement)) visit(statement);

  const definition = readDefinition(sourceFile, checker, report);
  const sorted = [...capabilities.values()].sort((a, b) =>
    a.integration === b.integration ? (a.tool < b.tool ? -1 : 1) : a.integration < b.integration ? -1 : 1,
  );
  return { findings, capabilities: sorted, definition };
}

/**
 * "constructor", "prototype" or "__proto__" as a property name, a string (an index, Reflect.get's
 * key, a computed key) or a destructured name. (`.constructor` has its own finding.)
 */
function isPrototypeRoute(node: ts.Node): boolean {
  if (ts.isStringLiteralLike(node))
    return PROTOTYPE_NAMES.has(node.text) && !ts.isImportDeclaration(node.parent) && !ts.isLiteralTypeNode(node.parent);
  if (!ts.isIdentifier(node) || !PROTOTYPE_NAMES.has(node.text)) return false;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return node.text !== "constructor";
  return (
    ts.isBindingElement(parent) ||
    (ts.isPropertyAssignment(parent) && parent.name === node) ||
    ts.isShorthandPropertyAssignment(parent) ||
    (ts.isPropertyAccessChain(parent) && parent.name === node)
  );
}

function checkImport(
  statement: ts.ImportDeclaration,
  checker: ts.TypeChecker,
  namespaces: Map<ts.Symbol, string>,
  report: (node: ts.Node, code: AnalysisRule, message: string) => void,
) {
  const specifier = ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : "";
  if (!ALLOWED_IMPORTS.has(specifier)) {
    report(
      statement.moduleSpecifier,
      "CHARTER_FORBIDDEN_IMPORT",
      `"${specifier}" cannot be imported: a workflow may import only from charter:sdk (the ` +
        `tenant's tools) and charter:workflow (the runtime)`,
    );
    return;
  }
  if (specifier !== "charter:sdk") return;
  const clause = statement.importClause;
  if (!clause) return;
  if (clause.name || (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings))) {
    report(
      clause,
      "CHARTER_NAMESPACE_ESCAPE",
      'import integrations by name: `import { tickets, chat } from "charter:sdk"`',
    );
    return;
  }
  if (clause.isTypeOnly || !clause.namedBindings) return;
  for (const element of clause.namedBindings.elements) {
    const symbol = checker.getSymbolAtLocation(element.name);
    if (symbol && !element.isTypeOnly) namespaces.set(symbol, (element.propertyName ?? element.name).text);
  }
}

/**
 * The symbol an identifier refers to, seeing through shorthand properties and export specifiers;
 * undefined when it resolves to nothing the checker knows.
 */
function referencedSymbol(node: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined | "not a reference" {
  const parent = node.parent;
  if (ts.isShorthandPropertyAssignment(parent) && parent.name === node)
    return checker.getShorthandAssignmentValueSymbol(parent);
  if (ts.isExportSpecifier(parent)) return checker.getExportSpecifierLocalTargetSymbol(parent);
  // A property name (`x.tickets`, `{ tickets: 1 }`) is not a reference to a variable.
  if (
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isPropertyAssignment(parent) && parent.name === node)
  )
    return "not a reference";
  if (ts.isQualifiedName(parent)) return "not a reference"; // type positions only
  if ((ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) && parent.label === node)
    return "not a reference";
  return checker.getSymbolAtLocation(node);
}

/** Declared by the ES library, or built into the checker (`globalThis` has no declaration at all). */
function isLibraryGlobal(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).every((declaration) => isLibraryFile(declaration.getSourceFile().fileName));
}

function readDefinition(
  sourceFile: ts.SourceFile,
  checker: ts.TypeChecker,
  report: (node: ts.Node, code: AnalysisRule, message: string) => void,
): RawDefinition | undefined {
  const missing = () => {
    report(
      sourceFile,
      "CHARTER_NO_WORKFLOW",
      "a workflow module must `export default defineWorkflow({ … })`, with defineWorkflow imported " +
        'from "charter:workflow"',
    );
    return undefined;
  };
  const exported = sourceFile.statements.find(
    (s): s is ts.ExportAssignment => ts.isExportAssignment(s) && !s.isExportEquals,
  );
  if (!exported) return missing();
  let call: ts.Node = exported.expression;
  if (ts.isIdentifier(call)) {
    const declaration = checker.getSymbolAtLocation(call)?.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) call = declaration.initializer;
  }
  while (ts.isParenthesizedExpression(call) || ts.isSatisfiesExpression(call) || ts.isAsExpression(call))
    call = call.expression;
  if (!ts.isCallExpression(call) || !isDefineWorkflow(call.expression, checker)) return missing();
  const argument = call.arguments[0];
  if (!argument || !ts.isObjectLiteralExpression(argument)) {
    report(
      call,
      "CHARTER_NOT_LITERAL",
      "defineWorkflow takes an object literal: `defineWorkflow({ name, description, input, output, triggers, run })`",
    );
    return undefined;
  }
  const properties = new Map<string, ts.Node>();
  for (const property of argument.properties) {
    if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
      properties.set(
        property.name.text,
        ts.isPropertyAssignment(property)
          ? property.initializer
          : ts.isShorthandPropertyAssignment(property)
            ? property.name
            : property,
      );
    } else if (ts.isSpreadAssignment(property)) {
      report(
        property,
        "CHARTER_NOT_LITERAL",
        "defineWorkflow's argument may not use a spread; write each property out",
      );
    }
  }
  let failed = false;
  const read = (key: string, fallback?: Json): Json => {
    const node = properties.get(key);
    if (!node) return fallback ?? null; // a missing required property is TypeScript's error
    try {
      return literalJson(node, checker);
    } catch (error) {
      if (!(error instanceof NotLiteral)) throw error;
      failed = true;
      report(
        error.node,
        "CHARTER_NOT_LITERAL",
        `\`${key}\` ${error.message}: Charter reads it without running the code`,
      );
      return null;
    }
  };
  const definition: RawDefinition = {
    name: read("name"),
    description: read("description"),
    input: read("input"),
    output: read("output"),
    triggers: read("triggers", []),
    retry: read("retry", []),
    nodes: {
      name: properties.get("name") ?? argument,
      description: properties.get("description") ?? argument,
      input: properties.get("input") ?? argument,
      output: properties.get("output") ?? argument,
      triggers: properties.get("triggers"),
      retry: properties.get("retry"),
      run: properties.get("run"),
    },
  };
  return failed ? undefined : definition;
}

function isDefineWorkflow(callee: ts.Expression, checker: ts.TypeChecker): boolean {
  if (!ts.isIdentifier(callee)) return false;
  let symbol = checker.getSymbolAtLocation(callee);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  if (!declaration || symbol?.name !== "defineWorkflow") return false;
  const module = declaration.parent?.parent;
  return (
    module !== undefined &&
    ts.isModuleDeclaration(module) &&
    ts.isStringLiteral(module.name) &&
    module.name.text === "charter:workflow"
  );
}
