/**
 * The runs pages: the tenant's runs (filtered, newest first, a page at a time) and one run with its
 * journal as a timeline, its input, output, error and logs. While a run runs, its page follows it
 * through a server-sent event stream: journal calls are read from the store every half second (so a
 * run a worker in another process executes is followed too), log lines are heard from runs this
 * process executes (another process stores them when its run ends; the page shows them then). The
 * stream ends when the run does, when the client goes away, or after ten minutes (the page reloads
 * and follows again). Operators cancel a running run and resume one whose process died.
 */
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { CharterError } from "../../core/errors.ts";
import { RUN_STATUSES, type RunStatus } from "../../core/outcomes.ts";
import type { LogLine, RunTrigger } from "../../core/records.ts";
import { httpStatus } from "../../server/http-status.ts";
import type { JournalRow, RunRow } from "../../store/index.ts";
import type { ConsoleOptions } from "../index.ts";
import { csrfField, type Html, navCounts, page, when } from "../layout.ts";
import { may, mustMay } from "../roles.ts";
import type { ConsoleSession, ConsoleVars } from "../session.ts";
import { statusBadge, versionLink } from "./parts.ts";

const TRIGGER_TYPES = [
  "manual",
  "schedule",
  "webhook",
  "resource",
  "tool",
  "try",
] as const satisfies readonly RunTrigger["type"][];
/** Cancelling and resuming need the roles of the REST cancel route (there is no REST resume route). */
const CANCEL = "/api/v1/tenants/:tenant/runs/:id/cancel";
const PAGE_SIZE = 50;
const POLL_MS = 500;
const FOLLOW_MS = 10 * 60_000;
/** JSON longer than this is cut on the page (the REST API has all of it). */
const SHOWN_JSON = 100_000;

const NOTICES: Record<string, string> = {
  cancel: "Cancel requested: the run stops before its next tool call.",
  resume: "Resume started: answered calls replay from the journal, then the run goes on.",
  "resume-queued": "Resume queued: a worker resumes the run from its journal.",
};

/** Escaped by the html tag where it is put: pretty JSON, cut when very long. */
export function prettyJson(value: unknown): string {
  const text = value === undefined ? "—" : (JSON.stringify(value, null, 2) ?? String(value));
  return text.length > SHOWN_JSON ? `${text.slice(0, SHOWN_JSON)}\n… (cut: ${text.length} characters in all)` : text;
}

export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const between = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : null);
const runHref = (id: string) => `/console/runs/${encodeURIComponent(id)}`;
const runVersion = (run: Pick<RunRow, "versionId" | "versionNumber" | "workflow">) =>
  run.versionId && run.versionNumber !== null
    ? versionLink({ id: run.versionId, workflow: run.workflow, number: run.versionNumber })
    : html`<span class="muted">none (a try)</span>`;

/** A run whose process died: still running, but no process renews its lease. */
const orphaned = (run: RunRow, now = Date.now()) =>
  run.status === "running" && (run.leaseUntil === null || run.leaseUntil.getTime() < now);

function outcomeText(entry: JournalRow, runEnded: boolean): string {
  if (!entry.outcome) return runEnded ? "in doubt: started, its end unknown" : "in progress";
  if (entry.outcome.ok) return "ok";
  return `error ${entry.outcome.error.code}: ${entry.outcome.error.message}`;
}

/** One journal call as a line of text (the live stream). */
function callLine(entry: JournalRow): string {
  const attempt = entry.attempt > 1 ? `, attempt ${entry.attempt}` : "";
  const took = entry.finishedAt ? ` in ${duration(between(entry.startedAt, entry.finishedAt))}` : "";
  const call = `call ${entry.seq} ${entry.integration}.${entry.tool} (${entry.source}${attempt})`;
  return `${call}: ${outcomeText(entry, false)}${took}`;
}

