/**
 * Discovery: asks one integration for everything it offers (tools, resources, resource templates,
 * prompts, capabilities), following pagination, and returns it as canonical catalog content.
 * Server-provided data is parsed with zod and bounded; anything invalid fails the integration
 * with INTEGRATION_INVALID_CATALOG and a list of what is wrong.
 */
import type { AnySchema, SchemaOutput } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import {
  ListPromptsResultSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesResultSchema,
  ListToolsResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { CatalogContent } from "../core/catalog.ts";
import { IntegrationError } from "../core/errors.ts";
import type { McpClientPool } from "./client-pool.ts";
import type { ConnectionSpec } from "./connection-spec.ts";
import { checkToolSchemas } from "./schema-check.ts";

export const DISCOVERY_LIMITS = { maxPages: 200, maxItems: 5000 };

/** Everything the integration offers now, in canonical order. */
export async function discoverCatalog(pool: McpClientPool, spec: ConnectionSpec): Promise<CatalogContent> {
  const info = await pool.serverInfo(spec);
  const capabilities = info.capabilities ?? {};
  const tools = capabilities.tools ? await paginate(pool, spec, "tools/list", ListToolsResultSchema, (page) => page.tools) : [];
  const resources = capabilities.resources
    ? await paginate(pool, spec, "resources/list", ListResourcesResultSchema, (page) => page.resources)
    : [];
  const resourceTemplates = capabilities.resources
    ? await paginate(pool, spec, "resources/templates/list", ListResourceTemplatesResultSchema, (page) => page.resourceTemplates)
    : [];
  const prompts = capabilities.prompts ? await paginate(pool, spec, "prompts/list", ListPromptsResultSchema, (page) => page.prompts) : [];

  const parsed = CatalogContent.safeParse({
    server: info.version ?? { name: "(unnamed)", version: "(unknown)" },
    capabilities,
    instructions: info.instructions,
    tools,
    resources,
    resourceTemplates,
    prompts,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new IntegrationError("INTEGRATION_INVALID_CATALOG", spec.integration, `the server's catalog is invalid:\n  ${lines.join("\n  ")}`);
  }
  const content = canonicalOrder(parsed.data);
  const problems = [...duplicates(content.tools.map((tool) => tool.name), "tool"), ...content.tools.flatMap(checkToolSchemas)];
  if (problems.length > 0) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : "";
    throw new IntegrationError(
      "INTEGRATION_INVALID_CATALOG",
      spec.integration,
      `the server publishes invalid tool definitions, so nothing was stored:\n  ${shown.join("\n  ")}${more}`,
    );
  }
  return content;
}

/** Every item of a paginated list method, following `nextCursor` with a bound and a loop check. */
async function paginate<S extends AnySchema, T>(
  pool: McpClientPool,
  spec: ConnectionSpec,
  method: string,
  resultSchema: S,
  itemsOf: (page: SchemaOutput<S>) => T[],
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < DISCOVERY_LIMITS.maxPages; page++) {
    const params = cursor ? { cursor } : {};
    const answer = await pool.request(spec, method, (client, options) => client.request({ method, params }, resultSchema, options), { retryOnDisconnect: true });
    const result = { items: itemsOf(answer), nextCursor: (answer as { nextCursor?: string }).nextCursor };
    items.push(...result.items);
    if (items.length > DISCOVERY_LIMITS.maxItems) {
      throw new IntegrationError("INTEGRATION_INVALID_CATALOG", spec.integration, `${method} returned more than ${DISCOVERY_LIMITS.maxItems} items`);
    }
    if (!result.nextCursor) return items;
    if (seen.has(result.nextCursor)) {
      throw new IntegrationError("INTEGRATION_PROTOCOL_ERROR", spec.integration, `${method} repeated the cursor "${result.nextCursor.slice(0, 50)}"; pagination would never end`);
    }
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  throw new IntegrationError("INTEGRATION_PROTOCOL_ERROR", spec.integration, `${method} did not finish within ${DISCOVERY_LIMITS.maxPages} pages`);
}

function canonicalOrder(content: CatalogContent): CatalogContent {
  const by = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    ...content,
    tools: [...content.tools].sort(by((tool) => tool.name)),
    resources: [...content.resources].sort(by((resource) => resource.uri)),
    resourceTemplates: [...content.resourceTemplates].sort(by((template) => template.uriTemplate)),
    prompts: [...content.prompts].sort(by((prompt) => prompt.name)),
  };
}

function duplicates(names: string[], what: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) (seen.has(name) ? repeated : seen).add(name);
  return [...repeated].map((name) => `${what} "${name}" is listed more than once`);
}
