/**
 * The workflow contract (docs/workflow-contract.md): one text that the planner's system prompt, the
 * MCP resource charter://guide and the docs share, read once from the project's docs.
 */
import { readFileSync } from "node:fs";

export const CONTRACT_PATH = new URL("../../docs/workflow-contract.md", import.meta.url);
export const WORKFLOW_CONTRACT = readFileSync(CONTRACT_PATH, "utf8");

/**
 * The contract's fenced code blocks of a language ("ts", "json"), in order: the worked example's workflow and tests.
 */
export function contractBlocks(language: string): string[] {
  return [...WORKFLOW_CONTRACT.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map(
    (m) => m[1] ?? "",
  );
}
