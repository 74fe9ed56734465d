/**
 * Durable runs. A run record is written before the workflow starts; every tool call is journaled
 * before it is made ("started") and after ("succeeded"/"failed"); calls that are safe to repeat
 * (read-only or idempotent) are journaled once, after, in batches; the run's completion and the
 * workflow's saved state are committed together. A run whose process died is resumed by replaying
 * its code against the journal:
 *
 *   recorded outcome                → answered from the journal (the same call must come at the
 *                                     same place with the same arguments, or the run fails as
 *                                     NON_DETERMINISM)
 *   started, no outcome, safe tool  → made again (read-only or idempotent)
 *   started, no outcome, otherwise  → the run stops as needs-attention, naming the call in doubt
 *
 * Time and randomness replay too: the clock inside a run is the recorded start time and then the
 * recorded finish time of each call; the PRNG seed is part of the run record.
 */
import { endStatus, HOST_ONLY_CODES, type RunEndCode } from "../core/outcomes.ts";
import type { RunTrigger } from "../core/records.ts";
import { bundleHash } from "../core/bundle-hash.ts";
import { randomInt } from "node:crypto";
import { contentHash } from "../core/canonical-json.ts";
import { CharterError } from "../core/errors.ts";
import { type ProblemReporter, problemText, reportOnce, reportToStderr } from "../core/problems.ts";
import { storableJson } from "../core/json-limits.ts";
import {
  DEFAULT_LIMITS,
  type Executor,
  type GuestError,
  type LogLine,
  type SandboxLimits,
  type ToolPolicy,
} from "../sandbox/index.ts";
import type { BundleRow, FinishedCall, JournalRow, RunRepository, RunRow, RunStatus } from "../store/index.ts";
import { type Admission, useAdmission } from "./admission.ts";
import { executeBundle, inputProblems } from "./execute.ts";
import { decideCall } from "./replay.ts";
import type { ToolRunner } from "./tool-executors.ts";

/** A compiled workflow with what the bridge needs to check its calls. */
export type RunnableBundle = {
  hash: string;
  workflow: string;
  code: string;
  sourceMap: string;
  tools: ToolPolicy[];
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  catalogHash: string;
  sdkHash: string;
};

/** A stored bundle as a run takes it (the row keeps its JSON columns untyped). */

/** Journal writes wait out a short database outage: 7 tries over about 6 s, then the error. */
const JOURNAL_RETRY_MS = [100, 200, 400, 800, 1600, 3200];

