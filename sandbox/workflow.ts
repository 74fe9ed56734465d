/**
 * The guest runtime behind `charter:workflow`, bundled into every workflow script. It runs inside
 * the isolate with no Node.js and no DOM: plain ECMAScript only. Declarations: sandbox/charter.d.ts.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

type ToolErrorCode =
  | "TOOL_ERROR"
  | "INVALID_ARGUMENTS"
  | "INVALID_OUTPUT"
  | "NOT_ALLOWED"
  | "TIMEOUT"
  | "UNAVAILABLE"
  | "LIMIT_EXCEEDED"
  | "NOT_MOCKED";

/** Returns the definition unchanged: the compiler reads it statically, the host calls `run`. */
export function defineWorkflow<T>(definition: T): T {
  return Object.freeze(definition);
}

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly retryable: boolean;
  readonly integration: string;
  readonly tool: string;
  constructor(
    code: ToolErrorCode,
    message: string,
    details: { retryable: boolean; integration: string; tool: string },
  ) {
    super(message);
    this.name = "ToolError";
    this.code = code;
    this.retryable = details.retryable;
    this.integration = details.integration;
    this.tool = details.tool;
  }
}

type ContentBlock = { readonly type: string; readonly text?: string };

/** A tool result without an outputSchema: content blocks plus text and JSON helpers. */
export function toolResult(content: readonly ContentBlock[]) {
  const frozen = Object.freeze([...content]);
  const text = () =>
    frozen
      .filter((block) => block.type === "text" && typeof block.text === "string")
      .map((block) => block.text)
      .join("\n");
  return Object.freeze({
    content: frozen,
    text,
    json<T = Json>(): T {
      return JSON.parse(text()) as T;
    },
  });
}
