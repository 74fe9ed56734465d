export { RunService, runnableOf } from "./run-service.ts";
export type { RunEvent, RunnableBundle, RunResult, RunServiceResources, RunTrigger } from "./run-service.ts";
export { liveTools, mockedTools, plannerReads, withRetries } from "./tool-executors.ts";
export type { ToolRunner } from "./tool-executors.ts";
export { tryRun } from "./try-run.ts";
export type { TriedCall, TryResult } from "./try-run.ts";
export { RUN_END_RECHECK_MS, RunEnds } from "./run-ends.ts";
