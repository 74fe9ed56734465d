/**
 * The console's version page: the graph drawn from a workflow's code, and the page a reviewer
 * decides on (plan, graph, capabilities, source and diff, checks, decisions), its actions and their
 * refusals (author, no role, no comment, stale hashes, no CSRF token), hostile text shown inert,
 * and other tenants' versions not found.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { graphSvg, type WorkflowGraph, workflowGraph } from "../src/console/graph.ts";
import type { WorkflowPlan } from "../src/core/plan.ts";
import type { Capability } from "../src/core/workflow.ts";
import { createHttpApp } from "../src/server/index.ts";
import type { VersionRow } from "../src/store/index.ts";
import type { Actor } from "../src/versions/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO, scripted, tenantsFolder } from "./helpers/tenants.ts";

const hints = { readOnly: false, destructive: false, idempotent: false, openWorld: false, declared: true };
const CAPABILITIES: Capability[] = [
  { integration: "ops", tool: "lookup", sdkFunction: "ops.lookup", annotations: { ...hints, readOnly: true } },
  { integration: "ops", tool: "purge", sdkFunction: "ops.purge", annotations: { ...hints, destructive: true } },
];

const SMALL = `import { ops as o } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";

export default defineWorkflow({
  name: "small",
  description: "Purges records when asked.",
  input: { type: "object", properties: {} },
  output: { type: "object", properties: {} },
  run: async (input, ctx) => {
    await o.lookup({ id: input.id });
    ctx.log.info("looked");
    if (input.purge) {
      for (const id of input.ids) {
        try {
          await o.purge({ id });
        } catch {
          await o.lookup({ id: "again" });
        }
      }
    } else {
      return { purged: false };
    }
    return { purged: true };
  },
});
`;

/** The node whose label starts with `text` (each label names one node in these graphs). */
function node(graph: WorkflowGraph, text: string) {
  const found = graph.nodes.filter((n) => n.lines.join(" | ").startsWith(text));
  assert.equal(found.length, 1, `one node "${text}" in ${JSON.stringify(graph.nodes.map((n) => n.lines))}`);
  return found[0]!;
}

function edge(graph: WorkflowGraph, from: string, to: string) {
  const a = node(graph, from).id;
  const b = node(graph, to).id;
  return graph.edges.filter((e) => e.from === a && e.to === b).map((e) => e.label ?? "");
}

