// Declarations of the guest runtime: what workflow code is typechecked against, beside the tenant
// SDK (`charter:sdk`) and an ES library with no DOM and no Node.js. The implementations are
// sandbox/workflow.ts and sandbox/bridge.ts, bundled into every workflow script.

declare module "charter:workflow" {
  /** A JSON value: what crosses into and out of a workflow. */
  export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

  /** The JSON Schema keywords Charter understands for a workflow's input and output. */
  export type JsonSchema =
    | boolean
    | {
        readonly type?: SchemaType | readonly SchemaType[];
        readonly title?: string;
        readonly description?: string;
        readonly default?: unknown;
        readonly examples?: readonly unknown[];
        readonly enum?: readonly Json[];
        readonly const?: Json;
        readonly properties?: { readonly [name: string]: JsonSchema };
        readonly required?: readonly string[];
        readonly additionalProperties?: JsonSchema;
        readonly items?: JsonSchema;
        readonly prefixItems?: readonly JsonSchema[];
        readonly minItems?: number;
        readonly maxItems?: number;
        readonly anyOf?: readonly JsonSchema[];
        readonly oneOf?: readonly JsonSchema[];
        readonly allOf?: readonly JsonSchema[];
        readonly format?: string;
        readonly pattern?: string;
        readonly minLength?: number;
        readonly maxLength?: number;
        readonly minimum?: number;
        readonly maximum?: number;
        readonly exclusiveMinimum?: number;
        readonly exclusiveMaximum?: number;
        readonly multipleOf?: number;
        /** A local reference into `$defs` (or `definitions`) of the same schema: "#/$defs/Address". */
        readonly $ref?: string;
        readonly $defs?: { readonly [name: string]: JsonSchema };
        readonly definitions?: { readonly [name: string]: JsonSchema };
      };
  export type SchemaType = "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";

  /**
   * The TypeScript type of the values a JSON Schema accepts. `R` is the root schema, where a
   * local `$ref` ("#/$defs/Name", "#/definitions/Name") is looked up.
   */
  export type FromSchema<S, R = S> = S extends true
    ? Json
    : S extends false
      ? never
      : S extends { readonly $ref: infer P extends string }
        ? FromRef<P, R>
        : S extends { readonly const: infer C }
          ? Mutable<C>
          : S extends { readonly enum: readonly (infer E)[] }
            ? Mutable<E>
            : S extends { readonly anyOf: readonly (infer A)[] }
              ? FromSchema<A, R>
              : S extends { readonly oneOf: readonly (infer A)[] }
                ? FromSchema<A, R>
                : S extends { readonly allOf: infer A extends readonly unknown[] }
                  ? AllOf<A, R>
                  : S extends { readonly type: readonly (infer T)[] }
                    ? FromType<T, S, R>
                    : S extends { readonly type: infer T }
                      ? FromType<T, S, R>
                      : Json;

