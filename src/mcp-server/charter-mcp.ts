/**
 * Charter as an MCP server, for one caller: a tenant and the user its API key (or local identity)
 * stands for. It offers
 *   - each approved, active workflow version of the tenant as a tool (name = workflow name; its
 *     description, input and output schemas, annotations summed from its capabilities); a call
 *     runs it and waits up to CHARTER_MCP_RUN_WAIT_MS;
 *   - management tools named `charter.*` (a workflow name cannot contain a dot, so they never
 *     collide): plan a workflow (it becomes a draft; nothing here approves), list workflows and
 *     versions, get a version, start, get, list and wait for runs, get a run's logs;
 *   - resources: the tenant SDK's declarations, one per integration, the workflow runtime's
 *     declarations and a usage guide; and a prompt for drafting a workflow.
 * Tools are listed and callable by role: running needs operator or admin, planning author or
 * admin, reading any role. Approval, rejection, rollback and keys are not offered at all: they
 * stay human decisions in the API, CLI or console. `notifications/tools/list_changed` goes out
 * when the set of active versions changes (checked every few seconds while connected). A call
 * that carries a progress token gets `notifications/progress` while it waits: a run started and
 * still running (every few seconds), runs waited for finishing, the planner's turns and checks.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  type CreateTaskResult,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  McpError,
  ErrorCode as RpcErrorCode,
  ReadResourceRequestSchema,
  type ServerNotification,
  type Tool,
  type LoggingLevel,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { App } from "../app.ts";
import { definitionDescription, guestFiles } from "../compile/index.ts";
import { retryableCode } from "../core/outcomes.ts";
import { CharterError, errorText, PlannerDeclined } from "../core/errors.ts";
import type { Capability } from "../core/workflow.ts";
import type { LogLine } from "../sandbox/index.ts";
import type { Role, VersionRow } from "../store/index.ts";
import type { PlannerProgress, PlanResult } from "../planner/index.ts";
import { RUN_END_RECHECK_MS } from "../runs/index.ts";
import type { Dispatcher } from "../triggers/index.ts";
import type { Actor } from "../versions/index.ts";
import { GUIDE } from "./guide.ts";
import { followRun } from "./run-follower.ts";
import { taskRefusal, workflowTasks } from "./run-tasks.ts";

export type McpCaller = { tenantId: string; actor: Actor; roles: ReadonlySet<Role> };

export type CharterMcpOptions = {
  /** How long a tool call waits for its run before answering with the run id (default: the env's). */
  runWaitMs?: number;
  /** How often the set of active versions is compared for list_changed (ms). */
  watchMs?: number;
  /** How often a call that asked for progress hears that its run is still going (ms, default 2000). */
  progressMs?: number;
  /**
   * With a dispatcher (charter serve), runs are queued for workers like every other run; without
   * (stdio), they run here.
   */
  dispatcher?: Dispatcher;
};

/** The MCP spec's error code for a resource that does not exist (not JSON-RPC's invalid params). */
const RESOURCE_NOT_FOUND = -32002;
/** Reports progress of one tool call; undefined when its caller did not ask for progress. */
type Progress = ((message: string) => void) | undefined;
/** Sends a notification related to the request being handled (on its stream, over Streamable HTTP). */
type Send = (notification: ServerNotification) => Promise<void>;

/** `notifications/progress` for a request that carries a progress token; a failed send never fails the call. */
function progressReporter(
  token: string | number | undefined,
  send: (notification: ServerNotification) => Promise<void>,
): Progress {
  if (token === undefined) return undefined;
  let progress = 0;
  return (message) =>
    void send({
      method: "notifications/progress",
      params: { progressToken: token, progress: ++progress, message },
    }).catch(() => undefined);
}

const VERSION = "0.1.0";
const SDK_TEMPLATE = "charter://sdk/{integration}.d.ts";
const RUN_META = "charter/run";

const may = {
  run: (roles: ReadonlySet<Role>) => roles.has("operator") || roles.has("admin"),
  plan: (roles: ReadonlySet<Role>) => roles.has("author") || roles.has("admin"),
};

