/**
 * What an MCP client hears while a workflow tool call waits for its run: progress from the run's
 * start and each tool call on (for a request with a progress token), and the workflow's log lines
 * as `notifications/message` at the session's level (`logging/setLevel`). Runs executed in this
 * process are followed live; a run a worker in another process executes is heard when it ends
 * (its stored log lines), so the client gets every line either way, once and in order.
 */
import type { LoggingLevel, ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import type { RunEvent } from "../runs/index.ts";
import type { LogLine } from "../sandbox/index.ts";

/** MCP's levels, least severe first (RFC 5424's order, as the spec gives them). */
const LEVELS: LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
const MCP_LEVEL: Record<LogLine["level"], LoggingLevel> = { info: "info", warn: "warning", error: "error" };
/** Events kept per run, and runs, until the call learns which run is its own (a queued run's id comes late). */
const MAX_BUFFERED = 200;
const MAX_BUFFERED_RUNS = 50;

export type FollowOptions = {
  /** Subscribes to the events of runs this process executes (RunService.observe). */
  observe: (listener: (event: RunEvent) => void) => () => void;
  send: (notification: ServerNotification) => Promise<void>;
  /** Reports progress; undefined when the caller gave no progress token. */
  progress: ((message: string) => void) | undefined;
  /** The session's log level (undefined: every line is sent). */
  level: () => LoggingLevel | undefined;
  /** Who the lines are from: the workflow and its version, "p1-bridge@3". */
  logger: string;
};

export type RunFollower = {
  /** The call's run is this one: its events (buffered since the call began) are delivered from now on. */
  own(runId: string): void;
  /** The call's run is the one a worker starts for this queued job (in this process, heard as it starts). */
  ownJob(jobId: string): void;
  /** The run ended with these log lines: sends those not heard live, and stops following. */
  finish(logs: readonly LogLine[] | undefined): Promise<void>;
  /** Stops following (the call answers before the run ends). */
  stop(): void;
};

export function followRun(options: FollowOptions): RunFollower {
  let mine: string | undefined;
  let job: string | undefined;
  const buffered = new Map<string, RunEvent[]>();
  let sentLogs = 0;
  let calls = 0;
  const sendLog = async (line: LogLine) => {
    sentLogs++;
    const level = MCP_LEVEL[line.level];
    const floor = options.level();
    if (floor !== undefined && LEVELS.indexOf(level) < LEVELS.indexOf(floor)) return;
    await options
      .send({
        method: "notifications/message",
        params: {
          level,
          logger: options.logger,
          data: line.data === undefined ? line.message : { message: line.message, data: line.data },
        },
      })
      .catch(() => undefined); // a client that went away does not fail the run
  };
  const deliver = (event: RunEvent) => {
    switch (event.event) {
      case "log":
        void sendLog(event.line);
        return;
      case "call-finished":
        options.progress?.(
          `${options.logger}: call ${++calls} ${event.tool} ` +
            (event.ok ? "ok" : `failed${event.error ? ` (${event.error})` : ""}`) +
            (event.source === "replayed" ? " (from the journal)" : ""),
        );
        return;
      case "call-started":
        if (event.source === "live") options.progress?.(`${options.logger}: calling ${event.tool}`);
        return;
      default:
        return;
    }
  };
  const unsubscribe = options.observe((event) => {
    if (mine === undefined && job !== undefined && event.event === "run-started" && event.jobId === job)
      follower.own(event.runId);
    if (mine !== undefined) {
      if (event.runId === mine) deliver(event);
      return;
    }
    if (!buffered.has(event.runId) && buffered.size >= MAX_BUFFERED_RUNS) return;
    const kept = buffered.get(event.runId) ?? [];
    // Kept without the call's arguments: what a follower says of a call is its tool and end.
    if (kept.length < MAX_BUFFERED) kept.push(event.event === "call-started" ? { ...event, args: null } : event);
    buffered.set(event.runId, kept);
  });
  const follower: RunFollower = {
    ownJob(jobId) {
      job = jobId;
      for (const [runId, events] of buffered)
        if (events.some((event) => event.event === "run-started" && event.jobId === jobId)) return follower.own(runId);
    },
    own(runId) {
      if (mine !== undefined) return;
      mine = runId;
      const kept = buffered.get(runId) ?? [];
      buffered.clear();
      for (const event of kept) deliver(event);
    },
    async finish(logs) {
      unsubscribe();
      buffered.clear();
      for (const line of (logs ?? []).slice(sentLogs)) await sendLog(line);
    },
    stop() {
      unsubscribe();
      buffered.clear();
    },
  };
  return follower;
}
