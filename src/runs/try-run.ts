/**
 * A run that is not kept: for `charter try` and for running a workflow's tests. The same executor
 * as a durable run (execute.ts: isolate, bridge, limits, schema checks), but calls go to the given
 * tool runner (mocks, or live read-only tools) and nothing is journaled or stored. Every call is
 * recorded in the result.
 */
import { randomInt } from "node:crypto";
import {
  DEFAULT_LIMITS,
  type GuestError,
  type IsolateOutcome,
  type SandboxLimits,
  type ToolOutcome,
} from "../sandbox/index.ts";
import { executeBundle, inputProblems } from "./execute.ts";
import type { RunnableBundle } from "./run-service.ts";
import type { ToolRunner } from "./tool-executors.ts";

export type TriedCall = { seq: number; tool: string; args: Record<string, unknown>; outcome: ToolOutcome; ms: number };

export type TryResult = {
  ok: boolean;
  output: unknown;
  error: GuestError | null;
  calls: TriedCall[];
  logs: IsolateOutcome["logs"];
  state: Record<string, unknown> | null;
  cpuMs: number;
  wallMs: number;
};

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
  const problems = inputProblems(options.bundle, options.input);
  if (problems.length > 0) {
    return {
      ok: false,
      output: null,
      error: {
        code: "RUN_INPUT_INVALID",
        message: `the input does not match the input schema: ${problems.join("; ")}`,
      },
      calls,
      logs: [],
      state: null,
      cpuMs: 0,
      wallMs: 0,
    };
  }
  const outcome = await executeBundle({
    bundle: options.bundle,
    input: options.input,
    info: {
      runId: options.as?.runId ?? "try",
      workflow: options.bundle.workflow,
      version: options.as?.version ?? 0,
      trigger: options.as?.trigger ?? "manual",
      attempt: 1,
    },
    state: options.state ?? {},
    startedAt: options.startedAt ?? Date.now(),
    seed: [randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)],
    limits,
    execute: async (call) => {
      const started = performance.now();
      const outcome = await options.tools(call);
      const tried: TriedCall = {
        seq: calls.length + 1,
        tool: `${call.integration}.${call.tool}`,
        args: call.args,
        outcome,
        ms: performance.now() - started,
      };
      calls.push(tried);
      options.onCall?.(tried);
      return { outcome, at: Date.now() };
    },
  });
  const measured = { calls, logs: outcome.logs, cpuMs: outcome.cpuMs, wallMs: outcome.wallMs };
  if (!outcome.ok)
    return { ok: false, output: outcome.rejectedOutput ?? null, error: outcome.error, state: null, ...measured };
  return { ok: true, output: outcome.output, error: null, state: outcome.state, ...measured };
}
