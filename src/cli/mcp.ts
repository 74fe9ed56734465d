/**
 * `charter mcp --tenant <t>`: Charter as an MCP server over stdio, for local clients (Claude
 * Desktop, Claude Code). Same tools, resources and rules as /mcp; the caller is CHARTER_API_KEY's
 * user, or `--as <user>`. stdout carries only MCP messages; anything else goes to stderr.
 */
import { keepServing } from "./keep-serving.ts";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createCharterMcpServer } from "../mcp-server/index.ts";
import { identify, withApp } from "./common.ts";

export async function mcpCommand(options: { tenant: string | undefined; as: string | undefined }): Promise<number> {
  return withApp(async (app) => {
    const { actor, tenantId } = await identify(app, options);
    const roles = await app.identity.roles(tenantId, actor.userId);
    const server = createCharterMcpServer(app, { tenantId, actor, roles });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once("end", () => resolve());
    });
    // stdout is the protocol: events go to stderr.
    const stopKeeping = keepServing((line) => process.stderr.write(`${JSON.stringify(line)}\n`));
    await server.connect(transport);
    process.stderr.write(
      `charter: MCP on stdio for tenant ${tenantId} as ${actor.handle} (${[...roles].join(", ") || "no roles"})\n`,
    );
    await closed;
    await server.close().catch(() => undefined);
    stopKeeping();
    return 0;
  });
}