describe("the workflow graph drawn from code", () => {
  test("calls, if/else, for-of, try/catch and returns become the nodes and edges a reviewer follows", () => {
    const graph = workflowGraph(SMALL, CAPABILITIES, [
      { type: "schedule", cron: "0 17 * * 5", timezone: "Europe/Berlin" },
    ]);
    assert.deepEqual(node(graph, "schedule").lines, ["schedule", "At 17:00, only on Friday (Europe/Berlin)"]);
    assert.deepEqual(node(graph, "ops.purge").risks, ["destructive"]);
    const [look, retry, ...others] = graph.nodes.filter((n) => n.kind === "call" && n.lines[0] === "ops.lookup");
    assert.ok(look && retry && others.length === 0);
    assert.deepEqual(look.lines, ["ops.lookup", "read-only"]);
    assert.equal(graph.nodes.filter((n) => n.kind === "call").length, 3);
    assert.equal(graph.nodes.filter((n) => n.kind === "branch").length, 1, "ctx.log is not a step");
    assert.equal(graph.description, "Purges records when asked.");
    const between = (a: string, b: string) =>
      graph.edges.filter((e) => e.from === a && e.to === b).map((e) => `${e.label ?? ""}${e.failure ? "!" : ""}`);
    const [trigger, branch, loop, purge] = ["schedule", "if input.purge", "for each id of input.ids", "ops.purge"].map(
      (label) => node(graph, label).id,
    ) as [string, string, string, string];
    const [no, yes, end] = ["return { purged: false }", "return { purged: true }", "end"].map((l) => node(graph, l).id);
    assert.deepEqual(between(trigger, look.id), [""]);
    assert.deepEqual(between(look.id, branch), [""]);
    assert.deepEqual(between(branch, loop), ["yes"]);
    assert.deepEqual(between(branch, no!), ["no"]);
    assert.deepEqual(between(loop, purge), ["each"]);
    assert.deepEqual(between(purge, retry.id), ["on failure!"], "the catch is reached when purge fails");
    assert.deepEqual(between(purge, loop), [""], "on to the next item");
    assert.deepEqual(between(retry.id, loop), [""]);
    assert.deepEqual(between(loop, yes!), ["done"]);
    assert.deepEqual(between(no!, end!), [""]);
    assert.deepEqual(between(yes!, end!), [""]);
    assert.equal(graph.edges.length, 11);
    assert.deepEqual(graph.unplaced, []);
  });

  test("tool calls inside helpers and callbacks are drawn where they run; a long workflow stops at the cap", () => {
    const source = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
async function wipe(id: string) { await ops.purge({ id }); }
export default defineWorkflow({
  name: "h", description: "x", input: { type: "object" }, output: { type: "object" },
  run: async (input) => {
    await Promise.all(input.ids.map(async (id) => ops.lookup({ id })));
    await wipe(input.id);
${Array.from({ length: 30 }, (_, i) => `    await ops.lookup({ id: "${i}" });`).join("\n")}
    return {};
  },
});`;
    const graph = workflowGraph(source, CAPABILITIES, [], 12);
    assert.deepEqual(graph.nodes[0]?.lines, ["manual", "run by hand or as a tool"]);
    assert.deepEqual(edge(graph, "for each of input.ids (map)", "ops.purge"), ["done"]);
    assert.equal(graph.nodes.length, 13);
    assert.equal(graph.truncated, true);
    assert.equal(graph.nodes.at(-1)?.lines[0], "… more steps not drawn");
  });

  test("the SVG is an image with a title, and labels from the source are escaped", () => {
    const source = SMALL.replace("if (input.purge)", 'if (input.note === "<script>alert(1)</script>")');
    const svg = String(graphSvg(workflowGraph(source, CAPABILITIES, []), { id: "g", title: "Steps of <b>" }));
    assert.match(svg, /^<svg [^>]*role="img"\s+aria-labelledby="g-title g-desc"/);
    assert.match(svg, /<title id="g-title">Steps of &lt;b&gt;<\/title>/);
    assert.ok(!svg.includes("<script"), svg);
    assert.match(svg, /<tspan[^>]*>[^<]*&lt;script&gt;alert\(1/);
  });
});

describe("the version page", () => {
  let app: App;
  let http: Awaited<ReturnType<typeof createHttpApp>>;
  const people: Record<string, { actor: Actor; key: string }> = {};
  const base = "http://localhost";
  let active: VersionRow;
  let draft: VersionRow;
  let foreign: VersionRow;

  const fixture = (name: string) => readFile(path.join(REPO, "test/fixtures/versions", name), "utf8");

  before(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "charter-console-version-"));
    const toolsFile = path.join(dir, "tools.json");
    const schema = { type: "object", properties: { id: { type: "string" } }, required: ["id"] };
    await writeFile(
      toolsFile,
      JSON.stringify([
        { name: "lookup", description: "Finds a record.", inputSchema: schema, annotations: { readOnlyHint: true } },
        { name: "purge", description: "Deletes it.", inputSchema: schema, annotations: { destructiveHint: true } },
      ]),
    );
    const ops = scripted("normal", ["--tools-file", toolsFile]);
    const tenants = await tenantsFolder({
      acme: { config: { name: "Acme", integrations: { ops }, policies: { twoApproversForDestructive: true } } },
      other: { config: { name: "Other", integrations: { ops } } },
    });
    app = await createApp({ processEnv: { CHARTER_TENANTS_DIR: tenants }, database: await embeddedTestDatabase() });
    for (const tenant of ["acme", "other"]) assert.ok((await app.sync(tenant)).result.ok);
    const roles = { ana: ["author"], ben: ["reviewer"], cat: ["reviewer"], mallory: [] } as const;
    for (const [handle, granted] of Object.entries(roles)) {
      const user = await app.identity.ensureUser(handle);
      for (const role of granted) await app.identity.grant("acme", user.id, role);
      people[handle] = { actor: { userId: user.id, handle }, key: await app.identity.createKey("acme", user.id) };
    }
    const author = people["ana"]!.actor;
    const reviewer = people["ben"]!.actor;
    // purge@1 only looks records up and is active; purge@2 can purge them and was planned.
    active = await app.versions.create({
      tenantId: "acme",
      source: await fixture("lookup.ts"),
      tests: await fixture("lookup.tests.json"),
      fileName: "purge.ts",
      author,
    });
    await app.versions.submit("acme", active.id, author);
    await app.versions.approve("acme", active.id, reviewer, "fine");
    const plan: WorkflowPlan = {
      request: "Look a record up and purge it when asked",
      name: "purge",
      trigger: { type: "manual" },
      inputs: [],
      steps: [{ kind: "call", id: "look", tool: "ops.lookup", args: { id: { kind: "input", field: "id" } } }],
      output: {},
      clauses: [{ text: "Look a record up", covers: ["look"] }],
      checks: ["ops.lookup found record r1 <i>live</i>"],
    };
    const origin = {
      request: plan.request,
      transcript: {
        planner: "claude-test",
        transcript: [{ role: "assistant", content: "I will <script>alert(1)</script> plan it" }],
        usage: {
          turns: 2,
          inputTokens: 1000,
          outputTokens: 200,
          cacheWriteTokens: 0,
          cacheReadTokens: 50,
          costUsd: 0.0123,
        },
      },
      plan,
    };
    draft = await app.versions.create({
      tenantId: "acme",
      source: await fixture("purge.ts"),
      tests: await fixture("purge.tests.json"),
      fileName: "purge.ts",
      author,
      origin,
    });
    assert.equal(draft.status, "checks-passed", JSON.stringify(draft.gates));
    const other = await app.identity.ensureUser("olga");
    await app.identity.grant("other", other.id, "author");
    foreign = await app.versions.create({
      tenantId: "other",
      source: await fixture("lookup.ts"),
      fileName: "purge.ts",
      author: { userId: other.id, handle: "olga" },
    });
    http = await createHttpApp(app, { console: true });
  });
  after(async () => {
    await app?.close();
  });

  /** Signs in with the person's key: the session cookie, and the session's CSRF token from a page. */
  async function signIn(handle: string): Promise<{ cookie: string; csrf: string }> {
    let r = await http.request(`${base}/console/sign-in`);
    const token = /name="csrf" value="([^"]+)"/.exec(await r.text())?.[1] ?? "";
    r = await http.request(`${base}/console/sign-in`, {
      method: "POST",
      headers: {
        cookie: (r.headers.get("set-cookie") ?? "").split(";")[0]!,
        "content-type": "application/x-www-form-urlencoded",
        origin: base,
      },
      body: new URLSearchParams({ key: people[handle]!.key, csrf: token, next: "/console" }).toString(),
    });
    const cookie = r.headers
      .getSetCookie()
      .find((c) => c.startsWith("charter_session="))
      ?.split(";")[0];
    assert.ok(cookie, `${handle} signed in`);
    const page = await (await http.request(`${base}/console`, { headers: { cookie } })).text();
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "" };
  }

  const get = async (who: { cookie: string }, id: string) => {
    const r = await http.request(`${base}/console/versions/${id}`, { headers: { cookie: who.cookie } });
    return { status: r.status, text: await r.text() };
  };
  const post = (who: { cookie: string }, url: string, fields: Record<string, string>) =>
    http.request(`${base}${url}`, {
      method: "POST",
      headers: { cookie: who.cookie, "content-type": "application/x-www-form-urlencoded", origin: base },
      body: new URLSearchParams(fields).toString(),
    });
  const hashes = (v: VersionRow) => ({
    sourceHash: v.sourceHash,
    bundleHash: v.bundleHash ?? "",
    catalogHash: v.catalogHash,
    sdkHash: v.sdkHash,
  });
  const status = async (id: string) => (await app.versionRepository.byId(id))?.status;

  test("the author submits a draft; a reviewer sees plan, graph, capabilities, source, diff and checks", async () => {
    const ana = await signIn("ana");
    let page = await get(ana, draft.id);
    assert.equal(page.status, 200);
    assert.match(page.text, /<button type="submit">Submit for review<\/button>/);
    const r = await post(ana, `/console/versions/${draft.id}/submit`, { csrf: ana.csrf });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), `/console/versions/${draft.id}?done=submitted`);
    assert.equal(await status(draft.id), "in-review");

    const ben = await signIn("ben");
    page = await get(ben, draft.id);
    assert.equal(page.status, 200);
    const text = page.text;
    assert.match(text, /<h1>purge@2 · Charter<\/h1>|<h1>purge@2<\/h1>/);
    assert.match(text, /status-in-review">in-review/);
    assert.match(text, /<dt>Author<\/dt><dd>ana<\/dd>/);
    assert.match(text, new RegExp(`href="/console/versions/${active.id}">purge@1</a>`), "parent and active version");
    // The plan in plain language, and what was checked live (escaped).
    assert.match(text, /When run by hand or called as a tool:\n- ops.lookup \(ops.lookup\): id input.id/);
    assert.match(text, /checked live: ops.lookup found record r1 &lt;i&gt;live&lt;\/i&gt;/);
    // The graph, from the code.
    assert.match(text, /<svg [^>]*role="img"\s+aria-labelledby="workflow-graph-title workflow-graph-desc"/);
    assert.match(text, /<tspan[^>]*>ops.purge<\/tspan><tspan[^>]*>destructive · open-world<\/tspan>/);
    assert.match(text, /<tspan[^>]*>if !input.purge<\/tspan>/);
    // Capabilities: purge is new since purge@1, with its risk.
    assert.match(text, /<code>ops.purge<\/code>.*?risk-destructive">destructive<.*?new since the active version/s);
    assert.equal(text.split("new since the active version").length, 2, "only purge is new");
    // Source highlighted, and the diff to the active version.
    assert.match(text, /<span class="hljs-keyword">import<\/span>/);
    assert.match(text, /<span class="diff-add">\+    await ops.purge\(\{ id: input.id \}\);<\/span>/);
    assert.match(text, /<span class="diff-del">-  description: &quot;Only looks a record up.&quot;,<\/span>/);
    // Checks and tests, the planner's usage, the decisions so far under the two-reviewer policy.
    assert.match(text, /<td>destructive-covered<\/td><td><span class="badge status-succeeded">passed/);
    assert.match(text, /<td>purges when asked<\/td>/);
    assert.match(text, /1250 \(1000 in, 200 out,\s+50 cache read, 0 cache write\)\s+over 2 turns/);
    assert.match(text, /\$0\.0123/);
    assert.match(text, /I will &lt;script&gt;alert\(1\)&lt;\/script&gt; plan it/);
    assert.match(text, /needs 2 reviewers:\n<strong>0 of 2<\/strong>/);
    assert.match(text, new RegExp(`name="sourceHash" value="${draft.sourceHash}"`));
    assert.match(text, /<textarea id="approve-comment" name="comment" required/);
  });

  test("the author and a user without the reviewer role get no decision forms; forged ones are refused", async () => {
    for (const handle of ["ana", "mallory"]) {
      const who = await signIn(handle);
      const page = await get(who, draft.id);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /\/approve"|\/reject"/, `${handle} sees no decision form`);
      for (const verb of ["approve", "reject"]) {
        const fields = { csrf: who.csrf, comment: "looks fine to me", ...hashes(draft) };
        const r = await post(who, `/console/versions/${draft.id}/${verb}`, fields);
        assert.equal(r.status, 403, `${handle} ${verb}`);
        assert.match(await r.text(), handle === "ana" ? /ana wrote purge@2 and can never/ : /needs the reviewer role/);
      }
    }
    assert.equal(await status(draft.id), "in-review");
    assert.equal((await app.versionRepository.approvals(draft.id)).length, 0);
  });

  test("a decision needs the CSRF token, a comment, and the hashes the page showed", async () => {
    const ben = await signIn("ben");
    const fields = { csrf: ben.csrf, comment: "ok", ...hashes(draft) };
    let r = await post(ben, `/console/versions/${draft.id}/approve`, { ...fields, csrf: "" });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /CSRF token is missing or wrong/);
    r = await post(ben, `/console/versions/${draft.id}/approve`, { ...fields, comment: "   " });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /a comment of 1 to 4000 characters is required/);
    r = await post(ben, `/console/versions/${draft.id}/approve`, { ...fields, catalogHash: "sha256:stale" });
    assert.equal(r.status, 409);
    assert.match(await r.text(), /purge@2 is not what the page you decided on showed \(catalogHash differ\)/);
    assert.equal(await status(draft.id), "in-review");
    assert.equal((await app.versionRepository.approvals(draft.id)).length, 0);
  });

  test("two reviewers approve with comments; the second activates the version", async () => {
    const ben = await signIn("ben");
    let r = await post(ben, `/console/versions/${draft.id}/approve`, {
      csrf: ben.csrf,
      comment: "Purge is covered by a test",
      ...hashes(draft),
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), `/console/versions/${draft.id}?done=recorded`);
    let page = await get(ben, `${draft.id}?done=recorded`);
    assert.match(page.text, /Your approval is recorded/);
    assert.match(page.text, /<strong>1 of 2<\/strong>/);
    assert.match(page.text, /You approved this version/);
    assert.match(page.text, /Purge is covered by a test/);

    const cat = await signIn("cat");
    r = await post(cat, `/console/versions/${draft.id}/approve`, {
      csrf: cat.csrf,
      comment: "Agreed",
      ...hashes(draft),
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), `/console/versions/${draft.id}?done=approved`);
    assert.equal(await status(draft.id), "approved");
    page = await get(cat, draft.id);
    assert.match(page.text, /<strong>2 of 2<\/strong>/);
    assert.match(page.text, /This is the active version\./);
  });

  test("hostile text in a workflow's description and source is shown as text", async () => {
    const source = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";

// <script>alert(1)</script> <a href="javascript:alert(1)">x</a>
export default defineWorkflow({
  name: "hostile",
  description: "<script>alert(1)</script> javascript:alert(1) <img src=x onerror=alert(1)>",
  input: { type: "object", properties: { note: { type: "string" } } },
  output: { type: "object", properties: {} },
  run: async (input) => {
    if (input.note === "<script>alert(1)</script>") await ops.lookup({ id: "javascript:alert(1)" });
    return {};
  },
});
`;
    const version = await app.versions.create({
      tenantId: "acme",
      source,
      fileName: "hostile.ts",
      author: people["ana"]!.actor,
    });
    const page = await get(await signIn("ben"), version.id);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /<script>alert|<img src=x|href="javascript:/i);
    assert.match(page.text, /<p class="description">&lt;script&gt;alert\(1\)&lt;\/script&gt; javascript:alert\(1\)/);
    assert.match(page.text, /<tspan[^>]*>if input.note === &quot;&lt;script&gt;alert\(1/, "the graph's label");
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &lt;a href=&quot;javascript:alert\(1\)/);
    const scripts = [...page.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, ['<script src="/console/assets/console.js" defer>']);
  });

  test("a version of another tenant, or none, is not found", async () => {
    const ben = await signIn("ben");
    for (const id of [foreign.id, "00000000-0000-4000-8000-000000000000", "purge@99"]) {
      const page = await get(ben, id);
      assert.equal(page.status, 404, id);
      assert.doesNotMatch(page.text, /Only looks a record up/);
    }
    const r = await post(ben, `/console/versions/${foreign.id}/approve`, {
      csrf: ben.csrf,
      comment: "mine now",
      ...hashes(foreign),
    });
    assert.equal(r.status, 404);
  });
});
