/**
 * One database interface with two implementations: embedded PGlite in a data folder (the default)
 * and a PostgreSQL server through postgres.js. Both run the same drizzle migrations from
 * `drizzle/`, so repositories never know which one they talk to.
 */
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly kind: "embedded" | "server";
  /** Where the data lives: a folder, "memory", or a server URL without its password. */
  readonly location: string;
  readonly db: Db;
  /** Applies every migration in `drizzle/` that has not been applied yet. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));