/** Management tools: name, who may call, schema, what it does. */
const MANAGEMENT: {
  name: string;
  title: string;
  description: string;
  allowed: (roles: ReadonlySet<Role>) => boolean;
  input: z.ZodObject;
  readOnly: boolean;
}[] = [
  {
    name: "charter.plan_workflow",
    title: "Plan a workflow",
    description:
      "Turns a plain-language request into a draft workflow version: typed TypeScript over the " +
      "tenant's tools, with tests, checked by the compile and test gates. The draft never runs " +
      "until a human reviewer approves it outside MCP. Returns the version, its capabilities and " +
      "gate results; or the planner's question or refusal naming the part of the request, with a " +
      "session: call again with session and answer (no request) to continue it.",
    allowed: may.plan,
    input: z
      .object({
        request: z.string().min(1).max(4000).optional().describe("What the workflow should do, in plain language"),
        from: z.string().max(200).optional().describe("A version to start from: <workflow>@<n> or an id"),
        session: z
          .string()
          .max(100)
          .optional()
          .describe("A planning session that ended with a question or refusal, to continue with answer"),
        answer: z.string().min(1).max(2000).optional().describe("The answer to that session's question"),
      })
      .strict()
      .refine((args) => (args.request === undefined) !== (args.answer === undefined), {
        message: "give either request (a new plan) or session and answer (to continue one)",
      })
      .refine((args) => args.answer === undefined || (args.session !== undefined && args.from === undefined), {
        message: "answer goes with session, and without from",
      }),
    readOnly: false,
  },
  {
    name: "charter.list_workflows",
    title: "List workflows",
    description:
      "The tenant's workflows: how many versions each has, the latest one and its status, and the " +
      "active (approved) version.",
    allowed: () => true,
    input: z.object({}).strict(),
    readOnly: true,
  },
  {
    name: "charter.list_versions",
    title: "List versions",
    description:
      "Versions of the tenant's workflows (optionally of one), newest first, with status, author and capabilities.",
    allowed: () => true,
    input: z.object({ workflow: z.string().max(64).optional() }).strict(),
    readOnly: true,
  },
  {
    name: "charter.get_version",
    title: "Get a version",
    description:
      "One version: its source, tests, capabilities (the exact tools it can call), triggers, " +
      "schemas, gate results, status, approvals, and its diff to the version it came from.",
    allowed: () => true,
    input: z.object({ version: z.string().min(1).max(200).describe("<workflow>@<n> or a version id") }).strict(),
    readOnly: true,
  },
  {
    name: "charter.start_run",
    title: "Start a run",
    description:
      "Runs the approved version of a workflow with an input and waits for it like the workflow's " +
      "own tool; answers with the run id if it is still going.",
    allowed: may.run,
    input: z
      .object({ workflow: z.string().min(1).max(64), input: z.record(z.string(), z.unknown()).default({}) })
      .strict(),
    readOnly: false,
  },
  {
    name: "charter.get_run",
    title: "Get a run",
    description: "A run: status, input, output or error, trigger, version, and its journal of tool calls.",
    allowed: () => true,
    input: z.object({ run_id: z.uuid() }).strict(),
    readOnly: true,
  },
  {
    name: "charter.get_run_logs",
    title: "Get a run's logs",
    description: "The log lines a run's workflow wrote with ctx.log.",
    allowed: () => true,
    input: z.object({ run_id: z.uuid() }).strict(),
    readOnly: true,
  },
  {
    name: "charter.list_runs",
    title: "List runs",
    description: "The tenant's runs, newest first, optionally of one workflow or in one status.",
    allowed: () => true,
    input: z
      .object({
        workflow: z.string().max(64).optional(),
        status: z.enum(["running", "succeeded", "failed", "needs-attention", "cancelled"]).optional(),
        limit: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    readOnly: true,
  },
  {
    name: "charter.wait_for_runs",
    title: "Wait for runs",
    description:
      "Waits until every given run has finished, or the time is up, and answers with each run's " +
      "status and output or error.",
    allowed: () => true,
    input: z
      .object({ run_ids: z.array(z.uuid()).min(1).max(50), timeout_seconds: z.number().min(0).max(120).default(30) })
      .strict(),
    readOnly: true,
  },
];

export function createCharterMcpServer(app: App, caller: McpCaller, options: CharterMcpOptions = {}): Server {
  const runWaitMs = options.runWaitMs ?? app.env.mcp.runWaitMs;
  const progressMs = options.progressMs ?? 2000;
  const server = new Server(
    { name: "charter", title: "Charter", version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: {},
        logging: {},
        completions: {},
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      instructions:
        `Charter tenant "${caller.tenantId}". Each workflow tool runs an approved, human-reviewed ` +
        `workflow. charter.* tools plan drafts and follow runs; approval is not available over MCP. ` +
        `Read charter://guide first.`,
    },
  );

  const activeVersions = () => app.versionRepository.activeVersions(caller.tenantId);

  const tasks = workflowTasks({
    app,
    tenantId: caller.tenantId,
    actor: caller.actor,
    mayRun: may.run(caller.roles),
    dispatcher: options.dispatcher,
    result: async (run) => {
      const version = run.versionId ? await app.versionRepository.byId(run.versionId) : undefined;
      const meta = {
        [RUN_META]: {
          id: run.id,
          workflow: run.workflow,
          version: run.versionNumber,
          durationMs: run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
        },
      };
      return endedResult(
        { capabilities: version?.capabilities ?? [] },
        { ...run, runId: run.id, error: run.error },
        meta,
      );
    },
  });
  tasks.register(server);

  // One server per session: the level its client set with logging/setLevel (none: every line).
  let logLevel: LoggingLevel | undefined;
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level;
    return {};
  });

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools: Tool[] = [];
    if (may.run(caller.roles)) for (const version of await activeVersions()) tools.push(workflowTool(version));
    for (const tool of MANAGEMENT) {
      if (!tool.allowed(caller.roles)) continue;
      tools.push({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: z.toJSONSchema(tool.input, { io: "input" }) as Tool["inputSchema"],
        annotations: { readOnlyHint: tool.readOnly, openWorldHint: false },
      });
    }
    return { tools };
  });

  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult | CreateTaskResult> => {
      const { name, arguments: args = {} } = request.params;
      const management = MANAGEMENT.find((tool) => tool.name === name);
      const progress = progressReporter(request.params._meta?.progressToken, extra.sendNotification);
      try {
        if (management) {
          if (request.params.task)
            throw new McpError(RpcErrorCode.InvalidParams, `${name} does not run as a task; call it without "task"`);
          if (!management.allowed(caller.roles))
            throw new CharterError("NOT_AUTHORIZED", `${name} needs another role in tenant ${caller.tenantId}`);
          const parsed = management.input.safeParse(args);
          if (!parsed.success)
            return failure(
              "INVALID_ARGUMENTS",
              parsed.error.issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`).join("; "),
              false,
            );
          return await manage(name, parsed.data as Record<string, unknown>, progress, extra.sendNotification);
        }
        const version = await app.versionRepository.activeVersion(caller.tenantId, name);
        if (!version) throw new McpError(RpcErrorCode.InvalidParams, `Unknown tool: ${name}`);
        if (!may.run(caller.roles))
          throw new CharterError(
            "NOT_AUTHORIZED",
            `running workflows needs the operator or admin role in tenant ${caller.tenantId}`,
          );
        if (request.params.task)
          return await tasks.start(version, args).catch((error: unknown) => {
            throw error instanceof CharterError ? taskRefusal(error) : error;
          });
        return await runWorkflow(version, args, progress, extra.sendNotification);
      } catch (error) {
        if (error instanceof McpError) throw error;
        if (error instanceof CharterError) return failure(error.code, error.message, error.retryable);
        // The caller gets a stable code; the cause goes to stderr (stdout may be the stdio channel), as the answer
        // says.
        const line = {
          at: new Date().toISOString(),
          event: "mcp-error",
          tenant: caller.tenantId,
          user: caller.actor.handle,
          tool: name,
          message: errorText(error),
        };
        process.stderr.write(`${JSON.stringify(line)}\n`);
        return failure("INTERNAL", "Charter failed to handle the call; it is logged; try again or report it", true);
      }
    },
  );

  /** Runs the active `version` of its workflow (as just read by the caller) and waits for it up to `wait`. */
  async function runWorkflow(
    version: VersionRow,
    input: unknown,
    progress: Progress,
    send: Send,
    wait = runWaitMs,
  ): Promise<CallToolResult> {
    const started = performance.now();
    const workflow = version.workflow;
    const trigger = { type: "tool" as const, detail: { user: caller.actor.handle, via: "mcp" } };
    let ended:
      | {
          runId: string;
          status: string;
          output: unknown;
          error: { code: string; message: string } | null;
          logs: readonly LogLine[] | undefined;
        }
      | undefined;
    // Progress from each tool call on, and the workflow's log lines, while the call waits.
    const follower = followRun({
      observe: (listener) => app.runs.observe(listener),
      send,
      progress,
      level: () => logLevel,
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
      if (options.dispatcher) {
        // Queued like every other run: it counts against the tenant's limit and survives a worker's shutdown.
        const job = await options.dispatcher.submit(
          { tenantId: caller.tenantId, workflow, input, trigger: "tool", actor: caller.actor },
          version,
        );
        queued = job;
        follower.ownJob(job);
        const run = await options.dispatcher.runOfJob(job, wait);
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

  /** The answer to a workflow call whose run has ended (the call's own, or a task's tasks/result). */
  async function endedResult(
    version: Pick<VersionRow, "capabilities">,
    ended: { runId: string; status: string; output: unknown; error: { code: string; message: string } | null },
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

  async function manage(
    name: string,
    args: Record<string, unknown>,
    progress: Progress,
    send: Send,
  ): Promise<CallToolResult> {
    const tenantId = caller.tenantId;
    switch (name) {
      case "charter.plan_workflow": {
        const onProgress =
          progress &&
          ((p: PlannerProgress) =>
            progress(
              p.event === "turn"
                ? `planner turn ${p.turn}`
                : `${p.event === "checked" ? (p.ok ? "check passed: " : "check failed: ") : ""}${p.summary}`,
            ));
        let result: PlanResult;
        try {
          result =
            args["answer"] !== undefined
              ? await app.planner.answer({
                  tenantId,
                  session: String(args["session"]),
                  answer: String(args["answer"]),
                  author: caller.actor,
                  ...(onProgress ? { onProgress } : {}),
                })
              : await app.planner.plan({
                  tenantId,
                  request: String(args["request"]),
                  from: args["from"] as string | undefined,
                  author: caller.actor,
                  ...(onProgress ? { onProgress } : {}),
                });
        } catch (error) {
          // The planner's answer, not a failure: which part it could not plan, and why (or its question).
          if (error instanceof PlannerDeclined) {
            const next =
              error.outcome === "refused"
                ? "reword or drop the part named in clause and plan again, or answer how to do it instead"
                : "answer the question (options lists what the tenant has)";
            return data({
              ...error.toJSON(),
              next: `${next}: call charter.plan_workflow with {"session":"${error.session ?? ""}","answer":"…"}`,
            });
          }
          throw error;
        }
        const v = result.version;
        const plan = v.origin?.plan ?? null;
        return data({
          outcome: "draft",
          version: `${v.workflow}@${v.number}`,
          id: v.id,
          status: v.status,
          plan,
          capabilities: v.capabilities,
          gates: v.gates,
          planner: result.planner,
          next:
            "a human reviewer submits and approves it outside MCP (charter submit/approve, or the " +
            "API); until then it never runs",
        });
      }
      case "charter.list_workflows":
        return data({ workflows: await app.versions.workflows(tenantId) });
      case "charter.list_versions": {
        const rows = await app.versionRepository.list(tenantId, args["workflow"] as string | undefined);
        return data({
          versions: rows.map((v) => ({
            version: `${v.workflow}@${v.number}`,
            id: v.id,
            status: v.status,
            createdAt: v.createdAt,
            capabilities: v.capabilities.map((c) => `${c.integration}.${c.tool}`),
          })),
        });
      }
      case "charter.get_version": {
        const version = await app.versions.find(tenantId, String(args["version"]));
        const parent = version.parentVersionId ? await app.versionRepository.byId(version.parentVersionId) : undefined;
        const diff = parent ? await app.versions.diff(tenantId, parent.id, version.id) : null;
        const { toolSnapshots: _snapshots, ...rest } = version;
        return data({
          version: rest,
          approvals: await app.versionRepository.approvals(version.id),
          diffToParent: diff,
        });
      }
      case "charter.start_run": {
        const workflow = String(args["workflow"]);
        const version = await app.versionRepository.activeVersion(tenantId, workflow);
        if (!version)
          throw new CharterError(
            "VERSION_NOT_FOUND",
            `workflow ${workflow} has no approved version in tenant ${tenantId}; submit one and have it approved`,
          );
        return runWorkflow(version, args["input"] ?? {}, progress, send);
      }
      case "charter.get_run": {
        const run = await ownRun(String(args["run_id"]));
        const { logs: _logs, ...rest } = run;
        return data({ run: rest, journal: await app.runRepository.journal(run.id) });
      }
      case "charter.get_run_logs":
        return data({ logs: (await ownRun(String(args["run_id"]))).logs });
      case "charter.list_runs": {
        const runs = await app.runRepository.list({
          tenantId,
          workflow: args["workflow"] as string | undefined,
          status: args["status"] as "running" | undefined,
          limit: Number(args["limit"] ?? 20),
        });
        return data({
          runs: runs.map((r) => ({
            id: r.id,
            workflow: r.workflow,
            status: r.status,
            trigger: r.trigger,
            startedAt: r.startedAt,
            finishedAt: r.finishedAt,
          })),
        });
      }
      case "charter.wait_for_runs": {
        const ids = args["run_ids"] as string[];
        const until = Date.now() + Number(args["timeout_seconds"] ?? 30) * 1000;
        let finished = -1;
        for (;;) {
          // Woken when one of them ends (the database notifies it), re-read at least every few seconds.
          const wait = await app.runEnds.watch(ids, Math.max(0, Math.min(until - Date.now(), RUN_END_RECHECK_MS)));
          try {
            const runs = await Promise.all(ids.map((id) => ownRun(id)));
            const done = runs.every((r) => r.status !== "running");
            const count = runs.filter((r) => r.status !== "running").length;
            if (count !== finished)
              progress?.(`${(finished = count)} of ${runs.length} run${runs.length === 1 ? "" : "s"} finished`);
            if (done || Date.now() >= until)
              return data({
                finished: done,
                runs: runs.map((r) => ({
                  id: r.id,
                  workflow: r.workflow,
                  status: r.status,
                  output: r.output,
                  error: r.error,
                })),
              });
            await wait.ended;
          } finally {
            wait.cancel();
          }
        }
      }
      default:
        throw new McpError(RpcErrorCode.InvalidParams, `Unknown tool: ${name}`);
    }
  }

  async function ownRun(id: string) {
    const run = await app.runRepository.run(id);
    if (!run || run.tenantId !== caller.tenantId)
      throw new CharterError("RUN_NOT_FOUND", `no run ${id} in tenant ${caller.tenantId}`);
    return run;
  }

  // Resources: the SDK, one file per integration, the runtime's declarations, the guide.
  const listResources = async () => {
    const resources = [
      { uri: "charter://guide", name: "guide", title: "How to use Charter's tools", mimeType: "text/markdown" },
    ];
    const sdk = await app.toolchain.sdk(caller.tenantId).catch(() => undefined);
    for (const name of [...(sdk?.files.keys() ?? [])].filter((n) => n.endsWith(".d.ts")).sort()) {
      resources.push({
        uri: `charter://sdk/${name}`,
        name: `sdk/${name}`,
        title: name === "index.d.ts" ? "The SDK's namespaces" : `SDK of integration ${name.replace(/\.d\.ts$/, "")}`,
        mimeType: "text/x-typescript",
      });
    }
    resources.push({
      uri: "charter://runtime/charter.d.ts",
      name: "runtime/charter.d.ts",
      title: "charter:workflow: defineWorkflow, ctx, triggers",
      mimeType: "text/x-typescript",
    });
    return resources;
  };
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await listResources() }));
  // No templates: every resource is listed. Answered (empty), so a client that asks is not told "method not found".
  // The SDK of any integration by its id (the concrete ones are also in resources/list); completion offers the ids.
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        uriTemplate: SDK_TEMPLATE,
        name: "integration-sdk",
        title: "An integration's typed SDK",
        description:
          "The TypeScript declarations a workflow calls an integration's tools through (import { " +
          '<integration> } from "charter:sdk").',
        mimeType: "text/x-typescript",
      },
    ],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    const text = async (): Promise<[string, string] | undefined> => {
      if (uri === "charter://guide") return [GUIDE, "text/markdown"];
      if (uri === "charter://runtime/charter.d.ts") return [guestFiles().declarations, "text/x-typescript"];
      const name = /^charter:\/\/sdk\/([a-z0-9_]+\.d\.ts)$/.exec(uri)?.[1];
      if (!name) return undefined;
      const file = (await app.toolchain.sdk(caller.tenantId)).files.get(name);
      return file === undefined ? undefined : [file, "text/x-typescript"];
    };
    const found = await text();
    if (!found) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
    return { contents: [{ uri, mimeType: found[1], text: found[0] }] };
  });

  // Subscriptions to SDK resources: updated when a sync changes the tenant's catalog.
  const subscribed = new Set<string>();
  const knownUri = async (uri: string) => (await listResources()).some((r) => r.uri === uri);
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    if (!(await knownUri(request.params.uri)))
      throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${request.params.uri}`);
    subscribed.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: [
      {
        name: "draft_workflow",
        title: "Draft a workflow",
        description: "Draft a Charter workflow from a request, against this tenant's SDK, and hand it to a reviewer.",
        arguments: [{ name: "request", description: "What the workflow should do", required: true }],
      },
    ],
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    if (request.params.name !== "draft_workflow")
      throw new McpError(RpcErrorCode.InvalidParams, `Prompt not found: ${request.params.name}`);
    const want = request.params.arguments?.["request"];
    if (!want) throw new McpError(RpcErrorCode.InvalidParams, "draft_workflow needs the argument request");
    return {
      description: "Draft a workflow in Charter",
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              `Draft a Charter workflow for tenant ${caller.tenantId} that does ` +
              `this:\n\n${want}\n\nRead charter://guide and the SDK resources (charter://sdk/…) to ` +
              `see which tools exist and what they take and return. Then call charter.plan_workflow ` +
              `with the request (refined if the SDK shows what it should say), read the draft with ` +
              `charter.get_version, and report its capabilities, its gate results and anything a ` +
              `reviewer should look at. Do not try to approve it: a human reviewer does that outside ` +
              `MCP.`,
          },
        },
      ],
    };
  });
  server.setRequestHandler(CompleteRequestSchema, async (request) => {
    // Completable: the SDK template's integration ids, and workflow names for charter.* arguments; prompts take
    // free text.
    const prefix = request.params.argument.value;
    const ref = request.params.ref;
    const candidates =
      ref.type === "ref/resource"
        ? ref.uri === SDK_TEMPLATE
          ? (await app.catalogs.currentCatalog(caller.tenantId)).map((c) => c.integrationId)
          : []
        : ref.type === "ref/prompt"
          ? []
          : [...new Set((await app.versionRepository.list(caller.tenantId)).map((v) => v.workflow))];
    const names = candidates.filter((n) => n.startsWith(prefix)).slice(0, 100);
    return { completion: { values: names, total: names.length, hasMore: false } };
  });

  // list_changed while connected: the tenant's active versions and catalog, compared every few
  // seconds by one watch per tenant that all its sessions share (a thousand sessions are two
  // queries per interval, not two thousand).
  let last: string | undefined;
  let lastCatalog: string | undefined;
  const stopWatching = watchTenant(app, caller.tenantId, options.watchMs ?? 3000, {
    versions: (now) => {
      if (last !== undefined && now !== last) void server.sendToolListChanged().catch(() => undefined);
      last = now;
    },
    catalog: (now) => {
      // A sync that changed the catalog changes the SDK: its resources are updated.
      if (lastCatalog !== undefined && now !== lastCatalog) {
        void (async () => {
          await server.sendResourceListChanged().catch(() => undefined);
          for (const uri of subscribed)
            if (uri.startsWith("charter://sdk/")) await server.sendResourceUpdated({ uri }).catch(() => undefined);
        })();
      }
      lastCatalog = now;
    },
  });
  const closed = server.onclose;
  server.onclose = () => {
    stopWatching();
    closed?.();
  };
  return server;
}

