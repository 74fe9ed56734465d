/**
 * The planning loop: the model works through the planner tools until a draft it submits passes
 * its checks. Bounded by turns, tokens and wall time; every turn, tool call and token count is in
 * the transcript, which is stored with the version. Tool results are fenced as data.
 */
import type {
  ContentBlockParam,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { z } from "zod";
import { CharterError, PlannerDeclined } from "../core/errors.ts";
import { WorkflowPlan } from "../core/plan.ts";
import { costUsd, type PlannerModel } from "./model.ts";
import type { PlannerTools } from "./planner-tools.ts";
import { SYSTEM_PROMPT } from "./prompt.ts";

export type PlannerProgress =
  | {
      event: "turn";
      turn: number;
      inputTokens: number;
      outputTokens: number;
      cacheWriteTokens: number;
      cacheReadTokens: number;
    }
  | { event: "tool"; name: string; summary: string }
  | { event: "checked"; ok: boolean; summary: string };

/** A planning run's tokens: input at full price, prompt-cache writes and reads, output; its cost and time. */
export type PlanUsage = {
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  wallMs: number;
  model: string;
};
export type Budget = { maxTurns: number; maxTokens: number; maxMs: number };

export const PLANNER_TOOLS: Tool[] = [
  {
    name: "list_integrations",
    description: "The tenant's integrations: server, credential state, tool count, subscribable resources.",
    input_schema: { type: "object", properties: {} },
  },
  {
    name: "search_tools",
    description: "Tools ranked by how well their names, descriptions and input fields match the query.",
    input_schema: {
      type: "object",
      properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 25 } },
      required: ["query"],
    },
  },
  {
    name: "get_signatures",
    description:
      'The exact TypeScript declarations (input and output types, JSDoc) of tools, named "integration.tool".',
    input_schema: {
      type: "object",
      properties: { tools: { type: "array", items: { type: "string" }, maxItems: 20 } },
      required: ["tools"],
    },
  },
  {
    name: "list_triggers",
    description: "What can start a workflow: schedules, webhooks, subscribable MCP resources.",
    input_schema: { type: "object", properties: {} },
  },
  {
    name: "sample_trigger",
    description:
      "What a resource trigger passes as `text` right now: the resource's current content (read " +
      "once, read-only, secrets redacted, at most 4000 characters) and the fields of its items. " +
      "Read it before planning on a resource event, so the plan reads fields that exist.",
    input_schema: {
      type: "object",
      properties: { integration: { type: "string" }, uri: { type: "string" } },
      required: ["integration", "uri"],
    },
  },
  {
    name: "propose_plan",
    description:
      "Propose the plan: trigger, steps, output, and the request's clauses with the plan elements " +
      "that carry each out. Charter checks that every clause of the request is covered, that the " +
      "tools exist and take the arguments, and that named channels, groups and people exist; it " +
      "answers with the problems, or ok with a plan_id, the description rendered from the plan, and " +
      "the workflow source and tests generated from it.",
    input_schema: { type: "object", properties: { plan: planInputSchema() }, required: ["plan"] },
  },
  {
    name: "read_draft",
    description: "A kept draft's whole source and tests file (JSON text), by draft_id.",
    input_schema: { type: "object", properties: { draft_id: { type: "string" } }, required: ["draft_id"] },
  },
  {
    name: "check_draft",
    description:
      "Compile a draft, analyse it and run its tests in the sandbox with mocks; with plan_id, also " +
      "check that it carries out that accepted plan (same tools, the plan's description). The draft " +
      "is a kept one (draft_id) with edits to its source (each edit's old text must occur exactly " +
      "once), or a new source and tests. Returns the new draft's draft_id, diagnostics and gate " +
      "results: send edits, never the whole draft again.",
    input_schema: {
      type: "object",
      properties: {
        draft_id: {
          type: "string",
          description: "the draft to start from (from propose_plan or an earlier check_draft)",
        },
        edits: {
          type: "array",
          items: {
            type: "object",
            properties: { old: { type: "string" }, new: { type: "string" } },
            required: ["old", "new"],
          },
          maxItems: 50,
        },
        source: { type: "string", description: "a whole new source, instead of edits" },
        tests: {
          type: "string",
          description: "a whole new tests file as JSON text; the draft's own tests when left out",
        },
        plan_id: { type: "string" },
      },
    },
  },
  {
    name: "submit_draft",
    description:
      "Store a draft of an accepted plan for human review: by default the source and tests " +
      "generated from the plan, or a checked draft of yours by draft_id (it must carry out the plan " +
      "and pass its checks).",
    input_schema: {
      type: "object",
      properties: { plan_id: { type: "string" }, draft_id: { type: "string" } },
      required: ["plan_id"],
    },
  },
  {
    name: "ask_user",
    description:
      "End planning with a question to the person who asked: a value you need that the request and " +
      "the tenant do not give (which channel, which group, what time). Name the clause it is about " +
      "and the options you found in the catalog.",
    input_schema: {
      type: "object",
      properties: {
        clause: { type: "string" },
        question: { type: "string" },
        options: { type: "array", items: { type: "string" }, maxItems: 20 },
      },
      required: ["clause", "question"],
    },
  },
  {
    name: "cannot_plan",
    description:
      "End planning with a refusal: a part of the request that no tool or trigger of this tenant " +
      "can carry out. Name that clause and why. Never leave a part out instead.",
    input_schema: {
      type: "object",
      properties: { clause: { type: "string" }, reason: { type: "string" } },
      required: ["clause", "reason"],
    },
  },
];

