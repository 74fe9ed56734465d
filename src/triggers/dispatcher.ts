/**
 * Runs dispatched through pg-boss, on the same database as everything else (PGlite through
 * pg-boss's adapter, or PostgreSQL). Workers take run jobs from one queue and run the workflow's
 * approved version; the scheduler keeps one pg-boss schedule per schedule trigger of every
 * approved version, keyed "<tenant>/<workflow>/<n>", and removes schedules whose version is no
 * longer active. pg-boss claims each cron occurrence once across all processes, so a schedule
 * fires once per tick however many workers run.
 */
import { fromPglite, PgBoss } from "pg-boss";
import type { WorkflowTrigger } from "../core/workflow.ts";
import type { Database, VersionRepository } from "../store/index.ts";
import type { Env } from "../config/env.ts";
import type { McpClientPool } from "../mcp/index.ts";
import type { VersionService } from "../versions/index.ts";
import { ResourceTriggers } from "./resource-triggers.ts";

export const RUN_QUEUE = "charter-runs";

export type RunJob = { tenantId: string; workflow: string; input: Record<string, unknown>; trigger: "schedule" | "manual" | "webhook" | "resource"; schedule?: string };

export type DispatcherEvent = { event: "run-dispatched" | "run-finished" | "schedules-synced" | "subscriptions-synced" | "dispatcher-error"; detail: Record<string, unknown> };

export class Dispatcher {
  readonly #boss: PgBoss;
  readonly #versions: VersionService;
  readonly #repository: VersionRepository;
  readonly #onEvent: (event: DispatcherEvent) => void;
  #timer: NodeJS.Timeout | undefined;
  #resources: ResourceTriggers | undefined;

  private constructor(boss: PgBoss, resources: { versions: VersionService; versionRepository: VersionRepository }, onEvent: (event: DispatcherEvent) => void) {
    this.#boss = boss;
    this.#versions = resources.versions;
    this.#repository = resources.versionRepository;
    this.#onEvent = onEvent;
  }

  static async start(
    resources: { database: Database; versions: VersionService; versionRepository: VersionRepository },
    options: {
      worker: boolean;
      scheduler: boolean;
      pollSeconds?: number;
      onEvent?: (event: DispatcherEvent) => void;
      /** With these, the scheduler also subscribes to the MCP resources that approved versions are triggered by. */
      subscriptions?: { pool: McpClientPool; env: Env; processEnv: Record<string, string | undefined> };
    },
  ): Promise<Dispatcher> {
    const raw = resources.database.raw;
    const common = { schedule: options.scheduler, supervise: true, cronWorkerIntervalSeconds: 1, cronMonitorIntervalSeconds: 1 };
    const boss = raw.kind === "pglite" ? new PgBoss({ ...common, db: fromPglite(raw.client), backend: "pglite" }) : new PgBoss({ ...common, connectionString: raw.url, max: 4 });
    const onEvent = options.onEvent ?? (() => {});
    boss.on("error", (error: Error) => onEvent({ event: "dispatcher-error", detail: { message: error.message } }));
    await boss.start();
    await boss.createQueue(RUN_QUEUE).catch(() => undefined); // exists already
    const dispatcher = new Dispatcher(boss, resources, onEvent);
    if (options.worker) {
      await boss.work<RunJob>(RUN_QUEUE, { pollingIntervalSeconds: options.pollSeconds ?? 1, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) await dispatcher.#run(job.id, job.data);
      });
    }
    if (options.scheduler) {
      if (options.subscriptions) {
        dispatcher.#resources = new ResourceTriggers({ ...options.subscriptions, versionRepository: resources.versionRepository, start: (job) => dispatcher.enqueue(job), onEvent });
      }
      await dispatcher.syncTriggers();
      dispatcher.#timer = setInterval(() => void dispatcher.syncTriggers().catch((error: Error) => onEvent({ event: "dispatcher-error", detail: { message: error.message } })), 15_000);
    }
    return dispatcher;
  }

  /** Queues a run of a workflow's approved version; a worker picks it up. */
  async enqueue(job: RunJob): Promise<string | null> {
    return this.#boss.send(RUN_QUEUE, job);
  }

  /** Brings schedules and resource subscriptions in line with the approved versions (done every 15 s, and callable after a decision). */
  async syncTriggers(): Promise<void> {
    await this.syncSchedules();
    const subscribed = await this.#resources?.sync();
    if (subscribed !== undefined) this.#onEvent({ event: "subscriptions-synced", detail: { resources: subscribed } });
  }

  /** Makes pg-boss's schedules match the schedule triggers of the approved versions. */
  async syncSchedules(): Promise<number> {
    const wanted = new Map<string, { cron: string; timezone?: string | undefined; job: RunJob }>();
    for (const version of await this.#repository.allActiveVersions()) {
      const triggers = ((version.triggers as { triggers?: WorkflowTrigger[] }).triggers ?? []).filter((t) => t.type === "schedule");
      triggers.forEach((trigger, index) => {
        const key = `${version.tenantId}/${version.workflow}/${index}`;
        wanted.set(key, { cron: trigger.cron, timezone: trigger.timezone, job: { tenantId: version.tenantId, workflow: version.workflow, input: {}, trigger: "schedule", schedule: key } });
      });
    }
    for (const [key, schedule] of wanted) await this.#boss.schedule(RUN_QUEUE, schedule.cron, schedule.job, { key, ...(schedule.timezone ? { tz: schedule.timezone } : {}) });
    for (const existing of await this.#boss.getSchedules(RUN_QUEUE)) {
      const key = (existing as { key?: string }).key ?? "";
      if (!wanted.has(key)) await this.#boss.unschedule(RUN_QUEUE, key);
    }
    this.#onEvent({ event: "schedules-synced", detail: { schedules: wanted.size } });
    return wanted.size;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#resources?.stop();
    await this.#boss.stop({ graceful: true, timeout: 20_000 });
  }

  async #run(jobId: string, job: RunJob): Promise<void> {
    this.#onEvent({ event: "run-dispatched", detail: { job: jobId, tenant: job.tenantId, workflow: job.workflow, trigger: job.trigger } });
    try {
      const result = await this.#versions.runActive({ tenantId: job.tenantId, workflow: job.workflow, input: job.input, trigger: { type: job.trigger, ...(job.schedule ? { detail: { schedule: job.schedule, job: jobId } } : { detail: { job: jobId } }) } });
      this.#onEvent({ event: "run-finished", detail: { job: jobId, run: result.runId, status: result.status } });
    } catch (error) {
      // A run that cannot start (not approved, drifted, tampered) is reported and not retried.
      this.#onEvent({ event: "dispatcher-error", detail: { job: jobId, tenant: job.tenantId, workflow: job.workflow, message: error instanceof Error ? error.message : String(error) } });
    }
  }
}