const logText = (line: LogLine) =>
  `${line.level}: ${line.message}${line.data === undefined ? "" : ` ${JSON.stringify(line.data)}`}`;

/** A run of the session's tenant, or RUN_NOT_FOUND (an id that is no run's is not looked up). */
async function runOf(options: ConsoleOptions, tenantId: string, id: string): Promise<RunRow> {
  const run = /^[0-9a-f-]{36}$/i.test(id) ? await options.app.runRepository.run(id) : undefined;
  if (!run || run.tenantId !== tenantId) throw new CharterError("RUN_NOT_FOUND", `no run ${id}`);
  return run;
}

/** A CharterError as a page with its HTTP status; anything else is the server's to answer. */
export async function problemPage(
  c: Context<ConsoleVars>,
  options: ConsoleOptions,
  error: unknown,
  back?: { href: string; label: string },
) {
  if (!(error instanceof CharterError)) throw error;
  const session = c.get("session");
  const body = html`<p class="problem" role="alert">${error.code}: ${error.message}</p>
${back ? html`<p><a href="${back.href}">${back.label}</a></p>` : ""}`;
  return c.html(
    page({ title: "Not done", session, counts: await navCounts(options.app, session), body }),
    httpStatus(error.code),
  );
}

function select(name: string, label: string, values: readonly string[], chosen: string | undefined): Html {
  return html`<div><label for="f-${name}">${label}</label>
  <select id="f-${name}" name="${name}"><option value="">All</option>${values.map(
    (value) => html`<option value="${value}" ${value === chosen ? "selected" : ""}>${value}</option>`,
  )}</select></div>`;
}

async function runsList(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const { app } = options;
  const session = c.get("session");
  const query = c.req.query();
  const workflow = query["workflow"] && query["workflow"].length <= 64 ? query["workflow"] : undefined;
  const status = RUN_STATUSES.find((s) => s === query["status"]);
  const trigger = TRIGGER_TYPES.find((t) => t === query["trigger"]);
  const after = query["after"] && /^[0-9a-f-]{36}$/i.test(query["after"]) ? query["after"] : undefined;
  const tenantId = session.tenantId;
  const [rows, workflows, counts] = await Promise.all([
    app.runRepository.list({ tenantId, workflow, status, trigger, after, limit: PAGE_SIZE + 1 }),
    app.versionRepository.workflowNames(tenantId),
    navCounts(app, session),
  ]);
  const runs = rows.slice(0, PAGE_SIZE);
  const last = runs.at(-1);
  const filters = { ...(workflow ? { workflow } : {}), ...(status ? { status } : {}), ...(trigger ? { trigger } : {}) };
  const next =
    rows.length > PAGE_SIZE && last
      ? `/console/runs?${new URLSearchParams({ ...filters, after: last.id })}`
      : undefined;
  const first = after ? `/console/runs?${new URLSearchParams(filters)}` : undefined;
  const table =
    runs.length === 0
      ? html`<p class="empty">No run matches.</p>`
      : html`<table>
  <caption class="visually-hidden">Runs, newest first</caption>
  <thead><tr><th scope="col">Run</th><th scope="col">Workflow</th><th scope="col">Version</th>
    <th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Started</th>
    <th scope="col">Duration</th></tr></thead>
  <tbody>${runs.map(
    (run) => html`<tr><td><a href="${runHref(run.id)}">${run.id.slice(0, 8)}</a></td><td>${run.workflow}</td>
    <td>${run.versionNumber ?? "—"}</td><td>${statusBadge(run.status)}</td><td>${run.trigger.type}</td>
    <td>${when(run.startedAt)}</td>
    <td>${run.status === "running" ? "running" : duration(between(run.startedAt, run.finishedAt))}</td></tr>`,
  )}</tbody></table>`;
  const body = html`<form class="filters" method="get" action="/console/runs" aria-label="Filter runs">
  ${select("workflow", "Workflow", workflows, workflow)}
  ${select("status", "Status", RUN_STATUSES, status)}
  ${select("trigger", "Trigger", TRIGGER_TYPES, trigger)}
  <div><button type="submit">Filter</button></div>
</form>
<section aria-labelledby="runs-h"><h2 id="runs-h">${after ? "Older runs" : "Latest runs"}</h2>
${table}
<nav class="pager" aria-label="Pages of runs">
  ${first ? html`<a href="${first}">Newest</a>` : ""}
  ${next ? html`<a href="${next}" rel="next">Older runs</a>` : ""}
</nav></section>`;
  return c.html(page({ title: "Runs", session, counts, current: "/console/runs", body }));
}