/** The plan's JSON Schema, as the model fills it (Charter sets the request and the checks). */
function planInputSchema(): Record<string, unknown> {
  const { $schema: _schema, ...schema } = z.toJSONSchema(
    WorkflowPlan.omit({ request: true, checks: true, revises: true }),
    { io: "input" },
  ) as Record<string, unknown>;
  return schema;
}

const Inputs = {
  list_integrations: z.object({}).loose(),
  search_tools: z.object({ query: z.string().min(1).max(500), limit: z.number().int().min(1).max(25).optional() }),
  get_signatures: z.object({ tools: z.array(z.string().max(300)).min(1).max(20) }),
  list_triggers: z.object({}).loose(),
  sample_trigger: z.object({ integration: z.string().min(1).max(200), uri: z.string().min(1).max(2000) }),
  propose_plan: z.object({ plan: z.record(z.string(), z.unknown()) }),
  read_draft: z.object({ draft_id: z.string().max(40) }),
  check_draft: z.object({
    draft_id: z.string().max(40).optional(),
    edits: z
      .array(z.object({ old: z.string().max(50_000), new: z.string().max(50_000) }))
      .max(50)
      .optional(),
    source: z.string().max(200_000).optional(),
    tests: z.string().max(200_000).optional(),
    plan_id: z.string().max(40).optional(),
  }),
  submit_draft: z.object({ plan_id: z.string().max(40), draft_id: z.string().max(40).optional() }),
  ask_user: z.object({
    clause: z.string().min(1).max(1000),
    question: z.string().min(1).max(2000),
    options: z.array(z.string().max(200)).max(20).optional(),
  }),
  cannot_plan: z.object({ clause: z.string().min(1).max(1000), reason: z.string().min(1).max(2000) }),
};

/** The tool result that holds a question's place in a kept conversation until the person answers. */
export const AWAITING_ANSWER = "<awaiting-answer/>";

/**
 * A kept conversation, continued with the person's answer: the question's (or refusal's) tool result
 * becomes the answer, and the request as Charter now checks it (with the answer added) is restated.
 */
export function answeredConversation(conversation: MessageParam[], answer: string, request: string): MessageParam[] {
  const last = conversation.at(-1);
  if (last?.role !== "user" || !Array.isArray(last.content))
    throw new CharterError("PLANNER_CANNOT", "this planning session has no question to answer");
  const content = last.content.map((block) =>
    block.type === "tool_result" && block.content === AWAITING_ANSWER
      ? {
          ...block,
          content:
            `<answer>\n${untagged(answer)}\n</answer>\nThe person answered. The request, with the ` +
            `answer added, is now:\n<request>\n${untagged(request)}\n</request>\nPlan it: every part ` +
            `of it, the answer included, must be covered.`,
        }
      : block,
  );
  return [...conversation.slice(0, -1), { ...last, content }];
}

