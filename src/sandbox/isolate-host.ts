/**
 * Runs one workflow bundle in a fresh isolated-vm isolate and returns its outcome; never throws
 * for anything the guest does. What crosses into the isolate: one host callback (tool calls and
 * log lines), which the trusted bootstrap takes off the global object into a closure, and strings
 * of JSON. Replies come back through a resolver only the host holds a reference to. No
 * Reference, ExternalCopy or host object is reachable from workflow code.
 *
 * A watchdog checks the isolate's CPU time and the run's wall time every few milliseconds, which
 * also covers code that runs after an awaited bridge call (isolated-vm's `timeout` covers only
 * synchronous execution); on a breach, or when the host asks to stop the run, the isolate is
 * disposed. A memory-limit kill disposes it too. Either way only this run fails.
 */
import { createHash } from "node:crypto";
import type ivm from "isolated-vm";
import type { LogLine, RunError } from "../core/records.ts";
import { type BridgeReply, IsolatePool } from "./isolate-pool.ts";
import { DEFAULT_LIMITS, type SandboxLimits } from "./limits.ts";

export type { LogLine } from "../core/records.ts";

export type RunInfo = { runId: string; workflow: string; version: number; trigger: string; attempt: number };

/** A run's failure as the guest reports it. */
export type GuestError = RunError;

export type IsolateOutcome =
  | { ok: true; output: unknown; state: Record<string, unknown> | null; logs: LogLine[]; cpuMs: number; wallMs: number }
  | { ok: false; error: GuestError; state: null; logs: LogLine[]; cpuMs: number; wallMs: number };

/** The host side of the bridge: a JSON request in; out, the logical time the call finished and the JSON reply, as
 * `"<at>|<json>"`. */
export type BridgeHandler = (request: string) => Promise<BridgeReply>;

export type IsolateRun = {
  code: string;
  input: unknown;
  info: RunInfo;
  state: Record<string, unknown>;
  startedAt: number;
  seed: [number, number];
  limits: SandboxLimits;
  bridge: BridgeHandler;
  /** Hears each log line as the workflow writes it (the outcome has them all at the end). */
  onLog?: (line: LogLine) => void;
  /** Set by the bridge when the run must stop at once (a fatal journal condition); its error becomes the outcome. */
  stop?: { error: GuestError | undefined };
};

const WATCHDOG_MS = 5;

/** V8's code cache per bundle: a bundle compiled once compiles again in a fraction of the time. */
const codeCache = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
const MAX_CODE_CACHE = 200;

async function compileWithCache(isolate: ivm.Isolate, code: string): Promise<ivm.Script> {
  const key = createHash("sha256").update(code).digest("base64");
  const cachedData = codeCache.get(key);
  // The typings leave out that a compiled Script also carries the CachedDataResult fields.
  const script = (await isolate.compileScript(
    code,
    cachedData ? { filename: "workflow.js", cachedData } : { filename: "workflow.js", produceCachedData: true },
  )) as ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean };
  if (!cachedData && script.cachedData) {
    codeCache.set(key, script.cachedData);
    if (codeCache.size > MAX_CODE_CACHE) codeCache.delete(codeCache.keys().next().value ?? "");
  } else if (cachedData && script.cachedDataRejected) {
    codeCache.delete(key);
  }
  return script;
}

let pool: IsolatePool | undefined;
/**
 * How many isolates are kept ready: one, or as many as a worker has slots (so a burst does not make
 * them on its runs' path).
 */
let poolSize = 1;

/** Keeps `count` isolates ready (at most 16), for a worker that runs `count` runs at a time. */
export function keepIsolatesReady(count: number): void {
  poolSize = Math.max(1, Math.min(16, Math.floor(count)));
  if (pool && pool.size !== poolSize) {
    void pool.drain();
    pool = undefined;
  }
}

/** Disposes the isolates kept ready for the next run (see IsolatePool.drain); called when Charter closes. */
export async function releaseIdleIsolates(): Promise<void> {
  const draining = pool;
  pool = undefined;
  await draining?.drain();
}

