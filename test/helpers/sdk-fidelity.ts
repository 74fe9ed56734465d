/**
 * SDK type fidelity: does the generated TypeScript type of a tool's arguments accept a value
 * exactly when the tool's JSON Schema (Ajv, as the bridge checks it) does? Values come from
 * json-schema-faker (seeded, so every run draws the same) and from structural mutations of them:
 * a required field left out, a field of a JSON type its schema does not allow, a value outside an
 * enum, and an extra field where the schema declares `additionalProperties`. Constraints a type
 * cannot state (lengths, bounds, patterns, formats) are never mutated: a type accepts what breaks
 * them by design, and the bridge refuses it at run time. Nor is an extra field where the schema
 * says nothing: JSON Schema allows it, the SDK refuses it on purpose, so that a misspelt argument
 * is a compile error.
 */
import { createGeneratorSync, type JsonSchema } from "json-schema-faker";
import { ts } from "ts-morph";
import { parseWorkflow, TenantTypechecker } from "../../src/compile/typecheck.ts";
import type { CatalogTool } from "../../src/core/catalog.ts";
import { schemaValidator } from "../../src/core/json-schema.ts";
import { type GeneratedSdk, namespaceIdentifier } from "../../src/sdkgen/index.ts";

export type Sample = { tool: string; functionName: string; kind: string; value: unknown; ajv: boolean };
export type Verdict = Sample & { typecheck: boolean; diagnostic: string | undefined };

const SEEDS = [1, 2, 3];

/** Samples for one tool: valid values as Ajv judges them, and mutations of the first of them. */
export function samplesFor(tool: CatalogTool, functionName: string): Sample[] {
  const schema = tool.inputSchema as Record<string, unknown>;
  const validate = schemaValidator(schema);
  const make = (kind: string, value: unknown): Sample => ({
    tool: tool.name,
    functionName,
    kind,
    value,
    ajv: validate(value).length === 0,
  });
  const valid: Sample[] = [];
  for (const [i, seed] of SEEDS.entries()) {
    let value: unknown;
    try {
      value = createGeneratorSync({
        seed,
        optionalsProbability: i === 0 ? 1 : 0.5,
        alwaysFakeOptionals: i === 0,
        fillProperties: false,
        maxItems: 2,
        maxDepth: 6,
        refDepthMax: 2,
      }).generate(schema as JsonSchema);
    } catch {
      continue; // the faker cannot draw this schema: no sample
    }
    const sample = make(`valid#${seed}`, value);
    if (sample.ajv) valid.push(sample); // a value the faker got wrong is no evidence either way
  }
  const base = valid[0]?.value;
  if (base === undefined) return valid;
  const mutations: Sample[] = [make("not an object", "zz")];
  // Each object in the first valid value, with the schema it answers to (local $refs followed).
  const sites: { path: string[]; schema: Record<string, unknown> }[] = [];
  const walk = (node: unknown, value: unknown, path: string[], depth: number) => {
    const resolved = resolveRef(schema, node);
    if (!isRecord(resolved) || !isRecord(value) || depth > 5 || sites.length >= 12) return;
    // Into the object option of a union (which one the value took does not matter: Ajv judges the whole value).
    for (const keyword of ["anyOf", "oneOf"]) {
      const options = resolved[keyword];
      const object = Array.isArray(options)
        ? options
            .map((option) => resolveRef(schema, option))
            .find((o) => isRecord(o) && (o["type"] === "object" || isRecord(o["properties"])))
        : undefined;
      if (object) walk(object, value, path, depth + 1);
    }
    if (isRecord(resolved["properties"]) || "additionalProperties" in resolved) sites.push({ path, schema: resolved });
    const properties = isRecord(resolved["properties"]) ? resolved["properties"] : {};
    for (const [name, child] of Object.entries(properties)) walk(child, value[name], [...path, name], depth + 1);
  };
  walk(schema, base, [], 0);
  for (const { path, schema: site } of sites) {
    const at = path.length === 0 ? "" : ` at ${path.join(".")}`;
    const change = (edit: (object: Record<string, unknown>) => void) => {
      const copy = structuredClone(base) as Record<string, unknown>;
      let object: unknown = copy;
      for (const key of path) object = (object as Record<string, unknown>)[key];
      edit(object as Record<string, unknown>);
      return copy;
    };
    const properties = isRecord(site["properties"]) ? site["properties"] : {};
    const required = Array.isArray(site["required"]) ? site["required"].filter((r) => typeof r === "string") : [];
    if (required[0] !== undefined) {
      const name = required[0];
      mutations.push(
        make(
          `without required ${name}${at}`,
          change((object) => delete object[name]),
        ),
      );
    }
    for (const [name, property] of Object.entries(properties)) {
      const wrong =
        isRecord(property) && !property["$ref"] && !hasCombinator(property) ? wrongTypeValue(property) : undefined;
      if (wrong !== undefined) {
        mutations.push(
          make(
            `${name}${at} of a type its schema does not allow`,
            change((object) => (object[name] = wrong)),
          ),
        );
        break;
      }
    }
    for (const [name, property] of Object.entries(properties)) {
      if (
        isRecord(property) &&
        Array.isArray(property["enum"]) &&
        property["enum"].every((v) => typeof v === "string")
      ) {
        mutations.push(
          make(
            `${name}${at} outside its enum`,
            change((object) => (object[name] = "zz-not-in-enum")),
          ),
        );
        break;
      }
    }
    if ("additionalProperties" in site)
      mutations.push(
        make(
          `an extra field${at}`,
          change((object) => (object["zz_extra"] = "x")),
        ),
      );
  }
  return [...valid, ...mutations];
}

