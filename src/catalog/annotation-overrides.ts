/**
 * A tenant's annotation overrides (tenant.json `annotations`: tool → hints) applied to what a sync
 * discovered: each hint the tenant sets replaces the server's (or MCP's default), and the tool keeps
 * a record of which hints the tenant set (`annotationOverrides`), which capabilities show as
 * "declared by the tenant". Both are part of the catalog and its hash, so changing an override is
 * a catalog change, and a breaking one (a tool no longer read-only, say) drifts the versions that
 * call it. An override for a tool the server does not offer is a note, not an error.
 */
import type { CatalogContent } from "../core/catalog.ts";

export type AnnotationOverrides = Record<
  string,
  {
    readOnly?: boolean | undefined;
    destructive?: boolean | undefined;
    idempotent?: boolean | undefined;
    openWorld?: boolean | undefined;
  }
>;

const HINTS = {
  readOnly: "readOnlyHint",
  destructive: "destructiveHint",
  idempotent: "idempotentHint",
  openWorld: "openWorldHint",
} as const;

export function applyAnnotationOverrides(
  content: CatalogContent,
  overrides: AnnotationOverrides | undefined,
  notes: string[],
): CatalogContent {
  if (!overrides || Object.keys(overrides).length === 0) return content;
  const offered = new Set(content.tools.map((tool) => tool.name));
  for (const name of Object.keys(overrides).sort())
    if (!offered.has(name)) notes.push(`annotations for tool "${name}" in tenant.json: the server offers no such tool`);
  return {
    ...content,
    tools: content.tools.map((tool) => {
      const override = overrides[tool.name];
      if (!override) return tool;
      const set = Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined)) as Record<
        keyof typeof HINTS,
        boolean
      >;
      if (Object.keys(set).length === 0) return tool;
      const annotations = { ...tool.annotations };
      for (const [hint, value] of Object.entries(set) as [keyof typeof HINTS, boolean][])
        annotations[HINTS[hint]] = value;
      return { ...tool, annotations, annotationOverrides: set };
    }),
  };
}
