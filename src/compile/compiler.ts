/**
 * The compile pipeline for one tenant's SDK: typecheck → static analysis → definition checks →
 * tests file checks → bundle. A compiler is warm: build it once per catalog hash and reuse it for
 * every check against that SDK. It never runs workflow code; it only reads it.
 */
import type { ts } from "ts-morph";
import { canonicalJson } from "../core/canonical-json.ts";
import { checkAuthoredSchema, schemaValidator } from "../core/json-schema.ts";
import { type Capability, type Diagnostic, triggerInput, WorkflowName, WorkflowTrigger } from "../core/workflow.ts";
import { analyzeWorkflow, type SdkFunction, type SdkIndex } from "./analyze.ts";
import { type Bundle, bundleWorkflow, type SdkUse } from "./bundle.ts";
import { nativeDiagnostic, toDiagnostic, typescriptDiagnostic } from "./diagnostics.ts";
import { eligibleForNative, NativeTypechecker } from "./native-typecheck.ts";
import { checkTests, type CheckedTests, type ToolSchemas } from "./tests-file.ts";
import {
  declaredRun,
  literalReturnedProperties,
  returnedPropertiesOf,
  runNamePosition,
  undeclaredFields,
} from "./output-check.ts";
import { parseWithinLimits, type SourceProblem } from "./source-limits.ts";
import { type Checked, TenantTypechecker } from "./typecheck.ts";

