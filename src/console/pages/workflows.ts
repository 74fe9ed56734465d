/**
 * The workflows: each with its active version, its triggers (when a schedule fires next) and its
 * last runs; a workflow's page with its versions, its runs, and for operators a form to start a
 * run and one to roll back to an earlier approved version (the REST routes' calls and rules).
 */
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { RunRow, VersionRow } from "../../store/index.ts";
import type { ConsoleOptions } from "../index.ts";
import { csrfField, type Html, type NavCounts, navCounts, page, when } from "../layout.ts";
import { type Problem, problemOf } from "../problem.ts";
import { may, mustMay } from "../roles.ts";
import { inZone, nextFire, triggerText } from "../schedules.ts";
import type { ConsoleSession, ConsoleVars } from "../session.ts";
import { statusBadge, versionLink } from "./parts.ts";

const START = "/api/v1/tenants/:tenant/workflows/:workflow/runs";
const ROLLBACK = "/api/v1/tenants/:tenant/workflows/:workflow/rollback";
const PER_PAGE = 50;
const MAX_INPUT = 100_000;

const workflowHref = (name: string) => `/console/workflows/${encodeURIComponent(name)}`;
const runHref = (id: string) => `/console/runs/${encodeURIComponent(id)}`;
const pageNumber = (value: string | undefined) =>
  Math.min(Math.max(Number.parseInt(value ?? "1", 10) || 1, 1), 100_000);
const problemText = (problem: Problem | undefined) =>
  problem ? html`<p class="problem" role="alert">${problem.message}</p>` : "";

