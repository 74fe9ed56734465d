/**
 * Isolates made ready before they are needed: a fresh isolated-vm isolate with its context, the
 * host's two entry points and the bootstrap already run. Each isolate serves exactly one run and is
 * then disposed; the pool only moves the ~2 ms of creating one off a run's critical path.
 *
 * The entry point is installed before the bootstrap runs (the bootstrap takes it off the global
 * object), so it forwards to per-run handlers that are filled in when a run takes the
 * isolate. Until then they answer nothing.
 */
import type ivm from "isolated-vm";
import { CharterError } from "../core/errors.ts";
import { BOOTSTRAP_SOURCE } from "./bootstrap.ts";

let loaded: Promise<typeof ivm> | undefined;

/**
 * isolated-vm, loaded when the first run needs it, so every other command works without it. It
 * is a native module built for one Node.js: when it is missing or built for another, say so.
 */
function isolatedVm(): Promise<typeof ivm> {
  loaded ??= import("isolated-vm").then(
    (module) => module.default,
    (error: unknown) => {
      loaded = undefined;
      throw new CharterError(
        "SANDBOX_UNAVAILABLE",
        `the sandbox (isolated-vm) cannot be loaded in ` +
          `Node.js ${process.versions.node}:` +
          ` ${error instanceof Error ? error.message.split("\n")[0] : String(error)}. Run 'npm run ` +
          `setup', which installs it for Node.js 24.`,
      );
    },
  );
  return loaded;
}

/**
 * A bridge reply as it crosses: `"<at>|<json>"`, the logical time the call finished and the reply
 * (one string: the cheapest value to copy).
 */
export type BridgeReply = string;

export type Handlers = {
  bridge: (request: string) => Promise<BridgeReply>;
  log: (level: unknown, message: unknown, data: unknown) => void;
  /**
   * The bootstrap refused a call of this tool ("integration.tool") inside the isolate (arguments
   * over the limit) with this code.
   */
  refused: (code: unknown, tool: unknown) => void;
};

export type PreparedIsolate = { isolate: ivm.Isolate; context: ivm.Context; handlers: Handlers; cpuAtStart: number };

const idle: Handlers = {
  bridge: async () =>
    `0|${JSON.stringify({ ok: false, error: { code: "UNAVAILABLE", message: "no run", retryable: false } })}`,
  log: () => {},
  refused: () => {},
};

/**
 * Every isolate made and not yet disposed. A process that ends with a live isolate can crash in
 * isolated-vm's teardown (an assertion in IsolateEnvironment::GetCurrent, after every test of a
 * file passed): whatever is still alive when the process exits is disposed first, synchronously.
 */
const live = new Set<ivm.Isolate>();
let disposingAtExit = false;

function track(isolate: ivm.Isolate): void {
  for (const known of live) if (known.isDisposed) live.delete(known);
  live.add(isolate);
  if (disposingAtExit) return;
  disposingAtExit = true;
  process.once("exit", () => {
    for (const known of live) if (!known.isDisposed) known.dispose();
  });
}

async function prepare(memoryMb: number): Promise<PreparedIsolate> {
  const ivm = await isolatedVm();
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  track(isolate);
  try {
    const context = await isolate.createContext();
    const handlers: Handlers = { ...idle };
    // One plain function inside the isolate (a Callback copies its arguments), for tool calls and
    // log lines; the bootstrap keeps it. A call is answered by calling the bootstrap's resolver through
    // a reference only the host holds: two one-way crossings are cheaper than one Reference.apply that
    // waits for a promise.
    let resolver: ivm.Reference<(id: number, reply: string) => void> | undefined;
    const answer = (id: unknown, request: unknown) => {
      void handlers
        .bridge(String(request))
        .then((reply) => resolver?.apply(undefined, [Number(id), reply], { arguments: { copy: true } }))
        .catch(() => {}); // the isolate is gone: the run is over
    };
    const entry = (kind: unknown, a: unknown, b: unknown, c: unknown) =>
      kind === "call" ? answer(a, b) : kind === "refused" ? handlers.refused(a, b) : handlers.log(a, b, c);
    await context.global.set("__charterHost", new ivm.Callback(entry, { ignored: true }));
    (await isolate.compileScript(BOOTSTRAP_SOURCE)).runSync(context, { timeout: 1_000 });
    resolver = await context.global.get("__charterResolve", { reference: true });
    await context.global.delete("__charterResolve");
    return { isolate, context, handlers, cpuAtStart: Number(isolate.cpuTime) / 1e6 };
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

export class IsolatePool {
  readonly #memoryMb: number;
  readonly #size: number;
  readonly #ready: Promise<PreparedIsolate>[] = [];

  constructor(memoryMb: number, size = 1) {
    this.#memoryMb = memoryMb;
    this.#size = size;
  }

  /** How many isolates it keeps ready. */
  get size(): number {
    return this.#size;
  }

  /** A ready isolate with this memory limit: from the pool when it matches, else made now. */
  async take(memoryMb: number): Promise<PreparedIsolate> {
    if (memoryMb !== this.#memoryMb || this.#size === 0) return prepare(memoryMb);
    const next = this.#ready.shift() ?? prepare(memoryMb);
    this.#fill();
    const prepared = await next.catch((error: unknown) => {
      if (error instanceof CharterError) throw error;
      return prepare(memoryMb);
    });
    return { ...prepared, cpuAtStart: Number(prepared.isolate.cpuTime) / 1e6 };
  }

  /**
   * Disposes the isolates made ready and not taken. A process that ends with a live isolate can
   * crash in isolated-vm's teardown (an assertion in IsolateEnvironment::GetCurrent), so whoever
   * closes Charter drains the pool first; the next run makes a new one.
   */
  async drain(): Promise<void> {
    const ready = this.#ready.splice(0);
    for (const pending of ready) {
      const prepared = await pending.catch(() => undefined);
      if (prepared && !prepared.isolate.isDisposed) prepared.isolate.dispose();
    }
  }

  #fill(): void {
    while (this.#ready.length < this.#size) {
      const pending = prepare(this.#memoryMb);
      pending.catch(() => {});
      this.#ready.push(pending);
    }
  }
}
