/**
 * JSON Schema → TypeScript type text. Covers objects (required/optional), enum/const literals,
 * arrays and tuples, nullable, oneOf/anyOf unions, allOf intersections, additionalProperties
 * index signatures and local `$ref`s (recursive ones through named aliases). A remote `$ref` is
 * never fetched; whatever cannot be expressed becomes `unknown` with a comment saying why. It never
 * throws on a schema: hostile or broken input degrades to `unknown`.
 */
import { jsDoc, commentText, stringLiteral } from "./text.ts";

export type TypeContext = {
  /** The schema that local `$ref`s point into. */
  root: unknown;
  /** JSON pointer ("#", "#/$defs/Node") → name of the type alias that stands for it. */
  aliases: Map<string, string>;
};

const MAX_DEPTH = 40;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The TypeScript type for `schema`, laid out for the given indentation. */
export function schemaToType(schema: unknown, context: TypeContext, indent = "", depth = 0): string {
  if (depth > MAX_DEPTH) return unknownBecause("schema nested too deeply");
  if (schema === true || schema === undefined) return "unknown";
  if (schema === false) return "never";
  if (!isObject(schema)) return unknownBecause("not a schema");

  const parts: string[] = [];
  const ref = schema["$ref"];
  if (typeof ref === "string") parts.push(refType(ref, context, indent, depth));
  const combined = combinators(schema, context, indent, depth);
  if (combined) parts.push(combined);
  const own = ownType(schema, context, indent, depth);
  if (own) parts.push(own);
  let type = parts.length === 0 ? "unknown" : parts.length === 1 ? parts[0]! : parts.map(wrap).join(" & ");
  if (schema["nullable"] === true && type !== "unknown") type = `${wrap(type)} | null`;
  return type;
}

function refType(ref: string, context: TypeContext, indent: string, depth: number): string {
  const alias = context.aliases.get(ref);
  if (alias) return alias;
  if (!ref.startsWith("#")) return unknownBecause(`remote $ref ${ref} is not fetched`);
  const target = resolvePointer(context.root, ref.slice(1));
  if (target === undefined) return unknownBecause(`unresolved $ref ${ref}`);
  return schemaToType(target, context, indent, depth + 1); // depth bounds a cycle through unnamed pointers
}

function combinators(
  schema: Record<string, unknown>,
  context: TypeContext,
  indent: string,
  depth: number,
): string | undefined {
  const out: string[] = [];
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const options = schema[keyword];
    if (Array.isArray(options) && options.length > 0) {
      out.push(unique(options.map((option) => wrap(schemaToType(option, context, indent, depth + 1)))).join(" | "));
    }
  }
  const all = schema["allOf"];
  if (Array.isArray(all) && all.length > 0)
    out.push(all.map((part) => wrap(schemaToType(part, context, indent, depth + 1))).join(" & "));
  if (out.length === 0) return undefined;
  return out.length === 1 ? out[0] : out.map(wrap).join(" & ");
}

function ownType(
  schema: Record<string, unknown>,
  context: TypeContext,
  indent: string,
  depth: number,
): string | undefined {
  if ("const" in schema) return literal(schema["const"]);
  if (Array.isArray(schema["enum"])) {
    const values = schema["enum"].map(literal);
    return values.length === 0 ? "never" : unique(values).join(" | ");
  }
  const declared = schema["type"];
  const types = Array.isArray(declared)
    ? declared.filter((t): t is string => typeof t === "string")
    : typeof declared === "string"
      ? [declared]
      : [];
  if (types.length === 0) {
    if (isObject(schema["properties"]) || isObject(schema["additionalProperties"]))
      return objectType(schema, context, indent, depth);
    if (schema["items"] !== undefined || schema["prefixItems"] !== undefined)
      return arrayType(schema, context, indent, depth);
    return undefined;
  }
  return unique(types.map((type) => typeFor(type, schema, context, indent, depth))).join(" | ");
}

function typeFor(
  type: string,
  schema: Record<string, unknown>,
  context: TypeContext,
  indent: string,
  depth: number,
): string {
  switch (type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "object":
      return objectType(schema, context, indent, depth);
    case "array":
      return arrayType(schema, context, indent, depth);
    default:
      return unknownBecause(`unknown type ${type}`);
  }
}

const NUMBER_CONSTRAINTS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
] as const;

