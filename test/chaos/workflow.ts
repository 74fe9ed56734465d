/**
 * The workflow every chaos trial runs: it reads, appends (not idempotent), marks slowly
 * (idempotent) and appends again, against the counting server (test/fixtures/counting-server.ts),
 * which writes each call it really made to its count file.
 */
import { readFile } from "node:fs/promises";

export const CHAOS_SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "chaos",
  description: "Reads, appends, marks slowly, appends.",
  input: { type: "object", properties: { trial: { type: "string" } }, required: ["trial"] },
  output: { type: "object", properties: { done: { type: "boolean" } }, required: ["done"] },
  run: async (input) => {
    await ops.lookup({ delay_ms: 300 });
    await ops.append({ text: input.trial + "-a", delay_ms: 250 });
    await ops.mark({ text: input.trial + "-m", delay_ms: 1500 });
    await ops.append({ text: input.trial + "-b", delay_ms: 250 });
    return { done: true };
  },
});`;
export const CHAOS_TESTS = JSON.stringify({
  tests: [
    {
      name: "runs through",
      input: { trial: "t" },
      mocks: {
        "ops.lookup": [{ output: { value: "x" } }],
        "ops.append": [{ output: { written: "t-a" } }, { output: { written: "t-b" } }],
        "ops.mark": [{ output: { written: "t-m" } }],
      },
      expect: { output: { done: true } },
    },
  ],
});

/**
 * What the tool server did for one trial's run, from its count file: the non-idempotent appends
 * that happened more than once, and those missing from a run that says it succeeded.
 */
export async function trialCalls(
  countFile: string,
  trial: string,
  status: string,
): Promise<{ doubled: string[]; missing: string[] }> {
  const lines = (await readFile(countFile, "utf8")).split("\n").filter((l) => l.startsWith(`append:${trial}-`));
  const doubled = [...new Set(lines)].filter((l) => lines.filter((x) => x === l).length > 1);
  const missing =
    status === "succeeded" ? [`append:${trial}-a`, `append:${trial}-b`].filter((l) => !lines.includes(l)) : [];
  return { doubled, missing };
}
