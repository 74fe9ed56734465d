/**
 * The planner's end-state evaluation, one case at a time, through the real path: a fresh demo
 * tenant (its own servers and an embedded database) → plan → gates → approval by another user →
 * the trigger (a schedule tick as the dispatcher passes it, a resource event after changing the
 * server's state, a signed webhook through the HTTP face, a manual run) → assertions on what the
 * demo servers hold afterwards. A case is correct, wrong, asked or refused; nothing else counts.
 */
import path from "node:path";
import { type App, createApp } from "../../src/app.ts";
import { tenantConnections } from "../../src/catalog/index.ts";
import { PlannerDeclined } from "../../src/core/errors.ts";
import { triggerInput } from "../../src/core/workflow.ts";
import { createHttpApp, sign } from "../../src/server/index.ts";
import type { VersionRow } from "../../src/store/index.ts";
import { embeddedTestDatabase } from "../helpers/databases.ts";
import { authorAndReviewer, submitAndApprove } from "../helpers/reviewed.ts";

const TENANTS = path.join(import.meta.dirname, "../../tenants");

// Tool results are JSON the assertions read freely.
export type Json = Record<string, any>;

/** The demo servers as the assertions see them: read-only calls, and a few reads made readable. */
export type Demo = {
  call: (tool: string, args?: Record<string, unknown>) => Promise<Json>;
  history: (channel: string) => Promise<string>;
  pages: () => Promise<{ user_email: string; message: string }[]>;
  directMessages: () => Promise<{ user_email: string; text: string }[]>;
  onCallEmail: () => Promise<string>;
};

export type Trigger =
  | { kind: "manual"; input: Record<string, unknown> }
  | { kind: "schedule" }
  | { kind: "webhook"; body: Record<string, unknown> }
  | { kind: "resource"; integration: string; uri: string; change: (demo: Demo) => Promise<void> };

export type DraftExpectation = {
  /** The trigger the version must declare (fields compared). */
  declares?: Record<string, unknown>;
  setup?: (demo: Demo) => Promise<void>;
  triggers: Trigger[];
  /** What must hold afterwards: a list of problems, empty when it holds. */
  check: (demo: Demo, runs: { status: string; output: unknown; error: unknown }[]) => Promise<string[]>;
};

export type EvalCase = {
  id: string;
  request: string;
  /** Part of the subset `npm test` runs. */
  ci?: boolean;
  /** What a correct answer is: a draft that does this, or a question/refusal about the named part. */
  expect: { draft: DraftExpectation } | { declined: "refused" | "needs-input" | "either"; about: RegExp };
};

export type Verdict = "correct" | "wrong" | "asked" | "refused";
export type CaseResult = {
  id: string;
  request: string;
  expected: "draft" | "declined";
  verdict: Verdict;
  answer: string;
  reason: string;
  ms: number;
};

