/** The trivial 3-call workflow the sandbox benchmark runs, compiled with the real pipeline. */
import { WorkflowCompiler } from "../src/compile/index.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import type { RunnableBundle } from "../src/runs/index.ts";
import { compilerSdkOf } from "../src/toolchain/index.ts";

const SOURCE = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "three-calls",
  description: "Calls a tool three times.",
  input: { type: "object" },
  output: { type: "object", properties: { joined: { type: "string" } }, required: ["joined"] },
  run: async () => {
    const a = await ops.echo({ text: "a" });
    const b = await ops.echo({ text: a.text + "b" });
    const c = await ops.echo({ text: b.text + "c" });
    return { joined: c.text };
  },
});`;

export async function compileWorkflowForBench(): Promise<RunnableBundle> {
  const tool = {
    name: "echo",
    inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    outputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  };
  const content = {
    server: { name: "ops", version: "1" },
    capabilities: { tools: {} },
    tools: [tool],
    resources: [],
    resourceTemplates: [],
    prompts: [],
  };
  const { compilerSdk } = compilerSdkOf([{ id: "ops", snapshotHash: contentHash(content), content }]);
  const result = await new WorkflowCompiler(compilerSdk).compile({ source: SOURCE, fileName: "three-calls.ts" });
  if (!result.ok || !result.bundle || !result.workflow) throw new Error(JSON.stringify(result.diagnostics));
  return {
    hash: result.bundle.hash,
    workflow: result.workflow.name,
    code: result.bundle.code,
    sourceMap: result.bundle.sourceMap,
    tools: result.capabilities.map((c) => ({
      integration: c.integration,
      tool: c.tool,
      annotations: c.annotations,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
    })),
    inputSchema: result.workflow.inputSchema,
    outputSchema: result.workflow.outputSchema,
    catalogHash: result.catalogHash,
    sdkHash: result.sdkHash,
  };
}
