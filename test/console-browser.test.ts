/**
 * The console in a real browser (Debian's Chromium through playwright-core), as three users on the
 * demo tenant: an author describes a request and submits the draft; a reviewer finds it in the
 * inbox, sees the graph, the risk badges and the diff, and approves it; an operator starts a run
 * and watches its journal. On the way: the author has no approve button and a forged approval is
 * refused, a form without its CSRF token is refused, hostile text stays text, and axe-core finds
 * no serious or critical violation on any page. Screenshots of each page go to SCREENSHOTS.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type App, createApp } from "../src/app.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { type Served, serveHttp } from "./helpers/serve.ts";
import { REPO } from "./helpers/tenants.ts";

export const SCREENSHOTS = path.join(REPO, "test-results", "console");
const REQUEST = "Given an incident id, page the on-call engineer about it and post its title in #incidents.";
const CHROMIUM = process.env["CHARTER_CHROMIUM"] ?? "/usr/bin/chromium";
/** Generous: planning, gates and runs start real tool servers on a machine that may be busy. */
const SLOW = 180_000;

let app: App;
let served: Served;
let browser: Browser;
let dispatcher: Dispatcher | undefined;
const keys: Record<"author" | "reviewer" | "operator", string> = { author: "", reviewer: "", operator: "" };
const axeSource = readFile(path.join(REPO, "node_modules/axe-core/axe.min.js"), "utf8");
const violations: string[] = [];

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: install the Debian package chromium (npm run setup does as root), ` +
      "or set CHARTER_CHROMIUM to a Chromium or Chrome executable",
  );
  await rm(SCREENSHOTS, { recursive: true, force: true });
  await mkdir(SCREENSHOTS, { recursive: true });
  app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
    database: await embeddedTestDatabase(),
  });
  assert.ok((await app.sync("demo")).result.ok, "the demo tenant syncs");
  for (const [who, handle] of [
    ["author", "ada"],
    ["reviewer", "rui"],
    ["operator", "opal"],
  ] as const) {
    const user = await app.identity.ensureUser(handle);
    await app.identity.grant("demo", user.id, who);
    keys[who] = await app.identity.createKey("demo", user.id);
  }
  // An approved earlier version of the same workflow, so the reviewer has a diff to read.
  const sam = await app.identity.ensureUser("sam");
  const sue = await app.identity.ensureUser("sue");
  await app.identity.grant("demo", sam.id, "author");
  await app.identity.grant("demo", sue.id, "reviewer");
  const samActor = { userId: sam.id, handle: "sam" };
  const planned = (await app.planner.plan({ tenantId: "demo", request: REQUEST, author: samActor })).version;
  const earlier = await app.versions.create({
    tenantId: "demo",
    source: planned.source.replace("return { done: true };", "// an earlier revision\n    return { done: true };"),
    fileName: "earlier.ts",
    tests: JSON.stringify(planned.tests),
    author: samActor,
  });
  assert.equal(earlier.status, "checks-passed", JSON.stringify(earlier.gates));
  await app.versions.submit("demo", earlier.id, samActor);
  await app.versions.approve("demo", earlier.id, { userId: sue.id, handle: "sue" }, "the earlier revision");
  // As under `charter serve`: runs are queued, and a worker in this process takes them.
  dispatcher = await Dispatcher.start(app, { worker: true, scheduler: false, pollSeconds: 0.5 });
  served = await serveHttp(app, { console: true, dispatcher });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
});

after(async () => {
  await browser?.close();
  await served?.close();
  await dispatcher?.stop();
  await app?.close();
});

/** Signs in through the sign-in page, as a user would. */
async function signIn(who: keyof typeof keys): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A busy machine (another test run beside this one) can take far longer than Playwright's 30 s.
  context.setDefaultTimeout(SLOW);
  context.setDefaultNavigationTimeout(SLOW);
  const page = await context.newPage();
  await page.goto(`${served.base}/console`);
  assert.match(page.url(), /\/console\/sign-in/);
  await check(page, `${who}-sign-in`);
  await page.getByLabel("API key").fill(keys[who]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${served.base}/console`);
  return { context, page };
}

/** A screenshot, and axe-core's serious and critical findings on the page (collected, asserted at the end). */
async function check(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("load");
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  // Through the DevTools protocol, which the page's Content-Security-Policy does not restrict. A page
  // that navigates meanwhile (a live page told its work ended) is checked again once it has loaded.
  for (let attempt = 1; ; attempt++) {
    try {
      await axeOn(page, name);
      return;
    } catch (error) {
      if (attempt >= 3 || !/context was destroyed|navigat/i.test(String(error))) throw error;
      await page.waitForLoadState("load");
    }
  }
}

