/**
 * Names a plan relies on (channels, groups, rotations) checked against the tenant's live systems
 * with read-only tools, before any draft is stored: a name that does not exist becomes a question
 * with the names that do. Where no read-only tool lists such names, the plan says it was not checked.
 */
import { rx } from "../../core/rx.ts";
import { PlannerDeclined } from "../../core/errors.ts";
import { type PlanStep, walkSteps, type WorkflowPlan } from "../../core/plan.ts";
import type { CatalogView } from "../offline/catalog.ts";
import type { PlanTool } from "./tools.ts";

export type ReadOnlyCall = (
  tool: PlanTool,
  args: Record<string, unknown>,
) => Promise<{ ok: true; value: unknown } | { ok: false; message: string } | undefined>;

const NOUN_OF_ARG: [RegExp, string][] = [
  [/channel/, "channels"],
  [/group|rotation|team/, "groups"],
];

/**
 * Checks every named channel and group; adds what it checked to plan.checks. Throws PlannerDeclined for a missing one.
 */
export async function checkNamesLive(plan: WorkflowPlan, catalog: CatalogView, call: ReadOnlyCall): Promise<void> {
  const wanted: { noun: string; name: string; said: string }[] = [];
  const steps = [...walkSteps(plan.steps)].map((s) => s.step);
  for (const step of steps) {
    for (const [noun, name] of namesIn(step)) {
      if (noun !== "users") wanted.push({ noun, name, said: clauseOf(plan, step.id) ?? name });
      else if (step.kind === "list") await checkSearched(plan, step, name, steps, catalog, call);
    }
  }
  const known = new Map<string, { names: string[]; all: string[] } | undefined>();
  for (const { noun, name, said } of wanted) {
    if (!known.has(noun)) known.set(noun, await listNames(noun, catalog, call));
    const listed = known.get(noun);
    const names = listed?.all;
    const shown = noun === "channels" ? `#${name}` : name;
    if (!names) {
      plan.checks.push(`${shown}: not checked (no read-only tool of this tenant lists ${noun})`);
      continue;
    }
    if (!names.includes(name))
      throw new PlannerDeclined(
        "needs-input",
        said,
        `there is no ${noun.slice(0, -1)} ${shown} in this tenant; which one is meant?`,
        (listed?.names ?? []).slice(0, 20).map((n) => (noun === "channels" ? `#${n}` : n)),
        { replaces: shown },
      );
    plan.checks.push(`${shown}: exists (checked live, read-only)`);
  }
}

/**
 * The channels and groups a request names ("#noc-alerts", "the contractors group"), checked live
 * even when the rest of it could not be planned: a name that does not exist is said first, so the
 * answer names every part that is wrong. Returns the missing names' problem, or undefined.
 */
