/**
 * The audit log: the tenant's entries newest first, 50 a page, filtered by action, by workflow and
 * to before a time. Pages follow each other by the last entry shown (its time and id), so entries
 * of the same instant are neither skipped nor shown twice.
 */
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleOptions } from "../index.ts";
import { navCounts, page, when } from "../layout.ts";
import type { ConsoleVars } from "../session.ts";
import { versionLink } from "./parts.ts";
import { prettyJson } from "./runs.ts";

const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A time as typed (`2026-05-01T10:00`, read as UTC like every time the console shows) or as ISO 8601. */
function timeOf(value: string | undefined): Date | undefined {
  if (!value || value.length > 40) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Who reads the audit log (role grants, key prefixes, reviewers' comments): reviewers, operators and
 * admins. The REST API has no audit route to take the roles from; authors write versions, they do
 * not oversee them.
 */
const AUDIT_ROLES = ["reviewer", "operator", "admin"] as const;

async function auditPage(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const { app } = options;
  const session = c.get("session");
  const tenantId = session.tenantId;
  if (!AUDIT_ROLES.some((role) => session.roles.has(role))) {
    c.status(403);
    const body = html`<p>Reading the audit log needs the reviewer, operator or admin role in tenant
${tenantId}.</p>`;
    return c.html(page({ title: "Audit log", session, counts: await navCounts(app, session), body }));
  }
  const query = c.req.query();
  const [actions, workflows, counts] = await Promise.all([
    app.versionRepository.auditActions(tenantId),
    app.versionRepository.workflowNames(tenantId),
    navCounts(app, session),
  ]);
  const action = actions.find((a) => a === query["action"]);
  const workflow = workflows.find((w) => w === query["workflow"]);
  const before = timeOf(query["before"]);
  const after = UUID.test(query["after"] ?? "") ? query["after"] : undefined;
  const rows = await app.versionRepository.auditPage({
    tenantId,
    action,
    workflow,
    before,
    after,
    limit: PAGE_SIZE + 1,
  });
  const entries = rows.slice(0, PAGE_SIZE);
  const last = entries.at(-1);
  const filters = {
    ...(action ? { action } : {}),
    ...(workflow ? { workflow } : {}),
    ...(before && query["before"] ? { before: query["before"] } : {}),
  };
  const next =
    rows.length > PAGE_SIZE && last
      ? `/console/audit?${new URLSearchParams({ ...filters, after: last.id })}`
      : undefined;
  const first = after ? `/console/audit?${new URLSearchParams(filters)}` : undefined;
  const choose = (name: string, label: string, values: readonly string[], chosen: string | undefined) =>
    html`<div><label for="f-${name}">${label}</label>
  <select id="f-${name}" name="${name}"><option value="">All</option>${values.map(
    (value) => html`<option value="${value}" ${value === chosen ? "selected" : ""}>${value}</option>`,
  )}</select></div>`;
  const table =
    entries.length === 0
      ? html`<p class="empty">No entry matches.</p>`
      : html`<table>
  <caption class="visually-hidden">Audit entries, newest first</caption>
  <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th>
    <th scope="col">Workflow</th><th scope="col">Version</th><th scope="col">Detail</th></tr></thead>
  <tbody>${entries.map(
    (
      entry,
    ) => html`<tr><td>${when(entry.at)}</td><td>${entry.actorHandle ?? (entry.actorId ? "(unknown)" : "Charter")}</td>
    <td>${entry.action}</td><td>${entry.workflow ?? "—"}</td>
    <td>${
      entry.versionId && entry.workflow && entry.versionNumber !== null
        ? versionLink({ id: entry.versionId, workflow: entry.workflow, number: entry.versionNumber })
        : "—"
    }</td>
    <td>${entry.detail ? html`<pre class="json">${prettyJson(entry.detail)}</pre>` : ""}</td></tr>`,
  )}</tbody></table>`;
  const body = html`<form class="filters" method="get" action="/console/audit" aria-label="Filter the audit log">
  ${choose("action", "Action", actions, action)}
  ${choose("workflow", "Workflow", workflows, workflow)}
  <div><label for="f-before">Before (UTC)</label>
  <input id="f-before" name="before" type="datetime-local" step="1" value="${filters.before ?? ""}"></div>
  <div><button type="submit">Filter</button></div>
</form>
<section aria-labelledby="audit-h"><h2 id="audit-h">${after ? "Older entries" : "Latest entries"}</h2>
${table}
<nav class="pager" aria-label="Pages of the audit log">
  ${first ? html`<a href="${first}">Newest</a>` : ""}
  ${next ? html`<a href="${next}" rel="next">Older entries</a>` : ""}
</nav></section>`;
  return c.html(page({ title: "Audit log", session, counts, current: "/console/audit", body }));
}

export function registerAudit(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  console.get("/audit", (c) => auditPage(c, options));
}