/** Runs one case on a fresh demo tenant; never throws (a crash is a wrong answer, with its message). */
export async function runCase(
  test: EvalCase,
  options: { env?: Record<string, string | undefined> } = {},
): Promise<CaseResult> {
  const started = performance.now();
  const done = (verdict: Verdict, answer: string, reason: string): CaseResult => ({
    id: test.id,
    request: test.request,
    expected: "draft" in test.expect ? "draft" : "declined",
    verdict,
    answer,
    reason,
    ms: Math.round(performance.now() - started),
  });
  let app: App | undefined;
  try {
    app = await createApp({
      processEnv: { ...(options.env ?? {}), CHARTER_TENANTS_DIR: TENANTS },
      database: await embeddedTestDatabase(),
    });
    const synced = await app.sync("demo");
    if (!synced.result.ok)
      return done(
        "wrong",
        "error",
        `the demo tenant did not sync: ${JSON.stringify(synced.result.integrations.filter((i) => i.status === "failed"))}`,
      );
    const people = await authorAndReviewer(app, "demo");
    let version: VersionRow;
    try {
      version = (await app.planner.plan({ tenantId: "demo", request: test.request, author: people.author })).version;
    } catch (error) {
      if (!(error instanceof PlannerDeclined))
        return done(
          "wrong",
          "error",
          `the planner failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
        );
      const answer = error.outcome === "refused" ? "refused" : "asked";
      const said =
        `${error.outcome === "refused" ? "refused" : "asked"} about "${error.clause}": ${error.reason}`.slice(0, 300);
      if ("draft" in test.expect) return done(answer, answer, said);
      const kindOk = test.expect.declined === "either" || test.expect.declined === error.outcome;
      const aboutOk = test.expect.about.test(`${error.clause} ${error.reason}`);
      return kindOk && aboutOk
        ? done("correct", answer, said)
        : done("wrong", answer, `expected a ${test.expect.declined} about ${test.expect.about}; ${said}`);
    }
    if (!("draft" in test.expect))
      return done(
        "wrong",
        "draft",
        `made draft ${version.workflow}@${version.number} for a request it should have declined (${test.expect.about})`,
      );
    if (version.status !== "checks-passed")
      return done("wrong", "draft", `the draft's gates failed: ${JSON.stringify(version.gates).slice(0, 300)}`);
    const expectation = test.expect.draft;
    // A workflow run only by hand declares no trigger.
    const declared = ((version.triggers as { triggers?: Record<string, unknown>[] }).triggers ?? [])[0] ?? {
      type: "manual",
    };
    if (expectation.declares) {
      const wrong = Object.entries(expectation.declares).filter(
        ([key, value]) => JSON.stringify(declared?.[key]) !== JSON.stringify(value),
      );
      if (wrong.length > 0)
        return done(
          "wrong",
          "draft",
          `declares the trigger ${JSON.stringify(declared ?? { type: "manual" })}, expected ${JSON.stringify(expectation.declares)}`,
        );
    }
    await submitAndApprove(app, "demo", version.id, people);
    const demo = await demoOf(app);
    await expectation.setup?.(demo);
    const runs: { status: string; output: unknown; error: unknown }[] = [];
    for (const trigger of expectation.triggers) runs.push(await fire(app, version.workflow, trigger, demo));
    const problems = await expectation.check(demo, runs);
    return problems.length === 0
      ? done("correct", "draft", `${version.workflow}@${version.number}: ${runs.map((r) => r.status).join(", ")}`)
      : done("wrong", "draft", `${version.workflow}@${version.number}: ${problems.join("; ")}`.slice(0, 600));
  } catch (error) {
    return done(
      "wrong",
      "error",
      `the evaluation failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
    );
  } finally {
    await app?.close();
  }
}

async function demoOf(app: App): Promise<Demo> {
  const { specs } = await tenantConnections({ env: app.env, processEnv: process.env, tenantId: "demo" });
  const call = async (tool: string, args: Record<string, unknown> = {}): Promise<Json> => {
    const [integration, name] = [tool.slice(0, tool.indexOf(".")), tool.slice(tool.indexOf(".") + 1)];
    const spec = specs.get(integration);
    if (!spec) throw new Error(`no integration ${integration}`);
    const result = await app.pool.request(spec, `calling ${tool}`, (client, options) =>
      client.callTool({ name, arguments: args }, undefined, options),
    );
    if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`);
    return (result.structuredContent ?? {
      text: (result.content as { text?: string }[]).map((c) => c.text ?? "").join("\n"),
    }) as Json;
  };
  return {
    call,
    history: async (channel) => String((await call("chat.get_channel_history", { channel, limit: 200 }))["text"] ?? ""),
    pages: async () => (await call("chat.list_pages", { limit: 200 }))["pages"],
    directMessages: async () => (await call("chat.list_direct_messages", { limit: 200 }))["messages"],
    onCallEmail: async () => String((await call("directory.get_on_call", {}))["user"]["email"]),
  };
}

async function fire(
  app: App,
  workflow: string,
  trigger: Trigger,
  demo: Demo,
): Promise<{ status: string; output: unknown; error: unknown }> {
  switch (trigger.kind) {
    case "manual":
      return app.versions.runActive({ tenantId: "demo", workflow, input: trigger.input, trigger: { type: "manual" } });
    case "schedule":
      return app.versions.runActive({
        tenantId: "demo",
        workflow,
        input: triggerInput.schedule(),
        trigger: { type: "schedule" },
      });
    case "resource": {
      await trigger.change(demo);
      const { specs } = await tenantConnections({ env: app.env, processEnv: process.env, tenantId: "demo" });
      const spec = specs.get(trigger.integration);
      if (!spec) throw new Error(`no integration ${trigger.integration}`);
      const read = await app.pool.request(spec, `reading ${trigger.uri}`, (client, options) =>
        client.readResource({ uri: trigger.uri }, options),
      );
      const text = String((read.contents[0] as { text?: string } | undefined)?.text ?? "");
      return app.versions.runActive({
        tenantId: "demo",
        workflow,
        input: triggerInput.resource(trigger.uri, text),
        trigger: { type: "resource", detail: { uri: trigger.uri } },
      });
    }
    case "webhook": {
      const operator = await app.identity.ensureUser("olga");
      await app.identity.grant("demo", operator.id, "operator");
      const key = await app.identity.createKey("demo", operator.id);
      const http = await createHttpApp(app);
      const hook = (await (
        await http.request(`/api/v1/tenants/demo/workflows/${workflow}/webhook`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).json()) as { url: string; secret: string };
      const body = JSON.stringify(trigger.body);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await http.request(hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-charter-timestamp": timestamp,
          "x-charter-signature": sign(hook.secret, timestamp, body),
        },
        body,
      });
      const answered = (await response.json()) as {
        run?: { status: string; output: unknown; error: unknown };
        error?: unknown;
      };
      return answered.run ?? { status: `http ${response.status}`, output: null, error: answered.error ?? null };
    }
  }
}

/** The table and the rates, as `npm run eval:planner` prints them. */
export function report(results: CaseResult[]): string {
  const count = (verdict: Verdict) => results.filter((r) => r.verdict === verdict).length;
  const rate = (n: number) => `${((100 * n) / Math.max(1, results.length)).toFixed(0)} %`;
  const drafts = results.filter((r) => r.expected === "draft");
  const declines = results.filter((r) => r.expected === "declined");
  const rows = results.map(
    (r) =>
      `${r.verdict.padEnd(8)} ${r.answer.padEnd(8)} ${r.id.padEnd(24)} ${(r.ms / 1000).toFixed(1).padStart(5)} s  ${r.reason}`,
  );
  return [
    `verdict  answer   case                         time  why`,
    ...rows,
    "",
    `${results.length} requests: correct ${count("correct")} (${rate(count("correct"))}), wrong ${count("wrong")} (${rate(count("wrong"))}), asked ${count("asked")} (${rate(count("asked"))}), refused ${count("refused")} (${rate(count("refused"))})`,
    `  of ${drafts.length} that a tool can do: ${drafts.filter((r) => r.verdict === "correct").length} correct drafts, ${drafts.filter((r) => r.verdict === "asked" || r.verdict === "refused").length} asked or refused, ${drafts.filter((r) => r.verdict === "wrong").length} wrong`,
    `  of ${declines.length} that must be declined (no tool, no such trigger, a name that does not exist, a missing time): ${declines.filter((r) => r.verdict === "correct").length} declined naming the part, ${declines.filter((r) => r.verdict === "wrong").length} wrong`,
  ].join("\n");
}
