/**
 * `charter mcp --tenant <t>`: Charter as an MCP server over stdio, for local clients (Claude
 * Desktop, Claude Code). Same tools, resources and rules as /mcp; the caller is CHARTER_API_KEY's
 * user, or `--as <user>`. stdout carries only MCP messages; anything else goes to stderr.
 *
 * The embedded database is one process's at a time. The process that holds it (`charter serve`,
 * or the first `charter mcp`) publishes its MCP endpoint on 127.0.0.1 beside the lock, and a
 * later `charter mcp` on the same data folder relays stdio to that endpoint with its API key,
 * instead of failing on the lock: Claude Desktop and Claude Code can run beside `charter serve`,
 * and beside each other.
 */
import { serve } from "@hono/node-server";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import { Hono } from "hono";
import { type App, createApp } from "../app.ts";
import { parseEnv } from "../config/env.ts";
import type { Secret } from "../config/credentials.ts";
import { CharterError, StoreError } from "../core/errors.ts";
import { createCharterMcpServer, mcpEndpoint } from "../mcp-server/index.ts";
import { randomBytes, timingSafeEqual } from "node:crypto";
import {
  isAlive,
  PROOF_PATH,
  type PublishedEndpoint,
  proofOf,
  publishedEndpoint,
  publishEndpoint,
} from "../store/index.ts";
import { identify } from "./common.ts";
import { keepServing } from "./keep-serving.ts";

type McpOptions = { tenant: string | undefined; as: string | undefined };

const say = (line: string) => process.stderr.write(`charter: ${line}\n`);

export async function mcpCommand(options: McpOptions): Promise<number> {
  const env = parseEnv(process.env, process.cwd());
  let app: App;
  try {
    app = await createApp();
  } catch (error) {
    if (!(error instanceof StoreError) || error.code !== "DATA_DIR_LOCKED") throw error;
    const endpoint = publishedEndpoint(env.dataDir);
    if (!endpoint)
      throw new StoreError(
        "DATA_DIR_LOCKED",
        `${error.message} That process publishes no MCP endpoint (an older Charter, or not started ` +
          `yet): stop it, or run 'charter serve' and start 'charter mcp' again to connect through it.`,
      );
    return relay(endpoint, env.apiKey, options);
  }
  try {
    return await serveStdio(app, options);
  } finally {
    await app.close();
  }
}

async function serveStdio(app: App, options: McpOptions): Promise<number> {
  const { actor, tenantId } = await identify(app, options);
  const roles = await app.identity.roles(tenantId, actor.userId);
  const server = createCharterMcpServer(app, { tenantId, actor, roles });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  // stdout is the protocol: events go to stderr.
  const stopKeeping = keepServing((line) => process.stderr.write(`${JSON.stringify(line)}\n`));
  const shared = app.database.kind === "embedded" ? await shareDataFolder(app) : undefined;
  await server.connect(transport);
  say(`MCP on stdio for tenant ${tenantId} as ${actor.handle} (${[...roles].join(", ") || "no roles"})`);
  await closed;
  await server.close().catch(() => undefined);
  await shared?.();
  stopKeeping();
  return 0;
}

/**
 * Serves /mcp on 127.0.0.1 (an ephemeral port; API keys, host checks and sessions as under `charter
 * serve`) and publishes it beside the data folder's lock, for other `charter mcp` processes.
 */
async function shareDataFolder(app: App): Promise<() => Promise<void>> {
  const http = new Hono();
  http.all("/mcp", mcpEndpoint(app));
  let answer: (request: Request) => Response | undefined = () => undefined;
  const fetch = (request: Request) => answer(request) ?? http.fetch(request);
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server, port: info.port }));
  });
  const published = publishEndpoint(
    app.env.dataDir,
    `http://127.0.0.1:${port}/mcp`,
    `charter mcp (pid ${process.pid})`,
  );
  answer = published.answer;
  const withdraw = published.withdraw;
  return async () => {
    withdraw();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  };
}

/**
 * Relays MCP between stdio and the endpoint of the process holding the data folder, message by
 * message: the client's session is a session there, as the key's user. Ends when stdin ends, or
 * when that process stops (the client sees this server close and may start it again).
 */
