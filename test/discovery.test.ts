import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { Secret } from "../src/config/credentials.ts";
import { IntegrationError } from "../src/core/errors.ts";
import { type ConnectionSpec, discoverCatalog, discoverIntegration, McpClientPool } from "../src/mcp/index.ts";
import { DEMO_SERVERS, freePort, REPO, SCRIPTED_SERVER } from "./helpers/tenants.ts";

const pool = new McpClientPool();
after(() => pool.closeAll());

const timeouts = { connectMs: 10_000, requestMs: 10_000 };
let counter = 0;

function stdio(args: string[], extra: Partial<Extract<ConnectionSpec, { transport: "stdio" }>> = {}): ConnectionSpec {
  const integration = `it${++counter}`;
  return {
    key: `t/${integration}`,
    integration,
    timeouts,
    transport: "stdio",
    command: "node",
    args,
    env: {},
    cwd: REPO,
    secretEnv: {},
    ...extra,
  };
}

function launched(server: string, token?: string, args: string[] = []): ConnectionSpec {
  const integration = `it${++counter}`;
  return {
    key: `t/${integration}`,
    integration,
    timeouts,
    transport: "http",
    url: undefined,
    headers: {},
    secretHeaders: token ? { Authorization: new Secret(`Bearer ${token}`) } : {},
    launch: { command: "node", args: [path.join(DEMO_SERVERS, server), "--http", ...args], env: {}, cwd: REPO },
  };
}

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IntegrationError, `expected an IntegrationError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected discovery to fail");
}

async function toolsFile(tools: unknown[]): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), "charter-tools-")), "tools.json");
  await writeFile(file, JSON.stringify(tools));
  return file;
}

const tokenFile = path.join(REPO, "tenants/demo/secrets/directory.token");

describe("discovery against the demo servers", () => {
  test("stdio: ticketing tools with schemas, annotations, a subscribable resource, a template and a prompt", async () => {
    const secret = new Secret("s3cret-for-test");
    const file = path.join(await mkdtemp(path.join(tmpdir(), "charter-token-")), "token");
    await writeFile(file, "s3cret-for-test\n");
    const catalog = await discoverCatalog(
      pool,
      stdio([path.join(DEMO_SERVERS, "ticketing.ts"), "--token-file", file, "--token-env", "TOKEN"], {
        secretEnv: { TOKEN: secret },
      }),
    );
    assert.equal(catalog.server.name, "demo-ticketing");
    assert.deepEqual(
      catalog.tools.map((tool) => tool.name),
      [
        "add_comment",
        "close_incident",
        "create_change",
        "create_incident",
        "get_incident",
        "list_incidents",
        "update_incident",
      ],
    );
    const create = catalog.tools.find((tool) => tool.name === "create_incident");
    assert.deepEqual((create?.inputSchema["properties"] as Record<string, { enum?: string[] }>)["priority"]?.enum, [
      "P1",
      "P2",
      "P3",
      "P4",
    ]);
    assert.ok(create?.outputSchema, "create_incident has an outputSchema");
    assert.equal(catalog.tools.find((tool) => tool.name === "add_comment")?.outputSchema, undefined);
    assert.equal(catalog.tools.find((tool) => tool.name === "close_incident")?.annotations?.destructiveHint, true);
    assert.equal(catalog.capabilities.resources?.subscribe, true);
    assert.deepEqual(
      catalog.resources.map((resource) => resource.uri),
      ["tickets://incidents/new"],
    );
    assert.deepEqual(
      catalog.resourceTemplates.map((template) => template.uriTemplate),
      ["tickets://incidents/{id}"],
    );
    assert.deepEqual(
      catalog.prompts.map((prompt) => prompt.name),
      ["summarize_incident"],
    );
  });

  test("Streamable HTTP: a launched directory server with a bearer token", async () => {
    const catalog = await discoverCatalog(
      pool,
      launched("directory.ts", (await import("node:fs")).readFileSync(tokenFile, "utf8").trim(), [
        "--token-file",
        tokenFile,
      ]),
    );
    assert.equal(catalog.server.name, "demo-directory");
    assert.ok(catalog.tools.some((tool) => tool.name === "add_user_to_group"));
    assert.equal(catalog.tools.find((tool) => tool.name === "remove_user_from_group")?.outputSchema, undefined);
  });

  test("Streamable HTTP: a wrong token is reported as refused credentials, without the token", async () => {
    const error = await failure(
      discoverCatalog(pool, launched("directory.ts", "wrong-token-value", ["--token-file", tokenFile])),
    );
    assert.equal(error.code, "INTEGRATION_AUTH_REFUSED");
    assert.ok(!error.message.includes("wrong-token-value"));
  });

  test("Streamable HTTP: the chat server", async () => {
    const catalog = await discoverCatalog(pool, launched("chat.ts"));
    assert.ok(catalog.tools.some((tool) => tool.name === "post_message"));
  });

  test("Streamable HTTP: a launched server whose readiness is a line it prints, or its URL answering", async () => {
    for (const ready of [{ line: "^MCP_HTTP_URL=http" }, { poll: true as const }]) {
      const port = await freePort();
      const spec = launched("chat.ts", undefined, ["--port", String(port)]);
      if (spec.transport !== "http" || !spec.launch) throw new Error("a launched spec");
      const catalog = await discoverCatalog(pool, {
        ...spec,
        url: `http://127.0.0.1:${port}/mcp`,
        launch: { ...spec.launch, ready },
      });
      assert.ok(
        catalog.tools.some((tool) => tool.name === "post_message"),
        JSON.stringify(ready),
      );
    }
    // Never ready: the error says what it waited for.
    const spec = launched("chat.ts", undefined, ["--port", String(await freePort())]);
    if (spec.transport !== "http" || !spec.launch) throw new Error("a launched spec");
    const error = await failure(
      discoverCatalog(pool, {
        ...spec,
        url: "http://127.0.0.1:9/mcp",
        timeouts: { connectMs: 3_000, requestMs: 3_000 },
        launch: { ...spec.launch, ready: { line: "never printed" } },
      }),
    );
    assert.match(error.message, /did not print a line matching \/never printed\//);
  });

  test("third-party: @modelcontextprotocol/server-everything from npm", async () => {
    const catalog = await discoverCatalog(
      pool,
      stdio([path.join(REPO, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"]),
    );
    assert.ok(catalog.tools.length >= 5, `tools: ${catalog.tools.map((tool) => tool.name).join(", ")}`);
    assert.ok(catalog.prompts.length > 0);
    assert.ok(catalog.resources.length + catalog.resourceTemplates.length > 0);
  });
});

describe("discovery of servers that misbehave", () => {
  const tool = (name: string, inputSchema: unknown = { type: "object" }) => ({ name, inputSchema });

  test("follows pagination cursors", async () => {
    const file = await toolsFile(["a", "b", "c", "d", "e"].map((name) => tool(name)));
    const catalog = await discoverCatalog(pool, stdio([SCRIPTED_SERVER, "--tools-file", file, "--page-size", "2"]));
    assert.deepEqual(
      catalog.tools.map((t) => t.name),
      ["a", "b", "c", "d", "e"],
    );
  });

  test("a cursor that repeats is a protocol error, not an endless loop", async () => {
    const error = await failure(discoverCatalog(pool, stdio([SCRIPTED_SERVER, "--mode", "bad-cursor"])));
    assert.equal(error.code, "INTEGRATION_PROTOCOL_ERROR");
    assert.match(error.message, /repeated the cursor/);
  });

  test("a server that hangs times out with a clear error", async () => {
    const started = Date.now();
    const error = await failure(
      discoverCatalog(
        pool,
        stdio([SCRIPTED_SERVER, "--mode", "hang"], { timeouts: { connectMs: 1500, requestMs: 1500 } }),
      ),
    );
    assert.equal(error.code, "INTEGRATION_TIMEOUT");
    assert.match(error.message, /^integration "it\d+": did not finish the MCP handshake within 1500 ms/);
    assert.ok(Date.now() - started < 8000);
  });

  test("a server that writes garbage is a protocol error", async () => {
    const error = await failure(discoverCatalog(pool, stdio([SCRIPTED_SERVER, "--mode", "garbage"])));
    assert.equal(error.code, "INTEGRATION_PROTOCOL_ERROR");
    assert.match(error.message, /not JSON-RPC|does not follow the MCP schema/);
  });

  test("a server that exits says so, with its stderr and without its secrets", async () => {
    const error = await failure(
      discoverCatalog(
        pool,
        stdio([SCRIPTED_SERVER, "--mode", "exit"], { secretEnv: { FIXTURE_SECRET: new Secret("hunter2-secret") } }),
      ),
    );
    assert.equal(error.code, "INTEGRATION_START_FAILED");
    assert.match(error.message, /database connection string missing/);
    assert.ok(!error.message.includes("hunter2-secret"), error.message);
    assert.match(error.message, /\[redacted\]/);
  });

  test("a command that does not exist cannot start", async () => {
    const error = await failure(discoverCatalog(pool, stdio([], { command: "/nonexistent/mcp-server" })));
    assert.equal(error.code, "INTEGRATION_START_FAILED");
  });

  test("a URL nobody listens on is unreachable", async () => {
    const { createServer } = await import("node:net");
    const probe = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => probe.once("listening", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const spec: ConnectionSpec = {
      key: "t/down",
      integration: "down",
      timeouts,
      transport: "http",
      url: `http://127.0.0.1:${port}/mcp`,
      headers: {},
      secretHeaders: {},
      launch: undefined,
    };
    const error = await failure(discoverCatalog(pool, spec));
    assert.equal(error.code, "INTEGRATION_UNREACHABLE");
    assert.match(error.message, /ECONNREFUSED|cannot reach/);
  });

  test("a tool with an invalid JSON Schema is skipped and noted; the rest sync", async () => {
    const file = await toolsFile([
      tool("fine"),
      tool("broken", { type: "object", properties: { when: { type: "date-time" } } }),
    ]);
    const { content, notes } = await discoverIntegration(pool, stdio([SCRIPTED_SERVER, "--tools-file", file]));
    assert.deepEqual(
      content.tools.map((t) => t.name),
      ["fine"],
    );
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? "", /^tool "broken" skipped: inputSchema is not a valid JSON Schema/);
  });

  test("a tool that breaks the MCP tool schema, and tools listed twice, are skipped and noted; the rest sync", async () => {
    const file = await toolsFile([{ name: "no-input-schema" }, tool("twice"), tool("twice"), tool("fine")]);
    const { content, notes } = await discoverIntegration(pool, stdio([SCRIPTED_SERVER, "--tools-file", file]));
    assert.deepEqual(
      content.tools.map((t) => t.name),
      ["fine"],
    );
    assert.deepEqual(
      notes.map((note) => note.replace(/\(.*\)$/, "(…)")),
      [
        'tool "no-input-schema" skipped: it does not follow the MCP tool schema (…)',
        'tool "twice" skipped: listed 2 times, so which one is meant is unclear',
      ],
    );
  });

  test("a list method the server declares but does not implement is not offered, noted, and the rest sync", async () => {
    const file = await toolsFile([tool("fine")]);
    const { content, notes } = await discoverIntegration(
      pool,
      stdio([SCRIPTED_SERVER, "--mode", "no-templates", "--tools-file", file]),
    );
    assert.deepEqual(
      content.tools.map((t) => t.name),
      ["fine"],
    );
    assert.deepEqual(
      content.resources.map((r) => r.uri),
      ["scripted://status"],
    );
    assert.deepEqual(content.resourceTemplates, []);
    assert.deepEqual(notes, [
      'resources/templates/list: not offered (the server declares the capability but answers "method not found")',
    ]);
  });

  test("a server that went away is reconnected on the next request", async () => {
    const file = await toolsFile([tool("a")]);
    const spec = stdio([SCRIPTED_SERVER, "--tools-file", file, "--exit-after-lists", "1"]);
    assert.equal((await discoverCatalog(pool, spec)).tools.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await discoverCatalog(pool, spec)).tools.length, 1);
  });
});

