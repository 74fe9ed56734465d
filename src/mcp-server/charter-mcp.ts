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
  type CreateTaskResult,
  ListToolsRequestSchema,
  McpError,
  ErrorCode as RpcErrorCode,
  type Tool,
  type LoggingLevel,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.ts";
import { CharterError, errorText } from "../core/errors.ts";
import { argumentProblems, mcpToolEntry } from "../core/tool-definition.ts";
import type { Dispatcher } from "../triggers/index.ts";
import { type McpCaller, may } from "./caller.ts";
import { registerResources } from "./resources.ts";
import { data, failure, progressReporter, RUN_META } from "./results.ts";
import { workflowRunner } from "./run-workflow.ts";
import { taskRefusal, workflowTasks } from "./run-tasks.ts";
import { watchTenant } from "./tenant-watch.ts";
import { MANAGEMENT_TOOLS } from "./tools/index.ts";
import { workflowTool } from "./workflow-tool.ts";

export type { McpCaller } from "./caller.ts";
export { retryAdvice } from "./results.ts";

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

const VERSION = "0.1.0";

export function createCharterMcpServer(app: App, caller: McpCaller, options: CharterMcpOptions = {}): Server {
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

  // One server per session: the level its client set with logging/setLevel (none: every line).
  let logLevel: LoggingLevel | undefined;
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level;
    return {};
  });

  const runner = workflowRunner({
    app,
    caller,
    runWaitMs: options.runWaitMs ?? app.env.mcp.runWaitMs,
    progressMs: options.progressMs ?? 2000,
    dispatcher: options.dispatcher,
    logLevel: () => logLevel,
  });

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
      return runner.endedResult(
        { capabilities: version?.capabilities ?? [] },
        { ...run, runId: run.id, error: run.error },
        meta,
      );
    },
  });
  tasks.register(server);

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools: Tool[] = [];
    if (may.run(caller.roles))
      for (const version of await app.versionRepository.activeVersions(caller.tenantId))
        tools.push(workflowTool(version));
    for (const tool of MANAGEMENT_TOOLS) if (tool.allowed(caller.roles)) tools.push(mcpToolEntry(tool));
    return { tools };
  });

  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult | CreateTaskResult> => {
      const { name, arguments: args = {} } = request.params;
      const management = MANAGEMENT_TOOLS.find((tool) => tool.name === name);
      const send = extra.sendNotification;
      const progress = progressReporter(request.params._meta?.progressToken, send);
      try {
        if (management) {
          if (request.params.task)
            throw new McpError(RpcErrorCode.InvalidParams, `${name} does not run as a task; call it without "task"`);
          if (!management.allowed(caller.roles))
            throw new CharterError("NOT_AUTHORIZED", `${name} needs another role in tenant ${caller.tenantId}`);
          const called = await management.call(args, {
            app,
            caller,
            progress,
            runWorkflow: (version, input) => runner.run(version, input, progress, send),
          });
          switch (called.kind) {
            case "invalid":
              return failure("INVALID_ARGUMENTS", argumentProblems(called.issues, "(arguments)"), false);
            case "structured":
              return data(called.value);
            case "result":
              return called.result;
          }
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
        return await runner.run(version, args, progress, send);
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

  const subscribed = registerResources(server, app, caller);

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
