/**
 * The tools the planner works through, for a model or for the offline planner alike. The model
 * never gets the whole catalog: it lists integrations, searches tools, and asks for the exact
 * TypeScript of the few it wants. Text that comes from tenant servers (descriptions) is returned
 * as data inside the JSON results, which the loop fences as untrusted.
 */
import type { CompileResult } from "../compile/index.ts";
import { ts } from "ts-morph";
import { z } from "zod";
import type { CatalogContent } from "../core/catalog.ts";
import { CharterError, PlannerDeclined } from "../core/errors.ts";
import { type WorkflowPlan, WorkflowPlan as WorkflowPlanSchema } from "../core/plan.ts";
import { formatDiagnostic } from "../core/workflow.ts";
import type { EffectiveAnnotations, SdkTool } from "../sdkgen/index.ts";
import type { CatalogRepository, VersionRow } from "../store/index.ts";
import type { TenantSdk, TenantToolchain } from "../toolchain/index.ts";
import { type Actor, type GateResult, runGates, type VersionService } from "../versions/index.ts";
import { CatalogView } from "./offline/catalog.ts";
import { checkPlan } from "./plan/check.ts";
import { planToSource } from "./plan/codegen.ts";
import { checkNamesLive } from "./plan/live-checks.ts";
import { renderPlan } from "./plan/render.ts";
import { planToTests } from "./plan/testgen.ts";
import type { PlanTool } from "./plan/tools.ts";

export type ToolHit = {
  tool: string;
  sdk: string;
  title?: string;
  description: string;
  annotations: EffectiveAnnotations;
  score: number;
};
export type DraftCheck = {
  ok: boolean;
  diagnostics: string[];
  gates: { gate: string; ok: boolean; detail: string }[];
  capabilities: string[];
  description?: string | undefined;
};

const MAX_DRAFT_CHARS = 200_000;

/** A workflow source and its tests file, kept while planning so they are sent once, not per check. */
export type Draft = { source: string; tests: string; planId?: string };

export const Workspace = z.object({
  plans: z.array(z.tuple([z.string(), z.unknown()])),
  drafts: z.array(
    z.tuple([z.string(), z.object({ source: z.string(), tests: z.string(), planId: z.string().optional() })]),
  ),
});
export type Workspace = z.infer<typeof Workspace>;

export type PlannerContext = {
  tenantId: string;
  author: Actor;
  parent?: VersionRow | undefined;
  origin: { request: string };
  transcript: () => unknown;
};

/** Read-only access to the tenant's live servers while planning: a resource's content, a read-only tool's result. */
export type LiveAccess = {
  readResource: (tenantId: string, integration: string, uri: string) => Promise<string | undefined>;
  callReadOnly: (
    tenantId: string,
    tool: PlanTool,
    args: Record<string, unknown>,
  ) => Promise<{ ok: true; value: unknown } | { ok: false; message: string }>;
};

export class PlannerTools {
  readonly #toolchain: TenantToolchain;
  readonly #catalogs: CatalogRepository;
  readonly #versions: VersionService;
  readonly #context: PlannerContext;
  /**
   * Gate results of the builds this planner checked (a build is kept by the toolchain, so the same
   * object means the same draft).
   */
  readonly #gatesOf = new WeakMap<CompileResult, GateResult[]>();
  readonly #live: LiveAccess | undefined;
  #sdk: TenantSdk | undefined;
  readonly #plans = new Map<string, WorkflowPlan>();
  /** Drafts by id: each accepted plan's generated source and tests, and every version check_draft was given. */
  readonly #drafts = new Map<string, Draft>();
  submitted: VersionRow | undefined;

  constructor(options: {
    toolchain: TenantToolchain;
    catalogs: CatalogRepository;
    versions: VersionService;
    context: PlannerContext;
    live?: LiveAccess | undefined;
  }) {
    this.#toolchain = options.toolchain;
    this.#catalogs = options.catalogs;
    this.#versions = options.versions;
    this.#context = options.context;
    this.#live = options.live;
  }

