/**
 * Syncing a tenant: load its file, resolve each integration's credentials, discover what each
 * server offers, and store a new catalog snapshot only when the content hash changed. Integrations
 * are independent: one that fails is recorded as failed with a clear error and the others still
 * sync. Each integration's result is written in one transaction, so nothing half-written remains.
 */
import { redactJson, resolveCredentials } from "../config/credentials.ts";
import type { Env } from "../config/env.ts";
import { type Integration, loadTenantConfig, type TenantConfig } from "../config/tenant-config.ts";
import { contentHash } from "../core/canonical-json.ts";
import type { CatalogContent, CredentialState } from "../core/catalog.ts";
import { CharterError, type ErrorCode, IntegrationError } from "../core/errors.ts";
import { type CatalogChange, diffCatalogs, discoverIntegration, type McpClientPool } from "../mcp/index.ts";
import type { CatalogRepository, SyncStatus } from "../store/index.ts";
import { applyAnnotationOverrides } from "./annotation-overrides.ts";
import { connectionSpec } from "./connection.ts";
import type { OAuthVault } from "./oauth-vault.ts";

export type IntegrationSyncResult = {
  integration: string;
  transport: Integration["transport"];
  status: SyncStatus;
  credentialState: CredentialState;
  counts: { tools: number; resources: number; resourceTemplates: number; prompts: number } | undefined;
  hash: string | undefined;
  changes: CatalogChange[];
  error: { code: ErrorCode; message: string } | undefined;
  /** What discovery left out and why: list methods not offered, tools skipped (the rest synced). */
  notes: string[];
  durationMs: number;
};

export type TenantSyncResult = {
  tenant: string;
  integrations: IntegrationSyncResult[];
  /** Integrations that were in the store but are gone from the tenant's file. */
  unconfigured: string[];
  ok: boolean;
};

export type SyncProgress =
  | { event: "integration-started"; tenant: string; integration: string }
  | { event: "integration-finished"; tenant: string; result: IntegrationSyncResult };

export type CatalogServiceResources = {
  env: Env;
  processEnv: Record<string, string | undefined>;
  repository: CatalogRepository;
  pool: McpClientPool;
  /** Where integrations that authorize with OAuth keep their tokens (none: such integrations cannot sync). */
  oauth?: OAuthVault;
};

export class CatalogService {
  readonly #resources: CatalogServiceResources;
  constructor(resources: CatalogServiceResources) {
    this.#resources = resources;
  }

  /**
   * Loads a tenant's file and syncs every integration in it. `fresh` (the default; what a person
   * asking for a sync means) discovers each server over a new connection, so a server changed
   * since the pooled one connected is seen as it is now; a re-sync because a connected server said
   * its lists changed passes false, since a stdio server's new process would not have that change.
   */
  async syncTenant(
    tenantId: string,
    onProgress: (progress: SyncProgress) => void = () => {},
    { fresh = true }: { fresh?: boolean } = {},
  ): Promise<TenantSyncResult> {
    const tenant = await loadTenantConfig(this.#resources.env.tenantsDir, tenantId);
    const { repository } = this.#resources;
    await repository.upsertTenant({ id: tenant.id, name: tenant.config.name, configHash: contentHash(tenant.config) });
    const entries = Object.entries(tenant.config.integrations).sort(([a], [b]) => (a < b ? -1 : 1));
    const integrations = await Promise.all(
      entries.map(async ([id, integration]) => {
        onProgress({ event: "integration-started", tenant: tenant.id, integration: id });
        const result = await this.#syncIntegration(tenant, id, integration, fresh);
        onProgress({ event: "integration-finished", tenant: tenant.id, result });
        return result;
      }),
    );
    const unconfigured = await repository.markUnconfigured(
      tenant.id,
      entries.map(([id]) => id),
    );
    return {
      tenant: tenant.id,
      integrations,
      unconfigured,
      ok: integrations.every((result) => result.status !== "failed"),
    };
  }

  async #syncIntegration(
    tenant: TenantConfig,
    id: string,
    integration: Integration,
    fresh: boolean,
  ): Promise<IntegrationSyncResult> {
    const { repository, pool, env, processEnv, oauth } = this.#resources;
    const startedAt = new Date();
    const base = {
      tenantId: tenant.id,
      integrationId: id,
      transport: integration.transport,
      configHash: contentHash(integration),
      startedAt,
    };
    const finish = (
      partial: Omit<IntegrationSyncResult, "integration" | "transport" | "durationMs">,
    ): IntegrationSyncResult => ({
      integration: id,
      transport: integration.transport,
      durationMs: Date.now() - startedAt.getTime(),
      ...partial,
    });

    const credentials = await resolveCredentials(integration, tenant.dir, processEnv);
    let credentialState: CredentialState = credentials.state;
    let content: CatalogContent;
    let notes: string[] = [];
    try {
      if (credentials.state === "missing") {
        throw new IntegrationError("CREDENTIAL_MISSING", id, `credentials missing: ${credentials.problems.join("; ")}`);
      }
      if (integration.transport === "http" && integration.oauth && !(await oauth?.authorized(tenant.id, id))) {
        credentialState = "missing";
        throw new IntegrationError(
          "CREDENTIAL_MISSING",
          id,
          `not authorized yet: the server authorizes with OAuth; run 'charter integrations ` +
            `authorize ${tenant.id} ${id}' once`,
        );
      }
      if (integration.transport === "http" && integration.oauth) credentialState = "ok";
      // A server that puts its credential in a tool's title or description does not get it stored and served.
      const secrets = [...Object.values(credentials.env), ...Object.values(credentials.headers)];
      // A fresh connection: a server changed since the pooled one connected (a new build behind the same
      // URL, a stdio server updated on disk) must be seen as it is now. Calls under way finish on the old one.
      if (fresh) await pool.renew(`${tenant.id}/${id}`);
      const discovered = await discoverIntegration(pool, connectionSpec(tenant, id, integration, credentials, env.mcp));
      notes = redactJson(discovered.notes, secrets) as string[];
      content = applyAnnotationOverrides(
        redactJson(discovered.content, secrets) as CatalogContent,
        integration.annotations,
        notes,
      );
    } catch (caught) {
      const error =
        caught instanceof CharterError
          ? caught
          : new IntegrationError("INTEGRATION_PROTOCOL_ERROR", id, String(caught));
      if (error.code === "INTEGRATION_AUTH_REFUSED") credentialState = "refused";
      await repository.recordSync({
        ...base,
        credentialState,
        outcome: "failed",
        errorCode: error.code,
        errorMessage: error.message,
      });
      await pool.release(`${tenant.id}/${id}`);
      return finish({
        status: "failed",
        credentialState,
        counts: undefined,
        hash: undefined,
        changes: [],
        error: { code: error.code, message: error.message },
        notes: [],
      });
    }

    const hash = contentHash(content);
    const previous = await repository.currentSnapshot(tenant.id, id);
    const changes = previous && previous.hash !== hash ? diffCatalogs(previous.content, content) : [];
    const { status } = await repository.recordSync({
      ...base,
      credentialState,
      outcome: "snapshot",
      hash,
      content,
      previousSnapshotId: previous?.id ?? null,
      changes,
    });
    return finish({
      status,
      credentialState,
      counts: {
        tools: content.tools.length,
        resources: content.resources.length,
        resourceTemplates: content.resourceTemplates.length,
        prompts: content.prompts.length,
      },
      hash,
      changes,
      error: undefined,
      notes,
    });
  }
}
