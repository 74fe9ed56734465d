/**
 * A plan → the tests that travel with its workflow. Candidate scenarios (items that meet a list's
 * conditions beside items that each miss one, lists with none matching, each fallback's call
 * failing, each branch's other side, saved state that says "done already") are run through the
 * plan's meaning (evaluate.ts); a scenario is kept when it takes a path no earlier one took. The
 * expected calls carry the arguments that hold the meaning: channels, recipients and filters
 * exactly, texts as the values they must contain and the filtered-out items they must not.
 */
import {
  type Condition,
  EVENT_LIST,
  type PlanStep,
  type PlanValue,
  walkSteps,
  type WorkflowPlan,
} from "../../core/plan.ts";
import type { WorkflowTest } from "../../core/workflow.ts";
import RandExp from "randexp";
import { exampleOf } from "../schema-example.ts";
import { evaluatePlan, itemKey, type MockOutcome, pathOf, periodKey } from "./evaluate.ts";
import { renderCondition } from "./render.ts";
import { type PlanTool, propertyOf, schemaAt, unwrapNullable } from "./tools.ts";

/** The time every generated test runs at (a Tuesday), so date conditions and periods are fixed. */
export const TEST_NOW = "2026-03-10T10:00:00.000Z";

type Scenario = {
  name: string;
  input: Record<string, unknown>;
  state: Record<string, unknown>;
  mocks: Map<string, MockOutcome[]>;
  made: Map<string, unknown[]>;
};
type ListSource = {
  list: Extract<PlanStep, { kind: "list" }>;
  call: string | undefined;
  path: string[];
  itemSchema: Record<string, unknown>;
  timeField?: string | undefined;
  age?: number;
};

