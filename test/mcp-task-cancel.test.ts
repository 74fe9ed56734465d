/**
 * tasks/cancel on a workflow run that is inside a long tool call: the answer is what is true
 * (still working, "cancel requested": a run stops before its next tool call, never mid-call),
 * and once the call returns the run stops there and the task is cancelled; the second call is
 * never made.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { createApp } from "../src/app.ts";
import { createCharterMcpServer } from "../src/mcp-server/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "slow",
  description: "Looks up slowly, then looks up again.",
  input: { type: "object" },
  output: { type: "object" },
  run: async () => {
    await ops.lookup({ delay_ms: 60000 });
    await ops.lookup({});
    return {};
  },
});`;
const TESTS = JSON.stringify({
  tests: [
    {
      name: "looks up twice",
      input: {},
      mocks: { "ops.lookup": [{ output: { value: "x" } }] },
      expect: { calls: [{ tool: "ops.lookup" }, { tool: "ops.lookup" }], output: {} },
    },
  ],
});

test("cancelling a task whose run is inside a tool call: still working until the call returns, then cancelled before the next", {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-task-cancel-"));
  const countFile = path.join(dir, "count.txt");
  const hold = path.join(dir, "hold");
  await writeFile(countFile, "");
  await writeFile(hold, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile, hold) } } },
  });
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
  try {
    assert.ok((await app.sync("acme")).result.ok);
    await approvedVersion(app, "acme", { source: SOURCE, fileName: "slow.ts", tests: TESTS });
    const olga = await app.identity.ensureUser("olga");
    await app.identity.grant("acme", olga.id, "operator");
    const server = createCharterMcpServer(app, {
      tenantId: "acme",
      actor: { userId: olga.id, handle: "olga" },
      roles: await app.identity.roles("acme", olga.id),
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "cancel-test", version: "1.0.0" });
    await client.connect(clientSide);

    let callStarted: () => void = () => undefined;
    const underway = new Promise<void>((resolve) => {
      callStarted = resolve;
    });
    const stopObserving = app.runs.observe((event) => {
      if (event.event === "call-started") callStarted();
    });
    const created = await client.request(
      { method: "tools/call", params: { name: "slow", arguments: {}, task: { ttl: 60_000 } } },
      // The answer to a task-augmented call is the task.
      (await import("@modelcontextprotocol/sdk/types.js")).CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    assert.equal(created.task.status, "working");
    // The first lookup is under way (held); cancel.
    await underway;
    stopObserving();
    const cancelled = await client.experimental.tasks.cancelTask(taskId);
    assert.equal(cancelled.status, "working", "not cancelled while its call is under way");
    assert.match(cancelled.statusMessage ?? "", /cancel requested: the run stops before its next tool call/);
    await rm(hold);
    const payload = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(payload.isError, true);
    assert.match(JSON.stringify(payload.content), /cancelled before call 2/);
    assert.equal((await client.experimental.tasks.getTask(taskId)).status, "cancelled");
    assert.equal(await readFile(countFile, "utf8"), "lookup\n", "the second lookup was never made");
    await client.close();
  } finally {
    await app.close();
  }
});
