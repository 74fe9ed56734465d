export { CatalogService } from "./sync.ts";
export type { CatalogServiceResources, IntegrationSyncResult, SyncProgress, TenantSyncResult } from "./sync.ts";