function actions(options: ConsoleOptions, session: ConsoleSession, run: RunRow): Html | "" {
  if (!may(options.rules, session, "post", CANCEL)) return "";
  const form = (action: string, label: string, confirm: string, danger: boolean) =>
    html`<form method="post" action="${runHref(run.id)}/${action}" data-confirm="${confirm}">${csrfField(session)}
  <button type="submit" ${danger ? html`class="danger"` : ""}>${label}</button></form>`;
  const parts: Html[] = [];
  if (run.status === "running" && !orphaned(run))
    parts.push(form("cancel", "Cancel run", "Cancel this run? It stops before its next tool call.", true));
  if (orphaned(run))
    parts.push(
      html`<p>No process holds this run (its lease ran out${run.leaseUntil ? ` ${when(run.leaseUntil)}` : ""}).</p>`,
      form("resume", "Resume run", "Resume this run from its journal?", false),
      form("cancel", "Cancel run", "Cancel this run? It stops before its next tool call.", true),
    );
  if (run.status === "needs-attention")
    parts.push(html`<p>A call that is not safe to repeat started and its end is unknown. Check the integration for
  what it did; Charter does not make that call again, so this run is not resumed. Start a new run when it is
  safe.</p>`);
  return parts.length === 0
    ? ""
    : html`<section aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>${parts}</section>`;
}

function timeline(journal: JournalRow[], runEnded: boolean): Html {
  if (journal.length === 0) return html`<p class="empty">No tool call yet.</p>`;
  return html`<ol class="timeline">${journal.map((entry) => {
    const source = ["live", "replayed", "mocked"].includes(entry.source) ? entry.source : "other";
    const outcome = outcomeText(entry, runEnded);
    return html`<li>
  <p><strong>Call ${entry.seq}: <code>${entry.integration}.${entry.tool}</code></strong>
  ${statusBadge(entry.status)} <span class="badge source-${source}">${entry.source}</span>
  <span>attempt ${entry.attempt}${entry.attempt > 1 ? " (retried)" : ""}</span>
  <span class="muted">${when(entry.startedAt)} · ${duration(between(entry.startedAt, entry.finishedAt))}</span></p>
  <p class="${entry.outcome?.ok === false || (!entry.outcome && runEnded) ? "problem" : ""}">${outcome}</p>
  <details><summary>Arguments</summary><pre class="json">${prettyJson(entry.args)}</pre></details>
  ${
    entry.outcome
      ? html`<details><summary>Result</summary><pre class="json">${prettyJson(entry.outcome)}</pre></details>`
      : ""
  }
</li>`;
  })}</ol>`;
}

function logsTable(logs: LogLine[] | null, running: boolean): Html {
  if (!logs || logs.length === 0)
    return html`<p class="empty">${running ? "Log lines are stored when the run ends." : "No log lines."}</p>`;
  return html`<table><caption class="visually-hidden">Log lines</caption>
  <thead><tr><th scope="col">Level</th><th scope="col">Message</th><th scope="col">Data</th></tr></thead>
  <tbody>${logs.map(
    (line) => html`<tr><td><span class="badge log-${line.level}">${line.level}</span></td><td>${line.message}</td>
    <td>${line.data === undefined ? "" : html`<pre class="json">${prettyJson(line.data)}</pre>`}</td></tr>`,
  )}</tbody></table>`;
}

