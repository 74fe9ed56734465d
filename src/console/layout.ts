/**
 * The console's page frame: navigation with counts, the signed-in user, and the security headers
 * every page carries. Pages are server-rendered with hono's `html` tag, which escapes every value
 * put into it: text from workflows, tool descriptions, planners and tool results stays text.
 * (hono's JSX would read better, but Node runs `.ts` natively and not `.tsx`; the tag needs no build.)
 */
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { App } from "../app.ts";
import type { ConsoleSession } from "./session.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** No script but the console's own file, no inline style or script, no framing, forms only to here. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export function securityHeaders(c: Context): void {
  c.header("content-security-policy", CONTENT_SECURITY_POLICY);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "same-origin");
  c.header("cache-control", "no-store");
}

/** What the navigation counts: versions waiting for me, drifted versions, runs needing attention. */
export type NavCounts = { review: number; drifted: number; attention: number };

export async function navCounts(app: App, session: ConsoleSession): Promise<NavCounts> {
  const [review, drifted, attention] = await Promise.all([
    app.versionRepository.countAwaitingReview(session.tenantId, session.actor.userId),
    app.versionRepository.countDrifted(session.tenantId),
    app.runRepository.countRuns(session.tenantId, "needs-attention"),
  ]);
  return { review, drifted, attention };
}

const badge = (n: number) => (n > 0 ? html` <span class="count">${n}</span>` : "");

/** A whole page: `title` (text), `body` (made with html``), for the signed-in session. */
export function page(options: {
  title: string;
  session?: ConsoleSession;
  counts?: NavCounts;
  current?: string;
  /**
   * Seconds after which a page that is still changing reloads itself, without a script only: with
   * one, the page follows its event stream instead (a refresh inside noscript is never scheduled).
   */
  refresh?: number;
  body: Html;
}): Html {
  const { session, counts } = options;
  const link = (href: string, label: string, extra: Html | "" = "") =>
    html`<a href="${href}" ${options.current === href ? html`aria-current="page"` : ""}>${label}${extra}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Charter</title>
${options.refresh ? html`<noscript><meta http-equiv="refresh" content="${options.refresh}"></noscript>` : ""}
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/console">Charter</a>
  ${
    session
      ? html`<nav aria-label="Main">
    ${link("/console", "Inbox", counts ? badge(counts.review + counts.drifted + counts.attention) : "")}
    ${link("/console/describe", "Describe")}
    ${link("/console/workflows", "Workflows")}
    ${link("/console/runs", "Runs", counts ? badge(counts.attention) : "")}
    ${link("/console/integrations", "Integrations")}
    ${link("/console/audit", "Audit log")}
  </nav>
  <form class="who" method="post" action="/console/sign-out">
    <span>${session.actor.handle} · ${session.tenantId} · ${[...session.roles].join(", ") || "no role"}</span>
    <input type="hidden" name="csrf" value="${session.csrf}">
    <button type="submit">Sign out</button>
  </form>`
      : ""
  }
</header>
<main id="main">
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>`;
}

/** A hidden CSRF field for a form of this session. */
export const csrfField = (session: ConsoleSession) => html`<input type="hidden" name="csrf" value="${session.csrf}">`;

/** Dates as the console shows them: UTC, to the second. */
export const when = (date: Date | string | null | undefined) =>
  date ? `${new Date(date).toISOString().replace("T", " ").slice(0, 19)} UTC` : "—";
