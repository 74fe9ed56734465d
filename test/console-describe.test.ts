/**
 * The console's describe and workflows pages over HTTP, on the demo tenant with the offline
 * planner: an author's request followed to its draft, a refusal shown as text, the author and
 * operator rules (no form, a forged POST refused), CSRF, the next time of a schedule, and a run
 * started from a workflow's page.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Hono } from "hono";
import { type App, createApp } from "../src/app.ts";
import { createHttpApp } from "../src/server/index.ts";
import type { Role, VersionRow } from "../src/store/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { submitAndApprove } from "./helpers/reviewed.ts";
import { REPO } from "./helpers/tenants.ts";

const BASE = "http://localhost";
const DEMO_REQUEST = "When a P1 incident is created, page the on-call engineer and post the incident in #incidents";

/** A workflow on weekday mornings in Berlin that can also be run by hand; hostile text in its input schema. */
const MORNING = `import { directory } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "morning-on-call",
  description: "Says who is on call, each weekday morning.",
  input: {
    type: "object",
    properties: { rotation: { type: "string", description: "<script>alert('schema')</script> the rotation" } },
    additionalProperties: false,
  },
  output: { type: "object", properties: { email: { type: "string" } }, required: ["email"] },
  triggers: [{ type: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" }, { type: "manual" }],
  run: async (input) => {
    const onCall = await directory.getOnCall(input.rotation ? { rotation: input.rotation } : {});
    return { email: onCall.user.email };
  },
});`;
const MORNING_TESTS = JSON.stringify({
  tests: [
    {
      name: "names the on-call engineer",
      input: {},
      mocks: {
        "directory.get_on_call": [
          {
            output: {
              rotation: "primary",
              until: "2026-11-23T08:00:00Z",
              user: {
                id: "u7",
                name: "Sam Lee",
                email: "sam@example.com",
                department: "engineering",
                groups: ["sre"],
                manager_id: null,
                status: "active",
              },
            },
          },
        ],
      },
      expect: { output: { email: "sam@example.com" } },
    },
  ],
});

type Browser = { cookie: string; csrf: string; userId: string };

let app: App;
let http: Hono;

