/**
 * The process environment, parsed once at boot. A bad value stops Charter with a message that
 * names the variable; nothing else in the code reads `process.env` for Charter's own settings.
 */
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { modelProblem, type PlannerProvider } from "./models.ts";
import { Secret } from "./credentials.ts";

const positiveMs = z.coerce.number().int().positive().max(3_600_000);

/**
 * The folder Charter is installed in (the one holding its package.json): Charter home unless
 * CHARTER_HOME says otherwise.
 */
export const INSTALL_DIR = path.resolve(import.meta.dirname, "../..");

/**
 * Charter home: the folder every relative path setting (data, tenants, generated SDKs) starts
 * from, whatever folder Charter was started in (an MCP client starts it in `/` or its own folder).
 * CHARTER_HOME, relative to `cwd` if relative; by default the install folder.
 */
export function charterHome(source: Record<string, string | undefined>, cwd: string): string {
  return path.resolve(cwd, source["CHARTER_HOME"] || INSTALL_DIR);
}

const EnvSchema = z.object({
  CHARTER_HOME: z.string().min(1).optional(),
  CHARTER_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  CHARTER_TENANTS_DIR: z.string().min(1).optional(),
  CHARTER_GENERATED_DIR: z.string().min(1).optional(),
  CHARTER_SECRETS_KEY_FILE: z.string().min(1).optional(),
  CHARTER_MCP_CONNECT_TIMEOUT_MS: positiveMs.default(15_000),
  CHARTER_MCP_REQUEST_TIMEOUT_MS: positiveMs.default(30_000),
  CHARTER_RUN_LEASE_MS: positiveMs.default(30_000),
  CHARTER_MCP_RUN_WAIT_MS: positiveMs.default(25_000),
  /** A tool server connection unused this long is closed (its process ends); 0 keeps them open. */
  CHARTER_MCP_IDLE_CLOSE_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  CHARTER_MCP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
  CHARTER_MCP_ALLOWED_HOSTS: z.string().optional(),
  CHARTER_MCP_MAX_SESSIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
  CHARTER_OAUTH_ISSUER: z.url().optional(),
  CHARTER_PUBLIC_URL: z.url().optional(),
  CHARTER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  CHARTER_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  CHARTER_REQUEST_TIMEOUT_MS: positiveMs.default(30_000),
  CHARTER_WEBHOOK_KEY: z.string().min(1).optional(),
  CHARTER_API_KEY: z.string().min(1).optional(),
  CHARTER_HOST: z.string().min(1).default("127.0.0.1"),
  CHARTER_SERVE_WORKER: z.enum(["0", "1"], { message: "must be 0 (no worker beside serve) or 1" }).default("1"),
  CHARTER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  CHARTER_PLANNER_PROVIDER: z.enum(["anthropic", "bedrock", "vertex"]).default("anthropic"),
  AWS_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  ANTHROPIC_BEDROCK_BASE_URL: z.string().url().optional(),
  CLOUD_ML_REGION: z.string().min(1).optional(),
  ANTHROPIC_VERTEX_PROJECT_ID: z.string().min(1).optional(),
  ANTHROPIC_VERTEX_BASE_URL: z.string().url().optional(),
  CHARTER_PLANNER_MODEL: z.string().min(1).default("claude-sonnet-5-5"),
  CHARTER_PLANNER_MAX_TURNS: z.coerce.number().int().min(1).max(200).default(24),
  CHARTER_PLANNER_MAX_TOKENS: z.coerce.number().int().min(1000).max(10_000_000).default(600_000),
  CHARTER_PLANNER_MAX_MS: positiveMs.default(600_000),
  CHARTER_PLANNER_STREAM: z.enum(["0", "1"]).default("0"),
});

