/**
 * One database interface with two implementations: embedded PGlite in a data folder (the default)
 * and a PostgreSQL server through postgres.js. Both run the same drizzle migrations from
 * `drizzle/`, so repositories never know which one they talk to.
 */
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { PGlite } from "@electric-sql/pglite";
import type * as schema from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly kind: "embedded" | "server";
  /** Where the data lives: a folder, "memory", or a server URL without its password. */
  readonly location: string;
  readonly db: Db;
  /** What a job queue (pg-boss) connects with: the same PGlite instance, or the server's URL. */
  readonly raw: { kind: "pglite"; client: PGlite } | { kind: "postgres"; url: string };
  /** Calls `onPayload` with each NOTIFY on `channel` (any process, on commit) until the returned function is called. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Applies every migration in `drizzle/` that has not been applied yet. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));
