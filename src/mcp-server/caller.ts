/** Who calls Charter's MCP server, and what their roles let them do there. */
import type { Role } from "../store/index.ts";
import type { Actor } from "../versions/index.ts";

/** A tenant and the user its API key (or local identity) stands for. */
export type McpCaller = { tenantId: string; actor: Actor; roles: ReadonlySet<Role> };

/** Running needs operator or admin, planning author or admin; reading is open to any role. */
export const may = {
  run: (roles: ReadonlySet<Role>) => roles.has("operator") || roles.has("admin"),
  plan: (roles: ReadonlySet<Role>) => roles.has("author") || roles.has("admin"),
  read: (_roles: ReadonlySet<Role>) => true,
};
