/**
 * Runs a demo MCP server over stdio (default) or Streamable HTTP (`--http`), with a bearer token
 * check: the expected token is read from `--token-file`; over stdio the client's token arrives in
 * the environment variable named by `--token-env`, over HTTP in the Authorization header. Over
 * HTTP the server listens on 127.0.0.1 (port from `--port`, else a free one) and prints
 * `MCP_HTTP_URL=<url>` once ready, which is how Charter finds a server it launched.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  isInitializeRequest,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

/** Resource subscriptions of every connected session, so a state change can notify subscribers. */
export class Subscriptions {
  readonly #byServer = new Map<McpServer, Set<string>>();

  /** Lets `server` accept resources/subscribe and resources/unsubscribe. */
  enable(server: McpServer): void {
    const uris = new Set<string>();
    this.#byServer.set(server, uris);
    server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      uris.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      uris.delete(request.params.uri);
      return {};
    });
    server.server.onclose = () => this.#byServer.delete(server);
  }

  /** Sends notifications/resources/updated to every session subscribed to `uri`. */
  notify(uri: string): void {
    for (const [server, uris] of this.#byServer) {
      if (uris.has(uri)) server.server.sendResourceUpdated({ uri }).catch(() => {});
    }
  }
}

/** `args`: the command line's flags (the process's own by default; a server with flags of its own passes these on). */
export async function serve(createMcpServer: () => McpServer, args: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      http: { type: "boolean", default: false },
      port: { type: "string" },
      "token-file": { type: "string" },
      "token-env": { type: "string" },
    },
  });
  const expected = values["token-file"] ? readFileSync(values["token-file"], "utf8").trim() : undefined;

  if (!values.http) {
    if (expected !== undefined) {
      const given = values["token-env"] ? process.env[values["token-env"]] : undefined;
      if (given !== expected) {
        console.error(
          `authentication failed: ${values["token-env"] ?? "the token variable"} does not hold a valid token`,
        );
        process.exit(3);
      }
    }
    await createMcpServer().connect(new StdioServerTransport());
    return;
  }

  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, message: string) => {
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
    };
    if (!req.url?.startsWith("/mcp")) return reply(404, "not found");
    if (expected !== undefined && req.headers.authorization !== `Bearer ${expected}`)
      return reply(401, "invalid or missing bearer token");
    try {
      const sessionId = req.headers["mcp-session-id"];
      const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
      if (existing) return await existing.handleRequest(req, res);
      // An unknown session (this process restarted, or it expired) is 404, as the MCP spec says: the client starts a new one.
      if (typeof sessionId === "string") return reply(404, "session not found; start a new one with initialize");
      if (req.method !== "POST") return reply(400, "no such session");
      const body = await readJson(req);
      if (!isInitializeRequest(body)) return reply(400, "no such session; send initialize first");
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await createMcpServer().connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      if (!res.headersSent) reply(500, (error as Error).message);
    }
  });
  http.listen(Number(values.port ?? 0), "127.0.0.1", () => {
    const address = http.address();
    if (address && typeof address === "object") console.log(`MCP_HTTP_URL=http://127.0.0.1:${address.port}/mcp`);
  });
  const stop = () => http.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** A tool result carrying both structured content and its JSON text, as the MCP spec recommends. */
export function structured<T extends Record<string, unknown>>(value: T) {
  return { structuredContent: value, content: [{ type: "text" as const, text: JSON.stringify(value) }] };
}

/** A tool error the caller can read. */
export function toolError(message: string) {
  return { isError: true, content: [{ type: "text" as const, text: message }] };
}
