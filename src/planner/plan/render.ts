/**
 * A plan in short plain language: what a reviewer reads first and the version's description.
 * It is rendered from the plan alone (never from the request), so it says what the code does.
 */
import cronstrue from "cronstrue";
import { EVENT_LIST, FIRST_RUN_WINDOW_MINUTES } from "../../core/plan.ts";
import type { Condition, PlanStep, PlanValue, WorkflowPlan } from "../../core/plan.ts";
import type { PlanTool } from "./tools.ts";

const UNITS = { m: "minute", h: "hour", d: "day" } as const;

export function renderTrigger(plan: WorkflowPlan): string {
  const t = plan.trigger;
  switch (t.type) {
    case "manual":
      return "When run by hand or called as a tool";
    case "webhook":
      return "When its webhook is called";
    case "schedule": {
      if (t.every) {
        const count = Number(t.every.slice(0, -1));
        const unit = UNITS[t.every.slice(-1) as keyof typeof UNITS];
        return count === 1 ? `Every ${unit}` : `Every ${count} ${unit}s`;
      }
      if (t.at) return `Once, at ${t.at}`;
      const said = cronstrue.toString(t.cron ?? "", { use24HourTimeFormat: true, verbose: false });
      return `${said}${t.timezone ? ` (${t.timezone})` : " (UTC)"}`;
    }
    case "resource":
      return (
        `When ${t.uri} (${t.integration}) changes, for each ${singular(t.noun)} in it that no earlier run handled` +
        (t.timeField
          ? ` (on the first run, only those whose ${t.timeField} is within the last ` +
            `${FIRST_RUN_WINDOW_MINUTES} minutes)`
          : "")
      );
  }
}

export function renderPlan(plan: WorkflowPlan, tools?: ReadonlyMap<string, PlanTool>): string {
  const lines = [`${renderTrigger(plan)}:`];
  const walk = (steps: readonly PlanStep[], depth: number) => {
    for (const step of steps) {
      const pad = "  ".repeat(depth);
      switch (step.kind) {
        case "call": {
          const title = tools?.get(step.tool)?.title;
          const args = Object.entries(step.args).map(([name, v]) => `${name} ${renderValue(v)}`);
          lines.push(`${pad}- ${title ?? step.tool} (${step.tool})${args.length ? `: ${args.join(", ")}` : ""}`);
          if (step.then) {
            lines.push(`${pad}  ${step.onFailure ? "if that succeeds" : "then"}:`);
            walk(step.then, depth + 2);
          }
          if (step.onFailure) {
            lines.push(`${pad}  if that fails:`);
            walk(step.onFailure, depth + 2);
          }
          break;
        }
        case "list":
          lines.push(
            `${pad}- take the ${step.noun} in ${renderValue(step.from)}` +
              (step.where.length ? ` where ${step.where.map(renderCondition).join(" and ")}` : "") +
              ` [${step.id}]`,
          );
          break;
        case "for-each":
          lines.push(
            `${pad}- for each of ${step.list === EVENT_LIST ? "the new items" : `[${step.list}]`} (as [${step.id}])` +
              (step.once
                ? `, each only once ever (known by ${step.once.join(", ")}; ` +
                  "an item an earlier run handled is skipped, remembered in saved state)"
                : "") +
              ":",
          );
          walk(step.steps, depth + 1);
          break;
        case "if":
          lines.push(`${pad}- if ${renderCondition(step.condition)}:`);
          walk(step.then, depth + 1);
          if (step.otherwise.length) {
            lines.push(`${pad}  otherwise:`);
            walk(step.otherwise, depth + 1);
          }
          break;
        case "fail":
          lines.push(`${pad}- stop the run as failed: ${JSON.stringify(step.message)}`);
          break;
        case "once-per":
          lines.push(`${pad}- at most once per ${step.period} (UTC; remembered in saved state):`);
          walk(step.steps, depth + 1);
          break;
      }
    }
  };
  walk(plan.steps, 0);
  const output = Object.entries(plan.output).map(([name, v]) => `${name} = ${renderValue(v)}`);
  if (output.length) lines.push(`Returns ${output.join(", ")}.`);
  return lines.join("\n");
}

export function renderValue(v: PlanValue): string {
  switch (v.kind) {
    case "const":
      return JSON.stringify(v.value);
    case "input":
      return `input.${v.field}`;
    case "ref":
      if (v.path[0] === "0")
        return `the first of [${v.step}]${v.path.length > 1 ? `'s ${v.path.slice(1).join(".")}` : ""}`;
      return `[${v.step}]${v.path.length ? `.${v.path.join(".")}` : ""}`;
    case "text": {
      // Literal text is shown escaped (quotes, braces, line breaks), so it cannot pose as a value or a step.
      const shown = (p: string | PlanValue) =>
        typeof p === "string" ? JSON.stringify(p).slice(1, -1).replace(/[{}]/g, "\\$&") : `{${renderValue(p)}}`;
      const text = `"${v.parts.map(shown).join("")}"`;
      return v.slug ? `${text} as a name (lower case)` : text;
    }
    case "lines":
      return (
        `one line per item of [${v.list}]: ${renderValue(v.line)} ` + `(${JSON.stringify(v.empty)} when there are none)`
      );
    case "count":
      return `the number of [${v.list}]`;
    case "object":
      return `{ ${Object.entries(v.fields)
        .map(([name, field]) => `${name}: ${renderValue(field)}`)
        .join(", ")} }`;
    case "array":
      return `[${v.items.map(renderValue).join(", ")}]`;
    case "choose":
      return `${Object.entries(v.cases)
        .map(([when, then]) => `${JSON.stringify(then)} when ${renderValue(v.value)} is ${JSON.stringify(when)}`)
        .join(", ")} (else unset)`;
  }
}

export function renderCondition(c: Condition): string {
  const left = renderValue(c.value);
  const operand = c.against
    ? renderValue(c.against)
    : Array.isArray(c.operand)
      ? c.operand.map((o) => JSON.stringify(o)).join(" or ")
      : JSON.stringify(c.operand);
  switch (c.op) {
    case "eq":
      return `${left} is ${operand}`;
    case "ne":
      return `${left} is not ${operand}`;
    case "in":
      return `${left} is ${operand}`;
    case "not-in":
      return `${left} is not ${operand}`;
    case "gt":
      return `${left} is more than ${operand}`;
    case "lt":
      return `${left} is less than ${operand}`;
    case "empty":
      return `${left} is empty`;
    case "not-empty":
      return `${left} is set`;
    case "older-than-hours":
      return `${left} is more than ${operand} hours ago`;
    case "newer-than-hours":
      return `${left} is within the last ${operand} hours`;
    case "has":
      return `${left} includes ${operand}`;
  }
}

function singular(noun: string): string {
  return noun.endsWith("ies") ? `${noun.slice(0, -3)}y` : noun.endsWith("s") ? noun.slice(0, -1) : noun;
}
