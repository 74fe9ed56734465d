/**
 * Failures in background work that no caller is waiting for (a periodic journal write, a lease
 * renewal, a watch that re-reads the versions, cleanup after a run): never swallowed, they are
 * reported here with their cause. The default writes one JSON line to stderr; `charter serve`,
 * `worker` and `mcp` keep that, tests may collect them. The text is errorText's: a database error's
 * reason, not the query and its parameters (run data).
 */
import { errorText } from "./errors.ts";

/** Given instead of an error when work that was failing works again. */
export const RECOVERED = Symbol("recovered");

export type ProblemReporter = (where: string, error: unknown) => void;

/**
 * A failure in a few words: for a failed query its cause (the driver's reason), never the query's
 * text and parameters (run data).
 */
export function problemText(error: unknown): string {
  return errorText(error instanceof Error && error.cause instanceof Error ? error.cause : error, 300);
}

export const reportToStderr: ProblemReporter = (where, error) => {
  const line =
    error === RECOVERED
      ? { event: "background-recovered", where }
      : { event: "background-error", where, message: problemText(error) };
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);
};

/**
 * A reporter for a failure that repeats while it lasts (a write tried every quarter second during
 * an outage): it reports the first failure and, once it works again, that it did, not every try.
 */
export function reportOnce(
  report: ProblemReporter,
  where: string,
): { failed: (error: unknown) => void; worked: () => void } {
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
      report(where, RECOVERED);
    },
  };
}
