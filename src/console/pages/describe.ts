/**
 * Describe a workflow: an author's request in plain language (or what should change in a version)
 * is planned in the background (planning-jobs.ts), and its page follows the planning until it
 * ends in a draft, a question to answer, or a refusal naming the part that cannot be done.
 */
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { PlanningJobs, type PlanningJob, type PlanningOutcome } from "../planning-jobs.ts";
import type { ConsoleOptions } from "../index.ts";
import { csrfField, type Html, navCounts, page, when } from "../layout.ts";
import { type Problem, problemOf } from "../problem.ts";
import { may, mustMay } from "../roles.ts";
import type { ConsoleSession, ConsoleVars } from "../session.ts";
import { httpStatus } from "../../server/http-status.ts";
import { statusBadge } from "./parts.ts";

const PLAN = "/api/v1/tenants/:tenant/plans";
const ANSWER = "/api/v1/tenants/:tenant/plans/:session/answer";

const jobHref = (job: PlanningJob) => `/console/plans/${encodeURIComponent(job.id)}`;
const field = (value: unknown) => (typeof value === "string" ? value.trim() : "");
const problemText = (problem: Problem | undefined): Html =>
  problem ? html`<p class="problem" role="alert">${problem.message}</p>` : html``;

/** Where a job's page goes once it ended: its draft's page, or back to itself to show the outcome. */
const nextUrl = (job: PlanningJob) =>
  job.outcome?.kind === "draft" ? `/console/versions/${encodeURIComponent(job.outcome.versionId)}` : jobHref(job);

export function registerDescribe(console: Hono<ConsoleVars>, options: ConsoleOptions): void {
  const { app, rules } = options;
  const jobs = new PlanningJobs({ onProblem: app.onProblem });
  const owner = (session: ConsoleSession) => ({ tenantId: session.tenantId, userId: session.actor.userId });

  const describePage = async (
    c: Context<ConsoleVars>,
    entered: { request: string; from: string },
    problem?: Problem,
  ) => {
    const session = c.get("session");
    const counts = await navCounts(app, session);
    const body = may(rules, session, "post", PLAN)
      ? describeForm(session, entered, await activeLabels(session.tenantId), problem, jobs.of(owner(session)))
      : html`<p>Describing a workflow needs the ${(rules("post", PLAN) ?? []).join(" or ")} role in tenant
  ${session.tenantId}; ask an admin of the tenant to grant it.</p>`;
    c.status(problem?.status ?? 200);
    return c.html(page({ title: "Describe a workflow", session, counts, current: "/console/describe", body }));
  };
  const activeLabels = async (tenantId: string) =>
    (await app.versionRepository.activeVersions(tenantId)).map((v) => `${v.workflow}@${v.number}`).sort();

  console.get("/describe", (c) => describePage(c, { request: "", from: field(c.req.query("from")).slice(0, 200) }));

  console.post("/describe", async (c) => {
    const session = c.get("session");
    const form = await c.req.parseBody();
    const entered = { request: field(form["request"]), from: field(form["from"]) };
    try {
      mustMay(rules, session, "post", PLAN);
    } catch (error) {
      return refused(c, problemOf(error));
    }
    if (entered.request.length === 0 || entered.request.length > 4000)
      return describePage(c, entered, { status: 400, message: "Write the request: one to 4000 characters." });
    if (entered.from.length > 200)
      return describePage(c, entered, { status: 400, message: "Name the version as workflow@number." });
    try {
      if (entered.from) await app.versions.find(session.tenantId, entered.from);
    } catch (error) {
      return describePage(c, entered, problemOf(error));
    }
    const from = entered.from || undefined;
    const job = jobs.start(owner(session), { kind: "plan", text: entered.request, from }, (onProgress) =>
      app.planner.plan({
        tenantId: session.tenantId,
        request: entered.request,
        from,
        author: session.actor,
        onProgress,
      }),
    );
    if (job === "busy") return describePage(c, entered, busy);
    return c.redirect(jobHref(job), 303);
  });

  console.get("/plans/:job", async (c) => {
    const session = c.get("session");
    const job = jobs.get(c.req.param("job"), owner(session));
    const counts = await navCounts(app, session);
    if (!job) return notFound(c, session, counts);
    const outcome = job.outcome;
    c.status(outcome?.kind === "failed" && outcome.code !== "INTERNAL" ? httpStatus(outcome.code) : 200);
    const answering = may(rules, session, "post", ANSWER);
    return c.html(
      page({
        title: job.kind === "plan" ? "Planning" : "Planning with your answer",
        ...(outcome ? {} : { refresh: 2 }),
        session,
        counts,
        body: jobBody(job, session, answering),
      }),
    );
  });

  console.get("/plans/:job/events", (c) => {
    const job = jobs.get(c.req.param("job"), owner(c.get("session")));
    if (!job) return c.text("No such planning.", 404);
    const start = Math.max(0, Math.min(Number.parseInt(c.req.query("from") ?? "0", 10) || 0, job.lines.length));
    return options.streams.open(c, app, "console planning events", async (stream) => {
      let wake: (() => void) | undefined;
      const unwatch = jobs.watch(job, () => wake?.());
      stream.onAbort(() => wake?.());
      try {
        let sent = start;
        while (!stream.aborted) {
          while (sent < job.lines.length) await stream.writeSSE({ event: "line", data: job.lines[sent++] ?? "" });
          if (job.outcome) {
            await stream.writeSSE({ event: "end", data: nextUrl(job) });
            return;
          }
          // Until the next line or the end; a comment every 15 s keeps proxies from closing a quiet stream.
          let timer: NodeJS.Timeout | undefined;
          const quiet = await new Promise<boolean>((resolve) => {
            wake = () => resolve(false);
            timer = setTimeout(() => resolve(true), 15_000);
          });
          clearTimeout(timer);
          if (quiet && !stream.aborted) await stream.write(": still planning\n\n");
        }
      } finally {
        unwatch();
      }
    });
  });

  console.post("/plans/:job/answer", async (c) => {
    const session = c.get("session");
    try {
      mustMay(rules, session, "post", ANSWER);
    } catch (error) {
      return refused(c, problemOf(error));
    }
    const asked = jobs.get(c.req.param("job"), owner(session));
    const counts = await navCounts(app, session);
    if (!asked) return notFound(c, session, counts);
    const planningSession = asked.outcome?.kind === "declined" ? asked.outcome.session : undefined;
    const answer = field((await c.req.parseBody())["answer"]);
    const problem: Problem | undefined = !planningSession
      ? { status: 409, message: "This planning asks no question to answer." }
      : answer.length === 0 || answer.length > 2000
        ? { status: 400, message: "Write the answer: one to 2000 characters." }
        : undefined;
    const job =
      problem || !planningSession
        ? undefined
        : jobs.start(owner(session), { kind: "answer", text: answer }, (onProgress) =>
            app.planner.answer({
              tenantId: session.tenantId,
              session: planningSession,
              answer,
              author: session.actor,
              onProgress,
            }),
          );
    if (job && job !== "busy") return c.redirect(jobHref(job), 303);
    const shown = problem ?? busy;
    c.status(shown.status);
    return c.html(
      page({ title: "Planning", session, counts, body: html`${problemText(shown)}${jobBody(asked, session, true)}` }),
    );
  });
}

