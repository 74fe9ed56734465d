/**
 * Runs dispatched through pg-boss, on the same database as everything else (PGlite through
 * pg-boss's adapter, or PostgreSQL). Every run (manual, webhook, schedule, resource) is a job in
 * one queue; workers take them, each process up to CHARTER_WORKER_CONCURRENCY at once, and no
 * tenant more than its limit across all workers (pg-boss group concurrency, group = tenant).
 *
 * Schedules, for approved versions only, each firing exactly once however many processes run:
 * cron triggers are pg-boss schedules keyed "<tenant>/<workflow>/<n>" (pg-boss claims each
 * occurrence once); fixed intervals and one-off times are jobs whose id is derived from the
 * schedule and the slot's time, so every process that enqueues a slot enqueues the same job and
 * the database keeps one. Schedules of versions that are no longer active are removed, and a
 * queued slot of an older version does not run.
 *
 * Hand-back: a job whose worker stopped before its run finished (shutdown past its grace time, a
 * crash) is failed back when its heartbeat stops and retried by pg-boss; the next worker finds the
 * run the job started and resumes it from its journal instead of starting another. A run left
 * running with no job (retries used up) is found by the orphan sweep and resumed the same way.
 */
import { createHash } from "node:crypto";
import { fromPglite, PgBoss } from "pg-boss";
import { loadTenantConfig, listTenantIds } from "../config/tenant-config.ts";
import { intervalMs, triggerInput, type WorkflowTrigger } from "../core/workflow.ts";
import { type RunEnds, RUN_END_RECHECK_MS, type RunResult, type RunService } from "../runs/index.ts";
import type { Database, RunRepository, RunRow, VersionRepository, VersionRow } from "../store/index.ts";
import { CharterError, errorText } from "../core/errors.ts";
import { schemaValidator } from "../core/json-schema.ts";
import { type ProblemReporter, reportToStderr } from "../core/problems.ts";
import type { Env } from "../config/env.ts";
import type { McpClientPool } from "../mcp/index.ts";
import type { VersionService } from "../versions/index.ts";
import { keepIsolatesReady } from "../sandbox/index.ts";
import { resyncOnListChanged } from "../catalog/index.ts";
import { ResourceTriggers } from "./resource-triggers.ts";

export const RUN_QUEUE = "charter-runs";

export type RunJob = {
  tenantId: string;
  workflow: string;
  input: Record<string, unknown>;
  trigger: "schedule" | "manual" | "webhook" | "resource" | "tool";
  schedule?: string;
  /** For a queued schedule slot: the version it belongs to; another active version skips it. */
  version?: number;
  /**
   * For a run a caller queued: the version resolved when it was queued, which the worker runs
   * (VersionService.runQueued).
   */
  versionId?: string;
  /** Who asked for the run (manual runs), recorded with it. */
  actor?: { userId: string; handle: string };
  /** A resume job from the sweep: the run (left running with its lease run out) to resume from its journal. */
  resume?: string;
};

/**
 * The channel pg-boss notifies, in the statement that queues a job due now, on a queue created
 * with `notify` (the queue's name is the payload): pg-boss's own channel for its schema. Charter
 * listens on it itself, to wake one idle slot per worker process; pg-boss's own listener
 * (useListenNotify) would wake every slot of the queue for each job.
 */
const JOB_QUEUED = `pgboss_${createHash("sha224").update("pgboss").digest("hex").slice(0, 24)}`;

/**
 * A job running longer than this is expired even with a live heartbeat (a hung worker); its run is
 * resumed from the journal.
 */
const JOB_EXPIRY_BACKSTOP_SECONDS = 3600;

/**
 * How fast a dead worker is noticed, from the run lease: its jobs miss their heartbeat after one
 * lease (pg-boss allows no less than 10 s) and are failed back within a supervise pass of that,
 * freeing their tenant's slots; its runs' leases run out after one lease and the sweep (every
 * quarter lease, at most 15 s) queues their resume. Recovery: about lease + lease/4 + a poll.
 */
export function recoveryTiming(leaseMs: number): {
  heartbeatSeconds: number;
  superviseSeconds: number;
  sweepMs: number;
} {
  return {
    heartbeatSeconds: Math.max(10, Math.ceil(leaseMs / 1000)),
    superviseSeconds: Math.min(60, Math.max(1, Math.floor(leaseMs / 4000))),
    sweepMs: Math.min(15_000, Math.max(1000, Math.floor(leaseMs / 4))),
  };
}

