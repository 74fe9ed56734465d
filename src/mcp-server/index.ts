export { type CharterMcpOptions, createCharterMcpServer, type McpCaller } from "./charter-mcp.ts";
export { mcpEndpoint } from "./http-endpoint.ts";
