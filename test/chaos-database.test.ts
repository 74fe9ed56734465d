/**
 * The database restarts under running workflows (PostgreSQL, through a TCP proxy that cuts every
 * connection at once and refuses new ones for a while, as a restart does to its clients). Runs are
 * queued and taken by a worker with the orphan sweep; the tool server counts what it really did.
 *  - A short outage: every run finishes, none is turned into
 *    needs-attention (finding 2 of the run-path issue: 28 of 50 were), no call happens twice.
 *  - An outage longer than the lease (the leases run out in the database while their renewals
 *    wait): no run is lost or taken by two processes, no non-idempotent call happens twice; a call
 *    whose outcome could not be journaled would stop its run as needs-attention, never as failed.
 *    (A query waits for a connection up to the 10 s connect timeout, and the journal tries 7 times,
 *    so the journal's patience is over a minute: outages that long are not trialled here.)
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { eq } from "drizzle-orm";
import { createApp } from "../src/app.ts";
import { openServerDatabase } from "../src/store/index.ts";
import { runs } from "../src/store/schema.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { tcpProxy } from "./chaos/tcp-proxy.ts";
import { until } from "./chaos/processes.ts";
import { CHAOS_SOURCE, CHAOS_TESTS, trialCalls } from "./chaos/workflow.ts";
import { testDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const LEASE_MS = 5_000;
const RUNS = 4;

/** Queues RUNS runs, cuts the database for `outageMs` once the first append happened, and returns how each run ended. */
async function trial(outageMs: number): Promise<{
  ends: { trial: string; status: string; error: string; attempts: number; doubled: string[]; missing: string[] }[];
  cut: number;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-db-chaos-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const direct = await testDatabase("server");
  if (direct.raw.kind !== "postgres") throw new Error("this trial needs a PostgreSQL server database");
  const target = new URL(direct.raw.url);
  const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(target);
  proxied.host = `127.0.0.1:${proxy.port}`;
  const tenants = await tenantsFolder({
    acme: {
      config: { name: "Acme", integrations: { ops: countingServer(countFile) }, limits: { concurrentRuns: RUNS } },
    },
  });
  const app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: tenants, CHARTER_RUN_LEASE_MS: String(LEASE_MS) },
    database: await openServerDatabase(proxied.toString(), { max: 6 }),
  });
  let dispatcher: Dispatcher | undefined;
  try {
    assert.ok((await app.sync("acme")).result.ok, "the tenant syncs");
    await approvedVersion(app, "acme", { source: CHAOS_SOURCE, fileName: "chaos.ts", tests: CHAOS_TESTS });
    dispatcher = await Dispatcher.start(app, { worker: true, scheduler: true });
    const names = Array.from({ length: RUNS }, (_, index) => `d${index}`);
    const jobs: string[] = [];
    for (const name of names) {
      const job = await dispatcher.enqueue({
        tenantId: "acme",
        workflow: "chaos",
        input: { trial: name },
        trigger: "manual",
      });
      assert.ok(job, "the queue takes the job");
      jobs.push(job);
    }
    await until("a first append", async () => (await readFile(countFile, "utf8")).includes("append:"), 60_000);
    await proxy.outage(outageMs);
    // Read through the direct connection: the trial's own may still be reconnecting.
    const ends: {
      trial: string;
      status: string;
      error: string;
      attempts: number;
      doubled: string[];
      missing: string[];
    }[] = [];
    const runOf = async (job: string) => (await direct.db.select().from(runs).where(eq(runs.jobId, job)))[0];
    await until(
      "every run to end",
      async () => {
        for (const job of jobs) if ([undefined, "running"].includes((await runOf(job))?.status)) return false;
        return true;
      },
      outageMs + 20 * LEASE_MS,
    ).catch(() => undefined); // not ended: reported below as lost
    for (const [index, job] of jobs.entries()) {
      const run = await runOf(job);
      const status = run?.status ?? "not started";
      ends.push({
        trial: names[index] ?? "",
        status,
        error: run?.error ? JSON.stringify(run.error).slice(0, 300) : "",
        attempts: run?.attempts ?? 0,
        ...(await trialCalls(countFile, names[index] ?? "", status)),
      });
    }
    return { ends, cut: proxy.cut };
  } finally {
    await dispatcher?.stop();
    await app.close();
    await proxy.close();
    await direct.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test("a 3 s database restart mid-run: every run finishes, none needs attention, no call happens twice", {
  timeout: 180_000,
}, async () => {
  const { ends, cut } = await trial(3_000);
  assert.ok(cut > 0, "the outage cut open connections");
  for (const end of ends) {
    assert.equal(end.status, "succeeded", `${end.trial}: ${end.status} ${end.error}`);
    assert.deepEqual(end.doubled, [], `${end.trial}: a non-idempotent call happened twice`);
    assert.deepEqual(end.missing, [], `${end.trial}: succeeded without a call`);
  }
});

test("a 12 s database restart, longer than the lease: no run lost, no call twice, none failed", {
  timeout: 240_000,
}, async () => {
  const { ends } = await trial(12_000);
  for (const end of ends) {
    assert.ok(["succeeded", "needs-attention"].includes(end.status), `${end.trial}: ${end.status} ${end.error}`);
    if (end.status === "needs-attention") assert.match(end.error, /CALL_IN_DOUBT/, end.trial);
    assert.deepEqual(end.doubled, [], `${end.trial}: a non-idempotent call happened twice`);
    assert.deepEqual(end.missing, [], `${end.trial}: succeeded without a call`);
  }
});