/** How far ahead interval and one-off slots are queued; the trigger sync runs every 15 s. */
const HORIZON_MS = 60_000;

export type DispatcherEvent = {
  event:
    | "run-dispatched"
    | "run-finished"
    | "run-resumed"
    | "run-skipped"
    | "run-handed-back"
    | "runs-handed-back"
    | "runs-swept"
    | "schedules-synced"
    | "subscriptions-synced"
    | "catalog-resynced"
    | "catalog-resync-failed"
    | "dispatcher-error";
  detail: Record<string, unknown>;
};

type DispatcherResources = {
  database: Database;
  versions: VersionService;
  versionRepository: VersionRepository;
  runs: RunService;
  runRepository: RunRepository;
  runEnds: RunEnds;
  env: Env;
  /** Where failures no caller waits for go (stderr when absent). */
  onProblem?: ProblemReporter;
};

export class Dispatcher {
  readonly #boss: PgBoss;
  readonly #r: DispatcherResources;
  readonly #repository: VersionRepository;
  readonly #onEvent: (event: DispatcherEvent) => void;
  #timer: NodeJS.Timeout | undefined;
  /** This process's worker slots (pg-boss worker ids) not running a job now. */
  readonly #idleSlots = new Set<string>();
  #unlistenQueued: (() => Promise<void>) | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #resources: ResourceTriggers | undefined;
  #stopResync: (() => void) | undefined;
  /** Jobs this process is running now. */
  readonly #inFlight = new Set<Promise<void>>();
  /** The time interval and one-off slots are computed at (injectable for tests). */
  readonly #now: () => number;

  private constructor(
    boss: PgBoss,
    resources: DispatcherResources,
    onEvent: (event: DispatcherEvent) => void,
    now: () => number,
  ) {
    this.#boss = boss;
    this.#r = resources;
    this.#repository = resources.versionRepository;
    this.#onEvent = onEvent;
    this.#now = now;
  }

