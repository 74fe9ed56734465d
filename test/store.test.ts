import assert from "node:assert/strict";
import { RunEnds } from "../src/runs/index.ts";
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { sql } from "drizzle-orm";
import type { CatalogContent } from "../src/core/catalog.ts";
import {
  CatalogRepository,
  type Database,
  IdentityRepository,
  openEmbeddedDatabase,
  PlanningRepository,
  RunRepository,
} from "../src/store/index.ts";
import { DRIVERS, testDatabase } from "./helpers/databases.ts";

const catalog = (description: string): CatalogContent => ({
  server: { name: "s", version: "1" },
  capabilities: { tools: {} },
  tools: [{ name: "t", description, inputSchema: { type: "object" } }],
  resources: [],
  resourceTemplates: [],
  prompts: [],
});

const base = {
  tenantId: "acme",
  integrationId: "tickets",
  transport: "stdio" as const,
  configHash: "c",
  credentialState: "ok" as const,
  startedAt: new Date(),
};

async function schemaOf(database: Database) {
  const columns = await database.db.execute(sql`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'public' order by table_name, column_name`);
  const indexes = await database.db.execute(
    sql`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`,
  );
  const constraints = await database.db.execute(sql`
    select conrelid::regclass::text as table_name, conname, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = 'public'::regnamespace and contype in ('p', 'u', 'f', 'c') order by conname`);
  // NOT NULL is compared through information_schema above; PostgreSQL 18 (PGlite) also lists it as a constraint.
  const rows = (result: unknown) =>
    [...(Array.isArray(result) ? result : (result as { rows: unknown[] }).rows)].map((row) => ({ ...(row as object) }));
  return { columns: rows(columns), indexes: rows(indexes), constraints: rows(constraints) };
}

