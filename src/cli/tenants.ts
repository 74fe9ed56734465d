/** `charter tenants …`: list tenants, sync their integrations, show their stored catalogs. */
import type { IntegrationSyncResult, TenantSyncResult } from "../catalog/index.ts";
import { listTenantIds } from "../config/tenant-config.ts";
import { parseEnv } from "../config/env.ts";
import { describeChange } from "../mcp/index.ts";
import { withApp } from "./common.ts";
import { columns, type Output } from "./output.ts";

export async function listTenants(output: Output): Promise<number> {
  const env = parseEnv(process.env, process.cwd());
  const ids = await listTenantIds(env.tenantsDir);
  if (ids.length === 0) output.out(`no tenants in ${env.tenantsDir}`);
  for (const id of ids) output.out(id);
  return 0;
}

export async function syncTenants(tenant: string | undefined, json: boolean, output: Output): Promise<number> {
  return withApp(async (app) => {
    const ids = tenant ? [tenant] : await listTenantIds(app.env.tenantsDir);
    const results: TenantSyncResult[] = [];
    for (const id of ids) {
      if (!json) output.out(`Syncing tenant ${id} (database: ${app.database.kind} ${app.database.location})`);
      const { result, drift } = await app.sync(id, (progress) => {
        if (!json && progress.event === "integration-finished") output.out(formatResult(progress.result));
      });
      results.push(result);
      if (!json) {
        printSummary(result, output);
        for (const item of drift) {
          output.out(
            item.drifted
              ? `  ✗ ${item.version} drifted: it will not run until a new version is approved`
              : `  ! ${item.version}: compatible catalog changes recorded for reviewers`,
          );
          for (const change of item.drift.breaking) output.out(`      - ${change.tool}: ${change.change}`);
          for (const change of item.drift.compatible)
            output.out(
              `      - ${change.tool}:` +
                ` ${change.change}${change.review ? " (review the new text: it can carry instructions)" : ""}`,
            );
        }
      }
    }
    if (json) output.out(JSON.stringify(tenant ? results[0] : results, null, 2));
    return results.every((result) => result.ok) ? 0 : 1;
  });
}

export async function showTenant(tenant: string, json: boolean, output: Output): Promise<number> {
  return withApp(async (app) => {
    const integrations = await app.catalogs.listIntegrations(tenant);
    if (integrations.length === 0) {
      output.err(`no stored integrations for tenant "${tenant}"; run 'charter tenants sync ${tenant}' first`);
      return 1;
    }
    const shown = [];
    for (const integration of integrations) {
      const snapshot = await app.catalogs.currentSnapshot(tenant, integration.id);
      shown.push({ ...integration, snapshot });
    }
    if (json) {
      output.out(JSON.stringify(shown, null, 2));
      return 0;
    }
    for (const item of shown) {
      const state = item.configured ? "" : "  (no longer configured)";
      output.out(`${item.id}  ${item.transport}  credentials: ${item.credentialState}${state}`);
      if (!item.snapshot) {
        output.out("  (never synced successfully)");
        continue;
      }
      const { content, hash, createdAt } = item.snapshot;
      output.out(
        `  ${content.server.name} ${content.server.version}, snapshot ${hash.slice(0, 19)}… ` +
          `of ${createdAt.toISOString()}`,
      );
      for (const line of columns(
        content.tools.map((tool) => ["   ", tool.name, annotationsOf(tool.annotations), firstLine(tool.description)]),
      ))
        output.out(line);
    }
    return 0;
  });
}

function formatResult(result: IntegrationSyncResult): string {
  const mark = result.status === "failed" ? "✗" : "✓";
  const what = result.counts
    ? `${result.counts.tools} tools, ${result.counts.resources} ` +
      `resources, ${result.counts.resourceTemplates} templates, ${result.counts.prompts} prompts`
    : "";
  const status =
    result.status === "failed"
      ? `failed: ${result.error?.code}`
      : result.status === "new"
        ? `new snapshot ${result.hash?.slice(0, 19)}…`
        : result.status === "changed"
          ? `changed (${result.changes.length} change${result.changes.length === 1 ? "" : "s"}), new ` +
            `snapshot ${result.hash?.slice(0, 19)}…`
          : "unchanged, no new snapshot";
  const lines = [
    `  ${mark} ${result.integration} (${result.transport})  ` +
      `credentials: ${result.credentialState}  ${what}${what ? "  " : ""}${status}  ` +
      `[${result.durationMs} ms]`,
  ];
  if (result.error) lines.push(...result.error.message.split("\n").map((line) => `      ${line}`));
  for (const change of result.changes) lines.push(`      - ${describeChange(change)}`);
  for (const note of result.notes) lines.push(`      ! ${note}`);
  return lines.join("\n");
}

function printSummary(result: TenantSyncResult, output: Output): void {
  const failed = result.integrations.filter((item) => item.status === "failed").length;
  const total = result.integrations.length;
  for (const id of result.unconfigured) output.out(`  - ${id}: no longer in the tenant file; its history is kept`);
  output.out(
    failed === 0
      ? `${result.tenant}: all ${total} integrations synced`
      : `${result.tenant}: ${total - failed} of ${total} integrations synced, ${failed} failed`,
  );
}

function annotationsOf(
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean } | undefined,
): string {
  if (!annotations) return "";
  if (annotations.readOnlyHint) return "read-only";
  return [annotations.destructiveHint ? "destructive" : "", annotations.idempotentHint ? "idempotent" : ""]
    .filter(Boolean)
    .join(",");
}

function firstLine(text: string | undefined): string {
  const line = (text ?? "").split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}
