/**
 * SDK type fidelity across nine real servers: the demo tenant's three, the MCP reference server
 * (server-everything), and five third-party servers from npm whose catalogs are recorded in
 * test/fixtures/catalogs (memory, filesystem, sequential-thinking, Notion, GitHub) and served
 * again by test/fixtures/replay-server.ts. Each is synced through real discovery; for every tool,
 * values drawn from its input schema and structural mutations of them (test/helpers/sdk-fidelity.ts)
 * must be accepted by the SDK's typecheck exactly when Ajv accepts them.
 */
import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { samplesFor, typecheckSamples, type Verdict } from "./helpers/sdk-fidelity.ts";
import { REPO, tenantsFolder } from "./helpers/tenants.ts";

const THIRD_PARTY = ["memory", "filesystem", "sequential-thinking", "notion", "github"];

test("the SDK's argument types accept a value exactly when the tool's schema does, on 9 servers", {
  timeout: 600_000,
}, async () => {
  const replay = (name: string) => ({
    transport: "stdio",
    command: "node",
    args: [
      path.join(REPO, "test/fixtures/replay-server.ts"),
      "--catalog",
      path.join(REPO, `test/fixtures/catalogs/${name}.json`),
    ],
  });
  const tenants = await tenantsFolder({
    third: {
      config: {
        name: "Third-party servers",
        integrations: Object.fromEntries(THIRD_PARTY.map((name) => [name.replace(/-/g, "_"), replay(name)])),
      },
    },
  });
  await symlink(path.join(REPO, "tenants/demo"), path.join(tenants, "demo"));
  const app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
  try {
    const rows: string[] = [];
    const wrong: Verdict[] = [];
    let servers = 0;
    for (const tenant of ["demo", "third"]) {
      const synced = await app.sync(tenant);
      assert.ok(
        synced.result.ok,
        JSON.stringify(synced.result.integrations.map((i) => [i.integration, i.status, i.error])),
      );
      const sdk = await app.toolchain.sdk(tenant);
      for (const integration of sdk.integrations) {
        const samples = integration.content.tools.flatMap((tool) => {
          const functionName = sdk.tools.find(
            (t) => t.integration === integration.id && t.tool === tool.name,
          )?.functionName;
          return functionName ? samplesFor(tool, functionName) : [];
        });
        const verdicts = typecheckSamples(sdk, integration.id, samples);
        const mismatched = verdicts.filter((v) => v.ajv !== v.typecheck);
        wrong.push(...mismatched);
        const accepted = verdicts.filter((v) => v.ajv).length;
        rows.push(
          `${integration.id.padEnd(20)} ${String(integration.content.tools.length).padStart(3)} tools ${String(verdicts.length).padStart(4)} values (${accepted} valid, ${verdicts.length - accepted} not) ${mismatched.length} disagree`,
        );
        servers++;
      }
    }
    console.log(rows.join("\n"));
    assert.ok(servers >= 9, `${servers} servers`);
    assert.deepEqual(
      wrong.map(
        (v) =>
          `${v.tool} [${v.kind}] ajv ${v.ajv ? "accepts" : "rejects"}, typecheck ${v.typecheck ? "accepts" : `rejects: ${v.diagnostic}`}: ${JSON.stringify(v.value).slice(0, 300)}`,
      ),
      [],
    );
  } finally {
    await app.close();
  }
});