async function signIn(handle: string, roles: Role[]): Promise<Browser> {
  const user = await app.identity.ensureUser(handle);
  for (const role of roles) await app.identity.grant("demo", user.id, role);
  const key = await app.identity.createKey("demo", user.id);
  const form = await http.request(`${BASE}/console/sign-in`);
  const signInCookie = (form.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const token = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const signedIn = await http.request(`${BASE}/console/sign-in`, {
    method: "POST",
    headers: { cookie: signInCookie, "content-type": "application/x-www-form-urlencoded", origin: BASE },
    body: new URLSearchParams({ key, csrf: token, next: "/console" }).toString(),
  });
  assert.equal(signedIn.status, 303);
  const cookie = signedIn.headers
    .getSetCookie()
    .find((c) => c.startsWith("charter_session="))
    ?.split(";")[0];
  assert.ok(cookie, "signed in");
  const inbox = await http.request(`${BASE}/console`, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await inbox.text())?.[1];
  assert.ok(csrf, "the page carries the session's CSRF token");
  return { cookie, csrf, userId: user.id };
}

const get = (browser: Browser, url: string) => http.request(`${BASE}${url}`, { headers: { cookie: browser.cookie } });

function post(browser: Browser, url: string, fields: Record<string, string>, withCsrf = true) {
  return http.request(`${BASE}${url}`, {
    method: "POST",
    headers: { cookie: browser.cookie, "content-type": "application/x-www-form-urlencoded", origin: BASE },
    body: new URLSearchParams(withCsrf ? { ...fields, csrf: browser.csrf } : fields).toString(),
  });
}

/** Describes a request and follows its job page until the planning ended; the page's text. */
async function planned(browser: Browser, request: string): Promise<{ job: string; text: string }> {
  const started = await post(browser, "/console/describe", { request, from: "" });
  assert.equal(started.status, 303, await started.text());
  const job = started.headers.get("location") ?? "";
  assert.match(job, /^\/console\/plans\/[\w-]+$/);
  for (let tries = 0; tries < 600; tries++) {
    const response = await get(browser, job);
    const text = await response.text();
    if (!text.includes('data-live="')) return { job, text };
    assert.equal(response.status, 200);
    assert.match(text, /<meta http-equiv="refresh" content="2">/);
    await sleep(500);
  }
  throw new Error(`the planning of "${request}" did not end in five minutes`);
}

describe("console: describe and workflows", () => {
  let author: Browser;
  let reviewer: Browser;
  let operator: Browser;
  let morning: VersionRow;

  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    assert.ok((await app.catalogService.syncTenant("demo")).ok);
    http = (await createHttpApp(app, { console: true })) as unknown as Hono;
    author = await signIn("ana", ["author"]);
    reviewer = await signIn("rita", ["reviewer"]);
    operator = await signIn("otto", ["operator"]);
    // An approved workflow on weekday mornings in Berlin, by ana and approved by ben.
    const ana = { userId: author.userId, handle: "ana" };
    const ben = await app.identity.ensureUser("ben");
    await app.identity.grant("demo", ben.id, "reviewer");
    morning = await app.versions.create({
      tenantId: "demo",
      source: MORNING,
      fileName: "morning-on-call.ts",
      tests: MORNING_TESTS,
      author: ana,
    });
    assert.equal(morning.status, "checks-passed", JSON.stringify(morning.gates));
    await submitAndApprove(app, "demo", morning.id, { author: ana, reviewer: { userId: ben.id, handle: "ben" } });
  });
  after(() => app.close());

  test("an author describes the README's request and the planning ends in a draft", async () => {
    const form = await (await get(author, "/console/describe")).text();
    assert.match(form, /<form class="card" method="post" action="\/console\/describe">/);
    assert.match(form, /<textarea id="request" name="request" required maxlength="4000"/);

    const { job, text } = await planned(author, DEMO_REQUEST);
    assert.match(text, /<h2 id="outcome">A draft<\/h2>/, text);
    const id = /href="\/console\/versions\/([0-9a-f-]{36})"/.exec(text)?.[1];
    assert.ok(id, "the job page links to the draft");
    const version = await app.versionRepository.byId(id);
    assert.ok(version, "the draft is stored");
    assert.equal(version.authorId, author.userId);
    assert.equal(version.status, "checks-passed");
    assert.equal(version.origin?.request, DEMO_REQUEST);
    assert.match(text, /checks-passed/);
    assert.match(text, /<li>· plan:/, "the progress lines are on the page");

    // The stream a script follows: the lines, then where to go.
    const events = await get(author, `${job}/events`);
    assert.equal(events.headers.get("content-type"), "text/event-stream");
    const stream = await events.text();
    assert.match(stream, /event: line\ndata: · plan:/);
    assert.match(stream, new RegExp(`event: end\\ndata: /console/versions/${id}\\n`));

    // Another user does not see someone else's planning.
    assert.equal((await get(operator, job)).status, 404);
  });

  test("a reviewer without the author role gets no form, and a forged POST is refused", async () => {
    const page = await get(reviewer, "/console/describe");
    const text = await page.text();
    assert.equal(page.status, 200);
    assert.doesNotMatch(text, /action="\/console\/describe"/);
    assert.match(text, /needs the author or admin role/);
    const before = (await app.versionRepository.list("demo")).length;
    const forged = await post(reviewer, "/console/describe", { request: DEMO_REQUEST });
    assert.equal(forged.status, 403);
    await sleep(200);
    assert.equal((await app.versionRepository.list("demo")).length, before, "nothing was planned");
  });

  test("a request without the session's CSRF token is refused", async () => {
    const response = await post(author, "/console/describe", { request: DEMO_REQUEST }, false);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /CSRF/);
  });

  test("a refusal names the part that cannot be done, as text", async () => {
    const request = "When the moon is full <script>alert('moon')</script>, water the plants";
    const { text } = await planned(author, request);
    assert.match(text, /<h2 id="outcome">Not planned<\/h2>/, text);
    assert.match(text, /<blockquote class="said">When the moon is full/);
    assert.match(text, /&lt;script&gt;alert\(&#39;moon&#39;\)&lt;\/script&gt;/);
    assert.doesNotMatch(text, /<script>alert/);
  });

  test("the workflows page shows an approved workflow with the next time its schedule fires", async () => {
    const text = await (await get(reviewer, "/console/workflows")).text();
    assert.match(text, /<a href="\/console\/workflows\/morning-on-call">morning-on-call<\/a>/);
    assert.match(text, new RegExp(`href="/console/versions/${morning.id}">morning-on-call@1</a>`));
    assert.match(text, /cron &quot;0 9 \* \* 1-5&quot; Europe\/Berlin/);
    const next = /next: <time datetime="([^"]+)">/.exec(text)?.[1];
    assert.ok(next, "the next scheduled time is shown");
    const at = new Date(next);
    assert.ok(at.getTime() > Date.now() && at.getTime() < Date.now() + 4 * 86_400_000, next);
    const berlin = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).format(at);
    assert.match(berlin, /^(Mon|Tue|Wed|Thu|Fri) 09:00$/, berlin);
  });

  test("an operator starts a run from the workflow's page and is taken to the run", async () => {
    const reviewing = await (await get(reviewer, "/console/workflows/morning-on-call")).text();
    assert.doesNotMatch(reviewing, /Start a run<\/button>/, "a reviewer gets no start button");
    assert.equal((await post(reviewer, "/console/workflows/morning-on-call/runs", { input: "{}" })).status, 403);

    const page = await (await get(operator, "/console/workflows/morning-on-call")).text();
    assert.match(page, /<form method="post" action="\/console\/workflows\/morning-on-call\/runs">/);
    assert.match(page, /&lt;script&gt;alert\(&#39;schema&#39;\)&lt;\/script&gt;/, "the input schema is text");
    assert.doesNotMatch(page, /<script>alert/);

    const invalid = await post(operator, "/console/workflows/morning-on-call/runs", { input: "{not json" });
    assert.equal(invalid.status, 400);
    assert.match(await invalid.text(), /The input is not JSON/);
    const mismatched = await post(operator, "/console/workflows/morning-on-call/runs", { input: '{"colour": 1}' });
    assert.equal(mismatched.status, 422);
    assert.match(await mismatched.text(), /does not match morning-on-call&#39;s input schema/);

    const started = await post(operator, "/console/workflows/morning-on-call/runs", { input: "{}" });
    assert.equal(started.status, 303, await started.text());
    const id = /^\/console\/runs\/([0-9a-f-]{36})$/.exec(started.headers.get("location") ?? "")?.[1];
    assert.ok(id, "redirected to the run");
    const run = await app.runRepository.run(id);
    assert.equal(run?.status, "succeeded", JSON.stringify(run?.error));
    assert.equal(run?.trigger.type, "manual");

    const listed = await (await get(operator, "/console/workflows/morning-on-call")).text();
    assert.match(listed, new RegExp(`href="/console/runs/${id}"`), "the run is among the recent runs");
  });

  test("an operator rolls back to an earlier approved version; a reviewer's forged rollback is refused", async () => {
    const ana = { userId: author.userId, handle: "ana" };
    const ben = await app.identity.ensureUser("ben");
    const second = await app.versions.create({
      tenantId: "demo",
      source: MORNING.replace("Says who is on call", "Names who is on call"),
      fileName: "morning-on-call.ts",
      tests: MORNING_TESTS,
      author: ana,
    });
    await submitAndApprove(app, "demo", second.id, { author: ana, reviewer: { userId: ben.id, handle: "ben" } });
    const page = await (await get(operator, "/console/workflows/morning-on-call")).text();
    assert.match(page, /<select id="to" name="to" required><option value="1">morning-on-call@1/);
    assert.equal((await post(reviewer, "/console/workflows/morning-on-call/rollback", { to: "1" })).status, 403);
    assert.equal((await app.versionRepository.activeVersion("demo", "morning-on-call"))?.number, 2);
    const rolled = await post(operator, "/console/workflows/morning-on-call/rollback", { to: "1" });
    assert.equal(rolled.status, 303, await rolled.text());
    assert.equal(rolled.headers.get("location"), "/console/workflows/morning-on-call");
    assert.equal((await app.versionRepository.activeVersion("demo", "morning-on-call"))?.number, 1);
  });
});