  /** Every tool of the tenant with its SDK names, schemas and annotations, and its subscribable resources. */
  async catalog(): Promise<{
    tools: PlanTool[];
    resources: { integration: string; uri: string; name: string; description: string }[];
  }> {
    const { catalog, sdk } = await this.#load();
    const tools: PlanTool[] = [];
    for (const row of catalog) {
      for (const tool of row.content.tools) {
        const sdkTool = sdk.tools.find((t) => t.integration === row.integrationId && t.tool === tool.name);
        if (!sdkTool) continue;
        tools.push({
          key: `${row.integrationId}.${tool.name}`,
          namespace: sdkTool.namespace,
          functionName: sdkTool.functionName,
          title: tool.title,
          description: tool.description ?? "",
          inputSchema: tool.inputSchema,
          outputSchema: tool.outputSchema,
          readOnly: sdkTool.annotations.readOnly,
          destructive: sdkTool.annotations.destructive,
          idempotent: sdkTool.annotations.idempotent,
        });
      }
    }
    const resources = catalog.flatMap((row) =>
      row.content.capabilities.resources?.subscribe
        ? row.content.resources.map((r) => ({
            integration: row.integrationId,
            uri: r.uri,
            name: r.name,
            description: r.description ?? "",
          }))
        : [],
    );
    return { tools, resources };
  }

  /**
   * What a resource trigger would pass as `text` right now: the subscribable resource's current
   * content, read once and read-only, secret-looking fields and the tenant's credentials redacted,
   * capped in size, with the fields of its items when it is JSON.
   */
  async sampleTrigger(
    integration: string,
    uri: string,
  ): Promise<{ uri: string; text: string; length: number; truncated: boolean; itemFields?: string[]; note?: string }> {
    const { resources } = await this.catalog();
    const resource = resources.find((r) => r.integration === integration && r.uri === uri);
    if (!resource) {
      const known = resources.map((r) => `${r.integration} ${r.uri}`).join(", ") || "none";
      throw new CharterError(
        "PLANNER_CANNOT",
        `${integration} ${uri} is not a subscribable resource of this tenant; list_triggers shows them (${known})`,
      );
    }
    const content = await this.readResource(integration, uri);
    if (content === undefined)
      throw new CharterError(
        "PLANNER_CANNOT",
        `${uri} could not be read now (no live access, or the server failed); plan from its ` +
          `description, and say in the plan that its shape was not seen`,
      );
    const text = redactSecretFields(content);
    const SAMPLE = 4000;
    const fields = itemFieldsOf(text);
    const note = fields.itemFields
      ? undefined
      : `${uri} holds nothing now, so the fields of its items cannot be seen; read the fields from ` +
        `the tool that lists the same items (its output type), and name in the plan what was not seen`;
    return {
      uri,
      text: text.slice(0, SAMPLE),
      length: text.length,
      truncated: text.length > SAMPLE,
      ...fields,
      ...(note ? { note } : {}),
    };
  }

  /** A resource's current content, read once and read-only; undefined without live access or when it fails. */
  async readResource(integration: string, uri: string): Promise<string | undefined> {
    return this.#live?.readResource(this.#context.tenantId, integration, uri);
  }

  /** A read-only tool's live result; refuses any other tool. Undefined without live access. */
  async callReadOnly(
    tool: PlanTool,
    args: Record<string, unknown>,
  ): Promise<{ ok: true; value: unknown } | { ok: false; message: string } | undefined> {
    if (!tool.readOnly)
      return { ok: false, message: `${tool.key} is not read-only; the planner calls only read-only tools` };
    return this.#live?.callReadOnly(this.#context.tenantId, tool, args);
  }

