/**
 * The HTTP API end to end over a real socket, as `charter serve` runs it (a dispatcher with a
 * worker on the same embedded database): sync, plan, gates, submit, approval by a different
 * user, a signed webhook run queued for the worker, the run with its journal, a manual run that
 * waits for its result; access rules (no key, revoked key, wrong tenant, wrong role); and bad
 * input answered with 4xx.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { sign } from "../src/server/index.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { type Served, serveHttp } from "./helpers/serve.ts";
import { REPO } from "./helpers/tenants.ts";

describe("HTTP API", () => {
  let app: App;
  let dispatcher: Dispatcher;
  let served: Served;
  const keys: Record<string, string> = {};
  const logLines: Record<string, unknown>[] = [];
  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    dispatcher = await Dispatcher.start(app, { worker: true, scheduler: false, pollSeconds: 0.5 });
    served = await serveHttp(app, { log: (line) => logLines.push(line), dispatcher });
    await app.catalogs.upsertTenant({ id: "demo", name: "Demo", configHash: "" });
    await app.catalogs.upsertTenant({ id: "other", name: "Other", configHash: "" });
    const admin = await app.identity.ensureUser("root");
    await app.identity.grant("demo", admin.id, "admin");
    keys["admin"] = await app.identity.createKey("demo", admin.id);
    const stranger = await app.identity.ensureUser("stranger");
    await app.identity.grant("other", stranger.id, "admin");
    keys["other"] = await app.identity.createKey("other", stranger.id);
  });
  after(async () => {
    await served.close();
    await dispatcher.stop();
    await app.close();
  });

  const call = async (
    method: string,
    url: string,
    key: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${served.base}${url}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    }).catch((error: Error) => {
      throw new Error(`${method} ${url}: ${error.message} (${String(error.cause)})`);
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
  };

  test("sync → plan → gates → submit → approve by another user → webhook run → the run with its journal", async () => {
    for (const [user, role] of [
      ["ana", "author"],
      ["olga", "operator"],
    ] as const) {
      const made = await call("POST", "/api/v1/tenants/demo/keys", keys["admin"], { user, roles: [role] });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      keys[user] = made.body["key"];
    }
    // A reviewer's key is made on the server (charter keys create), so no admin holds it.
    const ben = await app.identity.ensureUser("ben");
    await app.identity.grant("demo", ben.id, "reviewer");
    keys["ben"] = await app.identity.createKey("demo", ben.id);
    const synced = await call("POST", "/api/v1/tenants/demo/sync", keys["olga"]);
    assert.equal(synced.status, 200, JSON.stringify(synced.body));
    assert.equal(synced.body["result"].ok, true);

    const planned = await call("POST", "/api/v1/tenants/demo/plans", keys["ana"], {
      request: "From a webhook, open an incident and post it to #it-ops",
    });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    const version = planned.body["version"];
    assert.equal(version.status, "checks-passed");
    assert.ok(version.gates.every((g: { ok: boolean }) => g.ok));
    const ref = `${version.workflow}@${version.number}`;

    assert.equal((await call("POST", `/api/v1/tenants/demo/versions/${ref}/submit`, keys["ana"])).status, 200);
    const self = await call("POST", `/api/v1/tenants/demo/versions/${ref}/approve`, keys["ana"], { comment: "mine" });
    assert.equal(self.status, 403);
    assert.equal(self.body["error"].code, "NOT_AUTHORIZED");
    const approved = await call("POST", `/api/v1/tenants/demo/versions/${ref}/approve`, keys["ben"], {
      comment: "reviewed: one incident, one message",
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body["activated"], true);

    const hook = await call("GET", `/api/v1/tenants/demo/workflows/${version.workflow}/webhook`, keys["olga"]);
    assert.equal(hook.status, 200);
    const body = JSON.stringify({
      title: "Payroll export fails",
      priority: "P2",
      reporter_email: "mara.keller@example.com",
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const fired = await call("POST", hook.body["url"], undefined, body, {
      "x-charter-timestamp": timestamp,
      "x-charter-signature": sign(hook.body["secret"], timestamp, body),
    });
    assert.equal(fired.status, 202, JSON.stringify(fired.body));
    assert.equal(fired.body["run"], null, "queued for a worker");
    let queued: Record<string, any> | undefined;
    for (let i = 0; i < 300 && queued?.["status"] !== "succeeded"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      queued = (await call("GET", `/api/v1/tenants/demo/runs?job=${fired.body["job"]}`, keys["olga"])).body["runs"][0];
    }
    assert.equal(queued?.["status"], "succeeded", JSON.stringify(queued));
    fired.body["run"] = queued;
    // The same signed delivery again (a sender's retry) is answered, and starts no second run.
    const again = await call("POST", hook.body["url"], undefined, body, {
      "x-charter-timestamp": timestamp,
      "x-charter-signature": sign(hook.body["secret"], timestamp, body),
    });
    assert.deepEqual([again.status, again.body["duplicate"]], [200, true]);
    // Deliveries are remembered in the database, not by one server: another server on the same
    // database answers the repeat the same way, and a new delivery sent to both at once (three
    // times each) starts one run.
    const second = await serveHttp(app, { dispatcher });
    try {
      const elsewhere = await fetch(`${second.base}${hook.body["url"]}`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-charter-timestamp": timestamp,
          "x-charter-signature": sign(hook.body["secret"], timestamp, body),
        },
      });
      assert.deepEqual(
        [elsewhere.status, ((await elsewhere.json()) as Record<string, unknown>)["duplicate"]],
        [200, true],
      );
      const burstBody = JSON.stringify({
        title: "VPN drops every hour",
        priority: "P3",
        reporter_email: "mara.keller@example.com",
      });
      const burstHeaders = {
        "content-type": "application/json",
        "x-charter-timestamp": timestamp,
        "x-charter-signature": sign(hook.body["secret"], timestamp, burstBody),
      };
      const burst = await Promise.all(
        [served.base, second.base, served.base, second.base, served.base, second.base].map((base) =>
          fetch(`${base}${hook.body["url"]}`, { method: "POST", body: burstBody, headers: burstHeaders }),
        ),
      );
      assert.deepEqual(
        burst.map((response) => response.status).sort(),
        [200, 200, 200, 200, 200, 202],
        "one run for one delivery",
      );
    } finally {
      await second.close();
    }
    // Bytes that are not UTF-8 are refused even when signed as sent (before, they were read as other text).
    const bytes = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const badText = await fetch(`${served.base}${hook.body["url"]}`, {
      method: "POST",
      body: bytes,
      headers: {
        "content-type": "application/json",
        "x-charter-timestamp": timestamp,
        "x-charter-signature": sign(hook.body["secret"], timestamp, bytes),
      },
    });
    assert.equal(badText.status, 400);
    assert.match(await badText.text(), /not valid UTF-8/);

    const run = await call("GET", `/api/v1/tenants/demo/runs/${fired.body["run"].id}`, keys["olga"]);
    assert.equal(run.status, 200);
    assert.equal(run.body["run"].versionId, version.id);
    assert.deepEqual(
      run.body["journal"].map(
        (e: { integration: string; tool: string; status: string }) => `${e.integration}.${e.tool} ${e.status}`,
      ),
      ["tickets.create_incident succeeded", "chat.post_message succeeded"],
    );
    assert.deepEqual((run.body["run"].trigger as { type: string }).type, "webhook");

    const listed = await call(
      "GET",
      `/api/v1/tenants/demo/runs?workflow=${version.workflow}&status=succeeded`,
      keys["olga"],
    );
    // The fired run, and the burst's one run if a worker has finished it already: succeeded runs of this workflow only.
    const ids = listed.body["runs"].map((r: { id: string }) => r.id);
    assert.ok(ids.includes(fired.body["run"].id) && ids.length <= 2, JSON.stringify(listed.body["runs"]));
    assert.ok(
      listed.body["runs"].every(
        (r: { status: string; workflow: string }) => r.status === "succeeded" && r.workflow === version.workflow,
      ),
    );
    assert.equal((await call("GET", "/api/v1/tenants/demo/runs?status=exploded", keys["olga"])).status, 400);
    // A manual run waits for its result; bad input is refused before anything is queued.
    const manual = await call("POST", `/api/v1/tenants/demo/workflows/${version.workflow}/runs?wait=20`, keys["olga"], {
      input: JSON.parse(body),
    });
    assert.equal(manual.status, 200, JSON.stringify(manual.body));
    assert.equal(manual.body["run"].status, "succeeded");
    const manualRun = await call("GET", `/api/v1/tenants/demo/runs/${manual.body["run"].id}`, keys["olga"]);
    assert.deepEqual(manualRun.body["run"].trigger, {
      type: "manual",
      detail: { job: manual.body["job"], user: "olga" },
    });
    const badInput = await call("POST", `/api/v1/tenants/demo/workflows/${version.workflow}/runs`, keys["olga"], {
      input: { title: 5 },
    });
    assert.equal(badInput.status, 422);
    assert.match(badInput.body["error"].message, /does not match .* input schema/);
    const workflows = await call("GET", "/api/v1/tenants/demo/workflows", keys["olga"]);
    assert.deepEqual(
      workflows.body["workflows"].find((w: { workflow: string }) => w.workflow === version.workflow),
      { workflow: version.workflow, versions: 1, latest: { number: 1, status: "approved" }, active: 1 },
    );
    const drift = await call("GET", "/api/v1/tenants/demo/drift", keys["olga"]);
    assert.equal(drift.status, 200);
    assert.deepEqual(drift.body["changes"], []);
    assert.deepEqual(
      drift.body["versions"].map((d: { version: string; status: string; drift: unknown }) => [
        d.version,
        d.status,
        d.drift,
      ]),
      [[ref, "approved", null]],
    );

    const late = await call("POST", `/api/v1/tenants/demo/runs/${fired.body["run"].id}/cancel`, keys["olga"]);
    assert.equal(late.status, 409);
    assert.match(late.body["error"].message, /is succeeded; only a running run can be cancelled/);

    // Bad webhooks: wrong signature, stale timestamp, a workflow with no approved version.
    assert.equal(
      (
        await call("POST", hook.body["url"], undefined, body, {
          "x-charter-timestamp": timestamp,
          "x-charter-signature": "sha256=00",
        })
      ).status,
      401,
    );
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    const replay = await call("POST", hook.body["url"], undefined, body, {
      "x-charter-timestamp": stale,
      "x-charter-signature": sign(hook.body["secret"], stale, body),
    });
    assert.equal(replay.status, 401);
    assert.match(replay.body["error"].message, /outside the 300-second window/);
    const asked = await call("POST", "/api/v1/tenants/demo/plans", keys["ana"], {
      request: "Page the on-call engineer with a message and post it to #on-call",
    });
    assert.equal(asked.status, 422);
    assert.equal(asked.body["error"].code, "PLANNER_NEEDS_INPUT");
    assert.match(asked.body["error"].session, /^[0-9a-f-]{36}$/);
    assert.equal(
      (
        await call("POST", `/api/v1/tenants/demo/plans/${asked.body["error"].session}/answer`, keys["olga"], {
          answer: "#it-ops",
        })
      ).status,
      403,
      "only an author answers",
    );
    const draft = await call("POST", `/api/v1/tenants/demo/plans/${asked.body["error"].session}/answer`, keys["ana"], {
      answer: "#it-ops",
    });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    assert.equal(draft.body["session"], asked.body["error"].session);
    const draftHook = await call(
      "GET",
      `/api/v1/tenants/demo/workflows/${draft.body["version"].workflow}/webhook`,
      keys["olga"],
    );
    const signed = sign(draftHook.body["secret"], timestamp, "{}");
    assert.equal(
      (
        await call("POST", draftHook.body["url"], undefined, "{}", {
          "x-charter-timestamp": timestamp,
          "x-charter-signature": signed,
        })
      ).status,
      404,
    );
  });

  test("access: no key, a revoked key, another tenant's key, the wrong role", async () => {
    assert.equal((await call("GET", "/api/v1/tenants/demo/catalog", undefined)).status, 401);
    assert.equal((await call("GET", "/api/v1/tenants/demo/catalog", "chk_nothing")).status, 401);
    const foreign = await call("GET", "/api/v1/tenants/demo/catalog", keys["other"]);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body["error"].message, "no tenant demo");
    const made = await call("POST", "/api/v1/tenants/demo/keys", keys["admin"], { user: "rita", roles: ["reviewer"] });
    const rita = made.body["key"] as string;
    const wrongRole = await call("POST", "/api/v1/tenants/demo/sync", rita);
    assert.equal(wrongRole.status, 403);
    assert.equal(wrongRole.body["error"].code, "NOT_AUTHORIZED");
    assert.equal(
      (await call("POST", "/api/v1/tenants/demo/keys", rita, { user: "x", roles: ["admin"] })).status,
      403,
      "only admins make keys",
    );
    // A key is revoked only by an admin of its own tenant.
    assert.equal((await call("DELETE", `/api/v1/tenants/other/keys/${rita.slice(0, 12)}`, keys["other"])).status, 404);
    assert.equal((await call("GET", "/api/v1/tenants/demo/catalog", rita)).status, 200);
    assert.equal((await call("DELETE", `/api/v1/tenants/demo/keys/${rita.slice(0, 12)}`, rita)).status, 403);
    const revoked = await call("DELETE", `/api/v1/tenants/demo/keys/${rita.slice(0, 12)}`, keys["admin"]);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal((await call("GET", "/api/v1/tenants/demo/catalog", rita)).status, 401);
  });

  test("separation of duties holds against an admin: a reviewer the admin appointed (directly or through a deputy) cannot approve the admin's version, nor an admin its puppet author's, and no one mints a key for someone else", async () => {
    assert.ok((await app.catalogService.syncTenant("demo")).ok, "this test plans on its own catalog");
    const sock = await call("POST", "/api/v1/tenants/demo/keys", keys["admin"], { user: "sock", roles: ["reviewer"] });
    assert.equal(sock.status, 201, JSON.stringify(sock.body));
    const draft = await call("POST", "/api/v1/tenants/demo/plans", keys["admin"], {
      request: "Page the on-call engineer with a message and post it to #it-ops",
    });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    const ref = draft.body["version"].id;
    assert.equal((await call("POST", `/api/v1/tenants/demo/versions/${ref}/submit`, keys["admin"])).status, 200);
    const approved = await call("POST", `/api/v1/tenants/demo/versions/${ref}/approve`, sock.body["key"], {
      comment: "lgtm",
    });
    assert.equal(approved.status, 403);
    assert.match(approved.body["error"].message, /sock's roles or keys come from the author/);
    // Nor through a chain of appointments: the admin makes an admin, who makes a reviewer.
    const deputy = await call("POST", "/api/v1/tenants/demo/keys", keys["admin"], { user: "deputy", roles: ["admin"] });
    const proxy = await call("POST", "/api/v1/tenants/demo/keys", deputy.body["key"], {
      user: "proxy",
      roles: ["reviewer"],
    });
    assert.equal(proxy.status, 201, JSON.stringify(proxy.body));
    const chained = await call("POST", `/api/v1/tenants/demo/versions/${ref}/approve`, proxy.body["key"], {
      comment: "lgtm",
    });
    assert.deepEqual([chained.status, chained.body["error"].code], [403, "SELF_APPROVAL"]);
    assert.match(chained.body["error"].message, /directly or through users the author appointed/);
    // Nor the other way: an admin who made a puppet author (and so holds its key) and then made
    // itself a reviewer cannot approve what the puppet "wrote".
    const boss = await app.identity.ensureUser("boss");
    await app.identity.grant("demo", boss.id, "admin");
    const bossKey = await app.identity.createKey("demo", boss.id);
    const puppet = await call("POST", "/api/v1/tenants/demo/keys", bossKey, { user: "puppet", roles: ["author"] });
    const puppetDraft = await call("POST", "/api/v1/tenants/demo/plans", puppet.body["key"], {
      request: "Page the on-call engineer with a message and post it to #incidents",
    });
    assert.equal(puppetDraft.status, 201, JSON.stringify(puppetDraft.body));
    const puppetRef = puppetDraft.body["version"].id;
    assert.equal(
      (await call("POST", `/api/v1/tenants/demo/versions/${puppetRef}/submit`, puppet.body["key"])).status,
      200,
    );
    assert.equal(
      (await call("POST", "/api/v1/tenants/demo/keys", bossKey, { user: "boss", roles: ["reviewer"] })).status,
      201,
      "an admin may make itself a reviewer",
    );
    const puppeteer = await call("POST", `/api/v1/tenants/demo/versions/${puppetRef}/approve`, bossKey, {
      comment: "lgtm",
    });
    assert.deepEqual([puppeteer.status, puppeteer.body["error"].code], [403, "SELF_APPROVAL"]);
    assert.match(puppeteer.body["error"].message, /boss appointed the author/);
    // Nor siblings: the admin makes an author and a reviewer over the API, holds both keys, and would be both.
    const sibling = await call("POST", "/api/v1/tenants/demo/keys", bossKey, { user: "sibling", roles: ["reviewer"] });
    const siblingVerdict = await call(
      "POST",
      `/api/v1/tenants/demo/versions/${puppetRef}/approve`,
      sibling.body["key"],
      { comment: "lgtm" },
    );
    assert.deepEqual([siblingVerdict.status, siblingVerdict.body["error"].code], [403, "REVIEWER_KEY_NOT_OWN"]);
    assert.match(
      siblingVerdict.body["error"].message,
      /sibling's API keys were minted by boss over the API, who may hold them.*charter keys create --tenant demo --user sibling/,
    );
    // Re-keying with a key the admin made changes nothing: whoever held that key could have made the new one.
    const twin = await call("POST", "/api/v1/tenants/demo/keys", bossKey, {
      user: "twin",
      roles: ["reviewer", "admin"],
    });
    const rekeyed = await call("POST", "/api/v1/tenants/demo/keys", twin.body["key"], {
      user: "twin",
      roles: ["reviewer"],
    });
    assert.equal(rekeyed.status, 201, JSON.stringify(rekeyed.body));
    const rekeyedVerdict = await call(
      "POST",
      `/api/v1/tenants/demo/versions/${puppetRef}/approve`,
      rekeyed.body["key"],
      { comment: "lgtm" },
    );
    assert.deepEqual(
      [rekeyedVerdict.body["error"].code, /minted by boss/.test(rekeyedVerdict.body["error"].message)],
      ["REVIEWER_KEY_NOT_OWN", true],
    );
    // A reviewer whose key was made on the server decides.
    const judgeUser = await app.identity.ensureUser("judge");
    await app.identity.grant("demo", judgeUser.id, "reviewer");
    const fair = await call(
      "POST",
      `/api/v1/tenants/demo/versions/${puppetRef}/approve`,
      await app.identity.createKey("demo", judgeUser.id),
      { comment: "reviewed" },
    );
    assert.equal(fair.status, 200, `a reviewer outside the chain still can: ${JSON.stringify(fair.body)}`);
    // A key for an existing user is theirs to make.
    const forJudge = await call("POST", "/api/v1/tenants/demo/keys", keys["admin"], {
      user: "judge",
      roles: ["reviewer"],
    });
    assert.equal(forJudge.status, 403);
    assert.match(forJudge.body["error"].message, /judge already exists: a key for them is made by judge/);
    const audit = await app.versionRepository.audit("demo");
    assert.ok(audit.some((a) => a.action === "role-granted" && (a.detail as { user: string }).user === "sock"));
    assert.ok(audit.some((a) => a.action === "key-created" && (a.detail as { user: string }).user === "sock"));
  });

  test("fuzz: 600 random requests over every route (seeded) get no 5xx, and the server stays healthy", async () => {
    let seed = 20261130;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const values = [
      "",
      "x",
      "0",
      "-1",
      "1e10",
      "99999999999",
      "%00",
      "%FF",
      "..%2F..",
      "a@b",
      "a@99999999999",
      "nope@1",
      "' or 1=1 --",
      "🙂",
      "x".repeat(300),
    ];
    const bodies = [
      "",
      "{",
      "[]",
      "null",
      '{"a":1}',
      '{"to":1e10}',
      '{"to":-5}',
      '{"request":""}',
      '{"source":"\\u0000"}',
      `{"input":${"[".repeat(70)}${"]".repeat(70)}}`,
      '{"comment":"ok","extra":true}',
      '{"user":"x","roles":["nope"]}',
      '{"answer":"x"}',
      "\u0000",
      '"\\ud800"',
    ];
    const failures: string[] = [];
    for (let i = 0; i < 600; i++) {
      const route = pick(served.routes.filter((r) => r.method !== "ALL"));
      const url = route.path.replace(/:(\w+)/g, (_m, name: string) =>
        name === "tenant" ? pick(["demo", "other", "nope", "%00"]) : pick(values),
      );
      const method = route.method;
      const key = pick([keys["admin"], keys["other"], undefined, "chk_bogus"]);
      const response = await fetch(
        `${served.base}${url}${random() < 0.2 ? `?${pick(["wait", "workflow", "status", "limit", "job"])}=${pick(values)}` : ""}`,
        {
          method,
          headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), "content-type": "application/json" },
          ...(method === "GET" || method === "DELETE" ? {} : { body: pick(bodies) }),
        },
      ).catch((error: Error) => ({ status: 599, text: async () => error.message }));
      if (response.status >= 500 && !(response.status === 503 && url.endsWith("/sync")))
        failures.push(`${method} ${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
      else await response.text();
    }
    assert.deepEqual(failures, []);
    assert.equal((await call("GET", "/api/v1/health", undefined)).status, 200);
  });

  test("bad input is a 4xx naming the problem, never a 5xx", async () => {
    const malformed = await call("POST", "/api/v1/tenants/demo/plans", keys["admin"], "{not json");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body["error"].message, "the body is not JSON");
    const unknown = await call("POST", "/api/v1/tenants/demo/plans", keys["admin"], { request: "x", approve: true });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body["error"].message, /Unrecognized key/i);
    const wrongType = await call("POST", "/api/v1/tenants/demo/workflows/x/rollback", keys["admin"], { to: "one" });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body["error"].message, /to: /);
    // A body refused before it was read (no key here) closes its connection rather than promise keep-alive.
    const unread = await new Promise<string | undefined>((resolve, reject) => {
      const request = httpRequest(
        `${served.base}/api/v1/tenants/demo/catalog`,
        { method: "POST", headers: { "content-type": "application/json", "content-length": String(900 * 1024) } },
        (response) => {
          response.resume();
          resolve(response.headers["connection"]);
        },
      );
      request.on("error", reject);
      request.end("x".repeat(900 * 1024));
    });
    assert.equal(unread, "close");
    const big = await call(
      "POST",
      "/api/v1/tenants/demo/plans",
      keys["admin"],
      JSON.stringify({ request: "x".repeat(1024 * 1024) }),
    );
    assert.equal(big.status, 413);
    assert.equal((await call("GET", "/api/v1/tenants/demo/versions/nope@1", keys["admin"])).status, 404);
    // Values PostgreSQL cannot take, and shapes that would cost the stack, are 4xx before any query.
    assert.equal((await call("GET", "/api/v1/tenants/demo/versions/x@99999999999", keys["admin"])).status, 404);
    assert.equal(
      (await call("POST", "/api/v1/tenants/demo/workflows/x/rollback", keys["admin"], { to: 1e10 })).status,
      400,
    );
    assert.equal((await call("GET", "/api/v1/tenants/demo/versions/a%00b", keys["admin"])).status, 400);
    assert.equal((await call("GET", "/api/v1/tenants/demo/runs?workflow=a%00", keys["admin"])).status, 400);
    const nul = await call("POST", "/api/v1/tenants/demo/versions", keys["admin"], {
      source: "export default 1;\u0000",
    });
    assert.deepEqual(
      [nul.status, nul.body["error"].message],
      [400, "the body holds a NUL character (\\u0000), which Charter does not store"],
    );
    const deep = await call(
      "POST",
      "/api/v1/tenants/demo/plans",
      keys["admin"],
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    );
    assert.deepEqual([deep.status, deep.body["error"].message], [400, "the body nests deeper than 64 levels"]);
    // A lone surrogate is not text PostgreSQL's JSON takes: 400, not the database's 500.
    const lone = await call(
      "POST",
      "/api/v1/tenants/demo/plans",
      keys["admin"],
      '{"request":"Post \\ud800 to #it-ops"}',
    );
    assert.deepEqual(
      [lone.status, lone.body["error"].message],
      [
        400,
        "the body holds a lone UTF-16 surrogate (such as \\ud800 without its pair), which is not text Charter can store",
      ],
    );
    assert.equal(
      (await call("POST", "/api/v1/tenants/demo/workflows/x/runs", keys["admin"], '{"input":{"a":"\\udc00"}}')).status,
      400,
    );
    assert.equal((await call("GET", "/api/v1/tenants/demo/runs/not-a-run", keys["admin"])).status, 404);
    assert.equal((await call("GET", "/api/v1/nothing", undefined)).status, 404);
    const openapi = (await call("GET", "/api/v1/openapi.json", undefined)).body;
    assert.equal(openapi["openapi"], "3.1.0");
    // Every route the app serves is in the document.
    for (const route of served.routes.filter((r) => r.method !== "ALL")) {
      const documented = openapi["paths"][route.path.replace(/:(\w+)/g, "{$1}")]?.[route.method.toLowerCase()];
      assert.ok(documented, `${route.method} ${route.path} is not in openapi.json`);
    }
    // One JSON log line per request, with tenant and user when known, and never a key.
    assert.ok(logLines.some((l) => l["event"] === "http-request" && l["status"] === 413));
    assert.ok(logLines.some((l) => l["tenant"] === "demo" && l["user"] === "root"));
    // Key prefixes may appear (they name a key, as in DELETE .../keys/<prefix>); keys never do.
    const logged = JSON.stringify(logLines);
    for (const key of Object.values(keys))
      assert.ok(!logged.includes(key) && !logged.includes(key.slice(12)), "no API key in the logs");
  });
});
