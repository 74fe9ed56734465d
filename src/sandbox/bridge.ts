/**
 * The host side of the bridge: every tool call a workflow makes arrives here as JSON text and is
 * checked before anything runs: size, the per-run call budget, the version's capabilities (the
 * allow-list from static analysis) and the tool's inputSchema. Then an executor runs it (live
 * through MCP, from the journal on replay, or from test mocks), and a structured result is checked
 * against the tool's outputSchema. The guest always gets a reply, never an exception.
 */
import type { ToolErrorCode } from "../core/outcomes.ts";
import type { ToolOutcome, ToolPolicy } from "../core/records.ts";
import { CharterError } from "../core/errors.ts";
import { storableJson } from "../core/json-limits.ts";
import { schemaValidator } from "../core/json-schema.ts";
import type { GuestError } from "./isolate-host.ts";
import type { BridgeReply } from "./isolate-pool.ts";
import type { SandboxLimits } from "./limits.ts";

export type { ToolPolicy } from "../core/records.ts";

export type ToolCall = { integration: string; tool: string; args: Record<string, unknown>; policy: ToolPolicy };

export type { ToolOutcome } from "../core/records.ts";

/** Runs a checked call; `at` is the time the call finished (logical time on replay). */
export type Executor = (call: ToolCall) => Promise<{ outcome: ToolOutcome; at: number }>;

type Request = { integration: string; tool: string; args: Record<string, unknown> };

/**
 * The request, if it is `{ integration, tool, args }` with strings and an object (checked by hand:
 * this is the hot path).
 */
function parseRequest(text: string): Request | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const { integration, tool, args } = value as Record<string, unknown>;
  if (typeof integration !== "string" || typeof tool !== "string" || integration.length > 200 || tool.length > 500)
    return undefined;
  if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
  return { integration, tool, args: args as Record<string, unknown> };
}

export function createBridge(options: {
  tools: readonly ToolPolicy[];
  limits: SandboxLimits;
  execute: Executor;
  now?: () => number;
}) {
  const policies = new Map(options.tools.map((tool) => [`${tool.integration}\u0000${tool.tool}`, tool]));
  const validators = new Map<
    string,
    { input: (v: unknown) => string[]; output: ((v: unknown) => string[]) | undefined }
  >();
  const now = options.now ?? Date.now;
  let calls = 0;
  let exchanged = 0;
  const reply = (outcome: ToolOutcome, at: number): BridgeReply => `${at}|${JSON.stringify(outcome)}`;
  const refuse = (code: ToolErrorCode, message: string) =>
    reply({ ok: false, error: { code, message, retryable: false } }, now());

  return async function bridge(request: string): Promise<BridgeReply> {
    if (typeof request !== "string") return refuse("INVALID_ARGUMENTS", "the request is not text");
    if (request.length > options.limits.argsBytes)
      return refuse("LIMIT_EXCEEDED", `the arguments are over ${options.limits.argsBytes} bytes`);
    if (++calls > options.limits.toolCalls)
      return refuse("LIMIT_EXCEEDED", `the run made more than ${options.limits.toolCalls} tool calls`);
    exchanged += request.length;
    if (exchanged > options.limits.exchangedBytes)
      return refuse(
        "LIMIT_EXCEEDED",
        `the run's tool calls exchanged more than ${options.limits.exchangedBytes} bytes`,
      );
    const parsed = parseRequest(request);
    if (!parsed)
      return refuse("INVALID_ARGUMENTS", "the request is not { integration, tool, args } with object arguments");
    const key = `${parsed.integration}\u0000${parsed.tool}`;
    const policy = policies.get(key);
    if (!policy)
      return refuse("NOT_ALLOWED", `${parsed.integration}.${parsed.tool} is not among this workflow's capabilities`);
    let validator = validators.get(key);
    if (!validator) {
      validator = {
        input: schemaValidator(policy.inputSchema),
        output: policy.outputSchema ? schemaValidator(policy.outputSchema) : undefined,
      };
      validators.set(key, validator);
    }
    const invalid = validator.input(parsed.args);
    if (invalid.length > 0)
      return refuse("INVALID_ARGUMENTS", `arguments of ${parsed.integration}.${parsed.tool}: ${invalid.join("; ")}`);
    if (storableJson(parsed.args).changed)
      return refuse(
        "INVALID_ARGUMENTS",
        `arguments of ${parsed.integration}.${parsed.tool} hold a NUL character or half a UTF-16 ` +
          `character, which no tool call may carry (it could not be journaled)`,
      );
    let executed: Awaited<ReturnType<Executor>>;
    try {
      executed = await options.execute({
        integration: parsed.integration,
        tool: parsed.tool,
        args: parsed.args,
        policy,
      });
    } catch (error) {
      // Executors report failures as outcomes; anything thrown is Charter's own fault, described without detail.
      const message =
        error instanceof CharterError ? error.message : "the call could not be carried out (internal error)";
      return reply({ ok: false, error: { code: "UNAVAILABLE", message, retryable: false } }, now());
    }
    const { outcome, at } = executed;
    if (outcome.ok && validator.output) {
      if (outcome.structured === undefined)
        return reply(
          {
            ok: false,
            error: {
              code: "INVALID_OUTPUT",
              message:
                `${parsed.integration}.${parsed.tool} returned no structured content, but declares ` +
                `an outputSchema`,
              retryable: false,
            },
          },
          at,
        );
      const wrong = validator.output(outcome.structured);
      if (wrong.length > 0)
        return reply(
          {
            ok: false,
            error: {
              code: "INVALID_OUTPUT",
              message:
                `${parsed.integration}.${parsed.tool} returned output that does not match its ` +
                `outputSchema: ${wrong.join("; ")}`,
              retryable: false,
            },
          },
          at,
        );
    }
    const text = reply(
      outcome.ok
        ? validator.output
          ? { ok: true, structured: outcome.structured }
          : { ok: true, content: outcome.content ?? [] }
        : outcome,
      at,
    );
    if (text.length > options.limits.resultBytes)
      return reply(
        {
          ok: false,
          error: {
            code: "LIMIT_EXCEEDED",
            message: `the result of ${parsed.integration}.${parsed.tool} is over ${options.limits.resultBytes} bytes`,
            retryable: false,
          },
        },
        at,
      );
    exchanged += text.length;
    if (exchanged > options.limits.exchangedBytes)
      return reply(
        {
          ok: false,
          error: {
            code: "LIMIT_EXCEEDED",
            message: `the run's tool calls exchanged more than ${options.limits.exchangedBytes} bytes`,
            retryable: false,
          },
        },
        at,
      );
    return text;
  };
}

export type { GuestError };
