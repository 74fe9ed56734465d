/**
 * The type check on TypeScript's native compiler (TypeScript 7, `tsgo`), kept warm: one tsgo
 * process per Charter process, driven from a worker thread (native-worker.ts) through
 * TypeScript's synchronous API, and one project per SDK. A check hands tsgo the workflow's new text
 * (through the API's file-system callback: it is never written to disk) and asks for a new
 * snapshot, so tsgo re-checks only that file against the SDK it already holds, while the main
 * thread does the static analysis and esbuild bundles.
 *
 * The project's other files live in a directory of their own (mode 0700) under the OS temp dir:
 * the SDK declarations, charter.d.ts and a tsconfig. tsgo reads those from disk, so a source is
 * only sent here when it names no module but `charter:sdk` and `charter:workflow` and no file
 * (`eligibleForNative`); anything else is checked by the embedded compiler, whose module
 * resolution is closed, and rejected by the analysis anyway.
 *
 * If tsgo cannot start or a check fails, `open` gives undefined or `check` rejects, and the
 * compiler falls back to the embedded TypeScript; its result says which one checked.
 * `CHARTER_NATIVE_TYPECHECK=0` turns the native checker off.
 */
import { nativeTypecheckWanted } from "../config/env.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { ts } from "ts-morph";
import { ES_LIB, guestFiles } from "./guest-files.ts";
import type { NativeFinding, WorkerAnswer, WorkerRequest } from "./native-worker.ts";
import { COMPILER_OPTIONS } from "./typecheck.ts";

export type { NativeFinding } from "./native-worker.ts";
export type NativeChecked = { diagnostics: readonly NativeFinding[]; returned: string[][] | undefined };

const WORKFLOW_FILE = "workflow.ts";
const ALLOWED_IMPORTS = new Set(["charter:sdk", "charter:workflow"]);

/** Whether tsgo may check this source: it imports only charter:* modules and references no files. */
export function eligibleForNative(source: string): boolean {
  const info = ts.preProcessFile(source, true, true);
  if (
    info.referencedFiles.length > 0 ||
    info.typeReferenceDirectives.length > 0 ||
    info.libReferenceDirectives.length > 0
  )
    return false;
  return info.importedFiles.every((file) => ALLOWED_IMPORTS.has(file.fileName));
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** The worker thread and the directory that holds every project of this process. */
class NativeServer {
  static #instance: NativeServer | null | undefined;
  readonly root: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }>();
  #ids = 0;
  #projects = 0;
  #failed: Error | undefined;

  private constructor() {
    this.root = mkdtempSync(path.join(tmpdir(), "charter-tsc-"));
    this.#worker = new Worker(new URL("./native-worker.ts", import.meta.url));
    this.#worker.unref();
    this.#worker.on("message", (answer: WorkerAnswer) => this.#settle(answer.id, (p) => p.resolve(answer)));
    const fail = (error: Error) => {
      this.#failed = error;
      for (const id of [...this.#pending.keys()]) this.#settle(id, (p) => p.reject(error));
    };
    this.#worker.on("error", fail);
    this.#worker.on("exit", (code) => fail(new Error(`the native type checker stopped (exit code ${code})`)));
    process.once("exit", () => rmSync(this.root, { recursive: true, force: true }));
  }

  /** The process's server, or undefined when the native checker is turned off or failed to start. */
  static get(): NativeServer | undefined {
    if (NativeServer.#instance === undefined) {
      try {
        NativeServer.#instance = nativeTypecheckWanted() ? new NativeServer() : null;
      } catch {
        NativeServer.#instance = null;
      }
    }
    return NativeServer.#instance ?? undefined;
  }

  projectDirectory(): string {
    const directory = path.join(this.root, `p${++this.#projects}`);
    mkdirSync(directory, { mode: 0o700 });
    return directory;
  }

  /**
   * Sends one request; the worker is referenced only while answers are due, so an idle one never
   * holds the process open.
   */
  request(request: DistributiveOmit<WorkerRequest, "id">): Promise<Exclude<WorkerAnswer, { error: string }>> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = ++this.#ids;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (answer) => ("error" in answer ? reject(new Error(answer.error)) : resolve(answer)),
        reject,
      });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settle(
    id: number,
    settle: (pending: { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }) => void,
  ) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
    settle(pending);
  }
}

export class NativeTypechecker {
  readonly #server: NativeServer;
  readonly #directory: string;

  private constructor(server: NativeServer, directory: string) {
    this.#server = server;
    this.#directory = directory;
  }

  /** A warm project for one SDK, or undefined when tsgo is not available here. */
  static async open(sdkDeclarations: ReadonlyMap<string, string>): Promise<NativeTypechecker | undefined> {
    const server = NativeServer.get();
    if (!server) return undefined;
    try {
      const directory = server.projectDirectory();
      mkdirSync(path.join(directory, "sdk"));
      for (const [name, text] of sdkDeclarations)
        if (name.endsWith(".d.ts")) writeFileSync(path.join(directory, "sdk", name), text);
      writeFileSync(path.join(directory, "charter.d.ts"), guestFiles().declarations);
      writeFileSync(
        path.join(directory, "tsconfig.json"),
        JSON.stringify({ compilerOptions: nativeOptions(), files: ["charter.d.ts", WORKFLOW_FILE] }),
      );
      await server.request({ kind: "open", directory });
      return new NativeTypechecker(server, directory);
    } catch {
      return undefined;
    }
  }

  /**
   * Checks one workflow source: its diagnostics, and the properties `run` can return when its
   * name's position is given. Checks are answered in order; the worker does one at a time.
   */
  async check(source: string, runPosition: number | undefined): Promise<NativeChecked> {
    const answer = await this.#server.request({ kind: "check", directory: this.#directory, source, runPosition });
    return { diagnostics: answer.diagnostics, returned: answer.returned };
  }

  /** Releases the project in tsgo and removes its files. */
  async close(): Promise<void> {
    await this.#server.request({ kind: "close", directory: this.#directory }).catch(() => undefined);
    rmSync(this.#directory, { recursive: true, force: true });
  }
}

/** The embedded compiler's options, spelled for a tsconfig, with `charter:sdk` mapped to the SDK. */
function nativeOptions(): Record<string, unknown> {
  return {
    strict: COMPILER_OPTIONS.strict,
    noEmit: true,
    target: "es2023",
    module: "esnext",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    isolatedModules: true,
    noImplicitReturns: COMPILER_OPTIONS.noImplicitReturns,
    noFallthroughCasesInSwitch: COMPILER_OPTIONS.noFallthroughCasesInSwitch,
    lib: [ES_LIB.replace(/^lib\.|\.d\.ts$/g, "")],
    types: [],
    typeRoots: [],
    paths: { "charter:sdk": ["./sdk/index.d.ts"] },
  };
}
