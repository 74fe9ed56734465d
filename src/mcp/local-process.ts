/**
 * Local server processes: the stderr tail kept for error messages, and servers that Charter
 * launches itself and that announce their Streamable HTTP URL on stdout (`MCP_HTTP_URL=<url>`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { ProcessSpec } from "./connection-spec.ts";

/** Keeps the last `max` characters written to a stream. */
export class TailBuffer {
  #text = "";
  readonly #max: number;
  constructor(max = 2000) {
    this.#max = max;
  }
  attach(stream: Readable | null | undefined): void {
    stream?.on("data", (chunk: Buffer | string) => {
      this.#text = (this.#text + chunk.toString()).slice(-this.#max);
    });
  }
  get text(): string {
    return this.#text.trim();
  }
}

/** `node` means the Node.js running Charter, so servers written in TypeScript get Node 24 too. */
export function resolveCommand(command: string): string {
  return command === "node" ? process.execPath : command;
}

/** A minimal inherited environment (PATH, HOME, …) plus the integration's own variables. */
export function processEnv(extra: Record<string, string>): Record<string, string> {
  return { ...getDefaultEnvironment(), ...extra };
}

/** Starts a local HTTP server and waits for it to print its URL. */
export async function launchHttpServer(
  spec: ProcessSpec,
  timeoutMs: number,
  stderr: TailBuffer,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(resolveCommand(spec.command), spec.args, {
    cwd: spec.cwd,
    env: processEnv(spec.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  stderr.attach(child.stderr);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as Readable });
    const fail = (error: Error) => {
      clearTimeout(timer);
      lines.close();
      child.kill("SIGKILL");
      reject(error);
    };
    const timer = setTimeout(() => {
      const error = new Error(`the launched server did not print MCP_HTTP_URL=<url> within ${timeoutMs} ms`);
      Object.assign(error, { code: "LAUNCH_TIMEOUT" });
      fail(error);
    }, timeoutMs);
    child.once("error", fail);
    child.once("exit", (code, signal) => fail(Object.assign(new Error(`the launched server exited (${signal ?? `code ${code}`}) before printing its URL`), { code: "LAUNCH_EXITED" })));
    lines.on("line", (line) => {
      const match = /^MCP_HTTP_URL=(https?:\/\/\S+)$/.exec(line.trim());
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.removeListener("error", fail);
      child.stdout?.resume(); // keep draining so the server never blocks on a full pipe
      resolve({ child, url: match[1] });
    });
  });
}
