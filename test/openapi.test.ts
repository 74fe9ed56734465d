/**
 * The served OpenAPI document passes a strict validator, names every route the HTTP face serves
 * (and serves every operation it names), and tells the truth about answers: real answers of the
 * routes, successes and errors, validate against the document's response schemas, which are strict.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { validate } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { Hono } from "hono";
import { type App, createApp } from "../src/app.ts";
import { createHttpApp, sign } from "../src/server/index.ts";
import type { OpenApiDocument } from "../src/server/openapi.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO } from "./helpers/tenants.ts";

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Doc = OpenApiDocument & { paths: Record<string, Record<string, Record<string, any>>> };

let app: App;
let http: Hono<any>;
let doc: Doc;
before(async () => {
  app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
    database: await embeddedTestDatabase(),
  });
  http = await createHttpApp(app);
  doc = (await (await http.request("/api/v1/openapi.json")).json()) as Doc;
});
after(() => app.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item).map(([method, operation]) => ({ key: `${method} ${p}`, operation })),
  );

test("the served document is valid to a strict validator, with one operationId per operation", async () => {
  const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
  assert.deepEqual(result.valid ? [] : result.errors.map((e) => e.message), []);
  const ids = operations().map(({ operation }) => operation["operationId"]);
  assert.ok(
    ids.every((id) => typeof id === "string" && id.length > 0),
    "every operation has an operationId",
  );
  assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
  // The ids clients were generated with before the document was generated stay as they were.
  assert.deepEqual(
    ["getVersionsRef", "postWorkflowsWorkflowRuns", "deleteKeysPrefix", "postHooksTenantWorkflow", "postMcp"].filter(
      (id) => !ids.includes(id),
    ),
    [],
  );
});

test("every operation says who may call it, and every JSON answer has a schema", () => {
  for (const { key, operation } of operations()) {
    const tenant = key.includes("/api/v1/tenants/{tenant}/") || key.endsWith(" /mcp");
    assert.equal(Boolean(operation["security"]), tenant, `${key}: security only on tenant routes and /mcp`);
    if (key.endsWith(" /mcp")) continue;
    for (const [status, answer] of Object.entries(operation["responses"] as Record<string, Record<string, any>>)) {
      const schema = answer["$ref"] ? answer : answer["content"]?.["application/json"]?.["schema"];
      assert.ok(schema, `${key} ${status} has a JSON schema`);
    }
    assert.ok(operation["responses"]["4XX"] && operation["responses"]["5XX"], `${key} names its error shape`);
  }
  assert.equal(doc.components.schemas["Error"]?.["type"], "object");
});

test("every route the HTTP face serves is in the document, and every operation there is served", () => {
  const served = new Set(
    http.routes
      // Middleware ("*") is no route; a route for ALL methods (/mcp) serves each method documented for it.
      .filter((r) => !r.path.includes("*"))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
  );
  const documented = new Set(operations().map(({ key }) => key));
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

describe("answers match the document", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  /** Successes validated, by operation ("get /api/v1/health"). */
  const answered = new Set<string>();

  /** The schema the document gives for this answer, and the operation it belongs to. */
  const schemaOf = (method: string, url: string, status: number) => {
    const pathname = new URL(url, "http://x").pathname;
    const template = Object.keys(doc.paths).find((p) =>
      new RegExp(`^${p.replace(/\{\w+\}/g, "[^/]+").replace(/\./g, "\\.")}$`).test(pathname),
    );
    assert.ok(template, `no documented path for ${pathname}`);
    const responses = doc.paths[template]?.[method]?.["responses"] as Record<string, Record<string, any>>;
    assert.ok(responses, `${method} ${template} is not documented`);
    const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
    assert.ok(declared, `${method} ${template} does not document ${status}`);
    const answer = declared["$ref"] ? (doc.components.responses["Error"] as Record<string, any>) : declared;
    return { key: `${method} ${template}`, schema: answer["content"]["application/json"]["schema"] };
  };
  /** Why `body` does not fit `schema` (refs resolve against the document's components). */
  const problems = (schema: Record<string, unknown>, body: unknown): string[] => {
    const check = ajv.compile({ ...schema, components: doc.components });
    return check(body) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
  const call = async (
    method: string,
    url: string,
    status: number,
    options: { key?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const raw = options.body === undefined || typeof options.body === "string";
    const response = await http.request(url, {
      method: method.toUpperCase(),
      headers: {
        "content-type": "application/json",
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: raw ? (options.body as string) : JSON.stringify(options.body) }),
    });
    const body = (await response.json()) as Record<string, any>;
    assert.equal(response.status, status, `${method} ${url}: ${JSON.stringify(body).slice(0, 500)}`);
    const { key, schema } = schemaOf(method, url, status);
    assert.deepEqual(problems(schema, body), [], `${method} ${url} ${status} fits the document`);
    if (status < 300) answered.add(key);
    return { body, schema };
  };

  test("a schema refuses a field it does not name and a missing one it requires", async () => {
    const { body, schema } = await call("get", "/api/v1/health", 200);
    assert.notDeepEqual(problems(schema, { ...body, extra: 1 }), [], "an unnamed field fails");
    const { ok: _ok, ...missing } = body;
    assert.notDeepEqual(problems(schema, missing), [], "a missing field fails");
    const admin = await app.identity.ensureUser("strict-admin");
    await app.catalogs.upsertTenant({ id: "demo", name: "Demo", configHash: "" });
    await app.identity.grant("demo", admin.id, "admin");
    const key = await app.identity.createKey("demo", admin.id);
    const listed = await call("get", "/api/v1/tenants/demo/runs", 200, { key });
    const run = { id: "00000000-0000-4000-8000-000000000000", status: "running" };
    assert.notDeepEqual(problems(listed.schema, { runs: [run] }), [], "a run without its fields fails");
  });

  test("sync → catalog → plan → review → runs → webhook → keys: each answer fits, errors too", async () => {
    await app.catalogs.upsertTenant({ id: "demo", name: "Demo", configHash: "" });
    const root = await app.identity.ensureUser("root");
    await app.identity.grant("demo", root.id, "admin");
    const key = await app.identity.createKey("demo", root.id);
    // A reviewer whose key was made on the server, so no admin holds it.
    const ben = await app.identity.ensureUser("ben");
    await app.identity.grant("demo", ben.id, "reviewer");
    const reviewer = await app.identity.createKey("demo", ben.id);
    const t = "/api/v1/tenants/demo";

    await call("get", "/api/v1/openapi.json", 200);
    await call("get", "/.well-known/oauth-protected-resource", 404);
    assert.equal((await call("post", `${t}/sync`, 200, { key })).body["result"].ok, true);
    await call("get", `${t}/catalog`, 200, { key });
    const request = "From a webhook, open an incident and post it to #it-ops";
    const planned = await call("post", `${t}/plans`, 201, { key, body: { request } });
    const version = planned.body["version"];
    const ref = `${version.workflow}@${version.number}`;
    await call("get", `${t}/versions`, 200, { key });
    await call("get", `${t}/versions/${ref}`, 200, { key });
    await call("post", `${t}/versions/${ref}/submit`, 200, { key });
    const approved = await call("post", `${t}/versions/${ref}/approve`, 200, {
      key: reviewer,
      body: { comment: "reviewed" },
    });
    assert.equal(approved.body["activated"], true);
    await call("get", `${t}/workflows`, 200, { key });
    await call("get", `${t}/drift`, 200, { key });
    await call("post", `${t}/workflows/${version.workflow}/rollback`, 409, { key, body: { to: 1 } });
    // The same source again, as version 2 (approved, superseding 1) and 3 (rejected); then back to 1.
    const again = { source: version.source, tests: JSON.stringify(version.tests), name: version.workflow };
    const second = (await call("post", `${t}/versions`, 201, { key, body: again })).body["version"];
    await call("get", `${t}/versions/${version.id}/diff/${second.id}`, 200, { key });
    await call("post", `${t}/versions/${second.id}/submit`, 200, { key });
    await call("post", `${t}/versions/${second.id}/approve`, 200, { key: reviewer, body: { comment: "same" } });
    const third = (await call("post", `${t}/versions`, 201, { key, body: again })).body["version"];
    await call("post", `${t}/versions/${third.id}/submit`, 200, { key });
    await call("post", `${t}/versions/${third.id}/reject`, 200, { key: reviewer, body: { comment: "no" } });
    await call("post", `${t}/workflows/${version.workflow}/rollback`, 200, { key, body: { to: 1 } });

    const input = { title: "Payroll export fails", priority: "P2", reporter_email: "mara.keller@example.com" };
    const ran = await call("post", `${t}/workflows/${version.workflow}/runs`, 201, { key, body: { input } });
    const runId = ran.body["run"].runId;
    await call("get", `${t}/runs?workflow=${version.workflow}`, 200, { key });
    await call("get", `${t}/runs/${runId}`, 200, { key });
    await call("post", `${t}/runs/${runId}/cancel`, 409, { key });

    const hook = await call("get", `${t}/workflows/${version.workflow}/webhook`, 200, { key });
    const delivery = JSON.stringify(input);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      "x-charter-timestamp": timestamp,
      "x-charter-signature": sign(hook.body["secret"], timestamp, delivery),
    };
    await call("post", hook.body["url"], 202, { body: delivery, headers });
    await call("post", hook.body["url"], 200, { body: delivery, headers });
    const forged = { ...headers, "x-charter-signature": "sha256=00" };
    await call("post", hook.body["url"], 401, { body: delivery, headers: forged });

    const made = await call("post", `${t}/keys`, 201, { key, body: { user: "rita", roles: ["reviewer"] } });
    await call("delete", `${t}/keys/${made.body["key"].slice(0, 12)}`, 200, { key });

    const asked = await call("post", `${t}/plans`, 422, {
      key,
      body: { request: "Page the on-call engineer with a message and post it to #on-call" },
    });
    assert.equal(asked.body["error"].code, "PLANNER_NEEDS_INPUT");
    const session = asked.body["error"].session;
    await call("post", `${t}/plans/${session}/answer`, 201, { key, body: { answer: "#it-ops" } });
    await call("get", `${t}/versions/nope@1`, 404, { key });
    await call("post", `${t}/plans`, 400, { key, body: { request: "x", approve: true } });
    await call("get", `${t}/catalog`, 401);
    const nothing = await http.request("/api/v1/nothing");
    assert.deepEqual(problems({ $ref: "#/components/schemas/Error" }, await nothing.json()), [], "no route: an Error");
  });

  test("every JSON operation's success was checked above, but those this server cannot give", () => {
    const unreachable = new Set([
      // Only with CHARTER_OAUTH_ISSUER (its 404 is checked).
      "get /.well-known/oauth-protected-resource/mcp",
      "get /.well-known/oauth-protected-resource",
      // Only while a run is running; every run here has finished by the time it answers.
      "post /api/v1/tenants/{tenant}/runs/{id}/cancel",
    ]);
    const unchecked = operations()
      .map(({ key }) => key)
      .filter((key) => !key.endsWith(" /mcp") && !answered.has(key) && !unreachable.has(key));
    assert.deepEqual(unchecked, []);
  });
});
