/**
 * Graceful shutdown hands runs back: a `charter worker` stopped (SIGTERM) while a run is in a
 * slow, non-idempotent call, past its grace time, lets that call finish, stops the run at its next call, and its job
 * goes back to the queue; a second worker resumes the run from the journal. The tool server
 * counts every call: each happened exactly once.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { testDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, REPO, tenantsFolder } from "./helpers/tenants.ts";

const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "three-steps",
  description: "Appends three lines, slowly.",
  input: { type: "object" },
  output: { type: "object", properties: { done: { type: "integer" } }, required: ["done"] },
  run: async () => {
    for (const text of ["one", "two", "three"]) await ops.append({ text, delay_ms: 60000 });
    return { done: 3 };
  },
});`;
const TESTS = JSON.stringify({
  tests: [
    {
      name: "appends",
      input: {},
      mocks: {
        "ops.append": [
          { output: { written: "one" } },
          { output: { written: "two" } },
          { output: { written: "three" } },
        ],
      },
      expect: { output: { done: 3 } },
    },
  ],
});

test("a worker stopped mid-run hands the run back; another worker resumes it and no call happens twice", {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-handback-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  // A call's delay lasts while this file exists: the first call is held open until A has been told to stop.
  const hold = path.join(dir, "hold");
  await writeFile(hold, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile, hold) } } },
  });
  const database = await testDatabase("server");
  const url = database.raw.kind === "postgres" ? database.raw.url : "";
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database });
  const workers: ChildProcess[] = [];
  const logs: string[] = [];
  const startWorker = (name: string) =>
    new Promise<ChildProcess>((resolve, reject) => {
      const worker = spawn(process.execPath, ["--no-node-snapshot", path.join(REPO, "src/cli/charter.js"), "worker"], {
        cwd: REPO,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: process.env["HOME"] ?? "",
          DATABASE_URL: url,
          CHARTER_TENANTS_DIR: tenants,
          CHARTER_SHUTDOWN_GRACE_MS: "200",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      workers.push(worker);
      let stderr = "";
      worker.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      worker.once("exit", (code) => reject(new Error(`worker ${name} exited (${code}): ${stderr}`)));
      void (async () => {
        for await (const line of createInterface({ input: worker.stdout! })) {
          logs.push(`${name} ${line}`);
          if (line.includes('"worker-started"')) resolve(worker);
        }
      })();
    });
  const seen = async (pattern: string, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    while (!logs.some((line) => line.includes(pattern))) {
      if (Date.now() > until) throw new Error(`no "${pattern}" in the worker logs:\n${logs.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  let dispatcher: Dispatcher | undefined;
  try {
    assert.ok((await app.sync("acme")).result.ok);
    await approvedVersion(app, "acme", { source: SOURCE, fileName: "three-steps.ts", tests: TESTS });

    const first = await startWorker("A");
    dispatcher = await Dispatcher.start(app, { worker: false, scheduler: false });
    const job = await dispatcher.enqueue({ tenantId: "acme", workflow: "three-steps", input: {}, trigger: "manual" });
    assert.ok(job);
    await seen('"run-dispatched"');
    await startWorker("B");
    first.kill("SIGTERM");
    await seen('"worker-stopping"');
    await new Promise((resolve) => setTimeout(resolve, 500)); // past A's grace time: it hands back
    await rm(hold);
    await new Promise((resolve) => first.once("exit", resolve));
    await seen('"runs-handed-back"');
    await seen('"run-resumed"', 60_000);
    await seen('"run-finished"', 30_000);

    const run = await app.runRepository.runOfJob(job);
    assert.equal(run?.status, "succeeded", logs.join("\n"));
    assert.equal(run?.attempts, 2, "started by A, resumed by B");
    const journal = await app.runRepository.journal(run?.id ?? "");
    assert.deepEqual(
      journal.map((e) => `${e.seq} ${e.tool} ${e.status}`),
      ["1 append succeeded", "2 append succeeded", "3 append succeeded"],
    );
    const lines = (await readFile(countFile, "utf8")).split("\n").filter(Boolean);
    assert.deepEqual(lines, ["append:one", "append:two", "append:three"], "each call happened exactly once");
    assert.ok(
      logs.some((line) => line.startsWith("A ") && line.includes('"run-handed-back"')),
      logs.join("\n"),
    );
  } finally {
    await dispatcher?.stop();
    for (const worker of workers) if (worker.exitCode === null) worker.kill("SIGTERM");
    await Promise.all(
      workers.map((worker) =>
        worker.exitCode === null ? new Promise((resolve) => worker.once("exit", resolve)) : undefined,
      ),
    );
    await app.close();
  }
});
