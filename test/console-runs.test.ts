/**
 * The console's runs, integrations and audit pages over HTTP (createHttpApp with the console, no
 * dispatcher: runs go inline as the REST API runs them), against the live demo tenant: a run of an
 * approved workflow listed and filtered, its page with the journal as a timeline and hostile tool
 * output shown as text, cancel and resume for operators only (forged POSTs and missing CSRF
 * refused), the live event stream, the integrations page with Sync, and the audit log paged.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { createHttpApp } from "../src/server/index.ts";
import type { RunRow } from "../src/store/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { authorAndReviewer } from "./helpers/reviewed.ts";
import { REPO } from "./helpers/tenants.ts";

const BASE = "http://localhost";
const HOSTILE = "<script>alert(1)</script>";
const ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";

const FILE_INCIDENT = `import { tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "file-incident",
  description: "Opens a P3 incident with the title given.",
  input: {
    type: "object",
    properties: { title: { type: "string" } },
    required: ["title"],
    additionalProperties: false,
  },
  output: { type: "object", properties: { id: { type: "string" } }, required: ["id"], additionalProperties: false },
  run: async (input, ctx) => {
    ctx.log.info("filing", { title: input.title });
    const incident = await tickets.createIncident({
      title: input.title,
      priority: "P3",
      reporter_email: "ana@example.com",
    });
    return { id: incident.id };
  },
});
`;
const INCIDENT = {
  id: "INC0100",
  title: "Printer jam",
  description: "",
  priority: "P3",
  status: "new",
  reporter_email: "ana@example.com",
  assignee: null,
  comments: [],
  tags: [],
  created_at: "2026-11-22T08:00:00Z",
};
const FILE_INCIDENT_TESTS = JSON.stringify({
  tests: [
    {
      name: "opens the incident",
      input: { title: "Printer jam" },
      mocks: { "tickets.create_incident": [{ output: INCIDENT }] },
      expect: { calls: [{ tool: "tickets.create_incident" }], output: { id: "INC0100" } },
    },
  ],
});

const COUNT_GROUPS = `import { directory } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "count-groups",
  description: "Counts the directory's groups.",
  input: { type: "object", properties: {}, additionalProperties: false },
  output: {
    type: "object",
    properties: { groups: { type: "number" } },
    required: ["groups"],
    additionalProperties: false,
  },
  run: async () => ({ groups: (await directory.listGroups({})).groups.length }),
});
`;
const COUNT_GROUPS_TESTS = JSON.stringify({
  tests: [
    {
      name: "counts the groups",
      input: {},
      mocks: {
        "directory.list_groups": [
          { output: { groups: [{ id: "g1", name: "it", description: "IT", member_ids: [] }] } },
        ],
      },
      expect: { calls: [{ tool: "directory.list_groups" }], output: { groups: 1 } },
    },
  ],
});

type Session = { cookie: string; csrf: string };

describe("console: runs, integrations, audit", () => {
  let app: App;
  let http: Awaited<ReturnType<typeof createHttpApp>>;
  const sessions: Record<string, Session> = {};
  let hostileRun = "";
  let groupsRun = "";
  let fileIncident: { id: string; number: number } = { id: "", number: 0 };

  const get = (url: string, who: string) =>
    http.request(`${BASE}${url}`, { headers: { cookie: sessions[who]!.cookie } });
  const post = (url: string, who: string, fields: Record<string, string> = {}, csrf = true) =>
    http.request(`${BASE}${url}`, {
      method: "POST",
      headers: {
        cookie: sessions[who]!.cookie,
        "content-type": "application/x-www-form-urlencoded",
        origin: BASE,
      },
      body: new URLSearchParams({ ...fields, ...(csrf ? { csrf: sessions[who]!.csrf } : {}) }).toString(),
    });
  const text = async (response: Response, status = 200) => {
    const body = await response.text();
    assert.equal(response.status, status, body.slice(0, 500));
    return body;
  };
  /** The rows of the page's (first) table body. */
  const rows = (page: string) => (page.split("<tbody>")[1]?.split("</tbody>")[0] ?? "").split("<tr>").length - 1;

  async function signIn(handle: string, roles: ("author" | "reviewer" | "operator" | "admin")[]): Promise<void> {
    const user = await app.identity.ensureUser(handle);
    for (const role of roles) await app.identity.grant("demo", user.id, role);
    const key = await app.identity.createKey("demo", user.id);
    const form = await http.request(`${BASE}/console/sign-in`);
    const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const token = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
    const signed = await http.request(`${BASE}/console/sign-in`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: BASE },
      body: new URLSearchParams({ key, csrf: token, next: "/console" }).toString(),
    });
    assert.equal(signed.status, 303);
    const session =
      signed.headers
        .getSetCookie()
        .find((c) => c.startsWith("charter_session="))
        ?.split(";")[0] ?? "";
    const inbox = await (await http.request(`${BASE}/console`, { headers: { cookie: session } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(inbox)?.[1] ?? "";
    assert.ok(csrf, "the signed-in page carries the session's CSRF token");
    sessions[handle] = { cookie: session, csrf };
  }

  async function approve(source: string, fileName: string, tests: string, comment: string) {
    const people = await authorAndReviewer(app, "demo");
    const version = await app.versions.create({ tenantId: "demo", source, fileName, tests, author: people.author });
    assert.equal(version.status, "checks-passed", JSON.stringify(version.gates));
    await app.versions.submit("demo", version.id, people.author);
    await app.versions.approve("demo", version.id, people.reviewer, comment);
    return version;
  }

  /** A run row as a process that died (or is still working) leaves it, of file-incident's bundle. */
  async function runningRun(leaseUntil: Date): Promise<RunRow> {
    const done = await app.runRepository.run(hostileRun);
    assert.ok(done);
    return app.runRepository.createRun({
      tenantId: "demo",
      workflow: "file-incident",
      bundleHash: done.bundleHash,
      versionId: done.versionId,
      versionNumber: done.versionNumber,
      trigger: { type: "manual", detail: { user: "olga" } },
      input: { title: "Resumed printer jam" },
      status: "running",
      startedAt: new Date(),
      seed: [1, 2],
      leaseUntil,
    });
  }

  async function untilEnded(id: string): Promise<RunRow> {
    for (let i = 0; i < 600; i++) {
      const run = await app.runRepository.run(id);
      if (run && run.status !== "running") return run;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${id} did not end`);
  }

  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    assert.ok((await app.catalogService.syncTenant("demo")).ok);
    http = await createHttpApp(app, { console: true });
    const version = await approve(FILE_INCIDENT, "file-incident.ts", FILE_INCIDENT_TESTS, `approved ${HOSTILE}`);
    fileIncident = { id: version.id, number: version.number };
    await approve(COUNT_GROUPS, "count-groups.ts", COUNT_GROUPS_TESTS, "fine");
    const ran = await app.versions.runActive({
      tenantId: "demo",
      workflow: "file-incident",
      input: { title: HOSTILE },
      trigger: { type: "manual", detail: { user: "olga" } },
    });
    assert.equal(ran.status, "succeeded", JSON.stringify(ran.error));
    hostileRun = ran.runId;
    const counted = await app.versions.runActive({
      tenantId: "demo",
      workflow: "count-groups",
      input: {},
      trigger: { type: "webhook", detail: { delivery: "d-1" } },
    });
    assert.equal(counted.status, "succeeded", JSON.stringify(counted.error));
    groupsRun = counted.runId;
    await signIn("olga", ["operator"]);
    await signIn("rita", ["reviewer"]);
  });
  after(() => app.close());

  test("the runs list shows both runs, newest first, and its filters narrow it", async () => {
    const all = await text(await get("/console/runs", "rita"));
    assert.ok(all.indexOf(groupsRun.slice(0, 8)) < all.indexOf(hostileRun.slice(0, 8)), "newest first");
    assert.match(all, /<label for="f-status">Status<\/label>/);
    assert.match(all, /<td>file-incident<\/td>/);
    const byWorkflow = await text(await get("/console/runs?workflow=count-groups", "rita"));
    assert.ok(byWorkflow.includes(groupsRun.slice(0, 8)) && !byWorkflow.includes(hostileRun.slice(0, 8)));
    assert.match(byWorkflow, /<option value="count-groups" selected>/);
    const byTrigger = await text(await get("/console/runs?trigger=manual", "rita"));
    assert.ok(byTrigger.includes(hostileRun.slice(0, 8)) && !byTrigger.includes(groupsRun.slice(0, 8)));
    const failed = await text(await get("/console/runs?status=failed", "rita"));
    assert.match(failed, /No run matches/);
  });

  test("the runs list pages with ?after=<last run> (50 a page), without skipping or repeating a run", async () => {
    const done = await app.runRepository.run(groupsRun);
    assert.ok(done);
    for (let i = 0; i < 55; i++)
      await app.runRepository.createRun({
        tenantId: "demo",
        workflow: "bulk",
        bundleHash: done.bundleHash,
        versionId: null,
        versionNumber: null,
        trigger: { type: "try" },
        input: {},
        status: "succeeded",
        startedAt: new Date(),
        seed: [1, 1],
      });
    const first = await text(await get("/console/runs?workflow=bulk", "rita"));
    assert.equal(rows(first), 50);
    const next = /href="(\/console\/runs\?[^"]*after=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&");
    assert.ok(next, "a link to older runs");
    const second = await text(await get(next, "rita"));
    assert.equal(rows(second), 5);
    assert.doesNotMatch(second, /rel="next"/);
  });

  test("the run page shows the journal as a timeline, and hostile tool output as text", async () => {
    const page = await text(await get(`/console/runs/${hostileRun}`, "rita"));
    assert.match(page, /<ol class="timeline">/);
    assert.match(page, /Call 1: <code>tickets\.create_incident<\/code>/);
    assert.match(page, /attempt 1/);
    assert.match(page, /class="badge source-live">live</);
    assert.match(page, /<p class="">ok<\/p>/);
    assert.ok(page.includes(`href="/console/versions/${fileIncident.id}">file-incident@${fileIncident.number}</a>`));
    assert.ok(!page.includes(HOSTILE), "no live script anywhere on the page");
    assert.ok(page.includes(ESCAPED), "the tool output's title is shown escaped");
    assert.match(page, /filing/, "the log line");
    assert.doesNotMatch(page, /data-live=/, "a finished run is not followed");
    assert.doesNotMatch(page, /http-equiv="refresh"/);
    const groups = await text(await get(`/console/runs/${groupsRun}`, "rita"));
    assert.match(groups, /directory\.list_groups/);
    assert.match(groups, /&quot;delivery&quot;: &quot;d-1&quot;/, "the trigger's detail");
  });

  test("a run of another tenant, or no run, is not found", async () => {
    await app.catalogs.upsertTenant({ id: "other", name: "Other", configHash: "" });
    const done = await app.runRepository.run(hostileRun);
    assert.ok(done);
    const foreign = await app.runRepository.createRun({
      tenantId: "other",
      workflow: "secret",
      bundleHash: done.bundleHash,
      versionId: null,
      versionNumber: null,
      trigger: { type: "manual" },
      input: {},
      status: "running",
      startedAt: new Date(),
      seed: [1, 1],
    });
    await text(await get(`/console/runs/${foreign.id}`, "olga"), 404);
    await text(await get("/console/runs/not-a-run", "olga"), 404);
    await text(await get(`/console/runs/${foreign.id}/events`, "olga"), 404);
    await text(await post(`/console/runs/${foreign.id}/cancel`, "olga"), 404);
    assert.equal((await app.runRepository.run(foreign.id))?.cancelRequestedAt, null);
  });

  test("an orphaned run: operators resume or cancel it, others get no button and 403; resume ends it", async () => {
    const orphan = await runningRun(new Date(0));
    const asRita = await text(await get(`/console/runs/${orphan.id}`, "rita"));
    assert.match(asRita, /<meta http-equiv="refresh" content="2">/);
    assert.ok(asRita.includes(`<ol class="live" data-live="/console/runs/${orphan.id}/events">`));
    assert.doesNotMatch(asRita, /Cancel run|Resume run/);
    await text(await post(`/console/runs/${orphan.id}/cancel`, "rita"), 403);
    await text(await post(`/console/runs/${orphan.id}/resume`, "rita"), 403);
    const asOlga = await text(await get(`/console/runs/${orphan.id}`, "olga"));
    assert.match(asOlga, /Resume run/);
    assert.match(asOlga, /Cancel run/);
    // Without the session's CSRF token, even the operator is refused.
    await text(await post(`/console/runs/${orphan.id}/resume`, "olga", {}, false), 403);
    await text(await post(`/console/runs/${orphan.id}/cancel`, "olga", { csrf: "forged" }, false), 403);
    assert.equal((await app.runRepository.run(orphan.id))?.cancelRequestedAt, null);
    const resumed = await post(`/console/runs/${orphan.id}/resume`, "olga");
    assert.equal(resumed.status, 303, await resumed.text());
    assert.equal(resumed.headers.get("location"), `/console/runs/${orphan.id}?done=resume`);
    const ended = await untilEnded(orphan.id);
    assert.equal(ended.status, "succeeded", JSON.stringify(ended.error));
    assert.equal(ended.attempts, 2);
    const page = await text(await get(`/console/runs/${orphan.id}?done=resume`, "olga"));
    assert.match(page, /Resume started/);
    assert.match(page, /2 \(resumed from its journal\)/);
    assert.doesNotMatch(page, /Resume run|Cancel run/);
    // A finished run is not resumed again.
    await text(await post(`/console/runs/${orphan.id}/resume`, "olga"), 409);
  });

  test("a run in progress: the operator cancels it; its event stream sends each call, then end", async () => {
    const live = await runningRun(new Date(Date.now() + 60_000));
    const asOlga = await text(await get(`/console/runs/${live.id}`, "olga"));
    assert.match(asOlga, /Cancel run/);
    assert.doesNotMatch(asOlga, /Resume run/, "a process holds it");
    const stream = await get(`/console/runs/${live.id}/events`, "rita");
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let heard = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(heard)) {
        const { value, done } = await reader.read();
        if (done) break;
        heard += value;
      }
      assert.match(heard, pattern);
    };
    await app.runRepository.beginCall(
      {
        runId: live.id,
        seq: 1,
        integration: "tickets",
        tool: "create_incident",
        args: { title: "x" },
        argsHash: "h",
        attempt: 1,
        source: "live",
        startedAt: new Date(),
      },
      1,
    );
    await until(/event: line\ndata: call 1 tickets\.create_incident \(live\): in progress/);
    const cancelled = await post(`/console/runs/${live.id}/cancel`, "olga");
    assert.equal(cancelled.status, 303, await cancelled.text());
    assert.ok((await app.runRepository.run(live.id))?.cancelRequestedAt, "the cancel is requested");
    await app.runRepository.complete(live, {
      status: "cancelled",
      output: null,
      error: { code: "CANCELLED", message: "cancelled" },
      logs: [],
      state: null,
      finishedAt: new Date(),
    });
    await until(new RegExp(`event: end\ndata: /console/runs/${live.id}`));
    const page = await text(await get(`/console/runs/${live.id}`, "olga"));
    assert.match(page, /CANCELLED: cancelled/);
    assert.match(page, /in doubt: started, its end unknown/);
    // Cancelling a run that has ended says why not.
    await text(await post(`/console/runs/${live.id}/cancel`, "olga"), 409);
  });

  test("the event stream of a finished run sends end at once", async () => {
    const response = await get(`/console/runs/${hostileRun}/events`, "rita");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), `event: end\ndata: /console/runs/${hostileRun}\n\n`);
  });

  test("the integrations page lists the demo tools, credentials, last sync, drift; only operators sync", async () => {
    const asRita = await text(await get("/console/integrations", "rita"));
    for (const name of ["tickets", "directory", "chat", "everything"])
      assert.match(asRita, new RegExp(`<h2 id="integration-${name}">${name}</h2>`));
    for (const tool of ["create_incident", "get_on_call", "post_message", "list_groups"])
      assert.ok(asRita.includes(`<code>${tool}</code>`), tool);
    assert.match(asRita, /<details><summary>Input schema<\/summary><pre class="json">/);
    assert.match(asRita, /class="badge risk-read-only">read-only/);
    assert.match(asRita, /class="badge credential-ok">ok/);
    assert.match(asRita, /class="badge status-succeeded">ok \(new\)/);
    assert.ok(asRita.includes(`file-incident@${fileIncident.number}</a>`), "the active version in the drift report");
    assert.match(asRita, /no drift recorded since approval/);
    assert.doesNotMatch(asRita, /Sync now/);
    await text(await post("/console/integrations/sync", "rita"), 403);
    await text(await post("/console/integrations/sync", "olga", {}, false), 403);
    const asOlga = await text(await get("/console/integrations", "olga"));
    assert.match(asOlga, /Sync now/);
    const synced = await post("/console/integrations/sync", "olga");
    assert.equal(synced.status, 303, await synced.text());
    const location = synced.headers.get("location") ?? "";
    assert.match(location, /^\/console\/integrations\?synced=4&changed=0&failed=0&drifted=0$/);
    assert.match(await text(await get(location, "olga")), /Synced 4 integrations:\s+0 changed, 0 failed/);
  });

  test("the audit log lists the approval (hostile comment as text), filters, and pages 50 at a time", async () => {
    const page = await text(await get("/console/audit", "rita"));
    assert.match(page, /<td>version-approved<\/td>/);
    assert.ok(page.includes(`href="/console/versions/${fileIncident.id}">file-incident@${fileIncident.number}</a>`));
    assert.match(page, /<td>ben<\/td>/);
    assert.ok(!page.includes(HOSTILE) && page.includes(ESCAPED), "the comment is escaped");
    const approvals = await text(await get("/console/audit?action=version-approved", "rita"));
    assert.equal(rows(approvals), 2);
    const ofWorkflow = await text(await get("/console/audit?workflow=count-groups", "rita"));
    assert.doesNotMatch(ofWorkflow, /file-incident@/);
    const past = await text(await get("/console/audit?before=2000-01-01T00:00", "rita"));
    assert.match(past, /No entry matches/);
    for (let i = 0; i < 60; i++)
      await app.versionRepository.record({ tenantId: "demo", actorId: null, action: "note", detail: { i } });
    const total = (await app.versionRepository.audit("demo")).length;
    let url: string | undefined = "/console/audit";
    let seen = 0;
    let pages = 0;
    while (url) {
      const body = await text(await get(url, "rita"));
      seen += rows(body);
      pages++;
      url = /href="(\/console\/audit\?[^"]*)" rel="next"/.exec(body)?.[1]?.replaceAll("&amp;", "&");
    }
    assert.equal(pages, Math.ceil(total / 50));
    assert.equal(seen, total, "every entry once");
  });
});
