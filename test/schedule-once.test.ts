/**
 * A one-off schedule (`{ type: "schedule", at }`) fires exactly once, although two schedulers
 * queue its slot: the job id derives from the slot, so the database keeps one.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

test("a one-off schedule fires once with two schedulers", { timeout: 90_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-once-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) } } },
  });
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
  const dispatchers: Dispatcher[] = [];
  try {
    assert.ok((await app.sync("acme")).result.ok);
    const at = new Date(Math.ceil((Date.now() + 8_000) / 1000) * 1000).toISOString();
    const source = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "once",
  description: "Looks something up once, at a set time.",
  input: { type: "object" },
  output: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
  triggers: [{ type: "schedule", at: "${at}" }],
  run: async () => ({ value: (await ops.lookup({})).value }),
});`;
    const tests = JSON.stringify({
      tests: [
        {
          name: "looks up",
          input: {},
          mocks: { "ops.lookup": [{ output: { value: "v" } }] },
          expect: { output: { value: "v" } },
        },
      ],
    });
    await approvedVersion(app, "acme", { source, fileName: "once.ts", tests });

    // Two schedulers queue the slot (each syncs at start, and again here); one of them also works.
    dispatchers.push(await Dispatcher.start(app, { worker: false, scheduler: true }));
    dispatchers.push(await Dispatcher.start(app, { worker: true, scheduler: true, pollSeconds: 0.5 }));
    for (const dispatcher of dispatchers) await dispatcher.syncSchedules();
    const until = Date.parse(at) + 15_000;
    while ((await app.runRepository.list({ tenantId: "acme", status: "succeeded" })).length < 1) {
      assert.ok(Date.now() < until, "the one-off schedule did not fire");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const fired = await app.runRepository.list({ tenantId: "acme" });
    assert.ok(
      fired[0] && fired[0].startedAt.getTime() >= Date.parse(at) - 1000,
      `started at ${fired[0]?.startedAt.toISOString()}, due ${at}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // time for a duplicate to show up
    for (const dispatcher of dispatchers) await dispatcher.syncSchedules(); // past its time: nothing new is queued
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal((await app.runRepository.list({ tenantId: "acme" })).length, 1, "one run");
    assert.deepEqual((await readFile(countFile, "utf8")).split("\n").filter(Boolean), ["lookup"], "one call");
  } finally {
    for (const dispatcher of dispatchers) await dispatcher.stop();
    await app.close();
  }
});
