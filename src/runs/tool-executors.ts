/**
 * Where a checked tool call goes: the tenant's live MCP server (with its credentials, which stay
 * in this process), or the mocked results of a test. Both return outcomes, never throw for a
 * failed call; live failures carry a code and whether trying again may help. Text that comes
 * back from a server is redacted of the tenant's secrets before it goes anywhere.
 */
import type { OutcomeCode, ToolErrorCode } from "../core/outcomes.ts";
import { CallToolResultSchema, ErrorCode as McpErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { tenantConnections } from "../catalog/index.ts";
import type { Env } from "../config/env.ts";
import { redact, redactJson } from "../config/credentials.ts";
import { CharterError, type ErrorCode } from "../core/errors.ts";
import { storableJson } from "../core/json-limits.ts";
import type { MockedResult } from "../core/workflow.ts";
import type { McpClientPool } from "../mcp/index.ts";
import type { ToolCall, ToolOutcome } from "../sandbox/index.ts";

export type ToolRunner = (call: ToolCall) => Promise<ToolOutcome>;

const MAX_ERROR_TEXT = 2000;

/** Calls tools on the tenant's live servers through the shared client pool. */
export async function liveTools(options: {
  env: Env;
  processEnv: Record<string, string | undefined>;
  pool: McpClientPool;
  tenantId: string;
}): Promise<ToolRunner> {
  const { specs, secrets } = await tenantConnections(options);
  const clean = (text: string) => storableJson(redact(text, secrets).slice(0, MAX_ERROR_TEXT)).value as string;
  return async (call) => {
    const spec = specs.get(call.integration);
    if (!spec)
      return failure(
        "UNAVAILABLE",
        `integration "${call.integration}" is not configured for this tenant or its credentials are missing`,
        false,
      );
    try {
      const result = await options.pool.request(spec, `calling ${call.tool}`, (client, requestOptions) =>
        client.request(
          { method: "tools/call", params: { name: call.tool, arguments: call.args } },
          CallToolResultSchema,
          requestOptions,
        ),
      );
      if (result.isError) {
        const text = result.content.map((block) => (block.type === "text" ? block.text : `[${block.type}]`)).join("\n");
        return failure("TOOL_ERROR", clean(text || `${call.integration}.${call.tool} reported an error`), false);
      }
      // A server that echoes its own credentials must not hand them to the workflow; nor text the
      // journal cannot store (NUL, half a UTF-16 character), which is replaced.
      const outcome = { ok: true, structured: result.structuredContent, content: result.content };
      return storableJson(secrets.length === 0 ? outcome : redactJson(outcome, secrets)).value as ToolOutcome;
    } catch (error) {
      // A call that is not safe to repeat and was sent but never answered may have happened: it is
      // in doubt, not failed, and nothing should try it again on its own.
      const safe = call.policy.annotations.readOnly || call.policy.annotations.idempotent;
      if (!safe && outcomeUnknown(error)) {
        return failure(
          "CALL_IN_DOUBT",
          clean(
            `${call.integration}.${call.tool} was sent but not answered ` +
              `(${error instanceof Error ? error.message : String(error)}); it may or may not have ` +
              `taken effect, so Charter will not make it again`,
          ),
          false,
        );
      }
      if (error instanceof CharterError) return failure(toolCode(error.code), clean(error.message), error.retryable);
      return failure(
        "UNAVAILABLE",
        clean(`${call.integration}.${call.tool} failed: ${error instanceof Error ? error.message : String(error)}`),
        false,
      );
    }
  };
}

/**
 * Whether a failed request may have reached the server: no answer in time, or the connection
 * dropped mid-request (not: refused, unknown host).
 */
function outcomeUnknown(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    if (
      current instanceof McpError &&
      (current.code === McpErrorCode.RequestTimeout || current.code === McpErrorCode.ConnectionClosed)
    )
      return true;
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_BODY_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"].includes(code)
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * What the planner may read live while it plans: a subscribable resource's content (to learn what
 * its events carry) and read-only tools' results (to check that named channels and groups exist).
 * Both redacted of the tenant's secrets and capped; failures are answers, never thrown.
 */
export function plannerReads(options: {
  env: Env;
  processEnv: Record<string, string | undefined>;
  pool: McpClientPool;
}) {
  const MAX_TEXT = 200_000;
  return {
    async readResource(tenantId: string, integration: string, uri: string): Promise<string | undefined> {
      try {
        const { specs, secrets } = await tenantConnections({ ...options, tenantId });
        const spec = specs.get(integration);
        if (!spec) return undefined;
        const read = await options.pool.request(spec, `reading ${uri}`, (client, requestOptions) =>
          client.readResource({ uri }, requestOptions),
        );
        const first = read.contents[0];
        return first && "text" in first && typeof first.text === "string"
          ? redact(first.text, secrets).slice(0, MAX_TEXT)
          : undefined;
      } catch {
        // The planner treats an unreadable resource as unknown content and says so in its answer.
        return undefined;
      }
    },
    async callReadOnly(
      tenantId: string,
      tool: {
        key: string;
        inputSchema: Record<string, unknown>;
        outputSchema?: Record<string, unknown> | undefined;
        readOnly: boolean;
      },
      args: Record<string, unknown>,
    ): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
      if (!tool.readOnly) return { ok: false, message: `${tool.key} is not read-only` };
      const [integration, name] = [tool.key.slice(0, tool.key.indexOf(".")), tool.key.slice(tool.key.indexOf(".") + 1)];
      const runner = await liveTools({ ...options, tenantId });
      const outcome = await runner({
        integration,
        tool: name,
        args,
        policy: {
          integration,
          tool: name,
          annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
          inputSchema: tool.inputSchema,
          outputSchema: tool.outputSchema,
        },
      });
      return outcome.ok ? { ok: true, value: outcome.structured } : { ok: false, message: outcome.error.message };
    },
  };
}

