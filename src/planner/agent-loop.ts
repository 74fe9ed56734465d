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
import { CharterError } from "../core/errors.ts";
import { anthropicTool, argumentProblems } from "../core/tool-definition.ts";
import { costUsd, type PlannerModel } from "./model.ts";
import { failed, MODEL_TOOLS, type ModelToolOutcome, ok, type PlannerProgress } from "./model-tools.ts";
import type { PlannerTools } from "./planner-tools.ts";
import { SYSTEM_PROMPT } from "./prompt.ts";

export type { PlannerProgress } from "./model-tools.ts";

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

/** The model's tools as the Messages API takes them: schemas made from their zod inputs. */
export const PLANNER_TOOLS: Tool[] = MODEL_TOOLS.map(anthropicTool);

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

/** Calls the model's tool by name with its arguments, parsed by the tool's schema; a Charter error is its answer. */
async function runTool(
  tools: PlannerTools,
  name: string,
  input: unknown,
  onProgress?: (progress: PlannerProgress) => void,
): Promise<ModelToolOutcome> {
  const tool = MODEL_TOOLS.find((each) => each.name === name);
  if (!tool)
    return failed(`there is no planner tool "${name}"; the tools are ${MODEL_TOOLS.map((t) => t.name).join(", ")}`);
  try {
    const called = await tool.call(input ?? {}, { tools, onProgress });
    switch (called.kind) {
      case "invalid":
        return failed(`invalid input for ${name}: ${argumentProblems(called.issues, "")}`);
      case "structured":
        return ok(called.value);
      case "result":
        return called.result;
    }
  } catch (error) {
    if (error instanceof CharterError && error.code !== "PLANNER_MODEL_ERROR")
      return { text: JSON.stringify({ error: error.message, code: error.code }), isError: true, submitted: false };
    throw error;
  }
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
