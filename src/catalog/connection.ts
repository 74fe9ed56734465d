import type { Env } from "../config/env.ts";
import type { ResolvedCredentials } from "../config/credentials.ts";
import type { Integration, TenantConfig } from "../config/tenant-config.ts";
import type { ConnectionSpec, ProcessSpec } from "../mcp/index.ts";
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
  const processSpec = (p: { command: string; args: string[]; env: Record<string, string>; cwd?: string | undefined }): ProcessSpec => ({
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
    launch: integration.launch ? processSpec(integration.launch) : undefined,
  };
}

/** How to reach every integration of a tenant whose credentials resolve, and every secret among them (for redaction). */
export async function tenantConnections(options: { env: Env; processEnv: Record<string, string | undefined>; tenantId: string }): Promise<{ specs: Map<string, ConnectionSpec>; secrets: Secret[] }> {
  const tenant = await loadTenantConfig(options.env.tenantsDir, options.tenantId);
  const specs = new Map<string, ConnectionSpec>();
  const secrets: Secret[] = [];
  for (const [id, integration] of Object.entries(tenant.config.integrations)) {
    const credentials = await resolveCredentials(integration, tenant.dir, options.processEnv);
    secrets.push(...Object.values(credentials.env), ...Object.values(credentials.headers));
    if (credentials.state !== "missing") specs.set(id, connectionSpec(tenant, id, integration, credentials, options.env.mcp));
  }
  return { specs, secrets };
}
