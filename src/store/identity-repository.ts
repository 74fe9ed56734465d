/**
 * Users, their roles per tenant, and API keys. A key is shown once when made and stored only as
 * its sha256; every key belongs to one user, so decisions made with any key are that user's.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db } from "./database.ts";
import { apiKeys, consoleSessions, tenantRoles, users } from "./schema.ts";

export const ROLES = ["author", "reviewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type UserRow = typeof users.$inferSelect;

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export class IdentityRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** The user with this handle, created when new. */
  async ensureUser(handle: string, displayName?: string): Promise<UserRow> {
    await this.#db
      .insert(users)
      .values({ handle, displayName: displayName ?? null })
      .onConflictDoNothing();
    const row = (await this.#db.select().from(users).where(eq(users.handle, handle)))[0];
    if (!row) throw new Error(`user ${handle} was not stored`);
    return row;
  }

  async userByHandle(handle: string): Promise<UserRow | undefined> {
    return (await this.#db.select().from(users).where(eq(users.handle, handle)))[0];
  }

  /** Grants a role; `by` is the user who granted it over the API (null on the server itself). */
  async grant(tenantId: string, userId: string, role: Role, by: string | null = null): Promise<void> {
    await this.#db.insert(tenantRoles).values({ tenantId, userId, role, grantedBy: by }).onConflictDoNothing();
  }

  /**
   * The users who control a user in a tenant, directly or through others: whoever granted any of
   * the user's roles, or minted any of the user's keys (revoked ones too: the minter held the key
   * while it lived), and in turn whoever controls them. The server itself (null) is no one.
   */
  async controllers(tenantId: string, userId: string): Promise<Set<string>> {
    const found = new Set<string>();
    for (let next = [userId]; next.length > 0; ) {
      const granted = await this.#db
        .selectDistinct({ by: tenantRoles.grantedBy })
        .from(tenantRoles)
        .where(and(eq(tenantRoles.tenantId, tenantId), inArray(tenantRoles.userId, next)));
      const minted = await this.#db
        .selectDistinct({ by: apiKeys.createdBy })
        .from(apiKeys)
        .where(and(eq(apiKeys.tenantId, tenantId), inArray(apiKeys.userId, next)));
      next = [];
      for (const { by } of [...granted, ...minted]) {
        if (by !== null && !found.has(by)) {
          found.add(by);
          next.push(by);
        }
      }
    }
    return found;
  }

  async roles(tenantId: string, userId: string): Promise<Set<Role>> {
    const rows = await this.#db
      .select({ role: tenantRoles.role })
      .from(tenantRoles)
      .where(and(eq(tenantRoles.tenantId, tenantId), eq(tenantRoles.userId, userId)));
    return new Set(rows.map((row) => row.role));
  }

  /** The tenants where the user has any role. */
  async tenantsOf(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectDistinct({ tenantId: tenantRoles.tenantId })
      .from(tenantRoles)
      .where(eq(tenantRoles.userId, userId));
    return rows.map((row) => row.tenantId).sort();
  }

  /** Makes a key for a user in a tenant; the returned key is the only copy. */
  async createKey(
    tenantId: string,
    userId: string,
    by: string | null = null,
    mintedWith: string | null = null,
  ): Promise<string> {
    const key = `chk_${randomBytes(24).toString("base64url")}`;
    await this.#db
      .insert(apiKeys)
      .values({ prefix: key.slice(0, 12), hash: hashKey(key), userId, tenantId, createdBy: by, mintedWith });
    return key;
  }

  /**
   * Who besides the user may hold one of the user's live keys in a tenant: a key minted over the
   * API went to whoever made that request (its minter), and to whoever held the key that made it,
   * and so on up. Keys made on the server (charter keys create) name no one. Handles, sorted.
   */
  async otherKeyHolders(tenantId: string, userId: string): Promise<string[]> {
    const holders = new Set<string>();
    const seen = new Set<string>();
    const columns = { userId: apiKeys.userId, createdBy: apiKeys.createdBy, mintedWith: apiKeys.mintedWith };
    let keys = await this.#db
      .select(columns)
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
    while (keys.length > 0) {
      const parents: string[] = [];
      for (const key of keys) {
        // Whoever holds a key: its own user, and whoever minted it (the request's answer went to them).
        for (const holder of [key.userId, key.createdBy]) if (holder !== null && holder !== userId) holders.add(holder);
        if (key.mintedWith !== null && !seen.has(key.mintedWith)) {
          seen.add(key.mintedWith);
          parents.push(key.mintedWith);
        }
      }
      keys =
        parents.length === 0
          ? []
          : await this.#db.select(columns).from(apiKeys).where(inArray(apiKeys.prefix, parents));
    }
    if (holders.size === 0) return [];
    const rows = await this.#db
      .select({ handle: users.handle })
      .from(users)
      .where(inArray(users.id, [...holders]));
    return rows.map((row) => row.handle).sort();
  }

  /** Revokes a key by its visible prefix (only within `tenantId` when given); later requests with it are refused. */
  async revokeKey(prefix: string, tenantId?: string): Promise<boolean> {
    const conditions = [
      eq(apiKeys.prefix, prefix),
      isNull(apiKeys.revokedAt),
      ...(tenantId ? [eq(apiKeys.tenantId, tenantId)] : []),
    ];
    const rows = await this.#db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(...conditions))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /** The user and tenant a key stands for, unless it is unknown or revoked. */
  async resolveKey(key: string): Promise<{ user: UserRow; tenantId: string; prefix: string } | undefined> {
    const rows = await this.#db
      .select({ user: users, tenantId: apiKeys.tenantId, prefix: apiKeys.prefix })
      .from(apiKeys)
      .innerJoin(users, eq(apiKeys.userId, users.id))
      .where(and(eq(apiKeys.hash, hashKey(key)), isNull(apiKeys.revokedAt)));
    return rows[0];
  }

  /**
   * Starts a console session for the holder of `key` (null when the key is unknown or revoked): the
   * session token (for the cookie) and its CSRF token. Only the token's hash is stored.
   */
  async startConsoleSession(
    key: string,
    lifetimeMs: number,
  ): Promise<{ token: string; csrf: string; tenantId: string; user: UserRow } | undefined> {
    const found = await this.#db
      .select({ id: apiKeys.id, tenantId: apiKeys.tenantId, user: users })
      .from(apiKeys)
      .innerJoin(users, eq(apiKeys.userId, users.id))
      .where(and(eq(apiKeys.hash, hashKey(key)), isNull(apiKeys.revokedAt)));
    const row = found[0];
    if (!row) return undefined;
    // Sessions a day past their end are of no use to anyone: they go as new ones come.
    const dayAgo = new Date(Date.now() - 24 * 60 * 60 * 1000);
    await this.#db
      .delete(consoleSessions)
      .where(or(lt(consoleSessions.expiresAt, dayAgo), lt(consoleSessions.endedAt, dayAgo)));
    const token = `chs_${randomBytes(32).toString("base64url")}`;
    const csrf = randomBytes(32).toString("base64url");
    await this.#db.insert(consoleSessions).values({
      tokenHash: hashKey(token),
      keyId: row.id,
      csrf,
      expiresAt: new Date(Date.now() + lifetimeMs),
    });
    return { token, csrf, tenantId: row.tenantId, user: row.user };
  }

  /** The live session of a token: not ended, not expired, its key not revoked. */
  async consoleSession(
    token: string,
  ): Promise<{ user: UserRow; tenantId: string; prefix: string; csrf: string } | undefined> {
    const rows = await this.#db
      .select({ user: users, tenantId: apiKeys.tenantId, prefix: apiKeys.prefix, csrf: consoleSessions.csrf })
      .from(consoleSessions)
      .innerJoin(apiKeys, eq(consoleSessions.keyId, apiKeys.id))
      .innerJoin(users, eq(apiKeys.userId, users.id))
      .where(
        and(
          eq(consoleSessions.tokenHash, hashKey(token)),
          isNull(consoleSessions.endedAt),
          gt(consoleSessions.expiresAt, new Date()),
          isNull(apiKeys.revokedAt),
        ),
      );
    return rows[0];
  }

  /** Ends a console session (sign out); a token that names none changes nothing. */
  async endConsoleSession(token: string): Promise<void> {
    await this.#db
      .update(consoleSessions)
      .set({ endedAt: new Date() })
      .where(and(eq(consoleSessions.tokenHash, hashKey(token)), isNull(consoleSessions.endedAt)));
  }
}
