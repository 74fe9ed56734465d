/**
 * Durable runs through the run service, with real isolates, real MCP servers and a real store:
 * a live run against the demo tenant, a run killed with SIGKILL in a child process and resumed,
 * a call in doubt, replay that detects non-determinism, saved state, and retries.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { eq } from "drizzle-orm";
import { type App, createApp } from "../src/app.ts";
import { mockedTools, RunService, type ToolRunner, withRetries } from "../src/runs/index.ts";
import { admit } from "../src/runs/admission.ts";
import { RECOVERED } from "../src/core/problems.ts";
import type { ToolCall } from "../src/sandbox/index.ts";
import { journalEntries, runs } from "../src/store/schema.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { countingServer, REPO, tenantsFolder } from "./helpers/tenants.ts";

const DEMO_WORKFLOWS = path.join(REPO, "tenants/demo/workflows");
const DURABLE = path.join(REPO, "test/fixtures/workflows/durable.ts");

async function build(app: App, tenant: string, file: string) {
  const { result, runnable } = await app.toolchain.build(tenant, {
    source: await readFile(file, "utf8"),
    fileName: path.basename(file),
  });
  assert.ok(runnable, JSON.stringify(result.diagnostics));
  return runnable;
}

/** The demo's p1-bridge, built, with its first test case (input and mocks). */
async function p1Bridge(app: App) {
  const bundle = await build(app, "demo", path.join(DEMO_WORKFLOWS, "p1-bridge.ts"));
  const tests = JSON.parse(await readFile(path.join(DEMO_WORKFLOWS, "p1-bridge.tests.json"), "utf8")) as {
    tests: { input: unknown; mocks: Record<string, never[]> }[];
  };
  const p1 = tests.tests[0];
  assert.ok(p1);
  return { bundle, p1 };
}