  async #load() {
    this.#sdk ??= await this.#toolchain.sdk(this.#context.tenantId);
    const catalog: { integrationId: string; content: CatalogContent }[] = this.#sdk.integrations.map((i) => ({
      integrationId: i.id,
      content: i.content,
    }));
    return { catalog, sdk: this.#sdk };
  }

  /** One tool's catalog entry and SDK names, by "integration.tool"; undefined when the tenant has no such tool. */
  async describeTool(key: string): Promise<
    | {
        key: string;
        namespace: string;
        functionName: string;
        inputSchema: Record<string, unknown>;
        outputSchema: Record<string, unknown> | undefined;
        destructive: boolean;
      }
    | undefined
  > {
    const { catalog, sdk } = await this.#load();
    const sdkTool = sdk.tools.find((t) => `${t.integration}.${t.tool}` === key);
    const tool = catalog
      .find((row) => row.integrationId === sdkTool?.integration)
      ?.content.tools.find((t) => t.name === sdkTool?.tool);
    if (!sdkTool || !tool) return undefined;
    return {
      key,
      namespace: sdkTool.namespace,
      functionName: sdkTool.functionName,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      destructive: sdkTool.annotations.destructive,
    };
  }

  async listIntegrations() {
    const { catalog } = await this.#load();
    const states = new Map(
      (await this.#catalogs.listIntegrations(this.#context.tenantId)).map((row) => [row.id, row.credentialState]),
    );
    return catalog.map((row) => ({
      integration: row.integrationId,
      server: `${row.content.server.name} ${row.content.server.version}`,
      credentials: states.get(row.integrationId) ?? "unknown",
      tools: row.content.tools.length,
      subscribableResources: row.content.capabilities.resources?.subscribe
        ? row.content.resources.map((r) => r.uri)
        : [],
    }));
  }

  /** Tools ranked by how well their name, title, description and input field names match the query's words. */
  async searchTools(query: string, limit = 8): Promise<ToolHit[]> {
    const { catalog, sdk } = await this.#load();
    const words = tokens(query);
    const hits: ToolHit[] = [];
    for (const row of catalog) {
      for (const tool of row.content.tools) {
        const sdkTool = sdk.tools.find((t) => t.integration === row.integrationId && t.tool === tool.name);
        if (!sdkTool) continue;
        const fields = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {});
        const name = tokens(`${row.integrationId} ${tool.name}`);
        const text = tokens(`${tool.title ?? ""} ${tool.description ?? ""}`);
        const fieldWords = tokens(fields.join(" "));
        let score = 0;
        for (const word of words) {
          if (name.has(word)) score += 3;
          if (text.has(word)) score += 1;
          if (fieldWords.has(word)) score += 1;
        }
        if (score > 0)
          hits.push({
            tool: `${row.integrationId}.${tool.name}`,
            sdk: `${sdkTool.namespace}.${sdkTool.functionName}`,
            ...(tool.title ? { title: tool.title } : {}),
            description: (tool.description ?? "").slice(0, 300),
            annotations: sdkTool.annotations,
            score,
          });
      }
    }
    return hits
      .sort((a, b) => b.score - a.score || (a.tool < b.tool ? -1 : 1))
      .slice(0, Math.max(1, Math.min(limit, 25)));
  }

  /** The exact TypeScript declarations of the named tools ("integration.tool"), from the tenant's SDK. */
  async getSignatures(toolNames: string[]): Promise<{ signatures: string; unknown: string[]; imports: string }> {
    const { sdk } = await this.#load();
    const chosen: SdkTool[] = [];
    const unknown: string[] = [];
    for (const name of toolNames.slice(0, 20)) {
      const tool = sdk.tools.find(
        (t) => `${t.integration}.${t.tool}` === name || `${t.namespace}.${t.functionName}` === name,
      );
      if (tool) chosen.push(tool);
      else unknown.push(name);
    }
    const parts: string[] = [];
    for (const tool of chosen) {
      const declarations = sdk.files.get(`${tool.integration}.d.ts`) ?? "";
      parts.push(
        `// ${tool.integration}.${tool.tool} → import { ${tool.namespace} } from "charter:sdk"; ` +
          `call ${tool.namespace}.${tool.functionName}(…)` +
          `\n${declarationsOf(declarations, tool.functionName)}`,
      );
    }
    const namespaces = [...new Set(chosen.map((t) => t.namespace))].sort();
    return {
      signatures: parts.join("\n\n"),
      unknown,
      imports: namespaces.length ? `import { ${namespaces.join(", ")} } from "charter:sdk";` : "",
    };
  }

  async listTriggers() {
    const { catalog } = await this.#load();
    return {
      manual: "always: every approved workflow can be run by hand and is an MCP tool",
      schedule:
        '{ type: "schedule", cron: "<5 fields>", timezone?: "Europe/Berlin" } (e.g. "0 9 * * 1-5" ' +
        'for weekdays at 9:00), { type: "schedule", every: "15m" } (a fixed interval: m, h or d) or ' +
        '{ type: "schedule", at: "2026-12-01T09:00:00+01:00" } (once)',
      webhook: '{ type: "webhook" }: the request body is the input',
      resources: catalog.flatMap((row) =>
        row.content.capabilities.resources?.subscribe
          ? row.content.resources.map((r) => ({
              trigger: { type: "resource", integration: row.integrationId, uri: r.uri },
              description: (r.description ?? r.name).slice(0, 200),
              input: "{ uri: string, text?: string } (the resource's URI and its content)",
            }))
          : [],
      ),
    };
  }

  async planProblems(plan: unknown, source: string, check: DraftCheck): Promise<string[]> {
    const { tools } = await this.catalog();
    return planProblemsOf(plan, source, check.capabilities, tools, check.description);
  }

  /**
   * A plan, checked: it parses, covers every clause of the request (the request is Charter's, not
   * the plan's own), calls tools that exist with arguments they take, and names channels, groups
   * and people that exist (checked live). Accepted, it is kept under an id, with the code and
   * tests generated from it, which submit_draft stores as they are or as the planner edited them.
   */
  async proposePlan(raw: unknown): Promise<
    | {
        ok: true;
        planId: string;
        draftId: string;
        description: string;
        source: string;
        tests: string;
        checks: string[];
      }
    | { ok: false; problems: string[]; question?: { clause: string; reason: string; options: string[] } }
  > {
    const { tools, resources } = await this.catalog();
    const byKey = new Map(tools.map((t) => [t.key, t]));
    // The request and the checks are Charter's: a plan cannot claim a different request or checks it did not pass.
    const parent = this.#context.parent?.origin as
      | { request?: string; plan?: { request?: string; revises?: string } }
      | null
      | undefined;
    const revises = parent
      ? [parent.plan?.revises, parent.plan?.request ?? parent.request].filter(Boolean).join(" — ")
      : undefined;
    const withRequest =
      raw !== null && typeof raw === "object"
        ? { ...raw, checks: [], request: this.#context.origin.request, ...(revises ? { revises } : {}) }
        : raw;
    const { plan, problems } = checkPlan(withRequest, byKey);
    if (!plan || problems.length > 0) return { ok: false, problems };
    try {
      await checkNamesLive(plan, new CatalogView(tools, resources), (tool, args) => this.callReadOnly(tool, args));
      const source = planToSource(plan, byKey);
      const tests = JSON.stringify(planToTests(plan, byKey), null, 2);
      const planId = `plan-${this.#plans.size + 1}`;
      this.#plans.set(planId, plan);
      const draftId = this.keepDraft({ source, tests, planId });
      return { ok: true, planId, draftId, description: renderPlan(plan, byKey), source, tests, checks: plan.checks };
    } catch (error) {
      if (error instanceof PlannerDeclined)
        return {
          ok: false,
          problems: [error.message],
          question: { clause: error.clause, reason: error.reason, options: error.options },
        };
      return {
        ok: false,
        problems: [`the plan could not be turned into code: ${error instanceof Error ? error.message : String(error)}`],
      };
    }
  }

  /** The plan's generated tests, with those of the planner's own that are not among them (by name). */
  async #withPlanTests(plan: unknown, provided: string | undefined): Promise<string | undefined> {
    const { tools } = await this.catalog();
    const parsed = WorkflowPlanSchema.safeParse(plan);
    if (!parsed.success) return provided;
    const generated = planToTests(parsed.data, new Map(tools.map((t) => [t.key, t])));
    let own: { name: string }[] = [];
    try {
      const value = JSON.parse(provided ?? "{}") as { tests?: unknown };
      if (Array.isArray(value.tests)) own = value.tests as { name: string }[];
    } catch {
      return provided; // not JSON: its checks say so
    }
    const names = new Set(generated.tests.map((t) => t.name));
    return JSON.stringify({ tests: [...generated.tests, ...own.filter((t) => !names.has(t.name))] }, null, 2);
  }

  /** The accepted plans and kept drafts by id, to keep with a planning session that waits for an answer. */
  workspace(): Workspace {
    return { plans: [...this.#plans.entries()], drafts: [...this.#drafts.entries()] };
  }

  /** Brings back a session's plans and drafts under the ids the model knows them by. */
  restore(workspace: Workspace): void {
    for (const [id, plan] of workspace.plans) this.#plans.set(id, WorkflowPlanSchema.parse(plan));
    for (const [id, draft] of workspace.drafts) this.#drafts.set(id, draft);
  }

  /** Keeps a draft and returns its id, by which the planner checks, edits and submits it without sending it again. */
  keepDraft(draft: Draft): string {
    const id = `draft-${this.#drafts.size + 1}`;
    this.#drafts.set(id, draft);
    return id;
  }

  /** A kept draft, by id. */
  draft(draftId: string): Draft | undefined {
    return this.#drafts.get(draftId);
  }

  /** The draft generated from an accepted plan. */
  generated(planId: string): Draft | undefined {
    return [...this.#drafts.values()].find((draft) => draft.planId === planId);
  }

  /**
   * A new draft from a kept one: its source replaced whole or edited (each edit's old text must occur
   * exactly once), its tests replaced or kept. Throws a planner error that says which edit failed.
   */
  revisedDraft(
    base: Draft | undefined,
    change: {
      source?: string | undefined;
      edits?: { old: string; new: string }[] | undefined;
      tests?: string | undefined;
      planId?: string | undefined;
    },
  ): Draft {
    let source = change.source ?? base?.source;
    const tests = change.tests ?? base?.tests;
    if (source === undefined || tests === undefined)
      throw new CharterError(
        "PLANNER_CANNOT",
        "give draft_id (a draft from propose_plan or check_draft), or both source and tests",
      );
    for (const [index, edit] of (change.edits ?? []).entries()) {
      const at = source.indexOf(edit.old);
      if (at < 0 || edit.old.length === 0)
        throw new CharterError(
          "PLANNER_CANNOT",
          `edit ${index + 1}: its old text does not occur in the draft's source; read_draft shows the source`,
        );
      if (source.indexOf(edit.old, at + 1) >= 0)
        throw new CharterError(
          "PLANNER_CANNOT",
          `edit ${index + 1}: its old text occurs more than once; include more of the surrounding lines`,
        );
      source = source.slice(0, at) + edit.new + source.slice(at + edit.old.length);
    }
    if (source.length > MAX_DRAFT_CHARS)
      throw new CharterError(
        "PLANNER_CANNOT",
        `the edited source is ${source.length} characters, over the ${MAX_DRAFT_CHARS}-character limit of a draft`,
      );
    const planId = change.planId ?? base?.planId;
    return { source, tests, ...(planId ? { planId } : {}) };
  }

  /** An accepted plan, by the id proposePlan gave it. */
  acceptedPlan(planId: string): WorkflowPlan | undefined {
    return this.#plans.get(planId);
  }

  /** Compiles the draft, runs its tests in the sandbox with mocks, and returns what failed. */
  async checkDraft(source: string, tests: string | undefined): Promise<DraftCheck> {
    const { result, runnable } = await this.#toolchain.build(this.#context.tenantId, {
      source,
      fileName: "draft.ts",
      tests: tests === undefined ? undefined : { text: tests, fileName: "draft.tests.json" },
    });
    // The same build (same source, tests and SDK: the toolchain keeps it) has the same gate results: check_draft
    // then submit run the tests once.
    const gates: GateResult[] = this.#gatesOf.get(result) ?? (await runGates(result, runnable, result.tests?.tests));
    this.#gatesOf.set(result, gates);
    return {
      ok: gates.every((g) => g.ok) && result.ok,
      diagnostics: result.diagnostics.map(formatDiagnostic),
      gates: gates.map((g) => ({ gate: g.gate, ok: g.ok, detail: g.detail })),
      capabilities: result.capabilities.map(
        (c) => `${c.integration}.${c.tool}${c.annotations.destructive ? " (destructive)" : ""}`,
      ),
      description: result.workflow?.description,
    };
  }

  /** Creates the draft version: only when its checks pass. The planner can do nothing more than this. */
  async submit(
    source: string,
    provided: string | undefined,
    plan?: unknown,
  ): Promise<{ ok: true; version: string; id: string } | { ok: false; reason: string; check: DraftCheck }> {
    // The tests generated from the plan always run too: tests of the planner's own cannot make them weaker.
    const tests = plan !== undefined ? await this.#withPlanTests(plan, provided) : provided;
    const check = await this.checkDraft(source, tests);
    // What the plan says and the code does are compared whether or not the tests pass.
    const problems =
      plan !== undefined && check.capabilities.length + (check.description ? 1 : 0) > 0
        ? await this.planProblems(plan, source, check)
        : [];
    if (problems.length > 0)
      return {
        ok: false,
        reason: `the draft does not carry out its plan: ${problems.join("; ")}`,
        check: { ...check, ok: false, diagnostics: [...check.diagnostics, ...problems] },
      };
    if (!check.ok)
      return { ok: false, reason: "the draft's checks did not pass; fix what they report and submit again", check };
    const storedPlan = plan;
    const version = await this.#versions.create({
      tenantId: this.#context.tenantId,
      source,
      fileName: "draft.ts",
      tests,
      author: this.#context.author,
      origin: {
        request: this.#context.origin.request,
        transcript: this.#context.transcript(),
        ...(storedPlan ? { plan: storedPlan } : {}),
      },
      ...(this.#context.parent ? { parentVersionId: this.#context.parent.id } : {}),
    });
    if (version.status !== "checks-passed")
      throw new CharterError(
        "VERSION_GATES_FAILED",
        `version ${version.workflow}@${version.number} failed its gates after the draft passed them`,
      );
    this.submitted = version;
    return { ok: true, version: `${version.workflow}@${version.number}`, id: version.id };
  }
}

