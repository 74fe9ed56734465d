/**
 * `npm run bench:throughput [-- --runs 300 --clients 16 --database embedded|server|both]`: the
 * 3-call workflow (read, non-idempotent write, read over MCP) through the real path: a signed
 * webhook POST → queued job → a worker in this process → version gate → sandboxed run → journal.
 * For each database it measures, in the same run:
 *   - the queue's own ceiling: pg-boss with the same settings and a handler that does nothing;
 *   - the database's commit latency: single-row inserts, each committed alone;
 *   - idle latency: runs one at a time, trigger → finished (p50, p95);
 *   - a burst: `runs` webhooks from `clients` concurrent senders; runs/s and trigger → finished
 *     p50/p95/p99, CPU of this process per run (server, worker and sandbox; the tool server is a
 *     separate process), and for PostgreSQL the transactions committed per run (pg_stat_database).
 *   - the same burst through the API (POST …/runs with an operator's key);
 *   - on PostgreSQL, the same webhook burst with a second worker (a `charter worker` process).
 * Each worker takes 16 runs at a time, and the tenant may use all of them.
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { PgBoss, fromPglite } from "pg-boss";
import { createApp } from "../src/app.ts";
import { sign, webhookSecret } from "../src/server/index.ts";
import { type Database, openServerDatabase } from "../src/store/index.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { testDatabase } from "../test/helpers/databases.ts";
import { approvedVersion } from "../test/helpers/reviewed.ts";
import { serveHttp } from "../test/helpers/serve.ts";
import { countingServer, tenantsFolder } from "../test/helpers/tenants.ts";
import { THREE_CALLS, WEBHOOK_KEY } from "./three-calls.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "300" },
    clients: { type: "string", default: "16" },
    database: { type: "string", default: "both" },
    idle: { type: "string", default: "20" },
  },
});
const RUNS = Number(values.runs);
const CLIENTS = Number(values.clients);
const IDLE = Number(values.idle);
const KEY = WEBHOOK_KEY;
const SLOTS = "16";
/** The tenant may use every slot of two workers. */
const TENANT_SLOTS = "32";

/** One call, and eleven: the difference of their idle latencies, over ten, is what one more step costs. */
const stepsSource = (name: string, calls: number) => `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "${name}",
  description: "Reads ${calls} times.",
  input: { type: "object" },
  output: { type: "object", properties: { done: { type: "boolean" } }, required: ["done"] },
  triggers: [{ type: "webhook" }],
  run: async () => {
    for (let i = 0; i < ${calls}; i++) await ops.lookup({});
    return { done: true };
  },
});`;
const stepsTests = (calls: number) =>
  JSON.stringify({
    tests: [
      {
        name: "reads",
        input: {},
        mocks: { "ops.lookup": Array.from({ length: calls }, () => ({ output: { value: "v" } })) },
        expect: { output: { done: true } },
      },
    ],
  });

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

/** pg-boss alone, same settings, a handler that does nothing: jobs/s draining `count` queued jobs, and idle send → handler. */
async function queueCeiling(database: Database, count: number): Promise<{ perSecond: number; idleMs: number }> {
  const raw = database.raw;
  const options = { useListenNotify: true, schema: "ceiling", supervise: false, schedule: false };
  const boss =
    raw.kind === "pglite"
      ? new PgBoss({ ...options, db: fromPglite(raw.client), backend: "pglite" })
      : new PgBoss({ ...options, connectionString: raw.url, max: 4 });
  boss.on("error", () => {});
  await boss.start();
  await boss.createQueue("empty", { notify: true });
  let handled = 0;
  let wake: (() => void) | undefined;
  for (let slot = 0; slot < Number(SLOTS); slot++) {
    let self: string | undefined;
    self = await boss.work(
      "empty",
      { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1, batchSize: 1, localConcurrency: 1 },
      async () => {
        handled++;
        wake?.();
        if (self) boss.notifyWorker(self);
      },
    );
  }
  // Idle: one at a time.
  const idle: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const done = new Promise<void>((resolve) => (wake = resolve));
    await boss.send("empty", {});
    await done;
    idle.push(performance.now() - started);
  }
  wake = undefined;
  handled = 0;
  await boss.insert(
    "empty",
    Array.from({ length: count }, () => ({ data: {} })),
  );
  const started = performance.now();
  while (handled < count) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await boss.stop({ graceful: false });
  return {
    perSecond: count / seconds,
    idleMs: quantile(
      idle.sort((a, b) => a - b),
      0.5,
    ),
  };
}