/** What the type cannot say about a value, as JSDoc tags: bounds, lengths, pattern, format, default. */
export function constraintTags(schema: Record<string, unknown>): [string, string][] {
  const tags: [string, string][] = [];
  for (const key of NUMBER_CONSTRAINTS) {
    const value = schema[key];
    if (typeof value === "number" && Number.isFinite(value)) tags.push([key, String(value)]);
  }
  if (typeof schema["pattern"] === "string") tags.push(["pattern", schema["pattern"]]);
  if (typeof schema["format"] === "string") tags.push(["format", schema["format"]]);
  if (schema["default"] !== undefined) tags.push(["default", JSON.stringify(schema["default"]) ?? ""]);
  return tags;
}

function objectType(schema: Record<string, unknown>, context: TypeContext, indent: string, depth: number): string {
  const properties = isObject(schema["properties"]) ? schema["properties"] : {};
  const required = new Set(
    Array.isArray(schema["required"]) ? schema["required"].filter((r): r is string => typeof r === "string") : [],
  );
  const inner = `${indent}  `;
  const lines: string[] = [];
  for (const name of Object.keys(properties).sort()) {
    const property = properties[name];
    const doc = isObject(property)
      ? jsDoc(
          typeof property["description"] === "string" ? [property["description"]] : [],
          inner,
          constraintTags(property),
        )
      : "";
    const key = IDENTIFIER.test(name) ? name : stringLiteral(name);
    lines.push(
      `${doc}${inner}${key}${required.has(name) ? "" : "?"}: ${schemaToType(property, context, inner, depth + 1)};`,
    );
  }
  const additional = schema["additionalProperties"];
  const hasPatterns = isObject(schema["patternProperties"]) && Object.keys(schema["patternProperties"]).length > 0;
  if (additional !== false && additional !== undefined && additional !== true) {
    // An index signature must admit every named property, so it widens to unknown beside them.
    const valueType = lines.length > 0 ? "unknown" : schemaToType(additional, context, inner, depth + 1);
    lines.push(`${inner}[key: string]: ${valueType};`);
  } else if (hasPatterns || additional === true) {
    // Declared open: other keys are valid, so the type must take them (beside the named ones).
    lines.push(`${inner}[key: string]: unknown;`);
  }
  // An object with nothing named: `{}` would take a string too. Closed, only the empty object;
  // otherwise any object (JSON Schema allows other keys when it says nothing).
  if (lines.length === 0) return additional === false ? "{ [key: string]: never }" : "{ [key: string]: unknown }";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function arrayType(schema: Record<string, unknown>, context: TypeContext, indent: string, depth: number): string {
  const prefix = Array.isArray(schema["prefixItems"])
    ? schema["prefixItems"]
    : Array.isArray(schema["items"])
      ? schema["items"]
      : undefined;
  if (prefix) {
    const rest = Array.isArray(schema["items"]) ? schema["additionalItems"] : schema["items"];
    const elements = prefix.map((item) => schemaToType(item, context, indent, depth + 1));
    if (rest !== false) elements.push(`...${wrap(schemaToType(rest, context, indent, depth + 1))}[]`);
    return `[${elements.join(", ")}]`;
  }
  return `${wrap(schemaToType(schema["items"], context, indent, depth + 1))}[]`;
}

function literal(value: unknown): string {
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean" || value === null) return String(value);
  return unknownBecause("non-primitive enum or const value");
}

function unknownBecause(reason: string): string {
  return `unknown /* ${commentText(reason)} */`;
}

/** Parenthesises a union or intersection so it can stand inside another one or before `[]`. */
function wrap(type: string): string {
  return hasTopLevelOperator(type) ? `(${type})` : type;
}

/** Whether `|` or `&` occurs outside brackets, braces, parentheses, strings and comments. */
function hasTopLevelOperator(type: string): boolean {
  let depth = 0;
  for (let i = 0; i < type.length; i++) {
    const char = type[i];
    if (char === '"') {
      for (i++; i < type.length && type[i] !== '"'; i++) if (type[i] === "\\") i++;
    } else if (char === "/" && type[i + 1] === "*") {
      const close = type.indexOf("*/", i + 2);
      i = close === -1 ? type.length : close + 1;
    } else if (char === "{" || char === "[" || char === "(") depth++;
    else if (char === "}" || char === "]" || char === ")") depth--;
    else if (depth === 0 && (char === "|" || char === "&")) return true;
  }
  return false;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function resolvePointer(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  if (!pointer.startsWith("/")) return undefined;
  let current: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current) && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}
