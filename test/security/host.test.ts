/**
 * What reaches the host process from authors, tenants' servers and callers must not stall or bloat
 * it: each test here fails (hangs, or measures the damage) without its fix.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { redact, Secret } from "../../src/config/credentials.ts";
import { errorText } from "../../src/core/errors.ts";
import { checkAuthoredSchema, checkSchema, schemaValidator } from "../../src/core/json-schema.ts";
import { linearSchemaValidation } from "../../src/mcp/schema-validation.ts";
import { DEFAULT_LIMITS } from "../../src/sandbox/index.ts";
import { rawWorkflow, runRaw } from "./helpers.ts";

describe("no input can stall the event loop", () => {
  test("JSON Schema patterns run in linear time: '^(a+)+$' against 100,000 a's and a '!' (a backtracking engine would never finish)", () => {
    const hostile = `${"a".repeat(100_000)}!`;
    const validate = schemaValidator({ type: "object", properties: { x: { type: "string", pattern: "^(a+)+$" } } });
    assert.deepEqual(validate({ x: hostile }), ['/x must match pattern "^(a+)+$"']);
    assert.deepEqual(validate({ x: "aaaa" }), []);
    // In a key: patternProperties run on the same engine.
    const keyed = schemaValidator({ type: "object", patternProperties: { "^(a|aa)+$": { type: "number" } } });
    assert.deepEqual(keyed({ [hostile]: "x", aaaa: 1 }), []);
    assert.deepEqual(keyed({ aaaa: "x" }), ["/aaaa must be number"]);
  });

  test("each pattern is its own: two patterns in one schema do not share a compiled expression", () => {
    const validate = schemaValidator({
      type: "object",
      properties: { a: { type: "string", pattern: "^[0-9]+$" }, b: { type: "string", pattern: "^[a-z]+$" } },
    });
    assert.deepEqual(validate({ a: "123", b: "abc" }), []);
    assert.deepEqual(validate({ a: "abc", b: "abc" }), ['/a must match pattern "^[0-9]+$"']);
    assert.deepEqual(validate({ a: "123", b: "123" }), ['/b must match pattern "^[a-z]+$"']);
  });

  test("an author's pattern that needs backtracking (lookaround, backreferences) is refused with the reason; a tool's is left to its server", () => {
    assert.match(
      checkAuthoredSchema({ type: "object", properties: { x: { type: "string", pattern: "^(?=a)\\\\w+$" } } }) ?? "",
      /cannot run on Charter's linear-time regular expressions \(no lookaround or backreferences\)/,
    );
    assert.equal(
      checkAuthoredSchema({ type: "object", properties: { x: { type: "string", pattern: "^INC[0-9]{4}$" } } }),
      undefined,
    );
    const tool = { type: "object", properties: { x: { type: "string", pattern: "^(?!admin)\\\\w+$" } } };
    assert.equal(checkSchema(tool), undefined, "a tool's schema stays usable");
    assert.deepEqual(schemaValidator(tool)({ x: "admin" }), [], "its lookahead is not run by Charter");
  });

  test("a tenant's server cannot stall Charter with an outputSchema pattern and an output made for it: the MCP client checks with Charter's validators", async () => {
    const server = new Server({ name: "hostile", version: "1" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        {
          name: "t",
          inputSchema: { type: "object" },
          outputSchema: { type: "object", properties: { x: { type: "string", pattern: "^(a+)+$" } } },
        },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, async () => ({
      content: [],
      structuredContent: { x: `${"a".repeat(100_000)}!` },
    }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "charter", version: "1" }, { jsonSchemaValidator: linearSchemaValidation });
    await client.connect(clientSide);
    await client.listTools();
    await assert.rejects(client.callTool({ name: "t", arguments: {} }), /must match pattern/);
    await client.close();
  });
});

describe("host memory is bounded per run", () => {
  test("900 log lines of 1 MB each: the host keeps each cut to the line limit, and its memory grows by megabytes, not the gigabyte logged", async () => {
    const before = process.memoryUsage().rss;
    const ran = await runRaw(
      rawWorkflow(
        `const big = "x".repeat(1000000); for (let i = 0; i < 900; i++) ctx.log.info(big + i, { blob: big }); return {};`,
      ),
      { limits: { cpuMs: 20_000, wallMs: 120_000 } },
    );
    const grown = process.memoryUsage().rss - before;
    assert.equal(ran.outcome.ok, true, JSON.stringify(ran.outcome).slice(0, 300));
    assert.equal(ran.outcome.logs.length, 900);
    for (const line of ran.outcome.logs)
      assert.ok(
        line.message.length <= DEFAULT_LIMITS.logBytes + 64 + 100,
        `a kept line of ${line.message.length} characters`,
      );
    assert.match(ran.outcome.logs[0]?.message ?? "", /\[cut at 8192 bytes\] \[data of 10000\d\d bytes left out/);
    assert.ok(grown < 256 * 1024 * 1024, `the host's memory grew by ${Math.round(grown / 1024 / 1024)} MiB`);
  });

  test("arguments over the limit are refused inside the isolate, and a run's calls exchange at most a fixed budget of bytes", async () => {
    const over = await runRaw(rawWorkflow(`return await call("echo", { text: "y".repeat(300000) });`));
    assert.deepEqual(over.calls, [], "the oversized call never reached the host's executor");
    assert.match(JSON.stringify(over.outcome), /the arguments are over 262144 bytes/);
    const chatty = await runRaw(
      rawWorkflow(
        `let last; for (let i = 0; i < 40; i++) last = await call("echo", { text: "z".repeat(90) }); return last;`,
      ),
      { limits: { exchangedBytes: 2000 } },
    );
    assert.match(JSON.stringify(chatty.outcome), /the run's tool calls exchanged more than 2000 bytes/);
    assert.ok(chatty.calls.length < 40);
  });
});

describe("a credential a server echoes is redacted in the encodings servers use", () => {
  const token = "leakySecretToken-ABCdef-123456";
  const secret = [new Secret(token)];
  const bytes = Buffer.from(token);
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const echoes: Record<string, string> = {
    "base64 of 'Bearer <token>'": b64(`Bearer ${token}`),
    "base64 shifted by one byte": b64(`a${token}b`),
    "base64 shifted by two bytes": b64(`ab${token}`),
    "URL-safe base64 inside a longer value": Buffer.from(`Basic user:${token}`).toString("base64url"),
    "upper case": token.toUpperCase(),
    "characters spaced out": [...token].join(" "),
    "hex with colons": [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":"),
    "upper-case hex": bytes.toString("hex").toUpperCase(),
    "\\u escapes as text": [...token].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    "HTML entities, decimal": [...token].map((c) => `&#${c.charCodeAt(0)};`).join(""),
    "HTML entities, hex": [...token].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join(""),
    "every byte %-encoded": [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
    "\\u escapes inside JSON text (backslashes doubled)": [...token]
      .map((c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join(""),
    "\\x escapes": [...bytes].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join(""),
    "\\u{…} escapes": [...token].map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`).join(""),
    "\\u escapes inside JSON inside JSON (four backslashes)": [...token]
      .map((c) => `\\\\\\\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join(""),
    "tabs written as JSON escapes between characters": [...token].join("\\t"),
    "three spaces between characters": [...token].join("   "),
    "slashes between characters": [...token].join("/"),
    "zero-width spaces between characters": [...token].join("\u200b"),
    "0x literals": [...bytes].map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(", "),
    "double %-encoding": [...bytes].map((b) => `%25${b.toString(16).padStart(2, "0")}`).join(""),
  };
  for (const [name, echoed] of Object.entries(echoes)) {
    test(name, () => {
      const out = redact(`the server said: ${echoed} (done)`, secret);
      // Only the bytes around the secret inside a longer encoded value (at most "Basic user:") are left.
      const [before = "", after = ""] = out.replace("the server said: ", "").replace(" (done)", "").split("[redacted]");
      assert.ok(out.includes("[redacted]") && before.length <= 16 && after.length <= 3, out);
    });
  }
  test("the token inside an HTTP header's value ('Bearer <token>') is redacted on its own too", () => {
    const header = [new Secret(`Bearer ${token}`, [token])];
    assert.equal(redact(`the server said: ${token}`, header), "the server said: [redacted]");
    assert.equal(redact(`the server said: Bearer ${token}`, header), "the server said: [redacted]");
  });

  test("text that merely resembles it is left alone, and a hostile text cannot make the pattern slow", () => {
    const innocent = "leaky secret tokens are fine to mention; so is ABC and 123";
    assert.equal(redact(innocent, secret), innocent);
    // About 1.7 MB of almost-matches: a pattern that backtracked exponentially would never finish.
    const nearMisses = `${[...token.slice(0, -1)].join("::")}:: `.repeat(20_000);
    assert.equal(redact(nearMisses, secret), nearMisses);
    const backslashes = "\\".repeat(1_000_000);
    assert.equal(redact(backslashes, secret), backslashes, "a megabyte of backslashes is read in linear time");
  });
});

test("a failed query's parameters (request and run data) never reach a log line or an event; its reason does", () => {
  const failed = new Error(
    'Failed query: update "runs" set "output" = $1 where "runs"."id" = $2\nparams: {"a":"private run data"},0c1d',
    { cause: new Error("unsupported Unicode escape sequence") },
  );
  const text = errorText(failed);
  assert.doesNotMatch(text, /private run data|params/);
  assert.match(text, /^Failed query: update "runs" .*: unsupported Unicode escape sequence$/);
  assert.equal(errorText(new Error("plain")), "plain");
});
