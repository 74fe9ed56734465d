/**
 * Discovery: asks one integration for everything it offers (tools, resources, resource templates,
 * prompts, capabilities), following pagination, and returns it as canonical catalog content.
 * Server-provided data is parsed with zod and bounded. Discovery is tolerant where a server is
 * partly wrong, and says so in its notes: a list method the server does not implement although it
 * declares the capability (JSON-RPC "method not found", e.g. resources without templates) is "not
 * offered"; a tool that breaks the MCP schema, has an invalid JSON Schema or shares its name with
 * another is skipped, and the rest sync. What cannot be read at all (the server info, a list that
 * is not a list) fails the integration with INTEGRATION_INVALID_CATALOG and what is wrong.
 */
import type { AnySchema, SchemaOutput } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import {
  ErrorCode as McpErrorCode,
  ListPromptsResultSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesResultSchema,
  McpError,
  ToolSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { CatalogContent, CatalogTool } from "../core/catalog.ts";
import { IntegrationError } from "../core/errors.ts";
import type { McpClientPool } from "./client-pool.ts";
import type { ConnectionSpec } from "./connection-spec.ts";
import { checkToolSchemas } from "./schema-check.ts";

export const DISCOVERY_LIMITS = { maxPages: 200, maxItems: 5000 };

/** tools/list read leniently: each tool is checked on its own, so one bad tool does not hide the rest. */
const LenientToolsPage = z.looseObject({ tools: z.array(z.unknown()), nextCursor: z.string().optional() });

/** What an integration offers, and what discovery left out and why (one sentence each). */
export type Discovered = { content: CatalogContent; notes: string[] };

/** Everything the integration offers now, in canonical order. */
export async function discoverCatalog(pool: McpClientPool, spec: ConnectionSpec): Promise<CatalogContent> {
  return (await discoverIntegration(pool, spec)).content;
}

/** Everything the integration offers now, in canonical order, with notes on what was left out. */
export async function discoverIntegration(pool: McpClientPool, spec: ConnectionSpec): Promise<Discovered> {
  const notes: string[] = [];
  const info = await pool.serverInfo(spec);
  const capabilities = info.capabilities ?? {};
  /** A list the server declares but does not implement is not offered: noted, not fatal. */
  const offered = async <T>(method: string, read: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await read();
    } catch (error) {
      if (
        !(
          error instanceof IntegrationError &&
          error.cause instanceof McpError &&
          error.cause.code === McpErrorCode.MethodNotFound
        )
      )
        throw error;
      notes.push(`${method}: not offered (the server declares the capability but answers "method not found")`);
      return [];
    }
  };
  const rawTools = capabilities.tools
    ? await offered("tools/list", () => paginate(pool, spec, "tools/list", LenientToolsPage, (page) => page.tools))
    : [];
  const resources = capabilities.resources
    ? await offered("resources/list", () =>
        paginate(pool, spec, "resources/list", ListResourcesResultSchema, (page) => page.resources),
      )
    : [];
  const resourceTemplates = capabilities.resources
    ? await offered("resources/templates/list", () =>
        paginate(
          pool,
          spec,
          "resources/templates/list",
          ListResourceTemplatesResultSchema,
          (page) => page.resourceTemplates,
        ),
      )
    : [];
  const prompts = capabilities.prompts
    ? await offered("prompts/list", () =>
        paginate(pool, spec, "prompts/list", ListPromptsResultSchema, (page) => page.prompts),
      )
    : [];

  const parsed = CatalogContent.safeParse({
    server: info.version ?? { name: "(unnamed)", version: "(unknown)" },
    capabilities,
    instructions: info.instructions,
    tools: [],
    resources,
    resourceTemplates,
    prompts,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new IntegrationError(
      "INTEGRATION_INVALID_CATALOG",
      spec.integration,
      `the server's catalog is invalid:\n  ${lines.join("\n  ")}`,
    );
  }
  return { content: canonicalOrder({ ...parsed.data, tools: usableTools(rawTools, notes) }), notes };
}

/**
 * The tools that follow the MCP schema, have valid JSON Schemas and a name of their own; a note for each one left out.
 */
function usableTools(raw: unknown[], notes: string[]): CatalogTool[] {
  const tools: CatalogTool[] = [];
  for (const [index, item] of raw.entries()) {
    const name =
      typeof (item as { name?: unknown } | null)?.name === "string"
        ? shown((item as { name: string }).name)
        : `#${index + 1}`;
    const mcp = ToolSchema.safeParse(item);
    const catalog = mcp.success ? CatalogTool.safeParse(mcp.data) : undefined;
    if (!mcp.success || !catalog?.success) {
      const issue = (mcp.success ? catalog?.error : mcp.error)?.issues[0];
      notes.push(
        `tool "${name}" skipped: it does not follow the MCP tool schema ` +
          `(${issue ? `${issue.path.join(".") || "(the tool)"}: ${issue.message}` : "unreadable"})`,
      );
      continue;
    }
    const problems = checkToolSchemas(catalog.data);
    if (problems.length > 0) {
      notes.push(
        `tool "${name}" skipped: ${problems.map((problem) => problem.replace(/^tool "[^"]*": /, "")).join("; ")}`,
      );
      continue;
    }
    // What the tenant overrides is the tenant's to say: a server cannot claim it.
    const { annotationOverrides: _fromServer, ...fromServer } = catalog.data;
    tools.push(fromServer);
  }
  const counts = new Map<string, number>();
  for (const tool of tools) counts.set(tool.name, (counts.get(tool.name) ?? 0) + 1);
  for (const [name, count] of counts)
    if (count > 1) notes.push(`tool "${shown(name)}" skipped: listed ${count} times, so which one is meant is unclear`);
  return tools.filter((tool) => counts.get(tool.name) === 1);
}

/** A server-given name as it may appear in a note: one line, at most 80 characters. */
function shown(name: string): string {
  const line = name.replace(/[\u0000-\u001f\u007f]/g, " ");
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
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
    const answer = await pool.request(
      spec,
      method,
      (client, options) => client.request({ method, params }, resultSchema, options),
      { retryOnDisconnect: true },
    );
    const result = { items: itemsOf(answer), nextCursor: (answer as { nextCursor?: string }).nextCursor };
    items.push(...result.items);
    if (items.length > DISCOVERY_LIMITS.maxItems) {
      throw new IntegrationError(
        "INTEGRATION_INVALID_CATALOG",
        spec.integration,
        `${method} returned more than ${DISCOVERY_LIMITS.maxItems} items`,
      );
    }
    if (!result.nextCursor) return items;
    if (seen.has(result.nextCursor)) {
      throw new IntegrationError(
        "INTEGRATION_PROTOCOL_ERROR",
        spec.integration,
        `${method} repeated the cursor "${result.nextCursor.slice(0, 50)}"; pagination would never end`,
      );
    }
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  throw new IntegrationError(
    "INTEGRATION_PROTOCOL_ERROR",
    spec.integration,
    `${method} did not finish within ${DISCOVERY_LIMITS.maxPages} pages`,
  );
}

function canonicalOrder(content: CatalogContent): CatalogContent {
  const by =
    <T>(key: (item: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    ...content,
    tools: [...content.tools].sort(by((tool) => tool.name)),
    resources: [...content.resources].sort(by((resource) => resource.uri)),
    resourceTemplates: [...content.resourceTemplates].sort(by((template) => template.uriTemplate)),
    prompts: [...content.prompts].sort(by((prompt) => prompt.name)),
  };
}
