/**
 * Sandbox benchmark. Prints, from one run, each against a baseline measured in the same process:
 *   1. isolate ready to run (fresh isolated-vm isolate, context, bridge, bootstrap)
 *        vs a fresh node:vm context with the same bootstrap;
 *   2. bridge round trip (guest call → host checks → reply → guest resumes), full checks included
 *        vs a node:vm context awaiting a host function;
 *   3. a trivial 3-call workflow run end to end with its journal (embedded PGlite, in memory)
 *        vs the same run with a child process per run (node:vm inside, calls over IPC, same journal).
 * Usage: npm run bench:sandbox
 */
import { fork } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import ivm from "isolated-vm";
import { compileWorkflowForBench } from "./sandbox-workflow.ts";
import { BOOTSTRAP_SOURCE } from "../src/sandbox/bootstrap.ts";
import { createBridge, DEFAULT_LIMITS, runInIsolate, type ToolPolicy } from "../src/sandbox/index.ts";
import { RunService, type RunnableBundle, type ToolRunner } from "../src/runs/index.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import { CatalogRepository, type FinishedCall, RunRepository, openEmbeddedDatabase } from "../src/store/index.ts";
import { admit } from "../src/runs/admission.ts";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ratio = (baseline: number, ours: number) => `${(baseline / ours).toFixed(1)}x`;

// 1. isolate ready to run
async function isolateReady(): Promise<number> {
  const started = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: DEFAULT_LIMITS.memoryMb });
  const context = await isolate.createContext();
  await context.global.set("__charterHost", new ivm.Callback(() => {}, { ignored: true }));
  (await isolate.compileScript(BOOTSTRAP_SOURCE)).runSync(context);
  await context.global.get("__charterResolve", { reference: true });
  await context.global.delete("__charterResolve");
  const ms = performance.now() - started;
  isolate.dispose();
  return ms;
}
function vmReady(): number {
  const started = performance.now();
  const context = vm.createContext({ __charterHost: () => {} });
  vm.runInContext(BOOTSTRAP_SOURCE, context);
  return performance.now() - started;
}
for (let i = 0; i < 10; i++) await isolateReady(), vmReady();
const ready = [];
const vmReadyTimes = [];
for (let i = 0; i < 60; i++) {
  ready.push(await isolateReady());
  vmReadyTimes.push(vmReady());
}
const readyMedian = median(ready);
const vmReadyMedian = median(vmReadyTimes);
console.log(
  `isolate ready to run: median ${readyMedian.toFixed(2)} ms of 60 (target <= 5 ms); node:vm context: ${vmReadyMedian.toFixed(2)} ms (isolate/vm = ${(readyMedian / vmReadyMedian).toFixed(1)}x)`,
);

// 2. bridge round trip
const ECHO: ToolPolicy = {
  integration: "ops",
  tool: "echo",
  annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  outputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
};
const CALLS = 5000;
// As a bundle's runtime does, the bridge is taken when the script loads: the host removes it from the global object before the run starts.
const loop = `const bridge = globalThis.__charterBridge;
var __charterWorkflow = { default: { run: async () => {
  for (let i = 0; i < ${CALLS}; i++) await bridge('{"integration":"ops","tool":"echo","args":{"text":"a"}}');
  return {};
} } };`;
const stamps: number[] = [];
const bridge = createBridge({
  tools: [ECHO],
  limits: { ...DEFAULT_LIMITS, toolCalls: CALLS + 1, cpuMs: 60_000 },
  execute: async (call) => ({ outcome: { ok: true, structured: { text: String(call.args["text"]) } }, at: 0 }),
});
const timed = async (request: string) => {
  stamps.push(performance.now());
  return bridge(request);
};
await runInIsolate({
  code: loop,
  input: {},
  info: { runId: "b", workflow: "b", version: 1, trigger: "manual", attempt: 1 },
  state: {},
  startedAt: 0,
  seed: [1, 2],
  limits: { ...DEFAULT_LIMITS, toolCalls: CALLS + 1, cpuMs: 60_000 },
  bridge: timed,
});
const intervals = stamps
  .slice(1)
  .map((t, i) => (t - (stamps[i] ?? t)) * 1000)
  .slice(500);
const vmStamps: number[] = [];
const vmContext = vm.createContext({
  host: async (request: string) => (vmStamps.push(performance.now()), bridge(request)),
});
await vm.runInContext(
  `(async () => { for (let i = 0; i < ${CALLS}; i++) await host('{"integration":"ops","tool":"echo","args":{"text":"a"}}'); })()`,
  vmContext,
);
const vmIntervals = vmStamps
  .slice(1)
  .map((t, i) => (t - (vmStamps[i] ?? t)) * 1000)
  .slice(500);
