/**
 * The watch behind list_changed: per tenant, one timer that reads its active versions and its
 * catalog every few seconds and tells every session of the tenant the keys it read. A thousand
 * sessions are two queries per interval, not two thousand. Watches are kept per app and tenant
 * (and interval) and stop with their last listener.
 */
import type { App } from "../app.ts";

export type TenantListener = { versions: (key: string) => void; catalog: (key: string) => void };
const watches = new WeakMap<App, Map<string, { listeners: Set<TenantListener>; timer: NodeJS.Timeout }>>();

/**
 * Calls each listener every `everyMs` with keys of the tenant's active versions and current catalog,
 * read once per interval for all the tenant's sessions; the returned function stops the listener
 * (and the watch with its last listener).
 */
export function watchTenant(app: App, tenantId: string, everyMs: number, listener: TenantListener): () => void {
  const byTenant = watches.get(app) ?? new Map<string, { listeners: Set<TenantListener>; timer: NodeJS.Timeout }>();
  watches.set(app, byTenant);
  const id = `${tenantId}\u0000${everyMs}`;
  let watch = byTenant.get(id);
  if (!watch) {
    const listeners = new Set<TenantListener>();
    const timer = setInterval(() => {
      void app.versionRepository
        .activeVersions(tenantId)
        .then((versions) => {
          const key = versions
            .map((v) => `${v.workflow}@${v.number}`)
            .sort()
            .join(",");
          for (const each of listeners) each.versions(key);
        })
        .catch((error: unknown) =>
          app.onProblem(`MCP list_changed watch: reading tenant ${tenantId}'s active versions`, error),
        );
      void app.catalogs
        .currentCatalog(tenantId)
        .then((catalog) => {
          const key = catalog
            .map((row) => row.hash)
            .sort()
            .join(",");
          for (const each of listeners) each.catalog(key);
        })
        .catch((error: unknown) =>
          app.onProblem(`MCP list_changed watch: reading tenant ${tenantId}'s catalog`, error),
        );
    }, everyMs);
    timer.unref();
    watch = { listeners, timer };
    byTenant.set(id, watch);
  }
  const joined = watch;
  joined.listeners.add(listener);
  return () => {
    joined.listeners.delete(listener);
    if (joined.listeners.size === 0) {
      clearInterval(joined.timer);
      if (byTenant.get(id) === joined) byTenant.delete(id);
    }
  };
}