export function planToTests(plan: WorkflowPlan, tools: ReadonlyMap<string, PlanTool>): { tests: WorkflowTest[] } {
  // The same plan gives the same tests, item ids included (so a draft checked and then submitted is the same text).
  serial = 0;
  const now = new Date(TEST_NOW);
  const steps = [...walkSteps(plan.steps)].map((s) => s.step);
  const calls = steps.filter((s): s is Extract<PlanStep, { kind: "call" }> => s.kind === "call");
  // Lists from tools first: an event's conditions may compare with their items (a group's id).
  const sources = listSources(plan, steps, tools).sort(
    (a, b) => Number(a.call === undefined) - Number(b.call === undefined),
  );
  // Conditions of branches inside a loop over a list, said of the list's items: its items take both sides of each.
  const branchOn = new Map<string, Condition[]>();
  for (const loop of steps) {
    if (loop.kind !== "for-each") continue;
    for (const { step } of walkSteps(loop.steps)) {
      if (
        step.kind !== "if" ||
        step.condition.value.kind !== "ref" ||
        step.condition.value.step !== loop.id ||
        step.condition.against
      )
        continue;
      branchOn.set(loop.list, [
        ...(branchOn.get(loop.list) ?? []),
        { ...step.condition, value: { ...step.condition.value, step: loop.list } },
      ]);
    }
  }

  const build = (variant: {
    items?: Map<string, "match" | "many" | "none">;
    failing?: string;
    flip?: Condition;
    state?: Record<string, unknown>;
    ageMinutes?: number;
  }): Scenario => {
    const mocks = new Map<string, MockOutcome[]>();
    const input = sampleInput(plan);
    let eventText: unknown[] | undefined;
    const made = new Map<string, unknown[]>();
    const resolve = (v: PlanValue): unknown =>
      v.kind === "ref" ? pathOf([made.get(v.step)?.[0]], v.path) : v.kind === "const" ? v.value : undefined;
    for (const call of calls) {
      const tool = tools.get(call.tool);
      if (!tool || mocks.has(call.tool)) continue;
      mocks.set(call.tool, [
        {
          ok: true,
          value: tool.outputSchema ? exampleOf(tool.outputSchema, {}) : { content: [{ type: "text", text: "ok" }] },
        },
      ]);
    }
    for (const source of sources) {
      const how = variant.items?.get(source.list.id) ?? "match";
      const items = itemsFor(
        variant.ageMinutes && source.call === undefined ? { ...source, age: variant.ageMinutes } : source,
        how,
        resolve,
        now,
        branchOn.get(source.list.id) ?? [],
      );
      made.set(source.list.id, items);
      if (source.call === undefined) eventText = items;
      else {
        const mock = mocks.get(source.call)?.[0];
        if (mock?.ok) setPath(mock.value, source.path, items);
      }
    }
    if (plan.trigger.type === "resource") {
      input["uri"] = plan.trigger.uri;
      input["text"] = JSON.stringify(
        eventText ??
          itemsFor(
            {
              list: {
                kind: "list",
                id: EVENT_LIST,
                from: { kind: "const", value: null },
                where: [],
                noun: plan.trigger.noun,
              },
              call: undefined,
              path: [],
              itemSchema: plan.trigger.shape,
            },
            "match",
            resolve,
            now,
          ),
      );
    }
    if (variant.flip) flipOutside(variant.flip, input, mocks, calls, tools, plan);
    if (variant.failing)
      mocks.set(variant.failing, [
        { ok: false, code: "TOOL_ERROR", message: `${variant.failing} is unavailable (simulated)` },
      ]);
    return { name: "", input, state: variant.state ?? {}, mocks, made };
  };

  const candidates: { scenario: Scenario; says: string }[] = [];
  candidates.push({
    scenario: build({}),
    says: sources.length ? `with ${sources.map((s) => describeItems(s)).join(" and ")}` : "every step runs",
  });
  const threshold = Math.max(
    1,
    ...steps.flatMap((s) =>
      s.kind === "if" && s.condition.value.kind === "count" && s.condition.op === "gt"
        ? [Number(s.condition.operand) + 1]
        : [],
    ),
  );
  for (const source of sources) {
    candidates.push({
      scenario: build({ items: new Map([[source.list.id, "none"]]) }),
      says:
        `no ${source.list.noun} ` +
        `match: ${source.list.where.map(renderCondition).join(" and ") || "the list is empty"}`,
    });
    if (threshold > 1)
      candidates.push({
        scenario: build({ items: new Map([[source.list.id, "many"]]) }),
        says: `${threshold} ${source.list.noun} match`,
      });
  }
  for (const step of steps) {
    if (step.kind === "if")
      candidates.push({ scenario: build({ flip: step.condition }), says: `not (${renderCondition(step.condition)})` });
    if (step.kind === "call" && step.onFailure)
      candidates.push({ scenario: build({ failing: step.tool }), says: `${step.tool} fails, so the fallback runs` });
    if (step.kind === "for-each" && step.once) {
      const once = step.once;
      const base = build({});
      const items = base.made.get(step.list) ?? [];
      candidates.push({
        scenario: {
          ...base,
          state: { [`handled:${step.id}`]: items.map((item) => itemKey(item as Record<string, unknown>, once)) },
        },
        says: `every ${step.list} item was handled by an earlier run: nothing is done again`,
      });
    }
    if (step.kind === "once-per")
      candidates.push({
        scenario: build({ state: { [`once:${step.id}`]: periodKey(now, step.period) } }),
        says: `already done this ${step.period}: saved state says so, nothing runs again`,
      });
  }
  if (plan.trigger.type === "resource") {
    const base = build({});
    const items = JSON.parse(String(base.input["text"])) as Record<string, unknown>[];
    const key = plan.trigger.key;
    candidates.push({
      scenario: { ...base, state: { seen: items.map((item) => itemKey(item, key)) } },
      says:
        `every ${plan.trigger.noun.replace(/s$/, "")} in the event was handled by an earlier run: ` +
        `nothing is done again`,
    });
    if (plan.trigger.timeField)
      candidates.push({
        scenario: build({ ageMinutes: 120 }),
        says:
          `on the first run, ${plan.trigger.noun} older than the window (2 hours old) are only ` +
          `remembered, not handled`,
      });
  }
  for (const call of calls.filter((c) => !c.onFailure)) {
    candidates.push({
      scenario: build({ failing: call.tool }),
      says: `${call.tool} fails: the run fails with its error`,
    });
    break;
  }

  const covered = new Set<string>();
  const tests: WorkflowTest[] = [];
  for (const [index, { scenario, says }] of candidates.entries()) {
    const used = new Map<string, number>();
    const evaluation = evaluatePlan(plan, {
      input: scenario.input,
      state: scenario.state,
      now,
      answer: (tool) => {
        const results = scenario.mocks.get(tool) ?? [{ ok: false, code: "NOT_MOCKED", message: `${tool} has no mock` }];
        const at = used.get(tool) ?? 0;
        used.set(tool, at + 1);
        return results[Math.min(at, results.length - 1)] as MockOutcome;
      },
    });
    const fresh = [...evaluation.paths].filter((p) => !covered.has(p));
    const failing = evaluation.error !== undefined;
    if (index > 0 && fresh.length === 0 && !(failing && !covered.has("error")) && !says.startsWith("no ")) continue;
    for (const p of evaluation.paths) covered.add(p);
    if (failing) covered.add("error");
    const expectCalls = evaluation.calls.map((call) => {
      const args: Record<string, unknown> = {};
      const step = calls.find((c) => c.id === call.step);
      for (const [name, v] of Object.entries(step?.args ?? {})) {
        const text = call.texts[name];
        if (text) {
          const excludes = text.lists
            .flatMap((list) => evaluation.excluded.get(list) ?? [])
            .filter((id) => !text.parts.some((part) => part.includes(id)));
          if (text.parts.length || excludes.length)
            args[name] = { $contains: text.parts, ...(excludes.length ? { $excludes: excludes } : {}) };
        } else if (call.args[name] !== undefined && !(v.kind === "text" && !v.slug)) args[name] = call.args[name];
      }
      return { tool: call.tool, ...(Object.keys(args).length ? { args } : {}) };
    });
    const mocks: Record<string, WorkflowTest["mocks"][string]> = {};
    for (const [tool, results] of scenario.mocks) {
      const outputSchema = tools.get(tool)?.outputSchema;
      mocks[tool] = results.map((r) =>
        r.ok
          ? outputSchema
            ? { output: r.value }
            : (r.value as { content: { type: string }[] })
          : { error: { code: r.code, message: r.message, retryable: false } },
      );
    }
    tests.push({
      name: index === 0 ? `the plan, ${says}` : says,
      input: scenario.input,
      now: TEST_NOW,
      mocks,
      ...(Object.keys(scenario.state).length ? { state: scenario.state } : {}),
      expect: {
        calls: expectCalls,
        ...(evaluation.error ? { error: { message: evaluation.error.message } } : { output: evaluation.output ?? {} }),
      },
    } as WorkflowTest);
  }
  return { tests };
}