export function registerWorkflows(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  const { app, rules, dispatcher } = options;

  console.get("/workflows", async (c) => {
    const session = c.get("session");
    const tenantId = session.tenantId;
    // The names, and one active version a workflow: never the whole tenant's versions.
    const [all, active, drifted, counts] = await Promise.all([
      app.versionRepository.workflowNames(tenantId),
      app.versionRepository.activeVersions(tenantId),
      app.versionRepository.driftedVersions(tenantId),
      navCounts(app, session),
    ]);
    const number = pageNumber(c.req.query("page"));
    const shown = all.slice((number - 1) * PER_PAGE, number * PER_PAGE);
    const activeOf = new Map([...drifted, ...active].map((v) => [v.workflow, v]));
    const runs = await Promise.all(shown.map((workflow) => app.runRepository.list({ tenantId, workflow, limit: 3 })));
    const now = new Date();
    const rows = shown.map((workflow, index) => {
      const version = activeOf.get(workflow);
      return html`<tr>
  <th scope="row"><a href="${workflowHref(workflow)}">${workflow}</a></th>
  <td>${
    version
      ? html`${versionLink(version)} ${statusBadge(version.status)}`
      : html`<span class="muted">none approved yet</span>`
  }</td>
  <td>${version ? triggerList(version, now) : html`<span class="muted">none while no version is active</span>`}</td>
  <td>${runList(runs[index] ?? [])}</td>
</tr>`;
    });
    const body =
      all.length === 0
        ? html`<p class="empty">No workflows yet. <a href="/console/describe">Describe one</a>.</p>`
        : html`<table>
  <caption class="visually-hidden">Workflows, their active versions, triggers and last runs</caption>
  <thead><tr><th scope="col">Workflow</th><th scope="col">Active version</th><th scope="col">Triggers</th>
    <th scope="col">Last runs</th></tr></thead>
  <tbody>${rows}</tbody>
</table>
${pager("/console/workflows", number, all.length)}`;
    return c.html(page({ title: "Workflows", session, counts, current: "/console/workflows", body }));
  });

  /** A workflow's page; after a refused or failed action, with the problem and what was entered. */
  const workflowPage = async (c: Context<ConsoleVars>, name: string, after?: { problem: Problem; input?: string }) => {
    const session = c.get("session");
    const tenantId = session.tenantId;
    const number = pageNumber(c.req.query("page"));
    const [page_, earlier, active, runs, counts] = await Promise.all([
      app.versionRepository.pageOf(tenantId, name, { offset: (number - 1) * PER_PAGE, limit: PER_PAGE }),
      app.versionRepository.inStatus(tenantId, ["superseded"], { workflow: name, limit: 50 }),
      app.versionRepository.activeVersion(tenantId, name),
      app.runRepository.list({ tenantId, workflow: name, limit: 20 }),
      navCounts(app, session),
    ]);
    if (page_.total === 0) {
      c.status(404);
      const body = html`<p>No workflow "${name}" in tenant ${tenantId}.
  See <a href="/console/workflows">the workflows</a>.</p>`;
      return c.html(page({ title: "No such workflow", session, counts, current: "/console/workflows", body }));
    }
    c.status(after?.problem.status ?? 200);
    const data = { versions: page_.rows, total: page_.total, earlier, active, runs, number };
    const body = workflowBody(session, name, data, after);
    return c.html(page({ title: `Workflow ${name}`, session, counts, current: "/console/workflows", body }));
  };

  const workflowBody = (
    session: ConsoleSession,
    name: string,
    data: {
      /** One page of the workflow's versions, newest first, of `total`. */
      versions: VersionRow[];
      total: number;
      /** The most recent versions it can roll back to. */
      earlier: VersionRow[];
      active: VersionRow | undefined;
      runs: Omit<RunRow, "logs">[];
      number: number;
    },
    after: { problem: Problem; input?: string } | undefined,
  ): Html => {
    const { versions: shown, total, earlier, active, runs, number } = data;
    const starting = active?.status === "approved" && may(rules, session, "post", START);
    const rollingBack = earlier.length > 0 && may(rules, session, "post", ROLLBACK);
    return html`${problemText(after?.problem)}
<section aria-labelledby="active"><h2 id="active">Active version</h2>
  ${
    active
      ? html`<p>${versionLink(active)} ${statusBadge(active.status)}
    <span class="muted">made ${when(active.createdAt)}</span></p>
  <h3>Triggers</h3>${triggerList(active, new Date())}`
      : html`<p class="empty">No version is active: runs start once a version is approved.</p>`
  }
</section>
${starting ? startForm(session, name, active, after?.input) : ""}
${rollingBack ? rollbackForm(session, name, earlier) : ""}
<section aria-labelledby="runs"><h2 id="runs">Recent runs</h2>${runTable(runs)}</section>
<section aria-labelledby="versions"><h2 id="versions">Versions</h2>
<table>
  <caption class="visually-hidden">Versions of ${name}, newest first</caption>
  <thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Made</th></tr></thead>
  <tbody>${shown.map(
    (v) =>
      html`<tr><th scope="row">${versionLink(v)}</th><td>${statusBadge(v.status)}</td>
      <td>${when(v.createdAt)}</td></tr>`,
  )}</tbody>
</table>
${pager(workflowHref(name), number, total, ["Newer", "Older"])}
</section>`;
  };

  console.get("/workflows/:name", (c) => workflowPage(c, c.req.param("name")));

  console.post("/workflows/:name/runs", async (c) => {
    const session = c.get("session");
    const workflow = c.req.param("name");
    const form = await c.req.parseBody();
    const text = typeof form["input"] === "string" ? form["input"].trim() : "";
    try {
      mustMay(rules, session, "post", START);
    } catch (error) {
      return workflowPage(c, workflow, { problem: problemOf(error), input: text });
    }
    const input = parseInput(text || "{}");
    if ("problem" in input) return workflowPage(c, workflow, { problem: input.problem, input: text });
    const { tenantId, actor } = session;
    try {
      if (!dispatcher) {
        const trigger = { type: "manual" as const, detail: { user: actor.handle } };
        const run = await app.versions.runActive({ tenantId, workflow, input: input.value, trigger, actor });
        return c.redirect(runHref(run.runId), 303);
      }
      const job = await dispatcher.submit({ tenantId, workflow, input: input.value, trigger: "manual", actor });
      return c.redirect(`${workflowHref(workflow)}/jobs/${encodeURIComponent(job)}`, 303);
    } catch (error) {
      return workflowPage(c, workflow, { problem: problemOf(error), input: text });
    }
  });

  /** A queued run, until a worker starts it: then its page. */
  console.get("/workflows/:name/jobs/:job", async (c) => {
    const session = c.get("session");
    const workflow = c.req.param("name");
    const job = c.req.param("job");
    const run = /^[0-9a-f-]{36}$/i.test(job) ? await app.runRepository.runOfJob(job) : undefined;
    if (run && run.tenantId === session.tenantId && run.workflow === workflow) return c.redirect(runHref(run.id), 303);
    const counts: NavCounts = await navCounts(app, session);
    const events = `${workflowHref(workflow)}/jobs/${encodeURIComponent(job)}/events`;
    const body = html`<p role="status">The run of <a href="${workflowHref(workflow)}">${workflow}</a> is queued as
job <code>${job}</code>.
This page opens the run once a worker starts it.</p>
<ol class="live" data-live="${events}" aria-live="polite"></ol>`;
    return c.html(page({ title: "Run queued", session, counts, current: "/console/workflows", refresh: 2, body }));
  });

  /** Until a worker starts the queued run (or for at most 5 minutes): then `end` with the run's page. */
  console.get("/workflows/:name/jobs/:job/events", (c) => {
    const session = c.get("session");
    const job = c.req.param("job");
    const here = `${workflowHref(c.req.param("name"))}/jobs/${encodeURIComponent(job)}`;
    if (!/^[0-9a-f-]{36}$/i.test(job)) return c.text("No such job.", 404);
    return options.streams.open(c, app, "console queued-run events", async (stream) => {
      const until = Date.now() + 5 * 60_000;
      while (!stream.aborted && Date.now() < until) {
        const run = await app.runRepository.runOfJob(job);
        if (run && run.tenantId === session.tenantId) {
          await stream.writeSSE({ event: "end", data: runHref(run.id) });
          return;
        }
        await stream.sleep(500);
      }
      if (!stream.aborted) await stream.writeSSE({ event: "end", data: here });
    });
  });

  console.post("/workflows/:name/rollback", async (c) => {
    const session = c.get("session");
    const workflow = c.req.param("name");
    const to = Number((await c.req.parseBody())["to"]);
    try {
      mustMay(rules, session, "post", ROLLBACK);
      if (!Number.isInteger(to) || to < 1 || to > 2_147_483_647)
        return workflowPage(c, workflow, { problem: { status: 400, message: "Choose the version to roll back to." } });
      await app.versions.rollback(session.tenantId, workflow, to, session.actor);
      return c.redirect(workflowHref(workflow), 303);
    } catch (error) {
      return workflowPage(c, workflow, { problem: problemOf(error) });
    }
  });
}

