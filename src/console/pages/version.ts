/**
 * The version page, where a reviewer decides: what the version does (its plan in plain language and
 * a graph drawn from its code), what it may call and what is new since the active version, its
 * source and diff, its checks, how it was planned, the decisions so far under the tenant's policy,
 * and the actions open to the signed-in user (submit; approve or reject with a comment). A decision
 * names the hashes the page showed and is refused when the version no longer has them.
 */
import { inArray } from "drizzle-orm";
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { html } from "hono/html";
import type { App } from "../../app.ts";
import { loadTenantConfig } from "../../config/tenant-config.ts";
import { CharterError } from "../../core/errors.ts";
import type { WorkflowPlan } from "../../core/plan.ts";
import { renderPlan } from "../../planner/plan/render.ts";
import { httpStatus } from "../../server/http-status.ts";
import type { ApprovalRow, VersionRow } from "../../store/index.ts";
import { users } from "../../store/schema.ts";
import type { VersionDiff } from "../../versions/version-diff.ts";
import { graphSvg, workflowGraph } from "../graph.ts";
import { highlightedSource, unifiedDiff } from "../highlight.ts";
import type { ConsoleOptions } from "../index.ts";
import { csrfField, type Html, navCounts, page, when } from "../layout.ts";
import { may } from "../roles.ts";
import type { ConsoleSession, ConsoleVars } from "../session.ts";
import { riskBadges, statusBadge, versionLabel, versionLink } from "./parts.ts";

const APPROVE = "/api/v1/tenants/:tenant/versions/:ref/approve";
const REJECT = "/api/v1/tenants/:tenant/versions/:ref/reject";
const SUBMIT = "/api/v1/tenants/:tenant/versions/:ref/submit";
const HASH_FIELDS = ["sourceHash", "bundleHash", "catalogHash", "sdkHash"] as const;
/** What a notice after an action says; the query names one of these, never text of its own. */
const NOTICES: Record<string, string> = {
  submitted: "Submitted for review.",
  approved: "Approved: this version is now the active one.",
  recorded: "Your approval is recorded; the policy needs another reviewer's too.",
  rejected: "Rejected.",
};
const MAX_TRANSCRIPT = 200_000;

type Problem = { status: ContentfulStatusCode; message: string };
type Shown = { problem?: Problem | undefined; notice?: string | undefined };

/** A refusal the console itself makes (a missing comment, stale hashes), with its status. */
class ConsoleProblem extends Error {
  readonly status: ContentfulStatusCode;
  constructor(status: ContentfulStatusCode, message: string) {
    super(message);
    this.status = status;
  }
}

/** A refusal or failure a person can act on, in Charter's words; anything else is thrown on. */
function problemOf(error: unknown): Problem {
  if (error instanceof ConsoleProblem) return { status: error.status, message: error.message };
  if (error instanceof CharterError) return { status: httpStatus(error.code), message: error.message };
  throw error;
}

/** Users' handles by id (the identity repository looks users up only by handle so far). */
async function handles(app: App, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await app.database.db
    .select({ id: users.id, handle: users.handle })
    .from(users)
    .where(inArray(users.id, unique));
  return new Map(rows.map((row) => [row.id, row.handle]));
}

const hashesOf = (v: VersionRow) => ({
  sourceHash: v.sourceHash,
  bundleHash: v.bundleHash ?? "",
  catalogHash: v.catalogHash,
  sdkHash: v.sdkHash,
});

type Policy = { two: boolean; required: number } | { problem: string };

/** How many approvals activate the version: what VersionService.approve decides by. */
async function policyOf(app: App, version: VersionRow): Promise<Policy> {
  try {
    const { policies } = (await loadTenantConfig(app.env.tenantsDir, version.tenantId)).config;
    const destructive = version.capabilities.some((c) => c.annotations.destructive);
    return {
      two: policies.twoApproversForDestructive,
      required: policies.twoApproversForDestructive && destructive ? 2 : 1,
    };
  } catch (error) {
    return { problem: problemOf(error).message }; // a tenant file that cannot be read: said on the page
  }
}

