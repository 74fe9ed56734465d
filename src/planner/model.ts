/**
 * The planner's model behind one interface: Claude through @anthropic-ai/sdk (JSON or streamed
 * responses), and whatever a test scripts. API failures become one error with a code; the SDK
 * already retries rate limits and server errors with backoff (honouring retry-after).
 * Every request marks prompt-cache breakpoints on the tool definitions, the system prompt and the
 * conversation so far, so each turn pays full price only for what the previous turn added.
 */
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import type { Env } from "../config/env.ts";
import type {
  ContentBlock,
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { CharterError } from "../core/errors.ts";
import { redact, type Secret } from "../config/credentials.ts";

/** Tokens of one turn: input read at full price, written to and read from the prompt cache, and output. */
export type TurnUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
};
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
  // A Bedrock or Vertex id wraps the model's name ("anthropic.claude-sonnet-4-5-20250929-v1:0").
  const priced =
    PRICES[model] ??
    Object.entries(PRICES)
      .sort(([a], [b]) => b.length - a.length)
      .find(([name]) => model.includes(name))?.[1];
  const [input, output] = priced ?? [0, 0];
  return (
    (usage.inputTokens * input +
      usage.cacheWriteTokens * input * 1.25 +
      usage.cacheReadTokens * input * 0.1 +
      usage.outputTokens * output) /
    1_000_000
  );
}

const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * The request with prompt-cache breakpoints on the last tool definition, the system prompt, the
 * last block of the conversation and of the user message before it; the caller's messages are not changed.
 */
export function withCacheBreakpoints(request: { system: string; messages: MessageParam[]; tools: Tool[] }): {
  system: TextBlockParam[];
  messages: MessageParam[];
  tools: Tool[];
} {
  const tools = request.tools.map((tool, index) =>
    index === request.tools.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool,
  );
  // The last message, and the user message before it: a turn that adds many blocks still finds the
  // previous turn's cache entry within the API's lookback. Four breakpoints in all, the API's limit.
  const marked = new Set([
    request.messages.length - 1,
    request.messages.findLastIndex((m, i) => m.role === "user" && i < request.messages.length - 1),
  ]);
  const messages = request.messages.map((message, index) => {
    if (!marked.has(index)) return message;
    const blocks: ContentBlockParam[] =
      typeof message.content === "string" ? [{ type: "text", text: message.content }] : [...message.content];
    const last = blocks.at(-1);
    if (last && last.type !== "thinking" && last.type !== "redacted_thinking")
      blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL };
    return { ...message, content: blocks } as MessageParam;
  });
  return { system: [{ type: "text", text: request.system, cache_control: EPHEMERAL }], messages, tools };
}

/** The part of an Anthropic client the planner uses: Anthropic's own, or the Bedrock or Vertex one. */
type MessagesClient = { messages: Pick<Anthropic["messages"], "create" | "stream"> };

export class ClaudeModel implements PlannerModel {
  readonly name: string;
  readonly #client: MessagesClient;
  readonly #stream: boolean;
  readonly #where: string;
  /** The provider's credentials: never in an error message, whatever the provider's own text says. */
  readonly #secrets: Secret[];

