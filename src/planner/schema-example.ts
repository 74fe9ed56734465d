/** A value that a JSON Schema accepts, for mocks in generated tests; `overrides` set fields by name. */
export function exampleOf(
  schema: unknown,
  overrides: Record<string, unknown> = {},
  root: unknown = schema,
  depth = 0,
): unknown {
  if (depth > 12 || schema === null || typeof schema !== "object") return null;
  const s = schema as Record<string, unknown>;
  if (typeof s["$ref"] === "string" && s["$ref"].startsWith("#/")) {
    const target = s["$ref"]
      .slice(2)
      .split("/")
      .reduce<unknown>(
        (node, key) =>
          node && typeof node === "object"
            ? (node as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")]
            : undefined,
        root,
      );
    return exampleOf(target, overrides, root, depth + 1);
  }
  if ("const" in s) return s["const"];
  if (Array.isArray(s["enum"])) return s["enum"][0];
  for (const key of ["anyOf", "oneOf"])
    if (Array.isArray(s[key]))
      return exampleOf(
        (s[key] as unknown[]).find(
          (o) => !(o && typeof o === "object" && (o as Record<string, unknown>)["type"] === "null"),
        ) ?? (s[key] as unknown[])[0],
        overrides,
        root,
        depth + 1,
      );
  if (Array.isArray(s["allOf"]))
    return Object.assign({}, ...(s["allOf"] as unknown[]).map((part) => exampleOf(part, overrides, root, depth + 1)));
  const types = Array.isArray(s["type"]) ? (s["type"] as string[]) : [s["type"] as string | undefined];
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "object": {
      const properties = (s["properties"] as Record<string, unknown> | undefined) ?? {};
      const required = new Set((s["required"] as string[] | undefined) ?? []);
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (name in overrides && fits(property, overrides[name])) out[name] = overrides[name];
        else if (required.has(name))
          out[name] = byName(name, property) ?? exampleOf(property, overrides, root, depth + 1);
      }
      return out;
    }
    case "array":
      return [exampleOf(s["items"], overrides, root, depth + 1)];
    case "string":
      if (s["format"] === "email") return "person@example.com";
      if (s["format"] === "date-time") return "2026-01-01T09:00:00.000Z";
      if (s["format"] === "uri") return "https://example.com/";
      return "x".repeat(Math.max(1, Number(s["minLength"] ?? 1)));
    case "integer":
    case "number":
      return Math.max(Number(s["minimum"] ?? 1), 1);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return {};
  }
}

/** Whether an override suits the property: its enum or const, else its type. */
function fits(schema: unknown, value: unknown): boolean {
  if (schema === null || typeof schema !== "object") return true;
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s["enum"])) return s["enum"].includes(value);
  if ("const" in s) return s["const"] === value;
  const type = s["type"];
  return type === undefined || type === typeof value || (Array.isArray(type) && type.includes(typeof value));
}

/** A plausible string for a field by its name, where the schema says only "string" (emails, times). */
function byName(name: string, schema: unknown): string | undefined {
  if (schema === null || typeof schema !== "object") return undefined;
  const s = schema as Record<string, unknown>;
  const isString = s["type"] === "string" || (Array.isArray(s["type"]) && s["type"].includes("string"));
  if (!isString || "enum" in s || "const" in s || "pattern" in s) return undefined;
  if (/email/i.test(name)) return "person@example.com";
  if (/(^|_)(at|time|date|until|since)$/i.test(name)) return "2026-01-01T09:00:00.000Z";
  if (/(^|_)id$/i.test(name)) return `${name.replace(/_?id$/i, "") || "item"}-1`;
  return undefined;
}