const busy: Problem = {
  status: 429,
  message: "You have as many plannings running as Charter allows at once; wait for one to end and try again.",
};

async function refused(c: Context<ConsoleVars>, problem: Problem) {
  c.status(problem.status);
  return c.html(page({ title: "Not allowed", session: c.get("session"), body: problemText(problem) }));
}

function notFound(c: Context<ConsoleVars>, session: ConsoleSession, counts: Awaited<ReturnType<typeof navCounts>>) {
  c.status(404);
  return c.html(
    page({
      title: "No such planning",
      session,
      counts,
      body: html`<p>This planning is not yours, or it ended more than an hour ago. Its draft, if it made one, is in
  your <a href="/console">inbox</a>; <a href="/console/describe">describe a workflow</a> to plan again.</p>`,
    }),
  );
}

function describeForm(
  session: ConsoleSession,
  entered: { request: string; from: string },
  labels: string[],
  problem: Problem | undefined,
  recent: PlanningJob[],
): Html {
  return html`<form class="card" method="post" action="/console/describe">
  ${problemText(problem)}
  ${csrfField(session)}
  <label for="request">Your request: what should the workflow do?</label>
  <p id="request-hint" class="muted">In plain language: what starts it, what it looks at, what it does. To revise a
  version, say what should change. Up to 4000 characters.</p>
  <textarea id="request" name="request" required maxlength="4000"
    aria-describedby="request-hint">${entered.request}</textarea>
  <label for="from">Start from version (optional)</label>
  <input type="text" id="from" name="from" value="${entered.from}" maxlength="200" list="active-versions"
    aria-describedby="from-hint" autocomplete="off">
  <datalist id="active-versions">${labels.map((label) => html`<option value="${label}"></option>`)}</datalist>
  <p id="from-hint" class="muted">To revise a workflow, name the version to start from as workflow@number.</p>
  <button type="submit">Plan it</button>
</form>
${
  recent.length === 0
    ? ""
    : html`<section aria-labelledby="recent"><h2 id="recent">Your recent plannings</h2><ul class="rows">${recent.map(
        (job) => html`<li><a href="${jobHref(job)}">${when(job.startedAt)}</a> ${outcomeBadge(job.outcome)}
          <span class="muted clip">${job.text}</span></li>`,
      )}</ul></section>`
}`;
}

