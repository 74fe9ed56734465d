/**
 * The OpenAPI 3.1 document served at /api/v1/openapi.json, made from the route declarations
 * (src/server/routes/): every operation with its parameters, body, answers and security. A schema
 * with an `id` (src/server/routes/schemas.ts) becomes a component, referred to wherever it is used.
 * test/openapi.test.ts validates the document strictly and checks served answers against it.
 */
import { z } from "zod";
import type { Method, OperationDoc, RawOperationDoc, Route } from "./route.ts";
import { ErrorBody, PATH_PARAMETERS, type PathParameter } from "./routes/schemas.ts";

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown> & { operationId: string };
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
};

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const ERROR_RESPONSE = { $ref: "#/components/responses/Error" };

/** The document for these routes. */
export function openApiDocument(routes: readonly Route[]): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  const paths: OpenApiDocument["paths"] = {};
  for (const declared of routes) {
    const path = declared.path.replace(/:(\w+)/g, "{$1}");
    const item = (paths[path] ??= {});
    if (declared.kind === "typed") item[declared.method] = operation(declared.method, path, declared.doc, schemas);
    else
      for (const [method, doc] of Object.entries(declared.docs) as [Method, RawOperationDoc][])
        item[method] = rawOperation(method, path, doc);
  }
  const error = jsonSchema(ErrorBody, "output", schemas);
  return {
    openapi: "3.1.0",
    info: {
      title: "Charter API",
      version: "1",
      description: "Generated from Charter's route declarations (src/server/routes/).",
    },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses: { Error: { description: "{ error: { code, message, retryable } }", content: json(error) } },
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A Charter API key (charter keys create)" },
      },
    },
  };
}

function operation(method: Method, path: string, doc: OperationDoc, schemas: Record<string, JsonSchema>): Operation {
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(doc.responses))
    responses[status] = {
      description: answer.description,
      content: json(jsonSchema(answer.schema, "output", schemas)),
    };
  const body = doc.body ?? doc.rawBody?.schema;
  return {
    operationId: doc.operationId ?? operationId(method, path),
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.access === "tenant" ? { security: [{ apiKey: [] }] } : {}),
    ...(doc.roles ? { "x-charter-roles": doc.roles } : {}),
    parameters: [...pathParameters(path), ...queryParameters(doc.query)],
    ...(body
      ? {
          requestBody: {
            ...(doc.rawBody ? { description: doc.rawBody.description } : {}),
            // A route reads an empty body as {}: the body is required only when {} is refused.
            required: !body.safeParse({}).success,
            content: json(jsonSchema(body, "input", schemas)),
          },
        }
      : {}),
    responses: { ...responses, "4XX": ERROR_RESPONSE, "5XX": ERROR_RESPONSE },
  };
}

function rawOperation(method: Method, path: string, doc: RawOperationDoc): Operation {
  return {
    operationId: operationId(method, path),
    tags: [doc.tag],
    summary: doc.summary,
    description: doc.description,
    ...(doc.access === "tenant" ? { security: [{ apiKey: [] }] } : {}),
    responses: Object.fromEntries(
      Object.entries(doc.responses).map(([status, text]) => [status, { description: text }]),
    ),
  };
}

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => {
    const schema = PATH_PARAMETERS[match[1] as PathParameter];
    const { description, ...rest } = jsonSchema(schema, "input", {});
    return { name: match[1], in: "path", required: true, description, schema: rest };
  });
}

function queryParameters(query: z.ZodObject | undefined) {
  return Object.entries(query?.shape ?? {}).map(([name, schema]) => {
    const { description, ...rest } = jsonSchema(schema, "input", {});
    return {
      name,
      in: "query",
      required: !schema.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/** `getVersionsRef` for GET /api/v1/tenants/{tenant}/versions/{ref}: the method, then the path's words. */
function operationId(method: Method, path: string): string {
  const words = path
    .replace(/^\/api\/v1\/tenants\/\{tenant\}/, "")
    .replace(/^\/api\/v1/, "")
    .split(/[/.{}-]+/)
    .filter(Boolean);
  return [method, ...words].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join("");
}

/**
 * A zod schema as JSON Schema (2020-12, which OpenAPI 3.1 uses). `io`: a request's schema
 * describes what may be sent (defaults make fields optional), an answer's what is sent. The
 * named schemas it uses go to `components`, and its references point there.
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Record<string, JsonSchema>): JsonSchema {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: "throw", override: withoutSafeIntegerBounds });
  const { $schema: _schema, $defs, ...rest } = converted as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [id, definition] of Object.entries($defs ?? {})) {
    const named = componentRefs(definition);
    const known = components[id];
    if (known && JSON.stringify(known) !== JSON.stringify(named))
      throw new Error(`two different schemas are named ${id} (a component used both as input and output?)`);
    components[id] = named;
  }
  return componentRefs(rest);
}

/** z.int() says it is a safe integer with bounds no one means; an integer is enough. */
function withoutSafeIntegerBounds({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema["minimum"] === Number.MIN_SAFE_INTEGER) delete jsonSchema["minimum"];
  if (jsonSchema["maximum"] === Number.MAX_SAFE_INTEGER) delete jsonSchema["maximum"];
}

/** The same JSON Schema with `#/$defs/X` references as `#/components/schemas/X`. */
function componentRefs<T>(node: T): T {
  if (Array.isArray(node)) return node.map(componentRefs) as T;
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "$ref" && typeof value === "string"
        ? value.replace(/^#\/\$defs\//, "#/components/schemas/")
        : componentRefs(value),
    ]),
  ) as T;
}