const tripMedian = median(intervals);
const vmTripMedian = median(vmIntervals);
console.log(
  `bridge round trip (with capability and schema checks): median ${tripMedian.toFixed(1)} µs over ${intervals.length} calls (target <= 50 µs); node:vm: ${vmTripMedian.toFixed(1)} µs (isolate/vm = ${(tripMedian / vmTripMedian).toFixed(1)}x)`,
);

// 3. end to end, with the journal
const database = await openEmbeddedDatabase({ memory: true });
await database.migrate();
await new CatalogRepository(database.db).upsertTenant({ id: "bench", name: "Bench", configHash: "x" });
const repository = new RunRepository(database.db);
const bundle: RunnableBundle = await compileWorkflowForBench();
const instant: ToolRunner = async (call) => ({ ok: true, structured: { text: String(call.args["text"]) } });
const service = new RunService({ repository, tools: async () => instant });
const endToEnd = async () => {
  const started = performance.now();
  const result = await service.start({
    tenantId: "bench",
    bundle,
    admission: admit("bench", bundle.hash, undefined),
    input: {},
    trigger: { type: "manual" },
  });
  if (result.status !== "succeeded") throw new Error(JSON.stringify(result.error));
  return performance.now() - started;
};

// Baseline: the same run, in a child process per run (node:vm inside it; tool calls over IPC; journal here).
const dir = mkdtempSync(path.join(tmpdir(), "charter-bench-"));
const childScript = path.join(dir, "child.mjs");
writeFileSync(
  childScript,
  `import vm from "node:vm";
const pending = {};
process.on("message", (m) => { if (m.type === "reply") pending.resolve(m.id, m.reply); else start(m); });
function start({ code, bootstrap }) {
  const context = vm.createContext({ __charterHost: (kind, id, request) => { if (kind === "call") process.send({ type: "call", id, request }); } });
  vm.runInContext(bootstrap, context);
  const resolveCall = context.__charterResolve; delete context.__charterResolve;
  pending.resolve = resolveCall;
  vm.runInContext(code, context);
  vm.runInContext('__charterStart("{}", JSON.stringify({ run: {}, startedAt: 0, seed: [1, 2] }), "{}")', context).then((outcome) => { process.send({ type: "done", outcome }); });
}`,
);
// Journaled the way the run service does it: calls that are safe to repeat (all three here) are
// written together with the run's completion.
const childPerRun = async () => {
  const started = performance.now();
  const run = await repository.createRun({
    tenantId: "bench",
    workflow: bundle.workflow,
    bundleHash: bundle.hash,
    trigger: { type: "manual" },
    input: {},
    status: "running",
    startedAt: new Date(),
    seed: [1, 2],
  });
  const calls: FinishedCall[] = [];
  const bridgeForRun = createBridge({
    tools: bundle.tools,
    limits: DEFAULT_LIMITS,
    execute: async (call) => {
      const startedAt = new Date();
      const outcome = await instant(call);
      calls.push({
        runId: run.id,
        seq: calls.length + 1,
        integration: call.integration,
        tool: call.tool,
        args: call.args,
        argsHash: contentHash(call.args),
        attempt: 1,
        source: "live",
        startedAt,
        status: "succeeded",
        outcome,
        finishedAt: new Date(),
      });
      return { outcome, at: Date.now() };
    },
  });
  const child = fork(childScript, { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const outcome = await new Promise<string>((resolve) => {
    child.on("message", (message: { type: string; id: number; request: string; outcome: string }) => {
      if (message.type === "call")
        void bridgeForRun(message.request).then((reply) => child.send({ type: "reply", id: message.id, reply }));
      else resolve(message.outcome);
    });
    child.send({ code: bundle.code, bootstrap: BOOTSTRAP_SOURCE });
  });
  child.kill();
  await repository.complete(run, {
    status: "succeeded",
    output: JSON.parse(outcome).output,
    error: null,
    logs: [],
    state: null,
    finishedAt: new Date(),
    calls,
  });
  return performance.now() - started;
};
for (let i = 0; i < 5; i++) await endToEnd(), await childPerRun();
const ours: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < 30; i++) {
  ours.push(await endToEnd());
  baseline.push(await childPerRun());
}
const oursMedian = median(ours);
const baselineMedian = median(baseline);
console.log(
  `3-call workflow end to end with journal: median ${oursMedian.toFixed(1)} ms of 30; child process per run: ${baselineMedian.toFixed(1)} ms -> ${ratio(baselineMedian, oursMedian)} faster (target >= 10x)`,
);
await database.close();
