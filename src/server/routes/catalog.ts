/** The tenant's catalog: sync its MCP servers, read what they offer, re-check active versions for drift. */
import { z } from "zod";
import { ToolAnnotations } from "../../core/catalog.ts";
import { ERROR_CODES } from "../../core/errors.ts";
import { type Route, route } from "../route.ts";
import type { RouteDeps } from "./index.ts";
import { DriftCheck, DriftReport } from "./schemas.ts";

const CredentialState = z.enum(["ok", "missing", "refused", "not-required"]);

const CatalogChange = z
  .looseObject({ kind: z.string(), tool: z.string().optional() })
  .meta({ description: "one change: tool-added, tool-removed, tool-changed or schema-changed, with its details" });

const IntegrationSync = z.object({
  integration: z.string(),
  transport: z.enum(["stdio", "http"]),
  status: z.enum(["unchanged", "changed", "new", "failed"]),
  credentialState: CredentialState,
  counts: z.object({ tools: z.int(), resources: z.int(), resourceTemplates: z.int(), prompts: z.int() }).optional(),
  hash: z.string().optional(),
  changes: z.array(CatalogChange),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
  notes: z.array(z.string()),
  durationMs: z.number(),
});

const SyncAnswer = z.object({
  result: z.object({
    tenant: z.string(),
    integrations: z.array(IntegrationSync),
    unconfigured: z.array(z.string()).meta({ description: "integrations no longer in the tenant's file" }),
    ok: z.boolean(),
  }),
  drift: z.array(DriftCheck),
});

const CatalogAnswer = z.object({
  integrations: z.array(
    z.object({
      integration: z.string(),
      hash: z.string(),
      server: z.object({ name: z.string(), version: z.string(), title: z.string().optional() }),
      tools: z.array(
        z.object({ name: z.string(), title: z.string().optional(), annotations: ToolAnnotations.optional() }),
      ),
    }),
  ),
});

const DriftAnswer = z.object({
  changes: z.array(DriftCheck).meta({ description: "the versions this check found changed" }),
  versions: z.array(
    z.object({
      version: z.string().meta({ description: "<workflow>@<number>" }),
      status: z.string(),
      catalogHash: z.string(),
      drift: DriftReport.nullable(),
    }),
  ),
});

export function catalogRoutes({ app }: RouteDeps): Route[] {
  const tag = "catalog";
  return [
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/sync",
      tag,
      summary: "Syncs the tenant's integrations and, when anything changed, re-checks its active versions.",
      access: "tenant",
      roles: ["operator", "admin"],
      responses: { 200: { description: "each integration's sync, and the drift found", schema: SyncAnswer } },
      handle: async ({ caller }, reply) => {
        const { result, drift } = await app.sync(caller.tenantId);
        return reply(200, {
          result: {
            tenant: result.tenant,
            integrations: result.integrations.map((i) => ({
              integration: i.integration,
              transport: i.transport,
              status: i.status,
              credentialState: i.credentialState,
              counts: i.counts,
              hash: i.hash,
              changes: i.changes,
              error: i.error,
              notes: i.notes,
              durationMs: i.durationMs,
            })),
            unconfigured: result.unconfigured,
            ok: result.ok,
          },
          drift,
        });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/catalog",
      tag,
      summary: "The tenant's current catalog: each integration's server and tools.",
      access: "tenant",
      responses: { 200: { description: "the catalog", schema: CatalogAnswer } },
      handle: async ({ caller }, reply) => {
        const catalog = await app.catalogs.currentCatalog(caller.tenantId);
        return reply(200, {
          integrations: catalog.map((row) => ({
            integration: row.integrationId,
            hash: row.hash,
            server: {
              name: row.content.server.name,
              version: row.content.server.version,
              title: row.content.server.title,
            },
            tools: row.content.tools.map((tool) => ({
              name: tool.name,
              title: tool.title,
              annotations: tool.annotations,
            })),
          })),
        });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/drift",
      tag,
      summary: "Re-checks the active versions against the current catalog and reports each.",
      access: "tenant",
      roles: ["operator", "reviewer", "admin"],
      responses: { 200: { description: "the changes found, and every active version", schema: DriftAnswer } },
      handle: async ({ caller }, reply) => {
        const changes = await app.versions.checkDrift(caller.tenantId);
        const active = await app.versionRepository.activeVersions(caller.tenantId);
        return reply(200, {
          changes,
          versions: active.map((v) => ({
            version: `${v.workflow}@${v.number}`,
            status: v.status,
            catalogHash: v.catalogHash,
            drift: (v.drift as z.input<typeof DriftReport> | null) ?? null,
          })),
        });
      },
    }),
  ];
}
