/**
 * A long-running process (serve, worker) does not die of a promise rejection nothing observed: such
 * a rejection (seen when the database drops its connections mid-request) is logged as an event and
 * the process goes on, since every request and run has its own error handling and retries. Returns
 * the function that removes the handler.
 */
import { errorText } from "../core/errors.ts";

export function keepServing(log: (line: Record<string, unknown>) => void): () => void {
  const handler = (reason: unknown) =>
    log({ at: new Date().toISOString(), event: "unhandled-rejection", message: errorText(reason) });
  process.on("unhandledRejection", handler);
  return () => process.off("unhandledRejection", handler);
}