/** Each list step that filters a tool's array field or the trigger's event, with its items' schema. */
function listSources(plan: WorkflowPlan, steps: PlanStep[], tools: ReadonlyMap<string, PlanTool>): ListSource[] {
  const out: ListSource[] = [];
  for (const step of steps) {
    if (step.kind !== "list" || step.from.kind !== "ref") continue;
    const from = step.from;
    if (from.step === EVENT_LIST && plan.trigger.type === "resource") {
      out.push({
        list: step,
        call: undefined,
        path: [],
        itemSchema: plan.trigger.shape,
        timeField: plan.trigger.timeField,
      });
      continue;
    }
    const call = steps.find((s) => s.kind === "call" && s.id === from.step) as
      | Extract<PlanStep, { kind: "call" }>
      | undefined;
    const schema = call ? schemaAt(tools.get(call.tool)?.outputSchema, [...from.path, "[]"]) : undefined;
    if (call && schema) out.push({ list: step, call: call.tool, path: from.path, itemSchema: schema });
  }
  return out;
}

function describeItems(source: ListSource): string {
  const misses = source.list.where.length;
  return misses
    ? `1 ${source.list.noun.replace(/s$/, "")} that matches and ${misses} that each miss one condition`
    : `2 ${source.list.noun}`;
}

