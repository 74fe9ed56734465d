/** The served OpenAPI document passes a strict validator and names every route the HTTP face serves. */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { validate } from "@readme/openapi-parser";
import { type App, createApp } from "../src/app.ts";
import { createHttpApp } from "../src/server/index.ts";
import { OPENAPI } from "../src/server/openapi.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO } from "./helpers/tenants.ts";

let app: App;
before(async () => {
  app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
    database: await embeddedTestDatabase(),
  });
});
after(() => app.close());

test("the OpenAPI document is valid to a strict validator, with one operationId per operation", async () => {
  const result = await validate(structuredClone(OPENAPI) as Parameters<typeof validate>[0]);
  assert.deepEqual(result.valid ? [] : result.errors.map((e) => e.message), []);
  const ids = Object.values(OPENAPI.paths).flatMap((item) =>
    Object.values(item).map((operation) => operation.operationId),
  );
  assert.ok(
    ids.every((id) => typeof id === "string" && id.length > 0),
    "every operation has an operationId",
  );
  assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
});

test("every route the HTTP face serves is in the document, and every operation there is served", async () => {
  const http = await createHttpApp(app);
  const served = new Set(
    http.routes
      // Middleware ("*") is no route; a route for ALL methods (/mcp) serves each method documented for it.
      .filter((r) => !r.path.includes("*"))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
  );
  const documented = new Set(
    Object.entries(OPENAPI.paths).flatMap(([p, item]) => Object.keys(item).map((method) => `${method} ${p}`)),
  );
  assert.deepEqual(
    [...served].filter(
      (route) =>
        !documented.has(route) &&
        !(route.startsWith("all ") && [...documented].some((d) => d.endsWith(` ${route.slice(4)}`))),
    ),
    [],
    "served but not documented",
  );
  assert.deepEqual(
    [...documented].filter((route) => !served.has(route) && !served.has(`all ${route.slice(route.indexOf(" ") + 1)}`)),
    [],
    "documented but not served",
  );
});