/** What a compiler needs of a tenant's SDK; the SDK generator's output plus the catalog's schemas and resources. */
export type CompilerSdk = {
  catalogHash: string;
  sdkHash: string;
  /** Generated files by name: `index.ts`, `<integration>.ts` and their `.d.ts`. */
  files: ReadonlyMap<string, string>;
  tools: readonly (SdkFunction & {
    namespace: string;
    inputSchema: Record<string, unknown>;
    outputSchema?: Record<string, unknown> | undefined;
  })[];
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
  /**
   * Which TypeScript checked the types: TypeScript 7's native checker, or the embedded TypeScript (no native checker
   * here, or the source names other modules).
   */
  typechecker: "native" | "embedded";
  /** With the native checker, type check, analysis and bundle overlap: typecheckMs counts from the start. */
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
  #native: Promise<NativeTypechecker | undefined> | undefined;

  /** `native: false` keeps every check on the embedded TypeScript (as when tsgo is unavailable). */
  constructor(sdk: CompilerSdk, options: { native?: boolean } = {}) {
    if (options.native === false) this.#native = Promise.resolve(undefined);
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
    const limited = parseWithinLimits(input.source);
    if ("problems" in limited) return this.#refused(input, limited.problems, started);
    const sourceFile = limited.sourceFile;
    const native = eligibleForNative(input.source) ? await this.#nativeChecker() : undefined;
    // The native checker is asked for run's return type only when the syntax cannot say it exactly.
    const syntacticRun = native ? declaredRun(sourceFile) : undefined;
    const runPosition =
      syntacticRun && !literalReturnedProperties(syntacticRun) ? runNamePosition(syntacticRun) : undefined;
    const nativeCheck = native?.check(input.source, runPosition).then(
      (result) => ({ ...result, at: performance.now() }),
      () => undefined,
    );
    // With the native checker, the embedded program only answers the analysis: names, no types.
    const checked = this.#typechecker.check(sourceFile, native ? "names" : "check");
    let typed: Checked | undefined = native ? undefined : checked;
    const typesChecker = () => (typed ??= this.#typechecker.check(sourceFile, "types")).checker;
    const parsed = performance.now();
    const analysis = analyzeWorkflow(checked.sourceFile, checked.checker, this.#index);
    const diagnostics: Diagnostic[] = analysis.findings.map((f) =>
      toDiagnostic(checked.sourceFile, input.fileName, f.node, f.code, f.message),
    );
    // Lines where a Charter rule already reports what some TypeScript diagnostics would (SUPERSEDED).
    const flaggedLines = new Set(diagnostics.map((d) => d.line));
    const workflow = analysis.definition
      ? this.#summary(analysis.definition, analysis.capabilities, checked.sourceFile, input.fileName, diagnostics)
      : undefined;
    const tests =
      input.tests && workflow
        ? checkTests(
            input.tests.text,
            input.tests.fileName,
            workflow,
            analysis.capabilities,
            this.#schemas,
            diagnostics,
          )
        : undefined;
    const analysed = performance.now();
    // With the native checker the bundle is built while it checks, and dropped if it finds errors.
    let bundleMs = 0;
    const bundleNow = () =>
      this.#bundle(input, analysis.capabilities).then((result) => ((bundleMs = performance.now() - analysed), result));
    const bundling =
      native && checked.diagnostics.length === 0 && !diagnostics.some((d) => d.severity === "error")
        ? bundleNow()
        : undefined;
    const run = analysis.definition?.nodes.run;
    const ownRunPosition = run && workflow ? runNamePosition(run) : undefined;
    const literalReturned = run && ownRunPosition !== undefined ? literalReturnedProperties(run) : undefined;
    let typecheckMs: number;
    let typechecker: "native" | "embedded" = "native";
    let typeDiagnostics: Diagnostic[];
    let returned: string[][] | undefined;
    const nativeChecked = checked.diagnostics.length === 0 ? await nativeCheck : undefined;
    if (nativeChecked) {
      typeDiagnostics = nativeChecked.diagnostics.map((d) => nativeDiagnostic(d, checked.sourceFile, input.fileName));
      typecheckMs = nativeChecked.at - started;
      // The native answer is for the `run` the syntax showed; if the analysis found another, ask the embedded checker.
      returned =
        ownRunPosition === undefined
          ? undefined
          : (literalReturned ??
            (ownRunPosition === runPosition
              ? nativeChecked.returned
              : run && returnedPropertiesOf(run, typesChecker())));
    } else {
      // No native checker, a syntax error, or the native check failed: the embedded checker decides.
      typechecker = "embedded";
      const fallbackStarted = performance.now();
      if (checked.diagnostics.length === 0 && native) typed = this.#typechecker.check(sourceFile, "check");
      typeDiagnostics = (typed ?? checked).diagnostics.map((d) => typescriptDiagnostic(d, input.fileName));
      returned =
        run && ownRunPosition !== undefined
          ? (literalReturned ?? returnedPropertiesOf(run, typesChecker()))
          : undefined;
      typecheckMs = parsed - started + (performance.now() - fallbackStarted);
    }
    for (const diagnostic of typeDiagnostics) {
      if (!(SUPERSEDED.has(Number(diagnostic.code.slice(2))) && flaggedLines.has(diagnostic.line)))
        diagnostics.push(diagnostic);
    }
    if (workflow && run) {
      for (const field of undeclaredFields(returned, workflow.outputSchema)) {
        diagnostics.push(
          toDiagnostic(
            checked.sourceFile,
            input.fileName,
            run,
            "CHARTER_OUTPUT_MISMATCH",
            `run can return "${field}", which the output schema does not allow ` +
              `(additionalProperties is false); add it to the schema or leave it out`,
          ),
        );
      }
    }
    const errors = diagnostics.some((d) => d.severity === "error");
    let bundle: Bundle | undefined;
    if (!errors) {
      const bundled = await (bundling ?? bundleNow());
      if ("diagnostic" in bundled) diagnostics.push(bundled.diagnostic);
      else bundle = bundled.bundle;
    } else if (bundling) await bundling;
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
      typechecker,
      timings: { typecheckMs, analysisMs: analysed - parsed, bundleMs, totalMs: finished - started },
    };
  }

  /** A source the compiler does not read further (too deep, or suppressing the type checker): only these findings. */
  #refused(input: CompileInput, problems: readonly SourceProblem[], started: number): CompileResult {
    const diagnostics = problems.map(
      (problem): Diagnostic => ({ file: input.fileName, severity: "error", ...problem }),
    );
    const totalMs = performance.now() - started;
    return {
      ok: false,
      diagnostics,
      workflow: undefined,
      capabilities: [],
      tests: undefined,
      bundle: undefined,
      catalogHash: this.#sdk.catalogHash,
      sdkHash: this.#sdk.sdkHash,
      typechecker: "embedded",
      timings: { typecheckMs: 0, analysisMs: totalMs, bundleMs: 0, totalMs },
    };
  }

  /** Frees the compiler's native project; the compiler still works afterwards, on the embedded checker. */
  close(): void {
    void this.#native?.then((native) => native?.close());
    this.#native = Promise.resolve(undefined);
  }

  #nativeChecker(): Promise<NativeTypechecker | undefined> {
    this.#native ??= NativeTypechecker.open(this.#sdk.files);
    return this.#native;
  }

  async #bundle(
    input: CompileInput,
    capabilities: readonly Capability[],
  ): Promise<{ bundle: Bundle } | { diagnostic: Diagnostic }> {
    try {
      return { bundle: await bundleWorkflow(input.source, input.fileName, this.#use(capabilities)) };
    } catch (error) {
      const failure = error as { errors?: { text: string }[] };
      return {
        diagnostic: {
          file: input.fileName,
          line: 1,
          column: 1,
          severity: "error",
          code: "CHARTER_BUNDLE_FAILED",
          message: failure.errors?.[0]?.text ?? String(error),
        },
      };
    }
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
  #summary(
    definition: NonNullable<ReturnType<typeof analyzeWorkflow>["definition"]>,
    capabilities: readonly Capability[],
    file: ts.SourceFile,
    fileName: string,
    diagnostics: Diagnostic[],
  ): WorkflowSummary | undefined {
    const before = diagnostics.length;
    const problem = (node: ts.Node, message: string) =>
      diagnostics.push(toDiagnostic(file, fileName, node, "CHARTER_INVALID_DEFINITION", message));
    const name = WorkflowName.safeParse(definition.name);
    if (!name.success)
      problem(definition.nodes.name, `the workflow name ${name.error.issues[0]?.message ?? "is invalid"}`);
    if (typeof definition.description !== "string" || definition.description.trim() === "")
      problem(definition.nodes.description, "the description must say, in a sentence, what the workflow does");
    const schemas: Record<string, unknown>[] = [];
    let inputSchemaValid = false;
    for (const key of ["input", "output"] as const) {
      const schema = definition[key];
      if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
        problem(definition.nodes[key], `\`${key}\` must be a JSON Schema object`);
        continue;
      }
      const invalid =
        checkAuthoredSchema(schema) ??
        (schema["type"] !== "object" ? 'must have type "object" (MCP tools take and return objects)' : undefined);
      if (invalid) problem(definition.nodes[key], `the ${key} schema ${invalid}`);
      else if (key === "input") inputSchemaValid = true;
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
          problem(
            triggerNode,
            `trigger ${index + 1}: ${issue ? `${issue.path.join(".") || "(trigger)"} ${issue.message}` : "is invalid"}`,
          );
          continue;
        }
        const trouble =
          (parsed.data.type === "resource"
            ? this.#resourceProblem(parsed.data.integration, parsed.data.uri)
            : undefined) ?? (inputSchemaValid ? triggerInputProblem(parsed.data, schemas[0] ?? {}) : undefined);
        if (trouble) problem(triggerNode, `trigger ${index + 1}: ${trouble}`);
        triggers.push(parsed.data);
      }
      const keys = triggers.map((t) => canonicalJson(t));
      if (new Set(keys).size !== keys.length) problem(triggerNode, "the same trigger is listed twice");
    }
    const retry: string[] = [];
    const retryNode = definition.nodes.retry ?? file;
    const callable = new Set(capabilities.map((c) => `${c.integration}.${c.tool}`));
    if (!Array.isArray(definition.retry) || !definition.retry.every((item) => typeof item === "string"))
      problem(retryNode, '`retry` must be a list of tools, as "integration.tool"');
    else {
      for (const tool of definition.retry as string[]) {
        if (!callable.has(tool))
          problem(
            retryNode,
            `\`retry\` names "${tool}", which the workflow never calls (write tools as ` +
              `"integration.tool", with the MCP tool name)`,
          );
        else retry.push(tool);
      }
    }
    if (diagnostics.length > before || !name.success || schemas.length !== 2) return undefined;
    return {
      name: name.data,
      description: String(definition.description),
      inputSchema: schemas[0] ?? {},
      outputSchema: schemas[1] ?? {},
      triggers,
      retry,
    };
  }

  #resourceProblem(integration: string, uri: string): string | undefined {
    const resources = this.#sdk.resources.get(integration);
    if (!resources) return `integration "${integration}" is not in this tenant's catalog`;
    if (resources.uris.includes(uri) || resources.templates.some((template) => templateMatches(template, uri)))
      return undefined;
    const known = [...resources.uris, ...resources.templates].slice(0, 5).join(", ");
    return (
      `integration "${integration}" publishes no resource ` +
      `"${uri}"${known ? ` (it has: ${known})` : " (it publishes no resources)"}`
    );
  }
}