/** Item ids within one planToTests call (it is synchronous, and starts it at 0). */
let serial = 0;

/** Items for a list: one that meets every condition and one per condition that misses only it. */
function itemsFor(
  source: ListSource,
  how: "match" | "many" | "none",
  resolve: (v: PlanValue) => unknown,
  now: Date,
  branches: Condition[] = [],
): unknown[] {
  const on = (c: Condition) => c.value.kind === "ref" && c.value.step === source.list.id;
  const conditions = source.list.where.filter(on);
  const make = (violate: number | undefined, branch?: { condition: Condition; holds: boolean }) => {
    const item = exampleOf(source.itemSchema, {}) as Record<string, unknown>;
    // Event items are recent (a minute old) unless the scenario makes them old.
    if (source.timeField) item[source.timeField] = new Date(now.getTime() - (source.age ?? 1) * 60_000).toISOString();
    conditions.forEach((c, index) => {
      const path = (c.value as { path: string[] }).path;
      const parent = path.length > 1 ? schemaAt(source.itemSchema, path.slice(0, -1)) : source.itemSchema;
      const field = propertyOf(parent, path[path.length - 1] ?? "");
      const against = c.against ? resolve(c.against) : undefined;
      const plain = c.against
        ? { ...c, operand: typeof against === "string" || typeof against === "number" ? against : "x" }
        : c;
      setPath(item, path, index === violate ? violating(plain, field, now) : satisfying(plain, field, now));
    });
    if (branch) {
      const path = (branch.condition.value as { path: string[] }).path;
      const parent = path.length > 1 ? schemaAt(source.itemSchema, path.slice(0, -1)) : source.itemSchema;
      const field = propertyOf(parent, path[path.length - 1] ?? "");
      setPath(
        item,
        path,
        branch.holds ? satisfying(branch.condition, field, now) : violating(branch.condition, field, now),
      );
    }
    if (typeof item["id"] === "string" || schemaAt(source.itemSchema, ["id"])?.["type"] === "string")
      item["id"] = `${source.list.noun.slice(0, 3).toUpperCase()}-${++serial}`;
    return item;
  };
  const misses = conditions.map((_, index) => make(index));
  if (how === "none") return misses;
  const sides = branches.flatMap((condition) => [
    make(undefined, { condition, holds: true }),
    make(undefined, { condition, holds: false }),
  ]);
  if (how === "match" && sides.length > 0) return [...sides, ...misses];
  if (how === "many")
    return [make(undefined), make(undefined), make(undefined), make(undefined), ...misses].slice(
      0,
      Math.max(2, misses.length + 4),
    );
  return [make(undefined), ...misses];
}

function enumOf(schema: Record<string, unknown> | undefined): string[] | undefined {
  const values = schema ? unwrapNullable(schema)["enum"] : undefined;
  return Array.isArray(values) ? values.map(String) : undefined;
}

function satisfying(c: Condition, schema: Record<string, unknown> | undefined, now: Date): unknown {
  const values = enumOf(schema);
  const list = Array.isArray(c.operand) ? c.operand : [];
  switch (c.op) {
    case "eq":
      return c.operand;
    case "ne":
      return values?.find((v) => v !== c.operand) ?? `not ${String(c.operand)}`;
    case "in":
      return list[0];
    case "not-in":
      return values?.find((v) => !list.includes(v)) ?? "other";
    case "gt":
      return Number(c.operand) + 1;
    case "lt":
      return Number(c.operand) - 1;
    case "empty":
      return nullable(schema) ? null : "";
    case "not-empty":
      return exampleOf(schema ? unwrapNullable(schema) : { type: "string" }, {}) ?? "x";
    case "older-than-hours":
      return new Date(now.getTime() - (Number(c.operand) + 2) * 3_600_000).toISOString();
    case "newer-than-hours":
      return new Date(now.getTime() - (Number(c.operand) / 2) * 3_600_000).toISOString();
    case "has":
      return [c.operand];
  }
}

