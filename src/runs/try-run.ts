/**
 * A run that is not kept: for `charter try` and for running a workflow's tests. Same isolate,
 * bridge and limits as a durable run, but calls go to the given tool runner (mocks, or live
 * read-only tools) and nothing is journaled or stored. Every call is recorded in the result.
 */
import { randomInt } from "node:crypto";
import { schemaValidator } from "../core/json-schema.ts";
import { createBridge, DEFAULT_LIMITS, type GuestError, type IsolateOutcome, runInIsolate, type SandboxLimits, type ToolOutcome } from "../sandbox/index.ts";
import type { RunnableBundle } from "./run-service.ts";
import type { ToolRunner } from "./tool-executors.ts";

export type TriedCall = { seq: number; tool: string; args: Record<string, unknown>; outcome: ToolOutcome; ms: number };

export type TryResult = { ok: boolean; output: unknown; error: GuestError | null; calls: TriedCall[]; logs: IsolateOutcome["logs"]; state: Record<string, unknown> | null; cpuMs: number; wallMs: number };

export async function tryRun(options: {
  bundle: RunnableBundle;
  input: unknown;
  tools: ToolRunner;
  state?: Record<string, unknown>;
  limits?: SandboxLimits;
  /** The run's start time as ctx.now() sees it (epoch ms); now when absent. */
  startedAt?: number;
  onCall?: (call: TriedCall) => void;
  /**
   * How the run looks to the workflow (`ctx.run`): run id "try" and a manual trigger by default,
   * for `charter try`. The test gate passes what a live run would see (a run id, the workflow's
   * trigger), so code cannot behave only while it is being tested.
   */
  as?: { runId: string; trigger: string; version?: number };
}): Promise<TryResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const calls: TriedCall[] = [];
  const inputProblems = schemaValidator(options.bundle.inputSchema)(options.input);
  if (inputProblems.length > 0) {
    return { ok: false, output: null, error: { code: "RUN_INPUT_INVALID", message: `the input does not match the input schema: ${inputProblems.join("; ")}` }, calls, logs: [], state: null, cpuMs: 0, wallMs: 0 };
  }
  const startedAt = options.startedAt ?? Date.now();
  const bridge = createBridge({
    tools: options.bundle.tools,
    limits,
    execute: async (call) => {
      const started = performance.now();
      const outcome = await options.tools(call);
      const tried: TriedCall = { seq: calls.length + 1, tool: `${call.integration}.${call.tool}`, args: call.args, outcome, ms: performance.now() - started };
      calls.push(tried);
      options.onCall?.(tried);
      return { outcome, at: Date.now() };
    },
  });
  const outcome = await runInIsolate({
    code: options.bundle.code,
    input: options.input,
    info: { runId: options.as?.runId ?? "try", workflow: options.bundle.workflow, version: options.as?.version ?? 0, trigger: options.as?.trigger ?? "manual", attempt: 1 },
    state: options.state ?? {},
    startedAt,
    seed: [randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)],
    limits,
    bridge,
  });
  if (!outcome.ok) return { ok: false, output: null, error: outcome.error, calls, logs: outcome.logs, state: null, cpuMs: outcome.cpuMs, wallMs: outcome.wallMs };
  const wrong = schemaValidator(options.bundle.outputSchema)(outcome.output);
  if (wrong.length > 0) {
    return { ok: false, output: outcome.output, error: { code: "OUTPUT_INVALID", message: `the output does not match the output schema: ${wrong.join("; ")}` }, calls, logs: outcome.logs, state: null, cpuMs: outcome.cpuMs, wallMs: outcome.wallMs };
  }
  return { ok: true, output: outcome.output, error: null, calls, logs: outcome.logs, state: outcome.state, cpuMs: outcome.cpuMs, wallMs: outcome.wallMs };
}
