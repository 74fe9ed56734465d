/**
 * Running hostile code in the sandbox the way an attacker who got past the compiler would: a raw
 * script that sets `__charterWorkflow` itself, without the guest runtime, so it can reach the
 * bridge function directly. Every call it makes is recorded by a fake executor.
 */
import {
  createBridge,
  DEFAULT_LIMITS,
  type IsolateOutcome,
  runInIsolate,
  type SandboxLimits,
  type ToolCall,
  type ToolOutcome,
  type ToolPolicy,
} from "../../src/sandbox/index.ts";

export const ECHO: ToolPolicy = {
  integration: "ops",
  tool: "echo",
  annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  inputSchema: {
    type: "object",
    properties: { text: { type: "string", maxLength: 100 } },
    required: ["text"],
    additionalProperties: false,
  },
  outputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
};

export const DELETE: ToolPolicy = {
  integration: "ops",
  tool: "delete_everything",
  annotations: { readOnly: false, destructive: true, idempotent: false, openWorld: false },
  inputSchema: { type: "object" },
};

/** A workflow whose run() body is `body` (plain JavaScript, async, with `input`, `ctx` and `call(tool, args)` in scope). */
export function rawWorkflow(body: string, prelude = ""): string {
  return `${prelude}
const __bridge = globalThis.__charterBridge; // taken when the script loads, as the guest runtime does
var __charterWorkflow = { default: { run: async (input, ctx) => {
  const call = async (tool, args) => JSON.parse(await __bridge(JSON.stringify({ integration: "ops", tool, args })));
  ${body}
} } };`;
}

export type Ran = { outcome: IsolateOutcome; calls: ToolCall[] };

export async function runRaw(
  code: string,
  options: {
    tools?: ToolPolicy[];
    limits?: Partial<SandboxLimits>;
    respond?: (call: ToolCall) => ToolOutcome | Promise<ToolOutcome>;
    input?: unknown;
    state?: Record<string, unknown>;
    seed?: [number, number];
  } = {},
): Promise<Ran> {
  const calls: ToolCall[] = [];
  const limits = { ...DEFAULT_LIMITS, cpuMs: 1_000, wallMs: 5_000, ...options.limits };
  const bridge = createBridge({
    tools: options.tools ?? [ECHO],
    limits,
    execute: async (call) => {
      calls.push(call);
      return {
        outcome: (await options.respond?.(call)) ?? { ok: true, structured: { text: String(call.args["text"] ?? "") } },
        at: Date.now(),
      };
    },
  });
  const outcome = await runInIsolate({
    code,
    input: options.input ?? {},
    info: { runId: "r", workflow: "hostile", version: 1, trigger: "manual", attempt: 1 },
    state: options.state ?? {},
    startedAt: Date.parse("2026-01-01T00:00:00Z"),
    seed: options.seed ?? [1, 2],
    limits,
    bridge,
  });
  return { outcome, calls };
}