describe("runs against the live demo tenant", () => {
  let app: App;
  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    assert.ok((await app.catalogService.syncTenant("demo")).ok);
  });
  after(() => app.close());

  test("a demo workflow runs live and every call is in the journal", async () => {
    const bundle = await build(app, "demo", path.join(DEMO_WORKFLOWS, "report-outage.ts"));
    const result = await app.runs.start({
      tenantId: "demo",
      bundle,
      admission: admit("demo", bundle.hash, undefined),
      input: { title: "Checkout is down", priority: "P1", reporter_email: "ana@example.com" },
      trigger: { type: "manual" },
    });
    assert.equal(result.status, "succeeded", JSON.stringify(result.error));
    assert.match(String((result.output as { incident_id: string }).incident_id), /^INC\d{4}$/);
    const journal = await app.runRepository.journal(result.runId);
    assert.deepEqual(
      journal.map((e) => [e.seq, `${e.integration}.${e.tool}`, e.status, e.source, e.attempt]),
      [
        [1, "tickets.create_incident", "succeeded", "live", 1],
        [2, "directory.get_on_call", "succeeded", "live", 1],
        [3, "chat.page_user", "succeeded", "live", 1],
        [4, "chat.post_message", "succeeded", "live", 1],
      ],
    );
    assert.equal((journal[0]?.args as { priority: string }).priority, "P1");
    const run = await app.runRepository.run(result.runId);
    assert.equal(run?.status, "succeeded");
    assert.deepEqual(run?.output, result.output);
  });

  test("saved state persists between runs and is committed only with a successful run", async () => {
    const { bundle, p1 } = await p1Bridge(app);
    for (let i = 0; i < 2; i++) {
      const result = await app.runs.start({
        tenantId: "demo",
        bundle,
        admission: admit("demo", bundle.hash, undefined),
        input: p1.input,
        trigger: { type: "manual" },
        tools: mockedTools(p1.mocks),
      });
      assert.equal(result.status, "succeeded", JSON.stringify(result.error));
    }
    assert.deepEqual(await app.runRepository.state("demo", "p1-bridge"), { bridges_opened: 2, seen: ["INC0042"] });
    const failing = mockedTools({
      ...p1.mocks,
      "tickets.add_comment": [{ error: { code: "TOOL_ERROR", message: "ticket locked", retryable: false } }],
    } as never);
    const failed = await app.runs.start({
      tenantId: "demo",
      bundle,
      admission: admit("demo", bundle.hash, undefined),
      input: p1.input,
      trigger: { type: "manual" },
      tools: failing,
    });
    assert.equal(failed.status, "failed");
    assert.equal(failed.error?.code, "TOOL_ERROR");
    assert.deepEqual(
      await app.runRepository.state("demo", "p1-bridge"),
      { bridges_opened: 2, seen: ["INC0042"] },
      "a failed run leaves the saved state alone",
    );
  });

  test("a cancel reaches a running workflow at its next tool call; runs list by workflow and status", async () => {
    const { bundle, p1 } = await p1Bridge(app);
    const mocked = mockedTools(p1.mocks);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let runId = "";
    const slow: ToolRunner = async (call) => {
      if (call.tool === "get_on_call") await held; // the second call waits until the test lets it go
      return mocked(call);
    };
    const running = app.runs.start({
      tenantId: "demo",
      bundle,
      admission: admit("demo", bundle.hash, undefined),
      input: p1.input,
      trigger: { type: "manual" },
      tools: slow,
      onEvent: (e) => e.event === "run-started" && (runId = e.runId),
    });
    while (!runId) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await app.runs.cancel(runId), true);
    release();
    const result = await running;
    assert.equal(result.status, "cancelled");
    assert.equal(result.error?.code, "CANCELLED");
    assert.match(result.error?.message ?? "", /cancelled before call 3 \(chat\.page_user\)/);
    assert.deepEqual(
      (await app.runRepository.journal(runId)).map((e) => e.tool),
      ["get_incident", "get_on_call"],
    );
    assert.equal(await app.runs.cancel(runId), false, "a finished run cannot be cancelled");
    const listed = await app.runRepository.list({ tenantId: "demo", workflow: "p1-bridge", status: "cancelled" });
    assert.deepEqual(
      listed.map((r) => r.id),
      [runId],
    );
  });

  test("a workflow cannot forge how its run ended: a CALL_IN_DOUBT it throws itself is a failure, not needs-attention", async () => {
    const source = `import { tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "forger",
  description: "Claims a call in doubt.",
  input: { type: "object", properties: {} },
  output: { type: "object", properties: {} },
  run: async () => {
    await tickets.listIncidents({});
    throw Object.assign(new Error("call 9, tickets.close_incident, may or may not have happened"), { name: "ToolError", code: "CALL_IN_DOUBT", integration: "tickets", tool: "close_incident" });
  },
});`;
    const { result, runnable } = await app.toolchain.build("demo", { source, fileName: "forger.ts" });
    assert.ok(runnable, JSON.stringify(result.diagnostics));
    const ran = await app.runs.start({
      tenantId: "demo",
      bundle: runnable,
      admission: admit("demo", runnable.hash, undefined),
      input: {},
      trigger: { type: "manual" },
    });
    assert.equal(ran.status, "failed");
    assert.equal(ran.error?.code, "WORKFLOW_ERROR");
    assert.match(
      ran.error?.message ?? "",
      /CALL_IN_DOUBT failure of tickets\.close_incident that no call of this run returned/,
    );
  });

  test("journal writes wait out a short database outage: a finished call is recorded, not reported as failed", async () => {
    const { bundle, p1 } = await p1Bridge(app);
    const repository = app.runRepository;
    const finishCall = repository.finishCall.bind(repository);
    let outage = 2; // the first two writes of a call's outcome fail, as during a database restart
    repository.finishCall = async (...args: Parameters<typeof finishCall>) => {
      if (outage-- > 0) throw new Error("connection terminated unexpectedly");
      return finishCall(...args);
    };
    try {
      const result = await app.runs.start({
        tenantId: "demo",
        bundle,
        admission: admit("demo", bundle.hash, undefined),
        input: p1.input,
        trigger: { type: "manual" },
        tools: mockedTools(p1.mocks),
      });
      assert.equal(result.status, "succeeded", JSON.stringify(result.error));
      const journal = await app.runRepository.journal(result.runId);
      assert.ok(
        journal.length >= 3 && journal.every((e) => e.status === "succeeded"),
        JSON.stringify(journal.map((e) => [e.tool, e.status])),
      );
    } finally {
      repository.finishCall = finishCall;
    }
  });

  test("background failures are reported, not swallowed: a periodic journal write and a lease renewal that fail are each reported once while they last, then that they recovered", async () => {
    const source = `import { tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "reads",
  description: "Reads one incident four times.",
  input: { type: "object" },
  output: { type: "object" },
  run: async () => {
    for (let i = 0; i < 4; i++) await tickets.getIncident({ id: "INC0001" });
    return {};
  },
});`;
    const { result, runnable } = await app.toolchain.build("demo", { source, fileName: "reads.ts" });
    assert.ok(runnable, JSON.stringify(result.diagnostics));
    const problems: string[] = [];
    const repository = app.runRepository;
    let writes = 2; // the first two periodic writes fail
    let renewals = 1; // and the first renewal (a third of the lease: the next one comes in time)
    const overrides: Partial<typeof repository> = {
      recordCalls: async (...args) =>
        writes-- > 0
          ? Promise.reject(new Error("connection terminated unexpectedly"))
          : repository.recordCalls(...args),
      renewLease: async (...args) =>
        renewals-- > 0
          ? Promise.reject(new Error("connection terminated unexpectedly"))
          : repository.renewLease(...args),
    };
    // Everything else goes to the real repository (bound to it: it keeps private fields).
    const failing = new Proxy(repository, {
      get: (target, name) =>
        (overrides as Record<PropertyKey, unknown>)[name] ??
        (typeof Reflect.get(target, name) === "function"
          ? (Reflect.get(target, name) as (...a: unknown[]) => unknown).bind(target)
          : Reflect.get(target, name)),
    });
    const runs = new RunService({
      repository: failing,
      leaseMs: 1_500,
      tools: async () => mockedTools({}),
      onProblem: (where, error) =>
        problems.push(
          `${where}: ${error === RECOVERED ? "recovered" : String(error instanceof Error ? error.message : error)}`,
        ),
    });
    const slow: ToolRunner = async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return {
        ok: true,
        structured: {
          id: "INC0001",
          title: "t",
          description: "d",
          priority: "P3",
          status: "new",
          reporter_email: "a@b.c",
          assignee: null,
          tags: [],
          comments: [],
          created_at: "2026-01-01T00:00:00Z",
        },
        content: [],
      };
    };
    const ran = await runs.start({
      tenantId: "demo",
      bundle: runnable,
      admission: admit("demo", runnable.hash, undefined),
      input: {},
      trigger: { type: "manual" },
      tools: slow,
    });
    assert.equal(ran.status, "succeeded", JSON.stringify(ran.error));
    const about = (what: RegExp) => problems.filter((line) => what.test(line));
    assert.deepEqual(
      about(/writing finished calls/).map((line) => line.replace(/^run \S+: /, "")),
      [
        "writing finished calls to the journal: connection terminated unexpectedly",
        "writing finished calls to the journal: recovered",
      ],
      problems.join("\n"),
    );
    assert.deepEqual(about(/renewing its lease/).length, 2, problems.join("\n"));
    assert.equal((await app.runRepository.journal(ran.runId)).length, 4, "every call journaled in the end");
  });

  test("a run another process took over makes no further call that is not safe to repeat: it goes back, and the journal shows no such call", async () => {
    const { bundle, p1 } = await p1Bridge(app);
    const mocked = mockedTools(p1.mocks);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const made: string[] = [];
    let runId = "";
    const slow: ToolRunner = async (call) => {
      made.push(call.tool);
      if (call.tool === "get_on_call") await held;
      return mocked(call);
    };
    const running = app.runs.start({
      tenantId: "demo",
      bundle,
      admission: admit("demo", bundle.hash, undefined),
      input: p1.input,
      trigger: { type: "manual" },
      tools: slow,
      onEvent: (e) => e.event === "run-started" && (runId = e.runId),
    });
    while (!made.includes("get_on_call")) await new Promise((resolve) => setTimeout(resolve, 10));
    // Another process's view: the lease looked expired, and it claimed the run.
    await app.database.db
      .update(runs)
      .set({ leaseUntil: new Date(0) })
      .where(eq(runs.id, runId));
    assert.ok(
      await app.runRepository.claim(runId, new Date(Date.now() + 60_000), new Date()),
      "the other process holds the run now",
    );
    release();
    const result = await running;
    assert.equal(result.status, "running", "left to the process that holds it");
    assert.equal(result.error?.code, "HANDED_BACK");
    assert.match(result.error?.message ?? "", /another process took the run over/);
    assert.deepEqual(made, ["get_incident", "get_on_call"], "page_user was not made by the process that lost the run");
    assert.deepEqual(
      (await app.runRepository.journal(runId)).map((e) => e.tool),
      ["get_incident", "get_on_call"],
    );
    assert.equal((await app.runRepository.run(runId))?.attempts, 2);
  });

  test("text PostgreSQL cannot store, built at run time, ends the run instead of leaving it running: output and state fail it, logs and errors are cleaned, tool arguments are refused", async () => {
    const source = `import { chat } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
const nul = String.fromCharCode(0);
const half = String.fromCharCode(0xd800);
export default defineWorkflow({
  name: "unstorable",
  description: "Builds text with a NUL or half a character.",
  input: { type: "object", properties: { where: { type: "string" } }, required: ["where"] },
  output: { type: "object" },
  run: async (input, ctx) => {
    ctx.log.info("a" + nul + "b", { ["k" + half]: "v" + nul });
    if (input.where === "output") return { a: "x" + nul + "y" };
    if (input.where === "key") return { ["x" + half]: 1 };
    if (input.where === "state") ctx.state.set("s", "x" + half);
    if (input.where === "error") throw new Error("bad" + nul + "news");
    if (input.where === "args") await chat.postMessage({ channel: "it-ops", text: "hi" + nul });
    return {};
  },
});`;
    const { result, runnable } = await app.toolchain.build("demo", { source, fileName: "unstorable.ts" });
    assert.ok(runnable, JSON.stringify(result.diagnostics));
    const ran = async (where: string) =>
      app.runs.start({
        tenantId: "demo",
        bundle: runnable,
        admission: admit("demo", runnable.hash, undefined),
        input: { where },
        trigger: { type: "manual" },
        tools: mockedTools({ "chat.post_message": [] }),
      });
    for (const where of ["output", "key", "state"]) {
      const ended = await ran(where);
      assert.deepEqual([ended.status, ended.error?.code], ["failed", "OUTPUT_INVALID"], where);
      assert.equal(
        (await app.runRepository.run(ended.runId))?.status,
        "failed",
        `${where}: stored as failed, not left running`,
      );
    }
    const failed = await ran("error");
    assert.equal((await app.runRepository.run(failed.runId))?.status, "failed");
    assert.equal(
      (await app.runRepository.run(failed.runId))?.error &&
        ((await app.runRepository.run(failed.runId))?.error as { message: string }).message,
      "bad\ufffdnews",
    );
    const refused = await ran("args");
    assert.equal(refused.error?.code, "INVALID_ARGUMENTS");
    assert.match(refused.error?.message ?? "", /hold a NUL character or half a UTF-16 character/);
    const fine = await ran("none");
    assert.equal(fine.status, "succeeded");
    const logs = (await app.runRepository.run(fine.runId))?.logs as {
      message: string;
      data?: Record<string, string>;
    }[];
    assert.equal(logs[0]?.message, "a\ufffdb");
    assert.deepEqual(logs[0]?.data, { "k\ufffd": "v\ufffd" });
  });

  test("bad input is refused before a run is created", async () => {
    const bundle = await build(app, "demo", path.join(DEMO_WORKFLOWS, "p1-bridge.ts"));
    await assert.rejects(
      app.runs.start({
        tenantId: "demo",
        bundle,
        admission: admit("demo", bundle.hash, undefined),
        input: { incident: 1 },
        trigger: { type: "manual" },
      }),
      /RUN_INPUT_INVALID|does not match p1-bridge's input schema/,
    );
    // A tenant whose tools cannot be reached: refused before any run record exists.
    await assert.rejects(
      app.runs.start({
        tenantId: "nobody",
        bundle,
        admission: admit("nobody", bundle.hash, undefined),
        input: { incident_id: "INC0001" },
        trigger: { type: "manual" },
      }),
      /no tenant "nobody"/,
    );
    assert.deepEqual(await app.runRepository.list({ tenantId: "nobody" }), []);
  });
});