export async function missingNamesIn(
  request: string,
  catalog: CatalogView,
  call: ReadOnlyCall,
): Promise<PlannerDeclined | undefined> {
  const text = request
    .toLowerCase()
    .replace(/[“”]/g, '"')
    .replace(/"[^"]*"/g, " ");
  const named: { noun: string; name: string; said: string }[] = [];
  for (const m of text.matchAll(/#([a-z0-9][a-z0-9_-]*)/g))
    named.push({ noun: "channels", name: m[1] ?? "", said: m[0] });
  for (const m of text.matchAll(
    rx("g")`
      \b(?:the\s+)?([a-z0-9][\w-]*)\s+(?:group|rotation)\b|\b(?:group|rotation)\s+(?!of\b|name\b|
      at\b|and\b|is\b|they\b)([a-z0-9][\w-]*)`,
  )) {
    const name = m[1] ?? m[2] ?? "";
    if (
      !/^(?:a|an|the|that|this|each|every|any|same|whole|on-?call|their|his|her|its|which|what|one|new|other)$/.test(
        name,
      )
    )
      named.push({ noun: "groups", name, said: m[0].trim() });
  }
  const missing: string[] = [];
  const known = new Map<string, { names: string[]; all: string[] } | undefined>();
  for (const { noun, name, said } of named) {
    if (!known.has(noun)) known.set(noun, await listNames(noun, catalog, call));
    const all = known.get(noun)?.all;
    if (all && !all.map((n) => n.toLowerCase()).includes(name))
      missing.push(
        `${said} (there is no ${noun.slice(0, -1)} ${noun === "channels" ? `#${name}` : name} in this tenant)`,
      );
  }
  return missing.length
    ? new PlannerDeclined(
        "needs-input",
        missing.map((m) => m.replace(/ \(.*$/, "")).join(" … "),
        `${missing.join("; ")}; which is meant?`,
      )
    : undefined;
}

/** A person looked up by name: the search the plan runs, run once now (read-only), must find exactly that name. */
async function checkSearched(
  plan: WorkflowPlan,
  list: Extract<PlanStep, { kind: "list" }>,
  name: string,
  steps: PlanStep[],
  catalog: CatalogView,
  call: ReadOnlyCall,
): Promise<void> {
  const from = list.from.kind === "ref" ? list.from : undefined;
  const source = steps.find((s): s is Extract<PlanStep, { kind: "call" }> => s.kind === "call" && s.id === from?.step);
  const tool = source ? catalog.get(source.tool) : undefined;
  const args = source
    ? Object.fromEntries(Object.entries(source.args).map(([k, v]) => [k, v.kind === "const" ? v.value : undefined]))
    : {};
  const said = clauseOf(plan, list.id) ?? name;
  const result = tool && from && Object.values(args).every((v) => v !== undefined) ? await call(tool, args) : undefined;
  if (!result?.ok) {
    plan.checks.push(`${name}: not checked (the user search could not be run now)`);
    return;
  }
  const items = (result.value as Record<string, unknown> | null)?.[from?.path[0] ?? ""];
  const names = Array.isArray(items) ? items.map((i) => String((i as Record<string, unknown>)["name"] ?? "")) : [];
  if (!names.includes(name))
    throw new PlannerDeclined(
      "needs-input",
      said,
      `there is no user named ${name} in this tenant; who is meant?`,
      names.slice(0, 10),
      { replaces: name },
    );
  plan.checks.push(`${name}: exists (checked live, read-only)`);
}

function namesIn(step: PlanStep): [string, string][] {
  const out: [string, string][] = [];
  if (step.kind === "call") {
    for (const [arg, value] of Object.entries(step.args)) {
      if (value.kind !== "const" || typeof value.value !== "string") continue;
      const noun = NOUN_OF_ARG.find(([pattern]) => pattern.test(arg))?.[1];
      if (noun) out.push([noun, value.value.replace(/^#/, "")]);
    }
  }
  if (step.kind === "list" && (step.noun === "groups" || step.noun === "users")) {
    for (const condition of step.where)
      if (
        condition.op === "eq" &&
        typeof condition.operand === "string" &&
        condition.value.kind === "ref" &&
        condition.value.path.join(".") === "name"
      )
        out.push([step.noun, condition.operand]);
  }
  return out;
}

function clauseOf(plan: WorkflowPlan, id: string): string | undefined {
  return plan.clauses.find((c) => c.covers.includes(id))?.text;
}

async function listNames(
  noun: string,
  catalog: CatalogView,
  call: ReadOnlyCall,
): Promise<{ names: string[]; all: string[] } | undefined> {
  const lister = catalog.lister(noun);
  if (!lister || ((lister.tool.inputSchema["required"] as string[] | undefined) ?? []).length > 0) return undefined;
  const result = await call(lister.tool, {});
  if (!result?.ok) return undefined;
  const items = (result.value as Record<string, unknown> | null)?.[lister.field];
  if (!Array.isArray(items)) return undefined;
  const field = (k: string) =>
    items.map((item) => (item as Record<string, unknown>)[k]).filter((v): v is string => typeof v === "string");
  const names = field("name");
  return { names: names.length ? names : field("id"), all: [...names, ...field("id")] };
}
