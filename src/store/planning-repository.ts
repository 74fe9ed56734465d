/**
 * Planning sessions: a planning run that ended with a question or a refusal is kept, so an answer
 * continues it where it stopped instead of starting over; a session that led to a draft names it.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./database.ts";
import { planningSessions } from "./schema.ts";

export type PlanningSessionRow = typeof planningSessions.$inferSelect;
export type PlanningStatus = PlanningSessionRow["status"];
export type NewPlanningSession = Omit<typeof planningSessions.$inferInsert, "id" | "createdAt" | "updatedAt">;

export class PlanningRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async create(session: NewPlanningSession): Promise<PlanningSessionRow> {
    const row = (await this.#db.insert(planningSessions).values(session).returning())[0];
    if (!row) throw new Error("insert returned no planning session");
    return row;
  }

  async byId(tenantId: string, id: string): Promise<PlanningSessionRow | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return (
      await this.#db
        .select()
        .from(planningSessions)
        .where(and(eq(planningSessions.tenantId, tenantId), eq(planningSessions.id, id)))
    )[0];
  }

  /** The author's most recent session in the tenant that waits for an answer (a question or a refusal). */
  async latestOpen(tenantId: string, authorId: string): Promise<PlanningSessionRow | undefined> {
    const rows = await this.#db
      .select()
      .from(planningSessions)
      .where(
        and(
          eq(planningSessions.tenantId, tenantId),
          eq(planningSessions.authorId, authorId),
          inArray(planningSessions.status, ["needs-input", "refused"]),
        ),
      )
      .orderBy(desc(planningSessions.updatedAt))
      .limit(1);
    return rows[0];
  }

  /**
   * Moves a session on from the revision it was read at; the moved row, or undefined when another
   * request moved it first, so two answers to the same question cannot both continue it.
   */
  async advance(
    session: PlanningSessionRow,
    change: Partial<
      Pick<
        PlanningSessionRow,
        | "status"
        | "answers"
        | "question"
        | "conversation"
        | "transcript"
        | "usage"
        | "versionId"
        | "planner"
        | "workspace"
      >
    >,
  ): Promise<PlanningSessionRow | undefined> {
    const rows = await this.#db
      .update(planningSessions)
      .set({ ...change, revision: session.revision + 1, updatedAt: new Date() })
      .where(and(eq(planningSessions.id, session.id), eq(planningSessions.revision, session.revision)))
      .returning();
    return rows[0];
  }
}
