/**
 * One typed way to declare a tool: its name, title, description, a zod schema for its arguments,
 * annotations, a zod schema for its answer when that has a fixed shape, and a handler whose
 * arguments are typed from the input schema. The same declaration gives the JSON Schemas a client
 * fills in (MCP's `tools/list` entry, an Anthropic Messages API tool definition) and the call:
 * arguments are parsed by the schema before the handler sees them, so what a tool shows and what
 * it checks cannot disagree (src/server/route.ts does the same for REST routes).
 *
 * A face (the MCP server, the planner's model) fixes the context its handlers get and the result
 * they answer with; a tool with an output schema answers with a value of that schema instead,
 * which the face wraps (MCP's structuredContent). Answers are typed, not parsed, as REST's are.
 */
import { z } from "zod";

/** What a tool does to the world, as MCP's annotations (…Hint) say it. */
export type ToolAnnotations = { readOnly: boolean; destructive?: boolean; idempotent?: boolean; openWorld?: boolean };

/** A JSON Schema of an object: what MCP (inputSchema, outputSchema) and Anthropic (input_schema) take. */
export type JsonObjectSchema = {
  type: "object";
  properties?: Record<string, object>;
  required?: string[];
  [keyword: string]: unknown;
};

/** A schema an answer of fixed shape is declared with: an object, or a union of objects. */
export type OutputSchema = z.ZodType<unknown, Record<string, unknown>>;

type Described<Input extends z.ZodType> = {
  /** Unique among the face's tools; what a client calls. */
  name: string;
  title?: string;
  description: string;
  /** The arguments, an object schema; parsed before the handler runs. */
  input: Input;
  annotations?: ToolAnnotations;
};

/** A tool that answers with its face's own result (a workflow run's answer, a planner outcome). */
export type PlainToolDeclaration<Input extends z.ZodType, Context, Result> = Described<Input> & {
  output?: undefined;
  handle: (args: z.output<Input>, context: Context) => Promise<Result>;
};

/** A tool whose answer has a fixed shape, declared by `output` (MCP's outputSchema and structuredContent). */
export type StructuredToolDeclaration<
  Input extends z.ZodType,
  Output extends OutputSchema,
  Context,
> = Described<Input> & {
  output: Output;
  handle: (args: z.output<Input>, context: Context) => Promise<z.input<Output>>;
};

export type ToolDeclaration<Input extends z.ZodType, Output extends OutputSchema, Context, Result> =
  | PlainToolDeclaration<Input, Context, Result>
  | StructuredToolDeclaration<Input, Output, Context>;

/** An argument the input schema refused: where (dot path, empty for the arguments as a whole) and why. */
export type ArgumentIssue = { path: string; message: string };

/** What calling a tool came to: arguments refused, a structured answer, or the face's own result. */
export type ToolCall<Result> =
  | { kind: "invalid"; issues: ArgumentIssue[] }
  | { kind: "structured"; value: Record<string, unknown> }
  | { kind: "result"; result: Result };

/** A declared tool, its argument types erased: what a face lists and calls. */
export type ToolDefinition<Context, Result> = {
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string;
  readonly annotations: ToolAnnotations | undefined;
  readonly inputSchema: JsonObjectSchema;
  readonly outputSchema: JsonObjectSchema | undefined;
  /** Parses the arguments with the input schema and, when they fit, runs the handler with them. */
  call: (args: unknown, context: Context) => Promise<ToolCall<Result>>;
};

/** Declares a tool; the handler's arguments are typed from its input schema, its answer from its output schema. */
export function defineTool<Input extends z.ZodType, Output extends OutputSchema, Context, Result>(
  declaration: ToolDeclaration<Input, Output, Context, Result>,
): ToolDefinition<Context, Result> {
  const where = `tool ${declaration.name}`;
  return {
    name: declaration.name,
    title: declaration.title,
    description: declaration.description,
    annotations: declaration.annotations,
    inputSchema: jsonObjectSchema(declaration.input, `${where}: input`),
    outputSchema: declaration.output && jsonObjectSchema(declaration.output, `${where}: output`),
    call: async (args, context) => {
      const parsed = declaration.input.safeParse(args);
      if (!parsed.success)
        return {
          kind: "invalid",
          issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
        };
      if (structured(declaration)) return { kind: "structured", value: await declaration.handle(parsed.data, context) };
      return { kind: "result", result: await declaration.handle(parsed.data, context) };
    },
  };
}

