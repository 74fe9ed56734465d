/**
 * Wakes callers waiting for runs to end (a `?wait`, an MCP wait, `wait_for_runs`): the database
 * notifies `charter_run_finished` with the job id and run id when a run leaves `running`, on any
 * path and in any process (a trigger on runs, migration 0009), so a waiter is woken when the end
 * commits instead of polling. One LISTEN per process, opened on first use.
 */
import type { Database } from "../store/index.ts";

/** How often a waiter re-reads the runs even without a notification (one lost with a connection). */
export const RUN_END_RECHECK_MS = 5_000;

export class RunEnds {
  readonly #database: Database;
  /** Waiters by job id or run id. */
  readonly #waiters = new Map<string, Set<() => void>>();
  #listening: Promise<() => Promise<void>> | undefined;

  constructor(database: Database) {
    this.#database = database;
  }

  /**
   * A wait for the end of a run named by any of `keys` (job ids or run ids), at most `ms`. Register
   * it before reading the runs, then await `ended`: an end that commits in between is not missed.
   */
  async watch(keys: string[], ms: number): Promise<{ ended: Promise<void>; cancel: () => void }> {
    this.#listening ??= this.#database.listen("charter_run_finished", (payload) => {
      for (const key of payload.split(" ")) for (const wake of this.#waiters.get(key) ?? []) wake();
    });
    try {
      await this.#listening;
    } catch (error) {
      this.#listening = undefined;
      throw error;
    }
    let wake: () => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
    for (const key of keys) this.#waiters.set(key, (this.#waiters.get(key) ?? new Set()).add(wake));
    const cancel = () => {
      clearTimeout(timer);
      for (const key of keys) {
        const waiters = this.#waiters.get(key);
        waiters?.delete(wake);
        if (waiters?.size === 0) this.#waiters.delete(key);
      }
    };
    void ended.then(cancel);
    return { ended, cancel };
  }

  async close(): Promise<void> {
    const listening = this.#listening;
    this.#listening = undefined;
    if (listening) await (await listening)();
  }
}