export async function runInIsolate(run: IsolateRun): Promise<IsolateOutcome> {
  const started = performance.now();
  const logs: LogLine[] = [];
  const given = new Set<string>();
  let breach: GuestError | undefined;
  pool ??= new IsolatePool(DEFAULT_LIMITS.memoryMb, poolSize);
  let prepared: Awaited<ReturnType<IsolatePool["take"]>>;
  try {
    prepared = await pool.take(run.limits.memoryMb);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: { code: "SANDBOX_UNAVAILABLE", message },
      state: null,
      logs,
      cpuMs: 0,
      wallMs: performance.now() - started,
    };
  }
  const { isolate, context, handlers, cpuAtStart } = prepared;
  const measure = () => ({
    cpuMs: isolate.isDisposed ? 0 : Number(isolate.cpuTime) / 1e6 - cpuAtStart,
    wallMs: performance.now() - started,
  });
  const kill = (error: GuestError) => {
    breach ??= error;
    if (!isolate.isDisposed) isolate.dispose();
  };
  const watchdog = setInterval(() => {
    if (run.stop?.error) return kill(run.stop.error);
    if (isolate.isDisposed) return;
    const { cpuMs, wallMs } = measure();
    if (cpuMs > run.limits.cpuMs)
      kill({ code: "LIMIT_EXCEEDED", message: `the run used more than ${run.limits.cpuMs} ms of CPU time` });
    else if (wallMs > run.limits.wallMs)
      kill({ code: "LIMIT_EXCEEDED", message: `the run took longer than ${run.limits.wallMs} ms` });
  }, WATCHDOG_MS);
  let cpuMs = 0;
  try {
    // The failures this run was given, by tool and code: a ToolError the workflow ends with must be one of them.
    handlers.bridge = async (request) => {
      const reply = await run.bridge(request);
      noteFailure(request, reply);
      return reply;
    };
    handlers.refused = (code, tool) => given.add(`${String(tool)}|${String(code)}`);
    handlers.log = (level: unknown, message: unknown, data: unknown) => {
      if (logs.length >= run.limits.logLines)
        return kill({ code: "LIMIT_EXCEEDED", message: `the run wrote more than ${run.limits.logLines} log lines` });
      const text = String(message);
      const size = text.length + (typeof data === "string" ? data.length : 0);
      const entry: LogLine = {
        level: level === "warn" || level === "error" ? level : "info",
        message: text.slice(0, run.limits.logBytes + 64),
        at: Date.now(),
      };
      if (typeof data === "string" && size <= run.limits.logBytes) entry.data = JSON.parse(data) as unknown;
      else if (typeof data === "string" || typeof data === "number")
        entry.message +=
          ` [data of ${typeof data === "number" ? data : data.length} bytes left out: over ` +
          `the ${run.limits.logBytes}-byte line limit]`;
      logs.push(entry);
      run.onLog?.(entry);
    };
    const syncTimeout = Math.max(1, run.limits.cpuMs);
    await (await compileWithCache(isolate, run.code)).run(context, { timeout: syncTimeout });
    // The guest runtime took the bridge when the script loaded; a script that calls no tool leaves
    // it on the global object, where nothing but a forged call would use it.
    await context.global.delete("__charterBridge");
    const reply = await context.evalClosure(
      "return __charterStart($0, $1, $2)",
      [
        JSON.stringify(run.input),
        JSON.stringify({
          run: run.info,
          startedAt: run.startedAt,
          seed: run.seed,
          limits: { logBytes: run.limits.logBytes, argsBytes: run.limits.argsBytes },
        }),
        JSON.stringify(run.state),
      ],
      { arguments: { copy: true }, result: { promise: true, copy: true }, timeout: syncTimeout },
    );
    cpuMs = measure().cpuMs;
    if (breach) return failed(breach);
    return parseOutcome(reply, run.limits);
  } catch (error) {
    cpuMs = cpuMs || measure().cpuMs;
    if (breach) return failed(breach);
    const message = error instanceof Error ? error.message : String(error);
    if (/memory limit/i.test(message))
      return failed({ code: "LIMIT_EXCEEDED", message: `the run used more than ${run.limits.memoryMb} MiB of memory` });
    if (/timed out/i.test(message))
      return failed({ code: "LIMIT_EXCEEDED", message: `the run used more than ${run.limits.cpuMs} ms of CPU time` });
    // A guest exception escaping the bootstrap (a throwing getter, say): report it, never rethrow it.
    return failed({ code: "WORKFLOW_ERROR", message: message.slice(0, 2000) });
  } finally {
    clearInterval(watchdog);
    if (!isolate.isDisposed) isolate.dispose();
  }

  function failed(error: GuestError): IsolateOutcome {
    return { ok: false, error, state: null, logs, cpuMs, wallMs: performance.now() - started };
  }

  function noteFailure(request: string, reply: BridgeReply) {
    const json = reply.slice(reply.indexOf("|") + 1);
    if (!json.startsWith('{"ok":false')) return;
    try {
      const code = String((JSON.parse(json) as { error: { code: unknown } }).error.code);
      const called = JSON.parse(request) as { integration?: unknown; tool?: unknown };
      if (typeof called.integration === "string" && typeof called.tool === "string")
        given.add(`${called.integration}.${called.tool}|${code}`);
    } catch {
      // A request that is not JSON names no tool (the runtime never sends one): no tool's failure to report.
    }
  }

  /**
   * A tool's failure the workflow reports must be one this run was given (rethrowing it is fine);
   * else it is the workflow's own error.
   */
  function genuine(error: GuestError): GuestError {
    if (!error.tool || given.has(`${error.tool}|${error.code}`)) return error;
    return {
      code: "WORKFLOW_ERROR",
      message:
        `the workflow threw a ${error.code} failure of ${error.tool} that no call of this run ` +
        `returned; only Charter reports a tool's failure (${error.message.slice(0, 1500)})`,
    };
  }

  function parseOutcome(reply: unknown, limits: SandboxLimits): IsolateOutcome {
    if (typeof reply !== "string")
      return failed({ code: "WORKFLOW_ERROR", message: "the run did not produce an outcome" });
    if (reply.length > limits.valueBytes * 2)
      return failed({
        code: "LIMIT_EXCEEDED",
        message: `the output and saved state are over ${limits.valueBytes} bytes`,
      });
    const parsed = JSON.parse(reply) as {
      ok: boolean;
      output?: unknown;
      error?: GuestError;
      state?: Record<string, unknown> | null;
    };
    const wallMs = performance.now() - started;
    if (!parsed.ok)
      return {
        ok: false,
        error: genuine({
          code: String(parsed.error?.code ?? "WORKFLOW_ERROR"),
          message: String(parsed.error?.message ?? ""),
          ...(parsed.error?.tool ? { tool: String(parsed.error.tool) } : {}),
        }),
        state: null,
        logs,
        cpuMs,
        wallMs,
      };
    if (JSON.stringify(parsed.output ?? null).length > limits.valueBytes)
      return failed({ code: "LIMIT_EXCEEDED", message: `the output is over ${limits.valueBytes} bytes` });
    if (parsed.state && JSON.stringify(parsed.state).length > limits.valueBytes)
      return failed({ code: "LIMIT_EXCEEDED", message: `the saved state is over ${limits.valueBytes} bytes` });
    return { ok: true, output: parsed.output ?? null, state: parsed.state ?? null, logs, cpuMs, wallMs };
  }
}
