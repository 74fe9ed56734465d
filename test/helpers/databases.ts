/**
 * Test databases on both drivers. The embedded one loads a snapshot of a freshly migrated PGlite,
 * cached on disk per migration set (initdb in WASM takes seconds, loading a snapshot a fraction of
 * that). Each PostgreSQL test database is created new and dropped after, so parallel runs never meet.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import {
  type Database,
  dumpMigratedSnapshot,
  MIGRATIONS_FOLDER,
  openEmbeddedDatabase,
  openServerDatabase,
} from "../../src/store/index.ts";

export const ADMIN_URL = process.env["CHARTER_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const CACHE_DIR = path.join(import.meta.dirname, "../../node_modules/.cache/charter");

export type Driver = "embedded" | "server";
export const DRIVERS: Driver[] = ["embedded", "server"];

/** A migrated, empty database of the given driver, removed again by its close(). */
export async function testDatabase(driver: Driver): Promise<Database> {
  return driver === "embedded" ? embeddedTestDatabase() : serverTestDatabase();
}

export async function embeddedTestDatabase(): Promise<Database> {
  const database = await openEmbeddedDatabase({ memory: true, snapshot: await migratedSnapshot() });
  await database.migrate(); // a no-op on the snapshot, but proves it is current
  return database;
}

/** One snapshot per process: parallel callers in the same process share it instead of racing to write it. */
let snapshot: Promise<Blob> | undefined;
function migratedSnapshot(): Promise<Blob> {
  if (!snapshot) {
    snapshot = loadOrDumpSnapshot();
    snapshot.catch(() => (snapshot = undefined)); // a failed dump is tried again by the next caller
  }
  return snapshot;
}

async function loadOrDumpSnapshot(): Promise<Blob> {
  const files = (await readdir(MIGRATIONS_FOLDER, { recursive: true })).sort();
  const digest = createHash("sha256");
  for (const file of files)
    digest.update(file).update(await readFile(path.join(MIGRATIONS_FOLDER, file)).catch(() => Buffer.alloc(0)));
  const file = path.join(CACHE_DIR, `pglite-migrated-${digest.digest("hex").slice(0, 16)}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const blob = await dumpMigratedSnapshot();
    await mkdir(CACHE_DIR, { recursive: true });
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(temporary, Buffer.from(await blob.arrayBuffer()));
    await rename(temporary, file); // atomic: a parallel test process never reads half a file
    return blob;
  }
}

export async function serverTestDatabase(): Promise<Database> {
  const name = `charter_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    throw new Error(
      `cannot create a test database on ${ADMIN_URL} (is PostgreSQL running? set CHARTER_TEST_DATABASE_URL): ${(error as Error).message}`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openServerDatabase(url.toString(), { max: 4 });
  await database.migrate();
  return {
    ...database,
    migrate: () => database.migrate(),
    async close() {
      await database.close();
      const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
