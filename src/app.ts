/**
 * The one place where real implementations are wired together. Everything below receives what it
 * needs from here; tests build their own resources the same way with their own parts.
 */
import { CatalogService, OAuthVault } from "./catalog/index.ts";
import { Sealer } from "./config/sealer.ts";
import { type Env, parseEnv } from "./config/env.ts";
import { type ProblemReporter, reportToStderr } from "./core/problems.ts";
import { McpClientPool } from "./mcp/index.ts";
import { liveTools, plannerReads, RunEnds, RunService, withRetries } from "./runs/index.ts";
import { releaseIdleIsolates } from "./sandbox/index.ts";
import {
  CatalogRepository,
  type Database,
  IdentityRepository,
  openDatabase,
  PlanningRepository,
  RunRepository,
  SecretRepository,
  VersionRepository,
} from "./store/index.ts";
import { loadTenantConfig } from "./config/tenant-config.ts";
import type { SyncProgress, TenantSyncResult } from "./catalog/index.ts";
import { type Drift, VersionService } from "./versions/index.ts";
import { PlannerService } from "./planner/index.ts";
import { TenantToolchain } from "./toolchain/index.ts";

export type App = {
  env: Env;
  database: Database;
  pool: McpClientPool;
  catalogs: CatalogRepository;
  catalogService: CatalogService;
  /** Integrations' OAuth tokens, sealed in the database. */
  oauth: OAuthVault;
  toolchain: TenantToolchain;
  runs: RunService;
  /** Wakes callers waiting for runs to end (the database notifies each end). */
  runEnds: RunEnds;
  runRepository: RunRepository;
  identity: IdentityRepository;
  versionRepository: VersionRepository;
  versions: VersionService;
  planner: PlannerService;
  /** Where failures of background work go (no caller waits for them); stderr as JSON lines by default. */
  onProblem: ProblemReporter;
  /** Syncs a tenant's catalogs and, when anything changed, re-checks its active versions for drift. */
  sync(
    tenantId: string,
    onProgress?: (progress: SyncProgress) => void,
    options?: { fresh?: boolean },
  ): Promise<{ result: TenantSyncResult; drift: { version: string; drifted: boolean; drift: Drift }[] }>;
  close(): Promise<void>;
};

/** Opens the database (migrating it) and builds Charter's services. */
export async function createApp(
  options: {
    processEnv?: Record<string, string | undefined>;
    cwd?: string;
    database?: Database;
    onProblem?: ProblemReporter;
  } = {},
): Promise<App> {
  const onProblem = options.onProblem ?? reportToStderr;
  const processEnv = options.processEnv ?? process.env;
  const env = parseEnv(processEnv, options.cwd ?? process.cwd());
  const database = options.database ?? (await openDatabase(env));
  let sealer: Promise<Sealer> | undefined;
  const oauth = new OAuthVault(new SecretRepository(database.db), () => {
    sealer ??= Sealer.fromFile(env.secretsKeyFile).catch((error: unknown) => {
      sealer = undefined; // read it again next time (a key file restored, a folder made)
      throw error;
    });
    return sealer;
  });
  const pool = new McpClientPool({
    idleCloseMs: env.mcp.idleCloseMs,
    maxOpen: env.mcp.maxConnections,
    authProvider: (settings) => oauth.provider(settings),
    onProblem,
  });
  const catalogs = new CatalogRepository(database.db);
  const catalogService = new CatalogService({ env, processEnv, repository: catalogs, pool, oauth });
  const runRepository = new RunRepository(database.db);
  const runs = new RunService({
    repository: runRepository,
    leaseMs: env.runLeaseMs,
    onProblem,
    tools: async (tenantId) => withRetries(await liveTools({ env, processEnv, pool, tenantId })),
  });
  const runEnds = new RunEnds(database);
  const identity = new IdentityRepository(database.db);
  const versionRepository = new VersionRepository(database.db);
  const toolchain = new TenantToolchain({ catalogs });
  const versions = new VersionService({
    versions: versionRepository,
    identity,
    toolchain,
    runRepository,
    runs,
    policy: async (tenantId) => (await loadTenantConfig(env.tenantsDir, tenantId)).config.policies,
  });
  const planner = new PlannerService({
    env,
    toolchain,
    catalogs,
    versions,
    sessions: new PlanningRepository(database.db),
    live: plannerReads({ env, processEnv, pool }),
  });
  return {
    env,
    database,
    pool,
    catalogs,
    catalogService,
    oauth,
    toolchain,
    runs,
    runEnds,
    runRepository,
    identity,
    versionRepository,
    versions,
    planner,
    onProblem,
    async sync(tenantId, onProgress, options) {
      const result = await catalogService.syncTenant(tenantId, onProgress, options);
      const changed =
        result.integrations.some((i) => i.status === "changed" || i.status === "new") || result.unconfigured.length > 0;
      const drift = changed ? await versions.checkDrift(tenantId) : [];
      return { result, drift };
    },
    async close() {
      await releaseIdleIsolates();
      await runEnds.close();
      await pool.closeAll();
      await database.close();
    },
  };
}
