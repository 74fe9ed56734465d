/** Pieces several pages show: links to versions and runs, status and risk badges. */
import { html } from "hono/html";
import type { Capability } from "../../core/workflow.ts";
import type { VersionRow } from "../../store/index.ts";

export const versionLabel = (v: Pick<VersionRow, "workflow" | "number">) => `${v.workflow}@${v.number}`;

export const versionLink = (v: Pick<VersionRow, "id" | "workflow" | "number">) =>
  html`<a href="/console/versions/${v.id}">${versionLabel(v)}</a>`;

/** A status as a badge; the word is always shown (colour is never the only sign). */
export const statusBadge = (status: string) => html`<span class="badge status-${status}">${status}</span>`;

/** What a tool call may do, most dangerous first: destructive, open-world, write, read-only. */
export function riskOf(capability: Pick<Capability, "annotations">): string[] {
  const a = capability.annotations;
  const risks: string[] = [];
  if (a.destructive) risks.push("destructive");
  if (a.openWorld) risks.push("open-world");
  if (!a.readOnly && !a.destructive) risks.push("write");
  if (a.readOnly) risks.push("read-only");
  return risks;
}

export const riskBadges = (capability: Pick<Capability, "annotations">) =>
  riskOf(capability).map((risk) => html`<span class="badge risk-${risk}">${risk}</span> `);
