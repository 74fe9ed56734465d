/**
 * The one place where real implementations are wired together. Everything below receives what it
 * needs from here; tests build their own resources the same way with their own parts.
 */
import { CatalogService } from "./catalog/index.ts";
import { type Env, parseEnv } from "./config/env.ts";
import { McpClientPool } from "./mcp/index.ts";
import { liveTools, RunService, withRetries } from "./runs/index.ts";
import { CatalogRepository, type Database, openDatabase, RunRepository } from "./store/index.ts";
import { TenantToolchain } from "./toolchain/index.ts";

export type App = {
  env: Env;
  database: Database;
  pool: McpClientPool;
  catalogs: CatalogRepository;
  catalogService: CatalogService;
  toolchain: TenantToolchain;
  runs: RunService;
  runRepository: RunRepository;
  close(): Promise<void>;
};

/** Opens the database (migrating it) and builds Charter's services. */
export async function createApp(options: { processEnv?: Record<string, string | undefined>; cwd?: string; database?: Database } = {}): Promise<App> {
  const processEnv = options.processEnv ?? process.env;
  const env = parseEnv(processEnv, options.cwd ?? process.cwd());
  const database = options.database ?? (await openDatabase(env));
  const pool = new McpClientPool();
  const catalogs = new CatalogRepository(database.db);
  const catalogService = new CatalogService({ env, processEnv, repository: catalogs, pool });
  const runRepository = new RunRepository(database.db);
  const runs = new RunService({ repository: runRepository, leaseMs: env.runLeaseMs, tools: async (tenantId) => withRetries(await liveTools({ env, processEnv, pool, tenantId })) });
  return {
    env,
    database,
    pool,
    catalogs,
    catalogService,
    toolchain: new TenantToolchain({ catalogs }),
    runs,
    runRepository,
    async close() {
      await pool.closeAll();
      await database.close();
    },
  };
}
