/**
 * A tool server that changes its tools says so (notifications/tools/list_changed) on the
 * connection Charter has open, and the scheduler's process syncs that tenant again: the new tool is
 * in the catalog without anyone running `charter tenants sync`.
 */
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { tenantConnections } from "../src/catalog/index.ts";
import { Dispatcher, type DispatcherEvent } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

test("a server's tools/list_changed syncs its tenant again: the new tool is in the catalog", {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-list-changed-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const server = countingServer(countFile);
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: { ...server, args: [...server.args, "--growable"] } } } },
  });
  const processEnv = { CHARTER_TENANTS_DIR: tenants };
  const app = await createApp({ processEnv, database: await embeddedTestDatabase() });
  const events: DispatcherEvent[] = [];
  let dispatcher: Dispatcher | undefined;
  try {
    assert.ok((await app.sync("acme")).result.ok);
    const tools = async () =>
      (await app.catalogs.currentCatalog("acme"))[0]?.content.tools.map((tool) => tool.name).sort() ?? [];
    assert.ok(!(await tools()).includes("extra_1"));
    dispatcher = await Dispatcher.start(app, {
      worker: false,
      scheduler: true,
      subscriptions: {
        pool: app.pool,
        env: app.env,
        processEnv,
        sync: (tenantId) => app.sync(tenantId, undefined, { fresh: false }),
      },
      onEvent: (event) => events.push(event),
    });
    // The server adds a tool while Charter has a connection open to it (as a run would call it).
    const spec = (await tenantConnections({ env: app.env, processEnv, tenantId: "acme" })).specs.get("ops");
    assert.ok(spec);
    await app.pool.request(spec, "calling grow", (client, options) =>
      client.callTool({ name: "grow", arguments: {} }, undefined, options),
    );
    const until = Date.now() + 60_000;
    while (!events.some((event) => event.event === "catalog-resynced")) {
      assert.ok(
        Date.now() < until,
        `no re-sync: ${JSON.stringify(events.filter((event) => event.event !== "schedules-synced"))}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const resynced = events.find((event) => event.event === "catalog-resynced");
    assert.deepEqual(resynced?.detail, { tenant: "acme", because: ["ops: tools"], changed: ["ops"], drifted: [] });
    assert.ok((await tools()).includes("extra_1"), "the added tool is in the catalog");
    // A sync someone asks for opens a new connection instead of asking the pooled one: here a new
    // process of the stdio server, which has not grown, so the tool is gone again.
    const asked = await app.sync("acme");
    assert.equal(asked.result.integrations[0]?.status, "changed");
    assert.ok(!(await tools()).includes("extra_1"), "seen as the server is now, not as the pooled session was");
  } finally {
    await dispatcher?.stop();
    await app.close();
  }
});