/** The run input from the form: a JSON object, or what is wrong with it. */
function parseInput(text: string): { value: Record<string, unknown> } | { problem: Problem } {
  if (text.length > MAX_INPUT)
    return { problem: { status: 400, message: `The input is over ${MAX_INPUT} characters.` } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: { status: 400, message: `The input is not JSON: ${(error as Error).message}` } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problem: { status: 400, message: 'The input must be a JSON object, such as {} or {"id": "INC0001"}.' } };
  return { value: value as Record<string, unknown> };
}

function triggerList(version: VersionRow, now: Date): Html {
  const triggers = version.triggers.triggers;
  if (triggers.length === 0) return html`<span class="muted">none declared</span>`;
  return html`<ul class="triggers">${triggers.map((trigger) => {
    if (trigger.type !== "schedule") return html`<li>${triggerText(trigger)}</li>`;
    if (version.status !== "approved")
      return html`<li>${triggerText(trigger)}<br><span class="muted">does not fire while ${version.status}</span></li>`;
    const next = nextFire(trigger, now, version.createdAt);
    const local = next && trigger.timezone ? inZone(next, trigger.timezone) : undefined;
    return html`<li>${triggerText(trigger)}<br>${
      next
        ? html`next: <time datetime="${next.toISOString()}">${when(next)}</time>${
            local ? html` <span class="muted">(${local} ${trigger.timezone})</span>` : ""
          }`
        : html`<span class="muted">fires no more</span>`
    }</li>`;
  })}</ul>`;
}