describe("a server that restarts", () => {
  /** Starts the demo chat server over HTTP (on `port`, or a free one) and resolves with its URL. */
  const start = (port = 0) =>
    new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(DEMO_SERVERS, "chat.ts"), "--http", "--port", String(port)], {
        cwd: REPO,
        stdio: ["ignore", "pipe", "inherit"],
      });
      child.on("error", reject);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const url = /^MCP_HTTP_URL=(.+)$/.exec(line)?.[1];
        if (url) resolve({ child, url });
      });
    });
  // Killed, as a crash or a restart leaves it (a SIGTERM waits for the client's open connections).
  const stop = (child: ChildProcess) =>
    new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve(undefined)
        : child.once("exit", resolve).kill("SIGKILL"),
    );

  test("the client starts a new session when the server no longer knows its own (404 after a restart), and the call goes through", async () => {
    let server = await start();
    const restartPool = new McpClientPool();
    try {
      const spec: ConnectionSpec = {
        key: "t/restarting",
        integration: "chat",
        timeouts,
        transport: "http",
        url: server.url,
        headers: {},
        secretHeaders: {},
        launch: undefined,
      };
      const list = () =>
        restartPool.request(spec, "calling list_channels", (client, options) =>
          client.callTool({ name: "list_channels", arguments: {} }, undefined, options),
        );
      assert.ok(!(await list()).isError);
      await stop(server.child);
      server = await start(Number(new URL(server.url).port)); // the same address, none of the old sessions
      assert.ok(!(await list()).isError, "answered on a new session, not 'no MCP endpoint'");
    } finally {
      await restartPool.closeAll();
      await stop(server.child);
    }
  });
});

