/**
 * The plan: what a workflow does, between the plain-language request and the code. Both planners
 * produce one; the code, its tests and the version's description are derived from it, and every
 * clause of the request names the plan elements that carry it out. A plan is data, stored with the
 * version and returned by the API and MCP.
 *
 * Values say where each argument comes from: a constant, a field of the run's input, a field of an
 * earlier step's result (or of the item a loop is on), text assembled from those, a list rendered
 * one line per item, or the number of items in a list.
 */
import { z } from "zod";

const Id = z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/, "must be a short camelCase name");
const Path = z.array(z.string().min(1)).max(8);
/**
 * What a list holds, in a word or two ("incidents", "membership changes"): it is shown to
 * reviewers, so it says nothing else.
 */
const Noun = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*(?: [a-z][a-z0-9_-]*){0,2}$/, "must be a plural noun of one to three lower-case words");

export type PlanValue =
  | { kind: "const"; value: string | number | boolean | null }
  | { kind: "input"; field: string }
  | { kind: "ref"; step: string; path: string[] }
  | { kind: "text"; parts: (string | PlanValue)[]; slug?: boolean }
  | { kind: "lines"; list: string; line: PlanValue; empty: string }
  | { kind: "count"; list: string }
  | { kind: "object"; fields: Record<string, PlanValue> }
  | { kind: "array"; items: PlanValue[] }
  | { kind: "choose"; value: PlanValue; cases: Record<string, string | number | boolean> };

export const PlanValue: z.ZodType<PlanValue> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("const"), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
    z.object({ kind: z.literal("input"), field: z.string().min(1) }).strict(),
    /**
     * A field of an earlier step's result; inside a loop or a list's line, `step` is the loop's or
     * list's id and names the item.
     */
    z.object({ kind: z.literal("ref"), step: Id, path: Path }).strict(),
    /**
     * Text assembled from pieces; `slug` makes it a name: lower case, anything but a-z, 0-9, - and _ turned into "-".
     */
    z
      .object({
        kind: z.literal("text"),
        parts: z
          .array(z.union([z.string(), PlanValue]))
          .min(1)
          .max(40),
        slug: z.boolean().optional(),
      })
      .strict(),
    z.object({ kind: z.literal("lines"), list: Id, line: PlanValue, empty: z.string() }).strict(),
    z.object({ kind: z.literal("count"), list: Id }).strict(),
    /** An object built from values (an assignee: id, name, email). */
    z.object({ kind: z.literal("object"), fields: z.record(z.string().min(1), PlanValue) }).strict(),
    /** A list built from values (a new channel's members: the on-call engineer's email). */
    z.object({ kind: z.literal("array"), items: z.array(PlanValue).min(1).max(20) }).strict(),
    /**
     * One of several constants, by what a value is ("P1 for critical, P3 for warning"); a value no
     * case names leaves it unset.
     */
    z
      .object({
        kind: z.literal("choose"),
        value: PlanValue,
        cases: z
          .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
          .refine((c) => Object.keys(c).length > 0 && Object.keys(c).length <= 20, "names one to twenty cases"),
      })
      .strict(),
  ]),
);

export const ConditionOp = z.enum([
  "eq",
  "ne",
  "in",
  "not-in",
  "gt",
  "lt",
  "empty",
  "not-empty",
  "older-than-hours",
  "newer-than-hours",
  "has",
]);
export type ConditionOp = z.infer<typeof ConditionOp>;

