/**
 * MCP Tasks (spec 2025-11-25) for workflow tools. A task-augmented `tools/call` starts the run and
 * answers at once with a task; the task is the durable run (under `charter serve`, the queued job
 * until a worker starts it, then its run). So `tasks/get` reads the run's status, `tasks/result`
 * waits for its end and answers what the plain call would have, `tasks/cancel` cancels the run
 * (or the job not yet taken) and `tasks/list` lists the caller's own. A task outlives the session
 * and the process: a client that reconnects gets it by id. Only the runs its user started through
 * MCP are the caller's tasks; any other id is unknown (-32602), as the spec asks.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CancelTaskRequestSchema,
  type CallToolResult,
  type CreateTaskResult,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
  McpError,
  RELATED_TASK_META_KEY,
  ErrorCode as RpcErrorCode,
  type Task,
} from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.ts";
import type { CharterError } from "../core/errors.ts";
import { RUN_END_RECHECK_MS } from "../runs/index.ts";
import type { RunRow, VersionRow } from "../store/index.ts";
import type { Dispatcher } from "../triggers/index.ts";
import type { Actor } from "../versions/index.ts";

/** How often a client should poll tasks/get (ms). */
const POLL_MS = 1000;
/** How long tasks/cancel waits for the run to stop at its next tool call before answering. */
const CANCEL_WAIT_MS = 5000;
/** tasks/list gives the caller's newest tasks, this many. */
const LIST_LIMIT = 100;

const STATUS: Record<string, Task["status"]> = {
  running: "working",
  succeeded: "completed",
  failed: "failed",
  "needs-attention": "failed",
  cancelled: "cancelled",
};

export type TaskDeps = {
  app: App;
  tenantId: string;
  actor: Actor;
  /** May the caller run (and so cancel) workflows? */
  mayRun: boolean;
  dispatcher: Dispatcher | undefined;
  /** What the plain call answers once the run has ended. */
  result: (run: RunRow) => Promise<CallToolResult>;
};

type Queued = { createdAt: Date; cancelled: boolean; notStarted?: boolean };

