import type { Database } from "./database.ts";
import { openEmbeddedDatabase } from "./embedded.ts";
import { openServerDatabase } from "./server.ts";

/** PostgreSQL when a URL is given, otherwise the embedded database in `dataDir`; migrated on open. */
export async function openDatabase(settings: { dataDir: string; databaseUrl: string | undefined }): Promise<Database> {
  const database = settings.databaseUrl
    ? await openServerDatabase(settings.databaseUrl)
    : await openEmbeddedDatabase({ dataDir: settings.dataDir });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
