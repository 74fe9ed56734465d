/**
 * The guest side of the bridge (`charter:bridge`), used only by the generated SDK. The host
 * installs one function, `__charterBridge`, before the workflow script runs; this module takes it
 * off the global object when it is evaluated, before any workflow code, so workflow code can reach
 * the host only through SDK functions. Requests and replies cross as JSON text.
 */
import { ToolError, toolResult } from "./workflow.ts";

type HostBridge = (request: string) => Promise<string>;
type Reply =
  | { ok: true; structured?: unknown; content?: { type: string; text?: string }[] }
  | { ok: false; error: { code: ConstructorParameters<typeof ToolError>[0]; message: string; retryable: boolean } };

const scope = globalThis as { __charterBridge?: HostBridge };
const host = scope.__charterBridge;
delete scope.__charterBridge;
// Taken before any workflow code runs, and the request is put together from strings: a workflow that
// replaces JSON.stringify or adds an Object.prototype.toJSON cannot rewrite which tool a request
// names (and so borrow another tool's failure); only its own arguments are its to shape.
const stringify = JSON.stringify;
const parse = JSON.parse;
const request = (integration: string, tool: string, args: unknown) =>
  `{"integration":${stringify(integration)},"tool":${stringify(tool)},"args":${stringify(args)}}`;

export async function callTool(integration: string, tool: string, args: unknown): Promise<unknown> {
  if (!host)
    throw new ToolError("UNAVAILABLE", "this script is not running in a Charter sandbox", {
      retryable: false,
      integration,
      tool,
    });
  const reply = parse(await host(request(String(integration), String(tool), args))) as Reply;
  if (!reply.ok)
    throw new ToolError(reply.error.code, reply.error.message, { retryable: reply.error.retryable, integration, tool });
  return "structured" in reply ? reply.structured : toolResult(reply.content ?? []);
}
