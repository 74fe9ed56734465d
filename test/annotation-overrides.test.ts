/**
 * Annotation overrides in tenant.json: the tenant's hints replace the server's, are part of the
 * catalog (so of its hash), show in the SDK and in a version's capabilities as declared by the
 * tenant, reach the tool policy a run is checked against, and changing one is drift: a version
 * that calls the tool is no longer approved until a reviewer sees the change.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { liveTools, mockedTools, tryRun } from "../src/runs/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { countingServer, tenantsFolder } from "./helpers/tenants.ts";

const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "appender",
  description: "Appends a line.",
  input: { type: "object" },
  output: { type: "object" },
  run: async () => {
    await ops.append({ text: "x" });
    return {};
  },
});`;
const TESTS = JSON.stringify({
  tests: [
    { name: "appends", input: {}, mocks: { "ops.append": [{ output: { written: "x" } }] }, expect: { output: {} } },
  ],
});

test("tenant.json annotation overrides: applied, shown as the tenant's, in the hash, and a change is drift", {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-overrides-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const tenants = await tenantsFolder({
    acme: {
      config: {
        name: "Acme",
        integrations: {
          ops: {
            ...countingServer(countFile),
            annotations: { append: { idempotent: true }, nope: { readOnly: true } },
          },
        },
      },
    },
  });
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
  try {
    const first = await app.sync("acme");
    const ops = first.result.integrations[0];
    assert.ok(first.result.ok);
    assert.deepEqual(ops?.notes, ['annotations for tool "nope" in tenant.json: the server offers no such tool']);
    const append = (await app.catalogs.currentCatalog("acme"))[0]?.content.tools.find((tool) => tool.name === "append");
    assert.equal(append?.annotations?.idempotentHint, true, "the tenant's hint replaces the server's (false)");
    assert.deepEqual(append?.annotationOverrides, { idempotent: true });

    // The version's capability, and the policy its runs are checked against, say it and say who.
    const version = await approvedVersion(app, "acme", { source: SOURCE, fileName: "appender.ts", tests: TESTS });
    const capability = (
      version.capabilities as { tool: string; annotations: { idempotent: boolean; byTenant?: string[] } }[]
    ).find((c) => c.tool === "append");
    assert.deepEqual(
      { idempotent: capability?.annotations.idempotent, byTenant: capability?.annotations.byTenant },
      { idempotent: true, byTenant: ["idempotent"] },
    );

    // The tenant takes the override back: the catalog changes (its hash is not the same) and the version drifts.
    const file = path.join(tenants, "acme", "tenant.json");
    const config = JSON.parse(await readFile(file, "utf8")) as { integrations: { ops: { annotations?: unknown } } };
    delete config.integrations.ops.annotations;
    await writeFile(file, JSON.stringify(config));
    const second = await app.sync("acme");
    assert.equal(second.result.integrations[0]?.status, "changed");
    assert.notEqual(second.result.integrations[0]?.hash, ops?.hash);
    assert.deepEqual(
      second.drift.map((d) => [d.version, d.drifted]),
      [[`appender@${version.number}`, true]],
    );
  } finally {
    await app.close();
  }
});

test("a server that declares no annotations (as GitHub's): its tools are destructive writes by MCP's defaults and never called live by try; after the tenant declares one read-only, try calls it live", {
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "charter-bare-"));
  const countFile = path.join(dir, "count.txt");
  await writeFile(countFile, "");
  const server = countingServer(countFile);
  const tenants = await tenantsFolder({
    acme: { config: { name: "Acme", integrations: { ops: { ...server, args: [...server.args, "--bare"] } } } },
  });
  const source = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "looker",
  description: "Looks up.",
  input: { type: "object" },
  output: { type: "object", properties: { value: { type: "string" } }, required: ["value"], additionalProperties: false },
  run: async () => ({ value: (await ops.lookup({})).value }),
});`;
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
  const tryLive = async () => {
    const { runnable } = await app.toolchain.build("acme", { source, fileName: "looker.ts" });
    assert.ok(runnable);
    const live = await liveTools({ env: app.env, processEnv: {}, pool: app.pool, tenantId: "acme" });
    return { runnable, ran: await tryRun({ bundle: runnable, input: {}, tools: mockedTools({}, live) }) };
  };
  try {
    assert.ok((await app.sync("acme")).result.ok);
    const before = await tryLive();
    assert.deepEqual(before.runnable.tools.find((t) => t.tool === "lookup")?.annotations, {
      readOnly: false,
      destructive: true,
      idempotent: false,
      openWorld: true,
      declared: false,
    });
    assert.equal(before.ran.ok, false);
    assert.match(before.ran.error?.message ?? "", /NOT_MOCKED|not read-only, so it is not called live/);
    assert.equal(await readFile(countFile, "utf8"), "", "nothing was called live");

    const file = path.join(tenants, "acme", "tenant.json");
    const config = JSON.parse(await readFile(file, "utf8")) as { integrations: { ops: Record<string, unknown> } };
    config.integrations.ops["annotations"] = { lookup: { readOnly: true, openWorld: false } };
    await writeFile(file, JSON.stringify(config));
    assert.ok((await app.sync("acme")).result.ok);
    const after = await tryLive();
    assert.equal(after.ran.ok, true, JSON.stringify(after.ran.error));
    assert.deepEqual(after.ran.output, { value: "looked-up" });
    assert.equal(await readFile(countFile, "utf8"), "lookup\n", "called live, once");
  } finally {
    await app.close();
  }
});
