/**
 * Discovery: asks one integration for everything it offers (tools, resources, resource templates,
 * prompts, capabilities), following pagination, and returns it as canonical catalog content.
 * Server-provided data is parsed with zod and bounded; anything invalid fails the integration
 * with INTEGRATION_INVALID_CATALOG and a list of what is wrong.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
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

type Page<T> = { items: T[]; nextCursor: string | undefined };

/** Everything the integration offers now, in canonical order. */
export async function discoverCatalog(pool: McpClientPool, spec: ConnectionSpec): Promise<CatalogContent> {
  const info = await pool.serverInfo(spec);
  const capabilities = info.capabilities ?? {};
  const list = <T>(method: string, fetch: (client: Client, cursor: string | undefined, options: RequestOptions) => Promise<Page<T>>) =>
    paginate(pool, spec, method, fetch);

  const tools = capabilities.tools
    ? await list("tools/list", async (client, cursor, options) => {
        const result = await client.request({ method: "tools/list", params: cursor ? { cursor } : {} }, ListToolsResultSchema, options);
        return { items: result.tools, nextCursor: result.nextCursor };
      })
    : [];
  const resources = capabilities.resources
    ? await list("resources/list", async (client, cursor, options) => {
        const result = await client.request({ method: "resources/list", params: cursor ? { cursor } : {} }, ListResourcesResultSchema, options);
        return { items: result.resources, nextCursor: result.nextCursor };
      })
    : [];
  const resourceTemplates = capabilities.resources
    ? await list("resources/templates/list", async (client, cursor, options) => {
        const result = await client.request(
          { method: "resources/templates/list", params: cursor ? { cursor } : {} },
          ListResourceTemplatesResultSchema,
          options,
        );
        return { items: result.resourceTemplates, nextCursor: result.nextCursor };
      })
    : [];
  const prompts = capabilities.prompts
    ? await list("prompts/list", async (client, cursor, options) => {
        const result = await client.request({ method: "prompts/list", params: cursor ? { cursor } : {} }, ListPromptsResultSchema, options);
        return { items: result.prompts, nextCursor: result.nextCursor };
      })
    : [];

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

async function paginate<T>(
  pool: McpClientPool,
  spec: ConnectionSpec,
  method: string,
  fetch: (client: Client, cursor: string | undefined, options: RequestOptions) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < DISCOVERY_LIMITS.maxPages; page++) {
    const result = await pool.request(spec, method, (client, options) => fetch(client, cursor, options), { retryOnDisconnect: true });
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
