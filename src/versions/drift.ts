/**
 * Whether a catalog change breaks a version. Each tool the version calls is compared with the
 * catalog entry it was approved against:
 *   breaking    the tool is gone; its annotations changed (the reviewer approved other ones); an
 *               input field was added as required, removed, made required or changed in type, enum,
 *               format or bounds; an output field was removed, made optional or changed
 *   compatible  new optional input fields, new output fields, fields made optional (input) or
 *               required (output), description and title changes, and tools the version does not use
 * A changed description of a tool the version calls is compatible but flagged for review: text
 * from a server can carry instructions aimed at an agent or a reviewer.
 */
import type { CatalogContent, CatalogTool } from "../core/catalog.ts";
import type { DriftItem } from "../core/records.ts";
import { type CatalogChange, describeChange, diffTool } from "../mcp/index.ts";

export type { Drift, DriftItem } from "../core/records.ts";

/** Keywords that only describe a field; changing them changes no accepted value. */
const DESCRIPTIVE = new Set(["description", "title", "examples", "default", "$comment", "deprecated"]);

export function classifyDrift(
  toolSnapshots: readonly (CatalogTool & { integration: string })[],
  current: ReadonlyMap<string, CatalogContent>,
): { breaking: DriftItem[]; compatible: DriftItem[] } {
  const breaking: DriftItem[] = [];
  const compatible: DriftItem[] = [];
  for (const snapshot of toolSnapshots) {
    const key = `${snapshot.integration}.${snapshot.name}`;
    const now = current.get(snapshot.integration)?.tools.find((tool) => tool.name === snapshot.name);
    if (!now) {
      breaking.push({
        tool: key,
        change: current.has(snapshot.integration)
          ? `tool ${snapshot.name} removed`
          : `integration ${snapshot.integration} is no longer configured`,
      });
      continue;
    }
    const { integration: _integration, ...before } = snapshot;
    for (const change of diffTool(before, now)) {
      const item: DriftItem = { tool: key, change: describeChange(change) };
      if (change.kind === "tool-changed" && change.field === "description") item.review = true;
      (isBreaking(change) ? breaking : compatible).push(item);
    }
  }
  return { breaking, compatible };
}

function isBreaking(change: CatalogChange): boolean {
  if (change.kind === "tool-removed") return true;
  if (change.kind === "tool-changed") return change.field === "annotations";
  if (change.kind !== "schema-changed") return false;
  const input = change.schema === "input";
  switch (change.change) {
    case "added":
      if (change.path === "") return true;
      return input ? isRequired(change.after) : false;
    case "removed":
      return true;
    case "became-required":
      return input;
    case "became-optional":
      return !input;
    case "changed":
      return !DESCRIPTIVE.has(change.keyword ?? "");
  }
}

function isRequired(after: unknown): boolean {
  return after !== null && typeof after === "object" && (after as Record<string, unknown>)["required"] === true;
}