  type FromRef<P, R> = P extends `#/$defs/${infer N}`
    ? R extends { readonly $defs: { readonly [K in N]: infer D } }
      ? FromSchema<D, R>
      : Json
    : P extends `#/definitions/${infer N}`
      ? R extends { readonly definitions: { readonly [K in N]: infer D } }
        ? FromSchema<D, R>
        : Json
      : Json;
  type Mutable<T> = T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: Mutable<T[K]> }
      : T;
  type AllOf<A extends readonly unknown[], R> = A extends readonly [infer First, ...infer Rest]
    ? FromSchema<First, R> & AllOf<Rest, R>
    : unknown;
  type FromType<T, S, R> = T extends "string"
    ? string
    : T extends "number" | "integer"
      ? number
      : T extends "boolean"
        ? boolean
        : T extends "null"
          ? null
          : T extends "array"
            ? FromArray<S, R>
            : T extends "object"
              ? FromObject<S, R>
              : never;
  type FromArray<S, R> = S extends { readonly prefixItems: infer P extends readonly unknown[] }
    ? { -readonly [K in keyof P]: FromSchema<P[K], R> }
    : S extends { readonly items: infer I }
      ? FromSchema<I, R>[]
      : Json[];
  type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;
  type Additional<S, R> = S extends { readonly additionalProperties: false }
    ? {}
    : S extends { readonly additionalProperties: infer A extends object }
      ? { [key: string]: FromSchema<A, R> }
      : S extends { readonly properties: object }
        ? {}
        : { [key: string]: Json };
  type Simplify<T> = { [K in keyof T]: T[K] } & {};
  type FromObject<S, R> = S extends { readonly properties: infer P }
    ? Simplify<
        { -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromSchema<P[K], R> } & {
          -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromSchema<P[K], R>;
        } & Additional<S, R>
      >
    : Additional<S, R>;

  /**
   * An object schema: a workflow's input and output are objects, as MCP requires of tools. Only
   * `type` is constrained here, since comparing a literal against the whole JsonSchema type
   * doubles the time of every check; the compiler validates the schema itself, strictly
   * (unknown keywords and `required` names missing from `properties` are errors).
   */
  export type ObjectSchema = { readonly type: "object" };

  /** When a workflow runs, besides being called by hand or as an MCP tool. */
  export type Trigger =
    | { readonly type: "manual" }
    /** Cron (5 fields) in a time zone (default UTC). */
    | { readonly type: "schedule"; readonly cron: string; readonly timezone?: string }
    /** A fixed interval counted from the Unix epoch: "15m", "2h", "1d". */
    | { readonly type: "schedule"; readonly every: string }
    /** Once, at a date and time with its offset: "2026-12-01T09:00:00+01:00". */
    | { readonly type: "schedule"; readonly at: string }
    | { readonly type: "webhook" }
    | { readonly type: "resource"; readonly integration: string; readonly uri: string };

  /** Who and what this run is. */
  export interface RunInfo {
    readonly runId: string;
    readonly workflow: string;
    readonly version: number;
    readonly trigger: Trigger["type"] | "tool";
    readonly attempt: number;
  }

  /** State saved per workflow: read at the start of a run, committed with its completion. */
  export interface SavedState {
    get<T extends Json = Json>(key: string): T | undefined;
    set(key: string, value: Json): void;
    delete(key: string): void;
  }

  /** Log lines land in the run record; values are copied as JSON. */
  export interface Logger {
    info(message: string, data?: Json): void;
    warn(message: string, data?: Json): void;
    error(message: string, data?: Json): void;
  }

  /** Everything a workflow gets besides its input and the tenant SDK. */
  export interface WorkflowContext {
    readonly log: Logger;
    readonly state: SavedState;
    /** The current time, recorded so that a resumed run sees the same value. */
    now(): Date;
    readonly run: RunInfo;
  }

  export interface WorkflowDefinition<I extends ObjectSchema, O extends ObjectSchema> {
    /** The workflow's name, also its MCP tool name: lower case, digits, `-` and `_`. */
    readonly name: string;
    readonly description: string;
    readonly input: I;
    readonly output: O;
    readonly triggers?: readonly Trigger[];
    /**
     * Tools, as "integration.tool" with the MCP tool name, whose retryable failures may be retried
     * although they are not read-only or idempotent: the author vouches that repeating them is safe.
     */
    readonly retry?: readonly string[];
    // NoInfer: the schemas alone decide the types; `run` is checked against them, not inferred from.
    readonly run: (input: NoInfer<FromSchema<I>>, ctx: WorkflowContext) => Promise<NoInfer<FromSchema<O>>>;
  }

  /** Declares a workflow; its module must `export default` the result. */
  export function defineWorkflow<const I extends ObjectSchema, const O extends ObjectSchema>(
    definition: WorkflowDefinition<I, O>,
  ): WorkflowDefinition<I, O>;

  /** Why a tool call failed (src/core/outcomes.ts says what each means; a test keeps the two lists equal). */
  export type ToolErrorCode =
    | "TOOL_ERROR"
    | "INVALID_ARGUMENTS"
    | "INVALID_OUTPUT"
    | "NOT_ALLOWED"
    | "TIMEOUT"
    | "UNAVAILABLE"
    | "LIMIT_EXCEEDED"
    | "NOT_MOCKED";

  /** A failed tool call, as workflow code can catch it. */
  export class ToolError extends Error {
    readonly code: ToolErrorCode;
    readonly retryable: boolean;
    readonly integration: string;
    readonly tool: string;
    constructor(
      code: ToolErrorCode,
      message: string,
      details: { retryable: boolean; integration: string; tool: string },
    );
  }

  /** A content block of an MCP tool result. */
  export type ContentBlock =
    | { readonly type: "text"; readonly text: string }
    | { readonly type: "image"; readonly data: string; readonly mimeType: string }
    | { readonly type: "audio"; readonly data: string; readonly mimeType: string }
    | { readonly type: "resource_link"; readonly uri: string; readonly name: string; readonly mimeType?: string }
    | {
        readonly type: "resource";
        readonly resource: {
          readonly uri: string;
          readonly mimeType?: string;
          readonly text?: string;
          readonly blob?: string;
        };
      };

  /** The result of a tool that declares no outputSchema. */
  export interface ToolResult {
    readonly content: readonly ContentBlock[];
    /** All text blocks, joined by newlines. */
    text(): string;
    /** The text parsed as JSON; the type is the caller's claim, checked by nothing. */
    json<T = Json>(): T;
  }
}

// Used by the generated SDK only; workflow code may not import it (the compiler rejects that).
declare module "charter:bridge" {
  /** Calls a tool through the host bridge. */
  export function callTool(integration: string, tool: string, args: unknown): Promise<unknown>;
}
