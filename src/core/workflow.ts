/**
 * What a compiled workflow is, as the rest of Charter sees it: its triggers, the tools it can call
 * (capabilities), compile diagnostics, and the tests that travel with it.
 */
import { TOOL_ERROR_CODES, type ToolErrorCode } from "./outcomes.ts";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { JsonSchemaObject } from "./catalog.ts";

/** A workflow's name is also its MCP tool name. */
export const WorkflowName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,63}$/,
    "must start with a lower-case letter and use only a-z, 0-9, '-' and '_' (at most 64 characters)",
  );

export const WorkflowTrigger = z.discriminatedUnion("type", [
  z.object({ type: z.literal("manual") }).strict(),
  z
    .object({
      type: z.literal("schedule"),
      cron: z
        .string()
        .regex(
          /^\S+(\s+\S+){4}$/,
          "must be a cron expression of 5 fields (minute, hour, day of month, month, day of week)",
        )
        .optional(),
      timezone: z.string().min(1).optional(),
      every: z
        .string()
        .regex(/^[1-9]\d{0,5}(m|h|d)$/, 'must be a count and a unit: "15m", "2h", "1d" (at least one minute)')
        .optional(),
      at: z.iso
        .datetime({
          offset: true,
          message: 'must be a date and time with its offset, e.g. "2026-12-01T09:00:00+01:00"',
        })
        .optional(),
    })
    .strict()
    .superRefine((trigger, context) => {
      const kinds = (["cron", "every", "at"] as const).filter((key) => trigger[key] !== undefined);
      if (kinds.length !== 1) {
        context.addIssue({
          code: "custom",
          path: [],
          message: 'needs exactly one of cron ("0 9 * * 1-5"), every ("15m") or at (a date and time, once)',
        });
        return;
      }
      if (trigger.timezone && !trigger.cron)
        context.addIssue({
          code: "custom",
          path: ["timezone"],
          message: "goes only with cron; every counts from the epoch and at carries its own offset",
        });
      if (trigger.cron === undefined) return;
      try {
        CronExpressionParser.parse(trigger.cron, trigger.timezone ? { tz: trigger.timezone } : {});
      } catch (error) {
        context.addIssue({
          code: "custom",
          path: [trigger.timezone ? "timezone" : "cron"],
          message: `is not valid: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }),
  z.object({ type: z.literal("webhook") }).strict(),
  z.object({ type: z.literal("resource"), integration: z.string().min(1), uri: z.string().min(1) }).strict(),
]);
export type WorkflowTrigger = z.infer<typeof WorkflowTrigger>;

/**
 * The input a schedule or a resource event starts a run with: `{}` for a tick, the resource's URI
 * and its content as text for an event. (Webhooks and manual or tool calls pass what their caller
 * sends.) The dispatcher builds runs from these, and the compiler checks input schemas against them.
 */
export const triggerInput = {
  schedule: (): Record<string, never> => ({}),
  resource: (uri: string, text: string): { uri: string; text: string } => ({ uri, text }),
};

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `"15m"` → 900000. */
export function intervalMs(every: string): number {
  const unit = every.slice(-1) as keyof typeof UNIT_MS;
  return Number(every.slice(0, -1)) * UNIT_MS[unit];
}

/** How a schedule trigger reads: `cron "0 9 * * 1-5" Europe/Berlin`, `every 15m`, `once at …`. */
export function describeSchedule(trigger: Extract<WorkflowTrigger, { type: "schedule" }>): string {
  if (trigger.every) return `every ${trigger.every}`;
  if (trigger.at) return `once at ${trigger.at}`;
  return `cron "${trigger.cron}"${trigger.timezone ? ` ${trigger.timezone}` : ""}`;
}

/** `byTenant`: the hints the tenant's file set over the server's (absent on versions made before overrides existed). */
export const Annotations = z.object({
  readOnly: z.boolean(),
  destructive: z.boolean(),
  idempotent: z.boolean(),
  openWorld: z.boolean(),
  declared: z.boolean(),
  byTenant: z.array(z.string()).optional(),
});
export type Annotations = z.infer<typeof Annotations>;

/** One tool a workflow can call: the integration, the MCP tool name, the SDK function, its annotations. */
export const Capability = z.object({
  integration: z.string(),
  tool: z.string(),
  sdkFunction: z.string(),
  annotations: Annotations,
});
export type Capability = z.infer<typeof Capability>;

export const DiagnosticSeverity = z.enum(["error", "warning"]);

/** A problem in a workflow, at a place in its source (1-based line and column). */
export const Diagnostic = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  severity: DiagnosticSeverity,
  /** `TS2322` for TypeScript's own, `CHARTER_…` for Charter's rules. */
  code: z.string(),
  message: z.string(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

/** `file:line:col - error CODE: message`, the shape editors and CI logs link. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}`;
}

const ToolKey = z
  .string()
  .regex(/^[^.\s]+\.[^\s]+$/, 'must be "<integration>.<tool>" with the MCP tool name, e.g. "tickets.get_incident"');

/** What a mocked tool call returns: structured output, content blocks, or an error. */
export const MockedResult = z.union([
  z.object({ output: z.unknown() }).strict(),
  z.object({ content: z.array(z.object({ type: z.string() }).loose()) }).strict(),
  z
    .object({
      error: z
        .object({
          // What a tool can fail with, as workflow code sees it (a made-up code would type as a lie).
          code: z
            .enum(Object.keys(TOOL_ERROR_CODES) as [ToolErrorCode, ...ToolErrorCode[]], {
              error: `a mocked error's code is one of ${Object.keys(TOOL_ERROR_CODES).join(", ")}`,
            })
            .default("TOOL_ERROR"),
          message: z.string(),
          retryable: z.boolean().default(false),
        })
        .strict(),
    })
    .strict(),
]);
export type MockedResult = z.infer<typeof MockedResult>;

/**
 * A test of a workflow: an input, the mocked result of each tool it may call (one per call in
 * order; the last one repeats), and what must happen: the calls in order (arguments compared as
 * a subset: listed fields must match; a text field may be expected as
 * `{ "$contains": [...], "$excludes": [...] }`: the strings it must and must not contain), and the
 * exact output, or the error.
 */
export const WorkflowTest = z
  .object({
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
    mocks: z.record(ToolKey, z.array(MockedResult).min(1)).default({}),
    state: z.record(z.string(), z.unknown()).optional(),
    /** The time the run starts at (ctx.now()), for tests of dates and periods; the real time when absent. */
    now: z.iso.datetime({ offset: true }).optional(),
    expect: z
      .object({
        calls: z
          .array(z.object({ tool: ToolKey, args: z.record(z.string(), z.unknown()).optional() }).strict())
          .optional(),
        output: z.record(z.string(), z.unknown()).optional(),
        error: z.object({ code: z.string().optional(), message: z.string().optional() }).strict().optional(),
      })
      .strict()
      .refine((e) => !(e.output && e.error), "expect either an output or an error, not both"),
  })
  .strict();
export type WorkflowTest = z.infer<typeof WorkflowTest>;

/** At most 200 tests: each runs once per way the version can be started, inside the test gate's time budget. */
export const WorkflowTests = z.object({ tests: z.array(WorkflowTest).min(1).max(200) }).strict();
export type WorkflowTests = z.infer<typeof WorkflowTests>;

export { JsonSchemaObject };