function hasCombinator(schema: Record<string, unknown>): boolean {
  return ["anyOf", "oneOf", "allOf", "not", "if"].some((keyword) => keyword in schema);
}

/** A local `$ref` (#/$defs/X, #/definitions/X) followed within the tool's schema. */
function resolveRef(root: Record<string, unknown>, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 10 && isRecord(current) && typeof current["$ref"] === "string"; hops++) {
    const pointer = current["$ref"];
    if (!pointer.startsWith("#/")) return undefined;
    let target: unknown = root;
    for (const part of pointer.slice(2).split("/"))
      target = isRecord(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    current = target;
  }
  return current;
}

/** A value of a JSON type the property's `type` does not allow (undefined: it allows them all or says none). */
function wrongTypeValue(property: Record<string, unknown>): unknown {
  const declared = property["type"];
  const types = Array.isArray(declared) ? declared : typeof declared === "string" ? [declared] : [];
  if (types.length === 0 || "const" in property || "enum" in property) return undefined;
  const candidates: [string[], unknown][] = [
    [["string"], "zz"],
    [["number", "integer"], 12345],
    [["boolean"], true],
    [["object"], { zz: 1 }],
    [["array"], ["zz"]],
  ];
  return candidates.find(([kinds]) => !kinds.some((kind) => types.includes(kind)))?.[1];
}

/**
 * Typechecks every sample as an argument of its tool's SDK function, as a workflow is checked
 * (Charter's checker, against the SDK's declarations); returns each with the typecheck's verdict.
 */
export function typecheckSamples(sdk: GeneratedSdk, integration: string, samples: Sample[]): Verdict[] {
  const lines = [
    `import { ${namespaceIdentifier(integration)} as S } from "charter:sdk";`,
    "type Arg<F extends (...args: never[]) => unknown> = NonNullable<Parameters<F>[0]>;",
    ...samples.map((s, i) => `export const s${i}: Arg<typeof S.${s.functionName}> = ${JSON.stringify(s.value)};`),
  ];
  const checked = new TenantTypechecker(sdk.files).check(parseWorkflow(lines.join("\n")));
  const byLine = new Map<number, string>();
  const other: string[] = [];
  for (const diagnostic of checked.diagnostics) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
        : -1;
    if (line >= 2) {
      if (!byLine.has(line)) byLine.set(line, text);
    } else other.push(text);
  }
  if (other.length > 0)
    throw new Error(`the SDK of ${integration} does not typecheck: ${other.slice(0, 3).join("; ")}`);
  return samples.map((sample, i) => {
    const diagnostic = byLine.get(i + 2);
    return { ...sample, typecheck: diagnostic === undefined, diagnostic };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
