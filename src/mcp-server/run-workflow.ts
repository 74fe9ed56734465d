/**
 * A workflow tool's call: runs the workflow's active version as the caller (queued for a worker
 * under `charter serve`, here otherwise), reports progress and forwards its log lines while it
 * waits, and answers with its output, its failure and whether a retry makes sense, or with the run
 * id when the wait runs out. charter.start_run and MCP tasks answer the same way.
 */
import type { CallToolResult, LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.ts";
import type { LogLine } from "../sandbox/index.ts";
import type { VersionRow } from "../store/index.ts";
import type { Dispatcher } from "../triggers/index.ts";
import type { McpCaller } from "./caller.ts";
import { type Progress, RUN_META, retryAdvice, type Send } from "./results.ts";
import { followRun } from "./run-follower.ts";

export type WorkflowRunnerOptions = {
  app: App;
  caller: McpCaller;
  /** How long a call waits for its run before answering with the run id (ms). */
  runWaitMs: number;
  /** How often a call that asked for progress hears that its run is still going (ms). */
  progressMs: number;
  /** Queues runs for workers (charter serve); without one, runs run here. */
  dispatcher: Dispatcher | undefined;
  /** The level the session's client set with logging/setLevel (undefined: every line). */
  logLevel: () => LoggingLevel | undefined;
};

/** What a run came to, as far as the answer to its call goes. */
export type EndedRun = {
  runId: string;
  status: string;
  output: unknown;
  error: { code: string; message: string } | null;
};

export type WorkflowRunner = {
  /** Runs the active `version` of its workflow (as just read by the caller) and waits for it up to the run wait. */
  run: (version: VersionRow, input: unknown, progress: Progress, send: Send) => Promise<CallToolResult>;
  /** The answer to a workflow call whose run has ended (the call's own, or a task's tasks/result). */
  endedResult: (
    version: Pick<VersionRow, "capabilities">,
    ended: EndedRun,
    meta: Record<string, unknown>,
  ) => Promise<CallToolResult>;
};

export function workflowRunner(options: WorkflowRunnerOptions): WorkflowRunner {
  const { app, caller, dispatcher, progressMs } = options;

  async function run(version: VersionRow, input: unknown, progress: Progress, send: Send): Promise<CallToolResult> {
    const wait = options.runWaitMs;
    const started = performance.now();
    const workflow = version.workflow;
    const trigger = { type: "tool" as const, detail: { user: caller.actor.handle, via: "mcp" } };
    let ended: (EndedRun & { logs: readonly LogLine[] | undefined }) | undefined;
    // Progress from each tool call on, and the workflow's log lines, while the call waits.
    const follower = followRun({
      observe: (listener) => app.runs.observe(listener),
      send,
      progress,
      level: options.logLevel,
      logger: `${workflow}@${version.number}`,
    });
    let runId: string | undefined;
    let queued: string | undefined;
    let answered = false;
    const heartbeat =
      progress &&
      setInterval(async () => {
        // A queued run's id is known once a worker has started it.
        if (!runId && queued)
          runId = (
            await app.runRepository
              .runOfJob(queued)
              .catch((error: unknown) => app.onProblem(`MCP progress: looking up the run of job ${queued}`, error))
          )?.id;
        if (answered) return;
        const waited = `${Math.round((performance.now() - started) / 1000)} s of up to ${Math.round(wait / 1000)} s`;
        const where = runId
          ? `run ${runId} is still going`
          : queued
            ? `queued as job ${queued}, not started yet`
            : "its run has not started yet";
        progress(`${workflow}@${version.number}: ${where} (waited ${waited})`);
      }, progressMs);
    try {
      if (dispatcher) {
        // Queued like every other run: it counts against the tenant's limit and survives a worker's shutdown.
        const job = await dispatcher.submit(
          { tenantId: caller.tenantId, workflow, input, trigger: "tool", actor: caller.actor },
          version,
        );
        queued = job;
        follower.ownJob(job);
        const run = await dispatcher.runOfJob(job, wait);
        runId = run?.id;
        if (runId) follower.own(runId);
        if (run && run.status !== "running")
          ended = {
            runId: run.id,
            status: run.status,
            output: run.output,
            error: run.error,
            logs: run.logs ?? undefined,
          };
        if (!runId) {
          return {
            isError: true,
            content: [
              {
                type: "text",
                text:
                  `RUN_QUEUED: ${workflow} is queued as job ${job} and has not started ` +
                  `within ${Math.round(wait / 1000)} s (the tenant's runs are at their limit or no ` +
                  `worker is free). charter.list_runs with {"workflow":"${workflow}"} shows it once ` +
                  `it starts; do not call ${workflow} again for the same request.`,
              },
            ],
            _meta: {
              [RUN_META]: {
                job,
                workflow,
                version: version.number,
                durationMs: Math.round(performance.now() - started),
              },
              "charter/error": { code: "RUN_QUEUED", retryable: false },
            },
          };
        }
      } else {
        let announce: (id: string) => void = () => {};
        const announced = new Promise<string>((resolve) => (announce = resolve));
        const running = app.versions.runActive({
          tenantId: caller.tenantId,
          workflow,
          input,
          trigger,
          actor: caller.actor,
          onEvent: (event) => {
            if (event.event !== "run-started") return;
            follower.own(event.runId);
            announce((runId = event.runId));
            progress?.(`${workflow}@${version.number}: run ${event.runId} started`);
          },
        });
        running.catch(() => undefined); // still going after the wait: its end is in the store
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), wait)));
        const outcome = await Promise.race([running, timeout]).finally(() => clearTimeout(timer));
        if (outcome !== "timeout") ended = outcome;
        else
          runId ??= await Promise.race([
            announced,
            new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000)),
          ]);
      }
      const meta = {
        [RUN_META]: {
          id: ended?.runId ?? runId,
          workflow,
          version: version.number,
          durationMs: Math.round(performance.now() - started),
        },
      };
      if (!ended) {
        const id = runId ?? "(not started yet)";
        return {
          isError: true,
          content: [
            {
              type: "text",
              text:
                `RUN_STILL_RUNNING: run ${id} of ${workflow} is still going ` +
                `after ${Math.round(wait / 1000)} s. Call charter.wait_for_runs with ` +
                `{"run_ids":["${id}"]} or charter.get_run with {"run_id":"${id}"} for its result; do ` +
                `not call ${workflow} again for the same request.`,
            },
          ],
          _meta: { ...meta, "charter/error": { code: "RUN_STILL_RUNNING", retryable: false } },
        };
      }
      await follower.finish(ended.logs);
      return await endedResult(version, ended, meta);
    } finally {
      answered = true;
      clearInterval(heartbeat);
      follower.stop();
    }
  }

  async function endedResult(
    version: Pick<VersionRow, "capabilities">,
    ended: EndedRun,
    meta: Record<string, unknown>,
  ): Promise<CallToolResult> {
    if (ended.status === "succeeded") {
      return {
        content: [{ type: "text", text: JSON.stringify(ended.output, null, 2) }],
        structuredContent: ended.output as Record<string, unknown>,
        _meta: meta,
      };
    }
    const code = ended.error?.code ?? ended.status.toUpperCase();
    const { retryable, hint } = retryAdvice(code, await app.runRepository.journal(ended.runId), version.capabilities);
    return {
      isError: true,
      content: [
        {
          type: "text",
          text: `${code}: ${ended.error?.message ?? `the run ended ${ended.status}`} (run ${ended.runId}; ${hint})`,
        },
      ],
      _meta: { ...meta, "charter/error": { code, retryable, status: ended.status } },
    };
  }

  return { run, endedResult };
}
