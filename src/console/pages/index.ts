/** The console's pages; each module registers its own. The inbox is here: it is the home page. */
import type { Hono } from "hono";
import { html } from "hono/html";
import type { VersionRow } from "../../store/index.ts";
import type { ConsoleOptions } from "../index.ts";
import { navCounts, page, when } from "../layout.ts";
import type { ConsoleVars } from "../session.ts";
import { registerAudit } from "./audit.ts";
import { registerDescribe } from "./describe.ts";
import { registerIntegrations } from "./integrations.ts";
import { registerRuns } from "./runs.ts";
import { statusBadge, versionLink } from "./parts.ts";
import { registerVersion } from "./version.ts";
import { registerWorkflows } from "./workflows.ts";

export function registerPages(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  const { app } = options;
  console.get("/", async (c) => {
    const session = c.get("session");
    const mine = session.actor.userId;
    const [toReview, drafts, drifted, attention, counts] = await Promise.all([
      app.versionRepository.inStatus(session.tenantId, ["in-review"], { notAuthor: mine }),
      app.versionRepository.inStatus(session.tenantId, ["checks-passed", "checks-failed", "in-review"], {
        author: mine,
      }),
      app.versionRepository.driftedVersions(session.tenantId),
      app.runRepository.list({ tenantId: session.tenantId, status: "needs-attention", limit: 50 }),
      navCounts(app, session),
    ]);
    const list = (rows: VersionRow[], empty: string) =>
      rows.length === 0
        ? html`<p class="empty">${empty}</p>`
        : html`<ul class="rows">${rows.map(
            (v) =>
              html`<li>${versionLink(v)} ${statusBadge(v.status)} <span class="muted">${when(v.createdAt)}</span></li>`,
          )}</ul>`;
    return c.html(
      page({
        title: "Inbox",
        session,
        counts,
        current: "/console",
        body: html`<section aria-labelledby="review"><h2 id="review">Waiting for my review</h2>
  ${list(toReview, "Nothing waits for your review.")}</section>
<section aria-labelledby="drafts"><h2 id="drafts">My drafts</h2>
  ${list(drafts, "No drafts of yours are open.")}</section>
<section aria-labelledby="drifted"><h2 id="drifted">Drifted versions</h2>
  ${list(drifted, "No active version has drifted from its catalog.")}</section>
<section aria-labelledby="attention"><h2 id="attention">Runs needing attention</h2>
  ${
    attention.length === 0
      ? html`<p class="empty">No run needs attention.</p>`
      : html`<ul class="rows">${attention.map(
          (r) => html`<li><a href="/console/runs/${r.id}">${r.workflow} run ${r.id.slice(0, 8)}</a>
            <span class="muted">${r.error?.code ?? ""} ${when(r.createdAt)}</span></li>`,
        )}</ul>`
  }</section>`,
      }),
    );
  });
  registerDescribe(console, options);
  registerVersion(console, options);
  registerWorkflows(console, options);
  registerRuns(console, options);
  registerIntegrations(console, options);
  registerAudit(console, options);
}
