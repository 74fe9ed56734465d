/** charter.start_run, get_run, get_run_logs, list_runs and wait_for_runs: running workflows and following runs. */
import { z } from "zod";
import type { App } from "../../app.ts";
import { CharterError } from "../../core/errors.ts";
import { RUN_STATUSES } from "../../core/outcomes.ts";
import { RUN_END_RECHECK_MS } from "../../runs/index.ts";
import { type McpCaller, may } from "../caller.ts";
import { charterTool } from "./tool.ts";

const RunStatus = z.enum(RUN_STATUSES);
const RunError = z.object({ code: z.string(), message: z.string() });
/** What a workflow returned: any JSON. */
const Json = z.unknown();

/** A run of the caller's tenant, or RUN_NOT_FOUND. */
async function ownRun(app: App, caller: McpCaller, id: string) {
  const run = await app.runRepository.run(id);
  if (!run || run.tenantId !== caller.tenantId)
    throw new CharterError("RUN_NOT_FOUND", `no run ${id} in tenant ${caller.tenantId}`);
  return run;
}

export const startRun = charterTool({
  name: "charter.start_run",
  title: "Start a run",
  description:
    "Runs the approved version of a workflow with an input and waits for it like the workflow's " +
    "own tool; answers with the run id if it is still going.",
  allowed: may.run,
  input: z
    .object({ workflow: z.string().min(1).max(64), input: z.record(z.string(), z.unknown()).default({}) })
    .strict(),
  annotations: { readOnly: false, openWorld: false },
  handle: async ({ workflow, input }, { app, caller, runWorkflow }) => {
    const version = await app.versionRepository.activeVersion(caller.tenantId, workflow);
    if (!version)
      throw new CharterError(
        "VERSION_NOT_FOUND",
        `workflow ${workflow} has no approved version in tenant ${caller.tenantId}; submit one and have it approved`,
      );
    return runWorkflow(version, input);
  },
});

export const getRun = charterTool({
  name: "charter.get_run",
  title: "Get a run",
  description: "A run: status, input, output or error, trigger, version, and its journal of tool calls.",
  allowed: may.read,
  input: z.object({ run_id: z.uuid() }).strict(),
  output: z.object({
    run: z.record(z.string(), z.unknown()),
    journal: z.array(z.record(z.string(), z.unknown())).describe("its tool calls, in order"),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async ({ run_id }, { app, caller }) => {
    const { logs: _logs, ...run } = await ownRun(app, caller, run_id);
    return { run, journal: await app.runRepository.journal(run.id) };
  },
});

export const getRunLogs = charterTool({
  name: "charter.get_run_logs",
  title: "Get a run's logs",
  description: "The log lines a run's workflow wrote with ctx.log.",
  allowed: may.read,
  input: z.object({ run_id: z.uuid() }).strict(),
  output: z.object({
    logs: z
      .array(
        z.object({
          level: z.enum(["info", "warn", "error"]),
          message: z.string(),
          data: Json.optional(),
          at: z.number(),
        }),
      )
      .nullable(),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async ({ run_id }, { app, caller }) => ({ logs: (await ownRun(app, caller, run_id)).logs }),
});

export const listRuns = charterTool({
  name: "charter.list_runs",
  title: "List runs",
  description: "The tenant's runs, newest first, optionally of one workflow or in one status.",
  allowed: may.read,
  input: z
    .object({
      workflow: z.string().max(64).optional(),
      status: RunStatus.optional(),
      limit: z.number().int().min(1).max(200).default(20),
    })
    .strict(),
  output: z.object({
    runs: z.array(
      z.object({
        id: z.string(),
        workflow: z.string(),
        status: RunStatus,
        trigger: z.object({ type: z.string() }),
        startedAt: z.string().describe("ISO 8601"),
        finishedAt: z.string().nullable().describe("ISO 8601; null while it runs"),
      }),
    ),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async ({ workflow, status, limit }, { app, caller }) => {
    const runs = await app.runRepository.list({ tenantId: caller.tenantId, workflow, status, limit });
    return {
      runs: runs.map((r) => ({
        id: r.id,
        workflow: r.workflow,
        status: r.status,
        trigger: r.trigger,
        // As JSON writes a date; a client over any transport reads the same.
        startedAt: r.startedAt.toISOString(),
        finishedAt: r.finishedAt?.toISOString() ?? null,
      })),
    };
  },
});

export const waitForRuns = charterTool({
  name: "charter.wait_for_runs",
  title: "Wait for runs",
  description:
    "Waits until every given run has finished, or the time is up, and answers with each run's " +
    "status and output or error.",
  allowed: may.read,
  input: z
    .object({ run_ids: z.array(z.uuid()).min(1).max(50), timeout_seconds: z.number().min(0).max(120).default(30) })
    .strict(),
  output: z.object({
    finished: z.boolean().describe("whether every run has finished"),
    runs: z.array(
      z.object({ id: z.string(), workflow: z.string(), status: RunStatus, output: Json, error: RunError.nullable() }),
    ),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async ({ run_ids: ids, timeout_seconds }, { app, caller, progress }) => {
    const until = Date.now() + timeout_seconds * 1000;
    let finished = -1;
    for (;;) {
      // Woken when one of them ends (the database notifies it), re-read at least every few seconds.
      const wait = await app.runEnds.watch(ids, Math.max(0, Math.min(until - Date.now(), RUN_END_RECHECK_MS)));
      try {
        const runs = await Promise.all(ids.map((id) => ownRun(app, caller, id)));
        const done = runs.every((r) => r.status !== "running");
        const count = runs.filter((r) => r.status !== "running").length;
        if (count !== finished)
          progress?.(`${(finished = count)} of ${runs.length} run${runs.length === 1 ? "" : "s"} finished`);
        if (done || Date.now() >= until)
          return {
            finished: done,
            runs: runs.map((r) => ({
              id: r.id,
              workflow: r.workflow,
              status: r.status,
              output: r.output,
              error: r.error,
            })),
          };
        await wait.ended;
      } finally {
        wait.cancel();
      }
    }
  },
});
