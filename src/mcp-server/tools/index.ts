/** Charter's own MCP tools, in the order tools/list gives them. */
import { planWorkflow } from "./plan-workflow.ts";
import { getRun, getRunLogs, listRuns, startRun, waitForRuns } from "./runs.ts";
import type { ManagementTool } from "./tool.ts";
import { getVersion, listVersions, listWorkflows } from "./versions.ts";

export type { ManagementTool, ToolContext } from "./tool.ts";

export const MANAGEMENT_TOOLS: readonly ManagementTool[] = [
  planWorkflow,
  listWorkflows,
  listVersions,
  getVersion,
  startRun,
  getRun,
  getRunLogs,
  listRuns,
  waitForRuns,
];