describe("a run whose process dies", () => {
  type Event = { event: string; seq?: number; runId?: string; tool?: string };

  async function setup() {
    const dir = await mkdtemp(path.join(tmpdir(), "charter-durable-"));
    const countFile = path.join(dir, "count.txt");
    const holdFile = path.join(dir, "hold");
    await writeFile(countFile, "");
    await writeFile(holdFile, "");
    const tenants = await tenantsFolder({
      ops: {
        config: {
          name: "Ops",
          integrations: {
            ops: {
              transport: "stdio",
              command: "node",
              args: [path.join(REPO, "test/fixtures/counting-server.ts"), "--file", countFile, "--hold", holdFile],
            },
          },
        },
      },
    });
    const env = { CHARTER_DATA_DIR: path.join(dir, "data"), CHARTER_TENANTS_DIR: tenants, CHARTER_RUN_LEASE_MS: "300" };
    return { countFile, env, release: () => rm(holdFile, { force: true }) };
  }

  /** Starts the run in a child process and SIGKILLs it when `when` matches an event. */
  async function killDuring(
    env: Record<string, string>,
    input: unknown,
    when: (event: Event) => boolean,
  ): Promise<string> {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--no-node-snapshot", path.join(REPO, "test/fixtures/run-child.ts"), "ops", DURABLE, JSON.stringify(input)],
      {
        cwd: REPO,
        env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let runId = "";
    for await (const line of createInterface({ input: child.stdout! })) {
      const event = JSON.parse(line) as Event;
      if (event.runId) runId = event.runId;
      if (when(event)) {
        child.kill("SIGKILL");
        break;
      }
      assert.notEqual(event.event, "done", "the run finished before it could be killed");
    }
    await exited;
    assert.ok(runId, `no run started: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 400)); // let the lease pass
    return runId;
  }

  test("killed during a read-only call: resumed, answered calls replay, nothing non-idempotent happens twice", async () => {
    const { countFile, env, release } = await setup();
    const runId = await killDuring(env, { lookup_ms: 30_000 }, (e) => e.event === "call-started" && e.seq === 2);
    assert.equal(await readFile(countFile, "utf8"), "append:first\n");
    await release();

    const app = await createApp({ processEnv: env });
    try {
      const held = await app.runRepository.run(runId);
      assert.equal(held?.status, "running");
      const events: string[] = [];
      const result = await app.runs.resume(runId, {
        onEvent: (e) => e.event === "call-finished" && events.push(`${e.seq} ${e.tool} ${e.source}`),
      });
      assert.equal(result.status, "succeeded", JSON.stringify(result.error));
      assert.equal(result.attempt, 2);
      assert.deepEqual(events, ["1 ops.append replayed", "2 ops.lookup live", "3 ops.append live"]);
      assert.equal(
        await readFile(countFile, "utf8"),
        "append:first\nlookup\nappend:second\n",
        "counted by the tool server: each append exactly once",
      );
      const journal = await app.runRepository.journal(runId);
      assert.deepEqual(
        journal.map((e) => [e.seq, e.tool, e.status, e.attempt]),
        [
          [1, "append", "succeeded", 1],
          [2, "lookup", "succeeded", 1],
          [3, "append", "succeeded", 1],
        ],
      );
      const output = result.output as { at: number; random: number };
      assert.equal(
        output.at,
        journal[1]?.finishedAt?.getTime(),
        "Date.now() after a call is the journaled time of that call",
      );
      await assert.rejects(app.runs.resume(runId), /is succeeded; only a run that was interrupted can be resumed/);
    } finally {
      await app.close();
    }
  });

  test("killed during a non-idempotent call: the resume stops as needs-attention and names the call in doubt", async () => {
    const { countFile, env, release } = await setup();
    const runId = await killDuring(env, { second_append_ms: 30_000 }, (e) => e.event === "call-started" && e.seq === 3);
    await release();
    const app = await createApp({ processEnv: env });
    try {
      const result = await app.runs.resume(runId);
      assert.equal(result.status, "needs-attention");
      assert.equal(result.error?.code, "CALL_IN_DOUBT");
      assert.match(
        result.error?.message ?? "",
        /call 3, ops\.append, started before the run was interrupted and may or may not have happened/,
      );
      assert.equal(
        (await readFile(countFile, "utf8")).split("\n").filter((l) => l === "append:second").length <= 1,
        true,
      );
      assert.equal((await readFile(countFile, "utf8")).split("\n").filter((l) => l === "append:first").length, 1);
      assert.equal((await app.runRepository.run(runId))?.status, "needs-attention");
    } finally {
      await app.close();
    }
  });

  test("a replay that does not match the journal fails as non-determinism", async () => {
    const { env, release } = await setup();
    const runId = await killDuring(env, { lookup_ms: 30_000 }, (e) => e.event === "call-started" && e.seq === 2);
    await release();
    const app = await createApp({ processEnv: env });
    try {
      await app.database.db
        .update(journalEntries)
        .set({ argsHash: "sha256:tampered" })
        .where(eq(journalEntries.runId, runId));
      const result = await app.runs.resume(runId);
      assert.equal(result.status, "failed");
      assert.equal(result.error?.code, "NON_DETERMINISM");
      assert.match(result.error?.message ?? "", /on replay, call 1 was ops\.append with different arguments/);
    } finally {
      await app.close();
    }
  });
});

describe("a call that is sent and not answered", () => {
  test("a non-idempotent call that times out is in doubt (needs-attention, not retryable), so a workflow that retries on the hint does not make it twice", {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "charter-doubt-"));
    const countFile = path.join(dir, "count.txt");
    await writeFile(countFile, "");
    const tenants = await tenantsFolder({
      acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) } } },
    });
    const app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: tenants, CHARTER_MCP_REQUEST_TIMEOUT_MS: "400" },
      database: await embeddedTestDatabase(),
    });
    try {
      assert.ok((await app.sync("acme")).result.ok);
      const source = `import { ops } from "charter:sdk";
import { defineWorkflow, ToolError } from "charter:workflow";
export default defineWorkflow({
  name: "retrier",
  description: "Appends once, and tries again when the failure says a retry may help.",
  input: { type: "object" },
  output: { type: "object", properties: { tries: { type: "number" } }, required: ["tries"] },
  run: async () => {
    for (let tries = 1; tries <= 3; tries++) {
      try {
        await ops.append({ text: "once", delay_ms: 1500 });
        return { tries };
      } catch (error) {
        if (!(error instanceof ToolError) || !error.retryable) throw error;
      }
    }
    return { tries: 3 };
  },
});`;
      const { result, runnable } = await app.toolchain.build("acme", { source, fileName: "retrier.ts" });
      assert.ok(runnable, JSON.stringify(result.diagnostics));
      const ran = await app.runs.start({
        tenantId: "acme",
        bundle: runnable,
        admission: admit("acme", runnable.hash, undefined),
        input: {},
        trigger: { type: "manual" },
      });
      assert.equal(ran.status, "needs-attention", JSON.stringify(ran.error));
      assert.equal(ran.error?.code, "CALL_IN_DOUBT");
      assert.match(
        ran.error?.message ?? "",
        /ops\.append was sent but not answered .*may or may not have taken effect/,
      );
      assert.deepEqual(
        (await app.runRepository.journal(ran.runId)).map((e) => [e.tool, e.status]),
        [["append", "started"]],
      );
      // One request was sent (a hung stdio server is stopped, so here it never finishes it; an HTTP
      // server might, which is why it is in doubt): at most one append, whatever happens next.
      assert.ok((await readFile(countFile, "utf8")).split("\n").filter((line) => line === "append:once").length <= 1);
    } finally {
      await app.close();
    }
  });
});

describe("retries", () => {
  const policy = (annotations: Partial<ToolCall["policy"]["annotations"]>): ToolCall["policy"] => ({
    integration: "x",
    tool: "t",
    annotations: { readOnly: false, destructive: false, idempotent: false, openWorld: false, ...annotations },
    inputSchema: {},
  });
  const flaky = (failures: number): { runner: ToolRunner; calls: () => number } => {
    let calls = 0;
    return {
      runner: async () =>
        ++calls <= failures
          ? { ok: false, error: { code: "TIMEOUT", message: "slow", retryable: true } }
          : { ok: true, content: [] },
      calls: () => calls,
    };
  };

  test("retryable failures of idempotent or read-only tools are retried with backoff; others are not", async () => {
    const idempotent = flaky(2);
    const outcome = await withRetries(idempotent.runner, { baseMs: 5, attempts: 3 })({
      integration: "x",
      tool: "t",
      args: {},
      policy: policy({ idempotent: true }),
    });
    assert.equal(outcome.ok, true);
    assert.equal(idempotent.calls(), 3);

    const writes = flaky(2);
    const once = await withRetries(writes.runner, { baseMs: 5 })({
      integration: "x",
      tool: "t",
      args: {},
      policy: policy({}),
    });
    assert.equal(once.ok, false);
    assert.equal(writes.calls(), 1, "a non-idempotent call is never repeated");

    const vouched = flaky(2);
    const asked = await withRetries(vouched.runner, { baseMs: 5, attempts: 3 })({
      integration: "x",
      tool: "t",
      args: {},
      policy: { ...policy({}), retry: true },
    });
    assert.equal(asked.ok, true, "a tool in the workflow's retry list is retried");
    assert.equal(vouched.calls(), 3);

    const always = flaky(10);
    await withRetries(always.runner, { baseMs: 5, attempts: 3 })({
      integration: "x",
      tool: "t",
      args: {},
      policy: policy({ readOnly: true }),
    });
    assert.equal(always.calls(), 3);
    const byDefault = flaky(10);
    await withRetries(byDefault.runner, { baseMs: 1 })({
      integration: "x",
      tool: "t",
      args: {},
      policy: policy({ readOnly: true }),
    });
    assert.equal(byDefault.calls(), 5, "five attempts unless told otherwise");
  });
});