  static async start(
    resources: DispatcherResources,
    options: {
      worker: boolean;
      scheduler: boolean;
      pollSeconds?: number;
      onEvent?: (event: DispatcherEvent) => void;
      /** The clock schedule slots are computed by (Date.now; a test steps through hours of slots with its own). */
      now?: () => number;
      /** With these, the scheduler also subscribes to the MCP resources that approved versions are triggered by. */
      subscriptions?: {
        pool: McpClientPool;
        env: Env;
        processEnv: Record<string, string | undefined>;
        /** With this, a tool server's list_changed notification syncs its tenant again (resyncOnListChanged). */
        sync?: Parameters<typeof resyncOnListChanged>[0]["sync"];
      };
    },
  ): Promise<Dispatcher> {
    const raw = resources.database.raw;
    const timing = recoveryTiming(resources.env.runLeaseMs);
    const common = {
      schedule: options.scheduler,
      supervise: true,
      cronWorkerIntervalSeconds: 1,
      cronMonitorIntervalSeconds: 1,
      superviseIntervalSeconds: timing.superviseSeconds,
      monitorIntervalSeconds: timing.superviseSeconds,
    };
    const boss =
      raw.kind === "pglite"
        ? new PgBoss({ ...common, db: fromPglite(raw.client), backend: "pglite" })
        : new PgBoss({ ...common, connectionString: raw.url, max: 4 });
    const onEvent = options.onEvent ?? (() => {});
    boss.on("error", (error: Error) => onEvent({ event: "dispatcher-error", detail: { message: errorText(error) } }));
    await boss.start();
    // A live worker's job never expires under its run: pg-boss keeps its heartbeat. A job whose worker
    // died (kill -9) misses its heartbeat and is failed back to the queue within a lease and a
    // supervise pass, freeing the tenant's concurrency slot; expiry is only a backstop for a hung worker.
    const queue = {
      retryLimit: 5,
      retryDelay: 1,
      retryBackoff: true,
      heartbeatSeconds: timing.heartbeatSeconds,
      expireInSeconds: JOB_EXPIRY_BACKSTOP_SECONDS,
      notify: true,
    };
    await boss.createQueue(RUN_QUEUE, queue).catch(() => boss.updateQueue(RUN_QUEUE, queue));
    const dispatcher = new Dispatcher(boss, resources, onEvent, options.now ?? Date.now);
    if (options.worker) {
      const { concurrency, tenantConcurrency } = resources.env.workers;
      const tiers = await tenantLimits(resources.env.tenantsDir, resources.onProblem ?? reportToStderr);
      // One pg-boss worker per slot, each fetching again right after its job (there may be more
      // queued) and waiting only after a fetch that found nothing, until it is woken or polls. A
      // job queued in any process wakes one idle slot of each worker process (a NOTIFY on
      // pg-boss's channel, sent by the statement that queued it), not all of them. The poll stays
      // short: a job that becomes due later (a schedule slot) wakes nobody when it does.
      const poll = options.pollSeconds ?? 1;
      keepIsolatesReady(concurrency);
      const groupConcurrency = { default: tenantConcurrency, ...(Object.keys(tiers).length > 0 ? { tiers } : {}) };
      for (let slot = 0; slot < concurrency; slot++) {
        let self: string | undefined;
        self = await boss.work<RunJob>(
          RUN_QUEUE,
          { pollingIntervalSeconds: poll, batchSize: 1, localConcurrency: 1, groupConcurrency, includeMetadata: true },
          async (jobs) => {
            if (self) dispatcher.#idleSlots.delete(self);
            for (const job of jobs) {
              const running = dispatcher.#run(job.id, job.data, job.retryCount);
              dispatcher.#inFlight.add(running);
              try {
                await running;
              } finally {
                dispatcher.#inFlight.delete(running);
              }
            }
            if (self) {
              dispatcher.#idleSlots.add(self);
              boss.notifyWorker(self);
            }
          },
        );
        dispatcher.#idleSlots.add(self);
      }
      dispatcher.#unlistenQueued = await resources.database.listen(JOB_QUEUED, () => {
        const idle = dispatcher.#idleSlots.values().next().value;
        if (idle) boss.notifyWorker(idle);
      });
    }
    if (options.scheduler) {
      if (options.subscriptions) {
        dispatcher.#resources = new ResourceTriggers({
          ...options.subscriptions,
          versionRepository: resources.versionRepository,
          start: (job) => dispatcher.enqueue(job),
          onEvent,
        });
        const { sync, pool } = options.subscriptions;
        if (sync)
          dispatcher.#stopResync = resyncOnListChanged({
            pool,
            sync,
            onEvent,
            describeError: (error) => errorText(error),
          });
      }
      await dispatcher.syncTriggers();
      dispatcher.#timer = setInterval(
        () =>
          void dispatcher
            .syncTriggers()
            .catch((error: unknown) => onEvent({ event: "dispatcher-error", detail: { message: errorText(error) } })),
        15_000,
      );
      // Orphans are looked for more often than triggers are synced: a dead worker's run is resumed within ~2 leases.
      dispatcher.#sweepTimer = setInterval(
        () =>
          void dispatcher
            .sweepOrphans()
            .catch((error: unknown) => onEvent({ event: "dispatcher-error", detail: { message: errorText(error) } })),
        timing.sweepMs,
      );
    }
    return dispatcher;
  }

  /**
   * Queues a run of a workflow's approved version; a worker picks it up. Returns the job id (null:
   * that id is queued already).
   */
  async enqueue(job: RunJob, options: { id?: string; startAfter?: Date } = {}): Promise<string | null> {
    // A job due now wakes an idle worker slot in every worker process: pg-boss notifies JOB_QUEUED
    // in the same statement (the queue is created with `notify`), so it costs no round trip.
    return this.#boss.send(RUN_QUEUE, job, { group: { id: job.tenantId, tier: job.tenantId }, ...options });
  }

  /** A queued run's job as pg-boss has it: waiting, taken, or done with (undefined: no such job). */
  async jobState(jobId: string): Promise<"waiting" | "taken" | "done" | "cancelled" | undefined> {
    const job = await this.#boss.getJobById(RUN_QUEUE, jobId);
    if (!job) return undefined;
    if (job.state === "created" || job.state === "retry") return "waiting";
    if (job.state === "active") return "taken";
    return job.state === "cancelled" ? "cancelled" : "done";
  }

  /**
   * Cancels a queued run that no worker has taken yet; false when a worker has it (cancel its run
   * instead) or the job is unknown.
   */
  async cancelQueued(jobId: string): Promise<boolean> {
    const job = await this.#boss.getJobById(RUN_QUEUE, jobId);
    if (!job || (job.state !== "created" && job.state !== "retry")) return false;
    await this.#boss.cancel(RUN_QUEUE, jobId);
    return (await this.#boss.getJobById(RUN_QUEUE, jobId))?.state === "cancelled";
  }

  /**
   * Queues a run for a caller who waits for the answer: first checks what a worker would refuse
   * (no approved version, input against its schema), so the caller hears it now. Returns the job id.
   * A caller that has just read the active version passes it, and it is not read again.
   */
  async submit(job: Omit<RunJob, "input"> & { input: unknown }, active?: VersionRow): Promise<string> {
    const version = active ?? (await this.#repository.activeVersion(job.tenantId, job.workflow));
    if (!version)
      throw new CharterError(
        "VERSION_NOT_FOUND",
        `workflow ${job.workflow} has no approved version; submit one and have it approved`,
      );
    const problems = schemaValidator(version.inputSchema ?? {})(job.input);
    if (problems.length > 0)
      throw new CharterError(
        "RUN_INPUT_INVALID",
        `the input does not match ${job.workflow}'s input schema: ${problems.join("; ")}`,
      );
    const id = await this.enqueue({ ...job, input: job.input as Record<string, unknown>, versionId: version.id });
    if (!id) throw new Error("the run queue did not take the job");
    return id;
  }

  /**
   * The run a job started, once it has finished or the wait is over (undefined: not started yet).
   * Woken when the run's end commits (RunEnds), not by polling; a re-read every few seconds
   * covers a notification lost with a connection.
   */
  async runOfJob(jobId: string, waitMs: number): Promise<RunRow | undefined> {
    const until = Date.now() + waitMs;
    for (;;) {
      const wait = await this.#r.runEnds.watch([jobId], Math.max(0, Math.min(until - Date.now(), RUN_END_RECHECK_MS)));
      try {
        const run = await this.#r.runRepository.runOfJob(jobId);
        if ((run && run.status !== "running") || Date.now() >= until) return run;
        await wait.ended;
      } finally {
        wait.cancel();
      }
    }
  }

  /**
   * Brings schedules and resource subscriptions in line with the approved versions, and sweeps for orphaned runs (every
   * 15 s, and callable after a decision).
   */
  async syncTriggers(): Promise<void> {
    await this.syncSchedules();
    await this.sweepOrphans();
    const subscribed = await this.#resources?.sync();
    if (subscribed !== undefined) this.#onEvent({ event: "subscriptions-synced", detail: { resources: subscribed } });
  }

  /**
   * No run without an owner: a run still "running" whose lease ran out has no process on it (its
   * worker was killed, its job expired under it or used up its retries). Each gets a resume job,
   * one per run and attempt whichever process sweeps, so it is resumed from its journal within
   * a lease and a sweep of the worker's death.
   */
  async sweepOrphans(): Promise<number> {
    const orphans = await this.#r.runRepository.orphans(new Date());
    for (const run of orphans) await this.#resumeLater(run);
    if (orphans.length > 0) this.#onEvent({ event: "runs-swept", detail: { runs: orphans.map((run) => run.id) } });
    return orphans.length;
  }

  /**
   * Makes pg-boss's schedules match the schedule triggers of the approved versions, and queues the
   * next interval and one-off slots.
   */
  async syncSchedules(): Promise<number> {
    const wanted = new Map<string, { cron: string; timezone?: string | undefined; job: RunJob }>();
    let count = 0;
    const now = this.#now();
    for (const version of await this.#repository.allActiveVersions()) {
      const triggers = version.triggers.triggers.filter((t) => t.type === "schedule");
      for (const [index, trigger] of triggers.entries()) {
        count++;
        const key = `${version.tenantId}/${version.workflow}/${index}`;
        const job: RunJob = {
          tenantId: version.tenantId,
          workflow: version.workflow,
          input: triggerInput.schedule(),
          trigger: "schedule",
          schedule: key,
        };
        if (trigger.cron) wanted.set(key, { cron: trigger.cron, timezone: trigger.timezone, job });
        for (const slot of slots(trigger, now, version.createdAt)) {
          await this.enqueue(
            { ...job, version: version.number },
            { id: slotId(key, version.number, slot), startAfter: new Date(slot) },
          );
        }
      }
    }
    for (const [key, schedule] of wanted)
      await this.#boss.schedule(RUN_QUEUE, schedule.cron, schedule.job, {
        key,
        group: { id: schedule.job.tenantId, tier: schedule.job.tenantId },
        ...(schedule.timezone ? { tz: schedule.timezone } : {}),
      });
    for (const existing of await this.#boss.getSchedules(RUN_QUEUE)) {
      const key = (existing as { key?: string }).key ?? "";
      if (!wanted.has(key)) await this.#boss.unschedule(RUN_QUEUE, key);
    }
    this.#onEvent({ event: "schedules-synced", detail: { schedules: count } });
    return count;
  }

  /**
   * Stops taking jobs; runs in flight get the grace time (CHARTER_SHUTDOWN_GRACE_MS) to finish,
   * then are handed back at their next tool call: their jobs fail back to the queue and another
   * worker resumes them from the journal.
   */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    const unlisten = this.#unlistenQueued;
    this.#unlistenQueued = undefined;
    await unlisten?.().catch((error: unknown) =>
      this.#onEvent({
        event: "dispatcher-error",
        detail: { message: `stopping the job listener: ${errorText(error)}` },
      }),
    );
    this.#resources?.stop();
    this.#stopResync?.();
    await this.#boss.offWork(RUN_QUEUE, { wait: false }).catch((error: unknown) =>
      this.#onEvent({
        event: "dispatcher-error",
        detail: { message: `stopping the queue's workers: ${errorText(error)}` },
      }),
    );
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, this.#r.env.workers.shutdownGraceMs)));
      await Promise.race([Promise.allSettled([...this.#inFlight]), grace]);
      clearTimeout(timer);
      if (this.#inFlight.size > 0) {
        this.#onEvent({ event: "runs-handed-back", detail: { runs: this.#inFlight.size } });
        this.#r.runs.handBack();
        await Promise.allSettled([...this.#inFlight]);
      }
    }
    await this.#boss.stop({ graceful: true, timeout: 5_000 });
  }

  /**
   * Reports how a job's run ended. A run handed back (this process is shutting down) gets a resume
   * job of its own, and this job completes: hand-backs do not use up the job's retries, which are
   * for failures. The resume job's id is the sweep's for the same run and attempt, so the two never
   * both run it. Only if that job cannot be queued does this job fail, to be retried (and the sweep
   * finds the run in any case once its lease has run out).
   */
  async #finished(
    context: Record<string, unknown> & { tenant: string; workflow: string },
    result: RunResult & { version?: number },
  ): Promise<void> {
    const run = { run: result.runId, ...(result.version !== undefined ? { version: result.version } : {}) };
    if (result.status === "running") {
      this.#onEvent({ event: "run-handed-back", detail: { ...context, ...run } });
      try {
        await this.#resumeLater({
          id: result.runId,
          tenantId: context.tenant,
          workflow: context.workflow,
          attempts: result.attempt,
        });
      } catch (error) {
        throw new HandedBack(
          `run ${result.runId} was handed back at shutdown, and its resume job could not be queued ` +
            `(${errorText(error)})`,
        );
      }
      return;
    }
    this.#onEvent({ event: "run-finished", detail: { ...context, ...run, status: result.status } });
  }

  /** Queues the job that resumes a run from its journal: one per run and attempt, whoever queues it. */
  #resumeLater(run: { id: string; tenantId: string; workflow: string; attempts: number }): Promise<string | null> {
    return this.enqueue(
      { tenantId: run.tenantId, workflow: run.workflow, input: {}, trigger: "manual", resume: run.id },
      { id: slotId(`resume/${run.id}`, run.attempts, 0) },
    );
  }

  /** Carries out one job; `retries` is how often it was tried before (a first try started no run yet). */
  async #run(jobId: string, job: RunJob, retries: number): Promise<void> {
    const context = { job: jobId, tenant: job.tenantId, workflow: job.workflow, trigger: job.trigger };
    try {
      if (job.resume) {
        const orphan = await this.#r.runRepository.run(job.resume);
        if (orphan?.status !== "running") return; // finished or resumed meanwhile
        this.#onEvent({ event: "run-resumed", detail: { ...context, run: orphan.id, byResumeJob: true } });
        const resumed = await this.#r.runs.resume(orphan.id).catch((error: unknown) => {
          // Another process got to it first (a job's own retry, another sweep): not an error.
          if (error instanceof CharterError && error.code === "RUN_NOT_RESUMABLE") return undefined;
          throw error;
        });
        if (resumed) await this.#finished(context, resumed);
        else
          this.#onEvent({
            event: "run-skipped",
            detail: { ...context, run: orphan.id, reason: "another process resumed it first" },
          });
        return;
      }
      // A retried job whose run started already: resume it (a handed-back run), or leave a finished one be.
      const started = retries > 0 ? await this.#r.runRepository.runOfJob(jobId) : undefined;
      if (started) {
        if (started.status !== "running") return;
        this.#onEvent({ event: "run-resumed", detail: { ...context, run: started.id } });
        await this.#finished(context, await this.#r.runs.resume(started.id));
        return;
      }
      if (job.version !== undefined) {
        const active = await this.#repository.activeVersion(job.tenantId, job.workflow);
        if (active?.number !== job.version) {
          this.#onEvent({
            event: "run-skipped",
            detail: { ...context, reason: `the slot belongs to version ${job.version}, which is no longer active` },
          });
          return;
        }
      }
      this.#onEvent({ event: "run-dispatched", detail: context });
      const detail = {
        job: jobId,
        ...(job.schedule ? { schedule: job.schedule } : {}),
        ...(job.actor ? { user: job.actor.handle } : {}),
      };
      const request = {
        tenantId: job.tenantId,
        input: job.input,
        trigger: { type: job.trigger, detail },
        jobId,
        ...(job.actor ? { actor: job.actor } : {}),
      };
      const result = job.versionId
        ? await this.#r.versions.runQueued({ ...request, versionId: job.versionId })
        : await this.#r.versions.runActive({ ...request, workflow: job.workflow });
      await this.#finished(context, result);
    } catch (error) {
      if (error instanceof HandedBack) throw error;
      // A run that cannot start (not approved, drifted, tampered, bad input) is reported and not retried.
      this.#onEvent({ event: "dispatcher-error", detail: { ...context, message: errorText(error) } });
    }
  }
}