describe("store on both drivers", () => {
  const opened: Database[] = [];
  after(async () => Promise.all(opened.map((database) => database.close())));

  test("the same migrations give identical schemas on PGlite and PostgreSQL", async () => {
    const [embedded, server] = await Promise.all(DRIVERS.map((driver) => testDatabase(driver)));
    opened.push(embedded!, server!);
    const a = await schemaOf(embedded!);
    const b = await schemaOf(server!);
    assert.ok(a.columns.length >= 30, `expected Charter's tables, found ${a.columns.length} columns`);
    assert.deepEqual(a, b);
  });

  for (const driver of DRIVERS) {
    describe(driver, () => {
      test("a sync stores a snapshot once and reports unchanged, changed and back again", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        const repository = new CatalogRepository(database.db);
        await repository.upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const record = (description: string, previousSnapshotId: string | null) => ({
          ...base,
          outcome: "snapshot" as const,
          hash: `hash-${description}`,
          content: catalog(description),
          previousSnapshotId,
          changes: [],
        });
        const first = await repository.recordSync(record("one", null));
        assert.equal(first.status, "new");
        assert.equal((await repository.recordSync(record("one", first.snapshotId))).status, "unchanged");
        assert.equal(await repository.countSnapshots("acme"), 1);
        const second = await repository.recordSync(record("two", first.snapshotId));
        assert.equal(second.status, "changed");
        assert.equal((await repository.currentSnapshot("acme", "tickets"))?.content.tools[0]?.description, "two");
        const back = await repository.recordSync(record("one", second.snapshotId));
        assert.equal(back.status, "changed");
        assert.equal(back.snapshotId, first.snapshotId, "returning to old content reuses its snapshot");
        assert.equal(await repository.countSnapshots("acme"), 2);
        assert.deepEqual((await repository.recentSyncs("acme")).map((row) => row.status).sort(), [
          "changed",
          "changed",
          "new",
          "unchanged",
        ]);
      });

      test("a failed sync keeps the previous snapshot current and records why", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        const repository = new CatalogRepository(database.db);
        await repository.upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const ok = await repository.recordSync({
          ...base,
          outcome: "snapshot",
          hash: "h1",
          content: catalog("x"),
          previousSnapshotId: null,
          changes: [],
        });
        const failed = await repository.recordSync({
          ...base,
          credentialState: "refused",
          outcome: "failed",
          errorCode: "INTEGRATION_AUTH_REFUSED",
          errorMessage: "nope",
        });
        assert.equal(failed.status, "failed");
        assert.equal((await repository.currentSnapshot("acme", "tickets"))?.id, ok.snapshotId);
        const [integration] = await repository.listIntegrations("acme");
        assert.equal(integration?.credentialState, "refused");
        assert.equal((await repository.recentSyncs("acme"))[0]?.errorCode, "INTEGRATION_AUTH_REFUSED");
      });

      test("a sync that fails halfway stores nothing", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        const repository = new CatalogRepository(database.db);
        // No tenant row: the sync record's foreign key fails after the snapshot insert, inside one transaction.
        await assert.rejects(
          repository.recordSync({
            ...base,
            tenantId: "ghost",
            outcome: "snapshot",
            hash: "h",
            content: catalog("x"),
            previousSnapshotId: null,
            changes: [],
          }),
        );
        const count = await database.db.execute(sql`select count(*)::int as n from catalog_snapshots`);
        const rows = Array.isArray(count) ? count : (count as { rows: { n: number }[] }).rows;
        assert.equal((rows[0] as { n: number }).n, 0);
      });

      test("runs: the record reads saved state, the journal keeps calls, completion writes journal, run and state at once", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        await new CatalogRepository(database.db).upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const runs = new RunRepository(database.db);
        const bundle = {
          hash: "sha256:b",
          tenantId: "acme",
          workflow: "w",
          code: "x",
          sourceMap: "{}",
          tools: [],
          inputSchema: {},
          outputSchema: {},
          catalogHash: "c",
          sdkHash: "s",
        };
        await runs.saveBundle(bundle);
        await runs.saveBundle(bundle); // content-addressed: saving again is a no-op
        const newRun = () =>
          runs.createRun({
            tenantId: "acme",
            workflow: "w",
            bundleHash: "sha256:b",
            trigger: { type: "manual" },
            input: {},
            status: "running",
            startedAt: new Date(),
            seed: [1, 2],
            leaseUntil: new Date(Date.now() + 60_000),
          });
        const first = await newRun();
        assert.deepEqual(first.stateBefore, {});
        const call = {
          runId: first.id,
          integration: "ops",
          tool: "t",
          args: { a: 1 },
          argsHash: "h",
          attempt: 1,
          source: "live",
          startedAt: new Date(),
        };
        assert.equal(await runs.beginCall({ ...call, seq: 1 }, first.attempts), true);
        assert.equal(await runs.beginCall({ ...call, seq: 1 }, first.attempts), false, "a call is begun once");
        assert.equal(
          await runs.beginCall({ ...call, seq: 2 }, first.attempts + 1),
          false,
          "only by the process holding the run",
        );
        await runs.finishCall(first.id, 1, { status: "succeeded", outcome: { ok: true }, finishedAt: new Date() });
        assert.equal(
          await runs.claim(first.id, new Date(), new Date()),
          undefined,
          "a run whose lease has not passed cannot be claimed",
        );
        await runs.complete(first, {
          status: "succeeded",
          output: { done: true },
          error: null,
          logs: [],
          state: { count: 1 },
          finishedAt: new Date(),
          calls: [{ ...call, seq: 2, status: "succeeded", outcome: { ok: true }, finishedAt: new Date() }],
        });
        assert.deepEqual(
          (await runs.journal(first.id)).map((e) => [e.seq, e.status]),
          [
            [1, "succeeded"],
            [2, "succeeded"],
          ],
        );
        assert.equal((await runs.run(first.id))?.status, "succeeded");
        assert.deepEqual(await runs.state("acme", "w"), { count: 1 });
        const second = await newRun();
        assert.deepEqual(second.stateBefore, { count: 1 }, "the next run reads the state the last one committed");
        await runs.complete(second, {
          status: "failed",
          output: null,
          error: { code: "X", message: "x" },
          logs: [],
          state: null,
          finishedAt: new Date(),
        });
        assert.deepEqual(await runs.state("acme", "w"), { count: 1 });
        assert.equal((await runs.run(second.id))?.status, "failed");
      });

      test("a run's end wakes whoever waits for it, by job id or run id, when it commits", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        await new CatalogRepository(database.db).upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const runs = new RunRepository(database.db);
        await runs.saveBundle({
          hash: "sha256:e",
          tenantId: "acme",
          workflow: "w",
          code: "x",
          sourceMap: "{}",
          tools: [],
          inputSchema: {},
          outputSchema: {},
          catalogHash: "c",
          sdkHash: "s",
        });
        const jobId = randomUUID();
        const run = await runs.createRun({
          tenantId: "acme",
          workflow: "w",
          bundleHash: "sha256:e",
          jobId,
          trigger: { type: "manual" },
          input: {},
          status: "running",
          startedAt: new Date(),
          seed: [1, 2],
          leaseUntil: new Date(Date.now() + 60_000),
        });
        const ends = new RunEnds(database);
        try {
          const byJob = await ends.watch([jobId], 60_000);
          const byRun = await ends.watch([run.id], 60_000);
          const other = await ends.watch([randomUUID()], 60_000);
          let otherWoken = false;
          void other.ended.then(() => (otherWoken = true));
          await runs.complete(run, {
            status: "succeeded",
            output: {},
            error: null,
            logs: [],
            state: null,
            finishedAt: new Date(),
          });
          // Woken by the notification (milliseconds), not by the waits' own 60 s timers.
          const woken = await Promise.race([
            Promise.all([byJob.ended, byRun.ended]).then(() => "woken"),
            new Promise((resolve) => setTimeout(resolve, 20_000, "not woken")),
          ]);
          assert.equal(woken, "woken");
          assert.equal(otherWoken, false, "a wait for another run is not woken");
          other.cancel();
        } finally {
          await ends.close();
        }
      });

      test("webhook deliveries: of concurrent claims of one delivery only one wins; a released one can be claimed again; old ones expire", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        await new CatalogRepository(database.db).upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const runs = new RunRepository(database.db);
        const delivery = { tenantId: "acme", workflow: "w", signature: "sha256=aa" };
        const now = new Date("2026-11-30T12:00:00Z");
        const keep = 600_000;
        const claims = await Promise.all(Array.from({ length: 5 }, () => runs.claimDelivery(delivery, now, keep)));
        assert.deepEqual(claims.sort(), [false, false, false, false, true]);
        assert.equal(
          await runs.claimDelivery({ ...delivery, workflow: "v" }, now, keep),
          true,
          "another workflow's delivery is its own",
        );
        await runs.releaseDelivery(delivery);
        assert.equal(
          await runs.claimDelivery(delivery, now, keep),
          true,
          "a delivery whose run could not start can come again",
        );
        assert.equal(
          await runs.claimDelivery(delivery, new Date(now.getTime() + keep - 1), keep),
          false,
          "within the window: a repeat",
        );
        // Old rows are dropped at most once a minute: one more claim just past the window may still see it (its timestamp is refused long before).
        assert.equal(
          await runs.claimDelivery(delivery, new Date(now.getTime() + keep + 60_000), keep),
          true,
          "past the window and the next prune the row is gone",
        );
      });

      test("identity: a user's controllers are whoever granted its roles or minted its keys, and their controllers in turn", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        await new CatalogRepository(database.db).upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const identity = new IdentityRepository(database.db);
        const [root, deputy, proxy, other] = await Promise.all(
          ["root", "deputy", "proxy", "other"].map((handle) => identity.ensureUser(handle)),
        );
        assert.ok(root && deputy && proxy && other);
        await identity.grant("acme", root.id, "admin");
        await identity.grant("acme", deputy.id, "admin", root.id);
        await identity.grant("acme", proxy.id, "reviewer", deputy.id);
        await identity.createKey("acme", other.id, proxy.id);
        await identity.grant("acme", other.id, "author", other.id);
        assert.deepEqual(
          [...(await identity.controllers("acme", other.id))].sort(),
          [root.id, deputy.id, proxy.id, other.id].sort(),
        );
        assert.deepEqual([...(await identity.controllers("acme", deputy.id))], [root.id]);
        assert.deepEqual([...(await identity.controllers("acme", root.id))], [], "the server's own grants name no one");
        assert.deepEqual([...(await identity.controllers("other-tenant", other.id))], [], "per tenant");
        // Who may hold a user's live keys: the minter of each, and whoever held the key a request minted with.
        const rootKey = await identity.createKey("acme", root.id);
        const deputyKey = await identity.createKey("acme", deputy.id, root.id, rootKey.slice(0, 12));
        await identity.createKey("acme", deputy.id, deputy.id, deputyKey.slice(0, 12));
        assert.deepEqual(
          await identity.otherKeyHolders("acme", root.id),
          [],
          "a key made on the server is its user's alone",
        );
        assert.deepEqual(
          await identity.otherKeyHolders("acme", deputy.id),
          ["root"],
          "re-keyed with a key root made: root may hold both",
        );
        assert.deepEqual(await identity.otherKeyHolders("acme", other.id), ["proxy"]);
      });

      test("planning sessions: a change names the revision it read, so of two changes from one reading only the first lands", async () => {
        const database = await testDatabase(driver);
        opened.push(database);
        await new CatalogRepository(database.db).upsertTenant({ id: "acme", name: "Acme", configHash: "h" });
        const user = await new IdentityRepository(database.db).ensureUser("ana");
        const sessions = new PlanningRepository(database.db);
        const created = await sessions.create({
          tenantId: "acme",
          authorId: user.id,
          request: "r",
          answers: [],
          planner: "offline",
          status: "needs-input",
          question: { clause: "c" },
          transcript: [],
        });
        assert.equal((await sessions.latestOpen("acme", user.id))?.id, created.id);
        const claimed = await sessions.advance(created, { status: "answering" });
        assert.equal(claimed?.status, "answering");
        assert.equal(
          await sessions.advance(created, { status: "answering" }),
          undefined,
          "a second claim from the same reading is refused",
        );
        assert.equal(
          await sessions.latestOpen("acme", user.id),
          undefined,
          "a session being answered does not wait for an answer",
        );
        const moved = claimed ? await sessions.advance(claimed, { status: "needs-input", answers: ["x"] }) : undefined;
        assert.deepEqual([moved?.status, moved?.answers, moved?.revision], ["needs-input", ["x"], 2]);
        assert.equal(await sessions.byId("other", created.id), undefined, "sessions are found only in their tenant");
      });
    });
  }
});

describe("embedded data folder lock", () => {
  test("a second process gets an error naming the folder, and the folder opens again after close", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "charter-lock-"));
    const first = await openEmbeddedDatabase({ dataDir });
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { openEmbeddedDatabase } = await import(${JSON.stringify(path.join(import.meta.dirname, "../src/store/index.ts"))});
         try { await openEmbeddedDatabase({ dataDir: ${JSON.stringify(dataDir)} }); console.log("OPENED"); }
         catch (error) { console.log(error.code + " " + error.message); }`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.on("exit", resolve));
    assert.match(output, /^DATA_DIR_LOCKED /);
    assert.ok(output.includes(dataDir), `error names the folder: ${output}`);
    assert.ok(output.includes(String(process.pid)), `error names the holder: ${output}`);
    await first.close();
    const again = await openEmbeddedDatabase({ dataDir });
    await again.close();
  });

  test("a lock left by a dead process is taken over", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "charter-lock-"));
    const { writeFile } = await import("node:fs/promises");
    const { hostname } = await import("node:os");
    await writeFile(
      path.join(dataDir, "charter.lock"),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: "then" }),
    );
    const database = await openEmbeddedDatabase({ dataDir });
    await database.close();
  });
});