function runList(runs: Omit<RunRow, "logs">[]): Html {
  if (runs.length === 0) return html`<span class="muted">no runs</span>`;
  return html`<ul class="runs">${runs.map(
    (r) => html`<li><a href="${runHref(r.id)}">${when(r.createdAt)}</a> ${statusBadge(r.status)}</li>`,
  )}</ul>`;
}

function runTable(runs: Omit<RunRow, "logs">[]): Html {
  if (runs.length === 0) return html`<p class="empty">No runs yet.</p>`;
  return html`<table>
  <caption class="visually-hidden">The latest runs, newest first</caption>
  <thead><tr><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Version</th>
    <th scope="col">Trigger</th><th scope="col">Error</th></tr></thead>
  <tbody>${runs.map(
    (r) => html`<tr><th scope="row"><a href="${runHref(r.id)}">${when(r.createdAt)}</a></th>
      <td>${statusBadge(r.status)}</td>
      <td>${r.versionNumber === null ? "—" : `@${r.versionNumber}`}</td><td>${r.trigger.type}</td>
      <td>${r.error ? r.error.code : ""}</td></tr>`,
  )}</tbody>
</table>
<p><a href="/console/runs">All runs</a></p>`;
}

function startForm(
  session: ConsoleSession,
  name: string,
  active: VersionRow | undefined,
  input: string | undefined,
): Html {
  const schema = active?.inputSchema ? JSON.stringify(active.inputSchema, null, 2) : undefined;
  return html`<section aria-labelledby="start"><h2 id="start">Start a run</h2>
<form method="post" action="${workflowHref(name)}/runs">
  ${csrfField(session)}
  <label for="input">Input (a JSON object)</label>
  <textarea id="input" name="input" class="code" maxlength="${MAX_INPUT}"
    aria-describedby="input-hint">${input ?? "{}"}</textarea>
  <p id="input-hint" class="muted">Checked against the workflow's input schema before it runs.</p>
  ${schema ? html`<details><summary>Input schema</summary><pre>${schema}</pre></details>` : ""}
  <button type="submit">Start a run</button>
</form></section>`;
}

function rollbackForm(session: ConsoleSession, name: string, earlier: VersionRow[]): Html {
  return html`<section aria-labelledby="rollback"><h2 id="rollback">Roll back</h2>
<form method="post" action="${workflowHref(name)}/rollback" data-confirm="Make this earlier version active again?">
  ${csrfField(session)}
  <label for="to">Earlier approved version to make active again</label>
  <select id="to" name="to" required>${earlier.map(
    (v) => html`<option value="${v.number}">${name}@${v.number} (made ${when(v.createdAt)})</option>`,
  )}</select>
  <button type="submit" class="danger">Roll back</button>
</form></section>`;
}

function pager(base: string, number: number, total: number, labels = ["Previous", "Next"]): Html | "" {
  const pages = Math.ceil(total / PER_PAGE);
  if (pages <= 1) return "";
  return html`<nav class="pager" aria-label="Pages">
  ${number > 1 ? html`<a href="${base}?page=${number - 1}">${labels[0]}</a>` : ""}
  <span>Page ${number} of ${pages}</span>
  ${number < pages ? html`<a href="${base}?page=${number + 1}">${labels[1]}</a>` : ""}
</nav>`;
}
