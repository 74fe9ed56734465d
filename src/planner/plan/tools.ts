/** What the plan's code and tests need to know of a tool: its SDK names, schemas and annotations. */
export type PlanTool = {
  key: string;
  namespace: string;
  functionName: string;
  title: string | undefined;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | undefined;
  readOnly: boolean;
  destructive: boolean;
  /** Calling it again with the same arguments changes nothing more (MCP idempotentHint). */
  idempotent?: boolean;
};

/** The JSON Schema of a property of an object schema (one level), or undefined. */
export function propertyOf(
  schema: Record<string, unknown> | undefined,
  name: string,
): Record<string, unknown> | undefined {
  const properties = schema?.["properties"] as Record<string, Record<string, unknown>> | undefined;
  return properties?.[name];
}

/** The schema at a path of property names (through arrays' items where the path says "[]"). */
export function schemaAt(
  schema: Record<string, unknown> | undefined,
  path: readonly string[],
): Record<string, unknown> | undefined {
  let current = schema;
  for (const part of path) {
    if (!current) return undefined;
    current =
      part === "[]"
        ? (current["items"] as Record<string, unknown> | undefined)
        : propertyOf(unwrapNullable(current), part);
  }
  return current ? unwrapNullable(current) : undefined;
}

/** `anyOf: [X, null]` → X. */
export function unwrapNullable(schema: Record<string, unknown>): Record<string, unknown> {
  const options = (schema["anyOf"] ?? schema["oneOf"]) as Record<string, unknown>[] | undefined;
  if (Array.isArray(options)) {
    const real = options.filter((o) => o["type"] !== "null");
    if (real.length === 1 && real[0]) return real[0];
  }
  return schema;
}
