/** What one run may use. Every limit ends the run with LIMIT_EXCEEDED and names itself. */
export type SandboxLimits = {
  /** V8 heap of the isolate, in MiB. */
  memoryMb: number;
  /** CPU time of the isolate over the whole run, including code after awaited bridge calls. */
  cpuMs: number;
  /** Wall time of the whole run, including time spent in tool calls. */
  wallMs: number;
  toolCalls: number;
  logLines: number;
  /** One log line (message and data), in bytes of JSON. */
  logBytes: number;
  /** Arguments of one tool call, in bytes of JSON. */
  argsBytes: number;
  /** One tool result as it enters the isolate, in bytes of JSON. */
  resultBytes: number;
  /** The input, the output and the saved state, each, in bytes of JSON. */
  valueBytes: number;
  /** All tool-call arguments and results of one run together, in bytes of JSON: what the host holds for it. */
  exchangedBytes: number;
};

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryMb: 64,
  cpuMs: 5_000,
  wallMs: 120_000,
  toolCalls: 500,
  logLines: 1_000,
  logBytes: 8 * 1024,
  argsBytes: 256 * 1024,
  resultBytes: 1024 * 1024,
  valueBytes: 1024 * 1024,
  exchangedBytes: 32 * 1024 * 1024,
};