async function axeOn(page: Page, name: string): Promise<void> {
  await page.evaluate(await axeSource);
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }).axe;
    type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  for (const line of found) violations.push(`${name}: ${line}`);
}

/** A POST from the page's own origin and session, with or without its CSRF token: what a forged form can do. */
async function post(page: Page, url: string, fields: Record<string, string>): Promise<number> {
  return page.evaluate(
    async ({ url, fields }) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
      });
      return response.status;
    },
    { url, fields },
  );
}

const textOf = async (page: Page, selector: string) => (await page.locator(selector).first().textContent()) ?? "";
const csrfOf = (page: Page) => page.locator('input[name="csrf"]').first().inputValue();

test("the journey: an author drafts, a reviewer approves, an operator runs; every page passes axe", {
  timeout: 4 * SLOW,
}, async (t) => {
  let versionUrl = "";
  let workflow = "";
  await t.test("an author describes a request, sees the plan and its gates, and submits the draft", async () => {
    const { context, page } = await signIn("author");
    await check(page, "author-inbox");
    await page.getByRole("link", { name: "Describe" }).click();
    await check(page, "author-describe");
    await page.getByLabel(/request/i).fill(REQUEST);
    await page.getByRole("button", { name: /plan/i }).click();
    await page.waitForURL(/\/console\/versions\/[0-9a-f-]{36}/, { timeout: SLOW });
    versionUrl = page.url();
    const text = await textOf(page, "main");
    assert.match(text, /checks-passed/);
    assert.match(text, /chat\.page_user/);
    await check(page, "author-version");
    assert.equal(await page.getByRole("button", { name: /approve/i }).count(), 0, "no approve button for the author");
    // A forged approval by the author, with a valid session and CSRF token, is still refused.
    const forged = await post(page, `${versionUrl}/approve`, { csrf: await csrfOf(page), comment: "mine" });
    assert.ok(forged === 403 || forged === 409, `the author's own approval is refused (got ${forged})`);
    await page.getByRole("button", { name: /submit for review/i }).click();
    await page.waitForURL(/\?done=/);
    assert.match(await textOf(page, "main"), /in-review/);
    workflow = (/([a-z0-9-]+)@\d+/.exec(await textOf(page, "h1")) ?? [])[1] ?? "";
    assert.ok(workflow, "the version page names its workflow");
    await context.close();
  });

  await t.test("a reviewer finds it in the inbox, sees graph, risk and code, and approves with a comment", async () => {
    assert.ok(versionUrl, "the author's draft exists");
    const { context, page } = await signIn("reviewer");
    await check(page, "reviewer-inbox");
    const link = page.locator('section:has(h2:text("Waiting for my review")) a').first();
    await link.click();
    await page.waitForURL(versionUrl);
    assert.equal((await page.locator("svg[role='img']").count()) > 0, true, "a graph of the workflow");
    assert.ok((await page.locator(".badge.risk-destructive, .badge.risk-write").count()) > 0, "risk badges");
    assert.ok((await page.locator("pre").count()) > 0, "the source");
    assert.ok((await page.locator(".diff-add, .diff-del").count()) > 0, "the diff to the active version");
    await check(page, "reviewer-version");
    // The top of the page as the README shows it: plan, graph, risk.
    await page.screenshot({
      path: path.join(SCREENSHOTS, "version-page-top.png"),
      clip: { x: 0, y: 0, width: 1280, height: 1500 },
    });
    // A form posted without its CSRF token is refused.
    assert.equal(await post(page, `${versionUrl}/approve`, { comment: "no token" }), 403);
    await page
      .getByLabel(/comment/i)
      .first()
      .fill("Looks right: pages on-call and posts the title.");
    await page.getByRole("button", { name: /^approve/i }).click();
    await page.waitForURL(/\?done=/);
    assert.match(await textOf(page, "main"), /approved/);
    await check(page, "reviewer-approved");
    await context.close();
  });

  await t.test("an operator starts a run and watches its journal complete", async () => {
    assert.ok(workflow, "an approved workflow");
    const { context, page } = await signIn("operator");
    await page.getByRole("link", { name: "Workflows" }).click();
    await check(page, "operator-workflows");
    await page.getByRole("link", { name: workflow, exact: true }).first().click();
    await check(page, "operator-workflow");
    await page.getByLabel(/input/i).fill(JSON.stringify({ incident_id: "INC0001" }));
    await page.getByRole("button", { name: /start/i }).click();
    await page.waitForURL(/\/console\/runs\/[0-9a-f-]{36}/, { timeout: SLOW });
    // The run's own status (the summary's first badge) leaves "running" when the live page, told the
    // run ended, reloads; the journal's call badges say "succeeded" long before. Read through a
    // locator, which finds the badge again on the reloaded page.
    const deadline = Date.now() + SLOW;
    while ((await textOf(page, "main .badge").catch(() => "running")) === "running" && Date.now() < deadline)
      await page.waitForTimeout(250);
    assert.equal(await textOf(page, "main .badge"), "succeeded", "the run's status");
    const text = await textOf(page, "main");
    assert.match(text, /succeeded/);
    for (const tool of ["tickets.get_incident", "directory.get_on_call", "chat.page_user", "chat.post_message"])
      assert.match(text, new RegExp(tool.replace(".", "\\.")), `the journal shows ${tool}`);
    await check(page, "operator-run");
    for (const [link, name] of [
      ["Runs", "operator-runs"],
      ["Integrations", "operator-integrations"],
      ["Audit log", "operator-audit"],
    ] as const) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await check(page, name);
    }
    await context.close();
  });

  await t.test("a request the planner asks about shows the question, the part it is about, and answers", async () => {
    const { context, page } = await signIn("author");
    await page.getByRole("link", { name: "Describe" }).click();
    await page.getByLabel(/request/i).fill("Every weekday, post the open P1 incidents to #it-ops");
    await page.getByRole("button", { name: /plan/i }).click();
    await page.waitForFunction(
      () => /what time of day/i.test((globalThis as unknown as { document: Document }).document.body.textContent ?? ""),
      undefined,
      { timeout: SLOW },
    );
    assert.match(await textOf(page, "main"), /every weekday/i, "the part of the request the question is about");
    await check(page, "author-question");
    await context.close();
  });

  assert.deepEqual(violations, [], "axe-core: serious or critical violations");
  t.diagnostic(`screenshots: ${SCREENSHOTS}`);
});