/** The p50 of 200 single-row inserts, each its own transaction, one at a time: what one commit costs here. */
async function commitLatency(database: Database): Promise<number> {
  const times: number[] = [];
  const timed = async (insert: () => Promise<unknown>) => {
    const started = performance.now();
    await insert();
    times.push(performance.now() - started);
  };
  if (database.raw.kind === "postgres") {
    const sql = postgres(database.raw.url, { max: 1, onnotice: () => {} });
    await sql`create table if not exists bench_commit (x int)`;
    for (let i = 0; i < 200; i++) await timed(() => sql`insert into bench_commit values (${i})`);
    await sql`drop table bench_commit`;
    await sql.end();
  } else {
    const client = database.raw.client;
    await client.exec("create table if not exists bench_commit (x int)");
    for (let i = 0; i < 200; i++) await timed(() => client.query("insert into bench_commit values ($1)", [i]));
    await client.exec("drop table bench_commit");
  }
  return quantile(
    times.sort((a, b) => a - b),
    0.5,
  );
}

/** A `charter worker` process with 16 slots on the database; `onFinished(job)` for each run it finishes. */
async function startWorker(
  url: string,
  tenants: string,
  onFinished: (job: string) => void,
): Promise<{ stop: () => Promise<void> }> {
  const worker = spawn(
    process.execPath,
    ["--no-node-snapshot", path.join(import.meta.dirname, "../src/cli/charter.js"), "worker"],
    {
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? "",
        DATABASE_URL: url,
        CHARTER_TENANTS_DIR: tenants,
        CHARTER_WEBHOOK_KEY: KEY,
        CHARTER_WORKER_CONCURRENCY: SLOTS,
        CHARTER_TENANT_CONCURRENCY: TENANT_SLOTS,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once("exit", (code) => reject(new Error(`the second worker exited (${code})`)));
    createInterface({ input: worker.stdout }).on("line", (line) => {
      if (line.includes('"worker-started"')) resolve();
      const finished = /"event":"run-finished".*"job":"([^"]+)"/.exec(line)?.[1];
      if (finished) onFinished(finished);
    });
  });
  return { stop: () => new Promise((resolve) => (worker.once("exit", () => resolve()), worker.kill("SIGTERM"))) };
}