export async function planWithModel(options: {
  request: string;
  model: PlannerModel;
  tools: PlannerTools;
  budget: Budget;
  parent?: { label: string; source: string; tests: unknown; plan?: unknown } | undefined;
  transcript: unknown[];
  /** The model's messages: empty to start, or a kept conversation with its answer filled in. Kept up to date. */
  conversation: MessageParam[];
  /** Filled in turn by turn, so what is stored with a draft mid-run has the usage so far. */
  usage: PlanUsage;
  onProgress?: (progress: PlannerProgress) => void;
}): Promise<{ usage: PlanUsage }> {
  const started = Date.now();
  const usage = options.usage;
  // A continued session adds to what it spent before; the budget limits this attempt.
  const before = { ...usage };
  const messages = options.conversation;
  if (messages.length === 0) {
    const opening = options.parent
      ? `Revise ${options.parent.label}. ` +
        `Its source:\n<current-source>\n${options.parent.source}\n</current-source>\n` +
        `Its tests:\n<current-tests>\n${JSON.stringify(options.parent.tests)}\n</current-tests>\n` +
        (options.parent.plan
          ? `Its plan:\n<current-plan>\n${JSON.stringify(options.parent.plan)}\n</current-plan>\n`
          : "") +
        `The change requested: ${options.request}\n` +
        "Propose the revised plan; its clauses must cover the change requested."
      : `Request: ${options.request}`;
    messages.push({ role: "user", content: opening });
    options.transcript.push({ role: "user", content: opening });
  } else {
    options.transcript.push({ role: "user", content: messages.at(-1)?.content });
  }
  let reminded = false;
  for (;;) {
    if (usage.turns - before.turns >= options.budget.maxTurns)
      throw budget(`the planner did not submit a passing draft within ${options.budget.maxTurns} turns`, usage);
    if (Date.now() - started > options.budget.maxMs)
      throw budget(`the planner ran out of time (${options.budget.maxMs} ms)`, usage);
    const turn = await options.model.send({ system: SYSTEM_PROMPT, messages, tools: PLANNER_TOOLS });
    usage.turns++;
    usage.inputTokens += turn.usage.inputTokens;
    usage.outputTokens += turn.usage.outputTokens;
    usage.cacheWriteTokens += turn.usage.cacheWriteTokens;
    usage.cacheReadTokens += turn.usage.cacheReadTokens;
    usage.costUsd =
      before.costUsd +
      costUsd(options.model.name, {
        inputTokens: usage.inputTokens - before.inputTokens,
        outputTokens: usage.outputTokens - before.outputTokens,
        cacheWriteTokens: usage.cacheWriteTokens - before.cacheWriteTokens,
        cacheReadTokens: usage.cacheReadTokens - before.cacheReadTokens,
      });
    usage.wallMs = before.wallMs + (Date.now() - started);
    options.onProgress?.({ event: "turn", turn: usage.turns, ...turn.usage });
    options.transcript.push({ role: "assistant", content: turn.content, usage: turn.usage });
    messages.push({ role: "assistant", content: turn.content as ContentBlockParam[] });
    if (tokensUsed(usage) - tokensUsed(before) > options.budget.maxTokens)
      throw budget(`the planner used more than ${options.budget.maxTokens} tokens`, usage);

    const calls = turn.content.filter((block) => block.type === "tool_use");
    if (calls.length === 0) {
      if (reminded) throw budget("the model stopped without submitting a draft", usage);
      reminded = true;
      messages.push({
        role: "user",
        content:
          "Nothing was submitted. Continue with the tools until submit_draft accepts a draft; if a " +
          "part of the request cannot be done, call cannot_plan naming it; if you need an answer " +
          "from the person, call ask_user.",
      });
      continue;
    }
    const results: ToolResultBlockParam[] = [];
    for (const [index, call] of calls.entries()) {
      const { text, isError, submitted, declined } = await runTool(
        options.tools,
        call.name,
        call.input,
        options.onProgress,
      );
      options.transcript.push({
        role: "tool",
        name: call.name,
        input: call.input,
        result: text.slice(0, 20_000),
        isError,
      });
      if (declined) {
        // Kept so an answer continues here: this call's result is the answer; calls after it did not run.
        const skipped = calls.slice(index + 1).map(
          (later): ToolResultBlockParam => ({
            type: "tool_result",
            tool_use_id: later.id,
            is_error: true,
            content: "not run: planning stopped for the person's answer",
          }),
        );
        messages.push({
          role: "user",
          content: [...results, { type: "tool_result", tool_use_id: call.id, content: AWAITING_ANSWER }, ...skipped],
        });
        throw declined;
      }
      results.push({
        type: "tool_result",
        tool_use_id: call.id,
        is_error: isError,
        content: `<tool-output tool="${call.name}">\n${fenced(text)}\n</tool-output>`,
      });
      if (submitted) {
        usage.wallMs = before.wallMs + (Date.now() - started);
        return { usage };
      }
    }
    messages.push({ role: "user", content: results });
  }
}

