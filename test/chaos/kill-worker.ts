/**
 * The kill -9 trial: a `charter worker` (A) takes a run of a workflow that reads, appends (not
 * idempotent), marks slowly (idempotent) and appends again; A is killed with SIGKILL at a random
 * moment of the run; a live worker with the orphan sweep (B, in this process) must carry the run
 * to its end. Each trial reports whether the run was lost (still running, or never finished), how
 * often each non-idempotent call really happened at the tool (counted by the tool server itself),
 * and how long it took from the kill to the run's end. The tenant may run one run at a time, so the
 * dead worker's job holds the tenant's only slot until it is noticed: recovery includes freeing it.
 * Used by test/chaos.test.ts (a few trials) and bench/chaos-kill.ts (a hundred).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type App, createApp } from "../../src/app.ts";
import { Dispatcher } from "../../src/triggers/index.ts";
import type { Database } from "../../src/store/index.ts";
import { approvedVersion } from "../helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "../helpers/tenants.ts";
import { startWorker, until } from "./processes.ts";
import { CHAOS_SOURCE, CHAOS_TESTS, trialCalls } from "./workflow.ts";

export type TrialResult = {
  trial: string;
  status: string;
  lost: boolean;
  doubled: string[];
  killedAfterMs: number;
  recoveryMs: number | undefined;
  detail: string;
};

export type ChaosRig = { leaseMs: number; trial: (index: number) => Promise<TrialResult>; close: () => Promise<void> };

/** Sets up the tenant, its approved workflow and the count file; `database` must be a PostgreSQL server database (the workers are other processes). */
export async function chaosRig(database: Database, options: { leaseMs: number; giveUpMs?: number }): Promise<ChaosRig> {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-chaos-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) }, limits: { concurrentRuns: 1 } } },
  });
  if (database.raw.kind !== "postgres") throw new Error("the kill -9 trial needs a PostgreSQL server database");
  const url = database.raw.url;
  const processEnv = { CHARTER_TENANTS_DIR: tenants, CHARTER_RUN_LEASE_MS: String(options.leaseMs) };
  const app: App = await createApp({ processEnv, database });
  const synced = await app.sync("acme");
  if (!synced.result.ok) throw new Error("the chaos tenant did not sync");
  await approvedVersion(app, "acme", { source: CHAOS_SOURCE, fileName: "chaos.ts", tests: CHAOS_TESTS });
  const giveUpMs = options.giveUpMs ?? 10 * options.leaseMs;

  const trial = async (index: number): Promise<TrialResult> => {
    const name = `t${index}`;
    const logs: string[] = [];
    const a = await startWorker({ DATABASE_URL: url, ...processEnv }, logs);
    let b: Dispatcher | undefined;
    try {
      const queue = await Dispatcher.start(app, { worker: false, scheduler: false });
      const job = await queue.enqueue({
        tenantId: "acme",
        workflow: "chaos",
        input: { trial: name },
        trigger: "manual",
      });
      await queue.stop();
      if (!job) throw new Error("the queue did not take the job");
      await until("worker A to take the run", () => logs.some((l) => l.includes('"run-dispatched"')), 60_000);
      // Somewhere in the run's ~2.3 s: in the read, an append, the slow mark, or between them.
      const killedAfterMs = Math.floor(Math.random() * 2600);
      await new Promise((resolve) => setTimeout(resolve, killedAfterMs));
      const exited = new Promise((resolve) => a.once("exit", resolve));
      a.kill("SIGKILL");
      await exited;
      const killedAt = Date.now();
      // The live worker, with the scheduler's orphan sweep.
      b = await Dispatcher.start(app, { worker: true, scheduler: true });
      let status = "running";
      let detail = "";
      try {
        await until(
          "the run to end",
          async () => {
            const run = await app.runRepository.runOfJob(job);
            status = run?.status ?? "not started";
            detail = run?.error ? JSON.stringify(run.error).slice(0, 200) : "";
            return run !== undefined && run.status !== "running";
          },
          giveUpMs,
        );
      } catch {
        // Not ended within the give-up time: counted as lost.
      }
      const recoveryMs = status === "running" || status === "not started" ? undefined : Date.now() - killedAt;
      // Finished: both appends happened exactly once. Stopped in doubt (needs-attention): none more than once.
      const { doubled, missing } = await trialCalls(countFile, name, status);
      return {
        trial: name,
        status,
        lost: recoveryMs === undefined || missing.length > 0,
        doubled,
        killedAfterMs,
        recoveryMs,
        detail: missing.length ? `succeeded without ${missing.join(", ")}` : detail,
      };
    } finally {
      if (a.exitCode === null && a.signalCode === null) a.kill("SIGKILL");
      await b?.stop();
    }
  };

  return {
    leaseMs: options.leaseMs,
    trial,
    close: async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
