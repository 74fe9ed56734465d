/**
 * A tool server that says its tools, resources or prompts changed (a `list_changed` notification)
 * gets its tenant synced again, so a changed tool is in the catalog, and a version it breaks is
 * marked drifted, without waiting for someone to run `charter tenants sync`. Notifications come in
 * on whatever connection this process has open to the server (runs' and subscriptions'). Syncs
 * of one tenant are debounced (a burst of changes is one sync) and never run two at a time: a change
 * during a sync brings one more sync after it.
 */
import type { ListName, McpClientPool } from "../mcp/index.ts";

export type ListChangedEvent =
  | { event: "catalog-resynced"; detail: { tenant: string; because: string[]; changed: string[]; drifted: string[] } }
  | { event: "catalog-resync-failed"; detail: { tenant: string; because: string[]; message: string } };

/** Returns the stop. `sync` is the app's (it checks drift when anything changed). */
export function resyncOnListChanged(options: {
  pool: McpClientPool;
  sync: (tenantId: string) => Promise<{
    result: { integrations: { integration: string; status: string }[] };
    drift: { version: string; drifted: boolean }[];
  }>;
  onEvent: (event: ListChangedEvent) => void;
  describeError: (error: unknown) => string;
  debounceMs?: number;
}): () => void {
  const debounceMs = options.debounceMs ?? 1_000;
  /** Per tenant: what asked for a sync not yet begun, its timer, and whether a sync is under way. */
  const tenants = new Map<string, { because: Set<string>; timer: NodeJS.Timeout | undefined; syncing: boolean }>();
  let stopped = false;

  const run = async (tenantId: string) => {
    const state = tenants.get(tenantId);
    if (!state || stopped) return;
    state.timer = undefined;
    if (state.syncing) return; // the sync under way schedules the next one when it ends
    const because = [...state.because].sort();
    state.because.clear();
    state.syncing = true;
    try {
      const { result, drift } = await options.sync(tenantId);
      const changed = result.integrations
        .filter((i) => i.status === "changed" || i.status === "new")
        .map((i) => i.integration);
      options.onEvent({
        event: "catalog-resynced",
        detail: { tenant: tenantId, because, changed, drifted: drift.filter((d) => d.drifted).map((d) => d.version) },
      });
    } catch (error) {
      options.onEvent({
        event: "catalog-resync-failed",
        detail: { tenant: tenantId, because, message: options.describeError(error) },
      });
    } finally {
      state.syncing = false;
      if (state.because.size > 0) schedule(tenantId);
      else tenants.delete(tenantId);
    }
  };
  const schedule = (tenantId: string) => {
    const state = tenants.get(tenantId);
    if (!state || state.timer || stopped) return;
    state.timer = setTimeout(() => void run(tenantId), debounceMs);
    state.timer.unref();
  };
  const unsubscribe = options.pool.onListChanged((key: string, list: ListName) => {
    // A connection's key is "<tenant>/<integration>".
    const slash = key.indexOf("/");
    if (slash <= 0) return;
    const tenantId = key.slice(0, slash);
    const state = tenants.get(tenantId) ?? { because: new Set<string>(), timer: undefined, syncing: false };
    tenants.set(tenantId, state);
    state.because.add(`${key.slice(slash + 1)}: ${list}`);
    schedule(tenantId);
  });
  return () => {
    stopped = true;
    unsubscribe();
    for (const state of tenants.values()) clearTimeout(state.timer);
    tenants.clear();
  };
}