  constructor(
    options: { model: string; stream?: boolean; maxRetries?: number; timeoutMs?: number } & (
      | { apiKey: Secret; baseUrl?: string | undefined }
      | { client: MessagesClient; where: string; secrets: Secret[] }
    ),
  ) {
    this.name = options.model;
    this.#stream = options.stream ?? false;
    if ("client" in options) {
      this.#client = options.client;
      this.#where = options.where;
      this.#secrets = options.secrets;
    } else {
      this.#secrets = [options.apiKey];
      this.#client = new Anthropic({
        apiKey: options.apiKey.reveal(),
        ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
        maxRetries: options.maxRetries ?? 3,
        timeout: options.timeoutMs ?? 120_000,
      });
      this.#where = "the Anthropic API";
    }
  }

  async send(request: { system: string; messages: MessageParam[]; tools: Tool[] }): Promise<ModelTurn> {
    const params = { model: this.name, max_tokens: 8192, ...withCacheBreakpoints(request) };
    try {
      const message = this.#stream
        ? await this.#client.messages.stream(params).finalMessage()
        : await this.#client.messages.create(params);
      const usage = message.usage;
      return {
        content: message.content,
        stopReason: message.stop_reason,
        usage: {
          inputTokens: usage.input_tokens,
          outputTokens: usage.output_tokens,
          cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
          cacheReadTokens: usage.cache_read_input_tokens ?? 0,
        },
      };
    } catch (error) {
      throw new CharterError("PLANNER_MODEL_ERROR", redact(this.#failure(error), this.#secrets));
    }
  }

  /** What went wrong with the provider, in a sentence that says what to do. */
  #failure(error: unknown): string {
    const offline =
      "or plan without a model (no ANTHROPIC_API_KEY, no CHARTER_PLANNER_PROVIDER) to use the offline planner";
    if (error instanceof Anthropic.APIConnectionError) {
      const cause = error.cause instanceof Error ? `: ${error.cause.message.slice(0, 200)}` : "";
      return (
        `${this.#where} could not be reached (after ` +
        `retries): ${error.message.slice(0, 200)}${cause}; check the network and the provider's ` +
        `credentials, ${offline}`
      );
    }
    if (error instanceof Anthropic.APIError) {
      const what =
        error.status === 429
          ? "rate limited"
          : error.status && error.status >= 500
            ? "failing"
            : `refusing the request (HTTP ${error.status ?? "?"})`;
      return (
        `${this.#where} is ${what} (after retries): ${String(error.message).slice(0, 300)}; try ` +
        `again later, ${offline}`
      );
    }
    return (
      `${this.#where} could not be ` +
      `reached: ${(error instanceof Error ? error.message : String(error)).slice(0, 300)}`
    );
  }
}

/** Google's auth client for Vertex: Application Default Credentials unless one is given. */
export type VertexAuthClient = NonNullable<NonNullable<ConstructorParameters<typeof AnthropicVertex>[0]>["authClient"]>;

/**
 * The planner's model as configured: Anthropic's API with ANTHROPIC_API_KEY, Amazon Bedrock (AWS
 * credentials from the environment or the AWS credential chain) or Google Vertex AI (Application
 * Default Credentials, or the given auth client); undefined means the offline planner.
 */
export function configuredModel(
  planner: Env["planner"],
  options: { vertexAuthClient?: VertexAuthClient; maxRetries?: number } = {},
): PlannerModel | undefined {
  const common = {
    model: planner.model,
    stream: planner.stream,
    maxRetries: options.maxRetries ?? 3,
    timeout: 120_000,
  };
  switch (planner.provider) {
    case "anthropic":
      return planner.apiKey
        ? new ClaudeModel({
            apiKey: planner.apiKey,
            baseUrl: planner.baseUrl,
            model: planner.model,
            stream: planner.stream,
            ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
          })
        : undefined;
    case "bedrock": {
      const { region, accessKeyId, secretAccessKey, sessionToken, baseUrl } = planner.bedrock;
      const base = {
        ...(region ? { awsRegion: region } : {}),
        ...(baseUrl ? { baseURL: baseUrl } : {}),
        maxRetries: common.maxRetries,
        timeout: common.timeout,
      };
      // Static keys when both are given, else the AWS credential chain (profiles, SSO, instance roles).
      const client =
        accessKeyId && secretAccessKey
          ? new AnthropicBedrock({
              ...base,
              awsAccessKey: accessKeyId.reveal(),
              awsSecretKey: secretAccessKey.reveal(),
              awsSessionToken: sessionToken?.reveal() ?? null,
            })
          : new AnthropicBedrock(base);
      return new ClaudeModel({
        model: common.model,
        stream: common.stream,
        client: client as unknown as MessagesClient,
        where: `Amazon Bedrock (${region ?? "?"})`,
        secrets: [accessKeyId, secretAccessKey, sessionToken].filter((x): x is Secret => x !== undefined),
      });
    }
    case "vertex": {
      const { region, projectId, baseUrl } = planner.vertex;
      const client = new AnthropicVertex({
        ...(region ? { region } : {}),
        ...(projectId ? { projectId } : {}),
        ...(baseUrl ? { baseURL: baseUrl } : {}),
        ...(options.vertexAuthClient ? { authClient: options.vertexAuthClient } : {}),
        maxRetries: common.maxRetries,
        timeout: common.timeout,
      });
      return new ClaudeModel({
        model: common.model,
        stream: common.stream,
        client: client as unknown as MessagesClient,
        where: `Google Vertex AI (${region ?? "?"}, project ${projectId ?? "?"})`,
        secrets: [],
      });
    }
  }
}