describe("a server built on the SDK's session example", () => {
  // Such servers keep their sessions in a map and answer a session id they do not know with
  // 400 "Bad Request: No valid session ID provided" (not the spec's 404); a restart empties the map.
  test("a 400 that names the session after a restart also starts a new session, and the call goes through", async () => {
    const { createServer } = await import("node:http");
    const { randomUUID } = await import("node:crypto");
    const { McpServer } = await import("@modelcontextprotocol/sdk/server/mcp.js");
    const { StreamableHTTPServerTransport } = await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
    const { isInitializeRequest } = await import("@modelcontextprotocol/sdk/types.js");
    const sessions = new Map<string, InstanceType<typeof StreamableHTTPServerTransport>>();
    let initialized = 0;
    const http = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body: unknown = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      const id = request.headers["mcp-session-id"];
      const known = typeof id === "string" ? sessions.get(id) : undefined;
      if (known) return known.handleRequest(request, response, body);
      if (!isInitializeRequest(body)) {
        response.writeHead(400, { "content-type": "application/json" }).end(
          JSON.stringify({
            jsonrpc: "2.0",
            error: { code: -32000, message: "Bad Request: No valid session ID provided" },
            id: null,
          }),
        );
        return;
      }
      initialized++;
      const transport: InstanceType<typeof StreamableHTTPServerTransport> = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
      });
      const server = new McpServer({ name: "example", version: "1.0.0" });
      server.registerTool("ping", { description: "answers" }, async () => ({
        content: [{ type: "text", text: "pong" }],
      }));
      await server.connect(transport);
      await transport.handleRequest(request, response, body);
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    const examplePool = new McpClientPool();
    try {
      const spec: ConnectionSpec = {
        key: "t/example",
        integration: "example",
        timeouts,
        transport: "http",
        url,
        headers: {},
        secretHeaders: {},
        launch: undefined,
      };
      const ping = () =>
        examplePool.request(spec, "calling ping", (client, options) =>
          client.callTool({ name: "ping", arguments: {} }, undefined, options),
        );
      assert.ok(!(await ping()).isError);
      sessions.clear(); // the restart
      assert.ok(!(await ping()).isError, "answered on a new session");
      assert.equal(initialized, 2);
    } finally {
      await examplePool.closeAll();
      http.closeAllConnections();
      http.close();
    }
  });
});

