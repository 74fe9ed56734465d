/**
 * Charter's own MCP tools (`charter.*`), each declared once with core's defineTool: its schemas,
 * annotations and handler, and the roles that may list and call it. A workflow name cannot contain
 * a dot, so these never collide with the tenant's workflow tools.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { App } from "../../app.ts";
import {
  defineTool,
  type OutputSchema,
  type ToolDeclaration,
  type ToolDefinition,
} from "../../core/tool-definition.ts";
import type { Role, VersionRow } from "../../store/index.ts";
import type { McpCaller } from "../caller.ts";
import type { Progress } from "../results.ts";

/** What a charter.* tool's handler works with, for one call. */
export type ToolContext = {
  app: App;
  caller: McpCaller;
  /** Reports progress to a caller that asked for it. */
  progress: Progress;
  /** Runs a workflow's active version as its own tool would, with this call's progress and notifications. */
  runWorkflow: (version: VersionRow, input: unknown) => Promise<CallToolResult>;
};

/** A charter.* tool: its definition, and who may list and call it (the others never see it). */
export type ManagementTool = ToolDefinition<ToolContext, CallToolResult> & {
  allowed: (roles: ReadonlySet<Role>) => boolean;
};

/** Declares a charter.* tool: answering with data of its output schema, or with a call result of its own. */
export function charterTool<Input extends z.ZodType, Output extends OutputSchema>(
  declaration: ToolDeclaration<Input, Output, ToolContext, CallToolResult> & {
    allowed: (roles: ReadonlySet<Role>) => boolean;
  },
): ManagementTool {
  return { ...defineTool(declaration), allowed: declaration.allowed };
}
