/**
 * The shapes Charter keeps in its JSON columns (the store types those columns with them), and so
 * the shapes that the CLI, REST and MCP read back: one definition each, below every module that
 * writes or reads them.
 */
import type { CatalogTool } from "./catalog.ts";
import type { WorkflowPlan } from "./plan.ts";
import type { WorkflowTest, WorkflowTrigger } from "./workflow.ts";

/** A version's triggers, and the tools whose retryable failures its author asks to retry. */
export type VersionTriggers = { triggers: WorkflowTrigger[]; retry?: string[] };

/** Where a version came from, when a planner made it: the request, the planner's transcript, its plan. */
export type VersionOrigin = { request: string; transcript?: unknown; plan?: WorkflowPlan };

/** The tests a version carries. */
export type VersionTests = { tests: WorkflowTest[] };

/** A tool a version calls, as its catalog entry was when the version was made (drift is measured against it). */
export type ToolSnapshot = CatalogTool & { integration: string };

export type GateName = "compile" | "tests" | "destructive-mocked" | "destructive-covered";
export type TestOutcome = {
  name: string;
  ok: boolean;
  problems: string[];
  calls: { tool: string; args: unknown; ok: boolean }[];
};
/** One gate's verdict on a version. */
export type GateResult = { gate: GateName; ok: boolean; detail: string; tests?: TestOutcome[] };

export type DriftItem = { tool: string; change: string; review?: boolean };
/** The catalog changes seen since approval: breaking ones (status drifted) and compatible ones. */
export type Drift = { breaking: DriftItem[]; compatible: DriftItem[]; catalogHash: string; checkedAt: string };

/** The hashes a reviewer decided on. */
export type ApprovalHashes = { source: string; bundle: string | null; catalog: string; sdk: string };

/** What started a run ("try": a dry run of a draft), with what the trigger knew. */
export type RunTrigger = {
  type: "manual" | "schedule" | "webhook" | "resource" | "tool" | "try";
  detail?: Record<string, unknown>;
};

/** Why a run failed: a run or tool error code, what it means, and the tool when one failed. */
export type RunError = { code: string; message: string; tool?: string };

/** A line a workflow logged (`at`: the run's logical time). */
export type LogLine = { level: "info" | "warn" | "error"; message: string; data?: unknown; at: number };

/** What a tool call came to: structured output, content blocks, or a failure with a code. */
export type ToolOutcome =
  | { ok: true; structured?: unknown; content?: unknown[] }
  | { ok: false; error: { code: string; message: string; retryable: boolean } };

/** A tool a bundle may call, with what the bridge checks and decides by (the bundle's policy). */
export type ToolPolicy = {
  integration: string;
  tool: string;
  annotations: { readOnly: boolean; destructive: boolean; idempotent: boolean; openWorld: boolean };
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown> | undefined;
  /** The workflow asks for retryable failures of this tool to be retried even though it is not idempotent. */
  retry?: boolean | undefined;
};
