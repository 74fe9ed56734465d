/**
 * Connections to tool servers are closed when unused for CHARTER_MCP_IDLE_CLOSE_MS (a stdio
 * server's process ends with its connection) and reopened by the next request; a connection that
 * holds a resource subscription, or has a request under way, stays open. The clock is injected.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { type ConnectionSpec, McpClientPool } from "../src/mcp/index.ts";
import { REPO } from "./helpers/tenants.ts";

/** A stdio connection to the counting server, which writes its calls to `countFile` (delays last while `hold` exists). */
function countingSpec(name: string, countFile: string, hold?: string): ConnectionSpec {
  return {
    key: `t/${name}`,
    integration: name,
    timeouts: { connectMs: 20_000, requestMs: 20_000 },
    transport: "stdio",
    command: "node",
    args: [path.join(REPO, "test/fixtures/counting-server.ts"), "--file", countFile, ...(hold ? ["--hold", hold] : [])],
    env: {},
    cwd: REPO,
    secretEnv: {},
  };
}

/** The process of a stdio server's pooled connection (connecting if needed). */
const processOf = (pool: McpClientPool, spec: ConnectionSpec) =>
  pool.request(spec, "asking", (client) =>
    Promise.resolve((client.transport as { pid?: number | null } | undefined)?.pid ?? null),
  );

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("idle connections are closed and reopened on demand; subscribed or busy ones are kept", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-idle-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  let now = 1_000_000;
  const pool = new McpClientPool({ idleCloseMs: 60_000, now: () => now });
  const spec = (name: string) => countingSpec(name, countFile);
  const lookup = (s: ConnectionSpec) =>
    pool.request(s, "looking up", (client, options) =>
      client.callTool({ name: "lookup", arguments: {} }, undefined, options),
    );
  const pid = (s: ConnectionSpec) => processOf(pool, s);
  try {
    const plain = spec("plain");
    const subscribed = spec("subscribed");
    await lookup(plain);
    await pool.request(
      subscribed,
      "subscribing",
      (client, options) => client.callTool({ name: "lookup", arguments: {} }, undefined, options),
      { keepOpen: true },
    );
    const firstPid = await pid(plain);
    assert.ok(firstPid, "a stdio server process");

    now += 59_000;
    assert.equal(await pool.closeIdle(), 0, "not idle long enough");
    now += 2_000;
    assert.equal(await pool.closeIdle(), 1, "the plain connection is closed; the subscribed one is kept");
    // Its process ended with it.
    for (let i = 0; i < 100 && alive(firstPid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(firstPid), false, "the stdio server's process ended");

    // The next request opens a new connection and works.
    await lookup(plain);
    const secondPid = await pid(plain);
    assert.ok(secondPid && secondPid !== firstPid, "a new process");
    assert.equal((await readFile(countFile, "utf8")).split("\n").filter((l) => l === "lookup").length, 3);

    // A connection with a request under way is not closed, however long it has been.
    now += 120_000;
    const busy = pool.request(plain, "waiting", async () => {
      now += 120_000;
      assert.equal(await pool.closeIdle(), 0, "busy: kept");
      return true;
    });
    assert.equal(await busy, true);
  } finally {
    await pool.closeAll();
  }
});

test("at most maxOpen connections (stdio server processes): opening another closes the one unused the longest; busy and subscribed ones are kept", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-bound-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  let now = 1_000_000;
  const pool = new McpClientPool({ maxOpen: 2, now: () => now });
  const spec = (name: string) => countingSpec(name, countFile);
  const lookup = (s: ConnectionSpec, options: { keepOpen?: boolean } = {}) =>
    pool.request(
      s,
      "looking up",
      (client, o) => client.callTool({ name: "lookup", arguments: {} }, undefined, o),
      options,
    );
  const pid = (s: ConnectionSpec) => processOf(pool, s);
  try {
    const [a, b, c, d] = ["a", "b", "c", "d"].map(spec) as [
      ConnectionSpec,
      ConnectionSpec,
      ConnectionSpec,
      ConnectionSpec,
    ];
    await lookup(a);
    const aPid = await pid(a);
    now += 1_000;
    await lookup(b);
    now += 1_000;
    await lookup(c); // the bound is 2: a, unused the longest, is closed first
    assert.equal(pool.size, 2);
    assert.notEqual(await pid(a), aPid, "a was closed and opened again on demand");
    assert.equal(pool.size, 2, "b, now the oldest, made room for a");
    // Busy or subscribed connections are not closed to make room: the pool goes over the bound instead.
    now += 1_000;
    await lookup(d, { keepOpen: true }); // closes c (a was just used), d holds a subscription
    const over = pool.request(a, "busy", async () => {
      now += 1_000;
      await lookup(b); // a is busy and d subscribed: nothing can close, so b opens over the bound
      return pool.size;
    });
    assert.equal(await over, 3, "opened over the bound rather than refused");
    // a is no longer busy: the next one to open closes a and b (unused the longest) and the pool is back at the bound.
    await lookup(c);
    assert.equal(pool.size, 2, "d (subscribed) and c");
  } finally {
    await pool.closeAll();
  }
});

test("renew (a sync asks for it): the next request opens a fresh connection; a call under way finishes on the old one, which closes after it", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-renew-"));
  const countFile = path.join(dir, "count.txt");
  const hold = path.join(dir, "hold");
  await writeFile(countFile, "");
  await writeFile(hold, "");
  const pool = new McpClientPool();
  const spec = countingSpec("renewed", countFile, hold);
  const pid = () => processOf(pool, spec);
  try {
    const firstPid = await pid();
    assert.ok(firstPid);
    const held = pool.request(spec, "looking up slowly", (client, options) =>
      client.callTool({ name: "lookup", arguments: { delay_ms: 60_000 } }, undefined, options),
    );
    await new Promise((resolve) => setImmediate(resolve)); // the call has taken the connection
    await pool.renew(spec.key);
    const secondPid = await pid();
    assert.ok(secondPid && secondPid !== firstPid, "a fresh connection (a new process)");
    assert.equal(alive(firstPid), true, "the old one is kept while its call is under way");
    await rm(hold);
    assert.deepEqual((await held).structuredContent, { value: "looked-up" }, "the call under way finished");
    for (let i = 0; i < 100 && alive(firstPid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(firstPid), false, "the old connection closed after its last call");
    assert.equal(await pid(), secondPid, "the fresh one is the pooled one now");
  } finally {
    await pool.closeAll();
  }
});