export type Env = {
  /** Charter home: where the relative paths below start from (see charterHome). */
  home: string;
  /** Folder of the embedded database and its lock; used when no DATABASE_URL is set. */
  dataDir: string;
  databaseUrl: string | undefined;
  tenantsDir: string;
  /** Where `charter sdk` writes tenant SDKs (generated/<tenant>/<catalog hash>/). */
  generatedDir: string;
  /** The key that seals secrets kept in the database (integrations' OAuth tokens); made on first use. */
  secretsKeyFile: string;
  /**
   * MCP: timeouts of the tenants' servers; how long a workflow tool call waits for its run; the
   * host names Charter's own /mcp endpoint answers to (DNS-rebinding protection; Origins too);
   * how many sessions it holds open at once.
   */
  mcp: {
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    runWaitMs: number;
    idleCloseMs: number;
    maxConnections: number;
    allowedHosts: string[];
    maxSessions: number;
    /** The authorization server whose access tokens /mcp takes beside API keys (none: API keys only). */
    oauthIssuer: string | undefined;
    /** The origin clients reach Charter at, for /mcp's resource identifier (default: the request's). */
    publicUrl: string | undefined;
  };
  /** How long a run stays claimed by its process without renewal before another may resume it. */
  runLeaseMs: number;
  /**
   * Runs a worker process takes at once, and runs one tenant may have going across all workers
   * (by default as many as one worker takes; a tenant's tenant.json `limits.concurrentRuns`
   * overrides it); on shutdown, how long
   * runs in flight may take to finish before they are handed back to other workers.
   */
  workers: { concurrency: number; tenantConcurrency: number; shutdownGraceMs: number };
  /** The longest an HTTP request may take (planning gets the planner's own limit). */
  requestTimeoutMs: number;
  /** The server key webhook secrets derive from (none: a key file made once in the data folder). */
  webhookKey: Secret | undefined;
  /** The API key the CLI acts with (CHARTER_API_KEY): its user and tenant. */
  apiKey: Secret | undefined;
  /** `charter serve`: the address it listens on, and whether a worker runs beside it. */
  serve: { host: string; worker: boolean };
  /**
   * The planner's model: Anthropic's API with a key, or Bedrock or Vertex by CHARTER_PLANNER_PROVIDER;
   * without any, the offline planner. Keys are Secrets: they print as [redacted].
   */
  planner: {
    provider: PlannerProvider;
    apiKey: Secret | undefined;
    baseUrl: string | undefined;
    model: string;
    maxTurns: number;
    maxTokens: number;
    maxMs: number;
    stream: boolean;
    bedrock: BedrockSettings;
    vertex: VertexSettings;
  };
};

export type BedrockSettings = {
  region: string | undefined;
  accessKeyId: Secret | undefined;
  secretAccessKey: Secret | undefined;
  sessionToken: Secret | undefined;
  baseUrl: string | undefined;
};
export type VertexSettings = { region: string | undefined; projectId: string | undefined; baseUrl: string | undefined };

/**
 * Parses Charter's settings from an environment (normally `process.env`). Relative paths start from
 * Charter home (CHARTER_HOME, itself relative to `cwd`; by default the install folder).
 */