export function workflowTasks(deps: TaskDeps) {
  const { app } = deps;
  /** Jobs this session queued whose run has not started (under charter serve). */
  const queued = new Map<string, Queued>();

  const isMine = (run: RunRow | undefined): run is RunRow =>
    run !== undefined &&
    run.tenantId === deps.tenantId &&
    run.trigger.type === "tool" &&
    run.trigger.detail?.["user"] === deps.actor.handle;

  const fromRun = (taskId: string, run: RunRow): Task => {
    const error = run.error;
    const statusMessage =
      run.status === "running"
        ? `run ${run.id} is running`
        : run.status === "succeeded"
          ? `run ${run.id} succeeded`
          : `run ${run.id} ${run.status}` +
            (error?.code ? `: ${error.code}${error.message ? ` (${error.message})` : ""}` : "");
    return {
      taskId,
      status: STATUS[run.status] ?? "failed",
      statusMessage,
      createdAt: run.createdAt.toISOString(),
      lastUpdatedAt: (run.finishedAt ?? run.startedAt).toISOString(),
      ttl: null, // runs are kept: the result stays available
      pollInterval: POLL_MS,
    };
  };

  /** The task's run, if started; the queued job otherwise; unknown ids are the spec's invalid params. */
  const find = async (taskId: string): Promise<{ run: RunRow } | { job: Queued }> => {
    if (!/^[0-9a-f-]{36}$/i.test(taskId)) throw unknown(taskId);
    const run = (await app.runRepository.run(taskId)) ?? (await app.runRepository.runOfJob(taskId));
    if (isMine(run)) {
      queued.delete(taskId); // its run is the task from now on
      return { run };
    }
    const job = queued.get(taskId);
    if (!job) throw unknown(taskId);
    // A job a worker finished with, or that was cancelled, without making a run (a version no
    // longer active is refused, say): the task has ended, not "working" forever.
    if (!job.cancelled && !job.notStarted && deps.dispatcher) {
      const state = await deps.dispatcher.jobState(taskId);
      if (state === "cancelled") job.cancelled = true;
      else if (state === "done" || state === undefined) {
        const started = await app.runRepository.runOfJob(taskId); // it may have started meanwhile
        if (isMine(started)) {
          queued.delete(taskId);
          return { run: started };
        }
        job.notStarted = true;
      }
    }
    return { job };
  };

  const taskOf = (taskId: string, found: { run: RunRow } | { job: Queued }): Task =>
    "run" in found
      ? fromRun(taskId, found.run)
      : {
          taskId,
          status: found.job.cancelled ? "cancelled" : found.job.notStarted ? "failed" : "working",
          statusMessage: found.job.cancelled
            ? "cancelled before a worker started it"
            : found.job.notStarted
              ? "no worker started it: the workflow's version was no longer the active one, or the " +
                "job was refused (the server's log says why)"
              : `queued as job ${taskId}; a worker has not started it yet`,
          createdAt: found.job.createdAt.toISOString(),
          lastUpdatedAt: found.job.createdAt.toISOString(),
          ttl: null,
          pollInterval: POLL_MS,
        };

  /**
   * Waits (woken by the run's end) until the task is in a terminal status, the time is up, or the request is dropped.
   */
  const waitForEnd = async (taskId: string, ms: number, signal?: AbortSignal) => {
    const until = Date.now() + ms;
    for (;;) {
      if (signal?.aborted) throw new McpError(RpcErrorCode.RequestTimeout, "the request was cancelled");
      const wait = await app.runEnds.watch([taskId], Math.max(0, Math.min(until - Date.now(), RUN_END_RECHECK_MS)));
      try {
        const found = await find(taskId);
        if (taskOf(taskId, found).status !== "working" || Date.now() >= until) return found;
        await wait.ended;
      } finally {
        wait.cancel();
      }
    }
  };

  /** The run a job a worker has just taken makes (a few seconds at most), if it makes one. */
  const waitForRun = async (jobId: string): Promise<RunRow | undefined> => {
    for (let i = 0; i < 50; i++) {
      const run = await app.runRepository.runOfJob(jobId);
      if (isMine(run)) return run;
      if ((await deps.dispatcher?.jobState(jobId)) !== "taken") return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  };

  return {
    /** Starts the version's run for a task-augmented call and answers with its task. */
    async start(version: VersionRow, input: unknown): Promise<CreateTaskResult> {
      const trigger = { type: "tool" as const, detail: { user: deps.actor.handle, via: "mcp-task" } };
      if (deps.dispatcher) {
        const job = await deps.dispatcher.submit(
          { tenantId: deps.tenantId, workflow: version.workflow, input, trigger: "tool", actor: deps.actor },
          version,
        );
        queued.set(job, { createdAt: new Date(), cancelled: false });
        return { task: taskOf(job, await find(job)) };
      }
      // In this process (stdio): the run is created at once; the task answers when it has an id.
      const started = new Promise<string>((resolve, reject) => {
        app.versions
          .runActive({
            tenantId: deps.tenantId,
            workflow: version.workflow,
            input,
            trigger,
            actor: deps.actor,
            onEvent: (event) => {
              if (event.event === "run-started") resolve(event.runId);
            },
          })
          .catch(reject); // refused before it started (its input, its version); later failures are the run's
      });
      const runId = await started;
      return { task: taskOf(runId, await find(runId)) };
    },

    register(server: Server) {
      server.setRequestHandler(GetTaskRequestSchema, async (request) => {
        const { taskId } = request.params;
        return taskOf(taskId, await find(taskId));
      });
      server.setRequestHandler(GetTaskPayloadRequestSchema, async (request, extra) => {
        const { taskId } = request.params;
        let found = await find(taskId);
        while (taskOf(taskId, found).status === "working") found = await waitForEnd(taskId, 60_000, extra.signal);
        const related = { [RELATED_TASK_META_KEY]: { taskId } };
        if (!("run" in found)) {
          const [code, text] = found.job.cancelled
            ? ["CANCELLED", "the run was cancelled before a worker started it"]
            : ["RUN_NOT_STARTED", taskOf(taskId, found).statusMessage ?? "no worker started it"];
          return {
            isError: true,
            content: [{ type: "text", text: `${code}: ${text}` }],
            _meta: { ...related, "charter/error": { code, retryable: false } },
          };
        }
        const result = await deps.result(found.run);
        return { ...result, _meta: { ...result._meta, ...related } };
      });
      server.setRequestHandler(ListTasksRequestSchema, async () => {
        const runs = await app.runRepository.list({ tenantId: deps.tenantId, limit: 500 });
        const tasks: Task[] = [];
        for (const run of runs) {
          if (tasks.length >= LIST_LIMIT) break;
          const row = { ...run, logs: null } as RunRow;
          if (isMine(row)) tasks.push(fromRun(run.jobId ?? run.id, row));
        }
        const started = new Set(runs.map((run) => run.jobId));
        for (const [job, entry] of queued) if (!started.has(job)) tasks.unshift(taskOf(job, { job: entry }));
        return { tasks };
      });
      server.setRequestHandler(CancelTaskRequestSchema, async (request) => {
        const { taskId } = request.params;
        if (!deps.mayRun)
          throw new McpError(RpcErrorCode.InvalidParams, "cancelling runs needs the operator or admin role");
        const found = await find(taskId);
        if (taskOf(taskId, found).status !== "working")
          throw new McpError(
            RpcErrorCode.InvalidParams,
            `task ${taskId} has already ended (${taskOf(taskId, found).status})`,
          );
        if (!("run" in found)) {
          if (deps.dispatcher && (await deps.dispatcher.cancelQueued(taskId))) {
            found.job.cancelled = true;
            return taskOf(taskId, found);
          }
          // A worker took the job meanwhile: cancel its run once it exists.
          const started = await waitForRun(taskId);
          if (started) await app.runs.cancel(started.id);
        } else await app.runs.cancel(found.run.id);
        // The run stops before its next tool call: wait for that a little, then answer what is true.
        const now = await waitForEnd(taskId, CANCEL_WAIT_MS);
        const task = taskOf(taskId, now);
        return task.status === "working"
          ? { ...task, statusMessage: "cancel requested: the run stops before its next tool call" }
          : task;
      });
    },
  };
}

const unknown = (taskId: string) =>
  new McpError(RpcErrorCode.InvalidParams, `no task ${taskId} of yours (a workflow run you started over MCP)`);

/** A refusal before a task exists is a JSON-RPC error (a task-augmented call cannot answer with a tool error). */
export function taskRefusal(error: CharterError): McpError {
  return new McpError(RpcErrorCode.InvalidParams, `${error.code}: ${error.message}`, { code: error.code });
}
