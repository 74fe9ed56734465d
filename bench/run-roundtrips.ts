/**
 * `npm run bench:roundtrips [-- --runs 30]`: database round trips of one webhook run, walked the
 * whole way (signed POST → queued job → worker → version gate → run → journal → finished), on the
 * embedded database (PGlite, whose every query this bench counts). The workflow makes 3 MCP calls
 * (read, non-idempotent write, read). Runs go one at a time, each waited for by the dispatcher's
 * own event (the bench itself reads nothing while counting). Prints per run: statements on
 * Charter's tables by table, statements of the queue (pg-boss, including its polls while the run
 * was under way), and the bytes of version rows read.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { PGlite } from "@electric-sql/pglite";
import { createApp } from "../src/app.ts";
import { sign, webhookSecret } from "../src/server/index.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "../test/helpers/databases.ts";
import { approvedVersion } from "../test/helpers/reviewed.ts";
import { serveHttp } from "../test/helpers/serve.ts";
import { countingServer, tenantsFolder } from "../test/helpers/tenants.ts";
import { THREE_CALLS, WEBHOOK_KEY } from "./three-calls.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
const runs = Number(values.runs);
const KEY = WEBHOOK_KEY;

const dir = await mkdtemp(path.join(tmpdir(), "charter-roundtrips-"));
const countFile = path.join(dir, "count.txt");
await writeFile(countFile, "");
const tenants = await tenantsFolder({
  acme: { config: { name: "Acme", integrations: { ops: countingServer(countFile) } } },
});
const database = await embeddedTestDatabase();
if (database.raw.kind !== "pglite") throw new Error("expected the embedded database");
const client: PGlite = database.raw.client;

// Every statement PGlite runs, by who runs it and on which table.
let counting = false;
const statements = new Map<string, number>();
let versionBytes = 0;
let versionReads = 0;
const tally = (sql: string, rows: unknown) => {
  if (!counting) return;
  const text = sql.replace(/\s+/g, " ");
  const tables = [
    ...new Set([...text.matchAll(/\b(?:from|join|into|update)\s+"?([a-z_]+)"?/gi)].map((m) => m[1] ?? "")),
  ];
  const table = /pgboss/i.test(text) ? "queue (pg-boss)" : tables.join("+") || text.slice(0, 30);
  statements.set(table, (statements.get(table) ?? 0) + 1);
  if (tables.includes("versions") && /^\s*select/i.test(text)) {
    versionReads++;
    versionBytes += JSON.stringify(rows ?? null).length;
  }
};
const wrap = <T extends object>(target: T): T => {
  const original = target as unknown as {
    query: (sql: string, ...rest: unknown[]) => Promise<{ rows: unknown }>;
    exec: (sql: string, ...rest: unknown[]) => Promise<{ rows: unknown }[]>;
  };
  const query = original.query.bind(target);
  const exec = original.exec.bind(target);
  original.query = async (sql, ...rest) => {
    const result = await query(sql, ...rest);
    tally(sql, result.rows);
    return result;
  };
  original.exec = async (sql, ...rest) => {
    const result = await exec(sql, ...rest);
    tally(
      sql,
      result.map((r) => r.rows),
    );
    return result;
  };
  return target;
};
wrap(client);
const transaction = client.transaction.bind(client);
(client as { transaction: PGlite["transaction"] }).transaction = ((
  callback: (tx: Parameters<Parameters<PGlite["transaction"]>[0]>[0]) => Promise<unknown>,
) => transaction((tx) => callback(wrap(tx)))) as PGlite["transaction"];

const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants, CHARTER_WEBHOOK_KEY: KEY }, database });
const synced = await app.sync("acme");
if (!synced.result.ok) throw new Error("the bench tenant did not sync");
await approvedVersion(app, "acme", THREE_CALLS);
let finished: (() => void) | undefined;
const dispatcher = await Dispatcher.start(app, {
  worker: true,
  scheduler: false,
  pollSeconds: 0.5,
  onEvent: (e) => e.event === "run-finished" && finished?.(),
});
const served = await serveHttp(app, { dispatcher });
const secret = webhookSecret(Buffer.from(KEY), "acme", "three-calls");
const fire = async (text: string) => {
  const body = JSON.stringify({ text });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const done = new Promise<void>((resolve) => (finished = resolve));
  const response = await fetch(`${served.base}/hooks/acme/three-calls`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-charter-timestamp": timestamp,
      "x-charter-signature": sign(secret, timestamp, body),
    },
  });
  if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  await done;
};
try {
  for (let i = 0; i < 3; i++) await fire(`warm-${i}`); // connections, bundle stored, caches
  counting = true;
  const started = performance.now();
  for (let i = 0; i < runs; i++) await fire(`run-${i}`);
  const ms = performance.now() - started;
  counting = false;
  const charter = [...statements].filter(([table]) => table !== "queue (pg-boss)").sort((a, b) => b[1] - a[1]);
  const total = charter.reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `${runs} webhook runs (3 MCP calls each), one at a time, embedded database, ${(ms / runs).toFixed(0)} ms a run`,
  );
  console.log(
    `  Charter's statements per run: ${(total / runs).toFixed(1)}  (${charter.map(([table, n]) => `${table} ${(n / runs).toFixed(1)}`).join(", ")})`,
  );
  console.log(
    `  statements reading the versions table per run: ${(versionReads / runs).toFixed(1)}, ${(versionBytes / runs / 1024).toFixed(1)} KiB`,
  );
  console.log(
    `  queue (pg-boss) statements per run, with its polls: ${((statements.get("queue (pg-boss)") ?? 0) / runs).toFixed(1)}`,
  );
} finally {
  await served.close();
  await dispatcher.stop();
  await app.close();
}
