/** An approved workflow version as an MCP tool: the entry tools/list gives for it. */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { definitionDescription } from "../compile/index.ts";
import type { VersionRow } from "../store/index.ts";

const descriptions = new Map<string, string>();

/** A version's tool: its description from the source (read once per version; versions never change). */
export function workflowTool(version: VersionRow): Tool {
  let description = descriptions.get(version.id);
  if (description === undefined) {
    description = definitionDescription(version.source) ?? `Workflow ${version.workflow}`;
    descriptions.set(version.id, description);
  }
  const capabilities = version.capabilities;
  return {
    name: version.workflow,
    title: version.workflow,
    description:
      `${description} (approved version ${version.number}; ` +
      `calls ${capabilities.map((c) => `${c.integration}.${c.tool}`).join(", ") || "no tools"})`,
    inputSchema: (version.inputSchema ?? { type: "object" }) as Tool["inputSchema"],
    ...(version.outputSchema ? { outputSchema: version.outputSchema as Tool["outputSchema"] } : {}),
    // A client may run it as an MCP task (tasks/get, tasks/result, tasks/cancel follow the durable run).
    execution: { taskSupport: "optional" },
    annotations: {
      title: version.workflow,
      readOnlyHint: capabilities.every((c) => c.annotations.readOnly),
      destructiveHint: capabilities.some((c) => c.annotations.destructive),
      idempotentHint: false,
      openWorldHint: capabilities.some((c) => c.annotations.openWorld),
    },
    _meta: { "charter/version": { workflow: version.workflow, number: version.number, id: version.id } },
  };
}
