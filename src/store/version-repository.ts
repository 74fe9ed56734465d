/**
 * Workflows, versions, approvals and the audit log. Each lifecycle step is one transaction that
 * checks the state it expects (a conditional update) and writes its audit entry, so two
 * concurrent decisions cannot both succeed and no decision goes unrecorded.
 */
import { and, desc, eq, getTableColumns, inArray, lt, ne, sql } from "drizzle-orm";
import type { ApprovalHashes, Drift } from "../core/records.ts";
import type { Db } from "./database.ts";
import { approvals, auditLog, users, versions, workflows } from "./schema.ts";

export type VersionRow = typeof versions.$inferSelect;
export type VersionGateState = Pick<VersionRow, "id" | "tenantId" | "workflow" | "number" | "status" | "drift">;
export type VersionStatus = VersionRow["status"];
export type ApprovalRow = typeof approvals.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type AuditEntry = {
  tenantId: string;
  actorId: string | null;
  action: string;
  workflow?: string | null;
  versionId?: string | null;
  detail?: Record<string, unknown> | null;
};
export type NewVersion = Omit<typeof versions.$inferInsert, "id" | "number" | "createdAt">;

export class VersionRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Inserts the next version of a workflow (numbered 1, 2, …) with its audit entry. */
  async create(version: NewVersion, audit: Omit<AuditEntry, "versionId">): Promise<VersionRow> {
    return this.#db.transaction(async (tx) => {
      await tx.insert(workflows).values({ tenantId: version.tenantId, name: version.workflow }).onConflictDoNothing();
      // Lock the workflow row so concurrent creates get distinct numbers.
      await tx.execute(
        sql`select 1 from ${workflows}
          where ${workflows.tenantId} = ${version.tenantId} and ${workflows.name} = ${version.workflow} for update`,
      );
      const last = await tx
        .select({ number: versions.number })
        .from(versions)
        .where(and(eq(versions.tenantId, version.tenantId), eq(versions.workflow, version.workflow)))
        .orderBy(desc(versions.number))
        .limit(1);
      const rows = await tx
        .insert(versions)
        .values({ ...version, number: (last[0]?.number ?? 0) + 1 })
        .returning();
      const row = rows[0];
      if (!row) throw new Error("insert returned no version");
      await tx.insert(auditLog).values({ ...audit, versionId: row.id });
      return row;
    });
  }

  async byId(id: string): Promise<VersionRow | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return (await this.#db.select().from(versions).where(eq(versions.id, id)))[0];
  }

  /** What the run gate reads of a version at every run (its status and drift), without its source, gates or plan. */
  async gateState(id: string): Promise<VersionGateState | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return (
      await this.#db
        .select({
          id: versions.id,
          tenantId: versions.tenantId,
          workflow: versions.workflow,
          number: versions.number,
          status: versions.status,
          drift: versions.drift,
        })
        .from(versions)
        .where(eq(versions.id, id))
    )[0];
  }

  async byNumber(tenantId: string, workflow: string, number: number): Promise<VersionRow | undefined> {
    return (
      await this.#db
        .select()
        .from(versions)
        .where(and(eq(versions.tenantId, tenantId), eq(versions.workflow, workflow), eq(versions.number, number)))
    )[0];
  }

  async list(tenantId: string, workflow?: string): Promise<VersionRow[]> {
    const where =
      workflow === undefined
        ? eq(versions.tenantId, tenantId)
        : and(eq(versions.tenantId, tenantId), eq(versions.workflow, workflow));
    return this.#db.select().from(versions).where(where).orderBy(versions.workflow, versions.number);
  }

  /**
   * A tenant's versions in some statuses, newest first, at most `limit`: by one author, or by anyone
   * but one (what waits for a reviewer is never their own).
   */
  async inStatus(
    tenantId: string,
    statuses: readonly VersionStatus[],
    options: { author?: string; notAuthor?: string; workflow?: string; limit?: number } = {},
  ): Promise<VersionRow[]> {
    const conditions = [eq(versions.tenantId, tenantId), inArray(versions.status, [...statuses])];
    if (options.workflow) conditions.push(eq(versions.workflow, options.workflow));
    if (options.author) conditions.push(eq(versions.authorId, options.author));
    if (options.notAuthor) conditions.push(ne(versions.authorId, options.notAuthor));
    return this.#db
      .select()
      .from(versions)
      .where(and(...conditions))
      .orderBy(desc(versions.createdAt))
      .limit(Math.min(options.limit ?? 50, 500));
  }

  /** One page of a workflow's versions, newest first, and how many it has. */
  async pageOf(
    tenantId: string,
    workflow: string,
    page: { offset: number; limit: number },
  ): Promise<{ rows: VersionRow[]; total: number }> {
    const where = and(eq(versions.tenantId, tenantId), eq(versions.workflow, workflow));
    const [rows, counted] = await Promise.all([
      this.#db
        .select()
        .from(versions)
        .where(where)
        .orderBy(desc(versions.number))
        .offset(page.offset)
        .limit(Math.min(page.limit, 500)),
      this.#db.select({ n: sql<number>`count(*)::int` }).from(versions).where(where),
    ]);
    return { rows, total: counted[0]?.n ?? 0 };
  }

  /** How many of a tenant's versions have drifted from their catalog. */
  async countDrifted(tenantId: string): Promise<number> {
    const rows = await this.#db
      .select({ n: sql<number>`count(*)::int` })
      .from(versions)
      .where(and(eq(versions.tenantId, tenantId), eq(versions.status, "drifted")));
    return rows[0]?.n ?? 0;
  }

  /** How many of a tenant's versions wait for review by someone other than `reviewer`. */
  async countAwaitingReview(tenantId: string, reviewer: string): Promise<number> {
    const rows = await this.#db
      .select({ n: sql<number>`count(*)::int` })
      .from(versions)
      .where(and(eq(versions.tenantId, tenantId), eq(versions.status, "in-review"), ne(versions.authorId, reviewer)));
    return rows[0]?.n ?? 0;
  }

  /** Every approved (active) version of every tenant: what the scheduler keeps schedules for. */
  async allActiveVersions(): Promise<VersionRow[]> {
    return this.#db.select().from(versions).where(eq(versions.status, "approved"));
  }

  /**
   * The tenant's versions that drifted: still their workflow's active version, refused until the catalog fits again.
   */
  async driftedVersions(tenantId: string): Promise<VersionRow[]> {
    return this.#db
      .select()
      .from(versions)
      .where(and(eq(versions.tenantId, tenantId), eq(versions.status, "drifted")));
  }

  async activeVersions(tenantId: string): Promise<VersionRow[]> {
    return this.#db
      .select()
      .from(versions)
      .where(and(eq(versions.tenantId, tenantId), eq(versions.status, "approved")));
  }

  async activeVersion(tenantId: string, workflow: string): Promise<VersionRow | undefined> {
    const rows = await this.#db
      .select({ version: versions })
      .from(workflows)
      .innerJoin(versions, eq(workflows.activeVersionId, versions.id))
      .where(and(eq(workflows.tenantId, tenantId), eq(workflows.name, workflow)));
    return rows[0]?.version;
  }

  async approvals(versionId: string): Promise<ApprovalRow[]> {
    return this.#db.select().from(approvals).where(eq(approvals.versionId, versionId)).orderBy(approvals.createdAt);
  }

  async audit(tenantId: string): Promise<AuditRow[]> {
    return this.#db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(auditLog.at, auditLog.id);
  }

  /**
   * A page of a tenant's audit log, newest first, with each entry's actor handle and version
   * number: optionally of one action or workflow, before a time, and after the entry `after` (the
   * last of the page before; entries of the same instant are ordered by id, so none is skipped or
   * shown twice).
   */
  async auditPage(filter: {
    tenantId: string;
    action?: string | undefined;
    workflow?: string | undefined;
    before?: Date | undefined;
    after?: string | undefined;
    limit?: number;
  }): Promise<(AuditRow & { actorHandle: string | null; versionNumber: number | null })[]> {
    const conditions = [eq(auditLog.tenantId, filter.tenantId)];
    if (filter.action) conditions.push(eq(auditLog.action, filter.action));
    if (filter.workflow) conditions.push(eq(auditLog.workflow, filter.workflow));
    if (filter.before) conditions.push(lt(auditLog.at, filter.before));
    if (filter.after) {
      const cursor = sql`(select c.at, c.id from ${auditLog} c
        where c.id = ${filter.after} and c.tenant_id = ${filter.tenantId})`;
      conditions.push(sql`(${auditLog.at}, ${auditLog.id}) < ${cursor}`);
    }
    return this.#db
      .select({ ...getTableColumns(auditLog), actorHandle: users.handle, versionNumber: versions.number })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .leftJoin(versions, eq(versions.id, auditLog.versionId))
      .where(and(...conditions))
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(Math.min(filter.limit ?? 50, 500));
  }

  /** The actions a tenant's audit log holds (for filtering it). */
  async auditActions(tenantId: string): Promise<string[]> {
    const rows = await this.#db
      .selectDistinct({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.tenantId, tenantId))
      .orderBy(auditLog.action);
    return rows.map((row) => row.action);
  }

  /** The names of a tenant's workflows, in order. */
  async workflowNames(tenantId: string): Promise<string[]> {
    const rows = await this.#db
      .select({ name: workflows.name })
      .from(workflows)
      .where(eq(workflows.tenantId, tenantId))
      .orderBy(workflows.name);
    return rows.map((row) => row.name);
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.#db.insert(auditLog).values(entry);
  }

  /**
   * Moves a version from one status to another, with an audit entry, and optionally records a
   * decision and activates the version (superseding the one active before). Returns false, changing
   * nothing, when the version is no longer in `from` (someone else decided first).
   */
  async transition(step: {
    version: VersionRow;
    from: readonly VersionStatus[];
    to: VersionStatus;
    audit: AuditEntry;
    decision?: { userId: string; decision: "approve" | "reject"; comment: string; hashes: ApprovalHashes };
    activate?: boolean;
    drift?: Drift | null;
  }): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const moved = await tx
        .update(versions)
        .set({ status: step.to, ...(step.drift === undefined ? {} : { drift: step.drift }) })
        .where(and(eq(versions.id, step.version.id), inArray(versions.status, [...step.from])))
        .returning({ id: versions.id });
      if (moved.length === 0) return false;
      if (step.decision) await tx.insert(approvals).values({ versionId: step.version.id, ...step.decision });
      if (step.activate) {
        const current = await tx
          .select({ id: workflows.activeVersionId })
          .from(workflows)
          .where(and(eq(workflows.tenantId, step.version.tenantId), eq(workflows.name, step.version.workflow)))
          .for("update");
        const previous = current[0]?.id;
        if (previous && previous !== step.version.id) {
          await tx
            .update(versions)
            .set({ status: "superseded" })
            .where(and(eq(versions.id, previous), inArray(versions.status, ["approved", "drifted"])));
        }
        await tx
          .update(workflows)
          .set({ activeVersionId: step.version.id })
          .where(and(eq(workflows.tenantId, step.version.tenantId), eq(workflows.name, step.version.workflow)));
      }
      await tx.insert(auditLog).values(step.audit);
      return true;
    });
  }

  /** Records an approval that does not yet activate the version (the first of two required). */
  async addApproval(
    version: VersionRow,
    decision: { userId: string; comment: string; hashes: ApprovalHashes },
    audit: AuditEntry,
  ): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const still = await tx
        .select({ status: versions.status })
        .from(versions)
        .where(eq(versions.id, version.id))
        .for("update");
      if (still[0]?.status !== "in-review") return false;
      // One decision per reviewer: a concurrent second one from the same reviewer inserts nothing.
      const added = await tx
        .insert(approvals)
        .values({ versionId: version.id, decision: "approve", ...decision })
        .onConflictDoNothing()
        .returning({ id: approvals.id });
      if (added.length === 0) return false;
      await tx.insert(auditLog).values(audit);
      return true;
    });
  }

  /** Records drift found on a version without blocking it (compatible changes only). */
  async noteDrift(version: VersionRow, drift: Drift, audit: AuditEntry): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.update(versions).set({ drift }).where(eq(versions.id, version.id));
      await tx.insert(auditLog).values(audit);
    });
  }
}
