/**
 * JSON Schema checks with bounded work: a schema is a schema (against its meta-schema), values
 * are validated by Ajv, oversized schemas are refused before any validator sees them, and a remote
 * `$ref` is never fetched (Ajv has no loader here, so it fails to compile instead).
 */
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";

export const MAX_SCHEMA_BYTES = 256 * 1024;

const draft2020 = new Ajv2020({ strict: false, validateSchema: true, allErrors: false });
const draft07 = new Ajv({ strict: false, validateSchema: true, allErrors: false });

/** Why a schema is not usable, as a phrase ("is not a valid JSON Schema: …"); undefined when it is fine. */
export function checkSchema(schema: Record<string, unknown>): string | undefined {
  const size = JSON.stringify(schema).length;
  if (size > MAX_SCHEMA_BYTES) return `is ${size} bytes, over the ${MAX_SCHEMA_BYTES}-byte limit`;
  const ajv = ajvFor(schema);
  if (!ajv) return `uses an unsupported $schema (${String(schema["$schema"]).slice(0, 100)}); use JSON Schema 2020-12 or draft-07`;
  const { $schema: _ignored, ...rest } = schema;
  if (ajv.validateSchema(rest)) return undefined;
  const first = ajv.errors?.[0];
  return `is not a valid JSON Schema: ${first ? `${first.instancePath || "(root)"} ${first.message ?? ""}`.trim() : "rejected by the meta-schema"}`;
}

/** A validator for a checked schema; its errors are short phrases with JSON pointers. */
export function schemaValidator(schema: Record<string, unknown>): (value: unknown) => string[] {
  const ajv = ajvFor(schema) ?? draft2020;
  const { $schema: _ignored, ...rest } = schema;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(rest);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return () => [`the schema cannot be used: ${reason.slice(0, 200)}`];
  }
  return (value) => (validate(value) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`.trim()));
}

function ajvFor(schema: Record<string, unknown>): Ajv | undefined {
  const dialect = schema["$schema"];
  if (dialect === undefined || (typeof dialect === "string" && dialect.includes("2020-12"))) return draft2020;
  if (typeof dialect === "string" && /draft-0[67]/.test(dialect)) return draft07;
  return undefined;
}
