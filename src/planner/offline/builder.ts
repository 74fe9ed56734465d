/**
 * The plan as the offline planner assembles it: unique step ids, the clauses of the request and
 * the elements that carry each out, the inputs the caller passes, and a few steps it may share
 * within one block (who is on call is asked once per block).
 */
import { PlannerDeclined } from "../../core/errors.ts";
import type { PlanClause, PlanInput, PlanStep, PlanValue } from "../../core/plan.ts";
import type { PlanTool } from "../plan/tools.ts";
import type { Declared } from "./inputs.ts";

export class PlanBuilder {
  readonly #ids = new Set<string>(["event", "input", "trigger", "output"]);
  readonly clauses: PlanClause[] = [];
  readonly inputs: PlanInput[] = [];
  readonly checks: string[] = [];
  /** The inputs the request names, when it names them. */
  declared: Declared = { names: [], said: [], byRole: new Map() };

  id(base: string): string {
    const clean =
      base
        .replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))
        .replace(/^[^a-z]+/, "") || "step";
    const root = clean.charAt(0).toLowerCase() + clean.slice(1, 30);
    let id = root;
    for (let n = 2; this.#ids.has(id); n++) id = `${root}${n}`;
    this.#ids.add(id);
    return id;
  }

  /** Gives back an id that was not used after all. */
  release(id: string): void {
    this.#ids.delete(id);
  }

  clause(text: string, ...covers: string[]): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    // A phrase read into no step is a phrase not carried out: said, never stored as covered.
    if (covers.length === 0)
      throw new PlannerDeclined(
        "refused",
        trimmed,
        "the offline planner read this and found no step of the plan that does it",
      );
    this.clauses.push({ text: trimmed, covers });
  }

  /** An input the caller passes, with the schema of the tool field it feeds; reused by name. */
  input(wanted: string, schema: Record<string, unknown>, required: boolean, description: string): PlanValue {
    // The request's own name for it ("uid" for the user's id), when it gave one.
    const name = this.declared.byRole.get(wanted) ?? wanted;
    const existing = this.inputs.find((i) => i.name === name);
    if (!existing) this.inputs.push({ name, schema: stripDocs(schema), required, description });
    else {
      if (required) existing.required = true;
      // A later use that knows the values ("P1 for critical, P3 for warning") narrows a plain string.
      if (
        Array.isArray(schema["enum"]) &&
        !Array.isArray(existing.schema["enum"]) &&
        existing.schema["type"] === "string"
      )
        existing.schema = stripDocs(schema);
    }
    return { kind: "input", field: name };
  }
}

/** A schema without its prose, so a tool's description does not travel into the workflow's input. */
function stripDocs(schema: Record<string, unknown>): Record<string, unknown> {
  const { description: _description, title: _title, default: _default, ...rest } = schema;
  return rest;
}

/**
 * The arguments of a call: the ones the plan binds, and every other required field of the tool
 * either from the caller's input (manual and webhook workflows) or a question (nobody passes input
 * to a schedule or an event).
 */
export function bindArgs(
  tool: PlanTool,
  bound: Record<string, PlanValue>,
  options: { builder: PlanBuilder; takesInput: boolean; clause: string },
): Record<string, PlanValue> {
  const properties = (tool.inputSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  const required = (tool.inputSchema["required"] as string[] | undefined) ?? [];
  const args: Record<string, PlanValue> = {};
  for (const [name, value] of Object.entries(bound)) {
    if (!(name in properties))
      throw new PlannerDeclined("refused", options.clause, `${tool.key} has no input "${name}"`);
    args[name] = value;
  }
  // Fields the request names as inputs ("a body containing title and service") feed the tool's fields of that name.
  const declared = options.builder.declared.names;
  if (options.takesInput)
    for (const name of declared)
      if (name in properties && !(name in args))
        args[name] = options.builder.input(
          name,
          properties[name] ?? {},
          required.includes(name),
          `${name} for ${tool.key}`,
        );
  for (const name of required) {
    if (name in args) continue;
    const schema = properties[name] ?? {};
    // A free-text reason the request does not give ("disable them"): the request itself, said so in the plan's checks.
    if (AUDIT_TEXT.test(name) && schema["type"] === "string" && !Array.isArray(schema["enum"])) {
      const said = options.clause.replace(/\s+/g, " ").trim();
      const value = `Charter workflow, as requested: ${said}`.slice(
        0,
        typeof schema["maxLength"] === "number" ? schema["maxLength"] : 500,
      );
      args[name] = { kind: "const", value };
      options.builder.checks.push(
        `${tool.key} needs a ${name}, which the request does not give: it records "${value}"`,
      );
      continue;
    }
    if (!options.takesInput) {
      const choices = Array.isArray(schema["enum"]) ? (schema["enum"] as unknown[]).map(String) : [];
      throw new PlannerDeclined(
        "needs-input",
        options.clause,
        `${tool.key} needs "${name}"${described(schema)} and nobody passes input to this trigger; ` +
          "say which value to use",
        choices,
      );
    }
    // Once the request names its inputs, a field it does not name is asked about, not added behind the caller's back.
    if (declared.length > 0) {
      const choices = Array.isArray(schema["enum"]) ? (schema["enum"] as unknown[]).map(String) : [];
      throw new PlannerDeclined(
        "needs-input",
        options.clause,
        `${tool.key} needs "${name}"${described(schema)}, and the inputs the request names ` +
          `(${declared.join(", ")}) do not include it; name it as an input too, or say which value to use`,
        choices,
      );
    }
    args[name] = options.builder.input(
      name,
      schema,
      true,
      `${name} for ${tool.key}${schema["description"] ? `: ${String(schema["description"])}` : ""}`,
    );
  }
  return args;
}

export type Block = PlanStep[];

/** Required fields that only record why a change was made. */
const AUDIT_TEXT = /^(?:reason|justification|audit_?note|change_?reason)$/;

/** A property's own description, in brackets, when its schema has one. */
function described(schema: Record<string, unknown>): string {
  return schema["description"] ? ` (${String(schema["description"])})` : "";
}
