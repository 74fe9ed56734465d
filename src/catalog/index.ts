export { CatalogService } from "./sync.ts";
export { OAuthVault } from "./oauth-vault.ts";
export type { CatalogServiceResources, IntegrationSyncResult, SyncProgress, TenantSyncResult } from "./sync.ts";
export { connectionSpec, tenantConnections } from "./connection.ts";
export { resyncOnListChanged } from "./list-changed.ts";
export type { ListChangedEvent } from "./list-changed.ts";
