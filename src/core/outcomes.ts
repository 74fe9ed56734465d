/**
 * How tool calls and runs end: one vocabulary for the bridge, the runs, the REST API, MCP and the
 * guest's `ToolError` (sandbox/charter.d.ts, checked against this list by a test), with what each
 * code means and whether trying again may help. docs/errors.md lists them (also checked).
 */

import { ERROR_CODES, type ErrorCode, isRetryableCode } from "./errors.ts";

type Meaning = { readonly meaning: string; readonly retryable: boolean };

/**
 * Why a tool call failed, as workflow code sees it (`ToolError.code`). `retryable` is the usual
 * answer; a failure may say otherwise (an integration that is not configured is UNAVAILABLE and
 * not retryable), and only calls that are safe to repeat are retried whatever it says.
 */
export const TOOL_ERROR_CODES = {
  TOOL_ERROR: { meaning: "the tool answered with an error", retryable: false },
  INVALID_ARGUMENTS: { meaning: "the arguments do not match the tool's input schema", retryable: false },
  INVALID_OUTPUT: { meaning: "the tool's answer does not match its output schema", retryable: false },
  NOT_ALLOWED: { meaning: "the tool is not among the version's capabilities", retryable: false },
  TIMEOUT: { meaning: "the tool server did not answer in time", retryable: true },
  UNAVAILABLE: { meaning: "the tool server could not be reached", retryable: true },
  LIMIT_EXCEEDED: { meaning: "a limit of the run was reached (calls, bytes)", retryable: false },
  NOT_MOCKED: { meaning: "under test or try, the call has no mocked result (and is not read-only)", retryable: false },
} as const satisfies Record<string, Meaning>;
export type ToolErrorCode = keyof typeof TOOL_ERROR_CODES;

/** How a run can end other than with its output, beside the tool codes it ends with when it does not catch them. */
export const RUN_ERROR_CODES = {
  WORKFLOW_ERROR: { meaning: "the workflow threw, or ended with a code of its own making", retryable: false },
  OUTPUT_INVALID: {
    meaning: "the output or saved state is not what the schema says or cannot be stored",
    retryable: false,
  },
  CALL_IN_DOUBT: {
    meaning: "a call that is not safe to repeat started and its end is unknown: check the integration",
    retryable: false,
  },
  CANCELLED: { meaning: "someone cancelled it; it stopped before its next tool call", retryable: false },
  HANDED_BACK: { meaning: "its process stopped; another resumes it from its journal", retryable: true },
  NON_DETERMINISM: { meaning: "on resume, the workflow made another call than its journal holds", retryable: false },
  RUN_NOT_STARTED: {
    meaning: "a queued run no worker started: its version was no longer the active one, or the job was refused",
    retryable: false,
  },
} as const satisfies Record<string, Meaning>;
export type RunErrorCode = keyof typeof RUN_ERROR_CODES;

export type OutcomeCode = ToolErrorCode | RunErrorCode;

/** Codes only the host gives: a workflow that ends with one of them made it up. */
export const HOST_ONLY_CODES: ReadonlySet<OutcomeCode> = new Set<RunErrorCode>([
  "CALL_IN_DOUBT",
  "CANCELLED",
  "HANDED_BACK",
  "NON_DETERMINISM",
]);

export function isOutcomeCode(code: unknown): code is OutcomeCode {
  return typeof code === "string" && (Object.hasOwn(TOOL_ERROR_CODES, code) || Object.hasOwn(RUN_ERROR_CODES, code));
}

/**
 * What a run's stored error may say: a code of this vocabulary, or one of Charter's own errors that
 * stopped it before or around the workflow (SANDBOX_UNAVAILABLE, BUNDLE_TAMPERED, …).
 */
export type RunEndCode = OutcomeCode | ErrorCode;

/** Whether trying the same run again may help, judging by its code alone (unknown codes: no). */
export function retryableCode(code: string): boolean {
  if (Object.hasOwn(TOOL_ERROR_CODES, code)) return TOOL_ERROR_CODES[code as ToolErrorCode].retryable;
  if (Object.hasOwn(RUN_ERROR_CODES, code)) return RUN_ERROR_CODES[code as RunErrorCode].retryable;
  return (ERROR_CODES as readonly string[]).includes(code) && isRetryableCode(code as ErrorCode);
}

export const RUN_STATUSES = ["running", "succeeded", "failed", "needs-attention", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The status a run ends in when it ends with this code: a call in doubt needs a person; a cancel is a cancel. */
export function endStatus(code: RunEndCode): Exclude<RunStatus, "running" | "succeeded"> {
  return code === "CALL_IN_DOUBT" ? "needs-attention" : code === "CANCELLED" ? "cancelled" : "failed";
}