/**
 * Why a draft does not carry out its plan: the plan's own problems, a description not rendered from
 * it, calls that differ.
 */
export async function planProblemsOf(
  plan: unknown,
  source: string,
  capabilities: string[],
  tools: PlanTool[],
  description: string | undefined,
): Promise<string[]> {
  const byKey = new Map(tools.map((t) => [t.key, t]));
  const { plan: parsed, problems } = checkPlan(plan, byKey);
  if (!parsed) return problems;
  const rendered = renderPlan(parsed, byKey);
  if (description !== rendered)
    problems.push(
      "the workflow's description is not the plan's rendering (it must say what the code does, from the plan)",
    );
  const planned = new Set<string>();
  for (const match of JSON.stringify(parsed.steps).matchAll(/"kind":"call","id":"[^"]*","tool":"([^"]+)"/g))
    planned.add(match[1] ?? "");
  const called = new Set(capabilities.map((c) => c.replace(/ \(destructive\)$/, "")));
  for (const tool of planned)
    if (!called.has(tool)) problems.push(`the plan calls ${tool}, which the code never calls`);
  for (const tool of called)
    if (!planned.has(tool)) problems.push(`the code can call ${tool}, which the plan does not`);
  void source;
  return problems;
}

const SECRET_NAME =
  "pass(?:word|wd|phrase)?|secret|token|api[_-]?key|authorization|credentials?|private[_-]?key|" +
  "cookie|session[_-]?id|bearer";
const SECRET_FIELD = new RegExp(SECRET_NAME, "i");
/** `name: value` or `name=value` with a secret-looking name: the value is the rest of the line. */
const SECRET_PAIR = new RegExp(`\\b([\\w-]*(?:${SECRET_NAME})[\\w-]*)(["']?\\s*[:=]\\s*)(.+)$`, "gim");

/**
 * JSON text with the values of secret-looking fields replaced; other text with the rest of each
 * line after a secret-looking name replaced (so "Authorization: Bearer x" keeps no part of x).
 * The tenant's own credentials are redacted before this, in every encoding (redact()).
 */
export function redactSecretFields(text: string): string {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, SECRET_FIELD.test(key) ? "[redacted]" : walk(inner)]),
      );
    if (typeof value === "string") return value.replace(SECRET_PAIR, "$1$2[redacted]");
    return value;
  };
  try {
    return JSON.stringify(walk(JSON.parse(text)), null, 1);
  } catch {
    return text.replace(SECRET_PAIR, "$1$2[redacted]");
  }
}

