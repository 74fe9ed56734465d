/**
 * Runs, their journals, the bundles they run and the saved state of workflows. No rules here:
 * the run service decides; this stores, atomically where it matters (a run's completion and its
 * saved state are one transaction; claiming a run for resume is one conditional update).
 */
import { and, asc, desc, eq, getTableColumns, isNull, lt, or, sql } from "drizzle-orm";
import type { LogLine, RunError, RunTrigger, ToolOutcome } from "../core/records.ts";
import type { Db } from "./database.ts";
import { bundles, journalEntries, runs, webhookDeliveries, workflowState } from "./schema.ts";

export type BundleRow = typeof bundles.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
export type JournalRow = typeof journalEntries.$inferSelect;
export type RunStatus = RunRow["status"];
/** A tool call as the journal records it when it begins. */
export type StartedCall = {
  runId: string;
  seq: number;
  integration: string;
  tool: string;
  args: unknown;
  argsHash: string;
  attempt: number;
  source: string;
  startedAt: Date;
};
export type FinishedCall = StartedCall & {
  status: "succeeded" | "failed";
  outcome: ToolOutcome;
  finishedAt: Date;
};

export class RunRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** When this process last dropped deliveries older than the replay window (epoch ms). */
  #prunedAt = Number.NEGATIVE_INFINITY;

  /**
   * Claims a signed webhook delivery: true for the first time it is seen, false for a repeat. Rows
   * older than `keepMs` are dropped now and then (at most once a minute, or twice a window, by each
   * process), so the table holds about one replay window of deliveries; a row kept a little longer
   * changes nothing, since a delivery that old is refused by its timestamp before it is claimed.
   */
  async claimDelivery(
    delivery: { tenantId: string; workflow: string; signature: string },
    now: Date,
    keepMs: number,
  ): Promise<boolean> {
    if (now.getTime() - this.#prunedAt >= Math.min(60_000, keepMs / 2)) {
      this.#prunedAt = now.getTime();
      await this.#db
        .delete(webhookDeliveries)
        .where(lt(webhookDeliveries.receivedAt, new Date(now.getTime() - keepMs)));
    }
    const claimed = await this.#db
      .insert(webhookDeliveries)
      .values({ ...delivery, receivedAt: now })
      .onConflictDoNothing()
      .returning({ signature: webhookDeliveries.signature });
    return claimed.length === 1;
  }

  /**
   * Gives a claimed delivery back when its run could not be started, so the sender's retry is not taken for a repeat.
   */
  async releaseDelivery(delivery: { tenantId: string; workflow: string; signature: string }): Promise<void> {
    await this.#db
      .delete(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.tenantId, delivery.tenantId),
          eq(webhookDeliveries.workflow, delivery.workflow),
          eq(webhookDeliveries.signature, delivery.signature),
        ),
      );
  }

  async saveBundle(bundle: typeof bundles.$inferInsert): Promise<void> {
    await this.#db.insert(bundles).values(bundle).onConflictDoNothing();
  }

  async bundle(hash: string): Promise<BundleRow | undefined> {
    return (await this.#db.select().from(bundles).where(eq(bundles.hash, hash)))[0];
  }

  /** Creates a run; its `stateBefore` is read from the workflow's saved state in the same statement. */
  async createRun(run: Omit<typeof runs.$inferInsert, "stateBefore">): Promise<RunRow> {
    const saved = sql`select ${workflowState.state} from ${workflowState}
      where ${workflowState.tenantId} = ${run.tenantId} and ${workflowState.workflow} = ${run.workflow}`;
    const stateBefore = sql`coalesce((${saved}), '{}'::jsonb)`;
    const rows = await this.#db
      .insert(runs)
      .values({ ...run, stateBefore })
      .returning();
    const row = rows[0];
    if (!row) throw new Error("insert returned no run");
    return row;
  }

  async run(id: string): Promise<RunRow | undefined> {
    return (await this.#db.select().from(runs).where(eq(runs.id, id)))[0];
  }

  /** The run a queued job started, if it started one (by the indexed job id). */
  async runOfJob(jobId: string): Promise<RunRow | undefined> {
    return (await this.#db.select().from(runs).where(eq(runs.jobId, jobId)).orderBy(desc(runs.createdAt)).limit(1))[0];
  }

  /**
   * A tenant's runs, newest first, optionally of one workflow, in one status, started by one kind of
   * trigger, or (a page after another) created before a time.
   */
  async list(filter: {
    tenantId: string;
    workflow?: string | undefined;
    status?: RunStatus | undefined;
    trigger?: RunTrigger["type"] | undefined;
    before?: Date | undefined;
    /** The run a page ended with: the next page starts after it (creation time, then id, so none is skipped). */
    after?: string | undefined;
    limit?: number;
  }): Promise<Omit<RunRow, "logs">[]> {
    const conditions = [eq(runs.tenantId, filter.tenantId)];
    if (filter.workflow) conditions.push(eq(runs.workflow, filter.workflow));
    if (filter.status) conditions.push(eq(runs.status, filter.status));
    if (filter.trigger) conditions.push(sql`${runs.trigger}->>'type' = ${filter.trigger}`);
    if (filter.before) conditions.push(lt(runs.createdAt, filter.before));
    if (filter.after && /^[0-9a-f-]{36}$/i.test(filter.after)) {
      const cursor = sql`(select c.created_at, c.id from ${runs} c
        where c.id = ${filter.after} and c.tenant_id = ${filter.tenantId})`;
      conditions.push(sql`(${runs.createdAt}, ${runs.id}) < ${cursor}`);
    }
    const { logs: _logs, ...columns } = getTableColumns(runs);
    return this.#db
      .select(columns)
      .from(runs)
      .where(and(...conditions))
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(Math.min(filter.limit ?? 50, 500));
  }

  /** How many of a tenant's runs are in a status. */
  async countRuns(tenantId: string, status: RunStatus): Promise<number> {
    const rows = await this.#db
      .select({ n: sql<number>`count(*)::int` })
      .from(runs)
      .where(and(eq(runs.tenantId, tenantId), eq(runs.status, status)));
    return rows[0]?.n ?? 0;
  }

  /** Asks a running run to stop at its next tool call; false when it is not running. */
  async requestCancel(id: string): Promise<boolean> {
    const rows = await this.#db
      .update(runs)
      .set({ cancelRequestedAt: new Date() })
      .where(and(eq(runs.id, id), eq(runs.status, "running")))
      .returning({ id: runs.id });
    return rows.length > 0;
  }

  /**
   * Renews a running run's lease for the process holding it (`attempt`: a process that took the
   * run over raised it): `held` is false when the run is no longer this process's to run; and
   * whether a cancel has been requested.
   */
  async renewLease(id: string, attempt: number, until: Date): Promise<{ held: boolean; cancelRequested: boolean }> {
    const rows = await this.#db
      .update(runs)
      .set({ leaseUntil: until })
      .where(and(eq(runs.id, id), eq(runs.status, "running"), eq(runs.attempts, attempt)))
      .returning({ cancel: runs.cancelRequestedAt });
    return { held: rows.length > 0, cancelRequested: rows[0]?.cancel != null };
  }

  /**
   * Gives up this process's hold on a running run (it stopped at a call boundary), so another
   * process may resume it now.
   */
  async releaseLease(id: string, attempt: number): Promise<void> {
    await this.#db
      .update(runs)
      .set({ leaseUntil: new Date(0) })
      .where(and(eq(runs.id, id), eq(runs.status, "running"), eq(runs.attempts, attempt)));
  }

  /** Running runs whose lease ran out before `now`: no process is on them (the longest-lost first). */
  async orphans(now: Date, limit = 100): Promise<Pick<RunRow, "id" | "tenantId" | "workflow" | "attempts">[]> {
    return this.#db
      .select({ id: runs.id, tenantId: runs.tenantId, workflow: runs.workflow, attempts: runs.attempts })
      .from(runs)
      .where(and(eq(runs.status, "running"), lt(runs.leaseUntil, now)))
      .orderBy(asc(runs.leaseUntil))
      .limit(limit);
  }

  /** Takes over a running run whose lease has passed; undefined when it is not resumable now. */
  async claim(id: string, leaseUntil: Date, now: Date): Promise<RunRow | undefined> {
    const rows = await this.#db
      .update(runs)
      .set({ leaseUntil, attempts: sql`${runs.attempts} + 1` })
      .where(and(eq(runs.id, id), eq(runs.status, "running"), or(isNull(runs.leaseUntil), lt(runs.leaseUntil, now))))
      .returning();
    return rows[0];
  }

  async journal(runId: string): Promise<JournalRow[]> {
    return this.#db
      .select()
      .from(journalEntries)
      .where(eq(journalEntries.runId, runId))
      .orderBy(asc(journalEntries.seq));
  }

  /**
   * Journals a call as started, only for the process that holds the run (`holder`: its attempt)
   * and only once per place in the run: false when another process took the run over, or already
   * began this call. The run's row is locked meanwhile, so a takeover waits for this write and its
   * replay then sees the call as started (in doubt), never as not made. `finished`: calls that wait
   * to be written (safe to repeat), written in the same statement.
   */
  async beginCall(entry: StartedCall, holder: number, finished: FinishedCall[] = []): Promise<boolean> {
    // One statement (one round trip, one commit): lock the run row if this attempt holds it, write
    // the finished calls waiting to be written, and add the "started" row only if the run is held.
    const held = this.#db.$with("held").as(
      this.#db
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.id, entry.runId), eq(runs.status, "running"), eq(runs.attempts, holder)))
        .for("update"),
    );
    const ctes =
      finished.length > 0
        ? [
            held,
            this.#db.$with("journal_written").as(this.#upsertCalls(finished).returning({ seq: journalEntries.seq })),
          ]
        : [held];
    const begun = await this.#db
      .with(...ctes)
      .insert(journalEntries)
      .select((qb) =>
        qb
          .select({
            runId: sql`${held.id}`.as("run_id"),
            seq: sql`${entry.seq}::integer`.as("seq"),
            integration: sql`${entry.integration}::text`.as("integration"),
            tool: sql`${entry.tool}::text`.as("tool"),
            args: sql`${JSON.stringify(entry.args)}::jsonb`.as("args"),
            argsHash: sql`${entry.argsHash}::text`.as("args_hash"),
            status: sql`'started'`.as("status"),
            outcome: sql`null::jsonb`.as("outcome"),
            attempt: sql`${entry.attempt}::integer`.as("attempt"),
            source: sql`${entry.source}::text`.as("source"),
            startedAt: sql`${entry.startedAt.toISOString()}::timestamptz`.as("started_at"),
            finishedAt: sql`null::timestamptz`.as("finished_at"),
          })
          .from(held),
      )
      .onConflictDoNothing()
      .returning({ seq: journalEntries.seq });
    return begun.length > 0;
  }

  /** Records finished calls in one write (calls that are safe to repeat need no "started" row). */
  async recordCalls(entries: FinishedCall[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#upsertCalls(entries);
  }

  /** Finished calls written over what the journal has for their places (a "started" row, or a replayed attempt's). */
  #upsertCalls(entries: FinishedCall[]) {
    return this.#db
      .insert(journalEntries)
      .values(entries)
      .onConflictDoUpdate({
        target: [journalEntries.runId, journalEntries.seq],
        set: {
          status: sql`excluded.status`,
          outcome: sql`excluded.outcome`,
          attempt: sql`excluded.attempt`,
          startedAt: sql`excluded.started_at`,
          finishedAt: sql`excluded.finished_at`,
          source: sql`excluded.source`,
        },
      });
  }

  async finishCall(
    runId: string,
    seq: number,
    result: { status: "succeeded" | "failed"; outcome: ToolOutcome; finishedAt: Date },
  ): Promise<void> {
    await this.#db
      .update(journalEntries)
      .set(result)
      .where(and(eq(journalEntries.runId, runId), eq(journalEntries.seq, seq)));
  }

  async state(tenantId: string, workflow: string): Promise<Record<string, unknown>> {
    const row = (
      await this.#db
        .select()
        .from(workflowState)
        .where(and(eq(workflowState.tenantId, tenantId), eq(workflowState.workflow, workflow)))
    )[0];
    return row?.state ?? {};
  }

  /**
   * Ends a run, with its last journal entries and, when it succeeded with changed state, that
   * state: one statement (data-modifying CTEs), so it is atomic without a transaction's round trips.
   */
  async complete(
    run: { id: string; tenantId: string; workflow: string; attempts: number },
    result: {
      status: Exclude<RunStatus, "running">;
      output: unknown;
      error: RunError | null;
      logs: LogLine[] | null;
      state: Record<string, unknown> | null;
      finishedAt: Date;
      calls?: FinishedCall[];
    },
  ): Promise<void> {
    const calls = result.calls ?? [];
    const ctes = [];
    if (calls.length > 0) {
      ctes.push(this.#db.$with("journal_written").as(this.#upsertCalls(calls).returning({ seq: journalEntries.seq })));
    }
    if (result.status === "succeeded" && result.state) {
      ctes.push(
        this.#db.$with("state_written").as(
          this.#db
            .insert(workflowState)
            .values({ tenantId: run.tenantId, workflow: run.workflow, state: result.state, updatedByRun: run.id })
            .onConflictDoUpdate({
              target: [workflowState.tenantId, workflowState.workflow],
              set: { state: result.state, updatedByRun: run.id, updatedAt: new Date() },
            })
            .returning({ workflow: workflowState.workflow }),
        ),
      );
    }
    await this.#db
      .with(...ctes)
      .update(runs)
      .set({
        status: result.status,
        output: result.output,
        error: result.error,
        logs: result.logs,
        finishedAt: result.finishedAt,
        leaseUntil: null,
      })
      .where(and(eq(runs.id, run.id), eq(runs.status, "running"), eq(runs.attempts, run.attempts)));
  }
}