/**
 * Whether the input schema takes what the trigger starts a run with: a schedule passes `{}`, a
 * resource event `{ uri, text }` (the resource's content as text). A schema that refuses it would
 * be approved and then fail at every tick or event. Webhooks and manual or tool calls pass what
 * their caller sends, which the schema checks then.
 */
function triggerInputProblem(trigger: WorkflowTrigger, inputSchema: Record<string, unknown>): string | undefined {
  const passed =
    trigger.type === "schedule"
      ? triggerInput.schedule()
      : trigger.type === "resource"
        ? triggerInput.resource(trigger.uri, "[]")
        : undefined;
  if (!passed) return undefined;
  const refused = schemaValidator(inputSchema)(passed)[0];
  if (!refused) return undefined;
  const shape =
    trigger.type === "schedule" ? "{} (no input)" : "{ uri, text } (the resource's URI and its content as text)";
  return (
    `a ${trigger.type} trigger starts the run with ${shape}, which the input schema refuses ` +
    `(${refused}); ${
      trigger.type === "schedule"
        ? "make every input property optional"
        : "accept uri and text, optional or required, and read the event from text"
    }, or drop the trigger`
  );
}

/** RFC 6570 level 1: each `{var}` matches one path segment. */
function templateMatches(template: string, uri: string): boolean {
  const pattern = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
    .join("[^/]+");
  return new RegExp(`^${pattern}$`).test(uri);
}
