/**
 * Scheduler churn: schedulers start, stop and are abandoned mid-sync while an interval schedule
 * runs, and every slot still runs exactly once. Each scheduler computes the slots due within the
 * next minute and queues each as a job whose id is derived from the schedule, version and slot
 * time, so schedulers that overlap queue the same job and one that died is made up for by the next.
 * The schedulers' clock is stepped through 24 minutes of the past in 20 s steps (the version's
 * approval is dated back to allow it), so every slot is due at once and one worker runs them all.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { and, eq, sql } from "drizzle-orm";
import { createApp } from "../src/app.ts";
import { runs, versions } from "../src/store/schema.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { testDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const PULSE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "pulse",
  description: "Looks something up every minute.",
  input: { type: "object" },
  output: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
  triggers: [{ type: "schedule", every: "1m" }],
  run: async () => ({ value: (await ops.lookup({})).value }),
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
const MINUTE = 60_000;

test("scheduler churn: schedulers started, stopped and abandoned mid-sync; every interval slot runs exactly once", {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-churn-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) }, limits: { concurrentRuns: 4 } } },
  });
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await testDatabase("server") });
  const alive: Dispatcher[] = [];
  let worker: Dispatcher | undefined;
  try {
    assert.ok((await app.sync("acme")).result.ok);
    const version = await approvedVersion(app, "acme", { source: PULSE, fileName: "pulse.ts", tests: TESTS });
    const realNow = Date.now();
    const from = Math.floor(realNow / MINUTE) * MINUTE - 26 * MINUTE;
    const to = from + 24 * MINUTE; // the last sync: its slots (up to a minute later) are all due now
    // Versions are immutable (a trigger refuses the update): the test's own session sets triggers aside to date the approval back.
    await app.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx
        .update(versions)
        .set({ createdAt: new Date(from - MINUTE) })
        .where(eq(versions.id, version.id));
    });

    let clock = from;
    const now = () => clock;
    let random = 7;
    const roll = (n: number) => ((random = (random * 48271) % 2147483647), random % n); // seeded: the same churn every run
    let abandoned = 0;
    let _started = 0;
    for (; clock <= to; clock += 20_000) {
      // Churn: start one (two at the outset), stop one gracefully, or abandon one mid-sync (stopped while its sync is under way).
      const move = alive.length < 2 ? 0 : roll(3);
      if (move === 0 && alive.length < 5) {
        alive.push(await Dispatcher.start(app, { worker: false, scheduler: true, now }));
        _started++;
      } else if (move === 1) await alive.splice(roll(alive.length), 1)[0]?.stop();
      else if (move === 2) {
        const [victim] = alive.splice(roll(alive.length), 1);
        const sync = victim?.syncSchedules().catch(() => undefined); // cut off: some of its slots may not be queued
        await victim?.stop();
        await sync;
        abandoned++;
      }
      // Every live scheduler syncs at this moment, concurrently.
      await Promise.all(alive.map((scheduler) => scheduler.syncSchedules()));
    }
    assert.ok(abandoned > 0, "the churn abandoned some schedulers mid-sync");

    // Slots from the first sync's to the last one's horizon, none before the approval.
    const expected: number[] = [];
    for (let slot = Math.ceil(from / MINUTE) * MINUTE; slot <= to + MINUTE; slot += MINUTE) expected.push(slot);
    worker = await Dispatcher.start(app, { worker: true, scheduler: false });
    const count = async () =>
      Number(
        (
          (await app.database.db
            .select({ n: sql<number>`count(*)` })
            .from(runs)
            .where(and(eq(runs.workflow, "pulse"), eq(runs.status, "succeeded")))) as { n: number }[]
        )[0]?.n ?? 0,
      );
    const deadline = Date.now() + 120_000;
    while ((await count()) < expected.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    // A little longer: a doubled slot would show up as one run too many.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(await count(), expected.length, `runs of ${expected.length} slots`);
    const lookups = (await readFile(countFile, "utf8")).split("\n").filter((line) => line === "lookup").length;
    assert.equal(lookups, expected.length, "the tool was called once per slot");
  } finally {
    await worker?.stop();
    for (const scheduler of alive) await scheduler.stop();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});
