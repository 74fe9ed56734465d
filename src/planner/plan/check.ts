/**
 * Whether a plan may become a draft: it parses; every call is to a tool of the tenant with the
 * arguments that tool takes (constants valid against their schemas); every reference names a step
 * that has run where it is read; every clause names elements that exist; and every word of the
 * request that carries meaning is in some clause. A plan that drops part of its request fails here.
 */
import { schemaValidator } from "../../core/json-schema.ts";
import { EVENT_LIST, type PlanStep, type PlanValue, WorkflowPlan, walkSteps } from "../../core/plan.ts";
import type { PlanTool } from "./tools.ts";

/** Words that say nothing by themselves; every other word of a request must be in a clause. */
export const FILLER: ReadonlySet<string> = new Set(
  (
    "a an the and then also too just to of in on at for with by from it its is are be please that " +
    "this these those them their they there as so or but when each every our my me we us i you your"
  ).split(" "),
);

export function requestWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_'-]*/gu) ?? [])
    .map((w) => w.replace(/'s$/, ""))
    .filter((w) => !FILLER.has(w));
}

/**
 * The operand each operator takes: a list for in/not-in, a number for comparisons and ages, one
 * value for eq/ne, none for empty.
 */
function operandProblem(c: { op: string; operand?: unknown; against?: unknown }): string | undefined {
  const operand = c.operand;
  switch (c.op) {
    case "in":
    case "not-in":
      return Array.isArray(operand) ? undefined : "takes a list of values";
    case "gt":
    case "lt":
    case "older-than-hours":
    case "newer-than-hours":
      return typeof operand === "number" ? undefined : "takes a number";
    case "has":
      return typeof operand === "string" ? undefined : "takes one value (a list field holds it)";
    case "eq":
    case "ne":
      return c.against !== undefined || typeof operand === "string" || typeof operand === "number"
        ? undefined
        : "takes one value";
    default:
      return operand === undefined ? undefined : "takes no operand";
  }
}

/** The problems of a plan, empty when it may become a draft. */
export function checkPlan(
  raw: unknown,
  tools: ReadonlyMap<string, PlanTool>,
): { plan: WorkflowPlan | undefined; problems: string[] } {
  const parsed = WorkflowPlan.safeParse(raw);
  if (!parsed.success)
    return {
      plan: undefined,
      problems: parsed.error.issues.slice(0, 10).map((i) => `plan.${i.path.join(".")}: ${i.message}`),
    };
  const plan = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>(["trigger", "output"]);
  const lists = new Set<string>();
  const failing = new Set<string>();
  const inputs = new Set(plan.inputs.map((i) => i.name));

  const checkValue = (v: PlanValue, scope: Set<string>, where: string) => {
    switch (v.kind) {
      case "const":
        return;
      case "input":
        if (plan.trigger.type === "resource" || plan.trigger.type === "schedule")
          problems.push(`${where}: reads input.${v.field}, but a ${plan.trigger.type} trigger passes no such input`);
        else if (!inputs.has(v.field))
          problems.push(`${where}: reads input.${v.field}, which is not among the plan's inputs`);
        return;
      case "ref":
        if (!scope.has(v.step)) problems.push(`${where}: reads [${v.step}], which has not run at that point`);
        if (failing.has(v.step))
          problems.push(`${where}: reads [${v.step}], a call with a fallback, whose result may not exist`);
        return;
      case "text":
        for (const part of v.parts) if (typeof part !== "string") checkValue(part, scope, where);
        return;
      case "lines":
        if (!lists.has(v.list) || !scope.has(v.list))
          problems.push(`${where}: lists [${v.list}], which is not a list at that point`);
        checkValue(v.line, new Set([...scope, v.list]), where);
        return;
      case "count":
        if (!lists.has(v.list) || !scope.has(v.list))
          problems.push(`${where}: counts [${v.list}], which is not a list at that point`);
        return;
      case "object":
        for (const field of Object.values(v.fields)) checkValue(field, scope, where);
        return;
      case "array":
        for (const item of v.items) checkValue(item, scope, where);
        return;
      case "choose":
        checkValue(v.value, scope, where);
        return;
    }
  };
  const walk = (steps: readonly PlanStep[], scope: Set<string>) => {
    for (const step of steps) {
      if (ids.has(step.id)) problems.push(`step id "${step.id}" is used twice`);
      ids.add(step.id);
      const where = `step [${step.id}]`;
      switch (step.kind) {
        case "call": {
          const tool = tools.get(step.tool);
          if (!tool) {
            problems.push(`${where} calls ${step.tool}, which is not a tool of this tenant`);
            break;
          }
          const properties =
            (tool.inputSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
          for (const name of (tool.inputSchema["required"] as string[] | undefined) ?? [])
            if (!(name in step.args))
              problems.push(`${where}: ${step.tool} needs "${name}", which the plan does not bind`);
          for (const [name, v] of Object.entries(step.args)) {
            const property = properties[name];
            if (!property) problems.push(`${where}: ${step.tool} takes no "${name}"`);
            else if (v.kind === "const")
              for (const error of schemaValidator({ type: "object", properties: { value: property } })({
                value: v.value,
              }))
                problems.push(`${where}: ${name} ${error}`);
            else if (v.kind === "choose")
              for (const option of Object.values(v.cases))
                for (const error of schemaValidator({ type: "object", properties: { value: property } })({
                  value: option,
                }))
                  problems.push(`${where}: ${name} ${error}`);
            checkValue(v, scope, `${where} ${name}`);
          }
          // What runs on success may read the result, even where a fallback exists.
          if (step.then) walk(step.then, new Set([...scope, step.id]));
          if (step.onFailure) {
            failing.add(step.id);
            walk(step.onFailure, new Set(scope));
          }
          scope.add(step.id);
          break;
        }
        case "list":
          if (step.from.kind !== "ref")
            problems.push(
              `${where} takes its items from ${step.from.kind}; a list comes from an earlier step's field or the event`,
            );
          checkValue(step.from, scope, `${where} from`);
          lists.add(step.id);
          for (const condition of step.where) {
            checkValue(condition.value, new Set([...scope, step.id]), `${where} condition`);
            if (condition.against) checkValue(condition.against, scope, `${where} condition`);
            const wrong = operandProblem(condition);
            if (wrong) problems.push(`${where} condition "${condition.op}" ${wrong}`);
          }
          scope.add(step.id);
          break;
        case "for-each":
          if (!lists.has(step.list) || !scope.has(step.list))
            problems.push(`${where} loops over [${step.list}], which is not a list at that point`);
          walk(step.steps, new Set([...scope, step.id]));
          break;
        case "if": {
          checkValue(step.condition.value, scope, `${where} condition`);
          if (step.condition.against) checkValue(step.condition.against, scope, `${where} condition`);
          const wrong = operandProblem(step.condition);
          if (wrong) problems.push(`${where} condition "${step.condition.op}" ${wrong}`);
          walk(step.then, new Set(scope));
          walk(step.otherwise, new Set(scope));
          break;
        }
        case "once-per":
          walk(step.steps, new Set(scope));
          break;
        case "fail":
          break;
      }
    }
  };
  const top = new Set<string>();
  if (plan.trigger.type === "resource") {
    top.add(EVENT_LIST);
    lists.add(EVENT_LIST);
  }
  walk(plan.steps, top);
  for (const [name, v] of Object.entries(plan.output)) checkValue(v, top, `output ${name}`);

  for (const clause of plan.clauses)
    for (const id of clause.covers)
      if (!ids.has(id)) problems.push(`clause "${clause.text}" names [${id}], which is not in the plan`);
  const asked = new Set([...requestWords(plan.request), ...requestWords(plan.revises ?? "")]);
  for (const clause of plan.clauses) {
    const foreign = requestWords(clause.text).filter((w) => !asked.has(w));
    if (foreign.length > 0)
      problems.push(
        `clause "${clause.text}" has words the request does not: ${foreign.map((w) => `"${w}"`).join(", ")}`,
      );
  }
  const covered = new Set(plan.clauses.flatMap((c) => requestWords(c.text)));
  const dropped = [...new Set(requestWords(plan.request).filter((w) => !covered.has(w)))];
  if (dropped.length > 0)
    problems.push(
      `the plan leaves part of the request out: no clause covers ${dropped.map((w) => `"${w}"`).join(", ")}`,
    );
  // What the request spells out exactly (a #channel, quoted text) must be in the steps, not only in a clause.
  const stepsText = JSON.stringify(plan.steps).toLowerCase();
  // A #channel inside quoted text is part of the text ("… ask in #it-ops"), which the quote rule checks.
  for (const channel of plan.request
    .toLowerCase()
    .replace(/[“”]/g, '"')
    .replace(/"[^"]*"/g, " ")
    .match(/#[a-z0-9][a-z0-9_-]*/g) ?? []) {
    if (!stepsText.includes(`"${channel.slice(1)}"`) && !stepsText.includes(`"${channel}"`))
      problems.push(`the request names ${channel}, and no step uses it`);
  }
  const conditionIds = new Set(
    [...walkSteps(plan.steps)]
      .map(({ step }) => step)
      .filter((s) => s.kind === "if")
      .map((s) => s.id),
  );
  // A JSON example of a payload ({"host": "…"}) shows the input's shape; its quoted parts are not text to send.
  for (const quoted of plan.request
    .replace(/[“”]/g, '"')
    .replace(/\{[^{}]*\}/g, " ")
    .match(/"[^"]+"/g) ?? []) {
    if (stepsText.includes(JSON.stringify(quoted.slice(1, -1)).slice(1, -1).toLowerCase())) continue;
    // Quoted text with placeholders ("<incident id> closed"): each literal piece is in a step.
    const pieces = quoted
      .slice(1, -1)
      .split(/<[^<>]+>/)
      .map((p) => p.trim())
      .filter(Boolean);
    if (
      /<[^<>]+>/.test(quoted) &&
      pieces.every((p) => stepsText.includes(JSON.stringify(p).slice(1, -1).toLowerCase()))
    )
      continue;
    // A value the request says to ignore ('other actions such as "mover", which we ignore') is in a clause about a
    // condition only.
    if (
      plan.clauses.some(
        (c) =>
          c.text.includes(quoted) &&
          c.covers.length > 0 &&
          c.covers.every((id) => conditionIds.has(id)) &&
          /\b(?:ignore|skip|other)\b/i.test(c.text),
      )
    )
      continue;
    problems.push(`the request quotes ${quoted}, and no step uses that text`);
  }
  return { plan, problems };
}
