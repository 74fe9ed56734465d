/**
 * The planning loop: the model works through the planner tools until a draft it submits passes
 * its checks. Bounded by turns, tokens and wall time; every turn, tool call and token count is in
 * the transcript, which is stored with the version. Tool results are fenced as data.
 */
import type { ContentBlockParam, MessageParam, Tool, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { z } from "zod";
import { CharterError } from "../core/errors.ts";
import { costUsd, type PlannerModel } from "./model.ts";
import type { PlannerTools } from "./planner-tools.ts";
import { SYSTEM_PROMPT } from "./prompt.ts";

export type PlannerProgress =
  | { event: "turn"; turn: number; inputTokens: number; outputTokens: number }
  | { event: "tool"; name: string; summary: string }
  | { event: "checked"; ok: boolean; summary: string };

export type PlanUsage = { turns: number; inputTokens: number; outputTokens: number; costUsd: number; wallMs: number; model: string };
export type Budget = { maxTurns: number; maxTokens: number; maxMs: number };

export const PLANNER_TOOLS: Tool[] = [
  { name: "list_integrations", description: "The tenant's integrations: server, credential state, tool count, subscribable resources.", input_schema: { type: "object", properties: {} } },
  {
    name: "search_tools",
    description: "Tools ranked by how well their names, descriptions and input fields match the query.",
    input_schema: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 25 } }, required: ["query"] },
  },
  {
    name: "get_signatures",
    description: 'The exact TypeScript declarations (input and output types, JSDoc) of tools, named "integration.tool".',
    input_schema: { type: "object", properties: { tools: { type: "array", items: { type: "string" }, maxItems: 20 } }, required: ["tools"] },
  },
  { name: "list_triggers", description: "What can start a workflow: schedules, webhooks, subscribable MCP resources.", input_schema: { type: "object", properties: {} } },
  {
    name: "check_draft",
    description: "Compile the workflow, analyse it and run its tests in the sandbox with mocks. Returns diagnostics and gate results.",
    input_schema: { type: "object", properties: { source: { type: "string" }, tests: { type: "string", description: "the tests file as JSON text" } }, required: ["source", "tests"] },
  },
  {
    name: "submit_draft",
    description: "Store the workflow as a draft version for human review. Accepted only when its checks pass.",
    input_schema: { type: "object", properties: { source: { type: "string" }, tests: { type: "string" } }, required: ["source", "tests"] },
  },
];

const Inputs = {
  list_integrations: z.object({}).loose(),
  search_tools: z.object({ query: z.string().min(1).max(500), limit: z.number().int().min(1).max(25).optional() }),
  get_signatures: z.object({ tools: z.array(z.string().max(300)).min(1).max(20) }),
  list_triggers: z.object({}).loose(),
  check_draft: z.object({ source: z.string().max(200_000), tests: z.string().max(200_000) }),
  submit_draft: z.object({ source: z.string().max(200_000), tests: z.string().max(200_000) }),
};

export async function planWithModel(options: {
  request: string;
  model: PlannerModel;
  tools: PlannerTools;
  budget: Budget;
  parent?: { label: string; source: string; tests: unknown } | undefined;
  transcript: unknown[];
  onProgress?: (progress: PlannerProgress) => void;
}): Promise<{ usage: PlanUsage }> {
  const started = Date.now();
  const usage: PlanUsage = { turns: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, wallMs: 0, model: options.model.name };
  const opening = options.parent
    ? `Revise ${options.parent.label}. Its source:\n<current-source>\n${options.parent.source}\n</current-source>\nIts tests:\n<current-tests>\n${JSON.stringify(options.parent.tests)}\n</current-tests>\nThe change requested: ${options.request}`
    : `Request: ${options.request}`;
  const messages: MessageParam[] = [{ role: "user", content: opening }];
  options.transcript.push({ role: "user", content: opening });
  let reminded = false;
  for (;;) {
    if (usage.turns >= options.budget.maxTurns) throw budget(`the planner did not submit a passing draft within ${options.budget.maxTurns} turns`, usage);
    if (Date.now() - started > options.budget.maxMs) throw budget(`the planner ran out of time (${options.budget.maxMs} ms)`, usage);
    const turn = await options.model.send({ system: SYSTEM_PROMPT, messages, tools: PLANNER_TOOLS });
    usage.turns++;
    usage.inputTokens += turn.usage.inputTokens;
    usage.outputTokens += turn.usage.outputTokens;
    usage.costUsd = costUsd(options.model.name, usage);
    usage.wallMs = Date.now() - started;
    options.onProgress?.({ event: "turn", turn: usage.turns, inputTokens: turn.usage.inputTokens, outputTokens: turn.usage.outputTokens });
    options.transcript.push({ role: "assistant", content: turn.content, usage: turn.usage });
    messages.push({ role: "assistant", content: turn.content as ContentBlockParam[] });
    if (usage.inputTokens + usage.outputTokens > options.budget.maxTokens) throw budget(`the planner used more than ${options.budget.maxTokens} tokens`, usage);

    const calls = turn.content.filter((block) => block.type === "tool_use");
    if (calls.length === 0) {
      if (reminded) throw budget("the model stopped without submitting a draft", usage);
      reminded = true;
      messages.push({ role: "user", content: "Nothing was submitted. Continue with the tools until submit_draft accepts a draft." });
      continue;
    }
    const results: ToolResultBlockParam[] = [];
    for (const call of calls) {
      const { text, isError, submitted } = await runTool(options.tools, call.name, call.input, options.onProgress);
      options.transcript.push({ role: "tool", name: call.name, input: call.input, result: text.slice(0, 20_000), isError });
      results.push({ type: "tool_result", tool_use_id: call.id, is_error: isError, content: `<tool-output tool="${call.name}">\n${text}\n</tool-output>` });
      if (submitted) {
        usage.wallMs = Date.now() - started;
        return { usage };
      }
    }
    messages.push({ role: "user", content: results });
  }
}