test("hostile text in a workflow's description, source and tool output renders inert", { timeout: SLOW }, async () => {
  const hostile = "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2> javascript:alert(1)";
  const source = `import { defineWorkflow } from "charter:workflow";
import { tickets } from "charter:sdk";
/** ${hostile.replaceAll("*/", "")} */
export default defineWorkflow({
  name: "hostile-text",
  description: ${JSON.stringify(hostile)},
  input: { type: "object", properties: { title: { type: "string" } }, required: ["title"], additionalProperties: false },
  output: { type: "object" },
  run: async (input) => {
    const incident = await tickets.createIncident({ title: input.title, priority: "P4", reporter_email: "it@example.com" });
    return { said: ${JSON.stringify(hostile)}, title: incident.title };
  },
});
`;
  const incident = {
    id: "INC0100",
    title: hostile,
    description: "",
    priority: "P4",
    status: "new",
    reporter_email: "it@example.com",
    assignee: null,
    comments: [],
    tags: [],
    created_at: "2026-11-22T08:00:00Z",
  };
  const sam = await app.identity.ensureUser("sam");
  const samActor = { userId: sam.id, handle: "sam" };
  const version = await app.versions.create({
    tenantId: "demo",
    source,
    fileName: "hostile.ts",
    tests: JSON.stringify({
      tests: [
        {
          name: "files the incident",
          input: { title: hostile },
          mocks: { "tickets.create_incident": [{ output: incident }] },
          expect: { calls: [{ tool: "tickets.create_incident" }] },
        },
      ],
    }),
    author: samActor,
  });
  assert.equal(version.status, "checks-passed", JSON.stringify(version.gates));
  await app.versions.submit("demo", version.id, samActor);
  const sue = await app.identity.ensureUser("sue");
  const decided = await app.versions.approve("demo", version.id, { userId: sue.id, handle: "sue" }, "ok");
  if (!decided.activated) {
    const rui = await app.identity.ensureUser("rui");
    await app.versions.approve("demo", version.id, { userId: rui.id, handle: "rui" }, "ok");
  }
  // The tool's answer echoes the hostile title: tool output, shown in the run's journal.
  const run = await app.versions.runActive({
    tenantId: "demo",
    workflow: "hostile-text",
    input: { title: hostile },
    trigger: { type: "manual" },
  });
  const { context, page } = await signIn("reviewer");
  for (const [url, name] of [
    [`${served.base}/console/versions/${version.id}`, "hostile-version"],
    [`${served.base}/console/runs/${run.runId}`, "hostile-run"],
  ] as const) {
    await page.goto(url);
    for (const details of await page.locator("details").all())
      await details.evaluate((d) => d.setAttribute("open", ""));
    const before = violations.length;
    await check(page, name);
    assert.deepEqual(violations.slice(before), [], `axe-core on ${name}`);
    const pwned = await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned);
    assert.equal(pwned, undefined, `${name}: no script from the workflow ran`);
    assert.equal(await page.locator("main script, main img[src='x']").count(), 0, `${name}: no element from the text`);
    assert.match(await textOf(page, "main"), /<script>window\.__pwned = 1<\/script>/, `${name} shows the text`);
  }
  await context.close();
});