/** The field names of a JSON list's items (or of a JSON object), so the plan reads fields that exist. */
function itemFieldsOf(text: string): { itemFields?: string[] } {
  try {
    const value = JSON.parse(text) as unknown;
    const items = Array.isArray(value) ? value : value !== null && typeof value === "object" ? [value] : [];
    const fields = [
      ...new Set(
        items
          .slice(0, 50)
          .flatMap((item) =>
            item !== null && typeof item === "object" && !Array.isArray(item) ? Object.keys(item) : [],
          ),
      ),
    ];
    return fields.length ? { itemFields: fields.slice(0, 100) } : {};
  } catch {
    return {};
  }
}

/** Lower-case words of a text, with snake_case and camelCase split and a few plural endings trimmed. */
export function tokens(text: string): Set<string> {
  const words = text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);
  const out = new Set<string>();
  for (const word of words) {
    out.add(word);
    if (word.endsWith("ies")) out.add(`${word.slice(0, -3)}y`);
    else if (word.endsWith("s") && word.length > 3) out.add(word.slice(0, -1));
  }
  return out;
}

/** The declarations of one SDK function: its input/output types (and their $defs) and the function with its JSDoc. */
function declarationsOf(dts: string, functionName: string): string {
  const base = functionName.charAt(0).toUpperCase() + functionName.slice(1);
  const file = ts.createSourceFile("sdk.d.ts", dts, ts.ScriptTarget.ES2022, true);
  const picked: string[] = [];
  for (const statement of file.statements) {
    const name =
      ts.isTypeAliasDeclaration(statement) || ts.isFunctionDeclaration(statement) ? statement.name?.text : undefined;
    if (!name) continue;
    if (name === functionName || name.startsWith(`${base}Input`) || name.startsWith(`${base}Output`))
      picked.push(statement.getFullText(file).trim());
  }
  return picked.join("\n");
}
