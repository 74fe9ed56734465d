/**
 * The console's planning jobs: a request (or an answer to the planner's question) being planned in
 * this process, in the background, so that the form that started it answers at once and its page
 * follows it. A job keeps its owner (tenant and user: nobody else sees it), what was asked, the
 * progress lines so far, and, once it ended, its outcome: a draft, the planner's question or
 * refusal, or a failure. States: running → ended.
 *
 * Bounded: at most `max` jobs (ended ones are dropped oldest first to make room; when all are
 * running no job starts), at most `runningPerUser` running for one user, `maxLines` lines a job;
 * an ended job is dropped `ttlMs` after it ended. Jobs live in memory only: a restart loses the
 * page that follows a planning, never its result (the draft and the planning session are stored).
 */
import { randomBytes } from "node:crypto";
import { CharterError, type ErrorCode, PlannerDeclined } from "../core/errors.ts";
import type { ProblemReporter } from "../core/problems.ts";
import type { PlannerProgress, PlanResult } from "../planner/index.ts";

export type PlanningOutcome =
  | { kind: "draft"; versionId: string; label: string; status: string; planner: string }
  | {
      kind: "declined";
      outcome: "refused" | "needs-input";
      clause: string;
      reason: string;
      options: string[];
      /** The stored planning session an answer continues. */
      session: string | undefined;
    }
  | { kind: "failed"; code: ErrorCode | "INTERNAL"; message: string };

export type PlanningJob = {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  /** A new request, or the answer to an earlier job's question. */
  readonly kind: "plan" | "answer";
  /** The request, or the answer. */
  readonly text: string;
  /** The version a revision starts from (workflow@n or an id). */
  readonly from: string | undefined;
  readonly startedAt: Date;
  readonly lines: string[];
  outcome: PlanningOutcome | undefined;
  endedAt: Date | undefined;
};

type Owner = { tenantId: string; userId: string };

const MAX_LINE = 4000;

/** A progress event as one line of text (as `charter plan` prints it). */
export function progressLine(progress: PlannerProgress): string {
  switch (progress.event) {
    case "turn":
      return (
        `turn ${progress.turn} (${progress.inputTokens} in, ${progress.cacheReadTokens} cached, ` +
        `${progress.outputTokens} out tokens)`
      );
    case "tool":
      return `· ${progress.summary}`;
    case "checked":
      return `${progress.ok ? "✓" : "✗"} ${progress.summary}`;
  }
}

export class PlanningJobs {
  readonly #jobs = new Map<string, PlanningJob>();
  readonly #watchers = new Map<string, Set<() => void>>();
  readonly #onProblem: ProblemReporter;
  readonly #max: number;
  readonly #runningPerUser: number;
  readonly #maxLines: number;
  readonly #ttlMs: number;

  constructor(options: {
    onProblem: ProblemReporter;
    max?: number;
    runningPerUser?: number;
    maxLines?: number;
    ttlMs?: number;
  }) {
    this.#onProblem = options.onProblem;
    this.#max = options.max ?? 200;
    this.#runningPerUser = options.runningPerUser ?? 3;
    this.#maxLines = options.maxLines ?? 500;
    this.#ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  }

  /**
   * Starts `work` in the background as a job of `owner`; "busy" when the owner already has as many
   * running as allowed, or every place is taken by a running job.
   */
  start(
    owner: Owner,
    asked: { kind: "plan" | "answer"; text: string; from?: string | undefined },
    work: (onProgress: (progress: PlannerProgress) => void) => Promise<PlanResult>,
  ): PlanningJob | "busy" {
    this.#sweep();
    const running = [...this.#jobs.values()].filter((j) => !j.outcome);
    if (running.filter((j) => j.userId === owner.userId).length >= this.#runningPerUser) return "busy";
    if (this.#jobs.size >= this.#max) {
      const oldestEnded = [...this.#jobs.values()].find((j) => j.outcome);
      if (!oldestEnded) return "busy";
      this.#jobs.delete(oldestEnded.id);
    }
    const job: PlanningJob = {
      id: randomBytes(16).toString("base64url"),
      tenantId: owner.tenantId,
      userId: owner.userId,
      kind: asked.kind,
      text: asked.text,
      from: asked.from,
      startedAt: new Date(),
      lines: [],
      outcome: undefined,
      endedAt: undefined,
    };
    this.#jobs.set(job.id, job);
    const onProgress = (progress: PlannerProgress) => this.#add(job, progress);
    // The job's outcome is where its result and its failures go: the promise is never left unhandled.
    void work(onProgress).then(
      (result) =>
        this.#end(job, {
          kind: "draft",
          versionId: result.version.id,
          label: `${result.version.workflow}@${result.version.number}`,
          status: result.version.status,
          planner: result.planner,
        }),
      (error: unknown) => this.#end(job, this.#failure(error)),
    );
    return job;
  }

  /** The owner's job by id (another user's, or a job that ended long ago, is not found). */
  get(id: string, owner: Owner): PlanningJob | undefined {
    this.#sweep();
    const job = this.#jobs.get(id);
    return job && job.tenantId === owner.tenantId && job.userId === owner.userId ? job : undefined;
  }

  /** The owner's jobs, newest first. */
  of(owner: Owner): PlanningJob[] {
    this.#sweep();
    return [...this.#jobs.values()].filter((j) => j.tenantId === owner.tenantId && j.userId === owner.userId).reverse();
  }

  /** Calls `listener` at each new line and when the job ends; returns how to stop. */
  watch(job: PlanningJob, listener: () => void): () => void {
    const set = this.#watchers.get(job.id) ?? new Set();
    set.add(listener);
    this.#watchers.set(job.id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#watchers.get(job.id) === set) this.#watchers.delete(job.id);
    };
  }

  #add(job: PlanningJob, progress: PlannerProgress): void {
    if (job.outcome || job.lines.length > this.#maxLines) return;
    const line = progressLine(progress);
    job.lines.push(
      job.lines.length === this.#maxLines
        ? "… (later lines are not kept)"
        : line.length > MAX_LINE
          ? `${line.slice(0, MAX_LINE)} …`
          : line,
    );
    this.#notify(job);
  }

  #end(job: PlanningJob, outcome: PlanningOutcome): void {
    job.outcome = outcome;
    job.endedAt = new Date();
    this.#notify(job);
    this.#watchers.delete(job.id);
  }

  #notify(job: PlanningJob): void {
    for (const listener of this.#watchers.get(job.id) ?? []) listener();
  }

  #failure(error: unknown): PlanningOutcome {
    if (error instanceof PlannerDeclined)
      return {
        kind: "declined",
        outcome: error.outcome,
        clause: error.clause,
        reason: error.reason,
        options: error.options,
        session: error.session,
      };
    if (error instanceof CharterError) return { kind: "failed", code: error.code, message: error.message };
    // Not an answer the person can act on: it goes to the process's problems, the page says only that it failed.
    this.#onProblem("console planning job", error);
    return { kind: "failed", code: "INTERNAL", message: "Charter failed while planning; it is logged; try again" };
  }

  #sweep(): void {
    const expired = Date.now() - this.#ttlMs;
    for (const job of this.#jobs.values())
      if (job.endedAt && job.endedAt.getTime() < expired) this.#jobs.delete(job.id);
  }
}
