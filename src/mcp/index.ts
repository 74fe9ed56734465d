export { McpClientPool } from "./client-pool.ts";
export type { ListName, PoolOptions } from "./client-pool.ts";
export type { ConnectionSpec, OAuthSettings, ProcessSpec } from "./connection-spec.ts";
export { discoverCatalog, discoverIntegration, DISCOVERY_LIMITS } from "./discovery.ts";
export type { Discovered } from "./discovery.ts";
export { diffCatalogs, diffTool, describeChange } from "./catalog-diff.ts";
export type { CatalogChange, SchemaChange } from "./catalog-diff.ts";
export { checkToolSchemas, MAX_SCHEMA_BYTES } from "./schema-check.ts";
