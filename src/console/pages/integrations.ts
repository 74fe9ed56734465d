/**
 * The integrations page: per integration of the tenant, its tools (with their risk and schemas),
 * its credential state and last sync; the drift each active version has recorded since its approval
 * (read from the versions, as the last sync or drift check stored it); and, for operators and
 * admins, a Sync button that syncs the tenant as `POST …/sync` does.
 */
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { CatalogContent, CatalogTool } from "../../core/catalog.ts";
import type { Drift } from "../../core/records.ts";
import { effectiveAnnotations } from "../../sdkgen/index.ts";
import type { VersionRow } from "../../store/index.ts";
import type { ConsoleOptions } from "../index.ts";
import { csrfField, type Html, navCounts, page, when } from "../layout.ts";
import { may, mustMay } from "../roles.ts";
import type { ConsoleVars } from "../session.ts";
import { riskBadges, statusBadge, versionLink } from "./parts.ts";
import { prettyJson, problemPage } from "./runs.ts";

const SYNC = "/api/v1/tenants/:tenant/sync";

type Stored = Awaited<ReturnType<ConsoleOptions["app"]["catalogs"]["listIntegrations"]>>[number];
type LastSync = Awaited<ReturnType<ConsoleOptions["app"]["catalogs"]["lastSyncs"]>>[number];

