/**
 * Planner context benchmark: what a planning run sends the model, against a plain MCP client that
 * gives the model every tool of the tenant as a tool definition. Two tenants: the demo tenant (its
 * four live servers) and a synthetic one of 320 tools over 8 integrations. On each, the same scripted
 * 7-turn run (list integrations, search, read signatures, list triggers, propose a plan, check an
 * edit, submit) goes through the real PlannerService; each request is recorded as ClaudeModel sends
 * it (with its prompt-cache breakpoints). The baseline is the same conversation as a client that
 * has every tenant tool in `tools` would hold it: without the search and signature turns, which it
 * does not need, and with the tools in every request, cached the same way (keeping them is the
 * cheapest way for such a client: a request whose prefix changes is not read from the cache).
 * Both sides are priced as Anthropic bills input: plain input 1, cache writes 1.25, cache reads 0.1.
 * Tokens are counted with @anthropic-ai/tokenizer when it loads (characters / 4 otherwise); the
 * method is printed. Usage: npm run bench:planner
 */
import { createRequire } from "node:module";
import path from "node:path";
import type { MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages/messages";
import { type App, createApp } from "../src/app.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import type { CatalogContent, CatalogTool } from "../src/core/catalog.ts";
import { type ModelTurn, PlannerService, type PlannerModel, PlannerTools } from "../src/planner/index.ts";
import { withCacheBreakpoints } from "../src/planner/model.ts";
import { CatalogView } from "../src/planner/offline/catalog.ts";
import { planRequest } from "../src/planner/offline/plan-request.ts";
import { plannerReads } from "../src/runs/index.ts";
import { openEmbeddedDatabase, PlanningRepository } from "../src/store/index.ts";
import type { FakeRequest } from "../test/helpers/fake-anthropic.ts";
import { cacheAccounting, charactersOver4, type TokenCounter } from "../test/helpers/prompt-cache.ts";

const { count, method } = tokenCounter();

function tokenCounter(): { count: TokenCounter; method: string } {
  try {
    const tokenizer = createRequire(import.meta.url)("@anthropic-ai/tokenizer") as {
      countTokens: (text: string) => number;
    };
    tokenizer.countTokens("warm up");
    return {
      count: tokenizer.countTokens,
      method:
        "@anthropic-ai/tokenizer (Claude's published tokenizer; newer models' tokenizers are not public, so counts are close, not exact)",
    };
  } catch {
    return { count: charactersOver4, method: "characters / 4 (@anthropic-ai/tokenizer did not load)" };
  }
}

type Scenario = {
  tenantId: string;
  request: string;
  plan: Record<string, unknown>;
  signatures: string[];
  search: string;
  everyTool: Tool[];
  label: string;
};

/** The scripted run through the real planner service; returns the requests as sent, and as a plain MCP client would send them. */
async function measure(
  app: App,
  scenario: Scenario,
): Promise<{ ours: FakeRequest[]; baseline: FakeRequest[]; outcome: string }> {
  const ours: FakeRequest[] = [];
  const baseline: FakeRequest[] = [];
  const script = [
    { name: "list_integrations", input: {} },
    { name: "search_tools", input: { query: scenario.search } },
    { name: "get_signatures", input: { tools: scenario.signatures } },
    { name: "list_triggers", input: {} },
    { name: "propose_plan", input: { plan: scenario.plan } },
    {
      name: "check_draft",
      input: {
        plan_id: "plan-1",
        draft_id: "draft-1",
        edits: [{ old: "export default defineWorkflow({", new: "// Checked.\nexport default defineWorkflow({" }],
      },
    },
    { name: "submit_draft", input: { plan_id: "plan-1", draft_id: "draft-2" } },
  ];
  const DISCOVERY = new Set(["search_tools", "get_signatures"]);
  const model: PlannerModel = {
    name: "scripted",
    async send(request: { system: string; messages: MessageParam[]; tools: Tool[] }): Promise<ModelTurn> {
      ours.push({ model: "scripted", ...withCacheBreakpoints(request) } as unknown as FakeRequest);
      if (!DISCOVERY.has(script[ours.length - 1]?.name ?? "")) {
        // A client with every tool never searches or reads signatures: those exchanges are not in its conversation.
        const messages = request.messages.filter(
          (message, index, all) =>
            !isDiscovery(message) && !(message.role === "user" && index > 0 && isDiscovery(all[index - 1])),
        );
        baseline.push({
          model: "scripted",
          ...withCacheBreakpoints({ ...request, messages, tools: scenario.everyTool }),
        } as unknown as FakeRequest);
      }
      const step = script[ours.length - 1] ?? { name: "submit_draft", input: { plan_id: "plan-1" } };
      return {
        content: [
          {
            type: "tool_use",
            id: `t${ours.length}`,
            name: step.name,
            input: step.input,
            caller: { type: "direct" },
          } as never,
        ],
        stopReason: "tool_use",
        usage: { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 },
      };
    },
  };
  const user = await app.identity.ensureUser("bench");
  await app.identity.grant(scenario.tenantId, user.id, "author");
  const service = new PlannerService({
    env: app.env,
    toolchain: app.toolchain,
    catalogs: app.catalogs,
    versions: app.versions,
    sessions: new PlanningRepository(app.database.db),
    live: plannerReads({ env: app.env, processEnv: process.env, pool: app.pool }),
    model: () => model,
  });
  const result = await service.plan({
    tenantId: scenario.tenantId,
    request: scenario.request,
    author: { userId: user.id, handle: "bench" },
  });
  return {
    ours,
    baseline,
    outcome: `draft ${result.version.workflow}@${result.version.number} ${result.version.status}`,
  };
}

function isDiscovery(message: MessageParam | undefined): boolean {
  return (
    message?.role === "assistant" &&
    Array.isArray(message.content) &&
    message.content.some(
      (block) => block.type === "tool_use" && (block.name === "search_tools" || block.name === "get_signatures"),
    )
  );
}

/** Input tokens priced as billed: plain input 1, cache writes 1.25, cache reads 0.1. */
function priced(requests: FakeRequest[]) {
  const { perRequest, total } = cacheAccounting(requests, count);
  const read = perRequest.reduce((s, r) => s + r.cacheRead, 0);
  const write = perRequest.reduce((s, r) => s + r.cacheWrite, 0);
  const input = perRequest.reduce((s, r) => s + r.input, 0);
  return { total, read, write, input, billed: input + 1.25 * write + 0.1 * read };
}

function report(
  label: string,
  run: { ours: FakeRequest[]; baseline: FakeRequest[]; outcome: string },
  tools: number,
): number {
  const ours = priced(run.ours);
  const theirs = priced(run.baseline);
  const line = (who: string, p: ReturnType<typeof priced>, requests: number) =>
    `  ${who}: ${p.total} input tokens over ${requests} requests; ${p.input} plain, ${p.write} cache writes, ${p.read} cache reads; billed as ${Math.round(p.billed)} input tokens`;
  console.log(`${label} (${tools} tools): ${run.outcome}`);
  console.log(line("Charter's planner", ours, run.ours.length));
  console.log(line("every tool as a tool definition", theirs, run.baseline.length));
  const ratio = theirs.billed / ours.billed;
  const without = theirs.total / ours.total;
  const said = (r: number) => (r >= 1 ? `${r.toFixed(1)}x fewer` : `${Math.round((1 / r - 1) * 100)} % more`);
  console.log(
    `  Charter's planner: ${said(ratio)} billed input tokens than the baseline (${said(without)} were there no cache)\n`,
  );
  return ratio;
}

const toolDefinition = (tool: CatalogTool): Tool => ({
  name: tool.name,
  description: tool.description ?? "",
  input_schema: tool.inputSchema as Tool["input_schema"],
});

console.log(`tokens: ${method}\n`);

// The demo tenant: its live servers, and the request the planner tests use.
{
  const database = await openEmbeddedDatabase({ memory: true });
  await database.migrate();
  const app = await createApp({
    processEnv: { ...process.env, CHARTER_TENANTS_DIR: path.join(import.meta.dirname, "../tenants") },
    database,
  });
  if (!(await app.catalogService.syncTenant("demo")).ok) throw new Error("the demo tenant did not sync");
  const request = "Every weekday at 9:00, post the open P1 incidents to #it-ops";
  const tools = new PlannerTools({
    toolchain: app.toolchain,
    catalogs: app.catalogs,
    versions: app.versions,
    context: { tenantId: "demo", author: { userId: "", handle: "bench" }, origin: { request }, transcript: () => [] },
  });
  const catalog = await tools.catalog();
  const {
    request: _request,
    checks: _checks,
    revises: _revises,
    ...plan
  } = await planRequest(request, new CatalogView(catalog.tools, catalog.resources), { readResource: async () => "[]" });
  const everyTool = (await app.catalogs.currentCatalog("demo")).flatMap((row) => row.content.tools.map(toolDefinition));
  const run = await measure(app, {
    tenantId: "demo",
    request,
    plan: { ...plan, name: "p1-digest" },
    signatures: ["tickets.list_incidents", "chat.post_message"],
    search: "list incidents priority post message",
    everyTool,
    label: "demo",
  });
  report("demo tenant", run, everyTool.length);
  await app.close();
}

// A synthetic tenant of 320 tools.
{
  const INTEGRATIONS = 8;
  const TOOLS_EACH = 40;
  const tool = (integration: number, index: number): CatalogTool => ({
    name: `${["get", "list", "create", "update", "delete"][index % 5]}_${["record", "ticket", "user", "asset", "order", "invoice", "device", "report"][integration]}_${index}`,
    description: `Operation ${index} on service ${integration}: reads or changes records and returns the result with its status and timestamps.`,
    annotations: { readOnlyHint: index % 5 < 2, destructiveHint: index % 5 === 4 },
    inputSchema: {
      type: "object",
      properties: {
        id: { type: "string", description: "Record id" },
        status: { enum: ["open", "closed", "pending"] },
        tags: { type: "array", items: { type: "string" } },
        owner: {
          type: "object",
          properties: { email: { type: "string" }, name: { type: "string" } },
          required: ["email"],
        },
        limit: { type: "integer", minimum: 1, maximum: 100 },
      },
      required: ["id"],
    },
    outputSchema: {
      type: "object",
      properties: { id: { type: "string" }, status: { type: "string" }, updated_at: { type: "string" } },
      required: ["id", "status"],
    },
  });
  const database = await openEmbeddedDatabase({ memory: true });
  await database.migrate();
  const app = await createApp({ processEnv: {}, database });
  await app.catalogs.upsertTenant({ id: "big", name: "Big", configHash: "x" });
  const everyTool: Tool[] = [];
  for (let i = 0; i < INTEGRATIONS; i++) {
    const content: CatalogContent = {
      server: { name: `service-${i}`, version: "1" },
      capabilities: { tools: {} },
      tools: Array.from({ length: TOOLS_EACH }, (_, t) => tool(i, t)),
      resources: [],
      resourceTemplates: [],
      prompts: [],
    };
    everyTool.push(...content.tools.map(toolDefinition));
    await app.catalogs.recordSync({
      tenantId: "big",
      integrationId: `svc${i}`,
      transport: "stdio",
      configHash: "c",
      credentialState: "ok",
      startedAt: new Date(),
      outcome: "snapshot",
      hash: contentHash(content),
      content,
      previousSnapshotId: null,
      changes: [],
    });
  }
  const plan = {
    name: "ticket-status",
    trigger: { type: "manual" },
    inputs: [{ name: "id", schema: { type: "string" }, required: true, description: "the ticket's id" }],
    steps: [{ kind: "call", id: "ticket", tool: "svc1.get_ticket_0", args: { id: { kind: "input", field: "id" } } }],
    output: { status: { kind: "ref", step: "ticket", path: ["status"] } },
    clauses: [{ text: "Report the status of a ticket", covers: ["ticket"] }],
  };
  const run = await measure(app, {
    tenantId: "big",
    request: "Report the status of a ticket",
    plan,
    signatures: ["svc1.get_ticket_0", "svc1.update_ticket_3"],
    search: "get ticket status",
    everyTool,
    label: "big",
  });
  report(`synthetic tenant, ${INTEGRATIONS} integrations`, run, everyTool.length);
  await app.close();
}
