/**
 * A plan → the workflow module that carries it out, statement by statement. The module's
 * description is the plan's rendering, so it says what the code does, not what was asked. Values
 * from typed tool results are read with typed property access (the type checker checks the
 * plan's paths against the SDK); items of a resource event are untyped JSON and read with `at`.
 */
import { EVENT_LIST, FIRST_RUN_WINDOW_MINUTES } from "../../core/plan.ts";
import type { Condition, PlanStep, PlanValue, WorkflowPlan } from "../../core/plan.ts";
import { renderPlan } from "./render.ts";
import type { PlanTool } from "./tools.ts";

type Typing = Map<string, "typed" | "untyped">;

export function planToSource(plan: WorkflowPlan, tools: ReadonlyMap<string, PlanTool>): string {
  const typing: Typing = new Map([[EVENT_LIST, "untyped"]]);
  const used = new Set<string>();
  const helpers = new Set<string>(["str"]);
  const ident = (id: string) => `${id}_`;

  const expr = (v: PlanValue, target?: Record<string, unknown>): string => {
    const wantsString = target === undefined || schemaIsString(target);
    switch (v.kind) {
      case "const":
        return JSON.stringify(v.value);
      case "input": {
        const access = `input${/^[A-Za-z_$][\w$]*$/.test(v.field) ? `.${v.field}` : `[${JSON.stringify(v.field)}]`}`;
        return wantsString && target !== undefined ? `str(${access})` : access;
      }
      case "ref": {
        const access = refAccess(v);
        return wantsString ? `str(${access})` : access;
      }
      case "text": {
        if (v.slug) {
          helpers.add("slug");
          return `slug(${expr({ kind: "text", parts: v.parts })})`;
        }
        // Every "$" is escaped, not only "${": two parts "$" and "{…}" must not join into a placeholder.
        const piece = (part: (typeof v.parts)[number]) =>
          typeof part === "string" ? escapeTemplate(part) : `\${${expr(part)}}`;
        return `\`${v.parts.map(piece).join("")}\``;
      }
      case "lines":
        return (
          `(${ident(v.list)}.map((${ident(v.list)}) => ${expr(v.line)}).join("\\n") |` + `| ${JSON.stringify(v.empty)})`
        );
      case "count":
        return `${ident(v.list)}.length`;
      case "object": {
        const properties = (target?.["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
        return `{ ${Object.entries(v.fields)
          .map(
            ([name, field]) =>
              `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}:` +
              ` ${expr(field, properties[name] ?? { type: "string" })}`,
          )
          .join(", ")} }`;
      }
      case "choose": {
        helpers.add("str");
        const keys = Object.keys(v.cases)
          .map((k) => JSON.stringify(k))
          .join(" | ");
        return `(${JSON.stringify(v.cases)} as const)[str(${expr(v.value, { type: "string" })}) as ${keys}]`;
      }
      case "array": {
        const items = (target?.["items"] as Record<string, unknown> | undefined) ?? { type: "string" };
        return `[${v.items.map((item) => expr(item, items)).join(", ")}]`;
      }
    }
  };
  const refAccess = (v: Extract<PlanValue, { kind: "ref" }>): string => {
    if (typing.get(v.step) === "untyped") {
      helpers.add("at");
      return v.path.length ? `at(${ident(v.step)}, ${v.path.map((p) => JSON.stringify(p)).join(", ")})` : ident(v.step);
    }
    return `${ident(v.step)}${v.path.map(optionalAccess).join("")}`;
  };
  const condition = (c: Condition): string => {
    const left = c.value.kind === "ref" ? refAccess(c.value) : expr(c.value, {});
    if (c.against && (c.op === "eq" || c.op === "ne"))
      return (
        `str(${left}) ${c.op === "eq" ? "===" : "!=="} ` +
        `str(${c.against.kind === "ref" ? refAccess(c.against) : expr(c.against)})`
      );
    switch (c.op) {
      case "eq":
        return `${left} === ${JSON.stringify(c.operand)}`;
      case "ne":
        return `${left} !== ${JSON.stringify(c.operand)}`;
      case "in":
        return `${JSON.stringify(c.operand)}.includes(str(${left}))`;
      case "not-in":
        return `!${JSON.stringify(c.operand)}.includes(str(${left}))`;
      case "gt":
        return `${left} > ${Number(c.operand)}`;
      case "lt":
        return `${left} < ${Number(c.operand)}`;
      case "empty":
        helpers.add("isEmpty");
        return `isEmpty(${left})`;
      case "not-empty":
        helpers.add("isEmpty");
        return `!isEmpty(${left})`;
      case "older-than-hours":
        helpers.add("olderThanHours");
        return `olderThanHours(${left}, ${Number(c.operand)}, now)`;
      case "newer-than-hours":
        helpers.add("newerThanHours");
        return `newerThanHours(${left}, ${Number(c.operand)}, now)`;
      case "has":
        helpers.add("str");
        return `(Array.isArray(${left}) ? (${left} as unknown[]) : []).map(str).includes(${JSON.stringify(c.operand)})`;
    }
  };
  const block = (steps: readonly PlanStep[], indent: string): string =>
    steps.map((step) => statement(step, indent)).join("");
  const statement = (step: PlanStep, indent: string): string => {
    switch (step.kind) {
      case "call": {
        const tool = tools.get(step.tool);
        if (!tool) throw new Error(`the plan calls ${step.tool}, which is not in the tenant's catalog`);
        used.add(tool.namespace);
        typing.set(step.id, tool.outputSchema ? "typed" : "untyped");
        const properties =
          (tool.inputSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
        const args = Object.entries(step.args).map(
          ([name, v]) =>
            `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}: ${expr(v, properties[name] ?? {})}`,
        );
        const call = `await ${tool.namespace}.${tool.functionName}({ ${args.join(", ")} })`;
        if (!step.onFailure)
          return `${indent}const ${ident(step.id)} = ${call};\n${step.then ? block(step.then, indent) : ""}`;
        helpers.add("ToolError");
        const onFailure = step.onFailure;
        /** try { call } catch { the fallback }, at `at`; `tail` ends each side (the result, or nothing). */
        const guarded = (at: string, result: string, tail: string) =>
          `${at}try {\n${at}  ${result}${call};\n${at}} catch (error) {\n${at}  if (!(error ` +
          `instanceof ToolError)) throw error;\n${at}  ` +
          `ctx.log.warn(${JSON.stringify(`${step.tool} failed; doing the fallback`)}, { code: ` +
          `error.code });\n${block(onFailure, `${at}  `)}${tail ? `${at}  ${tail}\n` : ""}${at}}\n`;
        if (!step.then) return guarded(indent, "", "");
        // The result exists only when the call succeeded: the fallback returns nothing, and \`then\` runs on a result.
        return (
          `${indent}const ${ident(step.id)} = await (async () => ` +
          `{\n${guarded(`${indent}  `, "return ", "return undefined;")}${indent}})();\n${indent}if ` +
          `(${ident(step.id)} !== undefined) {\n${block(step.then, `${indent}  `)}${indent}}\n`
        );
      }
      case "list": {
        const source = step.from.kind === "ref" ? step.from : undefined;
        typing.set(step.id, source && typing.get(source.step) === "typed" ? "typed" : "untyped");
        const from = step.from.kind === "ref" ? `(${refAccess(step.from)} ?? [])` : "[]";
        if (step.where.length === 0) return `${indent}const ${ident(step.id)} = ${from};\n`;
        return (
          `${indent}const ${ident(step.id)} = ${from}.filter((${ident(step.id)}) ` +
          `=> ${step.where.map((c) => `(${condition(c)})`).join(" && ")});\n`
        );
      }
      case "for-each": {
        typing.set(step.id, typing.get(step.list) ?? "untyped");
        if (!step.once)
          return (
            `${indent}for (const ${ident(step.id)} of ${ident(step.list)}) ` +
            `{\n${block(step.steps, `${indent}  `)}${indent}}\n`
          );
        // Each item once ever: its key is remembered in saved state after its steps ran.
        helpers.add("str");
        const saved = JSON.stringify(`handled:${step.id}`);
        const done = `${ident(step.id)}Handled`;
        const key = `${ident(step.id)}Key`;
        const keyOf = step.once
          .map((field) => `str(${refAccess({ kind: "ref", step: step.id, path: [field] })})`)
          .join(", ");
        return (
          `${indent}const ${done} = new Set(ctx.state.get<string[]>(${saved}) ?? []);\n${indent}for ` +
          `(const ${ident(step.id)} of ${ident(step.list)}) {\n${indent}  const ${key} = ` +
          `[${keyOf}].join("/");\n${indent}  if (${done}.has(${key})) ` +
          `continue;\n${block(step.steps, `${indent}  `)}${indent}  ${done}.add(${key});\n${indent}  ` +
          `ctx.state.set(${saved}, [...${done}].slice(-${SEEN_KEPT}));\n${indent}}\n`
        );
      }
      case "if":
        return (
          `${indent}if (${condition(step.condition)}) {\n${block(step.then, `${indent}  `)}${indent}}` +
          (step.otherwise.length ? ` else {\n${block(step.otherwise, `${indent}  `)}${indent}}` : "") +
          "\n"
        );
      case "fail":
        return `${indent}throw new Error(${JSON.stringify(step.message)});\n`;
      case "once-per": {
        helpers.add("periodKey");
        const key = JSON.stringify(`once:${step.id}`);
        return (
          `${indent}if (ctx.state.get<string>(${key}) !== ` +
          `periodKey(now, ${JSON.stringify(step.period)})) ` +
          `{\n${block(step.steps, `${indent}  `)}${indent}  ctx.state.set(${key}, ` +
          `periodKey(now, ${JSON.stringify(step.period)}));\n${indent}}\n`
        );
      }
    }
  };

  let body = "    const now = ctx.now();\n";
  if (plan.trigger.type === "resource") {
    helpers.add("eventItems");
    const timeField = plan.trigger.timeField;
    body +=
      `    // The event carries the resource's whole content: skip what an earlier run handled.\n    ` +
      `const saved = ctx.state.get<string[]>("seen");\n    const seen = new Set(saved ?? []);\n    ` +
      `const keyOf = (item: Record<string, unknown>) ` +
      `=> ${JSON.stringify(plan.trigger.key)}.map((field) => str(item[field])).join("/");\n    const ` +
      `items = eventItems(input.text);\n`;
    if (timeField) {
      helpers.add("recent");
      body +=
        `    // The first run (nothing saved yet) handles only items of the ` +
        `last ${FIRST_RUN_WINDOW_MINUTES} minutes: the content also lists older ones.\n    ` +
        `const ${ident(EVENT_LIST)} = items.filter((item) => !seen.has(keyOf(item)) && (saved !== ` +
        `undefined || recent(item[${JSON.stringify(timeField)}], now)));\n`;
    } else body += `    const ${ident(EVENT_LIST)} = items.filter((item) => !seen.has(keyOf(item)));\n`;
    body += `    for (const item of items) seen.add(keyOf(item));\n`;
  }
  body += block(plan.steps, "    ");
  if (plan.trigger.type === "resource") body += `    ctx.state.set("seen", [...seen].slice(-${SEEN_KEPT}));\n`;
  body += `    return { ${Object.entries(plan.output)
    .map(([name, v]) => `${name}: ${expr(v, v.kind === "count" ? { type: "integer" } : undefined)}`)
    .join(", ")} };\n`;

  const input = inputSchema(plan);
  const output = {
    type: "object",
    properties: Object.fromEntries(
      Object.entries(plan.output).map(([name, v]) => [
        name,
        v.kind === "count"
          ? { type: "integer" }
          : v.kind === "const"
            ? { type: typeof v.value === "number" ? "number" : typeof v.value === "boolean" ? "boolean" : "string" }
            : { type: "string" },
      ]),
    ),
    required: Object.keys(plan.output),
    additionalProperties: false,
  };
  const runtime = ["defineWorkflow", ...(helpers.has("ToolError") ? ["ToolError"] : [])];
  const description = renderPlan(plan, tools);
  return `// Generated by Charter from the plan below; the plan was made from the request:
// ${plan.request.replace(/\s+/g, " ").replace(/\*\//g, "* /").slice(0, 300)}
import { ${[...used].sort().join(", ")} } from "charter:sdk";
import { ${runtime.join(", ")} } from "charter:workflow";

export default defineWorkflow({
  name: ${JSON.stringify(plan.name)},
  description: ${JSON.stringify(description)},
  input: ${JSON.stringify(input)},
  output: ${JSON.stringify(output)},
  triggers: ${JSON.stringify(triggersOf(plan))},
  run: async (input, ctx) => {
${body}  },
});
${[...HELPER_ORDER]
  .filter((name) => helpers.has(name) && HELPERS[name])
  .map((name) => HELPERS[name])
  .join("\n")}`;
}

const SEEN_KEPT = 1000;

function schemaIsString(schema: Record<string, unknown>): boolean {
  if (schema["type"] === "string") return !Array.isArray(schema["enum"]);
  return (
    schema["type"] === undefined &&
    !("enum" in schema) &&
    !("const" in schema) &&
    !("properties" in schema) &&
    !("items" in schema)
  );
}

/** The workflow's input schema: the plan's inputs, or what its trigger passes. */
export function inputSchema(plan: WorkflowPlan): Record<string, unknown> {
  if (plan.trigger.type === "resource")
    return { type: "object", properties: { uri: { type: "string" }, text: { type: "string" } }, required: ["uri"] };
  const required = plan.inputs.filter((i) => i.required).map((i) => i.name);
  return {
    type: "object",
    properties: Object.fromEntries(plan.inputs.map((i) => [i.name, { ...i.schema, description: i.description }])),
    ...(required.length ? { required } : {}),
  };
}

function triggersOf(plan: WorkflowPlan): unknown[] {
  const t = plan.trigger;
  if (t.type === "schedule") return [Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined))];
  if (t.type === "resource") return [{ type: "resource", integration: t.integration, uri: t.uri }];
  if (t.type === "webhook") return [{ type: "webhook" }];
  return [];
}

