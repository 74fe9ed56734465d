/**
 * The plan's meaning, run on the host: what a plan does with a given input, saved state, time and
 * tool results. The generated tests take their expected calls and output from it, so the code
 * generated from the same plan (or written by a model against it) must do exactly this. It keeps
 * no state of its own: a run is one call of `evaluatePlan`.
 */
import type { ToolErrorCode } from "../../core/outcomes.ts";
import { EVENT_LIST, FIRST_RUN_WINDOW_MINUTES } from "../../core/plan.ts";
import type { Condition, PlanStep, PlanValue, WorkflowPlan } from "../../core/plan.ts";

export type MockOutcome = { ok: true; value: unknown } | { ok: false; code: ToolErrorCode; message: string };
/** A call the plan makes; `texts` holds, per text argument, the values it was assembled from (each line of a list). */
export type EvaluatedCall = {
  tool: string;
  step: string;
  args: Record<string, unknown>;
  texts: Record<string, { parts: string[]; lists: string[] }>;
};
export type Evaluation = {
  calls: EvaluatedCall[];
  output: Record<string, unknown> | undefined;
  error: { code: string; message: string } | undefined;
  /**
   * Which paths the run took: "then:<if>", "otherwise:<if>", "failed:<call>", "skipped:<once>",
   * "ran:<once>", "empty:<list>", "seen".
   */
  paths: Set<string>;
  /** Strings that must not appear in a rendered list: the lines items filtered out would have had. */
  excluded: Map<string, string[]>;
};

type Scope = Map<string, unknown>;

/** The text form of a value, as generated code writes it (`str` in the module). */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(textOf).join(", ");
  return JSON.stringify(value);
}

/** "INC0042 / Payments" → "inc0042-payments": what a name made from text looks like. */
export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

/** The key of the period that contains `now` (UTC): "2026-01-15", "2026-01-15T10", "2026-W03"-like week start. */
export function periodKey(now: Date, period: "hour" | "day" | "week"): string {
  const iso = now.toISOString();
  if (period === "hour") return iso.slice(0, 13);
  if (period === "day") return iso.slice(0, 10);
  const monday = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)),
  );
  return `week of ${monday.toISOString().slice(0, 10)}`;
}

/** The items of a resource event's text: a JSON list (or one object) of objects; anything else is none. */
export function eventItems(text: unknown): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(typeof text === "string" ? text : "[]");
  } catch {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).filter(
    (item): item is Record<string, unknown> => item !== null && typeof item === "object" && !Array.isArray(item),
  );
}

/** Whether a time is within the first run's window before now. */
export function recent(value: unknown, now: Date): boolean {
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) && time >= now.getTime() - FIRST_RUN_WINDOW_MINUTES * 60_000;
}

export function itemKey(item: Record<string, unknown>, key: readonly string[]): string {
  return key.map((field) => textOf(item[field])).join("/");
}