export function registerVersion(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  const { app, rules } = options;

  const show = async (c: Context<ConsoleVars>, shown: Shown = {}) => {
    const session = c.get("session");
    let version: VersionRow;
    try {
      version = await app.versions.find(session.tenantId, c.req.param("id") ?? "");
    } catch (error) {
      const problem = problemOf(error);
      const counts = await navCounts(app, session);
      const body = html`<p class="problem" role="alert">${problem.message}</p>`;
      return c.html(page({ title: "Version not found", session, counts, body }), problem.status);
    }
    const body = await versionBody(options, session, version, shown);
    const counts = await navCounts(app, session);
    return c.html(page({ title: versionLabel(version), session, counts, body }), shown.problem?.status ?? 200);
  };

  console.get("/versions/:id", (c) => {
    const notice = NOTICES[c.req.query("done") ?? ""];
    return show(c, { notice });
  });

  /** Runs an action; a refusal is shown on the version page with its status, success redirects back. */
  const act =
    (handler: (c: Context<ConsoleVars>, session: ConsoleSession, form: Form) => Promise<[VersionRow, string]>) =>
    async (c: Context<ConsoleVars>) => {
      const session = c.get("session");
      const form = await c.req.parseBody();
      try {
        const [version, done] = await handler(c, session, form);
        return c.redirect(`/console/versions/${encodeURIComponent(version.id)}?done=${done}`, 303);
      } catch (error) {
        return show(c, { problem: problemOf(error) });
      }
    };

  console.post(
    "/versions/:id/submit",
    act(async (c, session) => {
      if (!may(rules, session, "post", SUBMIT)) throw refused(session, "submit versions");
      return [await app.versions.submit(session.tenantId, c.req.param("id") ?? "", session.actor), "submitted"];
    }),
  );

  const decide = (verb: "approve" | "reject") =>
    act(async (c, session, form) => {
      const version = await app.versions.find(session.tenantId, c.req.param("id") ?? "");
      refuseUnlessDecider(rules, session, version, verb);
      const comment = typeof form["comment"] === "string" ? form["comment"].trim() : "";
      if (comment.length === 0 || comment.length > 4000)
        throw new ConsoleProblem(
          400,
          `Say why you ${verb} this version: a comment of 1 to 4000 characters is required.`,
        );
      const current = hashesOf(version);
      const changed = HASH_FIELDS.filter((field) => form[field] !== current[field]);
      if (changed.length > 0)
        throw new ConsoleProblem(
          409,
          `Not ${verb === "approve" ? "approved" : "rejected"}: ${versionLabel(version)} is not what the page you ` +
            `decided on showed (${changed.join(", ")} differ). Reload the page, look at it again and decide then.`,
        );
      if (verb === "reject")
        return [await app.versions.reject(session.tenantId, version.id, session.actor, comment), "rejected"];
      const decided = await app.versions.approve(session.tenantId, version.id, session.actor, comment);
      return [decided.version, decided.activated ? "approved" : "recorded"];
    });
  console.post("/versions/:id/approve", decide("approve"));
  console.post("/versions/:id/reject", decide("reject"));
}

type Form = Record<string, string | File | (string | File)[]>;

const refused = (session: ConsoleSession, what: string) =>
  new CharterError("NOT_AUTHORIZED", `${session.actor.handle} may not ${what} in tenant ${session.tenantId}`);

/**
 * Who may decide: the REST routes' roles (reviewer) and never the author. The service checks the
 * rest (who appointed whom, whose keys).
 */
function mayDecide(rules: ConsoleOptions["rules"], session: ConsoleSession, version: VersionRow): boolean {
  return (
    may(rules, session, "post", APPROVE) &&
    may(rules, session, "post", REJECT) &&
    version.authorId !== session.actor.userId
  );
}

function refuseUnlessDecider(
  rules: ConsoleOptions["rules"],
  session: ConsoleSession,
  version: VersionRow,
  verb: string,
): void {
  if (version.authorId === session.actor.userId)
    throw new CharterError(
      "SELF_APPROVAL",
      `${session.actor.handle} wrote ${versionLabel(version)} and can never ${verb} it; another reviewer must`,
    );
  if (!mayDecide(rules, session, version)) throw refused(session, `${verb} versions (that needs the reviewer role)`);
}

