/**
 * Checks that the JSON Schemas a server publishes for a tool are schemas at all, with bounded
 * work (see core/json-schema.ts). Remote `$ref`s are allowed in a catalog but never fetched.
 */
import type { CatalogTool } from "../core/catalog.ts";
import { checkSchema } from "../core/json-schema.ts";

export { MAX_SCHEMA_BYTES } from "../core/json-schema.ts";

/** Problems with one tool's schemas, each a sentence naming the tool; empty when it is fine. */
export function checkToolSchemas(tool: CatalogTool): string[] {
  const problems: string[] = [];
  const input = checkSchema(tool.inputSchema);
  if (input) problems.push(`tool "${tool.name}": inputSchema ${input}`);
  else if (tool.inputSchema["type"] !== "object")
    problems.push(`tool "${tool.name}": inputSchema must have type "object"`);
  if (tool.outputSchema !== undefined) {
    const output = checkSchema(tool.outputSchema);
    if (output) problems.push(`tool "${tool.name}": outputSchema ${output}`);
  }
  return problems;
}