/** Whether a declaration answers with a value of its output schema. */
function structured<Input extends z.ZodType, Output extends OutputSchema, Context, Result>(
  declaration: ToolDeclaration<Input, Output, Context, Result>,
): declaration is StructuredToolDeclaration<Input, Output, Context> {
  return declaration.output !== undefined;
}

/** The refused arguments as one line: "field: why; …", `whole` naming the arguments as a whole. */
export function argumentProblems(issues: readonly ArgumentIssue[], whole: string): string {
  return issues.map((issue) => `${issue.path || whole}: ${issue.message}`).join("; ");
}

/** The entry of a tool in MCP's tools/list: schemas, and annotations as MCP's hints. */
export function mcpToolEntry(tool: ToolDefinition<never, unknown>) {
  const annotations = tool.annotations;
  return {
    name: tool.name,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    ...(annotations
      ? {
          annotations: {
            readOnlyHint: annotations.readOnly,
            ...(annotations.destructive === undefined ? {} : { destructiveHint: annotations.destructive }),
            ...(annotations.idempotent === undefined ? {} : { idempotentHint: annotations.idempotent }),
            ...(annotations.openWorld === undefined ? {} : { openWorldHint: annotations.openWorld }),
          },
        }
      : {}),
  };
}

/** A tool as the Anthropic Messages API takes it (`tools` of a request). */
export function anthropicTool(tool: ToolDefinition<never, unknown>) {
  return { name: tool.name, description: tool.description, input_schema: tool.inputSchema };
}

/** What a field is shown as, for a field parsed by a looser schema (see `shownAs`). */
const shown = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A field parsed by `parse` but shown to clients as `shape`: for a value the handler checks itself,
 * with messages in its own terms (the planner's plan, which a plan check reports on), while the
 * model still reads its exact shape. Applies to the fields of an object input.
 */
export function shownAs<Parse extends z.ZodType>(parse: Parse, shape: z.ZodType): Parse {
  const field = parse.clone();
  shown.set(field, shape);
  return field;
}

/**
 * A zod schema as a JSON Schema of an object, as a client fills it in (its input side): no
 * `$schema` (MCP and Anthropic take 2020-12 without it, and a draft-07 validator such as the MCP
 * SDK's client refuses the key), a union of objects marked as an object, fields shown as `shownAs`
 * says. Throws when the schema is not of an object: a declaration error, found at start.
 */
function jsonObjectSchema(schema: z.ZodType, what: string): JsonObjectSchema {
  const {
    $schema: _dialect,
    type,
    properties,
    required,
    ...rest
  } = z.toJSONSchema(withShownFields(schema), { io: "input" });
  const alternatives = rest.anyOf ?? rest.oneOf;
  const objects =
    type === "object" ||
    (type === undefined && alternatives?.every((each) => typeof each === "object" && each.type === "object"));
  if (!objects) throw new Error(`${what} is not a schema of an object`);
  return {
    type: "object",
    ...(properties
      ? {
          properties: Object.fromEntries(
            // JSON Schema's boolean schemas as objects: true accepts anything, false nothing.
            Object.entries(properties).map(([key, value]) => [
              key,
              typeof value === "object" ? value : value ? {} : { not: {} },
            ]),
          ),
        }
      : {}),
    ...(required ? { required } : {}),
    ...rest,
  };
}

/** An object schema with its fields replaced by what they are shown as (itself when none is). */
function withShownFields(schema: z.ZodType): z.ZodType {
  if (!(schema instanceof z.ZodObject)) return schema;
  const replaced: Record<string, z.core.$ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const shape = shown.get(field);
    if (shape) replaced[key] = shape;
  }
  return Object.keys(replaced).length === 0 ? schema : schema.safeExtend(replaced);
}
