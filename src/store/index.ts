export type { Database, Db } from "./database.ts";
export { MIGRATIONS_FOLDER } from "./database.ts";
export { openEmbeddedDatabase, dumpMigratedSnapshot } from "./embedded.ts";
export type { EmbeddedOptions } from "./embedded.ts";
export { openServerDatabase, withoutPassword } from "./server.ts";
export { openDatabase } from "./open.ts";
export { CatalogRepository } from "./catalog-repository.ts";
export type { StoredSnapshot, SyncRecord, SyncStatus } from "./catalog-repository.ts";
export { lockDataDir } from "./data-dir-lock.ts";
