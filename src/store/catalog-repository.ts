/**
 * Tenants, integrations, catalog snapshots and sync records. Each integration's sync result is
 * written in one transaction: a snapshot is never stored without the integration pointing at it
 * and the sync that produced it.
 */
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { CatalogContent, CredentialState } from "../core/catalog.ts";
import type { Db } from "./database.ts";
import { catalogSnapshots, integrationSyncs, integrations, tenants } from "./schema.ts";

export type StoredSnapshot = { id: string; hash: string; content: CatalogContent; createdAt: Date };

export type SyncRecord = {
  tenantId: string;
  integrationId: string;
  transport: "stdio" | "http";
  configHash: string;
  credentialState: CredentialState;
  startedAt: Date;
} & (
  | { outcome: "snapshot"; hash: string; content: CatalogContent; previousSnapshotId: string | null; changes: unknown }
  | { outcome: "failed"; errorCode: string; errorMessage: string }
);

export type SyncStatus = "unchanged" | "changed" | "new" | "failed";

export class CatalogRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Creates or renames a tenant from its config file. */
  async upsertTenant(tenant: { id: string; name: string; configHash: string }): Promise<void> {
    await this.#db
      .insert(tenants)
      .values(tenant)
      .onConflictDoUpdate({
        target: tenants.id,
        set: { name: tenant.name, configHash: tenant.configHash, updatedAt: new Date() },
      });
  }

  /** Makes sure a tenant row exists (for users and keys made before its first sync); never changes one. */
  async ensureTenant(id: string): Promise<void> {
    await this.#db.insert(tenants).values({ id, name: id, configHash: "" }).onConflictDoNothing();
  }

  /** The integration's current snapshot, if it was ever synced. */
  async currentSnapshot(tenantId: string, integrationId: string): Promise<StoredSnapshot | undefined> {
    const rows = await this.#db
      .select({
        id: catalogSnapshots.id,
        hash: catalogSnapshots.hash,
        content: catalogSnapshots.content,
        createdAt: catalogSnapshots.createdAt,
      })
      .from(integrations)
      .innerJoin(catalogSnapshots, eq(integrations.currentSnapshotId, catalogSnapshots.id))
      .where(and(eq(integrations.tenantId, tenantId), eq(integrations.id, integrationId)));
    return rows[0];
  }

  /** The current snapshot of every configured integration of a tenant that was ever synced, by integration id. */
  async currentCatalog(tenantId: string): Promise<{ integrationId: string; hash: string; content: CatalogContent }[]> {
    return this.#db
      .select({ integrationId: integrations.id, hash: catalogSnapshots.hash, content: catalogSnapshots.content })
      .from(integrations)
      .innerJoin(catalogSnapshots, eq(integrations.currentSnapshotId, catalogSnapshots.id))
      .where(and(eq(integrations.tenantId, tenantId), eq(integrations.configured, true)))
      .orderBy(asc(integrations.id));
  }

  /** Stores the result of syncing one integration, atomically; returns what happened. */
  async recordSync(record: SyncRecord): Promise<{ status: SyncStatus; snapshotId: string | null }> {
    return this.#db.transaction(async (tx) => {
      const key = and(eq(integrations.tenantId, record.tenantId), eq(integrations.id, record.integrationId));
      const existing = (await tx.select().from(integrations).where(key))[0];
      const common = {
        tenantId: record.tenantId,
        integrationId: record.integrationId,
        credentialState: record.credentialState,
        startedAt: record.startedAt,
      };
      if (record.outcome === "failed") {
        if (existing) {
          await tx
            .update(integrations)
            .set({ credentialState: record.credentialState, configured: true, updatedAt: new Date() })
            .where(key);
        } else {
          await tx.insert(integrations).values({
            tenantId: record.tenantId,
            id: record.integrationId,
            transport: record.transport,
            configHash: record.configHash,
            credentialState: record.credentialState,
          });
        }
        await tx.insert(integrationSyncs).values({
          ...common,
          status: "failed",
          previousSnapshotId: existing?.currentSnapshotId ?? null,
          errorCode: record.errorCode,
          errorMessage: record.errorMessage,
        });
        return { status: "failed" as const, snapshotId: existing?.currentSnapshotId ?? null };
      }

      await tx
        .insert(catalogSnapshots)
        .values({
          tenantId: record.tenantId,
          integrationId: record.integrationId,
          hash: record.hash,
          content: record.content,
        })
        .onConflictDoNothing();
      const snapshot = (
        await tx
          .select({ id: catalogSnapshots.id })
          .from(catalogSnapshots)
          .where(
            and(
              eq(catalogSnapshots.tenantId, record.tenantId),
              eq(catalogSnapshots.integrationId, record.integrationId),
              eq(catalogSnapshots.hash, record.hash),
            ),
          )
      )[0];
      if (!snapshot) throw new Error("catalog snapshot vanished inside its own transaction");
      const status: SyncStatus = !existing?.currentSnapshotId
        ? "new"
        : existing.currentSnapshotId === snapshot.id
          ? "unchanged"
          : "changed";
      const values = {
        transport: record.transport,
        configHash: record.configHash,
        currentSnapshotId: snapshot.id,
        credentialState: record.credentialState,
        configured: true,
        updatedAt: new Date(),
      };
      if (existing) await tx.update(integrations).set(values).where(key);
      else await tx.insert(integrations).values({ tenantId: record.tenantId, id: record.integrationId, ...values });
      await tx.insert(integrationSyncs).values({
        ...common,
        status,
        snapshotId: snapshot.id,
        previousSnapshotId: record.previousSnapshotId,
        changes: status === "changed" ? record.changes : null,
      });
      return { status, snapshotId: snapshot.id };
    });
  }

  /** Marks integrations that are no longer in the tenant's file; their snapshots and history stay. */
  async markUnconfigured(tenantId: string, keep: readonly string[]): Promise<string[]> {
    const rows = await this.#db
      .select({ id: integrations.id, configured: integrations.configured })
      .from(integrations)
      .where(eq(integrations.tenantId, tenantId));
    const gone = rows.filter((row) => row.configured && !keep.includes(row.id)).map((row) => row.id);
    if (gone.length > 0) {
      await this.#db
        .update(integrations)
        .set({ configured: false, updatedAt: new Date() })
        .where(and(eq(integrations.tenantId, tenantId), inArray(integrations.id, gone)));
    }
    return gone;
  }

  async listIntegrations(tenantId: string) {
    return this.#db
      .select()
      .from(integrations)
      .where(eq(integrations.tenantId, tenantId))
      .orderBy(asc(integrations.id));
  }

  async countSnapshots(tenantId: string, integrationId?: string): Promise<number> {
    const where =
      integrationId === undefined
        ? eq(catalogSnapshots.tenantId, tenantId)
        : and(eq(catalogSnapshots.tenantId, tenantId), eq(catalogSnapshots.integrationId, integrationId));
    return (await this.#db.select({ id: catalogSnapshots.id }).from(catalogSnapshots).where(where)).length;
  }

  /** Each integration's last sync (one row per integration that was ever synced). */
  async lastSyncs(tenantId: string) {
    return this.#db
      .selectDistinctOn([integrationSyncs.integrationId])
      .from(integrationSyncs)
      .where(eq(integrationSyncs.tenantId, tenantId))
      .orderBy(integrationSyncs.integrationId, desc(integrationSyncs.finishedAt));
  }

  async recentSyncs(tenantId: string, limit = 50) {
    return this.#db
      .select()
      .from(integrationSyncs)
      .where(eq(integrationSyncs.tenantId, tenantId))
      .orderBy(desc(integrationSyncs.finishedAt))
      .limit(limit);
  }
}
