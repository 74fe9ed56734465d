/**
 * The CI part of the planner's end-state evaluation (`npm run eval:planner` runs all of it): the
 * cases marked `ci`, each on a fresh demo tenant through plan → gates → approval → trigger →
 * asserted server state. No answer may be wrong; most must be correct.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CASES } from "./eval/cases.ts";
import { type CaseResult, report, runCase } from "./eval/harness.ts";

test("the offline planner on the evaluation's CI requests: none wrong, at least 70 % correct", {
  timeout: 600_000,
}, async () => {
  const chosen = CASES.filter((c) => c.ci);
  assert.ok(chosen.length >= 10, "a subset that means something");
  const results: CaseResult[] = [];
  for (const test of chosen) results.push(await runCase(test, { env: { ...process.env, ANTHROPIC_API_KEY: "" } }));
  const table = report(results);
  assert.deepEqual(
    results.filter((r) => r.verdict === "wrong").map((r) => `${r.id}: ${r.reason}`),
    [],
    table,
  );
  assert.ok(results.filter((r) => r.verdict === "correct").length >= Math.ceil(0.7 * results.length), table);
});
