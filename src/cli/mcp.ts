/**
 * `charter mcp --tenant <t>`: Charter as an MCP server over stdio, for local clients (Claude
 * Desktop, Claude Code). Same tools, resources and rules as /mcp; the caller is CHARTER_API_KEY's
 * user, or `--as <user>`. stdout carries only MCP messages; anything else goes to stderr.
 */
import { keepServing } from "./keep-serving.ts";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createCharterMcpServer } from "../mcp-server/index.ts";
import { identify, withApp } from "./common.ts";

export const MCP_HELP = `Usage: charter mcp --tenant <tenant> [--as <user>]

Serves Charter over MCP on stdin/stdout for a local client: the tenant's approved workflows as tools
(running them needs the operator or admin role), charter.* tools to plan drafts and follow runs,
the tenant SDK as resources, and a draft_workflow prompt. Approval is never offered over MCP.
Who is calling: CHARTER_API_KEY (a key from 'charter keys create'), or --as <user> (a local user
from 'charter users add'). Runs until the client closes stdin.

Claude Desktop (claude_desktop_config.json) or Claude Code (.mcp.json):
  { "mcpServers": { "charter": { "command": "sh", "args": ["/path/to/charter/.ci/node", "/path/to/charter/src/cli/charter.js", "mcp", "--tenant", "demo"],
      "env": { "CHARTER_API_KEY": "chk_…", "CHARTER_DATA_DIR": "/path/to/.charter" } } } }`;

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
    process.stderr.write(`charter: MCP on stdio for tenant ${tenantId} as ${actor.handle} (${[...roles].join(", ") || "no roles"})\n`);
    await closed;
    await server.close().catch(() => undefined);
    stopKeeping();
    return 0;
  });
}