async function versionBody(
  options: ConsoleOptions,
  session: ConsoleSession,
  version: VersionRow,
  shown: Shown,
): Promise<Html> {
  const { app, rules } = options;
  const [active, approvals, parent, policy] = await Promise.all([
    app.versionRepository.activeVersion(session.tenantId, version.workflow),
    app.versionRepository.approvals(version.id),
    version.parentVersionId ? app.versionRepository.byId(version.parentVersionId) : undefined,
    policyOf(app, version),
  ]);
  const diff =
    active && active.id !== version.id ? await app.versions.diff(session.tenantId, active.id, version.id) : undefined;
  const names = await handles(app, [version.authorId, ...approvals.map((a) => a.userId)]);
  const graph = workflowGraph(version.source, version.capabilities, version.triggers.triggers);
  const problem = shown.problem
    ? html`<p class="problem" role="alert">${shown.problem.message}</p>`
    : shown.notice
      ? html`<p class="notice" role="status">${shown.notice}</p>`
      : "";
  const label = versionLabel(version);
  const drifted = version.drift?.breaking.length
    ? html` <span class="muted">tools it calls changed since approval</span>`
    : "";
  const activeShown = active ? (active.id === version.id ? "this one" : versionLink(active)) : "none yet";
  const unplaced = graph.unplaced.map((c) => `${c.integration}.${c.tool}`).join(", ");
  const compared =
    diff && active
      ? html`<h3>Changes since the active version ${versionLabel(active)}</h3><p>${diff.summary}</p>
${unifiedDiff(diff.source, `Changes from ${diff.from} to ${diff.to}`)}`
      : html`<p class="muted">${
          active ? "This is the active version." : "There is no active version to compare with."
        }</p>`;
  return html`${problem}
<section aria-labelledby="about"><h2 id="about">About this version</h2>
<dl class="facts">
  <dt>Status</dt><dd>${statusBadge(version.status)}${drifted}</dd>
  <dt>Author</dt><dd>${names.get(version.authorId) ?? version.authorId}</dd>
  <dt>Created</dt><dd>${when(version.createdAt)}</dd>
  <dt>Parent</dt><dd>${parent && parent.tenantId === version.tenantId ? versionLink(parent) : "none"}</dd>
  <dt>Active version</dt><dd>${activeShown}</dd>
</dl>
${graph.description ? html`<p class="description">${graph.description}</p>` : ""}
</section>
${planSection(version)}
<section aria-labelledby="graph"><h2 id="graph">Its steps, drawn from the code</h2>
${graph.problem ? html`<p class="muted">${graph.problem}</p>` : ""}
${drawing(options.drawings, version.id, graph, label)}
${unplaced ? html`<p class="muted">Also may call (in code the drawing does not follow): ${unplaced}</p>` : ""}
${graphAsText(graph)}
</section>
${capabilitiesSection(version, active, diff)}
<section aria-labelledby="source"><h2 id="source">Source</h2>
${highlightedSource(version.source, `Source of ${label}`)}
${compared}
</section>
${checksSection(version)}
${plannerSection(version)}
${reviewSection(rules, session, version, approvals, names, policy)}`;
}

function planSection(version: VersionRow): Html {
  const origin = version.origin;
  const plan: WorkflowPlan | undefined = origin?.plan;
  let text: string | undefined;
  try {
    text = plan ? renderPlan(plan) : undefined;
  } catch {
    text = undefined; // a stored plan this code cannot read: said below
  }
  const heading = html`<h2 id="plan">What it does</h2>${
    origin?.request ? html`<p>Asked for:</p><blockquote class="said">${origin.request}</blockquote>` : ""
  }`;
  if (!plan)
    return html`<section aria-labelledby="plan">${heading}
<p>No plan: this version was written by hand. Read the graph and the source below to see what it does.</p></section>`;
  const checks = plan.checks ?? [];
  const shown =
    text === undefined
      ? html`<p class="problem">The stored plan cannot be shown.</p>`
      : html`<pre class="plan">${text}</pre>`;
  return html`<section aria-labelledby="plan">${heading}
${shown}
${
  checks.length
    ? html`<ul class="checks">${checks.map((check) => html`<li>checked live: ${check}</li>`)}</ul>`
    : html`<p class="muted">Nothing was checked against the live systems while planning.</p>`
}</section>`;
}

function graphAsText(graph: ReturnType<typeof workflowGraph>): Html {
  const label = new Map(graph.nodes.map((n) => [n.id, n.lines.join(", ")]));
  return html`<details><summary>The steps as text</summary><ol class="steps">${graph.nodes.map((node) => {
    const next = graph.edges
      .filter((e) => e.from === node.id)
      .map((e) => `${e.label ? `${e.label}: ` : ""}${label.get(e.to) ?? e.to}`);
    const then = next.length ? html` <span class="muted">→ ${next.join("; ")}</span>` : "";
    return html`<li>${node.kind}: ${node.lines.join(", ")}${then}</li>`;
  })}</ol></details>`;
}

