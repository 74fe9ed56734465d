/**
 * Local server processes: the stderr tail kept for error messages, and servers that Charter
 * launches itself and that announce their Streamable HTTP URL on stdout (`MCP_HTTP_URL=<url>`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { LaunchReadiness, ProcessSpec } from "./connection-spec.ts";

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
  spec: ProcessSpec & { ready?: LaunchReadiness | undefined },
  timeoutMs: number,
  stderr: TailBuffer,
  configuredUrl?: string,
): Promise<{ child: ChildProcess; url: string }> {
  const ready = spec.ready;
  if (ready && !configuredUrl)
    throw Object.assign(new Error("a launch with ready needs the integration's url"), { code: "LAUNCH_NO_URL" });
  const child = spawn(resolveCommand(spec.command), spec.args, {
    cwd: spec.cwd,
    env: processEnv(spec.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  stderr.attach(child.stderr);
  const waitingFor = !ready
    ? "print MCP_HTTP_URL=<url>"
    : "line" in ready
      ? `print a line matching /${ready.line}/`
      : `answer at ${configuredUrl}`;
  return new Promise((resolve, reject) => {
    const streams = [child.stdout, ...(ready && "line" in ready ? [child.stderr] : [])].filter(
      (stream): stream is Readable => stream !== null,
    );
    const readers = streams.map((input) => createInterface({ input }));
    let polling: NodeJS.Timeout | undefined;
    let settled = false;
    const done = () => {
      settled = true;
      clearTimeout(timer);
      clearTimeout(polling);
      for (const reader of readers) reader.close();
    };
    const fail = (error: Error) => {
      if (settled) return;
      done();
      child.kill("SIGKILL");
      reject(error);
    };
    const succeed = (url: string) => {
      if (settled) return;
      done();
      child.removeAllListeners("exit");
      child.removeListener("error", fail);
      child.stdout?.resume(); // keep draining so the server never blocks on a full pipe
      resolve({ child, url });
    };
    const timer = setTimeout(
      () =>
        fail(
          Object.assign(new Error(`the launched server did not ${waitingFor} within ${timeoutMs} ms`), {
            code: "LAUNCH_TIMEOUT",
          }),
        ),
      timeoutMs,
    );
    child.once("error", fail);
    child.once("exit", (code, signal) =>
      fail(
        Object.assign(
          new Error(
            `the launched server exited (${signal ?? `code ${code}`}) before it was ready (it was to ${waitingFor})`,
          ),
          { code: "LAUNCH_EXITED" },
        ),
      ),
    );
    if (!ready || "line" in ready) {
      const pattern = ready && "line" in ready ? new RegExp(ready.line) : undefined;
      for (const reader of readers) {
        reader.on("line", (line) => {
          if (pattern) {
            if (pattern.test(line)) succeed(configuredUrl ?? "");
            return;
          }
          const match = /^MCP_HTTP_URL=(https?:\/\/\S+)$/.exec(line.trim());
          if (match?.[1]) succeed(configuredUrl ?? match[1]);
        });
      }
    } else {
      // Ready when the URL answers HTTP at all (any status: an MCP endpoint may refuse a bare GET).
      const url = configuredUrl ?? "";
      const poll = () => {
        fetch(url, { method: "GET", signal: AbortSignal.timeout(1_000) }).then(
          (response) => {
            void response.body?.cancel();
            succeed(url);
          },
          () => {
            if (!settled) polling = setTimeout(poll, 100);
          },
        );
      };
      poll();
    }
  });
}
