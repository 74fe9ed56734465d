/** The replay decision on its own: every case of what the journal holds and what the workflow does next. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decideCall, type JournaledCall, type NextCall } from "../src/runs/replay.ts";

const at = new Date("2026-11-30T12:00:00Z");
const journaled = (status: JournaledCall["status"], extra: Partial<JournaledCall> = {}): JournaledCall => ({
  integration: "chat",
  tool: "post_message",
  argsHash: "h1",
  attempt: 1,
  status,
  outcome: { ok: true, structured: { ts: "1" } },
  startedAt: at,
  finishedAt: status === "started" ? null : new Date(at.getTime() + 50),
  ...extra,
});
const next = (extra: Partial<NextCall> = {}): NextCall => ({
  seq: 3,
  integration: "chat",
  tool: "post_message",
  argsHash: "h1",
  safe: false,
  ...extra,
});

test("nothing journaled here: the call is made, for the first time", () => {
  assert.deepEqual(decideCall(undefined, next()), { kind: "execute", attempt: 1 });
});

test("a finished call is answered from the journal, at the time it finished, whether it succeeded or failed", () => {
  assert.deepEqual(decideCall(journaled("succeeded"), next()), {
    kind: "replay",
    outcome: { ok: true, structured: { ts: "1" } },
    at: at.getTime() + 50,
  });
  const failure = { ok: false, error: { code: "TOOL_ERROR", message: "no such channel", retryable: false } };
  assert.deepEqual(decideCall(journaled("failed", { outcome: failure }), next()), {
    kind: "replay",
    outcome: failure,
    at: at.getTime() + 50,
  });
});

test("a call that started and has no outcome: made again if it is safe to repeat, in doubt if not", () => {
  assert.deepEqual(decideCall(journaled("started", { attempt: 2 }), next({ safe: true })), {
    kind: "execute",
    attempt: 3,
  });
  const doubt = decideCall(journaled("started"), next());
  assert.equal(doubt.kind, "in-doubt");
  assert.match(
    doubt.kind === "in-doubt" ? doubt.message : "",
    /call 3, chat\.post_message, started before the run was interrupted .* Check in chat whether it took effect/,
  );
});

test("another tool, or the same tool with other arguments, at a journaled place is non-determinism, whatever its status", () => {
  for (const status of ["started", "succeeded", "failed"] as const) {
    const other = decideCall(journaled(status), next({ tool: "page_user" }));
    assert.deepEqual(
      [
        other.kind,
        other.kind === "non-determinism" &&
          /call 3 was chat\.page_user but the journal has chat\.post_message/.test(other.message),
      ],
      ["non-determinism", true],
      status,
    );
    const args = decideCall(journaled(status), next({ argsHash: "h2", safe: true }));
    assert.deepEqual(
      [args.kind, args.kind === "non-determinism" && /with different arguments/.test(args.message)],
      ["non-determinism", true],
      status,
    );
  }
});
