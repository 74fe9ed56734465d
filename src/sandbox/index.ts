export { keepIsolatesReady, releaseIdleIsolates, runInIsolate } from "./isolate-host.ts";
export type { BridgeHandler, GuestError, IsolateOutcome, IsolateRun, LogLine, RunInfo } from "./isolate-host.ts";
export { createBridge } from "./bridge.ts";
export type { Executor, ToolCall, ToolOutcome, ToolPolicy } from "./bridge.ts";
export { DEFAULT_LIMITS } from "./limits.ts";
export type { SandboxLimits } from "./limits.ts";
export type { BridgeReply } from "./isolate-pool.ts";
