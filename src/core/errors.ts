/**
 * Charter's failures: one class per kind of failure, each with a stable string code that users and
 * agents can act on, a message that says what to do, an optional cause, and a retry hint derived
 * from the code (never guessed at the throw site).
 */

export const ERROR_CODES = [
  "ENV_INVALID",
  "CONFIG_INVALID",
  "TENANT_NOT_FOUND",
  "CREDENTIAL_MISSING",
  "INTEGRATION_START_FAILED",
  "INTEGRATION_UNREACHABLE",
  "INTEGRATION_AUTH_REFUSED",
  "INTEGRATION_PROTOCOL_ERROR",
  "INTEGRATION_TIMEOUT",
  "INTEGRATION_INVALID_CATALOG",
  "DATA_DIR_LOCKED",
  "DATABASE_UNAVAILABLE",
  "MIGRATION_FAILED",
  "CATALOG_NOT_SYNCED",
  "WORKFLOW_INVALID",
  "FILE_UNREADABLE",
  "RUN_INPUT_INVALID",
  "RUN_NOT_FOUND",
  "RUN_NOT_RESUMABLE",
  "KEY_NOT_FOUND",
  "REQUEST_TIMEOUT",
  "SANDBOX_UNAVAILABLE",
  "VERSION_NOT_FOUND",
  "VERSION_GATES_FAILED",
  "VERSION_NOT_APPROVABLE",
  "SELF_APPROVAL",
  "REVIEWER_KEY_NOT_OWN",
  "ALREADY_DECIDED",
  "NOT_AUTHORIZED",
  "UNKNOWN_USER",
  "NOT_APPROVED",
  "VERSION_SUPERSEDED",
  "BUNDLE_TAMPERED",
  "SCHEMA_DRIFT",
  "PLANNER_BUDGET",
  "PLANNER_MODEL_ERROR",
  "PLANNER_CANNOT",
  "PLANNER_NEEDS_INPUT",
  "PLANNING_SESSION_NOT_FOUND",
  "PLANNING_SESSION_CLOSED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether trying the same thing again later can succeed without anyone changing anything. */
export function isRetryableCode(code: ErrorCode): boolean {
  switch (code) {
    case "INTEGRATION_UNREACHABLE":
    case "INTEGRATION_TIMEOUT":
    case "DATABASE_UNAVAILABLE":
    case "DATA_DIR_LOCKED":
    case "REQUEST_TIMEOUT":
      return true;
    case "ENV_INVALID":
    case "CONFIG_INVALID":
    case "TENANT_NOT_FOUND":
    case "CREDENTIAL_MISSING":
    case "INTEGRATION_START_FAILED":
    case "INTEGRATION_AUTH_REFUSED":
    case "INTEGRATION_PROTOCOL_ERROR":
    case "INTEGRATION_INVALID_CATALOG":
    case "MIGRATION_FAILED":
    case "CATALOG_NOT_SYNCED":
    case "WORKFLOW_INVALID":
    case "FILE_UNREADABLE":
    case "RUN_INPUT_INVALID":
    case "RUN_NOT_FOUND":
    case "KEY_NOT_FOUND":
    case "RUN_NOT_RESUMABLE":
    case "SANDBOX_UNAVAILABLE":
    case "VERSION_NOT_FOUND":
    case "VERSION_GATES_FAILED":
    case "VERSION_NOT_APPROVABLE":
    case "SELF_APPROVAL":
    case "REVIEWER_KEY_NOT_OWN":
    case "ALREADY_DECIDED":
    case "NOT_AUTHORIZED":
    case "UNKNOWN_USER":
    case "NOT_APPROVED":
    case "VERSION_SUPERSEDED":
    case "BUNDLE_TAMPERED":
    case "SCHEMA_DRIFT":
    case "PLANNER_BUDGET":
    case "PLANNER_CANNOT":
    case "PLANNER_NEEDS_INPUT":
    case "PLANNING_SESSION_NOT_FOUND":
    case "PLANNING_SESSION_CLOSED":
      return false;
    case "PLANNER_MODEL_ERROR":
      return true;
    default:
      return assertExhaustive(code);
  }
}

export function assertExhaustive(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

export class CharterError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
  get retryable(): boolean {
    return isRetryableCode(this.code);
  }
}

/** The process environment or a tenant file is not what Charter can run with. */
export class ConfigError extends CharterError {}

/** A tenant's integration could not be used: it names the integration and what went wrong. */
export class IntegrationError extends CharterError {
  readonly integration: string;
  constructor(code: ErrorCode, integration: string, message: string, options?: { cause?: unknown }) {
    super(code, `integration "${integration}": ${message}`, options);
    this.integration = integration;
  }
}

/**
 * The planner did not write a draft, and says why: a part of the request it could not map to the
 * tenant's tools or triggers (refused), or a question whose answer it needs (needs input), with the
 * options it found in the catalog. No draft was stored; the planning session was, and an answer
 * continues it.
 */
export class PlannerDeclined extends CharterError {
  readonly outcome: "refused" | "needs-input";
  readonly clause: string;
  readonly reason: string;
  readonly options: string[];
  /** The words of the request an answer stands in for (a name that does not exist), when the planner knows them. */
  readonly replaces: string | undefined;
  /** The stored planning session an answer continues (charter plan --answer). */
  readonly session: string | undefined;
  constructor(
    outcome: "refused" | "needs-input",
    clause: string,
    reason: string,
    options: string[] = [],
    extra: { replaces?: string | undefined; session?: string | undefined } = {},
  ) {
    const message =
      outcome === "refused"
        ? `cannot plan "${clause}": ${reason}`
        : `needs an answer about ` +
          `"${clause}": ${reason}${options.length ? ` (for example: ${options.join("; ")})` : ""}`;
    super(outcome === "refused" ? "PLANNER_CANNOT" : "PLANNER_NEEDS_INPUT", message);
    this.outcome = outcome;
    this.clause = clause;
    this.reason = reason;
    this.options = options;
    this.replaces = extra.replaces;
    this.session = extra.session;
  }
  /** The same answer, naming the session that keeps it. */
  inSession(session: string): PlannerDeclined {
    return new PlannerDeclined(this.outcome, this.clause, this.reason, this.options, {
      replaces: this.replaces,
      session,
    });
  }
  toJSON(): { outcome: string; clause: string; reason: string; options: string[]; session?: string } {
    return {
      outcome: this.outcome,
      clause: this.clause,
      reason: this.reason,
      options: this.options,
      ...(this.session ? { session: this.session } : {}),
    };
  }
}

/** The database could not be opened, locked or migrated. */
export class StoreError extends CharterError {}

/** A message that is safe to show: the error's own message, or a generic line for foreign errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * An error's message for a log line or an event: a database error's query parameters (request and
 * run data) are left out, and its driver's reason is kept.
 */
export function errorText(error: unknown, max = 500): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!/^Failed query:/.test(message)) return message.slice(0, max);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${message.replace(/\nparams:[\s\S]*$/, "")}${cause}`.slice(0, max);
}