/** Thrown out of a job whose run was handed back, so pg-boss retries the job and another worker resumes the run. */
class HandedBack extends Error {}

/**
 * Times (ms) of an interval or one-off schedule's slots due within the horizon, none before the version was approved.
 */
function slots(trigger: Extract<WorkflowTrigger, { type: "schedule" }>, now: number, since: Date): number[] {
  if (trigger.at) {
    const at = Date.parse(trigger.at);
    return at >= since.getTime() && at <= now + HORIZON_MS && at >= now - HORIZON_MS ? [at] : [];
  }
  if (!trigger.every) return [];
  const every = intervalMs(trigger.every);
  const result: number[] = [];
  for (let slot = Math.ceil(now / every) * every; slot <= now + HORIZON_MS; slot += every)
    if (slot >= since.getTime()) result.push(slot);
  return result;
}

/** The job id of one slot: the same in every process, so the database keeps one job per slot. */
function slotId(key: string, version: number, slot: number): string {
  const hex = createHash("sha256").update(`${key}\u0000${version}\u0000${slot}`).digest("hex");
  const variant = (Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8; // RFC 9562: 10xx
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-` +
    `${variant.toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  );
}

/** Per-tenant run limits from tenant.json files (`limits.concurrentRuns`), for pg-boss group tiers. */
async function tenantLimits(tenantsDir: string, report: ProblemReporter): Promise<Record<string, number>> {
  const tiers: Record<string, number> = {};
  const ids = await listTenantIds(tenantsDir).catch((error: unknown) => {
    report(`worker: reading the tenants in ${tenantsDir} for their run limits (none applied)`, error);
    return [];
  });
  for (const id of ids) {
    const limit = await loadTenantConfig(tenantsDir, id).then(
      (config) => config.config.limits.concurrentRuns,
      (error: unknown) => report(`worker: tenant ${id}'s tenant.json (its run limit is not applied)`, error),
    );
    if (limit !== undefined) tiers[id] = limit;
  }
  return tiers;
}
