/**
 * Turns whatever a transport or the MCP SDK threw into an IntegrationError that says which of
 * the failure kinds happened (cannot start, not reachable, auth refused, protocol error, timed
 * out) in words a person can act on. Text that came from the server is redacted and shortened.
 */
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode as McpErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { ZodError as ZodErrorV4 } from "zod";
import { redact, type Secret } from "../config/credentials.ts";
import { IntegrationError } from "../core/errors.ts";

export type FailureContext = {
  integration: string;
  /** What Charter was doing: "connecting", "tools/list", … */
  doing: string;
  timeoutMs: number;
  secrets: Secret[];
  /** The last lines the server wrote to stderr, if any. */
  stderrTail?: string;
};

export function classifyError(error: unknown, context: FailureContext): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const clean = (text: string) => shorten(redact(text, context.secrets));
  const stderr = context.stderrTail ? `; its stderr ended with: ${clean(context.stderrTail)}` : "";
  const make = (code: ConstructorParameters<typeof IntegrationError>[0], message: string) =>
    new IntegrationError(code, context.integration, message, { cause: error });

  if (error instanceof UnauthorizedError)
    return make(
      "INTEGRATION_AUTH_REFUSED",
      `the server refused Charter's credentials while ${context.doing}; check the integration's credentials`,
    );
  if (error instanceof StreamableHTTPError) {
    const status = error.code ?? 0;
    if (status === 401 || status === 403) {
      return make(
        "INTEGRATION_AUTH_REFUSED",
        `the server refused Charter's credentials (HTTP ${status}) while ${context.doing}; check ` +
          `the integration's credentials`,
      );
    }
    if (status === 404)
      return make(
        "INTEGRATION_PROTOCOL_ERROR",
        `no MCP endpoint at the configured URL (HTTP 404) while ${context.doing}`,
      );
    return make("INTEGRATION_PROTOCOL_ERROR", `unexpected HTTP answer while ${context.doing}: ${clean(error.message)}`);
  }
  if (error instanceof McpError) {
    if (error.code === McpErrorCode.RequestTimeout) {
      return make("INTEGRATION_TIMEOUT", `no answer to ${context.doing} within ${context.timeoutMs} ms${stderr}`);
    }
    if (
      error.code === McpErrorCode.ConnectionClosed &&
      (error.data as { streamBrokeOff?: unknown } | undefined)?.streamBrokeOff === true
    ) {
      return make(
        "INTEGRATION_UNREACHABLE",
        `the connection to the server broke off while ${context.doing}: ${clean(error.message)}`,
      );
    }
    if (error.code === McpErrorCode.ConnectionClosed) {
      return make(
        "INTEGRATION_START_FAILED",
        `the server closed the connection while ${context.doing}${stderr || " (it wrote nothing to stderr)"}`,
      );
    }
    return make(
      "INTEGRATION_PROTOCOL_ERROR",
      `the server answered ${context.doing} with error ${error.code}: ${clean(error.message)}`,
    );
  }
  if (error instanceof ZodErrorV4 || isZodLike(error)) {
    return make(
      "INTEGRATION_PROTOCOL_ERROR",
      `the server's answer to ${context.doing} does not follow the MCP schema: ${clean((error as Error).message)}`,
    );
  }
  if (error instanceof SyntaxError) {
    return make(
      "INTEGRATION_PROTOCOL_ERROR",
      `the server sent something that is not JSON-RPC while ${context.doing}: ${clean(error.message)}`,
    );
  }
  const code = networkCode(error);
  if (code === "ENOENT" || code === "EACCES") {
    return make(
      "INTEGRATION_START_FAILED",
      `cannot start the server command (${code}): check that the command exists and is executable`,
    );
  }
  if (
    code &&
    ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ECONNRESET", "EAI_AGAIN", "ENETUNREACH", "UND_ERR_SOCKET"].includes(
      code,
    )
  ) {
    return make(
      "INTEGRATION_UNREACHABLE",
      `cannot reach the server (${code}) while ${context.doing}; is it running and is the URL right?`,
    );
  }
  if (error instanceof TypeError && error.message === "fetch failed") {
    const reason = error.cause instanceof Error ? error.cause.message : "network error";
    return make(
      "INTEGRATION_UNREACHABLE",
      `cannot reach the server (${clean(reason)}) while ${context.doing}; is it running and is the URL right?`,
    );
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
    return make("INTEGRATION_TIMEOUT", `connecting to the server timed out while ${context.doing}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return make("INTEGRATION_PROTOCOL_ERROR", `failed while ${context.doing}: ${clean(message)}${stderr}`);
}

function isZodLike(error: unknown): boolean {
  return error instanceof Error && (error.name === "ZodError" || error.name === "$ZodError");
}

function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function shorten(text: string, max = 400): string {
  const single = text.replace(/\s+/g, " ").trim();
  return single.length > max ? `${single.slice(0, max)}…` : single;
}