async function bench(kind: "embedded" | "server"): Promise<void> {
  const database = await testDatabase(kind);
  const ceiling = await queueCeiling(database, RUNS);
  const commitMs = await commitLatency(database);
  const dir = await mkdtemp(path.join(tmpdir(), "charter-throughput-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) } } },
  });
  // The app's PostgreSQL pool as `charter worker` opens it (10 connections), not the test helper's 4.
  const appDatabase = database.raw.kind === "postgres" ? await openServerDatabase(database.raw.url) : database;
  const app = await createApp({
    processEnv: {
      CHARTER_TENANTS_DIR: tenants,
      CHARTER_WEBHOOK_KEY: KEY,
      CHARTER_WORKER_CONCURRENCY: SLOTS,
      CHARTER_TENANT_CONCURRENCY: TENANT_SLOTS,
    },
    database: appDatabase,
  });
  if (!(await app.sync("acme")).result.ok) throw new Error("the bench tenant did not sync");
  await approvedVersion(app, "acme", THREE_CALLS);
  await approvedVersion(app, "acme", {
    source: stepsSource("one-call", 1),
    fileName: "one-call.ts",
    tests: stepsTests(1),
  });
  await approvedVersion(app, "acme", {
    source: stepsSource("eleven-calls", 11),
    fileName: "eleven-calls.ts",
    tests: stepsTests(11),
  });
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  const dispatcher = await Dispatcher.start(app, {
    worker: true,
    scheduler: false,
    onEvent: (e) => {
      if (e.event !== "run-finished") return;
      const job = String(e.detail["job"]);
      const resolve = waiting.get(job);
      if (resolve) resolve();
      else early.add(job);
    },
  });
  const served = await serveHttp(app, { dispatcher });
  const operator = await app.identity.ensureUser("bench-operator");
  await app.identity.grant("acme", operator.id, "operator");
  const apiKey = await app.identity.createKey("acme", operator.id);
  let sent = 0;
  /** One run, by a signed webhook or by the API (POST …/runs with an operator's key), trigger → finished, in ms. */
  const fire = async (workflow = "three-calls", via: "webhook" | "api" = "webhook"): Promise<number> => {
    const body = JSON.stringify(workflow === "three-calls" ? { text: `r${sent++}` } : { n: sent++ });
    const started = performance.now();
    let response: Response;
    if (via === "api") {
      response = await fetch(`${served.base}/api/v1/tenants/acme/workflows/${workflow}/runs`, {
        method: "POST",
        body: `{"input":${body}}`,
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      });
    } else {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const secret = webhookSecret(Buffer.from(KEY), "acme", workflow);
      response = await fetch(`${served.base}/hooks/acme/${workflow}`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-charter-timestamp": timestamp,
          "x-charter-signature": sign(secret, timestamp, body),
        },
      });
    }
    const answer = (await response.json()) as { job?: string };
    if (response.status !== 202 || !answer.job)
      throw new Error(`${via} answered ${response.status}: ${JSON.stringify(answer)}`);
    const job = answer.job;
    if (!early.delete(job)) await new Promise<void>((resolve) => waiting.set(job, resolve));
    waiting.delete(job);
    return performance.now() - started;
  };
  const transactions = async () => {
    if (database.raw.kind !== "postgres") return undefined;
    const sql = postgres(database.raw.url, { max: 1, onnotice: () => {} });
    const [row] = await sql<
      { n: string }[]
    >`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
    await sql.end();
    return Number(row?.n ?? Number.NaN);
  };
  try {
    for (let i = 0; i < 5; i++) await fire(); // warm: connections, the tool server, the verified bundle
    const idle: number[] = [];
    for (let i = 0; i < IDLE; i++) idle.push(await fire());
    idle.sort((a, b) => a - b);

    // One more step: eleven calls against one, one at a time, alternating.
    const one: number[] = [];
    const eleven: number[] = [];
    for (let i = 0; i < 3; i++) await Promise.all([fire("one-call"), fire("eleven-calls")]);
    for (let i = 0; i < IDLE; i++) {
      one.push(await fire("one-call"));
      eleven.push(await fire("eleven-calls"));
    }
    one.sort((a, b) => a - b);
    eleven.sort((a, b) => a - b);
    const perStep = (quantile(eleven, 0.5) - quantile(one, 0.5)) / 10;

    /** `RUNS` runs from `CLIENTS` concurrent senders: runs/s, latencies, CPU of this process and transactions per run. */
    const burst = async (via: "webhook" | "api") => {
      const base = sent;
      const commitsBefore = await transactions();
      const cpuBefore = process.cpuUsage();
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (sent < base + RUNS) latencies.push(await fire("three-calls", via));
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const commitsAfter = await transactions();
      latencies.sort((a, b) => a - b);
      const perSecond = latencies.length / seconds;
      const committed =
        commitsBefore !== undefined && commitsAfter !== undefined
          ? `; transactions committed per run: ${((commitsAfter - commitsBefore) / latencies.length).toFixed(1)}`
          : "";
      return `${perSecond.toFixed(1)} runs/s (${(perSecond / ceiling.perSecond).toFixed(2)}x the queue ceiling); trigger → finished p50 ${ms(quantile(latencies, 0.5))}, p95 ${ms(quantile(latencies, 0.95))}, p99 ${ms(quantile(latencies, 0.99))}\n    CPU of this process per run: ${ms((cpu.user + cpu.system) / 1000 / latencies.length)}${committed}`;
    };
    const byWebhook = await burst("webhook");
    const byApi = await burst("api");
    console.log(`\n${kind === "embedded" ? "Embedded database (PGlite)" : "PostgreSQL server"}, 1 worker, 16 slots`);
    console.log(
      `  queue ceiling (pg-boss, empty handler): ${ceiling.perSecond.toFixed(1)} jobs/s, idle send → handler ${ms(ceiling.idleMs)}`,
    );
    console.log(`  the database's commit latency (one insert, committed alone, one at a time): p50 ${ms(commitMs)}`);
    console.log(
      `  idle, one at a time (${IDLE}): trigger → finished p50 ${ms(quantile(idle, 0.5))}, p95 ${ms(quantile(idle, 0.95))}`,
    );
    console.log(
      `  one more step (a read-only MCP call, journaled): ${ms(perStep)} (idle p50 of 11 calls ${ms(quantile(eleven, 0.5))}, of 1 call ${ms(quantile(one, 0.5))})`,
    );
    console.log(`  burst of ${RUNS} webhooks from ${CLIENTS} clients: ${byWebhook}`);
    console.log(`  burst of ${RUNS} API calls from ${CLIENTS} clients: ${byApi}`);
    if (database.raw.kind === "postgres") {
      // A second worker: a `charter worker` process on the same database, 16 slots of its own.
      const second = await startWorker(database.raw.url, tenants, (job) => {
        const resolve = waiting.get(job);
        if (resolve) resolve();
        else early.add(job);
      });
      try {
        console.log(
          `  burst of ${RUNS} webhooks from ${CLIENTS} clients, 2 workers (this process and a charter worker process): ${await burst("webhook")}`,
        );
      } finally {
        await second.stop();
      }
    }
  } finally {
    await served.close();
    await dispatcher.stop();
    await app.close();
    if (appDatabase !== database) await database.close(); // drops the bench's database
  }
}

for (const kind of values.database === "both"
  ? (["embedded", "server"] as const)
  : [values.database as "embedded" | "server"])
  await bench(kind);
