/** `charter try` (run a workflow file in the sandbox with mocked or read-only live tools) and `charter runs …`. */
import { z } from "zod";
import type { App } from "../app.ts";
import { CharterError } from "../core/errors.ts";
import { formatDiagnostic, MockedResult } from "../core/workflow.ts";
import { liveTools, mockedTools, type TriedCall, tryRun } from "../runs/index.ts";
import { Dispatcher } from "../triggers/index.ts";
import type { Actor } from "../versions/index.ts";
import { identify, readInput, withApp } from "./common.ts";
import type { Output } from "./output.ts";

const RunStatusOption = z.enum(["running", "succeeded", "failed", "cancelled", "needs-attention"]).optional();

/** `--input JSON` (default `{}`); text that is not JSON is refused with the parser's reason. */
function parseInputOption(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CharterError("RUN_INPUT_INVALID", `--input is not JSON: ${(error as Error).message}`);
  }
}

const Mocks = z.record(
  z.string().regex(/^[^.\s]+\.[^\s]+$/, 'keys are "<integration>.<tool>"'),
  z.array(MockedResult).min(1),
);

export async function tryWorkflow(
  file: string,
  options: {
    tenant: string;
    input?: string | undefined;
    mocks?: string | undefined;
    liveReadonly: boolean;
    json: boolean;
  },
  output: Output,
): Promise<number> {
  const source = await readInput(file);
  const input = parseInputOption(options.input);
  let mocks: z.infer<typeof Mocks> = {};
  if (options.mocks) {
    const text = await readInput(options.mocks, "mocks file ");
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new CharterError("FILE_UNREADABLE", `mocks file ${options.mocks} is not JSON: ${(error as Error).message}`);
    }
    const parsed = Mocks.safeParse(raw);
    if (!parsed.success)
      throw new CharterError(
        "FILE_UNREADABLE",
        `mocks file ${options.mocks}:` +
          ` ${parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ")}`,
      );
    mocks = parsed.data;
  }
  return withApp(async (app) => {
    const { result, runnable } = await app.toolchain.build(options.tenant, { source, fileName: file });
    if (!runnable) {
      for (const diagnostic of result.diagnostics) output.out(formatDiagnostic(diagnostic));
      output.out("the workflow does not compile; nothing was run");
      return 1;
    }
    const live = options.liveReadonly
      ? await liveTools({ env: app.env, processEnv: process.env, pool: app.pool, tenantId: options.tenant })
      : undefined;
    const tools = mockedTools(mocks, live);
    const printCall = (call: TriedCall) => {
      if (options.json) return;
      const source = call.tool in mocks ? "mocked" : "live, read-only";
      output.out(`→ ${call.seq}. ${call.tool} ${JSON.stringify(call.args)}`);
      output.out(
        call.outcome.ok
          ? `  ← ok (${source}, ${call.ms.toFixed(0)} ms)`
          : `  ← ${call.outcome.error.code}: ${call.outcome.error.message}`,
      );
    };
    const ran = await tryRun({ bundle: runnable, input, tools, onCall: printCall });
    if (options.json) {
      output.out(
        JSON.stringify(
          {
            ok: ran.ok,
            output: ran.output,
            error: ran.error,
            calls: ran.calls,
            logs: ran.logs,
            state: ran.state,
            cpuMs: ran.cpuMs,
            wallMs: ran.wallMs,
          },
          null,
          2,
        ),
      );
    } else {
      for (const line of ran.logs)
        output.out(
          `log ${line.level}: ${line.message}${line.data === undefined ? "" : ` ${JSON.stringify(line.data)}`}`,
        );
      if (ran.ok) output.out(`output: ${JSON.stringify(ran.output, null, 2)}`);
      else output.out(`failed: ${ran.error?.code}: ${ran.error?.message}`);
      output.out(
        `${ran.calls.length} call${ran.calls.length === 1 ? "" : "s"}, ${ran.wallMs.toFixed(0)} ms ` +
          `(CPU ${ran.cpuMs.toFixed(1)} ms)`,
      );
    }
    return ran.ok ? 0 : 1;
  });
}

export async function showRun(runId: string, json: boolean, output: Output): Promise<number> {
  return withApp(async (app) => {
    const run = await app.runRepository.run(runId).catch(() => undefined);
    if (!run) throw new CharterError("RUN_NOT_FOUND", `no run ${runId}`);
    const journal = await app.runRepository.journal(runId);
    if (json) {
      output.out(JSON.stringify({ run, journal }, null, 2));
      return 0;
    }
    output.out(`run ${run.id}: ${run.workflow} (tenant ${run.tenantId}), ${run.status}, attempt ${run.attempts}`);
    output.out(`input: ${JSON.stringify(run.input)}`);
    for (const entry of journal) {
      const outcome = entry.outcome as { ok?: boolean; error?: { code: string; message: string } } | null;
      const result =
        entry.status === "started"
          ? "started, no outcome recorded"
          : outcome?.ok
            ? "ok"
            : `${outcome?.error?.code}: ${outcome?.error?.message}`;
      output.out(
        `  ${entry.seq}. ${entry.integration}.${entry.tool} ${JSON.stringify(entry.args)} ` +
          `→ ${result} (attempt ${entry.attempt})`,
      );
    }
    if (run.output !== null) output.out(`output: ${JSON.stringify(run.output)}`);
    if (run.error !== null) output.out(`error: ${JSON.stringify(run.error)}`);
    return 0;
  });
}

