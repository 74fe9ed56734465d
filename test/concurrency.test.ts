/**
 * Per-tenant run limits across a worker's concurrency: with `limits.concurrentRuns: 1` in its
 * tenant.json, a tenant's queued runs go one at a time although the worker could take four,
 * while another tenant's run goes beside them.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "slow",
  description: "Looks something up, slowly.",
  input: { type: "object" },
  output: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
  run: async () => ({ value: (await ops.lookup({ delay_ms: 60000 })).value }),
});`;
const TESTS = JSON.stringify({
  tests: [
    {
      name: "looks up",
      input: {},
      mocks: { "ops.lookup": [{ output: { value: "v" } }] },
      expect: { output: { value: "v" } },
    },
  ],
});

test("a tenant's runs respect its concurrency limit; other tenants are not held up", { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-limits-"));
  const hold = path.join(dir, "hold");
  await writeFile(hold, "");
  const ops = (name: string) => countingServer(path.join(dir, `${name}.txt`), hold);
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: ops("acme") }, limits: { concurrentRuns: 1 } } },
    globex: { config: { name: "Globex", integrations: { ops: ops("globex") } } },
  });
  const app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: tenants, CHARTER_WORKER_CONCURRENCY: "4" },
    database: await embeddedTestDatabase(),
  });
  let dispatcher: Dispatcher | undefined;
  try {
    for (const tenant of ["acme", "globex"]) {
      assert.ok((await app.sync(tenant)).result.ok);
      await approvedVersion(app, tenant, { source: SOURCE, fileName: "slow.ts", tests: TESTS });
    }
    dispatcher = await Dispatcher.start(app, { worker: true, scheduler: false, pollSeconds: 0.5 });
    for (let i = 0; i < 3; i++)
      await dispatcher.enqueue({ tenantId: "acme", workflow: "slow", input: {}, trigger: "manual" });
    await dispatcher.enqueue({ tenantId: "globex", workflow: "slow", input: {}, trigger: "manual" });

    const running = async (tenantId: string) => (await app.runRepository.list({ tenantId, status: "running" })).length;
    const until = Date.now() + 30_000;
    while ((await running("globex")) < 1 || (await running("acme")) < 1) {
      assert.ok(Date.now() < until, "the first runs did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Held for three seconds: six polls of the worker, which has room for four runs.
    for (let i = 0; i < 30; i++) {
      assert.equal(await running("acme"), 1, "acme runs one at a time");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await running("globex"), 1, "globex ran beside acme");
    await rm(hold);
    while ((await app.runRepository.list({ tenantId: "acme", status: "succeeded" })).length < 3) {
      assert.ok(Date.now() < until + 60_000, "acme's queued runs did not all finish");
      assert.ok((await running("acme")) <= 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await rm(hold, { force: true });
    await dispatcher?.stop();
    await app.close();
  }
});

test("by default a tenant with no limit of its own can keep a whole free worker busy", {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-limits-"));
  const hold = path.join(dir, "hold");
  await writeFile(hold, "");
  const tenants = await tenantsFolder({
    globex: { config: { name: "Globex", integrations: { ops: countingServer(path.join(dir, "globex.txt"), hold) } } },
  });
  const app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: tenants, CHARTER_WORKER_CONCURRENCY: "4" },
    database: await embeddedTestDatabase(),
  });
  let dispatcher: Dispatcher | undefined;
  try {
    assert.equal(app.env.workers.tenantConcurrency, 4, "as many as one worker takes");
    assert.ok((await app.sync("globex")).result.ok);
    await approvedVersion(app, "globex", { source: SOURCE, fileName: "slow.ts", tests: TESTS });
    dispatcher = await Dispatcher.start(app, { worker: true, scheduler: false, pollSeconds: 0.5 });
    for (let i = 0; i < 4; i++)
      await dispatcher.enqueue({ tenantId: "globex", workflow: "slow", input: {}, trigger: "manual" });
    const until = Date.now() + 30_000;
    while ((await app.runRepository.list({ tenantId: "globex", status: "running" })).length < 4) {
      assert.ok(Date.now() < until, "the tenant's four runs did not all start on the four-slot worker");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await rm(hold, { force: true });
    await dispatcher?.stop();
    await app.close();
  }
});