function toolCode(code: ErrorCode): ToolErrorCode {
  return code === "INTEGRATION_TIMEOUT" ? "TIMEOUT" : "UNAVAILABLE";
}

function failure(code: OutcomeCode, message: string, retryable: boolean): ToolOutcome {
  return { ok: false, error: { code, message, retryable } };
}

/** Answers calls from a test's mocks: one result per call in order, the last one repeating. */
export function mockedTools(mocks: Record<string, MockedResult[]>, fallback?: ToolRunner): ToolRunner {
  const used = new Map<string, number>();
  return async (call) => {
    const key = `${call.integration}.${call.tool}`;
    const results = mocks[key];
    if (!results || results.length === 0) {
      if (fallback && call.policy.annotations.readOnly) return fallback(call);
      return failure(
        "NOT_MOCKED",
        `${key} has no mocked result${fallback ? " and is not read-only, so it is not called live" : ""}`,
        false,
      );
    }
    const index = used.get(key) ?? 0;
    used.set(key, index + 1);
    const result = results[Math.min(index, results.length - 1)] as MockedResult;
    if ("error" in result) return failure(result.error.code, result.error.message, result.error.retryable);
    if ("output" in result)
      return { ok: true, structured: result.output, content: [{ type: "text", text: JSON.stringify(result.output) }] };
    return { ok: true, content: result.content };
  };
}

/**
 * Retries retryable failures with exponential backoff and equal jitter (each pause is half fixed,
 * half random), but only for calls that are safe to repeat: read-only or idempotent tools, or tools
 * the workflow's `retry` list names. Others fail on the first attempt. By default 5 attempts with
 * pauses of about 0.25, 0.5, 1 and 2 s (2–4 s in all): long enough for a tool server that restarts
 * (a dropped connection, then refused ones, then a new session) to come back within one call.
 */
export function withRetries(
  runner: ToolRunner,
  options: {
    attempts?: number;
    baseMs?: number;
    onRetry?: (call: ToolCall, attempt: number, outcome: ToolOutcome) => void;
  } = {},
): ToolRunner {
  const attempts = options.attempts ?? 5;
  const baseMs = options.baseMs ?? 250;
  return async (call) => {
    const safe = call.policy.annotations.readOnly || call.policy.annotations.idempotent || call.policy.retry === true;
    for (let attempt = 1; ; attempt++) {
      const outcome = await runner(call);
      if (outcome.ok || !outcome.error.retryable || !safe || attempt >= attempts) return outcome;
      options.onRetry?.(call, attempt, outcome);
      const pause = baseMs * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, pause / 2 + (Math.random() * pause) / 2));
    }
  };
}