/** `charter runs list`: a tenant's runs, newest first, optionally of one workflow or in one status. */
export async function listRuns(
  options: {
    tenant: string | undefined;
    as: string | undefined;
    workflow: string | undefined;
    status: string | undefined;
    limit: string | undefined;
    json: boolean;
  },
  output: Output,
): Promise<number> {
  const status = RunStatusOption.safeParse(options.status);
  if (!status.success)
    throw new CharterError(
      "RUN_INPUT_INVALID",
      `--status is one of ${RunStatusOption.unwrap().options.join(", ")}; got "${options.status}"`,
    );
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new CharterError("RUN_INPUT_INVALID", `--limit is a whole number from 1 to 500; got "${options.limit}"`);
  return withApp(async (app) => {
    const { tenantId } = await identify(app, { tenant: options.tenant, as: options.as });
    const runs = await app.runRepository.list({ tenantId, workflow: options.workflow, status: status.data, limit });
    if (options.json) {
      output.out(JSON.stringify({ runs }, null, 2));
      return 0;
    }
    if (runs.length === 0)
      output.out(
        `no runs in tenant ${tenantId}` +
          `${options.workflow ? ` of ${options.workflow}` : ""}${status.data ? ` ${status.data}` : ""}`,
      );
    for (const run of runs)
      output.out(
        `${run.id}  ${run.createdAt.toISOString()} ` +
          ` ${run.workflow}${run.versionNumber !== null ? `@${run.versionNumber}` : ""} ` +
          ` ${run.status}${run.error ? `  ${run.error.code}` : ""}`,
      );
    return 0;
  });
}

/** `charter runs cancel`: asks a running run to stop at its next tool call (operator or admin). */
export async function cancelRun(
  runId: string,
  options: { tenant: string | undefined; as: string | undefined; json: boolean },
  output: Output,
): Promise<number> {
  return withApp(async (app) => {
    const { tenantId } = await identifyOperator(app, options, "cancelling runs");
    const run = /^[0-9a-f-]{36}$/i.test(runId) ? await app.runRepository.run(runId) : undefined;
    if (!run || run.tenantId !== tenantId)
      throw new CharterError("RUN_NOT_FOUND", `no run ${runId} in tenant ${tenantId}`);
    if (run.status !== "running")
      throw new CharterError("RUN_NOT_RESUMABLE", `run ${runId} is ${run.status}; only a running run can be cancelled`);
    await app.runs.cancel(runId);
    if (options.json) output.out(JSON.stringify({ run: runId, cancelRequested: true }));
    else
      output.out(
        `run ${runId}: cancel requested; it stops at its next tool call (within a few seconds in another process)`,
      );
    return 0;
  });
}

export async function startRun(
  workflow: string,
  options: {
    tenant: string | undefined;
    as: string | undefined;
    input: string | undefined;
    queue: boolean;
    json: boolean;
  },
  output: Output,
): Promise<number> {
  const input = parseInputOption(options.input);
  return withApp(async (app) => {
    const { actor, tenantId } = await identifyOperator(app, options, "starting runs");
    if (options.queue) {
      const version = await app.versionRepository.activeVersion(tenantId, workflow);
      if (!version)
        throw new CharterError(
          "VERSION_NOT_FOUND",
          `workflow ${workflow} has no approved version in tenant ${tenantId}`,
        );
      const dispatcher = await Dispatcher.start(app, { worker: false, scheduler: false });
      try {
        // As every caller that queues: the input is checked now, and the job carries the version it was told.
        const job = await dispatcher.submit({ tenantId, workflow, input, trigger: "manual", actor }, version);
        output.out(
          options.json
            ? JSON.stringify({ job })
            : `queued ${workflow} (version ${version.number}) as job ${job}; a worker runs it`,
        );
      } finally {
        await dispatcher.stop();
      }
      return 0;
    }
    const result = await app.versions.runActive({
      tenantId,
      workflow,
      input,
      trigger: { type: "manual", detail: { user: actor.handle } },
      actor,
      onEvent: (event) => {
        if (options.json) return;
        if (event.event === "call-finished")
          output.out(`  ${event.seq}. ${event.tool}: ${event.ok ? "ok" : `failed (${event.error})`}`);
      },
    });
    if (options.json) output.out(JSON.stringify(result));
    else {
      output.out(
        `run ${result.runId}:` +
          ` ${result.status}${result.error ? ` (${result.error.code}: ${result.error.message})` : ""}`,
      );
      if (result.status === "succeeded") output.out(`output: ${JSON.stringify(result.output)}`);
    }
    return result.status === "succeeded" ? 0 : 1;
  });
}

export async function resumeRun(runId: string, output: Output): Promise<number> {
  return withApp(async (app) => {
    const result = await app.runs.resume(runId, {
      onEvent: (event) => {
        if (event.event === "call-finished")
          output.out(
            `  ${event.seq}. ${event.tool}: ` +
              (event.source === "replayed" ? "replayed from the journal" : event.ok ? "ok" : `failed (${event.error})`),
          );
      },
    });
    output.out(
      `run ${result.runId}: ${result.status}${result.error ? ` (${result.error.code}: ${result.error.message})` : ""}`,
    );
    return result.status === "succeeded" ? 0 : 1;
  });
}

/** The caller, who must hold the operator or admin role in the tenant to do `what`. */
async function identifyOperator(
  app: App,
  options: { tenant: string | undefined; as: string | undefined },
  what: string,
): Promise<{ actor: Actor; tenantId: string }> {
  const { actor, tenantId } = await identify(app, { tenant: options.tenant, as: options.as });
  const roles = await app.identity.roles(tenantId, actor.userId);
  if (!roles.has("operator") && !roles.has("admin"))
    throw new CharterError(
      "NOT_AUTHORIZED",
      `${what} needs the operator or admin role in tenant ${tenantId}; ${actor.handle} ` +
        `has ${[...roles].join(", ") || "none"}`,
    );
  return { actor, tenantId };
}