type TenantListener = { versions: (key: string) => void; catalog: (key: string) => void };
const watches = new WeakMap<App, Map<string, { listeners: Set<TenantListener>; timer: NodeJS.Timeout }>>();

/**
 * Calls each listener every `everyMs` with keys of the tenant's active versions and current catalog,
 * read once per interval for all the tenant's sessions; the returned function stops the listener
 * (and the watch with its last listener).
 */
function watchTenant(app: App, tenantId: string, everyMs: number, listener: TenantListener): () => void {
  const byTenant = watches.get(app) ?? new Map<string, { listeners: Set<TenantListener>; timer: NodeJS.Timeout }>();
  watches.set(app, byTenant);
  const id = `${tenantId}\u0000${everyMs}`;
  let watch = byTenant.get(id);
  if (!watch) {
    const listeners = new Set<TenantListener>();
    const timer = setInterval(() => {
      void app.versionRepository
        .activeVersions(tenantId)
        .then((versions) => {
          const key = versions
            .map((v) => `${v.workflow}@${v.number}`)
            .sort()
            .join(",");
          for (const each of listeners) each.versions(key);
        })
        .catch((error: unknown) =>
          app.onProblem(`MCP list_changed watch: reading tenant ${tenantId}'s active versions`, error),
        );
      void app.catalogs
        .currentCatalog(tenantId)
        .then((catalog) => {
          const key = catalog
            .map((row) => row.hash)
            .sort()
            .join(",");
          for (const each of listeners) each.catalog(key);
        })
        .catch((error: unknown) =>
          app.onProblem(`MCP list_changed watch: reading tenant ${tenantId}'s catalog`, error),
        );
    }, everyMs);
    timer.unref();
    watch = { listeners, timer };
    byTenant.set(id, watch);
  }
  const joined = watch;
  joined.listeners.add(listener);
  return () => {
    joined.listeners.delete(listener);
    if (joined.listeners.size === 0) {
      clearInterval(joined.timer);
      if (byTenant.get(id) === joined) byTenant.delete(id);
    }
  };
}