function violating(c: Condition, schema: Record<string, unknown> | undefined, now: Date): unknown {
  const values = enumOf(schema);
  const list = Array.isArray(c.operand) ? c.operand : [];
  switch (c.op) {
    case "eq":
      return values?.find((v) => v !== c.operand) ?? `not ${String(c.operand)}`;
    case "ne":
      return c.operand;
    case "in":
      return values?.find((v) => !list.includes(v)) ?? "other";
    case "not-in":
      return list[0];
    case "gt":
      return Number(c.operand);
    case "lt":
      return Number(c.operand);
    case "empty":
      return exampleOf(schema ? unwrapNullable(schema) : { type: "string" }, {}) ?? "x";
    case "not-empty":
      return nullable(schema) ? null : "";
    case "older-than-hours":
      return new Date(now.getTime() - 30 * 60_000).toISOString();
    case "newer-than-hours":
      return new Date(now.getTime() - (Number(c.operand) + 2) * 3_600_000).toISOString();
    case "has":
      return [];
  }
}

function nullable(schema: Record<string, unknown> | undefined): boolean {
  if (!schema) return true;
  const options = (schema["anyOf"] ?? schema["oneOf"]) as Record<string, unknown>[] | undefined;
  return (
    (Array.isArray(options) && options.some((o) => o["type"] === "null")) ||
    (Array.isArray(schema["type"]) && schema["type"].includes("null"))
  );
}

/** A condition of an `if` on the input or on a tool's result, made false. */
function flipOutside(
  c: Condition,
  input: Record<string, unknown>,
  mocks: Map<string, MockOutcome[]>,
  calls: Extract<PlanStep, { kind: "call" }>[],
  tools: ReadonlyMap<string, PlanTool>,
  plan: WorkflowPlan,
): void {
  const now = new Date(TEST_NOW);
  if (c.value.kind === "input") {
    const field = c.value.field;
    input[field] = violating(c, plan.inputs.find((i) => i.name === field)?.schema, now);
  }
  if (c.value.kind === "ref") {
    const ref = c.value;
    const call = calls.find((s) => s.id === ref.step);
    const mock = call ? mocks.get(call.tool)?.[0] : undefined;
    const schema = call ? schemaAt(tools.get(call.tool)?.outputSchema, ref.path) : undefined;
    if (mock?.ok) setPath(mock.value, ref.path, violating(c, schema, now));
  }
}

/** The input a test passes: for each plan input, a value its schema accepts. */
function sampleInput(plan: WorkflowPlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const input of plan.inputs) {
    const conditions = [...walkSteps(plan.steps)].flatMap(({ step }) =>
      step.kind === "if" && step.condition.value.kind === "input" && step.condition.value.field === input.name
        ? [step.condition]
        : [],
    );
    const first = conditions[0];
    out[input.name] = first ? satisfying(first, input.schema, new Date(TEST_NOW)) : sampleFor(input.name, input.schema);
  }
  return out;
}

function sampleFor(name: string, schema: Record<string, unknown>): unknown {
  if (schema["type"] === "string" && typeof schema["pattern"] === "string") {
    // A value the pattern accepts, the same every time (smallest repetitions, first of each class).
    const generator = new RandExp(schema["pattern"]);
    generator.randInt = (low: number) => low;
    generator.max = 4;
    return generator.gen();
  }
  if (schema["type"] === "string" && !schema["enum"]) {
    if (schema["format"] === "email" || /email/.test(name)) return "kim.lee@example.com";
    if (/(^|_)id$/.test(name)) return "u-2001";
    return `Sample ${name.replace(/_/g, " ")}`;
  }
  return exampleOf(schema, {});
}

function setPath(target: unknown, path: readonly string[], value: unknown): void {
  if (path.length === 0 || target === null || typeof target !== "object") return;
  let current = target as Record<string, unknown>;
  for (const part of path.slice(0, -1)) {
    if (current[part] === null || typeof current[part] !== "object") current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[path[path.length - 1] as string] = value;
}

export type { PlanValue };