const HELPER_ORDER = [
  "str",
  "slug",
  "at",
  "isEmpty",
  "olderThanHours",
  "newerThanHours",
  "recent",
  "periodKey",
  "eventItems",
];
const HELPERS: Record<string, string> = {
  str: `/** The text of a value: "" for none, lists joined with ", ". */
function str(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(str).join(", ");
  return JSON.stringify(value);
}
`,
  slug: `/** Text made a name: lower case, anything but a-z, 0-9, - and _ turned into "-". */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
}
`,
  at: `/** A field of untyped JSON (what a resource event carries). */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
`,
  isEmpty: `function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}
`,
  olderThanHours: `function olderThanHours(value: unknown, hours: number, now: Date): boolean {
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) && time < now.getTime() - hours * 3_600_000;
}
`,
  newerThanHours: `function newerThanHours(value: unknown, hours: number, now: Date): boolean {
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) && time >= now.getTime() - hours * 3_600_000;
}
`,
  recent: `/** Whether a time is within the first run's window before now. */
function recent(value: unknown, now: Date): boolean {
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) && time >= now.getTime() - ${FIRST_RUN_WINDOW_MINUTES} * 60_000;
}
`,
  periodKey: `/** The UTC hour, day or week that contains the time. */
function periodKey(now: Date, period: "hour" | "day" | "week"): string {
  const iso = now.toISOString();
  if (period === "hour") return iso.slice(0, 13);
  if (period === "day") return iso.slice(0, 10);
  const daysSinceMonday = (now.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysSinceMonday));
  return \`week of \${monday.toISOString().slice(0, 10)}\`;
}
`,
  eventItems: `/** The objects in a resource's JSON content (a list or one object); anything else is none. */
function eventItems(text: string | undefined): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "[]");
  } catch {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).filter(
    (item): item is Record<string, unknown> => item !== null && typeof item === "object" && !Array.isArray(item),
  );
}
`,
};

/** Literal text inside a generated template literal: every "$" is escaped, not only "${". */
function escapeTemplate(text: string): string {
  return text.replace(/[`\\$]/g, "\\$&");
}

/** `?.name`, or `?.["odd name"]` when the key is no identifier. */
function optionalAccess(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `?.${key}` : `?.[${JSON.stringify(key)}]`;
}