function tool(t: CatalogTool): Html {
  return html`<li>
  <h4><code>${t.name}</code>${t.title ? html` <span class="muted">${t.title}</span>` : ""}</h4>
  <p>${riskBadges({ annotations: effectiveAnnotations(t.annotations, t.annotationOverrides) })}${
    t.annotationOverrides ? html`<span class="muted">(hints set by the tenant's file)</span>` : ""
  }</p>
  ${t.description ? html`<p class="description">${t.description}</p>` : html`<p class="empty">No description.</p>`}
  <details><summary>Input schema</summary><pre class="json">${prettyJson(t.inputSchema)}</pre></details>
  ${
    t.outputSchema
      ? html`<details><summary>Output schema</summary><pre class="json">${prettyJson(t.outputSchema)}</pre></details>`
      : ""
  }
</li>`;
}

function lastSync(sync: LastSync | undefined): Html {
  if (!sync) return html`<span class="empty">never synced</span>`;
  const ok = sync.status !== "failed";
  return html`${when(sync.finishedAt)} <span class="badge ${ok ? "status-succeeded" : "status-failed"}">${
    ok ? `ok (${sync.status})` : "failed"
  }</span>${
    sync.errorCode || sync.errorMessage
      ? html` <span class="problem">${sync.errorCode ?? ""}: ${sync.errorMessage ?? ""}</span>`
      : ""
  }`;
}

function integrationSection(stored: Stored, content: CatalogContent | undefined, sync: LastSync | undefined): Html {
  const heading = `integration-${stored.id}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const tools = content?.tools ?? [];
  return html`<section aria-labelledby="${heading}"><h2 id="${heading}">${stored.id}</h2>
<dl class="facts">
  <dt>Transport</dt><dd>${stored.transport}</dd>
  <dt>Server</dt><dd>${content ? `${content.server.title ?? content.server.name} ${content.server.version}` : "—"}</dd>
  <dt>Credentials</dt><dd><span class="badge credential-${stored.credentialState}">${stored.credentialState}</span></dd>
  <dt>Last sync</dt><dd>${lastSync(sync)}</dd>
  ${stored.configured ? "" : html`<dt>Configured</dt><dd>no longer in the tenant's file</dd>`}
</dl>
<h3>Tools (${tools.length})</h3>
${
  tools.length === 0
    ? html`<p class="empty">No tools in its catalog.</p>`
    : html`<ul class="tools">${tools.map(tool)}</ul>`
}</section>`;
}

function driftOf(version: VersionRow): Html {
  const drift: Drift | null = version.drift;
  const items = drift
    ? [
        ...drift.breaking.map((item) => ({ ...item, kind: "breaking" })),
        ...drift.compatible.map((item) => ({ ...item, kind: "compatible" })),
      ]
    : [];
  const head = html`<p>${versionLink(version)} ${statusBadge(version.status)}
  <span class="muted">${drift ? `checked ${when(drift.checkedAt)}` : "no drift recorded since approval"}</span></p>`;
  if (items.length === 0) return html`<li>${head}</li>`;
  return html`<li>${head}<table>
  <caption class="visually-hidden">Drift of ${version.workflow}@${version.number}</caption>
  <thead><tr><th scope="col">Kind</th><th scope="col">Tool</th><th scope="col">Change</th></tr></thead>
  <tbody>${items.map(
    (item) =>
      html`<tr><td><span class="badge drift-${item.kind}">${item.kind}</span>${
        item.review ? " (for review)" : ""
      }</td><td><code>${item.tool}</code></td><td>${item.change}</td></tr>`,
  )}</tbody></table></li>`;
}

/** The summary a sync redirects with: numbers only, said again on the page. */
function syncNotice(query: Record<string, string>): Html | "" {
  const n = (key: string) => (/^\d{1,4}$/.test(query[key] ?? "") ? Number(query[key]) : undefined);
  const synced = n("synced");
  if (synced === undefined) return "";
  const failed = n("failed") ?? 0;
  return html`<p class="notice" role="status">Synced ${synced} integration${synced === 1 ? "" : "s"}:
  ${n("changed") ?? 0} changed, ${failed} failed; ${n("drifted") ?? 0} active version(s) drifted.
  ${failed > 0 ? "See each integration's last sync below." : ""}</p>`;
}

async function integrationsPage(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const { app } = options;
  const session = c.get("session");
  const tenantId = session.tenantId;
  const [stored, catalog, syncs, approved, drifted, counts] = await Promise.all([
    app.catalogs.listIntegrations(tenantId),
    app.catalogs.currentCatalog(tenantId),
    app.catalogs.lastSyncs(tenantId),
    app.versionRepository.activeVersions(tenantId),
    app.versionRepository.driftedVersions(tenantId),
    navCounts(app, session),
  ]);
  const contents = new Map(catalog.map((row) => [row.integrationId, row.content]));
  const lastSyncs = new Map(syncs.map((row) => [row.integrationId, row]));
  const active = [...drifted, ...approved].sort((a, b) => (a.workflow < b.workflow ? -1 : 1));
  const body = html`${syncNotice(c.req.query())}
${
  may(options.rules, session, "post", SYNC)
    ? html`<form method="post" action="/console/integrations/sync">${csrfField(session)}
  <p>Sync reads every integration's catalog again and re-checks the active versions when anything changed.</p>
  <button type="submit">Sync now</button></form>`
    : ""
}
${
  stored.length === 0
    ? html`<p class="empty">No integration of this tenant has been synced yet.</p>`
    : stored.map((row) => integrationSection(row, contents.get(row.id), lastSyncs.get(row.id)))
}
<section aria-labelledby="drift-h"><h2 id="drift-h">Drift of active versions</h2>
${
  active.length === 0
    ? html`<p class="empty">No active version.</p>`
    : html`<ul class="rows drift">${active.map(driftOf)}</ul>`
}</section>`;
  return c.html(page({ title: "Integrations", session, counts, current: "/console/integrations", body }));
}

async function syncNow(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const session = c.get("session");
  try {
    mustMay(options.rules, session, "post", SYNC);
    const { result, drift } = await options.app.sync(session.tenantId);
    const summary = new URLSearchParams({
      synced: String(result.integrations.length),
      changed: String(result.integrations.filter((i) => i.status === "changed" || i.status === "new").length),
      failed: String(result.integrations.filter((i) => i.status === "failed").length),
      drifted: String(drift.filter((d) => d.drifted).length),
    });
    return c.redirect(`/console/integrations?${summary}`, 303);
  } catch (error) {
    return problemPage(c, options, error, { href: "/console/integrations", label: "Back to the integrations" });
  }
}

export function registerIntegrations(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  console.get("/integrations", (c) => integrationsPage(c, options));
  console.post("/integrations/sync", (c) => syncNow(c, options));
}