async function runTool(tools: PlannerTools, name: string, input: unknown, onProgress?: (progress: PlannerProgress) => void): Promise<{ text: string; isError: boolean; submitted: boolean }> {
  const schema = Inputs[name as keyof typeof Inputs];
  if (!schema) return { text: JSON.stringify({ error: `there is no planner tool "${name}"; the tools are ${Object.keys(Inputs).join(", ")}` }), isError: true, submitted: false };
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) return { text: JSON.stringify({ error: `invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` }), isError: true, submitted: false };
  const args = parsed.data as Record<string, unknown>;
  try {
    switch (name) {
      case "list_integrations":
        onProgress?.({ event: "tool", name, summary: "listed integrations" });
        return ok(await tools.listIntegrations());
      case "search_tools": {
        const hits = await tools.searchTools(String(args["query"]), args["limit"] as number | undefined);
        onProgress?.({ event: "tool", name, summary: `searched "${String(args["query"])}": ${hits.slice(0, 3).map((h) => h.tool).join(", ") || "nothing"}` });
        return ok(hits);
      }
      case "get_signatures": {
        const found = await tools.getSignatures(args["tools"] as string[]);
        onProgress?.({ event: "tool", name, summary: `read signatures of ${(args["tools"] as string[]).join(", ")}` });
        return ok(found);
      }
      case "list_triggers":
        onProgress?.({ event: "tool", name, summary: "listed trigger sources" });
        return ok(await tools.listTriggers());
      case "check_draft": {
        const check = await tools.checkDraft(String(args["source"]), String(args["tests"]));
        onProgress?.({ event: "checked", ok: check.ok, summary: check.ok ? "draft passes its checks" : check.gates.filter((g) => !g.ok).map((g) => `${g.gate}: ${g.detail.split("\n")[0]}`).join("; ") });
        return { text: JSON.stringify(check), isError: !check.ok, submitted: false };
      }
      case "submit_draft": {
        const result = await tools.submit(String(args["source"]), String(args["tests"]));
        onProgress?.({ event: "checked", ok: result.ok, summary: result.ok ? `submitted ${result.version}` : result.check.gates.filter((g) => !g.ok).map((g) => `${g.gate}: ${g.detail.split("\n")[0]}`).join("; ") });
        return { text: JSON.stringify(result), isError: !result.ok, submitted: result.ok };
      }
    }
  } catch (error) {
    if (error instanceof CharterError && error.code !== "PLANNER_MODEL_ERROR") return { text: JSON.stringify({ error: error.message, code: error.code }), isError: true, submitted: false };
    throw error;
  }
  return { text: "{}", isError: true, submitted: false };
}

function ok(value: unknown) {
  return { text: JSON.stringify(value), isError: false, submitted: false };
}

function budget(message: string, usage: PlanUsage): CharterError {
  return new CharterError("PLANNER_BUDGET", `${message} (${usage.turns} turns, ${usage.inputTokens + usage.outputTokens} tokens); nothing was submitted. Narrow the request or raise CHARTER_PLANNER_MAX_TURNS / _MAX_TOKENS.`);
}
