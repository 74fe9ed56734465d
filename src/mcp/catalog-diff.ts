/**
 * The difference between two catalog snapshots of one integration, as a list of changes a
 * reviewer can read: tools added or removed, descriptions and annotations changed, and schema
 * changes field by field ("input field priority: enum changed", "output field id added").
 */
import { canonicalJson } from "../core/canonical-json.ts";
import type { CatalogContent, CatalogTool } from "../core/catalog.ts";

export type SchemaChange = "added" | "removed" | "changed" | "became-required" | "became-optional";

export type CatalogChange =
  | { kind: "tool-added"; tool: string }
  | { kind: "tool-removed"; tool: string }
  | {
      kind: "tool-changed";
      tool: string;
      field: "description" | "title" | "annotations";
      before: unknown;
      after: unknown;
    }
  | {
      kind: "schema-changed";
      tool: string;
      schema: "input" | "output";
      /** Dotted path of the field ("" for the schema itself); `[]` marks array items. */
      path: string;
      change: SchemaChange;
      /** The keyword that changed, for "changed" ("type", "enum", …). */
      keyword?: string;
      before?: unknown;
      after?: unknown;
    }
  | { kind: "resource-added" | "resource-removed"; uri: string }
  | { kind: "resource-template-added" | "resource-template-removed"; uriTemplate: string }
  | { kind: "prompt-added" | "prompt-removed" | "prompt-changed"; prompt: string }
  | {
      kind: "server-changed";
      field: "name" | "version" | "title" | "capabilities" | "instructions";
      before: unknown;
      after: unknown;
    };

/** Every change from `before` to `after`, in a stable order. */
export function diffCatalogs(before: CatalogContent, after: CatalogContent): CatalogChange[] {
  const changes: CatalogChange[] = [];
  for (const field of ["name", "version", "title"] as const) {
    if (before.server[field] !== after.server[field])
      changes.push({ kind: "server-changed", field, before: before.server[field], after: after.server[field] });
  }
  if (!same(before.capabilities, after.capabilities)) {
    changes.push({
      kind: "server-changed",
      field: "capabilities",
      before: before.capabilities,
      after: after.capabilities,
    });
  }
  if (before.instructions !== after.instructions) {
    changes.push({
      kind: "server-changed",
      field: "instructions",
      before: before.instructions,
      after: after.instructions,
    });
  }

  const oldTools = new Map(before.tools.map((tool) => [tool.name, tool]));
  const newTools = new Map(after.tools.map((tool) => [tool.name, tool]));
  for (const name of sortedUnion(oldTools.keys(), newTools.keys())) {
    const old = oldTools.get(name);
    const now = newTools.get(name);
    if (!old) changes.push({ kind: "tool-added", tool: name });
    else if (!now) changes.push({ kind: "tool-removed", tool: name });
    else changes.push(...diffTool(old, now));
  }

  const keyed = <T>(items: T[], key: (item: T) => string) => new Map(items.map((item) => [key(item), item]));
  const oldResources = keyed(before.resources, (r) => r.uri);
  const newResources = keyed(after.resources, (r) => r.uri);
  for (const uri of sortedUnion(oldResources.keys(), newResources.keys())) {
    if (!oldResources.has(uri)) changes.push({ kind: "resource-added", uri });
    else if (!newResources.has(uri)) changes.push({ kind: "resource-removed", uri });
  }
  const oldTemplates = keyed(before.resourceTemplates, (r) => r.uriTemplate);
  const newTemplates = keyed(after.resourceTemplates, (r) => r.uriTemplate);
  for (const uriTemplate of sortedUnion(oldTemplates.keys(), newTemplates.keys())) {
    if (!oldTemplates.has(uriTemplate)) changes.push({ kind: "resource-template-added", uriTemplate });
    else if (!newTemplates.has(uriTemplate)) changes.push({ kind: "resource-template-removed", uriTemplate });
  }
  const oldPrompts = keyed(before.prompts, (p) => p.name);
  const newPrompts = keyed(after.prompts, (p) => p.name);
  for (const prompt of sortedUnion(oldPrompts.keys(), newPrompts.keys())) {
    const old = oldPrompts.get(prompt);
    const now = newPrompts.get(prompt);
    if (!old) changes.push({ kind: "prompt-added", prompt });
    else if (!now) changes.push({ kind: "prompt-removed", prompt });
    else if (!same(old, now)) changes.push({ kind: "prompt-changed", prompt });
  }
  return changes;
}

/** The changes to one tool: description, title, annotations, and its schemas field by field. */
export function diffTool(before: CatalogTool, after: CatalogTool): CatalogChange[] {
  const changes: CatalogChange[] = [];
  for (const field of ["title", "description", "annotations"] as const) {
    if (!same(before[field], after[field]))
      changes.push({ kind: "tool-changed", tool: before.name, field, before: before[field], after: after[field] });
  }
  const schemaChanges = (schema: "input" | "output", old: unknown, now: unknown) => {
    const found: SchemaFieldChange[] = [];
    diffSchema(old, now, "", found);
    for (const change of found) changes.push({ kind: "schema-changed", tool: before.name, schema, ...change });
  };
  schemaChanges("input", before.inputSchema, after.inputSchema);
  schemaChanges("output", before.outputSchema, after.outputSchema);
  return changes;
}