async function runPage(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const { app } = options;
  const session = c.get("session");
  const run = await runOf(options, session.tenantId, c.req.param("id") ?? "");
  const [journal, counts] = await Promise.all([app.runRepository.journal(run.id), navCounts(app, session)]);
  const running = run.status === "running";
  const notice = NOTICES[c.req.query("done") ?? ""];
  const detail = run.trigger.detail;
  const body = html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>
<dl class="facts">
  <dt>Status</dt><dd>${statusBadge(run.status)}${
    run.cancelRequestedAt ? html` <span class="muted">cancel requested ${when(run.cancelRequestedAt)}</span>` : ""
  }</dd>
  <dt>Workflow</dt><dd>${run.workflow}</dd>
  <dt>Version</dt><dd>${runVersion(run)}</dd>
  <dt>Trigger</dt><dd>${run.trigger.type}</dd>
  <dt>Attempts</dt><dd>${run.attempts}${run.attempts > 1 ? " (resumed from its journal)" : ""}</dd>
  <dt>Started</dt><dd>${when(run.startedAt)}</dd>
  <dt>Finished</dt><dd>${when(run.finishedAt)}</dd>
  <dt>Duration</dt><dd>${running ? "running" : duration(between(run.startedAt, run.finishedAt))}</dd>
</dl>
${detail ? html`<details><summary>Trigger detail</summary><pre class="json">${prettyJson(detail)}</pre></details>` : ""}
</section>
${actions(options, session, run)}
${
  running
    ? html`<section aria-labelledby="live-h"><h2 id="live-h">Live</h2>
  <p class="muted">Calls and log lines as they happen; this page shows the whole run when it ends.</p>
  <ol class="live" data-live="${runHref(run.id)}/events"></ol></section>`
    : ""
}
<section aria-labelledby="journal-h"><h2 id="journal-h">Journal</h2>${timeline(journal, !running)}</section>
${
  run.error
    ? html`<section aria-labelledby="error-h"><h2 id="error-h">Error</h2>
  <p class="problem">${run.error.code}: ${run.error.message}</p>
  ${run.error.tool ? html`<p>Tool: <code>${run.error.tool}</code></p>` : ""}</section>`
    : ""
}
<section aria-labelledby="input-h"><h2 id="input-h">Input</h2><pre class="json">${prettyJson(run.input)}</pre></section>
<section aria-labelledby="output-h"><h2 id="output-h">Output</h2>${
    run.output === null || run.output === undefined
      ? html`<p class="empty">No output${running ? " yet" : ""}.</p>`
      : html`<pre class="json">${prettyJson(run.output)}</pre>`
  }</section>
<section aria-labelledby="logs-h"><h2 id="logs-h">Logs</h2>${logsTable(run.logs, running)}</section>`;
  return c.html(
    page({
      title: `Run ${run.id.slice(0, 8)} of ${run.workflow}`,
      session,
      counts,
      current: "/console/runs",
      ...(running ? { refresh: 2 } : {}),
      body,
    }),
  );
}

/** The live stream of a run: `line` per journal call change and log line, `end` (the run page) when it ends. */
async function runEvents(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const { app } = options;
  const session = c.get("session");
  const run = await runOf(options, session.tenantId, c.req.param("id") ?? "").catch(() => undefined);
  if (!run) return c.text("no such run", 404);
  const href = runHref(run.id);
  return options.streams.open(c, app, "console run events", async (stream) => {
    if (run.status !== "running") return void (await stream.writeSSE({ event: "end", data: href }));
    let gone = false;
    stream.onAbort(() => {
      gone = true;
    });
    c.req.raw.signal.addEventListener("abort", () => {
      gone = true;
    });
    const heard: string[] = [];
    const stop = app.runs.observe((event) => {
      if (event.runId === run.id && event.event === "log" && heard.length < 1000) heard.push(logText(event.line));
    });
    const sent = new Map<number, string>();
    const until = Date.now() + FOLLOW_MS;
    try {
      while (!gone && !stream.aborted) {
        // The status first: a run seen ended has its whole journal written, read next.
        const status: RunStatus | undefined = (await app.runRepository.run(run.id))?.status;
        for (const entry of await app.runRepository.journal(run.id)) {
          const key = `${entry.status}/${entry.attempt}/${entry.source}`;
          if (sent.get(entry.seq) === key) continue;
          sent.set(entry.seq, key);
          await stream.writeSSE({ event: "line", data: callLine(entry) });
        }
        for (const line of heard.splice(0)) await stream.writeSSE({ event: "line", data: line });
        if (status !== "running" || Date.now() > until)
          return void (await stream.writeSSE({ event: "end", data: href }));
        await stream.sleep(POLL_MS);
      }
    } finally {
      stop();
    }
  });
}

async function cancelRun(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const session = c.get("session");
  try {
    mustMay(options.rules, session, "post", CANCEL);
    const run = await runOf(options, session.tenantId, c.req.param("id") ?? "");
    if (!(await options.app.runs.cancel(run.id)))
      throw new CharterError(
        "RUN_NOT_RESUMABLE",
        `run ${run.id} is ${run.status}; only a running run can be cancelled`,
      );
    return c.redirect(`${runHref(run.id)}?done=cancel`, 303);
  } catch (error) {
    return problemPage(c, options, error, { href: "/console/runs", label: "Back to the runs" });
  }
}

/** How long a resume in this process is waited for before the page goes to the run (it refuses within that). */
const RESUME_REFUSAL_MS = 1000;

async function resumeRun(c: Context<ConsoleVars>, options: ConsoleOptions) {
  const { app, dispatcher } = options;
  const session = c.get("session");
  try {
    mustMay(options.rules, session, "post", CANCEL);
    const run = await runOf(options, session.tenantId, c.req.param("id") ?? "");
    if (!orphaned(run))
      throw new CharterError(
        "RUN_NOT_RESUMABLE",
        run.status === "running"
          ? `run ${run.id} is held by a live process (its lease runs until ${when(run.leaseUntil)}); try after that`
          : `run ${run.id} is ${run.status}; only a run whose process died can be resumed`,
      );
    if (dispatcher) {
      // The worker's resume job, as the orphan sweep queues it; a second one finds the run resumed and skips.
      await dispatcher.enqueue({
        tenantId: run.tenantId,
        workflow: run.workflow,
        input: {},
        trigger: "manual",
        resume: run.id,
      });
      return c.redirect(`${runHref(run.id)}?done=resume-queued`, 303);
    }
    // In this process, as the REST API runs without a dispatcher; a refusal comes before the run goes on.
    const resumed = app.runs.resume(run.id).then(
      () => "running" as const,
      (error: unknown) => error,
    );
    const early = await Promise.race([
      resumed,
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), RESUME_REFUSAL_MS)),
    ]);
    if (early !== "running") throw early;
    void resumed.then((outcome) => {
      if (outcome !== "running") app.onProblem(`console resume of run ${run.id}`, outcome);
    });
    return c.redirect(`${runHref(run.id)}?done=resume`, 303);
  } catch (error) {
    return problemPage(c, options, error, { href: "/console/runs", label: "Back to the runs" });
  }
}

export function registerRuns(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  console.get("/runs", (c) => runsList(c, options));
  console.get("/runs/:id", async (c) => {
    try {
      return await runPage(c, options);
    } catch (error) {
      return problemPage(c, options, error, { href: "/console/runs", label: "Back to the runs" });
    }
  });
  console.get("/runs/:id/events", (c) => runEvents(c, options));
  console.post("/runs/:id/cancel", (c) => cancelRun(c, options));
  console.post("/runs/:id/resume", (c) => resumeRun(c, options));
}
