/**
 * The gates every new version passes through, in order, with their results stored on it:
 *   compile              the workflow compiles against the tenant's SDK
 *   tests                each of its tests runs in the sandbox with mocked tools and does what it expects
 *   destructive-mocked   no test run reached a destructive tool that the test did not mock
 *   destructive-covered  every destructive capability is called in at least one test
 * A version whose gates do not all pass cannot be submitted for review.
 */
import { randomUUID } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.ts";
import type { GateResult, TestOutcome } from "../core/records.ts";
import { type Capability, formatDiagnostic, type WorkflowTest } from "../core/workflow.ts";
import { z } from "zod";
import type { CompileResult } from "../compile/index.ts";
import { mockedTools, type RunnableBundle, type TriedCall, tryRun } from "../runs/index.ts";

const TextExpectation = z
  .object({ $contains: z.array(z.string()).default([]), $excludes: z.array(z.string()).default([]) })
  .strict();

export type { GateName, GateResult, TestOutcome } from "../core/records.ts";

/** The test gate's time for all its runs: a version's tests cannot keep a process busy for longer. */
const GATE_BUDGET_MS = 60_000;

export async function runGates(
  compiled: CompileResult,
  runnable: RunnableBundle | undefined,
  tests: WorkflowTest[] | undefined,
  live: { version?: number; budgetMs?: number } = {},
): Promise<GateResult[]> {
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  const results: GateResult[] = [
    {
      gate: "compile",
      ok: compiled.ok && runnable !== undefined,
      detail: compiled.ok ? "compiles against the tenant's SDK" : errors.slice(0, 5).map(formatDiagnostic).join("\n"),
    },
  ];
  if (!runnable || !compiled.ok) {
    for (const gate of ["tests", "destructive-mocked", "destructive-covered"] as const)
      results.push({ gate, ok: false, detail: "not run: the workflow does not compile" });
    return results;
  }
  if (!tests || tests.length === 0) {
    results.push({
      gate: "tests",
      ok: false,
      detail: "the version has no tests; add a <workflow>.tests.json with at least one",
      tests: [],
    });
    results.push({ gate: "destructive-mocked", ok: false, detail: "not run: no tests" });
    results.push(coverage(compiled.capabilities, new Set()));
    return results;
  }
  const destructive = new Set(
    compiled.capabilities.filter((c) => c.annotations.destructive).map((c) => `${c.integration}.${c.tool}`),
  );
  const outcomes: TestOutcome[] = [];
  const unmockedDestructive: string[] = [];
  // Each test runs as a live run looks (a run id, not "try") under every way the version can be
  // started: its declared triggers, by hand, and as an MCP tool. Code that behaves only under one
  // of them (the one a test happens to use) fails the test under another.
  const startedAs = [...new Set([...(compiled.workflow?.triggers ?? []).map((t) => t.type), "manual", "tool"])];
  const exercised = new Set<string>();
  const budgetMs = live.budgetMs ?? GATE_BUDGET_MS;
  const deadline = performance.now() + budgetMs;
  for (const test of tests) {
    if (performance.now() >= deadline) {
      outcomes.push({
        name: test.name,
        ok: false,
        problems: [
          `not run: the tests used up the gate's ${budgetMs / 1000} s (each runs once per way the ` +
            `version can be started); make them fewer or faster`,
        ],
        calls: [],
      });
      continue;
    }
    const problems: string[] = [];
    let primary: TriedCall[] | undefined;
    for (const trigger of startedAs) {
      const ran = await tryRun({
        bundle: runnable,
        input: test.input,
        tools: mockedTools(test.mocks),
        state: (test.state ?? {}) as Record<string, unknown>,
        ...(test.now ? { startedAt: Date.parse(test.now) } : {}),
        as: { runId: randomUUID(), trigger, version: live.version ?? 1 },
      });
      const found = expectationProblems(test, ran.calls, ran.ok ? ran.output : undefined, ran.error);
      for (const call of ran.calls) {
        exercised.add(call.tool);
        if (destructive.has(call.tool) && !(call.tool in test.mocks)) {
          const unmocked = `test "${test.name}" calls destructive ${call.tool} without mocking it`;
          if (!unmockedDestructive.includes(unmocked)) unmockedDestructive.push(unmocked);
          found.push(`calls destructive ${call.tool} without a mock: destructive tools must be mocked in tests`);
        }
      }
      if (!primary) problems.push(...found);
      else
        for (const problem of found)
          if (!problems.includes(problem)) problems.push(`when started as ${trigger}: ${problem}`);
      primary ??= ran.calls;
    }
    outcomes.push({
      name: test.name,
      ok: problems.length === 0,
      problems,
      calls: (primary ?? []).map((c) => ({ tool: c.tool, args: c.args, ok: c.outcome.ok })),
    });
  }
  const failed = outcomes.filter((o) => !o.ok);
  results.push({
    gate: "tests",
    ok: failed.length === 0,
    detail:
      failed.length === 0
        ? `${outcomes.length} test${outcomes.length === 1 ? "" : "s"} passed`
        : failed.map((o) => `test "${o.name}": ${o.problems.join("; ")}`).join("\n"),
    tests: outcomes,
  });
  results.push({
    gate: "destructive-mocked",
    ok: unmockedDestructive.length === 0,
    detail:
      unmockedDestructive.length === 0
        ? "every destructive call in the tests was mocked"
        : unmockedDestructive.join("\n"),
  });
  results.push(coverage(compiled.capabilities, exercised));
  return results;
}

