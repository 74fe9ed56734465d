/**
 * The compile pipeline for one tenant's SDK: typecheck → static analysis → definition checks →
 * tests file checks → bundle. A compiler is warm: build it once per catalog hash and reuse it for
 * every check against that SDK. It never runs workflow code; it only reads it.
 */
import { ts } from "ts-morph";
import { canonicalJson } from "../core/canonical-json.ts";
import { checkAuthoredSchema } from "../core/json-schema.ts";
import { type Capability, type Diagnostic, WorkflowName, WorkflowTrigger } from "../core/workflow.ts";
import { analyzeWorkflow, type SdkFunction, type SdkIndex } from "./analyze.ts";
import { type Bundle, bundleWorkflow, type SdkUse } from "./bundle.ts";
import { toDiagnostic, typescriptDiagnostic } from "./diagnostics.ts";
import { checkTests, type CheckedTests, type ToolSchemas } from "./tests-file.ts";
import { undeclaredOutputFields } from "./output-check.ts";
import { TenantTypechecker } from "./typecheck.ts";

/** What a compiler needs of a tenant's SDK; the SDK generator's output plus the catalog's schemas and resources. */
export type CompilerSdk = {
  catalogHash: string;
  sdkHash: string;
  /** Generated files by name: `index.ts`, `<integration>.ts` and their `.d.ts`. */
  files: ReadonlyMap<string, string>;
  tools: readonly (SdkFunction & { namespace: string; inputSchema: Record<string, unknown>; outputSchema?: Record<string, unknown> | undefined })[];
  /** Resources per integration, for resource triggers: exact URIs and URI templates. */
  resources: ReadonlyMap<string, { uris: readonly string[]; templates: readonly string[] }>;
};

export type WorkflowSummary = {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  triggers: WorkflowTrigger[];
  /** Tools ("integration.tool") whose retryable failures the author asks to retry although they are not idempotent. */
  retry: string[];
};

export type CompileResult = {
  ok: boolean;
  diagnostics: Diagnostic[];
  workflow: WorkflowSummary | undefined;
  capabilities: Capability[];
  tests: CheckedTests | undefined;
  bundle: Bundle | undefined;
  catalogHash: string;
  sdkHash: string;
  timings: { typecheckMs: number; analysisMs: number; bundleMs: number; totalMs: number };
};

export type CompileInput = { source: string; fileName: string; tests?: { text: string; fileName: string } | undefined };

/**
 * Diagnostics TypeScript gives, on a line where a Charter rule already reports the problem better
 * worded: module not found (2307, 2591, 2792) and `with` (1101, 1300, 2410).
 */
const SUPERSEDED = new Set([2307, 2591, 2792, 1101, 1300, 2410]);

export class WorkflowCompiler {
  readonly catalogHash: string;
  readonly #sdk: CompilerSdk;
  readonly #typechecker: TenantTypechecker;
  readonly #index: SdkIndex;
  readonly #schemas: ToolSchemas;

  constructor(sdk: CompilerSdk) {
    this.catalogHash = sdk.catalogHash;
    this.#sdk = sdk;
    this.#typechecker = new TenantTypechecker(sdk.files);
    const index = new Map<string, Map<string, SdkFunction>>();
    for (const tool of sdk.tools) {
      if (!index.has(tool.namespace)) index.set(tool.namespace, new Map());
      index.get(tool.namespace)?.set(tool.functionName, tool);
    }
    this.#index = index;
    this.#schemas = new Map(sdk.tools.map((tool) => [`${tool.integration}.${tool.tool}`, tool]));
  }

