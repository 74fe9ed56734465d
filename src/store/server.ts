/**
 * PostgreSQL through postgres.js, chosen when DATABASE_URL is set. Migrations run under an
 * advisory lock so that several Charter processes starting together apply them once.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { StoreError } from "../core/errors.ts";
import { type Database, type Db, MIGRATIONS_FOLDER } from "./database.ts";
import * as schema from "./schema.ts";

const MIGRATION_LOCK_KEY = 0x63686172; // "char"

/** Connects to PostgreSQL and checks that it answers. */
export async function openServerDatabase(url: string, options: { max?: number } = {}): Promise<Database> {
  const location = withoutPassword(url);
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new StoreError(
      "DATABASE_UNAVAILABLE",
      `cannot reach PostgreSQL at ${location}: ${(error as Error).message}. Is the server running, ` +
        `and is DATABASE_URL right?`,
      { cause: error },
    );
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    kind: "server",
    location,
    db,
    raw: { kind: "postgres", url },
    async listen(channel, onPayload) {
      // postgres.js listens on a connection of its own, and listens again after it reconnects.
      const { unlisten } = await client.listen(channel, onPayload);
      return unlisten;
    },
    async migrate() {
      // One connection of its own, so the advisory lock and the migration share a session.
      const single = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        await migrate(drizzle(single, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
      } catch (error) {
        throw new StoreError("MIGRATION_FAILED", `migrating ${location} failed: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        await single.end({ timeout: 5 }).catch(() => {}); // ending the session releases the lock
      }
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** The URL with any password replaced, safe to print. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