function capabilitiesSection(version: VersionRow, active: VersionRow | undefined, diff: VersionDiff | undefined): Html {
  const key = (c: { integration: string; tool: string }) => `${c.integration}.${c.tool}`;
  const added = new Set(diff?.added.map(key));
  const undeclared = html`<span class="muted">(hints not declared by its server)</span>`;
  const isNew = html`<span class="badge new">new since the active version</span>`;
  const rows = version.capabilities.map(
    (c) => html`<tr><td><code>${key(c)}</code></td><td><code>${c.sdkFunction}</code></td>
<td>${riskBadges(c)}${c.annotations.declared ? "" : undeclared}</td>
<td>${added.has(key(c)) ? isNew : ""}</td></tr>`,
  );
  const against = active && active.id !== version.id ? `Compared with ${versionLabel(active)}` : "Change";
  return html`<section aria-labelledby="capabilities"><h2 id="capabilities">What it may call</h2>
${
  version.capabilities.length === 0
    ? html`<p class="empty">It calls no tools.</p>`
    : html`<table><thead><tr><th scope="col">Tool</th><th scope="col">SDK function</th><th scope="col">Risk</th>
<th scope="col">${against}</th></tr></thead>
<tbody>${rows}</tbody></table>`
}
${diff?.removed.length ? html`<p>No longer calls: ${diff.removed.map(key).join(", ")}</p>` : ""}
</section>`;
}

function checksSection(version: VersionRow): Html {
  const outcome = (ok: boolean) =>
    html`<span class="badge ${ok ? "status-succeeded" : "status-failed"}">${ok ? "passed" : "failed"}</span>`;
  const tests = version.gates.flatMap((g) => g.tests ?? []);
  const declared = version.tests?.tests ?? [];
  return html`<section aria-labelledby="checks"><h2 id="checks">Checks</h2>
<table><thead><tr><th scope="col">Gate</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead>
<tbody>${version.gates.map(
    (g) => html`<tr><td>${g.gate}</td><td>${outcome(g.ok)}</td><td class="description">${g.detail}</td></tr>`,
  )}</tbody></table>
${
  tests.length
    ? html`<h3>Tests</h3><table><thead><tr><th scope="col">Test</th><th scope="col">Result</th>
<th scope="col">Problems</th><th scope="col">Calls</th></tr></thead><tbody>${tests.map(
        (t) => html`<tr><td>${t.name}</td><td>${outcome(t.ok)}</td><td class="description">${t.problems.join("\n")}</td>
<td>${t.calls.map((call) => `${call.tool}${call.ok ? "" : " (failed)"}`).join(", ")}</td></tr>`,
      )}</tbody></table>`
    : ""
}
${
  declared.length
    ? html`<details><summary>The tests as written (${declared.length})</summary>
<pre>${JSON.stringify(declared, null, 2)}</pre></details>`
    : html`<p class="muted">It carries no tests.</p>`
}
</section>`;
}

type Usage = { inputTokens?: number; outputTokens?: number; cacheReadTokens?: number; cacheWriteTokens?: number };

function plannerSection(version: VersionRow): Html | "" {
  const transcript = version.origin?.transcript;
  if (transcript === undefined || transcript === null) return "";
  // The planner stores { planner, transcript, usage } (usage as it stood when the draft was submitted).
  const record =
    typeof transcript === "object" && !Array.isArray(transcript) ? (transcript as Record<string, unknown>) : {};
  const usage = (record["usage"] ?? undefined) as
    | (Usage & { costUsd?: number; turns?: number; model?: string })
    | undefined;
  const number = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? n : 0);
  const tokens = usage
    ? number(usage.inputTokens) +
      number(usage.outputTokens) +
      number(usage.cacheReadTokens) +
      number(usage.cacheWriteTokens)
    : 0;
  let text = JSON.stringify("transcript" in record ? record["transcript"] : transcript, null, 2) ?? "";
  const cut = text.length > MAX_TRANSCRIPT ? text.length - MAX_TRANSCRIPT : 0;
  if (cut) text = text.slice(0, MAX_TRANSCRIPT);
  return html`<section aria-labelledby="planner"><h2 id="planner">How it was planned</h2>
<dl class="facts"><dt>Planner</dt><dd>${typeof record["planner"] === "string" ? record["planner"] : "unknown"}</dd>
${
  usage && typeof usage === "object"
    ? html`<dt>Tokens</dt><dd>${tokens} (${number(usage.inputTokens)} in, ${number(usage.outputTokens)} out,
${number(usage.cacheReadTokens)} cache read, ${number(usage.cacheWriteTokens)} cache write)
over ${number(usage.turns)} turns</dd>
<dt>Cost</dt><dd>$${number(usage.costUsd).toFixed(4)}</dd>`
    : html`<dt>Usage</dt><dd>none recorded (the offline planner uses no model)</dd>`
}</dl>
<details><summary>Transcript</summary><pre class="transcript">${text}</pre>${
    cut ? html`<p class="muted">${cut} more characters not shown.</p>` : ""
  }</details></section>`;
}

