/**
 * A run handed back six times in a row (its worker stopped mid-run, again and again) is not lost,
 * and the hand-backs do not use up its job's retries (five, for failures). Each hand-back releases
 * the run's lease and queues a resume job for the run's next attempt; the job itself completes. The
 * next worker takes the run up from its journal, and the seventh finishes it with every step done.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { sql } from "drizzle-orm";
import { type App, createApp } from "../src/app.ts";
import { openServerDatabase } from "../src/store/index.ts";
import { Dispatcher, type DispatcherEvent } from "../src/triggers/index.ts";
import { testDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const STEPS = 8;
const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "many-steps",
  description: "Marks eight lines, each held while the hold file exists.",
  input: { type: "object" },
  output: { type: "object", properties: { done: { type: "integer" } }, required: ["done"] },
  run: async () => {
    for (let i = 1; i <= ${STEPS}; i++) await ops.mark({ text: "step-" + i, delay_ms: 60000 });
    return { done: ${STEPS} };
  },
});`;
const TESTS = JSON.stringify({
  tests: [
    {
      name: "marks",
      input: {},
      mocks: { "ops.mark": Array.from({ length: STEPS }, (_, i) => ({ output: { written: `step-${i + 1}` } })) },
      expect: { output: { done: STEPS } },
    },
  ],
});

test("a run handed back six times in a row is resumed each time, finishes, and uses none of its job's retries", {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-handbacks-"));
  const countFile = path.join(dir, "count.txt");
  const hold = path.join(dir, "hold");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile, hold) } } },
  });
  const processEnv = { CHARTER_TENANTS_DIR: tenants, CHARTER_RUN_LEASE_MS: "4000", CHARTER_SHUTDOWN_GRACE_MS: "0" };
  const database = await testDatabase("server");
  const url = database.raw.kind === "postgres" ? database.raw.url : "";
  const main = await createApp({ processEnv, database });
  const events: string[] = [];
  /** A worker process of its own (an app with its own connections), as `charter worker` is. */
  const worker = async (name: string): Promise<{ app: App; dispatcher: Dispatcher }> => {
    const app = await createApp({ processEnv, database: await openServerDatabase(url, { max: 4 }) });
    const dispatcher = await Dispatcher.start(app, {
      worker: true,
      scheduler: true,
      onEvent: (e: DispatcherEvent) => events.push(`${name} ${e.event} ${JSON.stringify(e.detail)}`),
    });
    return { app, dispatcher };
  };
  const seen = async (pattern: RegExp, ms = 60_000) => {
    const until = Date.now() + ms;
    while (!events.some((line) => pattern.test(line))) {
      if (Date.now() > until) throw new Error(`no ${pattern} in:\n${events.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    assert.ok((await main.sync("acme")).result.ok);
    await approvedVersion(main, "acme", { source: SOURCE, fileName: "many-steps.ts", tests: TESTS });
    const queue = await Dispatcher.start(main, { worker: false, scheduler: false });
    const job = await queue.enqueue({ tenantId: "acme", workflow: "many-steps", input: {}, trigger: "manual" });
    await queue.stop();
    assert.ok(job);
    for (let round = 1; round <= 6; round++) {
      await writeFile(hold, "");
      const { app, dispatcher } = await worker(`W${round}`);
      // It takes the run (the first job, or the resume job the last hand-back queued) and is in a held call.
      await seen(new RegExp(`^W${round} run-(?:dispatched|resumed)`), 90_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopping = dispatcher.stop();
      // The held call goes through; the next call is refused: the run is handed back.
      await rm(hold);
      await stopping;
      await app.close();
      assert.ok(
        events.some(
          (line) => line.startsWith(`W${round} run-handed-back`) || line.startsWith(`W${round} runs-handed-back`),
        ),
        `round ${round} handed nothing back:\n${events.join("\n")}`,
      );
    }
    // A live worker (with the sweep) finishes it.
    const last = await worker("W7");
    try {
      await seen(/^W7 run-finished/, 120_000);
    } finally {
      await last.dispatcher.stop();
      await last.app.close();
    }
    assert.ok(
      events.some((line) => line.startsWith("W7 run-resumed")),
      events.join("\n"),
    );
    // The hand-backs used none of the job's retries: it completed on its first try.
    const [row] = (await main.database.db.execute(
      sql`select retry_count, state from pgboss.job where id = ${job}::uuid`,
    )) as unknown as { retry_count: number; state: string }[];
    assert.deepEqual(
      { retries: row?.retry_count, state: row?.state },
      { retries: 0, state: "completed" },
      events.join("\n"),
    );
    const run = await main.runRepository.runOfJob(job);
    assert.equal(run?.status, "succeeded", events.join("\n"));
    assert.ok((run?.attempts ?? 0) >= 7, `attempts ${run?.attempts}`);
    const marks = new Set((await readFile(countFile, "utf8")).split("\n").filter(Boolean));
    assert.deepEqual(
      [...marks].sort(),
      Array.from({ length: STEPS }, (_, i) => `mark:step-${i + 1}`).sort(),
      "every step was done",
    );
  } finally {
    await main.close();
  }
});