export function pathOf(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function conditionHolds(actual: unknown, condition: Pick<Condition, "op" | "operand">, now: Date): boolean {
  const operand = condition.operand;
  switch (condition.op) {
    case "eq":
      return actual === operand;
    case "ne":
      return actual !== operand;
    case "in":
      return Array.isArray(operand) && operand.includes(textOf(actual));
    case "not-in":
      return Array.isArray(operand) && !operand.includes(textOf(actual));
    case "gt":
      return typeof actual === "number" && actual > Number(operand);
    case "lt":
      return typeof actual === "number" && actual < Number(operand);
    case "empty":
      return isEmptyValue(actual);
    case "not-empty":
      return !isEmptyValue(actual);
    case "older-than-hours": {
      const at = typeof actual === "string" ? Date.parse(actual) : Number.NaN;
      return Number.isFinite(at) && at < now.getTime() - Number(operand) * 3_600_000;
    }
    case "newer-than-hours": {
      const at = typeof actual === "string" ? Date.parse(actual) : Number.NaN;
      return Number.isFinite(at) && at >= now.getTime() - Number(operand) * 3_600_000;
    }
    case "has":
      return Array.isArray(actual) && actual.map(textOf).includes(String(operand));
  }
}

class RunFailed extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Runs the plan against tool results from `answer` (one outcome per call, like a test's mocks). */
export function evaluatePlan(
  plan: WorkflowPlan,
  run: {
    input: Record<string, unknown>;
    state: Record<string, unknown>;
    now: Date;
    answer: (tool: string, args: Record<string, unknown>) => MockOutcome;
  },
): Evaluation {
  const calls: EvaluatedCall[] = [];
  const paths = new Set<string>();
  const excluded = new Map<string, string[]>();
  const scope: Scope = new Map();
  const value = (v: PlanValue, at: Scope): unknown => {
    switch (v.kind) {
      case "const":
        return v.value;
      case "input":
        return run.input[v.field];
      case "ref":
        return pathOf(at.get(v.step), v.path);
      case "text": {
        const joined = v.parts.map((part) => (typeof part === "string" ? part : textOf(value(part, at)))).join("");
        return v.slug ? slugOf(joined) : joined;
      }
      case "lines": {
        const items = asList(at.get(v.list));
        if (items.length === 0) return v.empty;
        return items.map((item) => textOf(value(v.line, new Map(at).set(v.list, item)))).join("\n");
      }
      case "count":
        return asList(at.get(v.list)).length;
      case "object":
        return Object.fromEntries(
          Object.entries(v.fields).flatMap(([name, field]) => {
            const evaluated = value(field, at);
            return evaluated === undefined ? [] : [[name, evaluated]];
          }),
        );
      case "array":
        return v.items.map((item) => value(item, at));
      case "choose":
        return v.cases[textOf(value(v.value, at))];
    }
  };
  /** The non-constant pieces a text is made of: each value's text, each line of a list. */
  const textParts = (v: PlanValue, at: Scope): { parts: string[]; lists: string[] } => {
    if (v.kind === "lines") {
      const rendered = textOf(value(v, at));
      return { parts: asList(at.get(v.list)).length ? rendered.split("\n") : [], lists: [v.list] };
    }
    if (v.kind === "text") {
      const inner = v.parts.filter((p): p is PlanValue => typeof p !== "string").map((p) => textParts(p, at));
      return { parts: inner.flatMap((i) => i.parts), lists: inner.flatMap((i) => i.lists) };
    }
    const text = textOf(value(v, at));
    return { parts: v.kind === "const" || text === "" ? [] : [text], lists: [] };
  };
  const holds = (condition: Condition, at: Scope) => {
    const against = condition.against ? value(condition.against, at) : undefined;
    return conditionHolds(
      value(condition.value, at),
      condition.against ? { op: condition.op, operand: textOf(against) } : condition,
      run.now,
    );
  };
  const steps = (list: readonly PlanStep[], at: Scope): void => {
    for (const step of list) {
      switch (step.kind) {
        case "call": {
          const args: Record<string, unknown> = {};
          const texts: EvaluatedCall["texts"] = {};
          for (const [name, v] of Object.entries(step.args)) {
            const evaluated = value(v, at);
            if (evaluated !== undefined) args[name] = evaluated;
            if ((v.kind === "text" && !v.slug) || v.kind === "lines") texts[name] = textParts(v, at);
          }
          calls.push({ tool: step.tool, step: step.id, args, texts });
          const outcome = run.answer(step.tool, args);
          if (outcome.ok) {
            at.set(step.id, outcome.value);
            if (step.then) steps(step.then, at);
          } else if (step.onFailure) {
            paths.add(`failed:${step.id}`);
            steps(step.onFailure, at);
          } else {
            throw new RunFailed(outcome.code, outcome.message);
          }
          break;
        }
        case "list": {
          const source = asList(value(step.from, at));
          const kept = source.filter((item) =>
            step.where.every((condition) => holds(condition, new Map(at).set(step.id, item))),
          );
          const dropped = source.filter((item) => !kept.includes(item));
          at.set(step.id, kept);
          if (kept.length === 0) paths.add(`empty:${step.id}`);
          excluded.set(
            step.id,
            dropped.map((item) => textOf((item as Record<string, unknown> | null)?.["id"] ?? "")).filter(Boolean),
          );
          break;
        }
        case "for-each": {
          const handled = new Set(
            step.once && Array.isArray(run.state[`handled:${step.id}`])
              ? (run.state[`handled:${step.id}`] as unknown[]).map(String)
              : [],
          );
          for (const item of asList(at.get(step.list))) {
            if (step.once && handled.has(itemKey((item ?? {}) as Record<string, unknown>, step.once))) {
              paths.add(`handled-before:${step.id}`);
              continue;
            }
            const inner = new Map(at).set(step.id, item);
            steps(step.steps, inner);
          }
          break;
        }
        case "if":
          if (holds(step.condition, at)) {
            paths.add(`then:${step.id}`);
            steps(step.then, at);
          } else {
            paths.add(`otherwise:${step.id}`);
            steps(step.otherwise, at);
          }
          break;
        case "fail":
          paths.add(`failed-run:${step.id}`);
          throw new RunFailed("WORKFLOW_ERROR", step.message);
        case "once-per": {
          const key = periodKey(run.now, step.period);
          if (run.state[`once:${step.id}`] === key) {
            paths.add(`skipped:${step.id}`);
            break;
          }
          paths.add(`ran:${step.id}`);
          steps(step.steps, at);
          break;
        }
      }
    }
  };
  try {
    if (plan.trigger.type === "resource") {
      const trigger = plan.trigger;
      const first = !Array.isArray(run.state["seen"]);
      const seen = new Set(Array.isArray(run.state["seen"]) ? (run.state["seen"] as unknown[]).map(String) : []);
      const all = eventItems(run.input["text"]);
      const unseen = all.filter((item) => !seen.has(itemKey(item, trigger.key)));
      const fresh = unseen.filter((item) => !first || !trigger.timeField || recent(item[trigger.timeField], run.now));
      if (unseen.length < all.length) paths.add("seen");
      if (fresh.length < unseen.length) paths.add("old");
      scope.set(EVENT_LIST, fresh);
    }
    steps(plan.steps, scope);
    const output: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(plan.output)) output[name] = value(v, scope);
    return { calls, output, error: undefined, paths, excluded };
  } catch (error) {
    if (!(error instanceof RunFailed)) throw error;
    return { calls, output: undefined, error: { code: error.code, message: error.message }, paths, excluded };
  }
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
