/**
 * Planner context benchmark. For a synthetic tenant of 320 tools over 8 integrations, prints the
 * input the planner sends to the model in a scripted planning run (discover, search, read two
 * signatures, check, submit: 5 turns, each resending the conversation, as the Messages API needs),
 * against a plain MCP client that sends every tool's schema as a tool definition on every turn of
 * the same conversation. Tokens are estimated as characters / 4 of the request JSON (there is no
 * tokenizer offline); the ratio does not depend on that constant.
 * Usage: npm run bench:planner
 */
import type { MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages/messages";
import { createApp } from "../src/app.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import type { CatalogContent, CatalogTool } from "../src/core/catalog.ts";
import { type ModelTurn, PLANNER_TOOLS, PlannerService, type PlannerModel, SYSTEM_PROMPT } from "../src/planner/index.ts";
import { openEmbeddedDatabase, PlanningRepository } from "../src/store/index.ts";

const INTEGRATIONS = 8;
const TOOLS_EACH = 40;
const tokensOf = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);

function tool(integration: number, index: number): CatalogTool {
  return {
    name: `${["get", "list", "create", "update", "delete"][index % 5]}_${["record", "ticket", "user", "asset", "order", "invoice", "device", "report"][integration]}_${index}`,
    description: `Operation ${index} on service ${integration}: reads or changes records and returns the result with its status and timestamps.`,
    annotations: { readOnlyHint: index % 5 < 2, destructiveHint: index % 5 === 4 },
    inputSchema: {
      type: "object",
      properties: {
        id: { type: "string", description: "Record id" },
        status: { enum: ["open", "closed", "pending"] },
        tags: { type: "array", items: { type: "string" } },
        owner: { type: "object", properties: { email: { type: "string" }, name: { type: "string" } }, required: ["email"] },
        limit: { type: "integer", minimum: 1, maximum: 100 },
      },
      required: ["id"],
    },
    outputSchema: { type: "object", properties: { id: { type: "string" }, status: { type: "string" }, updated_at: { type: "string" } }, required: ["id", "status"] },
  };
}

const database = await openEmbeddedDatabase({ memory: true });
await database.migrate();
const app = await createApp({ processEnv: {}, database });
await app.catalogs.upsertTenant({ id: "big", name: "Big", configHash: "x" });
const allTools: CatalogTool[] = [];
for (let i = 0; i < INTEGRATIONS; i++) {
  const content: CatalogContent = { server: { name: `service-${i}`, version: "1" }, capabilities: { tools: {} }, tools: Array.from({ length: TOOLS_EACH }, (_, t) => tool(i, t)), resources: [], resourceTemplates: [], prompts: [] };
  allTools.push(...content.tools);
  await app.catalogs.recordSync({ tenantId: "big", integrationId: `svc${i}`, transport: "stdio", configHash: "c", credentialState: "ok", startedAt: new Date(), outcome: "snapshot", hash: contentHash(content), content, previousSnapshotId: null, changes: [] });
}
const author = await app.identity.ensureUser("bench");
await app.identity.grant("big", author.id, "author");

const SOURCE = `import { svc1 } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "close-stale-tickets", description: "Lists a ticket and reports its status.",
  input: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  output: { type: "object", properties: { status: { type: "string" } }, required: ["status"] },
  run: async (input) => ({ status: (await svc1.getTicket0({ id: input.id })).status }),
});`;
/** The plan the scripted model proposes; the draft it submits is the one Charter generates from it. */
const PLAN = {
  name: "ticket-status",
  trigger: { type: "manual" },
  inputs: [{ name: "id", schema: { type: "string" }, required: true, description: "the ticket's id" }],
  steps: [{ kind: "call", id: "ticket", tool: "svc1.get_ticket_0", args: { id: { kind: "input", field: "id" } } }],
  output: { status: { kind: "ref", step: "ticket", path: ["status"] } },
  clauses: [{ text: "Report the status of a ticket", covers: ["ticket"] }],
};
const TESTS = JSON.stringify({ tests: [{ name: "reports", input: { id: "t1" }, mocks: { "svc1.get_ticket_0": [{ output: { id: "t1", status: "open" } }] }, expect: { output: { status: "open" } } }] });
const script = [
  { name: "list_integrations", input: {} },
  { name: "search_tools", input: { query: "get ticket status" } },
  { name: "get_signatures", input: { tools: ["svc1.get_ticket_0", "svc1.update_ticket_3"] } },
  { name: "propose_plan", input: { plan: PLAN } },
  { name: "check_draft", input: { source: SOURCE, tests: TESTS } },
  { name: "submit_draft", input: { plan_id: "plan-1" } },
];
const sent: number[] = [];
const baseline: number[] = [];
const everyTool: Tool[] = allTools.map((t) => ({ name: t.name, description: t.description ?? "", input_schema: t.inputSchema as Tool["input_schema"] }));
const model: PlannerModel = {
  name: "scripted",
  async send(request: { system: string; messages: MessageParam[]; tools: Tool[] }): Promise<ModelTurn> {
    sent.push(tokensOf({ system: request.system, messages: request.messages, tools: request.tools }));
    // A plain MCP client: the same conversation, with every tenant tool as a tool definition.
    baseline.push(tokensOf({ system: request.system, messages: request.messages, tools: everyTool }));
    const step = script[sent.length - 1] ?? script[script.length - 1];
    return { content: [{ type: "tool_use", id: `t${sent.length}`, name: step?.name ?? "submit_draft", input: step?.input ?? {}, caller: { type: "direct" } } as never], stopReason: "tool_use", usage: { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 } };
  },
};
const service = new PlannerService({ env: app.env, toolchain: app.toolchain, catalogs: app.catalogs, versions: app.versions, sessions: new PlanningRepository(app.database.db), model: () => model });
const result = await service.plan({ tenantId: "big", request: "Report the status of a ticket", author: { userId: author.id, handle: "bench" } });
const ours = sent.reduce((a, b) => a + b, 0);
const theirs = baseline.reduce((a, b) => a + b, 0);
console.log(`tenant: ${allTools.length} tools over ${INTEGRATIONS} integrations; planning run: ${sent.length} turns, draft ${result.version.workflow}@${result.version.number} ${result.version.status}`);
console.log(`planner input: ~${ours} tokens in all (per turn: ${sent.join(", ")}); planner tool definitions: ~${tokensOf(PLANNER_TOOLS)} tokens, system prompt ~${tokensOf(SYSTEM_PROMPT)}`);
console.log(`every tool's schema as tools, same conversation: ~${theirs} tokens in all (tool list alone ~${tokensOf(everyTool)} per turn)`);
console.log(`ratio: ${(theirs / ours).toFixed(1)}x fewer input tokens (target >= 20x)`);
await app.close();
