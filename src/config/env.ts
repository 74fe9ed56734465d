/**
 * The process environment, parsed once at boot. A bad value stops Charter with a message that
 * names the variable; nothing else in the code reads `process.env` for Charter's own settings.
 */
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";

const positiveMs = z.coerce.number().int().positive().max(3_600_000);

const EnvSchema = z.object({
  CHARTER_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  CHARTER_TENANTS_DIR: z.string().min(1).optional(),
  CHARTER_GENERATED_DIR: z.string().min(1).optional(),
  CHARTER_MCP_CONNECT_TIMEOUT_MS: positiveMs.default(15_000),
  CHARTER_MCP_REQUEST_TIMEOUT_MS: positiveMs.default(30_000),
  CHARTER_RUN_LEASE_MS: positiveMs.default(30_000),
});

export type Env = {
  /** Folder of the embedded database and its lock; used when no DATABASE_URL is set. */
  dataDir: string;
  databaseUrl: string | undefined;
  tenantsDir: string;
  /** Where `charter sdk` writes tenant SDKs (generated/<tenant>/<catalog hash>/). */
  generatedDir: string;
  mcp: { connectTimeoutMs: number; requestTimeoutMs: number };
  /** How long a run stays claimed by its process without renewal before another may resume it. */
  runLeaseMs: number;
};

/** Parses Charter's settings from an environment (normally `process.env`), relative to `cwd`. */
export function parseEnv(source: Record<string, string | undefined>, cwd: string): Env {
  const blanksRemoved = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError("ENV_INVALID", `invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  return {
    dataDir: path.resolve(cwd, env.CHARTER_DATA_DIR ?? ".charter"),
    databaseUrl: env.DATABASE_URL,
    tenantsDir: path.resolve(cwd, env.CHARTER_TENANTS_DIR ?? "tenants"),
    generatedDir: path.resolve(cwd, env.CHARTER_GENERATED_DIR ?? "generated"),
    mcp: { connectTimeoutMs: env.CHARTER_MCP_CONNECT_TIMEOUT_MS, requestTimeoutMs: env.CHARTER_MCP_REQUEST_TIMEOUT_MS },
    runLeaseMs: env.CHARTER_RUN_LEASE_MS,
  };
}