function coverage(capabilities: readonly Capability[], called: ReadonlySet<string>): GateResult {
  const missing = capabilities
    .filter((c) => c.annotations.destructive && !called.has(`${c.integration}.${c.tool}`))
    .map((c) => `${c.integration}.${c.tool}`);
  return {
    gate: "destructive-covered",
    ok: missing.length === 0,
    detail:
      missing.length === 0
        ? "every destructive capability is exercised by a test"
        : `no test exercises destructive ${missing.join(", ")}; add a test that calls it (with a mock)`,
  };
}

function expectationProblems(
  test: WorkflowTest,
  calls: TriedCall[],
  output: unknown,
  error: { code: string; message: string } | null,
): string[] {
  const problems: string[] = [];
  const expected = test.expect.calls;
  if (expected) {
    if (expected.length !== calls.length)
      problems.push(
        `expected ${expected.length} calls, made ${calls.length} (${calls.map((c) => c.tool).join(", ") || "none"})`,
      );
    for (const [index, want] of expected.entries()) {
      const got = calls[index];
      if (!got) break;
      if (got.tool !== want.tool) problems.push(`call ${index + 1} was ${got.tool}, expected ${want.tool}`);
      else if (want.args && !contains(got.args, want.args))
        problems.push(
          `call ${index + 1} (${got.tool}) had arguments ${canonicalJson(got.args).slice(0, 300)}, ` +
            `expected them to include ${canonicalJson(want.args).slice(0, 300)}`,
        );
    }
  }
  if (test.expect.error) {
    if (!error)
      problems.push(
        `expected an error${test.expect.error.code ? ` ${test.expect.error.code}` : ""}, but the run succeeded`,
      );
    else {
      if (test.expect.error.code && error.code !== test.expect.error.code)
        problems.push(`expected error ${test.expect.error.code}, got ${error.code}: ${error.message}`);
      if (test.expect.error.message && !error.message.includes(test.expect.error.message))
        problems.push(`expected the error message to include "${test.expect.error.message}", got "${error.message}"`);
    }
  } else if (error) {
    problems.push(`the run failed: ${error.code}: ${error.message}`);
  } else if (test.expect.output && canonicalJson(output) !== canonicalJson(test.expect.output)) {
    problems.push(
      `output ${canonicalJson(output).slice(0, 300)} is not the ` +
        `expected ${canonicalJson(test.expect.output).slice(0, 300)}`,
    );
  }
  return problems;
}

/**
 * Whether `actual` has every field of `expected` (objects compared field by field, anything else
 * exactly); `{ $contains, $excludes }` expects a string with (and without) those pieces.
 */
function contains(actual: unknown, expected: unknown): boolean {
  const text =
    expected !== null && typeof expected === "object" && ("$contains" in expected || "$excludes" in expected)
      ? TextExpectation.safeParse(expected)
      : undefined;
  if (text?.success)
    return (
      typeof actual === "string" &&
      text.data.$contains.every((piece) => actual.includes(piece)) &&
      text.data.$excludes.every((piece) => !actual.includes(piece))
    );
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) => contains((actual as Record<string, unknown>)[key], value));
  }
  return canonicalJson(actual) === canonicalJson(expected);
}
