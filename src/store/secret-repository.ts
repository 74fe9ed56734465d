/** Sealed secrets of integrations (see `integrationSecrets` in schema.ts): stored and read as opaque text. */
import { and, eq } from "drizzle-orm";
import type { Db } from "./database.ts";
import { integrationSecrets } from "./schema.ts";

export type SecretKind = "oauth";

const row = (tenantId: string, integrationId: string, kind: SecretKind) =>
  and(
    eq(integrationSecrets.tenantId, tenantId),
    eq(integrationSecrets.integrationId, integrationId),
    eq(integrationSecrets.kind, kind),
  );

export class SecretRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async read(tenantId: string, integrationId: string, kind: SecretKind): Promise<string | undefined> {
    const rows = await this.#db
      .select({ sealed: integrationSecrets.sealed })
      .from(integrationSecrets)
      .where(row(tenantId, integrationId, kind));
    return rows[0]?.sealed;
  }

  async write(tenantId: string, integrationId: string, kind: SecretKind, sealed: string): Promise<void> {
    await this.#db
      .insert(integrationSecrets)
      .values({ tenantId, integrationId, kind, sealed })
      .onConflictDoUpdate({
        target: [integrationSecrets.tenantId, integrationSecrets.integrationId, integrationSecrets.kind],
        set: { sealed, updatedAt: new Date() },
      });
  }

  async remove(tenantId: string, integrationId: string, kind: SecretKind): Promise<void> {
    await this.#db.delete(integrationSecrets).where(row(tenantId, integrationId, kind));
  }
}
