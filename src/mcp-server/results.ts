/** How Charter's MCP tools answer: data, failures with a stable code, progress, and retry advice for failed runs. */
import type { CallToolResult, ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import { retryableCode } from "../core/outcomes.ts";
import type { Capability } from "../core/workflow.ts";

/** Reports progress of one tool call; undefined when its caller did not ask for progress. */
export type Progress = ((message: string) => void) | undefined;
/** Sends a notification related to the request being handled (on its stream, over Streamable HTTP). */
export type Send = (notification: ServerNotification) => Promise<void>;

/** The `_meta` key of a workflow call's answer that names its run. */
export const RUN_META = "charter/run";

/** `notifications/progress` for a request that carries a progress token; a failed send never fails the call. */
export function progressReporter(token: string | number | undefined, send: Send): Progress {
  if (token === undefined) return undefined;
  let progress = 0;
  return (message) =>
    void send({
      method: "notifications/progress",
      params: { progressToken: token, progress: ++progress, message },
    }).catch(() => undefined);
}

/** A structured answer, also as JSON text for clients that read only the content. */
export function data(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** A failed call: its code and message as text, the code and whether a retry may help in `_meta`. */
export function failure(code: string, message: string, retryable: boolean): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text: `${code}: ${message}` }],
    _meta: { "charter/error": { code, retryable } },
  };
}

/**
 * Whether a caller may run a failed workflow again. A run that changed something before it failed
 * (a call that is not read-only succeeded, or started with no known end) is not retried blindly,
 * whatever its code: a second run would make those changes again.
 */
export function retryAdvice(
  code: string,
  journal: readonly { integration: string; tool: string; status: string }[],
  capabilities: readonly Capability[],
): { retryable: boolean; hint: string } {
  const readOnly = new Set(capabilities.filter((c) => c.annotations.readOnly).map((c) => `${c.integration}.${c.tool}`));
  const changed = journal.some(
    (entry) => entry.status !== "failed" && !readOnly.has(`${entry.integration}.${entry.tool}`),
  );
  if (changed)
    return {
      retryable: false,
      hint: "it changed something before it failed (charter.get_run shows what), so a retry could do that twice",
    };
  return retryableCode(code)
    ? { retryable: true, hint: "a retry may succeed" }
    : { retryable: false, hint: "retrying will not help" };
}
