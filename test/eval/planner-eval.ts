/**
 * `npm run eval:planner [-- --ci] [--set own|learned|all] [--cases file.ts] [--only a,b] [--concurrency 2]`: the
 * planner's end-state evaluation over the project's requests (test/eval/cases.ts; `learned` adds
 * the independent sets the planner has since learned from, test/eval/learned/), through the real
 * path, printing a table and the rates. `--cases` runs a set kept outside the project instead (a
 * module exporting `CASES`), the way an independent set of unseen requests is measured. Offline planner without ANTHROPIC_API_KEY; Claude with it.
 * Exits 1 when any answer is wrong.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { CASES } from "./cases.ts";
import { LEARNED } from "./learned/index.ts";
import { type CaseResult, type EvalCase, report, runCase } from "./harness.ts";

const { values } = parseArgs({
  options: {
    ci: { type: "boolean", default: false },
    set: { type: "string", default: "own" },
    only: { type: "string" },
    concurrency: { type: "string", default: "2" },
    cases: { type: "string" },
  },
});
const only = values.only ? new Set(values.only.split(",")) : undefined;
const sets = { own: CASES, learned: LEARNED, all: [...CASES, ...LEARNED] } as const;
if (!(values.set in sets)) throw new Error(`--set must be own, learned or all, not "${values.set}"`);
const outside = values.cases ? ((await import(path.resolve(values.cases))) as { CASES: EvalCase[] }).CASES : undefined;
const chosen = (outside ?? sets[values.set as keyof typeof sets]).filter(
  (c) => (!values.ci || c.ci) && (!only || only.has(c.id)),
);
const provider = process.env["CHARTER_PLANNER_PROVIDER"] ?? "anthropic";
const planner =
  process.env["ANTHROPIC_API_KEY"] || provider !== "anthropic"
    ? `Claude (${process.env["CHARTER_PLANNER_MODEL"] ?? "default model"}, ${provider})`
    : "offline";
console.log(`Planner evaluation: ${chosen.length} requests, ${planner} planner, each on a fresh demo tenant\n`);

const results: CaseResult[] = new Array(chosen.length);
let next = 0;
const worker = async () => {
  for (let index = next++; index < chosen.length; index = next++) {
    const test = chosen[index];
    if (!test) continue;
    const result = await runCase(test, { env: process.env });
    results[index] = result;
    console.log(`  ${result.verdict.padEnd(8)} ${test.id} (${(result.ms / 1000).toFixed(1)} s)`);
  }
};
await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
console.log(`\n${report(results)}`);
process.exitCode = results.some((r) => r.verdict === "wrong") ? 1 : 0;
