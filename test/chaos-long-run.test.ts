/**
 * A run longer than its job's old expiry (finding 1b of the run-path issue): the job used to expire
 * at max(60 s, 2 × lease) and be retried while its run lived (the retry was refused as "still held",
 * the job completed, and had the worker died then, the run would have been left with no job). Now a
 * live run's job sends pg-boss heartbeats every lease and expires only after an hour. Here a run
 * lasts 65 s, past the old expiry and 6.5 heartbeat windows (lease 10 s, pg-boss checks every
 * 2.5 s): its job is never failed back or retried, and the run ends on its first attempt.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { sql } from "drizzle-orm";
import { createApp } from "../src/app.ts";
import { Dispatcher, type DispatcherEvent } from "../src/triggers/index.ts";
import { testDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const SLOW = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "slow",
  description: "Marks slowly, twice.",
  input: { type: "object" },
  output: { type: "object", properties: { done: { type: "boolean" } }, required: ["done"] },
  run: async () => {
    await ops.mark({ text: "slow", delay_ms: 35000 });
    await ops.mark({ text: "slower", delay_ms: 30000 });
    return { done: true };
  },
});`;
const TESTS = JSON.stringify({
  tests: [
    {
      name: "marks",
      input: {},
      mocks: { "ops.mark": [{ output: { written: "slow" } }, { output: { written: "slower" } }] },
      expect: { output: { done: true } },
    },
  ],
});

test("a run longer than the old job expiry (65 s) keeps its job: not failed back, not retried, finished on its first attempt", {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-long-run-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: {
      config: {
        name: "Acme",
        integrations: { ops: { ...countingServer(countFile), timeouts: { requestMs: 60_000 } } },
      },
    },
  });
  const app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: tenants, CHARTER_RUN_LEASE_MS: "10000" },
    database: await testDatabase("server"),
  });
  const events: DispatcherEvent[] = [];
  let worker: Dispatcher | undefined;
  try {
    assert.ok((await app.sync("acme")).result.ok);
    await approvedVersion(app, "acme", { source: SLOW, fileName: "slow.ts", tests: TESTS });
    worker = await Dispatcher.start(app, { worker: true, scheduler: true, onEvent: (event) => events.push(event) });
    const job = await worker.submit({ tenantId: "acme", workflow: "slow", input: {}, trigger: "manual" });
    const run = await worker.runOfJob(job, 180_000);
    assert.equal(run?.status, "succeeded", JSON.stringify(run?.error));
    assert.equal(run?.attempts, 1, "finished on its first attempt");
    // The job is completed just after its run ends (the worker's next statement): on a busy machine
    // the row can still say active when the run is read, so it is read until it leaves active.
    const jobRow = async () =>
      (
        (await app.database.db.execute(
          sql`select retry_count, state from pgboss.job where id = ${job}::uuid`,
        )) as unknown as { retry_count: number; state: string }[]
      )[0];
    let row = await jobRow();
    for (let tries = 0; row?.state === "active" && tries < 120; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      row = await jobRow();
    }
    assert.deepEqual({ retries: row?.retry_count, state: row?.state }, { retries: 0, state: "completed" });
    assert.deepEqual(
      events.filter((event) => ["run-resumed", "runs-swept", "run-handed-back"].includes(event.event)),
      [],
    );
    assert.deepEqual((await readFile(countFile, "utf8")).split("\n").filter(Boolean), ["mark:slow", "mark:slower"]);
  } finally {
    await worker?.stop();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});
