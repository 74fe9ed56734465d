/**
 * A queued run carries the version resolved when it was queued: a version approved between
 * queueing and running does not change what runs, unless the tenant's policy says to refuse; and
 * the workflow sees its own version number in ctx.run.version.
 */
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { eq } from "drizzle-orm";
import { type App, createApp } from "../src/app.ts";
import { versions } from "../src/store/schema.ts";
import { Dispatcher, type DispatcherEvent } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const source = (said: string) => `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "stamp",
  description: "Looks something up and says which version it is (${said}).",
  input: { type: "object", properties: { n: { type: "number" } } },
  output: { type: "object", properties: { version: { type: "number" }, said: { type: "string" } }, required: ["version", "said"] },
  run: async (input, ctx) => {
    await ops.lookup({});
    return { version: ctx.run.version, said: "${said}" };
  },
});`;
const TESTS = JSON.stringify({
  tests: [
    {
      name: "looks up",
      input: {},
      mocks: { "ops.lookup": [{ output: { value: "v" } }] },
      expect: { calls: [{ tool: "ops.lookup" }] },
    },
  ],
});

describe("queued runs and the version they were given", () => {
  let app: App;
  const events: DispatcherEvent[] = [];
  before(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "charter-queued-"));
    const count = path.join(dir, "count.txt");
    await writeFile(count, "");
    const tenants = await tenantsFolder({
      keep: { config: { name: "Keep", integrations: { ops: countingServer(count) } } },
      strict: {
        config: {
          name: "Strict",
          integrations: { ops: countingServer(count) },
          policies: { queuedRunsOfSuperseded: "refuse" },
        },
      },
    });
    app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
    for (const tenant of ["keep", "strict"]) assert.ok((await app.sync(tenant)).result.ok);
  });
  after(() => app.close());

  /** Queues a run of v1 with no worker, approves v2, then lets a worker take the job. */
  const queueThenApprove = async (tenantId: string) => {
    await approvedVersion(app, tenantId, { source: source("first"), fileName: "stamp.ts", tests: TESTS });
    const queueing = await Dispatcher.start(app, { worker: false, scheduler: false });
    let job: string;
    try {
      await assert.rejects(
        queueing.submit({ tenantId, workflow: "stamp", input: { n: "not a number" }, trigger: "manual" }),
        /RUN_INPUT_INVALID|input schema/,
      );
      job = await queueing.submit({ tenantId, workflow: "stamp", input: { n: 1 }, trigger: "manual" });
    } finally {
      await queueing.stop();
    }
    await approvedVersion(app, tenantId, { source: source("second"), fileName: "stamp.ts", tests: TESTS });
    assert.equal((await app.versionRepository.activeVersion(tenantId, "stamp"))?.number, 2);
    const worker = await Dispatcher.start(app, {
      worker: true,
      scheduler: false,
      pollSeconds: 0.5,
      onEvent: (event) => events.push(event),
    });
    try {
      for (let i = 0; i < 300; i++) {
        const run = await app.runRepository.runOfJob(job);
        if (run && run.status !== "running") return { job, run };
        if (events.some((e) => e.event === "dispatcher-error" && e.detail["job"] === job))
          return { job, run: undefined };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`job ${job} neither ran nor was refused`);
    } finally {
      await worker.stop();
    }
  };

  test("by default the version the caller was told runs, though another was approved meanwhile, and ctx.run.version says which", async () => {
    const { run } = await queueThenApprove("keep");
    assert.equal(run?.status, "succeeded", JSON.stringify(run?.error));
    assert.deepEqual(run?.output, { version: 1, said: "first" });
    assert.equal(run?.versionNumber, 1);
    // A run started now gets the active version, and knows it.
    const now = await app.versions.runActive({
      tenantId: "keep",
      workflow: "stamp",
      input: {},
      trigger: { type: "manual" },
    });
    assert.deepEqual([now.version, now.output], [2, { version: 2, said: "second" }]);
  });

  test("no run without an owner: a run left running whose lease ran out, with no job to resume it, is found by the sweep and finished", async () => {
    const { runnable } = await app.toolchain.build("keep", { source: source("orphan"), fileName: "stamp.ts" });
    assert.ok(runnable);
    await app.runRepository.saveBundle({ ...runnable, tenantId: "keep" });
    // As a worker killed with kill -9 leaves it, after its job used up its retries: running, lease gone.
    const orphan = await app.runRepository.createRun({
      tenantId: "keep",
      workflow: "stamp",
      bundleHash: runnable.hash,
      trigger: { type: "manual" },
      input: {},
      status: "running",
      startedAt: new Date(),
      seed: [1, 2],
      leaseUntil: new Date(Date.now() - 1_000),
    });
    const seen: DispatcherEvent[] = [];
    const dispatcher = await Dispatcher.start(app, {
      worker: true,
      scheduler: true,
      pollSeconds: 0.5,
      onEvent: (event) => seen.push(event),
    });
    try {
      let run = await app.runRepository.run(orphan.id);
      for (let i = 0; i < 300 && run?.status === "running"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = await app.runRepository.run(orphan.id);
      }
      assert.equal(run?.status, "succeeded", JSON.stringify(run?.error));
      assert.deepEqual(run?.output, { version: 0, said: "orphan" });
      assert.ok(seen.some((e) => e.event === "runs-swept" && (e.detail["runs"] as string[]).includes(orphan.id)));
      assert.equal(await dispatcher.sweepOrphans(), 0, "nothing is left to sweep");
    } finally {
      await dispatcher.stop();
    }
  });

  test("a queued version that drifted before it was superseded does not run: its breaking drift stays with it", async () => {
    await approvedVersion(app, "keep", { source: source("drifting"), fileName: "stamp.ts", tests: TESTS });
    const queueing = await Dispatcher.start(app, { worker: false, scheduler: false });
    const job = await queueing
      .submit({ tenantId: "keep", workflow: "stamp", input: {}, trigger: "manual" })
      .finally(() => queueing.stop());
    const queued = await app.versionRepository.activeVersion("keep", "stamp");
    assert.ok(queued);
    await app.database.db
      .update(versions)
      .set({
        status: "drifted",
        drift: {
          breaking: [{ tool: "ops.lookup", change: "the tool was removed" }],
          compatible: [],
          catalogHash: "x",
          checkedAt: new Date().toISOString(),
        },
      })
      .where(eq(versions.id, queued.id));
    await approvedVersion(app, "keep", { source: source("after drift"), fileName: "stamp.ts", tests: TESTS });
    assert.equal((await app.versionRepository.byId(queued.id))?.status, "superseded");
    const worker = await Dispatcher.start(app, {
      worker: true,
      scheduler: false,
      pollSeconds: 0.5,
      onEvent: (event) => events.push(event),
    });
    try {
      let refused: DispatcherEvent | undefined;
      for (let i = 0; i < 300 && !refused; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        refused = events.find((e) => e.event === "dispatcher-error" && e.detail["job"] === job);
      }
      assert.match(
        String(refused?.detail["message"]),
        /no longer matches the tenant's tools: ops\.lookup: the tool was removed/,
      );
      assert.equal(await app.runRepository.runOfJob(job), undefined, "no run was started");
    } finally {
      await worker.stop();
    }
  });

  test("with queuedRunsOfSuperseded: refuse, the superseded version's job is refused with a clear code and starts no run", async () => {
    const { job, run } = await queueThenApprove("strict");
    assert.equal(run, undefined);
    const refused = events.find((e) => e.event === "dispatcher-error" && e.detail["job"] === job);
    assert.match(
      String(refused?.detail["message"]),
      /stamp@1 was queued, but stamp@2 is active now and the tenant's policy \(queuedRunsOfSuperseded: "refuse"\)/,
    );
  });
});
