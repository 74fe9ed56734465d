/**
 * A tool server (MCP over Streamable HTTP, with sessions) that crashes, hangs or restarts while a
 * durable run is calling it. The server counts what it really did, so "not made twice" is checked
 * from the tool's side:
 *  - killed mid-call of a non-idempotent tool: the run stops at once as needs-attention (the call
 *    is in doubt), not at the request timeout and never as a retryable failure;
 *  - killed mid-call of an idempotent tool and started again on the same address: the call is
 *    retried, the client opens a new session (the restarted server answers 404 to the old one),
 *    and the run finishes with every call made once;
 *  - hung (SIGSTOP) mid-call of a non-idempotent tool: the request times out and the call is in
 *    doubt (not retryable); when the server wakes up it may finish the call, and a workflow that
 *    retries on the hint still cannot make it twice.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { admit } from "../src/runs/admission.ts";
import type { RunEvent, RunnableBundle } from "../src/runs/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO, tenantsFolder } from "./helpers/tenants.ts";

const COUNTING_SERVER = path.join(REPO, "test/fixtures/counting-server.ts");

/** Starts the counting server over HTTP (on `port`, or a free one) and resolves once it listens. */
function startServer(countFile: string, port = 0): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COUNTING_SERVER, "--file", countFile, "--http", "--port", String(port)], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`the counting server exited (${code ?? signal}) before it listened`)),
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const url = /^MCP_HTTP_URL=(.+)$/.exec(line)?.[1];
      if (url) resolve({ child, url });
    });
  });
}

/** Killed as a crash leaves it. */
function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

const workflow = (name: string, body: string) => `import { ops } from "charter:sdk";
import { defineWorkflow, ToolError } from "charter:workflow";
export default defineWorkflow({
  name: "${name}",
  description: "A chaos trial.",
  input: { type: "object" },
  output: { type: "object", properties: { done: { type: "boolean" } }, required: ["done"] },
  run: async () => {
    ${body}
    return { done: true };
  },
});`;

describe("a tool server that crashes, hangs or restarts mid-run", () => {
  let dir: string;
  let countFile: string;
  let server: { child: ChildProcess; url: string };
  let app: App;
  const build = async (name: string, body: string, on = app): Promise<RunnableBundle> => {
    const { result, runnable } = await on.toolchain.build("acme", {
      source: workflow(name, body),
      fileName: `${name}.ts`,
    });
    assert.ok(runnable, JSON.stringify(result.diagnostics));
    return runnable;
  };
  /** Runs `bundle`, doing `when` (once) as the run begins `tool` live. */
  const runWith = async (bundle: RunnableBundle, tool: string, when: () => Promise<void>, on = app) => {
    let acted: Promise<void> | undefined;
    const onEvent = (event: RunEvent) => {
      if (event.event === "call-started" && event.tool === `ops.${tool}` && event.source === "live") acted ??= when();
    };
    const result = await on.runs.start({
      tenantId: "acme",
      bundle,
      admission: admit("acme", bundle.hash, undefined),
      input: {},
      trigger: { type: "manual" },
      onEvent,
    });
    await acted;
    return result;
  };
  const lines = async (prefix: string) =>
    (await readFile(countFile, "utf8")).split("\n").filter((line) => line === prefix);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "charter-mcp-chaos-"));
    countFile = path.join(dir, "count.txt");
    await writeFile(countFile, "");
    server = await startServer(countFile);
    // A long request timeout: a crash must be noticed from the dropped connection, not from the
    // timeout (the hang test below sets its own short one per call through the tenant config).
    const tenants = await tenantsFolder({
      acme: {
        config: {
          name: "Acme",
          integrations: { ops: { transport: "http", url: server.url, timeouts: { requestMs: 120_000 } } },
        },
      },
    });
    app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
    assert.ok((await app.sync("acme")).result.ok, "the tenant syncs");
  });
  after(async () => {
    await app?.close();
    await kill(server.child);
    await rm(dir, { recursive: true, force: true });
  });

  test("killed mid-call of a non-idempotent tool: in doubt at once (needs-attention), not at the 120 s timeout, not retryable", {
    timeout: 90_000,
  }, async () => {
    const bundle = await build("crash", `await ops.append({ text: "crash", delay_ms: 5000 });`);
    const ran = await runWith(bundle, "append", async () => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the request is at the server
      await kill(server.child);
    });
    assert.equal(ran.status, "needs-attention", JSON.stringify(ran.error));
    assert.equal(ran.error?.code, "CALL_IN_DOUBT");
    assert.deepEqual(await lines("append:crash"), [], "the server died before it appended");
    server = await startServer(countFile, Number(new URL(server.url).port));
  });

  test("killed mid-call of an idempotent tool and started again: the call is retried on a new session, the run finishes, nothing twice", {
    timeout: 90_000,
  }, async () => {
    const bundle = await build(
      "restart",
      `await ops.mark({ text: "restart", delay_ms: 2000 });\n    await ops.append({ text: "after-restart" });`,
    );
    const port = Number(new URL(server.url).port);
    const ran = await runWith(bundle, "mark", async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await kill(server.child);
      server = await startServer(countFile, port); // the same address, none of the old sessions
    });
    assert.equal(ran.status, "succeeded", JSON.stringify(ran.error));
    assert.deepEqual(
      await lines("mark:restart"),
      ["mark:restart"],
      "the retried mark went through once (the first died with its server)",
    );
    assert.deepEqual(await lines("append:after-restart"), ["append:after-restart"]);
    const journal = await app.runRepository.journal(ran.runId);
    assert.deepEqual(
      journal.map((entry) => [entry.tool, entry.status]),
      [
        ["mark", "succeeded"],
        ["append", "succeeded"],
      ],
    );
  });

  test("hung mid-call of a non-idempotent tool: timed out and in doubt, not retryable, so a retrying workflow makes it at most once", {
    timeout: 90_000,
  }, async () => {
    // The workflow retries whenever the failure says a retry may help (the finding: a timeout said so, and the call happened twice).
    const body = `for (let tries = 1; tries <= 3; tries++) {
      try {
        await ops.append({ text: "hang", delay_ms: 200 });
        break;
      } catch (error) {
        if (!(error instanceof ToolError) || !error.retryable) throw error;
      }
    }`;
    // The same tenant with a short request timeout: a hung server is noticed only by it.
    const tenants = await tenantsFolder({
      acme: {
        config: {
          name: "Acme",
          integrations: { ops: { transport: "http", url: server.url, timeouts: { requestMs: 1_500 } } },
        },
      },
    });
    const hurried = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: tenants },
      database: await embeddedTestDatabase(),
    });
    try {
      assert.ok((await hurried.sync("acme")).result.ok);
      const ran = await runWith(
        await build("hang", body, hurried),
        "append",
        async () => void server.child.kill("SIGSTOP"),
        hurried,
      );
      assert.equal(ran.status, "needs-attention", JSON.stringify(ran.error));
      assert.equal(ran.error?.code, "CALL_IN_DOUBT");
      server.child.kill("SIGCONT");
      // Woken, the server may still finish the request it had: once at most, whatever it does.
      const awake = await runWith(
        await build("awake", `await ops.mark({ text: "awake" });`, hurried),
        "mark",
        async () => {},
        hurried,
      );
      assert.equal(awake.status, "succeeded", `the server answers again: ${JSON.stringify(awake.error)}`);
      assert.ok((await lines("append:hang")).length <= 1, "the append happened at most once");
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGCONT");
      await hurried.close();
    }
  });
});
