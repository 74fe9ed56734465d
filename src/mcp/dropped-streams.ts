/**
 * A request whose response stream breaks off fails at once. The SDK's Streamable HTTP client reads
 * a POST's answer from an SSE stream; when that stream breaks off before the answer (the server was
 * killed mid-call) it reports the break to `onerror` and leaves the request waiting for its timeout
 * (30 s by default, minutes for a long tool). This watches each POST's response stream and, when it
 * ends or breaks without having carried the answer to a request the POST sent, answers that request
 * with a JSON-RPC "connection closed" error marked `streamBrokeOff`, which classifyError reports as
 * unreachable and the run path treats as a call in doubt (it may have taken effect).
 */
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** How long after the stream's end the answer may still be on its way through the SDK's parser. */
const SETTLE_MS = 50;

type Id = string | number;

export type DroppedStreams = {
  /** The fetch to give the transport. */
  fetch: FetchLike;
  /** Call once the client is connected (it has set the transport's onmessage): answers are seen from then on. */
  watch: (transport: Transport) => void;
};

export function droppedStreams(): DroppedStreams {
  /** Requests whose answer is awaited on a watched stream: id → answered yet. */
  const awaited = new Map<Id, boolean>();
  let transport: Transport | undefined;

  const brokeOff = (ids: Id[], how: string) =>
    setTimeout(() => {
      for (const id of ids) {
        const answered = awaited.get(id);
        awaited.delete(id);
        if (answered !== false || !transport?.onmessage) continue;
        const message: JSONRPCMessage = {
          jsonrpc: "2.0",
          id,
          error: {
            code: ErrorCode.ConnectionClosed,
            message: `the server's response stream ${how} before its answer`,
            data: { streamBrokeOff: true },
          },
        };
        transport.onmessage(message);
      }
    }, SETTLE_MS).unref();

  const watched = (body: ReadableStream<Uint8Array>, ids: Id[]): ReadableStream<Uint8Array> => {
    const reader = body.getReader();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (!done) return controller.enqueue(value);
          controller.close();
          brokeOff(ids, "ended");
        } catch (error) {
          controller.error(error);
          brokeOff(ids, `broke off (${describe(error)})`);
        }
      },
      cancel: (reason) => {
        for (const id of ids) awaited.delete(id);
        return reader.cancel(reason);
      },
    });
  };

  return {
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      const ids = init?.method === "POST" ? requestIds(init.body) : [];
      if (
        ids.length === 0 ||
        !response.body ||
        !response.headers.get("content-type")?.toLowerCase().startsWith("text/event-stream")
      )
        return response;
      for (const id of ids) awaited.set(id, false);
      return new Response(watched(response.body, ids), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
    watch: (connected) => {
      transport = connected;
      const deliver = connected.onmessage;
      connected.onmessage = (message, extra) => {
        if (
          "id" in message &&
          ("result" in message || "error" in message) &&
          message.id !== undefined &&
          awaited.has(message.id)
        )
          awaited.set(message.id, true);
        deliver?.(message, extra);
      };
    },
  };
}

/** The ids of the JSON-RPC requests in a POST body (one message or a batch). */
function requestIds(body: unknown): Id[] {
  if (typeof body !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(body);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.flatMap((message) => {
      const { id, method } = (message ?? {}) as { id?: unknown; method?: unknown };
      return typeof method === "string" && (typeof id === "string" || typeof id === "number") ? [id] : [];
    });
  } catch {
    return [];
  }
}

function describe(error: unknown): string {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message : "unknown error";
}
