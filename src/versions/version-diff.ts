/**
 * What changed between two versions, for reviewers: the source as a unified diff and the
 * capabilities as added and removed tools with their annotations ("adds tickets.close_incident
 * (destructive); removes chat.post_message").
 */
import { createTwoFilesPatch } from "diff";
import type { Capability } from "../core/workflow.ts";
import type { VersionRow } from "../store/index.ts";

export type VersionDiff = {
  from: string;
  to: string;
  source: string;
  added: Capability[];
  removed: Capability[];
  summary: string;
};

export function diffVersions(from: VersionRow, to: VersionRow): VersionDiff {
  const key = (c: Capability) => `${c.integration}.${c.tool}`;
  const before = new Map(from.capabilities.map((c) => [key(c), c]));
  const after = new Map(to.capabilities.map((c) => [key(c), c]));
  const added = [...after.values()].filter((c) => !before.has(key(c)));
  const removed = [...before.values()].filter((c) => !after.has(key(c)));
  const label = (v: VersionRow) => `${v.workflow}@${v.number}`;
  const describe = (c: Capability) =>
    `${key(c)}${c.annotations.destructive ? " (destructive)" : c.annotations.readOnly ? " (read-only)" : ""}`;
  const parts = [
    ...(added.length ? [`adds ${added.map(describe).join(", ")}`] : []),
    ...(removed.length ? [`removes ${removed.map(describe).join(", ")}`] : []),
  ];
  return {
    from: label(from),
    to: label(to),
    // A line diff of two large, very different sources can take many seconds of the one thread every
    // request and run shares: past 200 ms it is not computed, and the answer says so.
    source:
      createTwoFilesPatch(label(from), label(to), from.source, to.source, undefined, undefined, { timeout: 200 }) ??
      `(the sources of ${label(from)} and ${label(to)} differ too much to compare line by line here)`,
    added,
    removed,
    summary: `${label(to)} ${parts.length ? parts.join("; ") : "calls the same tools"} compared with ${label(from)}`,
  };
}
