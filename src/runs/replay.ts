/**
 * The replay decision, apart from its effects: given what the journal holds at a call's place in the
 * run (nothing, a finished call, or one that started and has no outcome) and the call the workflow
 * makes there now, what the run does. Pure, so every case is tested on its own.
 */
import type { ToolOutcome } from "../sandbox/index.ts";

/** What the journal holds at one place of a run. */
export type JournaledCall = {
  integration: string;
  tool: string;
  argsHash: string;
  attempt: number;
  status: "started" | "succeeded" | "failed";
  outcome: ToolOutcome | null;
  startedAt: Date;
  finishedAt: Date | null;
};

/** The call the workflow makes at that place now. */
export type NextCall = { seq: number; integration: string; tool: string; argsHash: string; safe: boolean };

export type ReplayDecision =
  /** Make the call (for the `attempt`-th time). */
  | { kind: "execute"; attempt: number }
  /** Answer it from the journal, as it was answered before, at the time it finished. */
  | { kind: "replay"; outcome: ToolOutcome; at: number }
  /** It started before the run was interrupted, has no outcome, and is not safe to repeat: stop for a person. */
  | { kind: "in-doubt"; message: string }
  /** The workflow did something else here than before: stop. */
  | { kind: "non-determinism"; message: string };

export function decideCall(entry: JournaledCall | undefined, call: NextCall): ReplayDecision {
  if (!entry) return { kind: "execute", attempt: 1 };
  const tool = `${call.integration}.${call.tool}`;
  if (entry.integration !== call.integration || entry.tool !== call.tool || entry.argsHash !== call.argsHash) {
    return {
      kind: "non-determinism",
      message:
        `on replay, call ${call.seq} ` +
        `was ${tool} ${entry.argsHash === call.argsHash ? "" : "with different arguments "}but the ` +
        `journal has ${entry.integration}.${entry.tool}; the workflow did not repeat what it did ` +
        `before`,
    };
  }
  // A finished entry without its outcome (never written so) counts as begun and not finished.
  if (entry.status !== "started" && entry.outcome)
    return {
      kind: "replay",
      outcome: entry.outcome,
      at: (entry.finishedAt ?? entry.startedAt).getTime(),
    };
  if (!call.safe) {
    return {
      kind: "in-doubt",
      message:
        `call ${call.seq}, ${tool}, started before the run was interrupted and may or may not have ` +
        `happened; it is neither read-only nor idempotent, so Charter will not make it again. Check ` +
        `in ${call.integration} whether it took effect, then re-run or close the run.`,
    };
  }
  return { kind: "execute", attempt: entry.attempt + 1 };
}
