/** Runs: start one of a workflow's approved version, list them, read one with its journal, cancel one. */
import { z } from "zod";
import { CharterError } from "../../core/errors.ts";
import type { RunRow } from "../../store/index.ts";
import { type Route, route } from "../route.ts";
import type { RouteDeps } from "./index.ts";
import { Json, JournalEntry, QueuedRun, Run, RunError, RunLogLine, RunStatus, RunSummary, Uuid } from "./schemas.ts";
import { journalEntryView, runSummaryView, runView } from "./views.ts";

const StartRun = z.object({ input: z.record(z.string(), z.unknown()).default({}) }).strict();
const StartQuery = z.object({
  wait: z.coerce
    .number()
    .min(0)
    .max(25)
    .default(0)
    .meta({ description: "seconds to wait for the run (at most 25, under the request time limit)" }),
});
const RunFilter = z.object({
  workflow: z.string().max(64).optional(),
  status: RunStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  job: z.uuid().optional().meta({ description: "the run a queued job started" }),
});

/** A run that ran in this process (a server without a dispatcher); `version` is the version's number. */
const InlineRun = z.object({
  runId: Uuid,
  status: RunStatus,
  output: Json.optional(),
  error: RunError.nullable(),
  logs: z.array(RunLogLine),
  attempt: z.int(),
  version: z.int(),
});

export function runRoutes({ app, dispatcher }: RouteDeps): Route[] {
  const tag = "runs";
  /** A run of the caller's tenant, or RUN_NOT_FOUND (an id that is no run's is not looked up). */
  const runOf = async (tenantId: string, id: string): Promise<RunRow> => {
    const run = /^[0-9a-f-]{36}$/i.test(id) ? await app.runRepository.run(id) : undefined;
    if (!run || run.tenantId !== tenantId) throw new CharterError("RUN_NOT_FOUND", `no run ${id}`);
    return run;
  };
  return [
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/workflows/:workflow/runs",
      tag,
      summary: "Runs the workflow's approved version with an input.",
      description:
        "Queues the run for a worker (inline when the server has no dispatcher); `wait` waits for its result. " +
        "The input is checked against the workflow's input schema before anything is queued.",
      access: "tenant",
      roles: ["operator", "admin"],
      body: StartRun,
      query: StartQuery,
      responses: {
        200: { description: "finished within the wait", schema: z.object({ job: Uuid, run: QueuedRun }) },
        201: { description: "ran inline", schema: z.object({ run: InlineRun }) },
        202: {
          description: "queued: the run is null or still running; follow names where to find it",
          schema: z.object({ job: Uuid, run: QueuedRun.nullable(), follow: z.string() }),
        },
      },
      handle: async ({ caller, params, body, query }, reply) => {
        const { tenantId, actor } = caller;
        const workflow = params.workflow;
        if (!dispatcher) {
          const trigger = { type: "manual" as const, detail: { user: actor.handle } };
          const run = await app.versions.runActive({ tenantId, workflow, input: body.input, trigger, actor });
          const { runId, status, output, error, logs, attempt, version } = run;
          return reply(201, { run: { runId, status, output, error, logs, attempt, version } });
        }
        const job = await dispatcher.submit({ tenantId, workflow, input: body.input, trigger: "manual", actor });
        const found = query.wait > 0 ? await dispatcher.runOfJob(job, query.wait * 1000) : undefined;
        const run = found && {
          id: found.id,
          status: found.status,
          output: found.output,
          error: found.error as z.input<typeof RunError> | null,
          version: found.versionId,
        };
        if (run && run.status !== "running") return reply(200, { job, run });
        return reply(202, { job, run: run ?? null, follow: `/api/v1/tenants/${tenantId}/runs?job=${job}` });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/runs",
      tag,
      summary: "The tenant's runs, newest first (without their logs).",
      access: "tenant",
      query: RunFilter,
      responses: { 200: { description: "the runs", schema: z.object({ runs: z.array(RunSummary) }) } },
      handle: async ({ caller, query }, reply) => {
        if (query.job) {
          const run = await app.runRepository.runOfJob(query.job);
          return reply(200, { runs: run && run.tenantId === caller.tenantId ? [runSummaryView(run)] : [] });
        }
        const runs = await app.runRepository.list({ tenantId: caller.tenantId, ...query });
        return reply(200, { runs: runs.map(runSummaryView) });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/runs/:id/cancel",
      tag,
      summary: "Asks a running run to stop at its next tool call.",
      access: "tenant",
      roles: ["operator", "admin"],
      responses: {
        202: { description: "asked", schema: z.object({ cancelling: Uuid, note: z.string() }) },
      },
      handle: async ({ caller, params }, reply) => {
        const run = await runOf(caller.tenantId, params.id);
        if (!(await app.runs.cancel(run.id)))
          throw new CharterError(
            "RUN_NOT_RESUMABLE",
            `run ${run.id} is ${run.status}; only a running run can be cancelled`,
          );
        return reply(202, { cancelling: run.id, note: "the run stops at its next tool call" });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/runs/:id",
      tag,
      summary: "A run with its logs and its journal (one entry per tool call).",
      access: "tenant",
      responses: {
        200: { description: "the run", schema: z.object({ run: Run, journal: z.array(JournalEntry) }) },
      },
      handle: async ({ caller, params }, reply) => {
        const run = await runOf(caller.tenantId, params.id);
        const journal = await app.runRepository.journal(run.id);
        return reply(200, { run: runView(run), journal: journal.map(journalEntryView) });
      },
    }),
  ];
}