async function runTool(
  tools: PlannerTools,
  name: string,
  input: unknown,
  onProgress?: (progress: PlannerProgress) => void,
): Promise<{ text: string; isError: boolean; submitted: boolean; declined?: PlannerDeclined }> {
  const schema = Inputs[name as keyof typeof Inputs];
  if (!schema) return failed(`there is no planner tool "${name}"; the tools are ${Object.keys(Inputs).join(", ")}`);
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success)
    return failed(
      `invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const args = parsed.data as Record<string, unknown>;
  try {
    switch (name) {
      case "list_integrations":
        onProgress?.({ event: "tool", name, summary: "listed integrations" });
        return ok(await tools.listIntegrations());
      case "search_tools": {
        const hits = await tools.searchTools(String(args["query"]), args["limit"] as number | undefined);
        onProgress?.({
          event: "tool",
          name,
          summary: `searched "${String(args["query"])}": ${
            hits
              .slice(0, 3)
              .map((h) => h.tool)
              .join(", ") || "nothing"
          }`,
        });
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
      case "sample_trigger": {
        const sample = await tools.sampleTrigger(String(args["integration"]), String(args["uri"]));
        onProgress?.({
          event: "tool",
          name,
          summary: `read what ${sample.uri} passes now (${sample.length} characters)`,
        });
        return ok(sample);
      }
      case "propose_plan": {
        const proposed = await tools.proposePlan(args["plan"]);
        onProgress?.({
          event: "checked",
          ok: proposed.ok,
          summary: proposed.ok
            ? `plan accepted (${proposed.planId}):\n${proposed.description.replace(/^/gm, "      ")}`
            : `plan not accepted: ${proposed.problems.join("; ")}`,
        });
        if (!proposed.ok) return { text: JSON.stringify(proposed), isError: true, submitted: false };
        const testNames = (JSON.parse(proposed.tests) as { tests: { name: string }[] }).tests.map((t) => t.name);
        return ok({
          ok: true,
          plan_id: proposed.planId,
          draft_id: proposed.draftId,
          description: proposed.description,
          checks: proposed.checks,
          source: proposed.source,
          tests: testNames,
          next:
            `submit_draft with plan_id ${proposed.planId} stores this draft; to change it, ` +
            `check_draft with draft_id ${proposed.draftId} and edits (read_draft shows the tests file)`,
        });
      }
      case "read_draft": {
        const draft = tools.draft(String(args["draft_id"]));
        if (!draft)
          return failed(`no draft ${String(args["draft_id"])}; drafts come from propose_plan and check_draft`);
        return ok({ source: draft.source, tests: draft.tests });
      }
      case "ask_user": {
        const declined = new PlannerDeclined(
          "needs-input",
          String(args["clause"]),
          String(args["question"]),
          (args["options"] as string[] | undefined) ?? [],
        );
        onProgress?.({ event: "tool", name, summary: `asks about "${declined.clause}"` });
        return { text: "{}", isError: false, submitted: false, declined };
      }
      case "cannot_plan": {
        const declined = new PlannerDeclined("refused", String(args["clause"]), String(args["reason"]));
        onProgress?.({ event: "tool", name, summary: `cannot plan "${declined.clause}"` });
        return { text: "{}", isError: false, submitted: false, declined };
      }
      case "check_draft": {
        const planId = args["plan_id"] as string | undefined;
        const plan = planId ? tools.acceptedPlan(planId) : undefined;
        if (planId && !plan) return failed(`no accepted plan ${planId}; propose_plan first`);
        const baseId = args["draft_id"] as string | undefined;
        const base = baseId ? tools.draft(baseId) : undefined;
        if (baseId && !base) return failed(`no draft ${baseId}; drafts come from propose_plan and check_draft`);
        const draft = tools.revisedDraft(base, {
          source: args["source"] as string | undefined,
          edits: args["edits"] as { old: string; new: string }[] | undefined,
          tests: args["tests"] as string | undefined,
          planId,
        });
        const draftId = tools.keepDraft(draft);
        const check = await tools.checkDraft(draft.source, draft.tests);
        if (plan) {
          const problems = await tools.planProblems(plan, draft.source, check);
          if (problems.length > 0)
            Object.assign(check, { ok: false, diagnostics: [...check.diagnostics, ...problems] });
        }
        onProgress?.({
          event: "checked",
          ok: check.ok,
          summary: check.ok
            ? `draft ${draftId} passes its checks`
            : check.gates
                .filter((g) => !g.ok)
                .map((g) => `${g.gate}: ${g.detail.split("\n")[0]}`)
                .join("; "),
        });
        return { text: JSON.stringify({ draft_id: draftId, ...check }), isError: !check.ok, submitted: false };
      }
      case "submit_draft": {
        const planId = String(args["plan_id"]);
        const plan = tools.acceptedPlan(planId);
        if (!plan) return failed(`no accepted plan ${planId}; propose_plan first, then submit its plan_id`);
        const draftId = args["draft_id"] as string | undefined;
        const draft = draftId ? tools.draft(draftId) : tools.generated(planId);
        if (!draft) return failed(`no draft ${draftId ?? ""}; drafts come from propose_plan and check_draft`);
        const result = await tools.submit(draft.source, draft.tests, plan);
        onProgress?.({
          event: "checked",
          ok: result.ok,
          summary: result.ok
            ? `submitted ${result.version}`
            : result.check.gates
                .filter((g) => !g.ok)
                .map((g) => `${g.gate}: ${g.detail.split("\n")[0]}`)
                .join("; "),
        });
        return { text: JSON.stringify(result), isError: !result.ok, submitted: result.ok };
      }
    }
  } catch (error) {
    if (error instanceof CharterError && error.code !== "PLANNER_MODEL_ERROR")
      return { text: JSON.stringify({ error: error.message, code: error.code }), isError: true, submitted: false };
    throw error;
  }
  return { text: "{}", isError: true, submitted: false };
}

function ok(value: unknown) {
  return { text: JSON.stringify(value), isError: false, submitted: false };
}

/** A planner tool's refusal, which the model reads and can act on. */
function failed(error: string) {
  return { text: JSON.stringify({ error }), isError: true, submitted: false };
}

export function emptyUsage(model: string): PlanUsage {
  return {
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    costUsd: 0,
    wallMs: 0,
    model,
  };
}

/** The start of a tag Charter fences text with (open or close). */
const FENCE_TAG = /<(\/?)(tool-output|answer|request)/gi;

/**
 * A tool's JSON result, unable to end its fence: `<` of a fence tag is written as the JSON escape
 * \u003c (the same JSON).
 */
function fenced(json: string): string {
  return json.replace(FENCE_TAG, "\\u003c$1$2");
}

/** A person's text inside Charter's tags, unable to open or close one. */
function untagged(text: string): string {
  return text.replace(FENCE_TAG, "‹$1$2");
}

/** Every token the model read or wrote, cached or not: what the token budget limits. */
function tokensUsed(usage: PlanUsage): number {
  return usage.inputTokens + usage.cacheWriteTokens + usage.cacheReadTokens + usage.outputTokens;
}

function budget(message: string, usage: PlanUsage): CharterError {
  return new CharterError(
    "PLANNER_BUDGET",
    `${message} (${usage.turns} turns, ${tokensUsed(usage)} tokens); nothing was submitted. Narrow ` +
      `the request or raise CHARTER_PLANNER_MAX_TURNS / _MAX_TOKENS.`,
  );
}