async function durably<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const wait = JOURNAL_RETRY_MS[attempt];
      if (wait === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** A database error in a few words: the driver's reason, not the query with its parameters (run data). */
const describe = problemText;

export function runnableOf(row: BundleRow): RunnableBundle {
  return {
    ...row,
    tools: row.tools,
    inputSchema: row.inputSchema,
    outputSchema: row.outputSchema,
  };
}

export type { RunTrigger } from "../core/records.ts";

export type RunEvent =
  | { event: "run-started"; runId: string; attempt: number; jobId: string | null }
  | { event: "call-started"; runId: string; seq: number; tool: string; args: unknown; source: "live" | "replayed" }
  | {
      event: "call-finished";
      runId: string;
      seq: number;
      tool: string;
      ok: boolean;
      source: "live" | "replayed";
      error?: string;
    }
  | { event: "log"; runId: string; line: LogLine }
  | { event: "run-finished"; runId: string; status: RunStatus }
  | { event: "run-handed-back"; runId: string };

export type RunResult = {
  runId: string;
  status: RunStatus;
  output: unknown;
  error: GuestError | null;
  logs: LogLine[];
  attempt: number;
};

export type RunServiceResources = {
  repository: RunRepository;
  /** The tool runner for a tenant's live integrations. */
  tools: (tenantId: string) => Promise<ToolRunner>;
  limits?: SandboxLimits;
  /** How long a run's lease lasts without renewal; a run whose lease has passed can be resumed. */
  leaseMs?: number;
  /** Where failures of the run's background work go (periodic journal writes, lease renewals, cleanup). */
  onProblem?: ProblemReporter;
};

export class RunService {
  readonly #resources: RunServiceResources;
  readonly #limits: SandboxLimits;
  readonly #leaseMs: number;
  readonly #onProblem: ProblemReporter;
  /** Bundles known to be stored already (they are content-addressed and immutable). */
  readonly #storedBundles = new Set<string>();
  /** Runs asked to stop: checked before every tool call. */
  readonly #cancelled = new Set<string>();
  /** Runs executing in this process. */
  readonly #active = new Set<string>();
  /** Set when this process is shutting down: runs stop at their next tool call and are handed back. */
  #handingBack = false;
  /** Hear every event of every run this process executes (an MCP session following its runs). */
  readonly #observers = new Set<(event: RunEvent) => void>();

  constructor(resources: RunServiceResources) {
    this.#resources = resources;
    this.#limits = resources.limits ?? DEFAULT_LIMITS;
    this.#leaseMs = resources.leaseMs ?? 30_000;
    this.#onProblem = resources.onProblem ?? reportToStderr;
  }

  /**
   * Hears the events of every run this process executes, whatever started it (a worker's queued
   * run, a trigger, a tool call), until the returned function is called. A listener must not throw.
   */
  observe(listener: (event: RunEvent) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  /** Starts a run of a bundle and carries it to its end; only with the admission the versions gate minted for it. */
  async start(request: {
    tenantId: string;
    bundle: RunnableBundle;
    admission: Admission;
    input: unknown;
    trigger: RunTrigger;
    jobId?: string;
    tools?: ToolRunner;
    onEvent?: (event: RunEvent) => void;
  }): Promise<RunResult> {
    const version = useAdmission(request.admission, request.tenantId, request.bundle.hash);
    const problems = inputProblems(request.bundle, request.input);
    if (problems.length > 0)
      throw new CharterError(
        "RUN_INPUT_INVALID",
        `the input does not match ${request.bundle.workflow}'s input schema: ${problems.join("; ")}`,
      );
    const { repository } = this.#resources;
    // Before the run record exists: a tenant whose tools cannot be reached must not leave a run "running".
    const tools = request.tools ?? (await this.#resources.tools(request.tenantId));
    if (!this.#storedBundles.has(request.bundle.hash)) {
      await repository.saveBundle({ ...request.bundle, tenantId: request.tenantId });
      this.#storedBundles.add(request.bundle.hash);
    }
    const run = await repository.createRun({
      tenantId: request.tenantId,
      workflow: request.bundle.workflow,
      bundleHash: request.bundle.hash,
      versionId: version?.id ?? null,
      versionNumber: version?.number ?? null,
      jobId: request.jobId ?? null,
      trigger: request.trigger,
      input: request.input,
      status: "running",
      startedAt: new Date(),
      seed: [randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)],
      leaseUntil: new Date(Date.now() + this.#leaseMs),
    });
    return this.#execute(run, request.bundle, [], tools, request.onEvent ?? (() => {}));
  }

  /** Asks a running run to stop at its next tool call (at once in this process; within a few seconds in another). */
  async cancel(runId: string): Promise<boolean> {
    const requested = await this.#resources.repository.requestCancel(runId);
    if (requested && this.#active.has(runId)) this.#cancelled.add(runId);
    return requested;
  }

  /**
   * For a shutdown past its grace time: every run of this process stops at its next tool call,
   * writes what it has journaled, gives up its lease and returns with status "running", so
   * another process resumes it from the journal (no call is made twice).
   */
  handBack(): void {
    this.#handingBack = true;
  }

  /** How many runs are executing in this process. */
  get activeRuns(): number {
    return this.#active.size;
  }

  /** Resumes a run whose process died (its lease has passed): replays the journal, then goes on live. */
  async resume(
    runId: string,
    options: { tools?: ToolRunner; onEvent?: (event: RunEvent) => void } = {},
  ): Promise<RunResult> {
    const { repository } = this.#resources;
    const existing = await repository.run(runId);
    if (!existing) throw new CharterError("RUN_NOT_FOUND", `no run ${runId}`);
    if (existing.status !== "running")
      throw new CharterError(
        "RUN_NOT_RESUMABLE",
        `run ${runId} is ${existing.status}; only a run that was interrupted can be resumed`,
      );
    // Everything that can refuse comes before the claim, so a refused resume leaves the run as it was.
    const bundle = await repository.bundle(existing.bundleHash);
    if (!bundle)
      throw new CharterError("RUN_NOT_RESUMABLE", `the bundle ${existing.bundleHash} of run ${runId} is missing`);
    const actual = bundle.tenantId === existing.tenantId ? bundleHash(existing.tenantId, bundle) : null;
    if (actual !== existing.bundleHash)
      throw new CharterError(
        "BUNDLE_TAMPERED",
        `the stored bundle of run ${runId} hashes to ${actual ?? "(another tenant's)"}, not ` +
          `the ${existing.bundleHash} it started with; it was not resumed`,
      );
    const tools = options.tools ?? (await this.#resources.tools(existing.tenantId));
    const run = await repository.claim(runId, new Date(Date.now() + this.#leaseMs), new Date());
    if (!run)
      throw new CharterError(
        "RUN_NOT_RESUMABLE",
        `run ${runId} is still held by a live process (its lease runs ` +
          `until ${existing.leaseUntil?.toISOString()}); try again after that`,
      );
    return this.#execute(
      run,
      runnableOf(bundle),
      await repository.journal(runId),
      tools,
      options.onEvent ?? (() => {}),
    );
  }

  async #execute(
    run: RunRow,
    bundle: RunnableBundle,
    journal: JournalRow[],
    tools: ToolRunner,
    caller: (event: RunEvent) => void,
  ): Promise<RunResult> {
    const { repository } = this.#resources;
    const onEvent = (event: RunEvent) => {
      caller(event);
      for (const observer of this.#observers) observer(event);
    };
    const recorded = new Map(journal.map((entry) => [entry.seq, entry]));
    const stop: { error: GuestError | undefined } = { error: undefined };
    let seq = 0;
    // Finished calls that are safe to repeat wait here and are written together: before the next
    // call that is not safe to repeat, every quarter second, and with the run's completion. If the
    // process dies first, the resume makes them again, which is what "safe to repeat" allows.
    let unwritten: FinishedCall[] = [];
    /** Hands the waiting calls to a write; if it fails they are put back, so none is lost. */
    const withWaiting = async <T>(write: (batch: FinishedCall[]) => Promise<T>): Promise<T> => {
      const batch = unwritten;
      unwritten = [];
      try {
        return await write(batch);
      } catch (error) {
        unwritten = [...batch, ...unwritten];
        throw error;
      }
    };
    const flush = async () => {
      if (unwritten.length > 0) await withWaiting((batch) => repository.recordCalls(batch));
    };
    // A failed periodic flush is retried by the next one (the calls stay waiting) and reported once
    // while it lasts; what must be written before a call or at the end is written through `durably`,
    // which waits out an outage.
    const flushing = reportOnce(this.#onProblem, `run ${run.id}: writing finished calls to the journal`);
    const flusher = setInterval(
      () => void flush().then(flushing.worked, (error: unknown) => flushing.failed(describe(error))),
      250,
    );
    // The lease: renewed for this process's attempt every leaseMs/3. A renewal that finds the run
    // taken over by another process, or renewals that fail until the lease runs out, make the run
    // stop before its next call and go back (see `execute`). A call that is not safe to repeat is
    // begun only by the process holding the run (beginCall), so two processes never both make it.
    let heldUntil = run.leaseUntil?.getTime() ?? Date.now() + this.#leaseMs;
    let takenOver = false;
    let renewalFailure: string | undefined;
    const leaseLost = (): string | undefined =>
      takenOver
        ? "another process took the run over"
        : renewalFailure !== undefined && Date.now() >= heldUntil
          ? `its lease ran out and could not be renewed (${renewalFailure})`
          : undefined;
    onEvent({ event: "run-started", runId: run.id, attempt: run.attempts, jobId: run.jobId });

    /** Ends the run at this call with the host's own error; the workflow sees it as the call's failure. */
    const halt = (error: GuestError, retryable = false) => {
      stop.error = error;
      return {
        outcome: { ok: false as const, error: { code: error.code, message: error.message, retryable } },
        at: Date.now(),
      };
    };
    const handBack = (message: string) => halt({ code: "HANDED_BACK", message }, true);
    const execute: Executor = async (call) => {
      const index = ++seq;
      if (this.#handingBack && !recorded.has(index))
        return handBack(`this process is shutting down; the run was handed back before call ${index}`);
      const lost = leaseLost();
      if (lost)
        return handBack(
          `the run was handed back before call ${index} ` +
            `(${call.integration}.${call.tool}): ${lost}; a process that holds it resumes it from its ` +
            `journal, so no call is made twice`,
        );
      if (this.#cancelled.has(run.id))
        return halt({
          code: "CANCELLED",
          message: `the run was cancelled before call ${index} (${call.integration}.${call.tool})`,
        });
      const tool = `${call.integration}.${call.tool}`;
      const argsHash = contentHash(call.args);
      // A call that is not safe to repeat is neither read-only nor idempotent.
      const safe = call.policy.annotations.readOnly || call.policy.annotations.idempotent;
      const decision = decideCall(recorded.get(index), {
        seq: index,
        integration: call.integration,
        tool: call.tool,
        argsHash,
        safe,
      });
      if (decision.kind === "non-determinism") return halt({ code: "NON_DETERMINISM", message: decision.message });
      if (decision.kind === "in-doubt") return halt({ code: "CALL_IN_DOUBT", message: decision.message, tool });
      if (decision.kind === "replay") {
        onEvent({ event: "call-started", runId: run.id, seq: index, tool, args: call.args, source: "replayed" });
        onEvent({
          event: "call-finished",
          runId: run.id,
          seq: index,
          tool,
          ok: decision.outcome.ok,
          source: "replayed",
        });
        return { outcome: decision.outcome, at: decision.at };
      }
      const attempt = decision.attempt;
      // A call that is not safe to repeat is journaled before it is made, so a crash leaves it "in
      // doubt" rather than unknown. A safe one is journaled once, after: if the process dies
      // before that, the resume simply makes it again.
      const startedAt = new Date();
      const journaled = {
        runId: run.id,
        seq: index,
        integration: call.integration,
        tool: call.tool,
        args: call.args,
        argsHash,
        attempt,
        source: "live",
        startedAt,
      };
      if (!safe) {
        let begun: boolean;
        try {
          // The calls waiting to be written go with it (one statement): a resume replays them as
          // they were, so the workflow comes to this call again with the same arguments.
          begun = await durably(() => withWaiting((batch) => repository.beginCall(journaled, run.attempts, batch)));
        } catch (error) {
          return handBack(
            `call ${index} (${tool}) was not made: the journal could not be written ` +
              `(${describe(error)}); the run was handed back`,
          );
        }
        if (!begun) {
          takenOver = true;
          return handBack(
            `call ${index} (${tool}) was not made: another process took the run over; it resumes ` +
              `the run from its journal`,
          );
        }
      }
      onEvent({ event: "call-started", runId: run.id, seq: index, tool, args: call.args, source: "live" });
      const outcome = await tools(call);
      const finishedAt = new Date();
      const status = outcome.ok ? "succeeded" : "failed";
      if (!safe && !outcome.ok && outcome.error.code === "CALL_IN_DOUBT") {
        // Sent and not answered: the journal keeps it "started", and the run stops for a person to check it.
        stop.error = {
          code: "CALL_IN_DOUBT",
          message:
            `call ${index}, ${tool}, ${outcome.error.message}. Check in ${call.integration} whether ` +
            `it took effect, then re-run or close the run.`,
          tool,
        };
        onEvent({
          event: "call-finished",
          runId: run.id,
          seq: index,
          tool,
          ok: false,
          source: "live",
          error: `CALL_IN_DOUBT: ${outcome.error.message}`,
        });
        return { outcome, at: finishedAt.getTime() };
      }
      if (safe) unwritten.push({ ...journaled, status, outcome, finishedAt });
      else {
        try {
          await durably(() => repository.finishCall(run.id, index, { status, outcome, finishedAt }));
        } catch (error) {
          // The call happened, but the journal says only that it started: a resume will stop on it as in doubt.
          return handBack(
            `call ${index} (${tool}) was made, but its outcome could not be journaled ` +
              `(${describe(error)}); the run was handed back and its resume will ask for the call to ` +
              `be checked`,
          );
        }
      }
      onEvent({
        event: "call-finished",
        runId: run.id,
        seq: index,
        tool,
        ok: outcome.ok,
        source: "live",
        ...(outcome.ok ? {} : { error: `${outcome.error.code}: ${outcome.error.message}` }),
      });
      return { outcome, at: finishedAt.getTime() };
    };

    // The lease renewal also carries cancel requests made from other processes (within leaseMs/3).
    const renewing = reportOnce(
      this.#onProblem,
      `run ${run.id}: renewing its lease (the run stops before its next call if the lease runs out first)`,
    );
    const renew = () => {
      const until = Date.now() + this.#leaseMs;
      void repository.renewLease(run.id, run.attempts, new Date(until)).then(
        ({ held, cancelRequested }) => {
          if (!held) takenOver = true;
          else heldUntil = until;
          renewalFailure = undefined;
          renewing.worked();
          if (cancelRequested) this.#cancelled.add(run.id);
        },
        (error: unknown) => {
          renewalFailure = describe(error);
          renewing.failed(renewalFailure);
        },
      );
    };
    const lease = setInterval(renew, Math.max(50, Math.min(this.#leaseMs / 3, 5_000)));
    this.#active.add(run.id);
    try {
      const outcome = await executeBundle({
        bundle,
        input: run.input,
        info: {
          runId: run.id,
          workflow: run.workflow,
          version: run.versionNumber ?? 0,
          trigger: run.trigger.type,
          attempt: run.attempts,
        },
        state: run.stateBefore,
        startedAt: run.startedAt.getTime(),
        seed: run.seed,
        limits: this.#limits,
        execute,
        stop,
        onLog: (line) => onEvent({ event: "log", runId: run.id, line }),
      });
      // A run that may have lost its lease does not complete here: the process that holds it does.
      const lostAtEnd = stop.error ? undefined : leaseLost();
      if (lostAtEnd)
        handBack(
          `the run finished, but ${lostAtEnd}; it was handed back so that only the process holding ` +
            `it completes it (from its journal)`,
        );
      if (stop.error?.code === "HANDED_BACK") {
        clearInterval(flusher);
        clearInterval(lease);
        // Best effort, for a faster resume: calls left unwritten were safe to repeat (the resume makes
        // them again), and a lease left held simply runs out.
        if (!takenOver) {
          await durably(flush).catch((error: unknown) =>
            this.#onProblem(
              `run ${run.id}: writing finished calls at hand-back (the resume makes them again)`,
              describe(error),
            ),
          );
          await repository
            .releaseLease(run.id, run.attempts)
            .catch((error: unknown) =>
              this.#onProblem(
                `run ${run.id}: giving up its lease at hand-back (it runs out by itself)`,
                describe(error),
              ),
            );
        }
        onEvent({ event: "run-handed-back", runId: run.id });
        return {
          runId: run.id,
          status: "running",
          output: null,
          error: stop.error,
          logs: outcome.logs,
          attempt: run.attempts,
        };
      }
      // How a run ended is the host's word: a call in doubt, a cancel or a replay mismatch come from
      // the host's own record (stop), never from what the workflow reports; a workflow that throws
      // such a code itself has failed.
      const host = stop.error;
      const forged = !host && !outcome.ok && (HOST_ONLY_CODES as ReadonlySet<string>).has(outcome.error.code);
      let status: Exclude<RunStatus, "running"> = host
        ? endStatus(host.code as RunEndCode)
        : outcome.ok
          ? "succeeded"
          : "failed";
      let error: GuestError | null =
        host ??
        (outcome.ok
          ? null
          : forged
            ? {
                code: "WORKFLOW_ERROR",
                message:
                  `the workflow ended with the code ${outcome.error.code} of its own making; only ` +
                  `Charter reports that code`,
              }
            : outcome.error);
      let output = status === "succeeded" && outcome.ok ? outcome.output : null;
      let state = status === "succeeded" ? outcome.state : null;
      // What PostgreSQL cannot store (a NUL, half a UTF-16 character) the workflow may still build at
      // run time: in its output or saved state that fails the run; in its logs and error it is replaced.
      const unstorable = storableJson(output).changed
        ? "output"
        : storableJson(state).changed
          ? "saved state"
          : undefined;
      if (unstorable) {
        status = "failed";
        error = {
          code: "OUTPUT_INVALID",
          message: `the ${unstorable} holds a NUL character or half a UTF-16 character, which Charter cannot store`,
        };
        output = null;
        state = null;
      }
      const result = {
        status,
        output,
        error: storableJson(error).value,
        logs: storableJson(outcome.logs).value,
        state,
        finishedAt: new Date(),
      };
      clearInterval(flusher);
      const calls = unwritten;
      unwritten = [];
      await durably(() => repository.complete(run, { ...result, calls })).catch(async (cause: unknown) => {
        // A result the database refuses for good must still end the run, or it would be resumed forever.
        const error = { code: "OUTPUT_INVALID", message: `the run's result could not be stored (${describe(cause)})` };
        await durably(() =>
          repository.complete(run, {
            status: "failed",
            output: null,
            error,
            logs: [],
            state: null,
            finishedAt: new Date(),
            calls: [],
          }),
        );
        Object.assign(result, { status: "failed", output: null, error });
      });
      status = result.status;
      output = result.output;
      error = result.error as GuestError | null;
      onEvent({ event: "run-finished", runId: run.id, status });
      return { runId: run.id, status, output, error, logs: outcome.logs, attempt: run.attempts };
    } finally {
      clearInterval(lease);
      clearInterval(flusher);
      this.#cancelled.delete(run.id);
      this.#active.delete(run.id);
    }
  }
}
