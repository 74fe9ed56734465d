/**
 * Embedded mode (PGlite in a data folder, one process at a time) crashes: a `charter worker` is
 * killed with SIGKILL mid-run, leaving the folder's lock, an active job and a running run behind.
 * The next worker on the same folder takes the lock over (its owner is dead), recovers the database,
 * and carries the run to its end from its journal; no non-idempotent call happens twice, and no
 * run is left running.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { eq } from "drizzle-orm";
import { createApp } from "../src/app.ts";
import { openEmbeddedDatabase } from "../src/store/index.ts";
import { runs } from "../src/store/schema.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { startWorker, until } from "./chaos/processes.ts";
import { CHAOS_SOURCE, CHAOS_TESTS, trialCalls } from "./chaos/workflow.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );

test("embedded mode: a worker killed mid-run; the next one takes the folder over and finishes the run, nothing twice", {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-embedded-chaos-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const dataDir = path.join(dir, "data");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) }, limits: { concurrentRuns: 1 } } },
  });
  const env = { CHARTER_TENANTS_DIR: tenants, CHARTER_DATA_DIR: dataDir, CHARTER_RUN_LEASE_MS: "5000" };
  const workers: ChildProcess[] = [];
  try {
    // Approve the workflow and queue one run, then let go of the folder.
    const setup = await openEmbeddedDatabase({ dataDir });
    await setup.migrate();
    const app = await createApp({ processEnv: env, database: setup });
    let job: string | null;
    try {
      assert.ok((await app.sync("acme")).result.ok, "the tenant syncs");
      await approvedVersion(app, "acme", { source: CHAOS_SOURCE, fileName: "chaos.ts", tests: CHAOS_TESTS });
      const queue = await Dispatcher.start(app, { worker: false, scheduler: false });
      job = await queue.enqueue({ tenantId: "acme", workflow: "chaos", input: { trial: "e1" }, trigger: "manual" });
      await queue.stop();
    } finally {
      await app.close();
    }
    assert.ok(job, "the queue takes the job");

    // Worker A takes the run and is killed in its slow idempotent call, after the first append.
    const linesA: string[] = [];
    const a = await startWorker(env, linesA);
    workers.push(a);
    await until("worker A to take the run", () => linesA.some((line) => line.includes('"run-dispatched"')), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    a.kill("SIGKILL");
    await exited(a);

    // Worker B: the lock of a dead process is taken over, and the run is finished.
    const linesB: string[] = [];
    const b = await startWorker(env, linesB);
    workers.push(b);
    await until("worker B to finish the run", () => linesB.some((line) => line.includes('"run-finished"')), 120_000);
    b.kill("SIGTERM");
    await exited(b);
    assert.ok(
      linesB.some((line) => line.includes('"worker-stopped"')),
      `worker B stopped cleanly: ${linesB.slice(-3).join(" | ")}`,
    );

    // The folder opens again (B let go of it), and the database says what happened.
    const after = await openEmbeddedDatabase({ dataDir });
    try {
      const [run] = await after.db.select().from(runs).where(eq(runs.jobId, job));
      assert.ok(run, "the run exists");
      assert.ok(["succeeded", "needs-attention"].includes(run.status), `${run.status} ${JSON.stringify(run.error)}`);
      if (run.status === "needs-attention")
        assert.equal((run.error as { code?: string } | null)?.code, "CALL_IN_DOUBT");
      assert.ok(run.attempts >= 2, "resumed by worker B");
      const left = await after.db.select().from(runs).where(eq(runs.status, "running"));
      assert.deepEqual(left, [], "no run is left running");
      const { doubled, missing } = await trialCalls(countFile, "e1", run.status);
      assert.deepEqual(doubled, [], "a non-idempotent call happened twice");
      assert.deepEqual(missing, [], "succeeded without a call");
    } finally {
      await after.close();
    }
  } finally {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
});