function reviewSection(
  rules: ConsoleOptions["rules"],
  session: ConsoleSession,
  version: VersionRow,
  approvals: ApprovalRow[],
  names: Map<string, string>,
  policy: Policy,
): Html {
  const approved = approvals.filter((a) => a.decision === "approve").length;
  const mine = approvals.find((a) => a.userId === session.actor.userId);
  const isAuthor = version.authorId === session.actor.userId;
  const hashes = hashesOf(version);
  const hidden = HASH_FIELDS.map((field) => html`<input type="hidden" name="${field}" value="${hashes[field]}">`);
  const action = (verb: string) => `/console/versions/${encodeURIComponent(version.id)}/${verb}`;
  const form = (verb: "approve" | "reject", button: Html) => html`<form method="post" action="${action(verb)}">
${csrfField(session)}${hidden}
<label for="${verb}-comment">Comment (required): why you ${verb}</label>
<textarea id="${verb}-comment" name="comment" required maxlength="4000"></textarea>
${button}</form>`;
  let actions: Html | string = "";
  if (version.status === "checks-passed" && isAuthor)
    actions = html`<form method="post" action="${action("submit")}">${csrfField(session)}
<button type="submit">Submit for review</button></form>`;
  else if (version.status === "in-review" && mine)
    actions = html`<p>You ${mine.decision === "approve" ? "approved" : "rejected"} this version
${when(mine.createdAt)}.</p>`;
  else if (version.status === "in-review" && mayDecide(rules, session, version))
    actions = html`<div class="decide">${form("approve", html`<button type="submit">Approve</button>`)}
${form("reject", html`<button type="submit" class="danger">Reject</button>`)}</div>`;
  else if (version.status === "in-review")
    actions = html`<p class="muted">${
      isAuthor ? "You wrote this version: another reviewer must decide." : "Deciding needs the reviewer role."
    }</p>`;
  const rule =
    "problem" in policy
      ? html`The tenant's policy cannot be read (${policy.problem}).`
      : policy.two
        ? "Tenant policy: a version that can call a destructive tool needs two different reviewers; others need one."
        : "Tenant policy: one reviewer's approval activates a version.";
  const required = "problem" in policy ? undefined : policy.required;
  const decision = (a: ApprovalRow) =>
    html`<li>${statusBadge(a.decision === "approve" ? "approved" : "rejected")} ${names.get(a.userId) ?? a.userId}
<span class="muted">${when(a.createdAt)}</span> <span class="description">${a.comment}</span></li>`;
  return html`<section aria-labelledby="review"><h2 id="review">Review</h2>
<p>${rule}${
    required === undefined
      ? html` <strong>${approved} approved</strong> so far.`
      : html` This version needs ${required === 1 ? "one reviewer" : `${required} reviewers`}:
<strong>${approved} of ${required}</strong> so far.`
  }</p>
${approvals.length ? html`<ul class="rows">${approvals.map(decision)}</ul>` : html`<p class="empty">No decisions.</p>`}
<h3>What a decision is bound to</h3>
<dl class="facts hashes">${HASH_FIELDS.map(
    (field) => html`<dt>${field}</dt><dd><code>${hashes[field] || "none"}</code></dd>`,
  )}</dl>
${actions}
${
  may(rules, session, "post", "/api/v1/tenants/:tenant/plans")
    ? html`<p><a href="/console/describe?from=${encodeURIComponent(versionLabel(version))}">Revise</a>:
describe a change, and plan a new version from this one.</p>`
    : ""
}
</section>`;
}

/**
 * Laying a graph out is superlinear in its size and blocks the process (every request and run waits):
 * a graph past DRAW_LIMIT is given as text only, and a drawing is kept per version, which never changes.
 */
const DRAW_LIMIT = { nodes: 40, edges: 60 };

function drawing(
  drawings: Map<string, Html>,
  versionId: string,
  graph: ReturnType<typeof workflowGraph>,
  label: string,
): Html {
  if (graph.nodes.length > DRAW_LIMIT.nodes || graph.edges.length > DRAW_LIMIT.edges)
    return html`<p class="muted">${graph.nodes.length} steps and ${graph.edges.length} paths are too many to draw
here; they are listed as text below.</p>`;
  let drawn = drawings.get(versionId);
  if (!drawn) {
    drawn = html`<div class="graph">${graphSvg(graph, { id: "workflow-graph", title: `Steps of ${label}` })}</div>`;
    if (drawings.size >= 200) drawings.delete(drawings.keys().next().value ?? "");
    drawings.set(versionId, drawn);
  }
  return drawn;
}