/**
 * Whether a caller may run a failed workflow again. A run that changed something before it failed
 * (a call that is not read-only succeeded, or started with no known end) is not retried blindly,
 * whatever its code: a second run would make those changes again.
 */
export function retryAdvice(
  code: string,
  journal: readonly { integration: string; tool: string; status: string }[],
  capabilities: readonly Capability[],
): { retryable: boolean; hint: string } {
  const readOnly = new Set(capabilities.filter((c) => c.annotations.readOnly).map((c) => `${c.integration}.${c.tool}`));
  const changed = journal.some(
    (entry) => entry.status !== "failed" && !readOnly.has(`${entry.integration}.${entry.tool}`),
  );
  if (changed)
    return {
      retryable: false,
      hint: "it changed something before it failed (charter.get_run shows what), so a retry could do that twice",
    };
  return retryableCode(code)
    ? { retryable: true, hint: "a retry may succeed" }
    : { retryable: false, hint: "retrying will not help" };
}

function data(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

function failure(code: string, message: string, retryable: boolean): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text: `${code}: ${message}` }],
    _meta: { "charter/error": { code, retryable } },
  };
}

const descriptions = new Map<string, string>();

/** A version's tool: its description from the source (read once per version; versions never change). */
function workflowTool(version: VersionRow): Tool {
  let description = descriptions.get(version.id);
  if (description === undefined) {
    description = definitionDescription(version.source) ?? `Workflow ${version.workflow}`;
    descriptions.set(version.id, description);
  }
  const capabilities = version.capabilities;
  return {
    name: version.workflow,
    title: version.workflow,
    description:
      `${description} (approved version ${version.number}; ` +
      `calls ${capabilities.map((c) => `${c.integration}.${c.tool}`).join(", ") || "no tools"})`,
    inputSchema: (version.inputSchema ?? { type: "object" }) as Tool["inputSchema"],
    ...(version.outputSchema ? { outputSchema: version.outputSchema as Tool["outputSchema"] } : {}),
    // A client may run it as an MCP task (tasks/get, tasks/result, tasks/cancel follow the durable run).
    execution: { taskSupport: "optional" },
    annotations: {
      title: version.workflow,
      readOnlyHint: capabilities.every((c) => c.annotations.readOnly),
      destructiveHint: capabilities.some((c) => c.annotations.destructive),
      idempotentHint: false,
      openWorldHint: capabilities.some((c) => c.annotations.openWorld),
    },
    _meta: { "charter/version": { workflow: version.workflow, number: version.number, id: version.id } },
  };
}
