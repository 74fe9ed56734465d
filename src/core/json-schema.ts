/**
 * JSON Schema checks with bounded work: a schema is a schema (against its meta-schema), values
 * are validated by Ajv, oversized schemas are refused before any validator sees them, and a remote
 * `$ref` is never fetched (Ajv has no loader here, so it fails to compile instead).
 *
 * Every `pattern` (and `patternProperties` key) runs on RE2's linear-time engine (re2js), never
 * on the backtracking RegExp: a schema written by an author or a tenant's server cannot make a
 * hostile value stall the process ("^(a+)+$" against "aaaa…!"). A pattern RE2 cannot run
 * (lookaround, backreferences) makes an author's schema unusable, with that reason; in a tool's
 * schema it is not checked by Charter (the tool's server still checks it).
 *
 * Ajv keeps every schema it compiles, keyed by object; compiled validators are therefore cached
 * here by the schema's canonical JSON, a bounded number of them, and removed from Ajv when they
 * fall out, so a long-running service neither recompiles the same schema nor grows without end.
 */
import { Ajv, type ValidateFunction } from "ajv";
import type { RegExpEngine } from "ajv/dist/types/index.js";
import { RE2JS } from "re2js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { canonicalJson } from "./canonical-json.ts";

export const MAX_SCHEMA_BYTES = 256 * 1024;

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
/** RE2 for Ajv; a pattern RE2 cannot run is an error (authors' schemas) or passes everything (tools' schemas). */
function linearRegExp(unsupported: "refuse" | "pass"): RegExpEngine {
  const engine = (pattern: string, flags: string) => {
    // Ajv keys the compiled patterns it keeps by toString(), as a RegExp prints: each needs its own.
    const key = () => `/${pattern}/${flags}`;
    try {
      const compiled = RE2JS.compile(pattern);
      return { test: (text: string) => compiled.matcher(text).find(), toString: key };
    } catch (error) {
      if (unsupported === "pass") return { test: () => true, toString: key };
      throw new Error(
        `pattern ${JSON.stringify(pattern).slice(0, 120)} cannot run on Charter's linear-time ` +
          `regular expressions (no lookaround or ` +
          `backreferences): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  return Object.assign(engine, { code: "re2js" });
}

const lenient = { code: { regExp: linearRegExp("pass") } };
const draft2020 = addFormats(
  new Ajv2020({ strict: false, validateSchema: true, allErrors: false, logger: false, ...lenient }),
);
const draft07 = addFormats(
  new Ajv({ strict: false, validateSchema: true, allErrors: false, logger: false, ...lenient }),
);

/** Why a schema is not usable, as a phrase ("is not a valid JSON Schema: …"); undefined when it is fine. */
export function checkSchema(schema: Record<string, unknown>): string | undefined {
  const size = JSON.stringify(schema).length;
  if (size > MAX_SCHEMA_BYTES) return `is ${size} bytes, over the ${MAX_SCHEMA_BYTES}-byte limit`;
  const ajv = ajvFor(schema);
  if (!ajv)
    return (
      `uses an unsupported $schema (${String(schema["$schema"]).slice(0, 100)}); use JSON Schema ` +
      `2020-12 or draft-07`
    );
  const { $schema: _ignored, ...rest } = schema;
  if (ajv.validateSchema(rest)) return undefined;
  const first = ajv.errors?.[0];
  return (
    "is not a valid JSON Schema: " +
    (first ? `${first.instancePath || "(root)"} ${first.message ?? ""}`.trim() : "rejected by the meta-schema")
  );
}

const strict2020 = addFormats(
  new Ajv2020({
    strict: true,
    strictSchema: true,
    strictRequired: true,
    strictTypes: false,
    strictTuples: false,
    validateSchema: true,
    logger: false,
    code: { regExp: linearRegExp("refuse") },
  }),
);

/**
 * Like checkSchema, and also refuses what is valid but almost surely a mistake in a schema
 * Charter's own users write: unknown keywords (`requried`) and `required` names that are not
 * among the `properties`.
 */
export function checkAuthoredSchema(schema: Record<string, unknown>): string | undefined {
  const problem = checkSchema(schema);
  if (problem) return problem;
  if (ajvFor(schema) !== draft2020) return undefined;
  const compiled = compileCached(strict2020, schema);
  return "error" in compiled
    ? `is not usable: ${compiled.error.replace(/^strict mode: /, "").slice(0, 300)}`
    : undefined;
}

/** A validator for a checked schema; its errors are short phrases with JSON pointers. */
export function schemaValidator(schema: Record<string, unknown>): (value: unknown) => string[] {
  const { $schema: _ignored, ...rest } = schema;
  const compiled = compileCached(ajvFor(schema) ?? draft2020, rest);
  if ("error" in compiled) return () => [`the schema cannot be used: ${compiled.error.slice(0, 200)}`];
  const validate = compiled.validate;
  return (value) =>
    validate(value)
      ? []
      : (validate.errors ?? [])
          .slice(0, 5)
          .map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`.trim());
}

const MAX_CACHED = 500;
type Compiled = { validate: ValidateFunction; schema: object } | { error: string; schema: object };
const compiledCache = new Map<Ajv, Map<string, Compiled>>();

function compileCached(ajv: Ajv, schema: Record<string, unknown>): Compiled {
  let cache = compiledCache.get(ajv);
  if (!cache) compiledCache.set(ajv, (cache = new Map()));
  const key = canonicalJson(schema);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // most recently used goes last
    cache.set(key, hit);
    return hit;
  }
  let compiled: Compiled;
  try {
    compiled = { validate: ajv.compile(schema), schema };
  } catch (error) {
    ajv.removeSchema(schema);
    compiled = { error: error instanceof Error ? error.message : String(error), schema };
  }
  cache.set(key, compiled);
  if (cache.size > MAX_CACHED) {
    const [oldestKey, oldest] = cache.entries().next().value ?? [];
    if (oldestKey !== undefined && oldest) {
      cache.delete(oldestKey);
      ajv.removeSchema(oldest.schema);
    }
  }
  return compiled;
}

function ajvFor(schema: Record<string, unknown>): Ajv | undefined {
  const dialect = schema["$schema"];
  if (dialect === undefined || (typeof dialect === "string" && dialect.includes("2020-12"))) return draft2020;
  if (typeof dialect === "string" && /draft-0[67]/.test(dialect)) return draft07;
  return undefined;
}
