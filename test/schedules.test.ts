/**
 * Schedules through pg-boss with two `charter worker` processes on one PostgreSQL database: a
 * schedule fires once per tick, not once per worker (counted by the tool server itself).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { sql } from "drizzle-orm";
import { createApp } from "../src/app.ts";
import { testDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, REPO, tenantsFolder } from "./helpers/tenants.ts";

const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "tick",
  description: "Looks something up every minute.",
  input: { type: "object" },
  output: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
  triggers: [{ type: "schedule", cron: "* * * * *" }],
  run: async () => ({ value: (await ops.lookup({})).value }),
});`;
/** The same on a fixed interval: slots are jobs with ids derived from the slot, queued by both workers. */
const PULSE = SOURCE.replace('name: "tick"', 'name: "pulse"').replace(
  '{ type: "schedule", cron: "* * * * *" }',
  '{ type: "schedule", every: "1m" }',
);
const TESTS = JSON.stringify({
  tests: [
    {
      name: "looks up",
      input: {},
      mocks: { "ops.lookup": [{ output: { value: "v" } }] },
      expect: { output: { value: "v" } },
    },
  ],
});

test("cron and fixed-interval schedules fire exactly once per tick with two workers on PostgreSQL", {
  timeout: 180_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-schedule-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) } } },
  });
  const database = await testDatabase("server");
  const url = database.raw.kind === "postgres" ? database.raw.url : "";
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database });
  try {
    assert.ok((await app.sync("acme")).result.ok);
    await approvedVersion(app, "acme", { source: SOURCE, fileName: "tick.ts", tests: TESTS });
    await approvedVersion(app, "acme", { source: PULSE, fileName: "pulse.ts", tests: TESTS });

    const workers = [0, 1].map(() =>
      spawn(process.execPath, ["--no-node-snapshot", path.join(REPO, "src/cli/charter.js"), "worker"], {
        cwd: REPO,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: process.env["HOME"] ?? "",
          DATABASE_URL: url,
          CHARTER_TENANTS_DIR: tenants,
        },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const logs: string[][] = [[], []];
    await Promise.all(
      workers.map(
        (worker, index) =>
          new Promise<void>((resolve, reject) => {
            let stderr = "";
            worker.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            worker.on("exit", (code) => reject(new Error(`worker ${index} exited (${code}): ${stderr}`)));
            void (async () => {
              for await (const line of createInterface({ input: worker.stdout! })) {
                logs[index]?.push(line);
                if (line.includes('"worker-started"')) resolve();
              }
            })();
          }),
      ),
    );
    // pg-boss schedules have minute granularity: 75 s hold one or two minute boundaries. An
    // occurrence stays due for 60 s, so the tick of the minute the workers started in may be sent late.
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 75_000));
    const endedAt = Date.now();
    let ticks = 0;
    for (let minute = Math.ceil((startedAt - 65_000) / 60_000); minute * 60_000 <= endedAt; minute++) ticks++;
    await Promise.all(
      workers.map((worker) => new Promise((resolve) => (worker.once("exit", resolve), worker.kill("SIGTERM")))),
    );

    let total = 0;
    for (const workflow of ["tick", "pulse"]) {
      const rows = (await app.database.db.execute(
        sql`select started_at, status from runs where workflow = ${workflow} order by started_at`,
      )) as unknown;
      const runs = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as {
        started_at: string | Date;
        status: string;
      }[];
      assert.ok(
        runs.length >= 1 && runs.length <= ticks,
        `${workflow}: ${runs.length} runs for ${ticks} ticks of a per-minute schedule with two workers: ${logs.flat().join("\n")}`,
      );
      assert.ok(
        runs.every((r) => r.status === "succeeded"),
        JSON.stringify(runs),
      );
      // One run per tick, by the tick itself, not by start times: the first cron pass also sends the
      // occurrence of the minute the workers started in (missed, as nothing was looking), and its run
      // may start a second after the next minute's own. pg-boss files each cron occurrence once, in
      // its slot (a send-it job whose singleton_on is the slot), and forwards it as one job; an
      // interval slot is one job by its id (derived from the slot).
      if (workflow === "tick") {
        const sentRows = (await app.database.db.execute(
          sql`select count(*)::int as sent, count(distinct singleton_on)::int as slots from pgboss.job where name = '__pgboss__send-it' and data->>'key' = 'acme/tick/0'`,
        )) as unknown;
        const [sent] = (Array.isArray(sentRows) ? sentRows : (sentRows as { rows: unknown[] }).rows) as {
          sent: number;
          slots: number;
        }[];
        assert.equal(sent?.sent, sent?.slots, `tick: an occurrence was filed twice: ${JSON.stringify(sent)}`);
        assert.equal(
          runs.length,
          sent?.slots,
          `tick: one run per occurrence sent (${JSON.stringify(sent)}): ${JSON.stringify(runs)}`,
        );
      }
      const jobRows = (await app.database.db.execute(
        sql`select job_id::text as job from runs where workflow = ${workflow}`,
      )) as unknown;
      const jobs = (
        (Array.isArray(jobRows) ? jobRows : (jobRows as { rows: unknown[] }).rows) as { job: string | null }[]
      ).map((row) => row.job);
      assert.equal(new Set(jobs).size, jobs.length, `${workflow}: two runs of one job: ${JSON.stringify(jobs)}`);
      const dispatched = logs
        .flat()
        .filter((line) => line.includes('"run-dispatched"') && line.includes(`"workflow":"${workflow}"`)).length;
      assert.equal(dispatched, runs.length, `${workflow}: each tick was dispatched to one worker only`);
      total += runs.length;
    }
    const lookups = (await readFile(countFile, "utf8")).split("\n").filter((l) => l === "lookup").length;
    assert.equal(lookups, total, "the tool server counted one call per run");
  } finally {
    await app.close();
  }
});