/** `value op operand`: "priority is P1", "status is not resolved or closed", "assignee is empty", "more than 3". */
export const Condition = z
  .object({
    value: PlanValue,
    op: ConditionOp,
    operand: z.union([z.string(), z.number(), z.array(z.string())]).optional(),
    /** For eq and ne: compare with this value (an earlier step's field) instead of a constant operand. */
    against: PlanValue.optional(),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;

export type PlanStep =
  | {
      kind: "call";
      id: string;
      tool: string;
      args: Record<string, PlanValue>;
      onFailure?: PlanStep[];
      then?: PlanStep[];
    }
  | { kind: "list"; id: string; from: PlanValue; where: Condition[]; noun: string }
  | { kind: "for-each"; id: string; list: string; steps: PlanStep[]; once?: string[] }
  | { kind: "if"; id: string; condition: Condition; then: PlanStep[]; otherwise: PlanStep[] }
  | { kind: "once-per"; id: string; period: "hour" | "day" | "week"; steps: PlanStep[] }
  | { kind: "fail"; id: string; message: string };

export const PlanStep: z.ZodType<PlanStep> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    /**
     * A tool call ("integration.tool"); onFailure runs instead of failing the run when the call
     * fails; `then` (with onFailure) runs only when it succeeded, and is where its result may be read.
     */
    z
      .object({
        kind: z.literal("call"),
        id: Id,
        tool: z.string().regex(/^[^.\s]+\.\S+$/),
        args: z.record(z.string(), PlanValue),
        onFailure: z.array(PlanStep).optional(),
        then: z.array(PlanStep).optional(),
      })
      .strict(),
    /** The items of a list (a step's array field, or what a resource event brings) that meet every condition. */
    z
      .object({ kind: z.literal("list"), id: Id, from: PlanValue, where: z.array(Condition).max(10), noun: Noun })
      .strict(),
    /**
     * `once`: each item at most once ever, known by these fields; an item an earlier run handled is skipped (remembered
     * in saved state).
     */
    z
      .object({
        kind: z.literal("for-each"),
        id: Id,
        list: Id,
        steps: z.array(PlanStep).min(1),
        once: z.array(z.string().min(1).max(60)).min(1).max(4).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("if"),
        id: Id,
        condition: Condition,
        then: z.array(PlanStep),
        otherwise: z.array(PlanStep),
      })
      .strict(),
    /** Steps that run at most once per period (UTC), remembered in the workflow's saved state. */
    z
      .object({
        kind: z.literal("once-per"),
        id: Id,
        period: z.enum(["hour", "day", "week"]),
        steps: z.array(PlanStep).min(1),
      })
      .strict(),
    /** Stops the run as failed with this message (WORKFLOW_ERROR), e.g. when a person it must reach is not found. */
    z.object({ kind: z.literal("fail"), id: Id, message: z.string().min(1).max(500) }).strict(),
  ]),
);

/** A field the caller (a person, an agent, a webhook's sender) passes as input. */
export const PlanInput = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
    schema: z.record(z.string(), z.unknown()),
    required: z.boolean(),
    description: z.string(),
  })
  .strict();
export type PlanInput = z.infer<typeof PlanInput>;

export const PlanTrigger = z.discriminatedUnion("type", [
  z.object({ type: z.literal("manual") }).strict(),
  z.object({ type: z.literal("webhook") }).strict(),
  z
    .object({
      type: z.literal("schedule"),
      cron: z.string().optional(),
      timezone: z.string().optional(),
      every: z.string().optional(),
      at: z.string().optional(),
    })
    .strict(),
  /**
   * A resource event. The event carries the resource's whole content; `items` is the list in it
   * (the same shape as `shape`), and only items no earlier run handled (by `key`) reach the steps,
   * as the list step "event".
   */
  z
    .object({
      type: z.literal("resource"),
      integration: z.string().min(1),
      uri: z.string().min(1),
      noun: Noun,
      key: z.array(z.string().min(1)).min(1),
      shape: z.record(z.string(), z.unknown()),
      shapeFrom: z.string(),
      /**
       * The items' time field: on the first run (no saved state yet) only items from the last
       * FIRST_RUN_WINDOW_MINUTES are handled, since the content also lists older ones.
       */
      timeField: z.string().optional(),
    })
    .strict(),
]);
export type PlanTrigger = z.infer<typeof PlanTrigger>;

/** A piece of the request, verbatim, and the plan elements ("trigger", step ids) that carry it out. */
export const PlanClause = z.object({ text: z.string().min(1), covers: z.array(z.string().min(1)).min(1) }).strict();
export type PlanClause = z.infer<typeof PlanClause>;

export const WorkflowPlan = z
  .object({
    request: z.string().min(1),
    /** For a revision: the request the revised version was planned from (its clauses may quote it). */
    revises: z.string().optional(),
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/),
    trigger: PlanTrigger,
    inputs: z.array(PlanInput).max(20),
    steps: z.array(PlanStep).min(1).max(40),
    output: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), PlanValue),
    clauses: z.array(PlanClause).min(1),
    /** What was checked against the tenant's live systems, and what could not be. */
    checks: z.array(z.string()).default([]),
  })
  .strict();
export type WorkflowPlan = z.infer<typeof WorkflowPlan>;

export const FIRST_RUN_WINDOW_MINUTES = 10;

/** The event list a resource trigger hands to the steps. */
export const EVENT_LIST = "event";

/** Every step of a plan, depth first, with the steps it is nested in. */
export function* walkSteps(
  steps: readonly PlanStep[],
  parents: PlanStep[] = [],
): Generator<{ step: PlanStep; parents: PlanStep[] }> {
  for (const step of steps) {
    yield { step, parents };
    const inner = [...parents, step];
    if (step.kind === "call" && step.then) yield* walkSteps(step.then, inner);
    if (step.kind === "call" && step.onFailure) yield* walkSteps(step.onFailure, inner);
    if (step.kind === "for-each" || step.kind === "once-per") yield* walkSteps(step.steps, inner);
    if (step.kind === "if") {
      yield* walkSteps(step.then, inner);
      yield* walkSteps(step.otherwise, inner);
    }
  }
}
