/**
 * The planner's model behind one interface: Claude through @anthropic-ai/sdk (JSON or streamed
 * responses), and whatever a test scripts. API failures become one error with a code; the SDK
 * already retries rate limits and server errors with backoff (honouring retry-after).
 */
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages/messages";
import { CharterError } from "../core/errors.ts";
import type { Secret } from "../config/credentials.ts";

export type ModelTurn = { content: ContentBlock[]; stopReason: string | null; usage: { inputTokens: number; outputTokens: number } };

export interface PlannerModel {
  readonly name: string;
  send(request: { system: string; messages: MessageParam[]; tools: Tool[] }): Promise<ModelTurn>;
}

/** USD per million tokens (input, output), for the cost shown per planning run; unknown models cost 0. */
const PRICES: Record<string, [number, number]> = {
  "claude-sonnet-5-5": [3, 15],
  "claude-sonnet-5": [3, 15],
  "claude-sonnet-4-5": [3, 15],
  "claude-opus-5-5": [15, 75],
  "claude-opus-4-5": [5, 25],
  "claude-haiku-5-5": [1, 5],
  "claude-haiku-4-5": [1, 5],
};

export function costUsd(model: string, usage: { inputTokens: number; outputTokens: number }): number {
  const [input, output] = PRICES[model] ?? [0, 0];
  return (usage.inputTokens * input + usage.outputTokens * output) / 1_000_000;
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
    const params = { model: this.name, max_tokens: 8192, system: request.system, messages: request.messages, tools: request.tools };
    try {
      const message = this.#stream ? await this.#client.messages.stream(params).finalMessage() : await this.#client.messages.create(params);
      return { content: message.content, stopReason: message.stop_reason, usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens } };
    } catch (error) {
      if (error instanceof Anthropic.APIError) {
        const what = error.status === 429 ? "rate limited" : error.status && error.status >= 500 ? "failing" : `refusing the request (HTTP ${error.status ?? "?"})`;
        throw new CharterError("PLANNER_MODEL_ERROR", `the model API is ${what} (after retries): ${String(error.message).slice(0, 300)}; try again later, or plan without ANTHROPIC_API_KEY to use the offline planner`);
      }
      throw new CharterError("PLANNER_MODEL_ERROR", `the model API could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
