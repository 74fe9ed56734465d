/**
 * The one executor behind every way a workflow runs: `charter try`, the test gate and durable runs.
 * It checks the input against the bundle's schema, runs the code in an isolate whose every tool call
 * goes through the bridge (capabilities, schemas, limits) to the caller's `execute`, and checks the
 * output against the schema. What differs between the three is only what `execute` does with a
 * call (mocks, live tools, live tools with a journal) and what the caller keeps of the outcome.
 */
import { schemaValidator } from "../core/json-schema.ts";
import {
  createBridge,
  type Executor,
  type IsolateOutcome,
  type IsolateRun,
  runInIsolate,
  type ToolPolicy,
} from "../sandbox/index.ts";

/** What the executor needs of a compiled workflow. */
export type ExecutableBundle = {
  code: string;
  tools: ToolPolicy[];
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
};

/** The problems of an input against the bundle's input schema (none: it may run). */
export function inputProblems(bundle: Pick<ExecutableBundle, "inputSchema">, input: unknown): string[] {
  return schemaValidator(bundle.inputSchema)(input);
}

export type Execution = IsolateOutcome & {
  /** A well-formed output that broke the output schema: kept for `try`, never stored. */
  rejectedOutput?: unknown;
};

/**
 * Runs the bundle on an input already checked with inputProblems. An output that does not match
 * the output schema is an OUTPUT_INVALID failure. `stop` lets the caller end the run at once from
 * a tool call (its error becomes the outcome).
 */
export async function executeBundle(
  options: Omit<IsolateRun, "code" | "bridge"> & { bundle: ExecutableBundle; execute: Executor },
): Promise<Execution> {
  const { bundle, execute, ...run } = options;
  const outcome = await runInIsolate({
    ...run,
    code: bundle.code,
    bridge: createBridge({ tools: bundle.tools, limits: run.limits, execute }),
  });
  if (!outcome.ok) return outcome;
  const wrong = schemaValidator(bundle.outputSchema)(outcome.output);
  if (wrong.length === 0) return outcome;
  return {
    ok: false,
    error: { code: "OUTPUT_INVALID", message: `the output does not match the output schema: ${wrong.join("; ")}` },
    state: null,
    logs: outcome.logs,
    cpuMs: outcome.cpuMs,
    wallMs: outcome.wallMs,
    rejectedOutput: outcome.output,
  };
}
