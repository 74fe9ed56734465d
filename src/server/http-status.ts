/** The HTTP status for each of Charter's error codes: every code decided here, exhaustively. */
import { assertExhaustive, type ErrorCode } from "../core/errors.ts";

export function httpStatus(code: ErrorCode): 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500 | 502 | 503 | 504 {
  switch (code) {
    case "UNKNOWN_USER":
      return 401;
    case "NOT_AUTHORIZED":
    case "REVIEWER_KEY_NOT_OWN":
    case "SELF_APPROVAL":
      return 403;
    case "TENANT_NOT_FOUND":
    case "VERSION_NOT_FOUND":
    case "RUN_NOT_FOUND":
    case "KEY_NOT_FOUND":
    case "FILE_UNREADABLE":
    case "PLANNING_SESSION_NOT_FOUND":
      return 404;
    case "VERSION_NOT_APPROVABLE":
    case "ALREADY_DECIDED":
    case "VERSION_GATES_FAILED":
    case "NOT_APPROVED":
    case "VERSION_SUPERSEDED":
    case "SCHEMA_DRIFT":
    case "BUNDLE_TAMPERED":
    case "CATALOG_NOT_SYNCED":
    case "RUN_NOT_RESUMABLE":
    case "DATA_DIR_LOCKED":
    case "PLANNING_SESSION_CLOSED":
      return 409;
    case "RUN_INPUT_INVALID":
    case "WORKFLOW_INVALID":
    case "PLANNER_CANNOT":
    case "PLANNER_NEEDS_INPUT":
    case "PLANNER_BUDGET":
      return 422;
    case "PLANNER_MODEL_ERROR":
    case "INTEGRATION_START_FAILED":
    case "INTEGRATION_UNREACHABLE":
    case "INTEGRATION_AUTH_REFUSED":
    case "INTEGRATION_PROTOCOL_ERROR":
    case "INTEGRATION_TIMEOUT":
    case "INTEGRATION_INVALID_CATALOG":
    case "CREDENTIAL_MISSING":
      return 502;
    case "DATABASE_UNAVAILABLE":
    case "SANDBOX_UNAVAILABLE":
      return 503;
    case "REQUEST_TIMEOUT":
      return 504;
    case "ENV_INVALID":
    case "CONFIG_INVALID":
    case "MIGRATION_FAILED":
      return 500;
    default:
      return assertExhaustive(code);
  }
}