function outcomeBadge(outcome: PlanningOutcome | undefined): Html {
  if (!outcome) return statusBadge("running");
  if (outcome.kind === "draft") return html`${statusBadge(outcome.status)} <span>${outcome.label}</span>`;
  if (outcome.kind === "declined") return statusBadge(outcome.outcome);
  return statusBadge("failed");
}

function jobBody(job: PlanningJob, session: ConsoleSession, answering: boolean): Html {
  const outcome = job.outcome;
  const live = outcome ? "" : html` data-live="${jobHref(job)}/events?from=${job.lines.length}"`;
  return html`<section aria-labelledby="asked">
  <h2 id="asked">${job.kind === "plan" ? "The request" : "Your answer"}</h2>
  <p class="said">${job.text}</p>
  ${job.from ? html`<p>Revising <code>${job.from}</code>.</p>` : ""}
  <p class="muted">Started ${when(job.startedAt)}${job.endedAt ? html`, ended ${when(job.endedAt)}` : ""}.</p>
</section>
${
  outcome
    ? outcomeSection(job, outcome, session, answering)
    : html`<p role="status">Planning… this page follows it.</p>`
}
${
  outcome && job.lines.length === 0
    ? ""
    : html`<section aria-labelledby="progress"><h2 id="progress">Progress</h2>
  <ol class="live"${live}>${job.lines.map((line) => html`<li>${line}</li>`)}</ol>
</section>`
}`;
}

function outcomeSection(job: PlanningJob, outcome: PlanningOutcome, session: ConsoleSession, answering: boolean): Html {
  switch (outcome.kind) {
    case "draft":
      return html`<section aria-labelledby="outcome"><h2 id="outcome">A draft</h2>
  <p>The ${outcome.planner} planner made the draft
  <a href="/console/versions/${encodeURIComponent(outcome.versionId)}">${outcome.label}</a>:
  ${statusBadge(outcome.status)}.
  Read its plan on its page, then submit it for review.</p></section>`;
    case "declined":
      return outcome.outcome === "refused"
        ? html`<section aria-labelledby="outcome"><h2 id="outcome">Not planned</h2>
  <p>This part of the request could not be done:</p>
  <blockquote class="said">${outcome.clause}</blockquote>
  <p><strong>Why:</strong> ${outcome.reason}</p>
  ${optionList(outcome.options)}
  <p>No draft was made. <a href="/console/describe">Describe it again</a> without that part, or answer below
  to plan it differently.</p>
  ${answering && outcome.session ? answerForms(job, session, []) : ""}
</section>`
        : html`<section aria-labelledby="outcome"><h2 id="outcome">The planner asks</h2>
  <p>About this part of the request:</p>
  <blockquote class="said">${outcome.clause}</blockquote>
  <p>${outcome.reason}</p>
  ${
    answering && outcome.session
      ? answerForms(job, session, outcome.options)
      : html`${optionList(outcome.options)}<p>Answering needs the author role.</p>`
  }
</section>`;
    case "failed":
      return html`<section aria-labelledby="outcome"><h2 id="outcome">Planning failed</h2>
  <p class="problem" role="alert">${outcome.code}: ${outcome.message}</p>
  <p><a href="/console/describe">Describe a workflow</a> to try again.</p></section>`;
  }
}

function optionList(options: string[]): Html | "" {
  return options.length === 0 ? "" : html`<p>Options:</p><ul>${options.map((option) => html`<li>${option}</li>`)}</ul>`;
}

/** One button per option the planner offered, and a free answer. */
function answerForms(job: PlanningJob, session: ConsoleSession, options: string[]): Html {
  const action = `${jobHref(job)}/answer`;
  return html`${
    options.length === 0
      ? ""
      : html`<p>Answer with one of the options:</p><ul class="options">${options.map(
          (option) => html`<li><form method="post" action="${action}">${csrfField(session)}
          <input type="hidden" name="answer" value="${option}">
          <button type="submit" class="secondary">${option}</button>
          </form></li>`,
        )}</ul>`
  }
<form method="post" action="${action}">
  ${csrfField(session)}
  <label for="answer">Your answer</label>
  <textarea id="answer" name="answer" required maxlength="2000"></textarea>
  <button type="submit">Answer and plan again</button>
</form>`;
}
