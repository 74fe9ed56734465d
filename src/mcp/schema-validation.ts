/**
 * The MCP SDK checks a tool's structuredContent against its outputSchema; by default with its own
 * Ajv, whose `pattern` runs on the backtracking RegExp, so a tenant's server could stall Charter
 * with a schema and an output made for it. This gives the SDK Charter's validators instead (RE2,
 * bounded schemas, cached compilation: core/json-schema.ts).
 */
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";
import { schemaValidator } from "../core/json-schema.ts";

export const linearSchemaValidation: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const validate = schemaValidator(schema as Record<string, unknown>);
    return (input) => {
      const errors = validate(input);
      return errors.length === 0
        ? { valid: true, data: input as T, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: errors.join("; ") };
    };
  },
};
