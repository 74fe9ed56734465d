/**
 * The planner's model behind one interface: Claude through @anthropic-ai/sdk (JSON or streamed
 * responses), and whatever a test scripts. API failures become one error with a code; the SDK
 * already retries rate limits and server errors with backoff (honouring retry-after).
 * Every request marks three prompt-cache breakpoints (the tool definitions, the system prompt, and
 * the conversation so far), so each turn pays full price only for what the previous turn added.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, ContentBlockParam, MessageParam, TextBlockParam, Tool } from "@anthropic-ai/sdk/resources/messages/messages";
import { CharterError } from "../core/errors.ts";
import type { Secret } from "../config/credentials.ts";

/** Tokens of one turn: input read at full price, written to and read from the prompt cache, and output. */
export type TurnUsage = { inputTokens: number; outputTokens: number; cacheWriteTokens: number; cacheReadTokens: number };
export type ModelTurn = { content: ContentBlock[]; stopReason: string | null; usage: TurnUsage };

export interface PlannerModel {
  readonly name: string;
  send(request: { system: string; messages: MessageParam[]; tools: Tool[] }): Promise<ModelTurn>;
}

/**
 * USD per million tokens (input, output), for the cost shown per planning run; unknown models cost 0.
 * Cache writes cost 1.25 times input, cache reads 0.1 times (Anthropic's 5-minute cache).
 */
const PRICES: Record<string, [number, number]> = {
  "claude-sonnet-5-5": [3, 15],
  "claude-sonnet-5": [3, 15],
  "claude-sonnet-4-5": [3, 15],
  "claude-opus-5-5": [15, 75],
  "claude-opus-4-5": [5, 25],
  "claude-haiku-5-5": [1, 5],
  "claude-haiku-4-5": [1, 5],
};

export function costUsd(model: string, usage: TurnUsage): number {
  const [input, output] = PRICES[model] ?? [0, 0];
  return (usage.inputTokens * input + usage.cacheWriteTokens * input * 1.25 + usage.cacheReadTokens * input * 0.1 + usage.outputTokens * output) / 1_000_000;
}

const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * The request with prompt-cache breakpoints on the last tool definition, the system prompt and the
 * last block of the conversation; the caller's messages are not changed.
 */
export function withCacheBreakpoints(request: { system: string; messages: MessageParam[]; tools: Tool[] }): { system: TextBlockParam[]; messages: MessageParam[]; tools: Tool[] } {
  const tools = request.tools.map((tool, index) => (index === request.tools.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool));
  const messages = request.messages.map((message, index) => {
    if (index !== request.messages.length - 1) return message;
    const blocks: ContentBlockParam[] = typeof message.content === "string" ? [{ type: "text", text: message.content }] : [...message.content];
    const last = blocks.at(-1);
    if (last && last.type !== "thinking" && last.type !== "redacted_thinking") blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL };
    return { ...message, content: blocks } as MessageParam;
  });
  return { system: [{ type: "text", text: request.system, cache_control: EPHEMERAL }], messages, tools };
}

export class ClaudeModel implements PlannerModel {
  readonly name: string;
  readonly #client: Anthropic;
  readonly #stream: boolean;

  constructor(options: { apiKey: Secret; baseUrl?: string | undefined; model: string; stream?: boolean; maxRetries?: number; timeoutMs?: number }) {
    this.name = options.model;
    this.#stream = options.stream ?? false;
    this.#client = new Anthropic({
      apiKey: options.apiKey.reveal(),
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      maxRetries: options.maxRetries ?? 3,
      timeout: options.timeoutMs ?? 120_000,
    });
  }

  async send(request: { system: string; messages: MessageParam[]; tools: Tool[] }): Promise<ModelTurn> {
    const params = { model: this.name, max_tokens: 8192, ...withCacheBreakpoints(request) };
    try {
      const message = this.#stream ? await this.#client.messages.stream(params).finalMessage() : await this.#client.messages.create(params);
      const usage = message.usage;
      return {
        content: message.content,
        stopReason: message.stop_reason,
        usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cacheWriteTokens: usage.cache_creation_input_tokens ?? 0, cacheReadTokens: usage.cache_read_input_tokens ?? 0 },
      };
    } catch (error) {
      if (error instanceof Anthropic.APIError) {
        const what = error.status === 429 ? "rate limited" : error.status && error.status >= 500 ? "failing" : `refusing the request (HTTP ${error.status ?? "?"})`;
        throw new CharterError("PLANNER_MODEL_ERROR", `the model API is ${what} (after retries): ${String(error.message).slice(0, 300)}; try again later, or plan without ANTHROPIC_API_KEY to use the offline planner`);
      }
      throw new CharterError("PLANNER_MODEL_ERROR", `the model API could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
