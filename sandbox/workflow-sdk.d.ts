// The part of the guest runtime (`charter:workflow`) that generated tenant SDKs call into.
// Workflow code never calls callTool itself: it calls the typed SDK functions.
declare module "charter:workflow" {
  /** A content block of an MCP tool result. */
  export type ContentBlock =
    | { type: "text"; text: string }
    | { type: "image"; data: string; mimeType: string }
    | { type: "audio"; data: string; mimeType: string }
    | { type: "resource_link"; uri: string; name: string; mimeType?: string }
    | { type: "resource"; resource: { uri: string; mimeType?: string; text?: string; blob?: string } };

  /** The result of a tool that declares no outputSchema. */
  export interface ToolResult {
    readonly content: readonly ContentBlock[];
    /** All text blocks, joined by newlines. */
    text(): string;
    /** The text parsed as JSON; the type is the caller's claim, checked by nothing. */
    json<T = unknown>(): T;
  }

  /** Calls a tool through the host bridge. Used by the generated SDK only. */
  export function callTool(integration: string, tool: string, args: unknown): Promise<unknown>;
}
