/** What the chaos trials share: a `charter worker` process to kill, and waiting for a condition with a deadline. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { REPO } from "../helpers/tenants.ts";

/** Starts `charter worker` with `env`; resolves once it has started. Its JSON lines are pushed to `lines`. */
export function startWorker(env: Record<string, string>, lines: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const worker = spawn(process.execPath, ["--no-node-snapshot", path.join(REPO, "src/cli/charter.js"), "worker"], {
      cwd: REPO,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    worker.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    worker.once("exit", (code, signal) =>
      reject(new Error(`the worker exited (${code ?? signal}) before it started: ${stderr}`)),
    );
    void (async () => {
      for await (const line of createInterface({ input: worker.stdout! })) {
        lines.push(line);
        if (line.includes('"worker-started"')) resolve(worker);
      }
    })();
  });
}

/** Waits until `check` holds, looking every 50 ms; throws "gave up waiting for <what>" after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