type SchemaFieldChange = { path: string; change: SchemaChange; keyword?: string; before?: unknown; after?: unknown };

/** Keywords that hold sub-schemas and are walked into instead of compared whole. */
const STRUCTURAL = new Set(["properties", "required", "items", "additionalProperties", "$defs", "definitions"]);

function diffSchema(before: unknown, after: unknown, path: string, out: SchemaFieldChange[]): void {
  if (same(before, after)) return;
  if (before === undefined) return void out.push({ path, change: "added", after });
  if (after === undefined) return void out.push({ path, change: "removed", before });
  if (!isObject(before) || !isObject(after)) return void out.push({ path, change: "changed", before, after });

  for (const keyword of sortedUnion(Object.keys(before), Object.keys(after))) {
    if (STRUCTURAL.has(keyword)) continue;
    if (!same(before[keyword], after[keyword]))
      out.push({ path, change: "changed", keyword, before: before[keyword], after: after[keyword] });
  }

  const oldProps = isObject(before["properties"]) ? before["properties"] : {};
  const newProps = isObject(after["properties"]) ? after["properties"] : {};
  const oldRequired = new Set(stringArray(before["required"]));
  const newRequired = new Set(stringArray(after["required"]));
  for (const name of sortedUnion(Object.keys(oldProps), Object.keys(newProps))) {
    const at = path ? `${path}.${name}` : name;
    const inOld = name in oldProps;
    const inNew = name in newProps;
    if (!inOld)
      out.push({ path: at, change: "added", after: { required: newRequired.has(name), schema: newProps[name] } });
    else if (!inNew)
      out.push({ path: at, change: "removed", before: { required: oldRequired.has(name), schema: oldProps[name] } });
    else {
      if (oldRequired.has(name) !== newRequired.has(name))
        out.push({ path: at, change: newRequired.has(name) ? "became-required" : "became-optional" });
      diffSchema(oldProps[name], newProps[name], at, out);
    }
  }
  for (const name of sortedUnion(oldRequired, newRequired)) {
    if (!(name in oldProps) && !(name in newProps) && oldRequired.has(name) !== newRequired.has(name)) {
      out.push({
        path: path ? `${path}.${name}` : name,
        change: newRequired.has(name) ? "became-required" : "became-optional",
      });
    }
  }
  diffSchema(before["items"], after["items"], `${path}[]`, out);
  diffSchema(before["additionalProperties"], after["additionalProperties"], path ? `${path}.*` : "*", out);
  for (const defs of ["$defs", "definitions"] as const) {
    const oldDefs = isObject(before[defs]) ? before[defs] : {};
    const newDefs = isObject(after[defs]) ? after[defs] : {};
    for (const name of sortedUnion(Object.keys(oldDefs), Object.keys(newDefs)))
      diffSchema(oldDefs[name], newDefs[name], `${defs}.${name}`, out);
  }
}

/** One line per change, e.g. `create_incident: input field "impact" added (optional)`. */
export function describeChange(change: CatalogChange): string {
  switch (change.kind) {
    case "tool-added":
      return `tool ${change.tool} added`;
    case "tool-removed":
      return `tool ${change.tool} removed`;
    case "tool-changed":
      return (
        `tool ${change.tool}: ${change.field} ` +
        `changed${change.field === "description" ? ` (review it: descriptions reach the planner)` : ""}`
      );
    case "schema-changed": {
      const where = change.path === "" ? `${change.schema} schema` : `${change.schema} field "${change.path}"`;
      switch (change.change) {
        case "added": {
          if (change.path === "") return `tool ${change.tool}: ${where} added`;
          const required = isObject(change.after) && change.after["required"] === true;
          return `tool ${change.tool}: ${where} added (${required ? "required" : "optional"})`;
        }
        case "removed":
          return `tool ${change.tool}: ${where} removed`;
        case "became-required":
          return `tool ${change.tool}: ${where} is now required`;
        case "became-optional":
          return `tool ${change.tool}: ${where} is now optional`;
        case "changed":
          return (
            `tool ${change.tool}: ${where} ${change.keyword ?? "schema"} ` +
            `changed: ${brief(change.before)} → ${brief(change.after)}`
          );
      }
      break;
    }
    case "resource-added":
      return `resource ${change.uri} added`;
    case "resource-removed":
      return `resource ${change.uri} removed`;
    case "resource-template-added":
      return `resource template ${change.uriTemplate} added`;
    case "resource-template-removed":
      return `resource template ${change.uriTemplate} removed`;
    case "prompt-added":
      return `prompt ${change.prompt} added`;
    case "prompt-removed":
      return `prompt ${change.prompt} removed`;
    case "prompt-changed":
      return `prompt ${change.prompt} changed`;
    case "server-changed":
      return (
        `server ${change.field} changed` +
        (change.field === "version" || change.field === "name"
          ? `: ${brief(change.before)} → ${brief(change.after)}`
          : "")
      );
  }
  return assertNever(change);
}

function assertNever(value: never): never {
  throw new Error(`unknown catalog change ${JSON.stringify(value)}`);
}

function brief(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}
