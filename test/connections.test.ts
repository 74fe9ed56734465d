/**
 * A tenant's connections (tenant.json and its secret files) are read once per process and kept
 * until one of those files changes: the next call after an edit sees the new configuration or
 * secret, and calls in between read nothing but file stamps.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { tenantConnections } from "../src/catalog/index.ts";
import { parseEnv } from "../src/config/env.ts";
import { tenantsFolder } from "./helpers/tenants.ts";

test("tenant connections are kept until tenant.json or a secret file changes", async () => {
  const config = (url: string) => ({
    name: "Acme",
    integrations: {
      a: { transport: "http", url, credentials: { Authorization: { file: "token", prefix: "Bearer " } } },
    },
  });
  const tenants = await tenantsFolder({
    acme: { config: config("https://one.test/mcp"), files: { token: "first-secret\n" } },
  });
  const processEnv = { CHARTER_TENANTS_DIR: tenants };
  const env = parseEnv(processEnv, tenants);
  const read = () => tenantConnections({ env, processEnv, tenantId: "acme" });
  const reveal = (value: Awaited<ReturnType<typeof read>>) => value.secrets.map((s) => s.reveal());

  const first = await read();
  assert.deepEqual(reveal(first), ["Bearer first-secret"]);
  assert.equal(await read(), first, "nothing changed: the kept value, not a new read");

  await writeFile(path.join(tenants, "acme", "token"), "second-secret\n");
  const rotated = await read();
  assert.notEqual(rotated, first);
  assert.deepEqual(reveal(rotated), ["Bearer second-secret"], "a rotated secret is used by the next call");

  await writeFile(path.join(tenants, "acme", "tenant.json"), JSON.stringify(config("https://two.test/mcp")));
  const moved = await read();
  const spec = moved.specs.get("a");
  assert.equal(
    spec?.transport === "http" ? spec.url : undefined,
    "https://two.test/mcp",
    "an edited tenant.json is read again",
  );
});
