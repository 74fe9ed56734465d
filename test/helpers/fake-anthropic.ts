/**
 * A local fake of the Anthropic Messages API (POST /v1/messages), driven by a script, so tests
 * exercise the real @anthropic-ai/sdk: JSON responses, server-sent event streams, and errors with
 * status codes and retry-after. Every request body is recorded; the usage it reports follows the
 * request's prompt-cache breakpoints (prompt-cache.ts) unless the script gives one.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cacheAccounting } from "./prompt-cache.ts";

export type FakeBlock = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };
export type FakeRequest = {
  path?: string;
  authorization?: string;
  anthropic_version?: string;
  model: string;
  system: string | { type: "text"; text: string }[];
  messages: { role: string; content: unknown }[];
  tools: { name: string }[];
  stream?: boolean;
};
export type FakeReply =
  | { content: FakeBlock[]; stop?: string; usage?: { input: number; output: number } }
  | { status: number; error: string; retryAfter?: number };
export type Script = (request: FakeRequest, index: number) => FakeReply;

export class FakeAnthropic {
  readonly requests: FakeRequest[] = [];
  #server: Server | undefined;
  #script: Script;
  url = "";

  constructor(script: Script) {
    this.#script = script;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      void body(req).then((text) => {
        // Anthropic's path, Bedrock's (/model/<id>/invoke) and Vertex's (…/models/<id>:rawPredict, :streamRawPredict).
        const url = req.url ?? "";
        const routed = url.startsWith("/v1/messages")
          ? {}
          : (/^\/model\/([^/]+)\/invoke$/.exec(url) ??
            /\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/.exec(url));
        if (req.method !== "POST" || !routed) {
          res.writeHead(404).end();
          return;
        }
        const model = Array.isArray(routed) ? decodeURIComponent(routed[1] ?? "") : undefined;
        const request = {
          ...(JSON.parse(text) as FakeRequest),
          path: url,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          ...(model ? { model } : {}),
          ...(Array.isArray(routed) && routed[2] === "streamRawPredict" ? { stream: true } : {}),
        };
        this.requests.push(request);
        let reply: FakeReply;
        try {
          reply = this.#script(request, this.requests.length - 1);
        } catch (error) {
          reply = { status: 500, error: `script failed: ${(error as Error).message}` };
        }
        if ("status" in reply) {
          res.writeHead(reply.status, {
            "content-type": "application/json",
            ...(reply.retryAfter !== undefined ? { "retry-after": String(reply.retryAfter) } : {}),
          });
          res.end(
            JSON.stringify({
              type: "error",
              error: { type: reply.status === 429 ? "rate_limit_error" : "api_error", message: reply.error },
            }),
          );
          return;
        }
        // Usage as the API reports it under prompt caching, unless the script says otherwise.
        const tokens = cacheAccounting(this.requests).perRequest.at(-1);
        const message = {
          id: `msg_${this.requests.length}`,
          type: "message",
          role: "assistant",
          model: request.model,
          content: reply.content,
          stop_reason: reply.stop ?? (reply.content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn"),
          stop_sequence: null,
          usage: {
            input_tokens: reply.usage?.input ?? tokens?.input ?? 0,
            output_tokens: reply.usage?.output ?? 200,
            cache_creation_input_tokens: reply.usage ? 0 : (tokens?.cacheWrite ?? 0),
            cache_read_input_tokens: reply.usage ? 0 : (tokens?.cacheRead ?? 0),
          },
        };
        if (!request.stream) {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(message));
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        send("message_start", {
          type: "message_start",
          message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 0 } },
        });
        message.content.forEach((block, index) => {
          if (block.type === "text") {
            send("content_block_start", {
              type: "content_block_start",
              index,
              content_block: { type: "text", text: "" },
            });
            send("content_block_delta", {
              type: "content_block_delta",
              index,
              delta: { type: "text_delta", text: block.text },
            });
          } else {
            send("content_block_start", {
              type: "content_block_start",
              index,
              content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
            });
            const json = JSON.stringify(block.input);
            const middle = Math.floor(json.length / 2);
            send("content_block_delta", {
              type: "content_block_delta",
              index,
              delta: { type: "input_json_delta", partial_json: json.slice(0, middle) },
            });
            send("content_block_delta", {
              type: "content_block_delta",
              index,
              delta: { type: "input_json_delta", partial_json: json.slice(middle) },
            });
          }
          send("content_block_stop", { type: "content_block_stop", index });
        });
        send("message_delta", {
          type: "message_delta",
          delta: { stop_reason: message.stop_reason, stop_sequence: null },
          usage: { output_tokens: message.usage.output_tokens },
        });
        send("message_stop", { type: "message_stop" });
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops at once: open connections (an SDK's keep-alive sockets, a stream left open) are ended, not waited for. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.#server) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => resolve(text));
  });
}

/** The text of the last tool result the planner sent back. */
export function lastToolResult(request: FakeRequest): string {
  const last = request.messages.at(-1);
  if (!last || !Array.isArray(last.content)) return "";
  return (last.content as { type: string; content?: unknown }[])
    .filter((block) => block.type === "tool_result")
    .map((block) => (typeof block.content === "string" ? block.content : JSON.stringify(block.content)))
    .join("\n");
}
