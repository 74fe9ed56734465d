/**
 * The plan between a request and its code: everyday schedule phrasing, coverage of every clause
 * (a plan that drops one is refused at submit, whoever made it), the description rendered from
 * the plan, and generated tests that catch code which does something other than the plan (a
 * wrong channel, a skipped branch, an ignored filter).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { PlannerDeclined } from "../src/core/errors.ts";
import type { WorkflowPlan } from "../src/core/plan.ts";
import { PlannerTools } from "../src/planner/index.ts";
import { CatalogView } from "../src/planner/offline/catalog.ts";
import { planRequest } from "../src/planner/offline/plan-request.ts";
import { readListPhrase } from "../src/planner/offline/filters.ts";
import { RequestText } from "../src/planner/offline/request-text.ts";
import { contextSentences } from "../src/planner/offline/asides.ts";
import { readSchedule } from "../src/planner/offline/schedule.ts";
import { checkPlan } from "../src/planner/plan/check.ts";
import { planToSource } from "../src/planner/plan/codegen.ts";
import { planToTests } from "../src/planner/plan/testgen.ts";
import type { PlanTool } from "../src/planner/plan/tools.ts";
import type { Actor } from "../src/versions/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO } from "./helpers/tenants.ts";

describe("schedules in everyday phrasing", () => {
  const cases: [string, Record<string, string> | "question"][] = [
    ["every Friday at 17:00 Europe/Berlin", { cron: "0 17 * * 5", timezone: "Europe/Berlin" }],
    ["every weekday at 9am", { cron: "0 9 * * 1-5" }],
    ["on weekdays at 5:30 pm", { cron: "30 17 * * 1-5" }],
    ["every monday and thursday at noon", { cron: "0 12 * * 1,4" }],
    ["every 15 minutes", { every: "15m" }],
    ["hourly", { every: "1h" }],
    ["every 2 hours", { every: "2h" }],
    ["daily at 06:00 in New York", { cron: "0 6 * * *", timezone: "America/New_York" }],
    ["on the first of every month at 8:00", { cron: "0 8 1 * *" }],
    ["on the 15th of each month at 7am Tokyo time", { cron: "0 7 15 * *", timezone: "Asia/Tokyo" }],
    ["every day at 18:00 UTC", { cron: "0 18 * * *" }],
    ["every Monday morning at 9", { cron: "0 9 * * 1" }],
    ["every evening at 6", { cron: "0 18 * * *" }],
    ["weekday mornings at 8:30 Berlin time", { cron: "30 8 * * 1-5", timezone: "Europe/Berlin" }],
    ["twice a day", { every: "12h" }],
    ["three times an hour", { every: "20m" }],
    ["daily", { every: "1d" }],
    ["every other day", { every: "2d" }],
    ["on 24 December 2026 at 15:00 Berlin time, just once", { at: "2026-12-24T15:00:00+01:00" }],
    ["one-off: on 15 January 2027 at 10:00 Sydney time", { at: "2027-01-15T10:00:00+11:00" }],
    ["every weekday", "question"],
    ["twice a week", "question"],
    ["every other day at 7pm", "question"],
    ["now and then", "question"],
    ["on the 31st of every month at 9:00", "question"],
  ];
  for (const [said, expected] of cases) {
    test(`"${said}"`, () => {
      const read = readSchedule(new RequestText(said));
      assert.ok(read, "read as a schedule");
      if (expected === "question") assert.ok("question" in read, JSON.stringify(read));
      else assert.deepEqual("trigger" in read ? read.trigger : read, { type: "schedule", ...expected });
    });
  }
});

describe("list phrases read by the item schema", () => {
  const schema = {
    type: "object",
    properties: {
      id: { type: "string" },
      priority: { type: "string", enum: ["P1", "P2", "P3", "P4"] },
      status: { type: "string", enum: ["new", "in_progress", "on_hold", "resolved", "closed"] },
      assignee: { anyOf: [{ type: "object", properties: { email: { type: "string" } } }, { type: "null" }] },
      created_at: { type: "string" },
      tags: { type: "array", items: { type: "string" } },
    },
  };
  const read = (phrase: string) => {
    const text = new RequestText(phrase);
    const found = readListPhrase(text, "incidents", schema, "item");
    return {
      conditions: found?.conditions.map(
        (c) => `${c.value.kind === "ref" ? c.value.path.join(".") : ""} ${c.op} ${JSON.stringify(c.operand ?? null)}`,
      ),
      left: text.leftover(),
    };
  };
  const cases: [string, string[]][] = [
    ["open P1 and P2 incidents", ['priority in ["P1","P2"]', 'status not-in ["resolved","closed"]']],
    ["open incidents older than 72 hours", ['status not-in ["resolved","closed"]', "created_at older-than-hours 72"]],
    [
      "P2 incidents that have been open for more than 12 hours",
      ['priority eq "P2"', "created_at older-than-hours 12", 'status not-in ["resolved","closed"]'],
    ],
    ["incidents that still have no owner", ["assignee empty null", 'status not-in ["resolved","closed"]']],
    ["unassigned p3 tickets", ['priority eq "P3"', "assignee empty null", 'status not-in ["resolved","closed"]']],
    [
      "new in progress incidents older than 2 days",
      ['status in ["new","in_progress"]', "created_at older-than-hours 48"],
    ],
    // What is said after the noun, in any order.
    [
      "incidents that are in status new with no assignee",
      ['status eq "new"', "assignee empty null", 'status not-in ["resolved","closed"]'],
    ],
    [
      "incidents with no assignee that are in progress",
      ['status eq "in_progress"', "assignee empty null", 'status not-in ["resolved","closed"]'],
    ],
    [
      "incidents that are in progress and were opened more than 48 hours ago",
      ['status eq "in_progress"', "created_at older-than-hours 48"],
    ],
    ["incidents opened in the last 24 hours", ["created_at newer-than-hours 24"]],
    ["P1 incidents created within the past hour", ['priority eq "P1"', "created_at newer-than-hours 1"]],
    ["incidents that have been new for more than 4 hours", ["created_at older-than-hours 4", 'status eq "new"']],
    ["incidents with the network tag", ['tags has "network"']],
  ];
  for (const [phrase, expected] of cases) {
    test(`"${phrase}"`, () => assert.deepEqual(read(phrase), { conditions: expected, left: [] }));
  }
  test("a word no field gives meaning to is left over, never dropped", () =>
    assert.deepEqual(read("critical incidents").left, ["critical"]));
});

describe("plans, coverage and generated tests on the demo tenant", () => {
  let app: App;
  let author: Actor;
  let catalog: CatalogView;
  let tools: Map<string, PlanTool>;
  const plannerTools = (request: string) =>
    new PlannerTools({
      toolchain: app.toolchain,
      catalogs: app.catalogs,
      versions: app.versions,
      context: { tenantId: "demo", author, origin: { request }, transcript: () => [] },
    });
  const plan = (request: string) => planRequest(request, catalog, { readResource: async () => "[]" });

  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    assert.ok((await app.sync("demo")).result.ok);
    const user = await app.identity.ensureUser("ana");
    await app.identity.grant("demo", user.id, "author");
    author = { userId: user.id, handle: "ana" };
    const view = await plannerTools("").catalog();
    catalog = new CatalogView(view.tools, view.resources);
    tools = new Map(view.tools.map((t) => [t.key, t]));
  });
  after(() => app.close());

  test("every clause of a request maps to plan elements, and the description is the plan's rendering", async () => {
    const planned = await plan("Every weekday at 9:00, post the number of unassigned P1 incidents to #incidents");
    assert.deepEqual(checkPlan(planned, tools).problems, []);
    assert.ok(
      planned.clauses.some((c) => /unassigned P1 incidents/i.test(c.text)),
      JSON.stringify(planned.clauses),
    );
    const source = planToSource(planned, tools);
    assert.match(source, /description: "At 09:00, Monday through Friday \(UTC\):\\n/);
    assert.match(source, /isEmpty\(/, "the unassigned filter is in the code");
  });

  test("a plan that drops a clause is refused at submit, even with code and tests that pass", async () => {
    const request = "Every weekday at 9:00, post the open P1 incidents to #it-ops, at most once per day";
    const full = await plan(request);
    // Drop the "at most once per day" clause and its step, as a careless planner would.
    const dropped: WorkflowPlan = structuredClone(full);
    const once = dropped.steps.findIndex((s) => s.kind === "once-per");
    const inner = dropped.steps[once];
    assert.ok(inner?.kind === "once-per");
    dropped.steps.splice(once, 1, ...inner.steps);
    dropped.clauses = dropped.clauses.filter((c) => !c.covers.includes(inner.id));
    const source = planToSource(dropped, tools);
    const tests = JSON.stringify(planToTests(dropped, tools));
    const planner = plannerTools(request);
    assert.equal((await planner.checkDraft(source, tests)).ok, true, "its own checks pass");
    const submitted = await planner.submit(source, tests, dropped);
    assert.equal(submitted.ok, false);
    assert.match(
      submitted.ok ? "" : submitted.reason,
      /leaves part of the request out: no clause covers "only"|no clause covers .*"most"/,
    );
    assert.equal(planner.submitted, undefined, "nothing stored");
  });

  test("a draft whose description is not its plan's, or that calls a tool its plan does not, is refused at submit", async () => {
    const request = "Page the on-call engineer with the input message";
    const planned = await plan(request);
    const source = planToSource(planned, tools);
    const tests = JSON.stringify(planToTests(planned, tools));
    const planner = plannerTools(request);
    const claimed = source.replace(
      /description: "[^"]*"/,
      'description: "Pages the on-call engineer and opens an incident"',
    );
    const refused = await planner.submit(claimed, tests, planned);
    assert.match(refused.ok ? "" : refused.reason, /description is not the plan's rendering/);
    const extra = structuredClone(planned);
    extra.steps = extra.steps.filter((s) => s.kind !== "call" || !s.tool.endsWith("page_user"));
    const mismatch = await planner.submit(source, tests, extra);
    assert.match(mismatch.ok ? "" : mismatch.reason, /the code can call chat\.page_user, which the plan does not/);
  });

  test("code that posts to the wrong channel, skips a branch or ignores a filter fails its own generated tests", async () => {
    const planner = plannerTools("gates");
    const check = async (request: string, mutate: (source: string) => string) => {
      const planned = await plan(request);
      const source = planToSource(planned, tools);
      const tests = JSON.stringify(planToTests(planned, tools));
      assert.equal((await planner.checkDraft(source, tests)).ok, true, "the generated code passes");
      const mutated = mutate(source);
      assert.notEqual(mutated, source, "the mutation applies");
      const result = await planner.checkDraft(mutated, tests);
      assert.equal(result.ok, false, `the generated tests catch: ${request}`);
      return result.gates.find((g) => g.gate === "tests")?.detail ?? "";
    };
    const request =
      'If there are more than 3 open P1 incidents, page the on-call engineer with the input message, otherwise post "All quiet" to #it-ops';
    assert.match(await check(request, (s) => s.replace('channel: "it-ops"', 'channel: "general"')), /channel/);
    assert.match(
      await check(request, (s) => s.replace(/if \(incidents_\.length > 3\)/, "if (incidents_.length > 3 || true)")),
      /expected/,
    );
    assert.match(
      await check("Every hour, post the open P2 incidents to #it-ops", (s) =>
        s.replace(/\.filter\(\(incidents_\) => [^;]*\);/, ";"),
      ),
      /\$contains|include|excludes|INC/,
    );
    assert.match(
      await check("Every hour, post the unassigned P2 incidents to #it-ops", (s) =>
        s.replace("(isEmpty(incidents_?.assignee))", "(true)"),
      ),
      /./,
    );
    // Each item once ever: code that forgets what earlier runs handled pages again, and its tests say so.
    const never =
      "Every 30 minutes, look for P1 incidents in status new and page the on-call engineer about each one. Never page twice for the same incident.";
    assert.match(
      await check(never, (s) => s.replace(/if \(incident_Handled\.has\(incident_Key\)\) continue;/, "")),
      /./,
    );
    // "If nobody is on call, … instead": code that pages the on-call engineer without a lookup result is caught.
    const nobody =
      "When a P1 incident is opened, page the on-call engineer; if nobody is on call, post it to #it-ops instead";
    assert.match(
      await check(nobody, (s) =>
        s.replace(
          /return undefined;/,
          'return { rotation: "sre-oncall", user: { id: "u-0", email: "nobody@example.com", name: "Nobody", department: "it", status: "active", groups: [] }, until: "" } as never;',
        ),
      ),
      /./,
    );
  });

  test("at most once a day limits what is done when the condition holds, not the check; never twice is per item", async () => {
    const limited = await plan(
      "Every hour, check whether any P1 incidents are open and if so post them in #incidents, but don't post more than once a day",
    );
    const branch = limited.steps.find((s) => s.kind === "if");
    assert.ok(branch?.kind === "if" && branch.then[0]?.kind === "once-per", JSON.stringify(limited.steps));
    const once = await plan(
      "Every 30 minutes, look for P1 incidents in status new and page the on-call engineer about each one. Never page twice for the same incident.",
    );
    const loop = once.steps.find((s) => s.kind === "for-each");
    assert.ok(
      loop?.kind === "for-each" && JSON.stringify(loop.once) === JSON.stringify(["id"]),
      JSON.stringify(once.steps),
    );
    assert.ok(planToTests(once, tools).tests.some((t) => /handled by an earlier run/.test(t.name)));
    const fallback = await plan(
      "Every day at 6am, page whoever is on call for the it-admins rotation with the number of open P1 incidents. If nobody is on call for it-admins, page Li Wen instead.",
    );
    const lookup = fallback.steps.find((s) => s.kind === "call" && s.tool === "directory.get_on_call");
    assert.ok(
      lookup?.kind === "call" && lookup.then?.length === 1 && (lookup.onFailure?.length ?? 0) > 0,
      JSON.stringify(fallback.steps),
    );
    assert.deepEqual(checkPlan(fallback, tools).problems, []);
  });

  test("how a request is asked, why, and what it restates are read narrowly: never a condition, limit or action waved through", async () => {
    const listOf = (planned: Awaited<ReturnType<typeof plan>>) => planned.steps.find((s) => s.kind === "list");
    // Asked politely, as "a workflow that posts", with a reason and thanks: the same plan as the bare request.
    const bare = await plan("Every day at 9, post the open P1 incidents to #it-ops");
    for (const asked of [
      "Could you post the open P1 incidents to #it-ops every day at 9?",
      "Can you set up a workflow that posts the open P1 incidents to #it-ops every day at 9?",
      "Every day at 9, post the open P1 incidents to #it-ops so the morning standup has them. Thanks!",
    ]) {
      const planned = await plan(asked);
      assert.deepEqual(checkPlan(planned, tools).problems, [], asked);
      assert.deepEqual(planned.steps, bare.steps, asked);
    }
    // A "so …" that carries a limit, a time or an action is not a reason: it is left over and named.
    for (const [request, part] of [
      ["Every day at 9, post the open P1 incidents to #it-ops so it only goes out once", /only goes out once/],
      ["Every day at 9, post the open P1 incidents to #it-ops so that Li Wen gets a DM", /Li Wen gets a DM/],
    ] as const) {
      await assert.rejects(
        plan(request),
        (error: unknown) => error instanceof PlannerDeclined && part.test(error.clause),
        request,
      );
    }
    // "Skip closed ones" after "open" changes nothing; "Skip P4s" adds its filter; "that aren't resolved or closed" is one.
    assert.deepEqual(
      listOf(await plan("Every day at 9, post the open incidents to #it-ops. Skip closed ones.")),
      listOf(await plan("Every day at 9, post the open incidents to #it-ops.")),
    );
    const skipped = listOf(await plan("Every day at 9, post the open incidents to #it-ops. Skip P4 ones."));
    assert.ok(
      skipped?.kind === "list" && skipped.where.some((c) => c.op === "ne" && c.operand === "P4"),
      JSON.stringify(skipped),
    );
    const negated = listOf(
      await plan("Every day at 9, post the P1 incidents that aren't resolved or closed to #it-ops."),
    );
    assert.ok(
      negated?.kind === "list" &&
        negated.where.some((c) => c.op === "not-in" && JSON.stringify(c.operand) === '["resolved","closed"]'),
      JSON.stringify(negated),
    );
    await assert.rejects(
      plan("Every day at 9, post the open incidents to #it-ops. Skip purple ones."),
      (error: unknown) => error instanceof PlannerDeclined && /purple/.test(error.clause),
    );
    // By hand with another trigger is refused, never one of them dropped.
    await assert.rejects(
      plan("Every day at 9, post the open incidents to #it-ops. I'll run it by hand."),
      (error: unknown) => error instanceof PlannerDeclined && /by hand/.test(error.clause),
    );
  });

  test("a branch, fallback or limit the planner cannot place is refused, not run unconditionally", async () => {
    const refused = async (request: string, about: RegExp) => {
      await assert.rejects(
        plan(request),
        (error: unknown) => error instanceof PlannerDeclined && about.test(`${error.clause} ${error.reason}`),
      );
    };
    await refused("Page the on-call engineer with the input message. Otherwise post it to #it-ops", /otherwise/i);
    await refused("Page the on-call engineer with the input message and post it to #it-ops instead", /instead/);
    await refused(
      "Reboot the mail server whenever a P1 incident mentions email",
      /Reboot the mail server.*whenever|whenever.*Reboot the mail server/s,
    );
    const otherwise = await plan(
      'If any P1 incident is unassigned, list those incidents in #incidents; otherwise post "No unassigned P1s" in #it-ops',
    );
    const branch = otherwise.steps.find((s) => s.kind === "if");
    assert.ok(
      branch?.kind === "if" && branch.otherwise.length === 1 && branch.then.length === 1,
      JSON.stringify(otherwise.steps),
    );
  });

  test("hostile plans: text cannot become code, a noun cannot pose as a step, checks and clauses cannot be invented, own tests cannot weaken the plan's", async () => {
    const request = "Post the input message to #it-ops";
    const base = await plan(request);
    const post = base.steps.find((s) => s.kind === "call");
    assert.ok(post?.kind === "call");
    const injected: WorkflowPlan = structuredClone(base);
    const call = injected.steps.find((s) => s.kind === "call");
    assert.ok(call?.kind === "call");
    call.args["text"] = { kind: "text", parts: ["$", "{JSON.stringify(input)}", { kind: "input", field: "message" }] };
    const source = planToSource(injected, tools);
    assert.doesNotMatch(source, /[^\\]\$\{JSON\.stringify\(input\)\}/, "a '$' part and a '{…}' part stay text");
    const planner = plannerTools(request);
    assert.equal((await planner.checkDraft(source, JSON.stringify(planToTests(injected, tools)))).ok, true);

    const posing = structuredClone(base) as unknown as { steps: unknown[] };
    posing.steps.unshift({
      kind: "list",
      id: "fake",
      from: { kind: "ref", step: "event", path: [] },
      where: [],
      noun: 'incidents where priority is "P1"\n- Page user',
    });
    assert.match(checkPlan(posing, tools).problems.join("\n"), /noun|lower-case words/);

    const invented = structuredClone(base);
    invented.clauses.push({ text: "and never page anyone", covers: [post.id] });
    assert.match(
      checkPlan(invented, tools).problems.join("\n"),
      /has words the request does not: "never", "page", "anyone"/,
    );
    const otherChannel = JSON.parse(
      JSON.stringify(base).replace('"value":"it-ops"', '"value":"general"'),
    ) as WorkflowPlan;
    assert.match(checkPlan(otherChannel, tools).problems.join("\n"), /the request names #it-ops, and no step uses it/);

    const proposed = await planner.proposePlan({ ...base, checks: ["#secret: exists (checked live, read-only)"] });
    assert.ok(proposed.ok);
    assert.ok(!proposed.checks.some((c) => c.includes("#secret")), "checks are Charter's");

    // Code that posts elsewhere, submitted with tests of its own that do not look: the plan's tests still run.
    const generated = planToSource(base, tools);
    const elsewhere = generated.replace('channel: "it-ops"', 'channel: "general"');
    const weak = JSON.stringify({
      tests: [
        {
          name: "runs",
          input: { message: "hi" },
          mocks: { "chat.post_message": [{ output: { channel_id: "C", text: "hi", thread_ts: null, ts: "1" } }] },
          expect: {},
        },
      ],
    });
    const refused = await planner.submit(elsewhere, weak, base);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? "" : refused.check.gates.map((g) => g.detail).join("\n"), /channel/);
  });

  test("tests exercise every branch, the failure path, an empty list and saved state", async () => {
    const withFallback = await plan(
      "Page the on-call engineer with the input message; if paging fails, post it in #it-ops instead",
    );
    const names = planToTests(withFallback, tools).tests.map((t) => t.name);
    assert.ok(
      names.some((n) => /chat\.page_user fails, so the fallback runs/.test(n)),
      names.join("\n"),
    );
    const event = await plan("When a P1 incident is opened, post it to #incidents, at most once per day");
    const eventNames = planToTests(event, tools).tests.map((t) => t.name);
    for (const expected of [
      /no incidents match/,
      /handled by an earlier run/,
      /already done this day/,
      /older than the window/,
    ])
      assert.ok(
        eventNames.some((n) => expected.test(n)),
        `${expected} in\n${eventNames.join("\n")}`,
      );
  });
});

describe("sentences read as context", () => {
  const catalog = new Set(["incident", "service", "priority", "vpn", "channel"]);
  const request = (extra: string) => `Every morning at 9, post the open P1 incidents in #it-ops. ${extra}`;
  test("a sentence that says why, and nothing a workflow could act on, is context", () => {
    assert.deepEqual(contextSentences(["People keep missing them"], request("People keep missing them."), catalog), [
      "People keep missing them.",
    ]);
    assert.deepEqual(contextSentences(["We always forget"], request("We always forget."), catalog), [
      "We always forget.",
    ]);
  });
  test("a sentence with a restriction, a time, a negation, an action, a number or a catalog word is not", () => {
    for (const extra of [
      "Only the ones for the vpn service.",
      "Not on weekends.",
      "Also page the boss.",
      "Keep it under 5.",
      "This is for the service desk.",
      "Skip it at night.",
      "Use the 'quiet' format.",
    ]) {
      const run = extra.replace(/\.$/, "");
      assert.equal(contextSentences([run], request(extra), catalog), undefined, extra);
    }
  });
  test("words that are not a whole sentence of the request are never context", () =>
    assert.equal(contextSentences(["keep missing them"], request("People keep missing them."), catalog), undefined));
});
