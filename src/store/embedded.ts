/**
 * The embedded database: PGlite (PostgreSQL compiled to WASM) in `<dataDir>/pgdata`, behind the
 * data folder lock. Tests open it in memory from a prepared snapshot, because initdb in WASM
 * takes seconds and a snapshot loads in a fraction of that.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { StoreError } from "../core/errors.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { type Database, type Db, MIGRATIONS_FOLDER } from "./database.ts";
import * as schema from "./schema.ts";

export type EmbeddedOptions =
  | { dataDir: string }
  /** In memory, optionally starting from a `dumpDataDir()` snapshot. */
  | { memory: true; snapshot?: Blob };

/** Opens (creating if needed) the embedded database. */
export async function openEmbeddedDatabase(options: EmbeddedOptions): Promise<Database> {
  if ("memory" in options) {
    const client = await PGlite.create(options.snapshot ? { loadDataDir: options.snapshot } : {});
    return wrap(client, "memory", () => {});
  }
  await mkdir(options.dataDir, { recursive: true });
  const lock = lockDataDir(options.dataDir);
  try {
    const client = await PGlite.create(path.join(options.dataDir, "pgdata"));
    return wrap(client, options.dataDir, () => lock.release());
  } catch (error) {
    lock.release();
    throw new StoreError(
      "DATABASE_UNAVAILABLE",
      `cannot open the embedded database in ${options.dataDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function wrap(client: PGlite, location: string, release: () => void): Database & { client: PGlite } {
  const pgliteDb = drizzle(client, { schema });
  return {
    kind: "embedded",
    location,
    db: pgliteDb as unknown as Db,
    client,
    raw: { kind: "pglite", client },
    async listen(channel, onPayload) {
      const unlisten = await client.listen(channel, onPayload);
      return () => unlisten();
    },
    async migrate() {
      try {
        await migrate(pgliteDb, { migrationsFolder: MIGRATIONS_FOLDER });
      } catch (error) {
        throw new StoreError(
          "MIGRATION_FAILED",
          `migrating the embedded database in ${location} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/** A snapshot of a freshly migrated empty database, for fast in-memory copies. */
export async function dumpMigratedSnapshot(): Promise<Blob> {
  const database = await openEmbeddedDatabase({ memory: true });
  await database.migrate();
  const blob = await (database as Database & { client: PGlite }).client.dumpDataDir("none");
  await database.close();
  return blob;
}
