/**
 * Checks that the JSON Schemas a server publishes are schemas at all (against their meta-schema),
 * with bounded work: oversized schemas are refused before any validator sees them. Remote `$ref`s
 * are allowed in a catalog but never fetched.
 */
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { CatalogTool } from "../core/catalog.ts";

export const MAX_SCHEMA_BYTES = 256 * 1024;

const draft2020 = new Ajv2020({ strict: false, validateSchema: true, allErrors: false });
const draft07 = new Ajv({ strict: false, validateSchema: true, allErrors: false });

/** Problems with one tool's schemas, each a sentence naming the tool; empty when it is fine. */
export function checkToolSchemas(tool: CatalogTool): string[] {
  const problems: string[] = [];
  const input = checkSchema(tool.inputSchema);
  if (input) problems.push(`tool "${tool.name}": inputSchema ${input}`);
  else if (tool.inputSchema["type"] !== "object") problems.push(`tool "${tool.name}": inputSchema must have type "object"`);
  if (tool.outputSchema !== undefined) {
    const output = checkSchema(tool.outputSchema);
    if (output) problems.push(`tool "${tool.name}": outputSchema ${output}`);
  }
  return problems;
}

function checkSchema(schema: Record<string, unknown>): string | undefined {
  const size = JSON.stringify(schema).length;
  if (size > MAX_SCHEMA_BYTES) return `is ${size} bytes, over the ${MAX_SCHEMA_BYTES}-byte limit`;
  const dialect = schema["$schema"];
  const ajv =
    dialect === undefined || (typeof dialect === "string" && dialect.includes("2020-12"))
      ? draft2020
      : typeof dialect === "string" && /draft-0[67]/.test(dialect)
        ? draft07
        : undefined;
  if (!ajv) return `uses an unsupported $schema (${String(dialect).slice(0, 100)}); use JSON Schema 2020-12 or draft-07`;
  const { $schema: _ignored, ...rest } = schema;
  const valid = ajv.validateSchema(rest);
  if (valid) return undefined;
  const first = ajv.errors?.[0];
  return `is not a valid JSON Schema: ${first ? `${first.instancePath || "(root)"} ${first.message ?? ""}`.trim() : "rejected by the meta-schema"}`;
}
