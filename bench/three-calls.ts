/**
 * The workflow the run-path benches send webhooks to: 3 MCP calls to the counting test server
 * (read, non-idempotent write, read), and its test; and the webhook key the benches sign with.
 */
export const WEBHOOK_KEY = "bench-webhook-key-0123456789abcdef";

export const THREE_CALLS = {
  fileName: "three-calls.ts",
  source: `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "three-calls",
  description: "Reads, appends, reads.",
  input: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  output: { type: "object", properties: { done: { type: "boolean" } }, required: ["done"] },
  triggers: [{ type: "webhook" }],
  run: async (input) => {
    await ops.lookup({});
    await ops.append({ text: input.text });
    await ops.lookup({});
    return { done: true };
  },
});`,
  tests: JSON.stringify({
    tests: [
      {
        name: "three calls",
        input: { text: "x" },
        mocks: {
          "ops.lookup": [{ output: { value: "v" } }, { output: { value: "v" } }],
          "ops.append": [{ output: { written: "x" } }],
        },
        expect: { output: { done: true } },
      },
    ],
  }),
};
