/**
 * The console's limits, found by an adversarial review: behind a proxy that ends TLS the console
 * takes forms from its public origin and its cookies are Secure and __Secure- prefixed; a user may
 * hold only a few live streams; the audit log needs an overseeing role; sign-out with a wrong token
 * ends nothing; a workflow too large to lay out quickly is listed, not drawn.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { workflowGraph } from "../src/console/graph.ts";
import { createHttpApp } from "../src/server/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO } from "./helpers/tenants.ts";

const PUBLIC = "https://charter.example.com";
let app: App;
let http: Awaited<ReturnType<typeof createHttpApp>>;
const keys: Record<string, string> = {};

before(async () => {
  app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants"), CHARTER_PUBLIC_URL: PUBLIC },
    database: await embeddedTestDatabase(),
  });
  await app.catalogs.ensureTenant("demo");
  for (const [handle, role] of [
    ["ada", "author"],
    ["rui", "reviewer"],
  ] as const) {
    const user = await app.identity.ensureUser(handle);
    await app.identity.grant("demo", user.id, role);
    keys[handle] = await app.identity.createKey("demo", user.id);
  }
  http = await createHttpApp(app, { console: true });
});
after(() => app.close());

/** The request as the proxy passes it on: plain http inside, the browser's https origin in Origin. */
const request = (pathname: string, init: RequestInit = {}) => http.request(`http://127.0.0.1:8787${pathname}`, init);

async function signIn(handle: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const form = await request("/console/sign-in");
  const signInCookie = form.headers.getSetCookie()[0] ?? "";
  assert.match(signInCookie, /^__Secure-charter_sign_in=.*; Secure/, "the sign-in cookie is Secure behind https");
  const token = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const signedIn = await request("/console/sign-in", {
    method: "POST",
    headers: {
      cookie: signInCookie.split(";")[0] ?? "",
      "content-type": "application/x-www-form-urlencoded",
      origin: PUBLIC,
    },
    body: new URLSearchParams({ key: keys[handle] ?? "", csrf: token, next: "/console" }).toString(),
  });
  assert.equal(signedIn.status, 303, "a form from the public https origin is taken");
  const setCookie = signedIn.headers.getSetCookie().find((c) => c.startsWith("__Secure-charter_session=")) ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  const inbox = await request("/console", { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await inbox.text())?.[1] ?? "";
  return { cookie, csrf, setCookie };
}

test("behind a proxy ending TLS: forms from the public origin are taken, cookies Secure and __Secure-", async () => {
  const { setCookie, cookie } = await signIn("ada");
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Secure/);
  // The server's own (inner) origin is not where browsers are: a form claiming it is refused.
  const inner = await request("/console/sign-out", {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: "http://127.0.0.1:8787" },
    body: "csrf=x",
  });
  assert.equal(inner.status, 403);
});

test("sign-out with a wrong CSRF token is refused and the session goes on", async () => {
  const { cookie, csrf } = await signIn("ada");
  const forged = await request("/console/sign-out", {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: PUBLIC },
    body: "csrf=wrong",
  });
  assert.equal(forged.status, 403);
  assert.equal((await request("/console", { headers: { cookie } })).status, 200, "still signed in");
  const real = await request("/console/sign-out", {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: PUBLIC },
    body: new URLSearchParams({ csrf }).toString(),
  });
  assert.equal(real.status, 303);
  assert.equal((await request("/console", { headers: { cookie } })).status, 303, "signed out: back to sign-in");
});

test("the audit log needs the reviewer, operator or admin role", async () => {
  const author = await signIn("ada");
  assert.equal((await request("/console/audit", { headers: { cookie: author.cookie } })).status, 403);
  const reviewer = await signIn("rui");
  assert.equal((await request("/console/audit", { headers: { cookie: reviewer.cookie } })).status, 200);
});

test("a user holds at most 5 live streams at once; the sixth is 429", async () => {
  const { cookie } = await signIn("rui");
  // A queued job no worker starts: its stream stays open, polling, until the client goes.
  const responses: Response[] = [];
  for (let i = 0; i < 6; i++)
    responses.push(await request(`/console/workflows/w/jobs/${crypto.randomUUID()}/events`, { headers: { cookie } }));
  const statuses = responses.map((r) => r.status);
  await Promise.all(responses.map((r) => r.body?.cancel()));
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
});

test("a workflow too large to lay out quickly is listed as text, not drawn", async () => {
  const calls = Array.from({ length: 60 }, () => "await tickets.createIncident({});").join(" ");
  const source = `import { tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({ name: "big", run: async () => { try { ${calls} } catch { return 1; } } });`;
  const graph = workflowGraph(source, [], []);
  assert.ok(graph.nodes.length > 40, `${graph.nodes.length} nodes`);
  const author = await app.identity.ensureUser("ada");
  // Stored as it is (its gates would fail; a failed version is still shown to its author).
  const version = await app.versionRepository.create(
    {
      tenantId: "demo",
      workflow: "big",
      source,
      sourceHash: "h",
      tests: null,
      bundleHash: null,
      capabilities: [],
      toolSnapshots: [],
      inputSchema: null,
      outputSchema: null,
      triggers: { triggers: [] },
      catalogHash: "c",
      sdkHash: "s",
      parentVersionId: null,
      authorId: author.id,
      origin: null,
      status: "checks-failed",
      gates: [],
      drift: null,
    },
    { tenantId: "demo", actorId: author.id, action: "version-created" },
  );
  const { cookie } = await signIn("ada");
  const started = performance.now();
  const page = await (await request(`/console/versions/${version.id}`, { headers: { cookie } })).text();
  assert.match(page, /too many to draw/);
  assert.doesNotMatch(page, /<svg/);
  assert.ok(performance.now() - started < 60_000);
});