describe("a server that dies mid-call", () => {
  // The issue saw such a call wait for its timeout; with this SDK (1.32) the broken stream fails it at once. Kept so that stays so.
  test("a call whose response stream breaks off fails at once, its outcome unknown, not at the request timeout", async () => {
    const { createServer } = await import("node:http");
    const { McpServer } = await import("@modelcontextprotocol/sdk/server/mcp.js");
    const { StreamableHTTPServerTransport } = await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
    let entered: () => void = () => {};
    const inCall = new Promise<void>((resolve) => (entered = resolve));
    // Stateless: a server and transport per request; "hang" is a server that dies mid-call.
    const http = createServer(async (request, response) => {
      const server = new McpServer({ name: "dying", version: "1.0.0" }, { capabilities: { logging: {} } });
      // It says it is working (so its response stream is open), then never answers.
      server.registerTool("hang", { description: "never answers" }, async (extra) => {
        await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: "working" } });
        entered();
        return new Promise(() => {});
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      await server.connect(transport);
      await transport.handleRequest(request, response);
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/mcp`;
    const dyingPool = new McpClientPool();
    try {
      // A long request timeout: failing at it would be INTEGRATION_TIMEOUT, which this test refuses.
      const spec: ConnectionSpec = {
        key: "t/dying",
        integration: "dying",
        timeouts: { connectMs: 10_000, requestMs: 120_000 },
        transport: "http",
        url,
        headers: {},
        secretHeaders: {},
        launch: undefined,
      };
      const call = dyingPool.request(spec, "calling hang", (client, options) =>
        client.callTool({ name: "hang", arguments: {} }, undefined, options),
      );
      const failed = failure(call);
      await inCall;
      http.closeAllConnections();
      http.close();
      const error = await failed;
      assert.equal(error.code, "INTEGRATION_UNREACHABLE", error.message);
      // In doubt for a call that is not safe to repeat (tool-executors): the cause is the dropped socket.
      const causes: unknown[] = [];
      for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause)
        causes.push((current as { code?: unknown }).code);
      assert.ok(causes.includes("UND_ERR_SOCKET"), `causes: ${causes.join(", ")}`);
    } finally {
      await dyingPool.closeAll();
      http.closeAllConnections();
    }
  });
});
