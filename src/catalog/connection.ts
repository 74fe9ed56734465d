import type { Env } from "../config/env.ts";
import type { ResolvedCredentials } from "../config/credentials.ts";
import type { Integration, TenantConfig } from "../config/tenant-config.ts";
import type { ConnectionSpec, ProcessSpec } from "../mcp/index.ts";
import { stat } from "node:fs/promises";
import path from "node:path";
import { resolveCredentials, type Secret } from "../config/credentials.ts";
import { loadTenantConfig } from "../config/tenant-config.ts";

/** How to reach one configured integration with its resolved credentials. */
export function connectionSpec(
  tenant: TenantConfig,
  integrationId: string,
  integration: Integration,
  credentials: ResolvedCredentials,
  defaults: Env["mcp"],
): ConnectionSpec {
  const common = {
    key: `${tenant.id}/${integrationId}`,
    integration: integrationId,
    timeouts: {
      connectMs: integration.timeouts?.connectMs ?? defaults.connectTimeoutMs,
      requestMs: integration.timeouts?.requestMs ?? defaults.requestTimeoutMs,
    },
  };
  const processSpec = (p: {
    command: string;
    args: string[];
    env: Record<string, string>;
    cwd?: string | undefined;
  }): ProcessSpec => ({
    command: p.command,
    args: p.args,
    env: p.env,
    cwd: path.resolve(tenant.dir, p.cwd ?? "."),
  });
  if (integration.transport === "stdio") {
    return { ...common, transport: "stdio", ...processSpec(integration), secretEnv: credentials.env };
  }
  return {
    ...common,
    transport: "http",
    url: integration.url,
    headers: integration.headers,
    secretHeaders: credentials.headers,
    launch: integration.launch ? { ...processSpec(integration.launch), ready: integration.launch.ready } : undefined,
    oauth: integration.oauth
      ? {
          tenantId: tenant.id,
          integration: integrationId,
          clientId: integration.oauth.clientId,
          clientSecret: credentials.oauthClientSecret,
          scopes: integration.oauth.scopes,
          redirectUri: integration.oauth.redirectUri,
        }
      : undefined,
  };
}

/**
 * What tenantConnections read for a tenant, and the files it came from (tenant.json, secret files) as they were then.
 */
type Kept = { stamps: Map<string, string>; value: { specs: Map<string, ConnectionSpec>; secrets: Secret[] } };
/** Per process environment (one per app), per tenants folder and tenant. */
const kept = new WeakMap<Record<string, string | undefined>, Map<string, Kept>>();

/** A file's identity and last change, or "missing": a changed stamp means the file must be read again. */
async function stampOf(file: string): Promise<string> {
  const found = await stat(file, { bigint: true }).catch(() => undefined);
  return found ? `${found.ino}:${found.size}:${found.mtimeNs}:${found.ctimeNs}` : "missing";
}

/**
 * How to reach every integration of a tenant whose credentials resolve, and every secret among them
 * (for redaction). Kept per process and read again only when tenant.json or a secret file it names
 * changed (checked with a stat of each at every call, not a read and parse), so a run does not
 * re-read the tenant's configuration and credential files, and an edit is seen by the next run.
 */
export async function tenantConnections(options: {
  env: Env;
  processEnv: Record<string, string | undefined>;
  tenantId: string;
}): Promise<{ specs: Map<string, ConnectionSpec>; secrets: Secret[] }> {
  const key = `${options.env.tenantsDir}\0${options.tenantId}`;
  const byTenant = kept.get(options.processEnv) ?? new Map<string, Kept>();
  kept.set(options.processEnv, byTenant);
  const before = byTenant.get(key);
  if (before) {
    const now = await Promise.all([...before.stamps].map(async ([file, stamp]) => (await stampOf(file)) === stamp));
    if (now.every(Boolean)) return before.value;
  }
  const file = path.join(options.env.tenantsDir, options.tenantId, "tenant.json");
  const stamps = new Map<string, string>([[file, await stampOf(file)]]);
  const tenant = await loadTenantConfig(options.env.tenantsDir, options.tenantId);
  const specs = new Map<string, ConnectionSpec>();
  const secrets: Secret[] = [];
  for (const [id, integration] of Object.entries(tenant.config.integrations)) {
    for (const source of Object.values(integration.credentials)) {
      if ("file" in source) {
        const secretFile = path.resolve(tenant.dir, source.file);
        stamps.set(secretFile, await stampOf(secretFile));
      }
    }
    const credentials = await resolveCredentials(integration, tenant.dir, options.processEnv);
    secrets.push(...Object.values(credentials.env), ...Object.values(credentials.headers));
    if (credentials.oauthClientSecret) secrets.push(credentials.oauthClientSecret);
    if (credentials.state !== "missing")
      specs.set(id, connectionSpec(tenant, id, integration, credentials, options.env.mcp));
  }
  const value = { specs, secrets };
  byTenant.set(key, { stamps, value });
  return value;
}