  async compile(input: CompileInput): Promise<CompileResult> {
    const started = performance.now();
    const checked = this.#typechecker.check(input.source);
    const typechecked = performance.now();
    const analysis = analyzeWorkflow(checked.sourceFile, checked.checker, this.#index);
    const diagnostics: Diagnostic[] = analysis.findings.map((f) => toDiagnostic(checked.sourceFile, input.fileName, f.node, f.code, f.message));
    const flaggedLines = new Set(diagnostics.map((d) => d.line));
    for (const d of checked.diagnostics) {
      const diagnostic = typescriptDiagnostic(d, input.fileName);
      if (!(SUPERSEDED.has(d.code) && flaggedLines.has(diagnostic.line))) diagnostics.push(diagnostic);
    }
    const workflow = analysis.definition ? this.#summary(analysis.definition, analysis.capabilities, checked.sourceFile, input.fileName, diagnostics) : undefined;
    if (workflow && analysis.definition?.nodes.run) {
      for (const field of undeclaredOutputFields(analysis.definition.nodes.run, checked.checker, workflow.outputSchema)) {
        diagnostics.push(toDiagnostic(checked.sourceFile, input.fileName, analysis.definition.nodes.run, "CHARTER_OUTPUT_MISMATCH", `run can return "${field}", which the output schema does not allow (additionalProperties is false); add it to the schema or leave it out`));
      }
    }
    const tests = input.tests && workflow ? checkTests(input.tests.text, input.tests.fileName, workflow, analysis.capabilities, this.#schemas, diagnostics) : undefined;
    const analysed = performance.now();
    const errors = diagnostics.some((d) => d.severity === "error");
    let bundle: Bundle | undefined;
    if (!errors) {
      try {
        bundle = await bundleWorkflow(input.source, input.fileName, this.#use(analysis.capabilities));
      } catch (error) {
        const failure = error as { errors?: { text: string }[] };
        diagnostics.push({ file: input.fileName, line: 1, column: 1, severity: "error", code: "CHARTER_BUNDLE_FAILED", message: failure.errors?.[0]?.text ?? String(error) });
      }
    }
    const finished = performance.now();
    diagnostics.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
    return {
      ok: !diagnostics.some((d) => d.severity === "error"),
      diagnostics,
      workflow,
      capabilities: analysis.capabilities,
      tests,
      bundle,
      catalogHash: this.#sdk.catalogHash,
      sdkHash: this.#sdk.sdkHash,
      timings: { typecheckMs: typechecked - started, analysisMs: analysed - typechecked, bundleMs: finished - analysed, totalMs: finished - started },
    };
  }

  /** Every namespace of the SDK, each with only the functions these capabilities name. */
  #use(capabilities: readonly Capability[]): SdkUse {
    const use = new Map<string, { functionName: string; integration: string; tool: string }[]>();
    for (const tool of this.#sdk.tools) if (!use.has(tool.namespace)) use.set(tool.namespace, []);
    for (const capability of capabilities) {
      const [namespace = "", functionName = ""] = capability.sdkFunction.split(".");
      use.get(namespace)?.push({ functionName, integration: capability.integration, tool: capability.tool });
    }
    return use;
  }

  /** Checks what TypeScript cannot: the name's form, that the schemas are valid JSON Schema, the triggers. */
  #summary(definition: NonNullable<ReturnType<typeof analyzeWorkflow>["definition"]>, capabilities: readonly Capability[], file: ts.SourceFile, fileName: string, diagnostics: Diagnostic[]): WorkflowSummary | undefined {
    const before = diagnostics.length;
    const problem = (node: ts.Node, message: string) => diagnostics.push(toDiagnostic(file, fileName, node, "CHARTER_INVALID_DEFINITION", message));
    const name = WorkflowName.safeParse(definition.name);
    if (!name.success) problem(definition.nodes.name, `the workflow name ${name.error.issues[0]?.message ?? "is invalid"}`);
    if (typeof definition.description !== "string" || definition.description.trim() === "") problem(definition.nodes.description, "the description must say, in a sentence, what the workflow does");
    const schemas: Record<string, unknown>[] = [];
    for (const key of ["input", "output"] as const) {
      const schema = definition[key];
      if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
        problem(definition.nodes[key], `\`${key}\` must be a JSON Schema object`);
        continue;
      }
      const invalid = checkAuthoredSchema(schema) ?? (schema["type"] !== "object" ? 'must have type "object" (MCP tools take and return objects)' : undefined);
      if (invalid) problem(definition.nodes[key], `the ${key} schema ${invalid}`);
      schemas.push(schema);
    }
    const triggers: WorkflowTrigger[] = [];
    const triggerNode = definition.nodes.triggers ?? file;
    if (!Array.isArray(definition.triggers)) problem(triggerNode, "`triggers` must be an array");
    else {
      for (const [index, raw] of definition.triggers.entries()) {
        const parsed = WorkflowTrigger.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          problem(triggerNode, `trigger ${index + 1}: ${issue ? `${issue.path.join(".") || "(trigger)"} ${issue.message}` : "is invalid"}`);
          continue;
        }
        const trouble = parsed.data.type === "resource" ? this.#resourceProblem(parsed.data.integration, parsed.data.uri) : undefined;
        if (trouble) problem(triggerNode, `trigger ${index + 1}: ${trouble}`);
        triggers.push(parsed.data);
      }
      const keys = triggers.map((t) => canonicalJson(t));
      if (new Set(keys).size !== keys.length) problem(triggerNode, "the same trigger is listed twice");
    }
    const retry: string[] = [];
    const retryNode = definition.nodes.retry ?? file;
    const callable = new Set(capabilities.map((c) => `${c.integration}.${c.tool}`));
    if (!Array.isArray(definition.retry) || !definition.retry.every((item) => typeof item === "string")) problem(retryNode, '`retry` must be a list of tools, as "integration.tool"');
    else {
      for (const tool of definition.retry as string[]) {
        if (!callable.has(tool)) problem(retryNode, `\`retry\` names "${tool}", which the workflow never calls (write tools as "integration.tool", with the MCP tool name)`);
        else retry.push(tool);
      }
    }
    if (diagnostics.length > before || !name.success || schemas.length !== 2) return undefined;
    return { name: name.data, description: String(definition.description), inputSchema: schemas[0] ?? {}, outputSchema: schemas[1] ?? {}, triggers, retry };
  }

  #resourceProblem(integration: string, uri: string): string | undefined {
    const resources = this.#sdk.resources.get(integration);
    if (!resources) return `integration "${integration}" is not in this tenant's catalog`;
    if (resources.uris.includes(uri) || resources.templates.some((template) => templateMatches(template, uri))) return undefined;
    const known = [...resources.uris, ...resources.templates].slice(0, 5).join(", ");
    return `integration "${integration}" publishes no resource "${uri}"${known ? ` (it has: ${known})` : " (it publishes no resources)"}`;
  }
}

/** RFC 6570 level 1: each `{var}` matches one path segment. */
function templateMatches(template: string, uri: string): boolean {
  const pattern = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")).join("[^/]+");
  return new RegExp(`^${pattern}$`).test(uri);
}