export function parseEnv(source: Record<string, string | undefined>, cwd: string): Env {
  const blanksRemoved = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError("ENV_INVALID", `invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const provider = env.CHARTER_PLANNER_PROVIDER;
  const problems: string[] = [];
  // The model is checked when a model will be used: with a key, or a cloud provider chosen.
  if (env.ANTHROPIC_API_KEY || provider !== "anthropic") {
    const problem = modelProblem(env.CHARTER_PLANNER_MODEL, provider);
    if (problem) problems.push(`  CHARTER_PLANNER_MODEL: ${problem}`);
  }
  if (provider === "bedrock" && !env.AWS_REGION)
    problems.push("  AWS_REGION: Bedrock needs the AWS region of its endpoint (e.g. us-east-1)");
  if (provider === "bedrock" && Boolean(env.AWS_ACCESS_KEY_ID) !== Boolean(env.AWS_SECRET_ACCESS_KEY))
    problems.push(
      "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: give both, or neither (then the AWS credential chain is used)",
    );
  if (provider === "vertex" && !env.CLOUD_ML_REGION)
    problems.push("  CLOUD_ML_REGION: Vertex needs the region (e.g. us-east5, or global)");
  if (provider === "vertex" && !env.ANTHROPIC_VERTEX_PROJECT_ID)
    problems.push("  ANTHROPIC_VERTEX_PROJECT_ID: Vertex needs the Google Cloud project");
  if (env.CHARTER_OAUTH_ISSUER && !env.CHARTER_PUBLIC_URL)
    problems.push(
      "  CHARTER_PUBLIC_URL: with CHARTER_OAUTH_ISSUER, give the origin clients reach Charter at " +
        "(e.g. https://charter.example.com): access tokens must be for <it>/mcp, never for whatever a " +
        "request's Host header says",
    );
  if (problems.length > 0) throw new ConfigError("ENV_INVALID", `invalid environment:\n${problems.join("\n")}`);
  const secret = (value: string | undefined) => (value ? new Secret(value) : undefined);
  const home = charterHome({ CHARTER_HOME: env.CHARTER_HOME }, cwd);
  return {
    home,
    dataDir: path.resolve(home, env.CHARTER_DATA_DIR ?? ".charter"),
    databaseUrl: env.DATABASE_URL,
    tenantsDir: path.resolve(home, env.CHARTER_TENANTS_DIR ?? "tenants"),
    generatedDir: path.resolve(home, env.CHARTER_GENERATED_DIR ?? "generated"),
    secretsKeyFile: path.resolve(home, env.CHARTER_SECRETS_KEY_FILE ?? ".charter-secrets.key"),
    mcp: {
      connectTimeoutMs: env.CHARTER_MCP_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: env.CHARTER_MCP_REQUEST_TIMEOUT_MS,
      runWaitMs: env.CHARTER_MCP_RUN_WAIT_MS,
      idleCloseMs: env.CHARTER_MCP_IDLE_CLOSE_MS,
      maxConnections: env.CHARTER_MCP_MAX_CONNECTIONS,
      allowedHosts: [
        "localhost",
        "127.0.0.1",
        "[::1]",
        ...(env.CHARTER_MCP_ALLOWED_HOSTS ?? "")
          .split(",")
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      ],
      maxSessions: env.CHARTER_MCP_MAX_SESSIONS,
      oauthIssuer: env.CHARTER_OAUTH_ISSUER,
      publicUrl: env.CHARTER_PUBLIC_URL,
    },
    runLeaseMs: env.CHARTER_RUN_LEASE_MS,
    workers: {
      concurrency: env.CHARTER_WORKER_CONCURRENCY,
      tenantConcurrency: env.CHARTER_TENANT_CONCURRENCY ?? env.CHARTER_WORKER_CONCURRENCY,
      shutdownGraceMs: env.CHARTER_SHUTDOWN_GRACE_MS,
    },
    requestTimeoutMs: env.CHARTER_REQUEST_TIMEOUT_MS,
    webhookKey: secret(env.CHARTER_WEBHOOK_KEY),
    apiKey: secret(env.CHARTER_API_KEY),
    serve: { host: env.CHARTER_HOST, worker: env.CHARTER_SERVE_WORKER === "1" },
    planner: {
      provider,
      bedrock: {
        region: env.AWS_REGION,
        accessKeyId: secret(env.AWS_ACCESS_KEY_ID),
        secretAccessKey: secret(env.AWS_SECRET_ACCESS_KEY),
        sessionToken: secret(env.AWS_SESSION_TOKEN),
        baseUrl: env.ANTHROPIC_BEDROCK_BASE_URL,
      },
      vertex: {
        region: env.CLOUD_ML_REGION,
        projectId: env.ANTHROPIC_VERTEX_PROJECT_ID,
        baseUrl: env.ANTHROPIC_VERTEX_BASE_URL,
      },
      apiKey: secret(env.ANTHROPIC_API_KEY),
      baseUrl: env.ANTHROPIC_BASE_URL,
      model: env.CHARTER_PLANNER_MODEL,
      maxTurns: env.CHARTER_PLANNER_MAX_TURNS,
      maxTokens: env.CHARTER_PLANNER_MAX_TOKENS,
      maxMs: env.CHARTER_PLANNER_MAX_MS,
      stream: env.CHARTER_PLANNER_STREAM === "1",
    },
  };
}

/** CHARTER_DEBUG=1: the CLI prints an unexpected error's stack (read before, and without, a valid environment). */
export function debugRequested(source: Record<string, string | undefined> = process.env): boolean {
  return source["CHARTER_DEBUG"] === "1";
}

/** CHARTER_NATIVE_TYPECHECK=0: compile with the TypeScript language service only (no native tsc server). */
export function nativeTypecheckWanted(source: Record<string, string | undefined> = process.env): boolean {
  return source["CHARTER_NATIVE_TYPECHECK"] !== "0";
}
