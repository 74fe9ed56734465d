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

export async function callTool(integration: string, tool: string, args: unknown): Promise<unknown> {
  if (!host) throw new ToolError("UNAVAILABLE", "this script is not running in a Charter sandbox", { retryable: false, integration, tool });
  const reply = JSON.parse(await host(JSON.stringify({ integration, tool, args }))) as Reply;
  if (!reply.ok) throw new ToolError(reply.error.code, reply.error.message, { retryable: reply.error.retryable, integration, tool });
  return "structured" in reply ? reply.structured : toolResult(reply.content ?? []);
}
