/**
 * Failures in background work that no caller is waiting for (a periodic journal write, a lease
 * renewal, a watch that re-reads the versions, cleanup after a run): never swallowed, they are
 * reported here with their cause. The default writes one JSON line to stderr; `charter serve`,
 * `worker` and `mcp` keep that, tests may collect them. The text is errorText's: a database error's
 * reason, not the query and its parameters (run data).
 */
import { errorText } from "./errors.ts";

export type ProblemReporter = (where: string, error: unknown) => void;

export const reportToStderr: ProblemReporter = (where, error) => {
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), event: "background-error", where, message: errorText(error, 300) })}\n`);
};

/**
 * A reporter for a failure that repeats while it lasts (a write tried every quarter second during
 * an outage): it reports the first failure and, once it works again, that it did, not every try.
 */
export function reportOnce(report: ProblemReporter, where: string): { failed: (error: unknown) => void; worked: () => void } {
  let failing = false;
  return {
    failed(error) {
      if (failing) return;
      failing = true;
      report(where, error);
    },
    worked() {
      if (!failing) return;
      failing = false;
      report(where, "recovered");
    },
  };
}
