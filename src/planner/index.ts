export { PlannerService } from "./planner-service.ts";
export type { PlanResult } from "./planner-service.ts";
export { ClaudeModel, costUsd } from "./model.ts";
export type { ModelTurn, PlannerModel } from "./model.ts";
export { PLANNER_TOOLS, planWithModel } from "./agent-loop.ts";
export type { Budget, PlannerProgress, PlanUsage } from "./agent-loop.ts";
export { PlannerTools, tokens } from "./planner-tools.ts";
export { SYSTEM_PROMPT } from "./prompt.ts";