async function relay(endpoint: PublishedEndpoint, key: Secret | undefined, options: McpOptions): Promise<number> {
  if (!key)
    throw new CharterError(
      "UNKNOWN_USER",
      `the data folder is held by ${endpoint.by}; to connect through it, set CHARTER_API_KEY (a ` +
        `key from 'charter keys create'): --as works only for the process that opens the data folder`,
    );
  if (options.as) say("--as is ignored: the session is CHARTER_API_KEY's user");
  await proveHolder(endpoint);
  const upstream = new StreamableHTTPClientTransport(new URL(endpoint.url), {
    requestInit: { headers: { authorization: `Bearer ${key.reveal()}` } },
  });
  const local = new StdioServerTransport();
  const initializing = new Set<string | number>();
  let ended: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    ended = resolve;
  });
  const stopped = () => {
    say(`${endpoint.by} stopped; start this server again (it opens the data folder itself now)`);
    ended(1);
  };
  const failed = (message: JSONRPCMessage, error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    if (!isAlive(endpoint.pid)) return stopped();
    if (isJSONRPCRequest(message))
      void local.send({
        jsonrpc: "2.0",
        id: message.id,
        error: { code: -32603, message: `Charter at ${endpoint.url} did not answer: ${why}` },
      });
  };
  local.onmessage = (message) => {
    if (isInitializeRequest(message) && isJSONRPCRequest(message)) initializing.add(message.id);
    upstream.send(message).catch((error: unknown) => failed(message, error));
  };
  upstream.onmessage = (message) => {
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const result = message.result as { protocolVersion?: unknown; instructions?: unknown };
      if (typeof result.protocolVersion === "string") upstream.setProtocolVersion(result.protocolVersion);
      // As when the folder is opened directly: --tenant must be the key's tenant.
      const tenant = /Charter tenant "([^"]+)"/.exec(String(result.instructions ?? ""))?.[1];
      if (options.tenant && tenant !== options.tenant) {
        const refusal = `the API key belongs to tenant ${tenant ?? "(unknown)"}, not ${options.tenant}`;
        say(refusal);
        void local
          .send({ jsonrpc: "2.0", id: message.id, error: { code: -32000, message: refusal } })
          .finally(() => ended(1));
        return;
      }
    }
    void local.send(message);
  };
  upstream.onerror = (error) => (isAlive(endpoint.pid) ? say(`relay: ${error.message}`) : stopped());
  // The holder may stop between messages: watch it, so that the client learns at once.
  const watch = setInterval(() => isAlive(endpoint.pid) || stopped(), 1000);
  local.onclose = () => ended(0);
  process.stdin.once("end", () => ended(0));
  await upstream.start();
  await local.start();
  say(`MCP on stdio, relayed to ${endpoint.by} at ${endpoint.url}, which holds the data folder`);
  const code = await done;
  clearInterval(watch);
  await upstream.terminateSession().catch(() => undefined);
  await upstream.close().catch(() => undefined);
  await local.close().catch(() => undefined);
  return code;
}

/**
 * Before the API key goes to the published port: the process there must answer a fresh challenge
 * with the secret in the endpoint file (mode 0600). A holder that died and left its file behind,
 * its port now taken by any other local process, cannot, and gets nothing.
 */
async function proveHolder(endpoint: PublishedEndpoint): Promise<void> {
  const challenge = randomBytes(32).toString("hex");
  const url = new URL(PROOF_PATH, endpoint.url);
  url.searchParams.set("challenge", challenge);
  const answered = await fetch(url, { signal: AbortSignal.timeout(5000) })
    .then((response) => (response.ok ? response.text() : ""))
    .catch(() => "");
  const expected = proofOf(endpoint.proof, challenge);
  if (answered.length !== expected.length || !timingSafeEqual(Buffer.from(answered), Buffer.from(expected)))
    throw new StoreError(
      "DATA_DIR_LOCKED",
      `the data folder is locked, and the process at ${endpoint.url} cannot prove it is the ` +
        `Charter holding it; nothing was sent there. Stop stale Charter processes, or remove the lock ` +
        `and mcp-endpoint.json in the data folder if none runs.`,
    );
}
