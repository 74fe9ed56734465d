/**
 * Simulated identity directory (users, groups, membership, on-call rotation), in memory. Adding
 * a user to a group notifies subscribers of `directory://events/membership`.
 */
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { serve, structured, Subscriptions, toolError } from "./serve.ts";

const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  department: z.enum(["engineering", "it", "finance", "sales", "support", "hr"]),
  title: z.string().optional(),
  manager_id: z.string().nullable(),
  status: z.enum(["active", "disabled"]),
  groups: z.array(z.string()).describe("Group ids"),
});
type User = z.infer<typeof User>;
const Group = z.object({ id: z.string(), name: z.string(), description: z.string(), member_ids: z.array(z.string()) });
type Group = z.infer<typeof Group>;
const MembershipEvent = z.object({
  user_id: z.string(),
  group_id: z.string(),
  change: z.enum(["added", "removed"]),
  at: z.string(),
});

const MEMBERSHIP_EVENTS = "directory://events/membership";
const users = new Map<string, User>();
const groups = new Map<string, Group>();
const events: z.infer<typeof MembershipEvent>[] = [];
const subscriptions = new Subscriptions();

for (const user of [
  {
    id: "u-1001",
    email: "mara.keller@example.com",
    name: "Mara Keller",
    department: "finance",
    title: "Controller",
    manager_id: null,
  },
  {
    id: "u-1002",
    email: "sam.okafor@example.com",
    name: "Sam Okafor",
    department: "it",
    title: "Network engineer",
    manager_id: "u-1003",
  },
  {
    id: "u-1003",
    email: "li.wen@example.com",
    name: "Li Wen",
    department: "it",
    title: "IT manager",
    manager_id: null,
  },
  {
    id: "u-1004",
    email: "ana.costa@example.com",
    name: "Ana Costa",
    department: "engineering",
    title: "SRE",
    manager_id: "u-1003",
  },
] as const) {
  users.set(user.id, { ...user, status: "active", groups: [] });
}
for (const group of [
  { id: "g-vpn", name: "vpn-users", description: "May connect to the corporate VPN" },
  { id: "g-admins", name: "it-admins", description: "Administrators of IT systems" },
  { id: "g-oncall", name: "sre-oncall", description: "SRE on-call rotation" },
]) {
  groups.set(group.id, { ...group, member_ids: [] });
}
// The memberships the directory starts with, with the events that made them (as a real log has).
for (const [userId, groupId, at] of [
  ["u-1002", "g-admins", "2026-10-01T09:00:00.000Z"],
  ["u-1004", "g-oncall", "2026-10-02T09:00:00.000Z"],
  ["u-1002", "g-oncall", "2026-10-03T09:00:00.000Z"],
] as const) {
  if (join(userId, groupId)) events.push({ user_id: userId, group_id: groupId, change: "added", at });
}

function join(userId: string, groupId: string): boolean {
  const user = users.get(userId);
  const group = groups.get(groupId);
  if (!user || !group || group.member_ids.includes(userId)) return false;
  group.member_ids.push(userId);
  user.groups.push(groupId);
  return true;
}

function findGroup(idOrName: string): Group | undefined {
  return groups.get(idOrName) ?? [...groups.values()].find((group) => group.name === idOrName);
}

function createServer(): McpServer {
  const server = new McpServer(
    { name: "demo-directory", version: "2.1.0", title: "Demo Directory" },
    {
      capabilities: { resources: { subscribe: true } },
      instructions: "People, groups and the on-call rotation of the demo company.",
    },
  );
  subscriptions.enable(server);
  const readOnly = { readOnlyHint: true, openWorldHint: false };

  server.registerTool(
    "get_user",
    {
      title: "Get user",
      description: "Look up one user by id or by email address.",
      inputSchema: { user_id: z.string().optional(), email: z.email().optional() },
      outputSchema: User.shape,
      annotations: readOnly,
    },
    async ({ user_id, email }) => {
      const user = user_id ? users.get(user_id) : [...users.values()].find((candidate) => candidate.email === email);
      return user ? structured(user) : toolError(`no user ${user_id ?? email ?? "(give user_id or email)"}`);
    },
  );
  server.registerTool(
    "find_users",
    {
      title: "Find users",
      description: "Search users by name or email, optionally within a department.",
      inputSchema: {
        query: z.string().min(1),
        department: User.shape.department.optional(),
        limit: z.number().int().min(1).max(50).default(10),
      },
      outputSchema: { users: z.array(User) },
      annotations: readOnly,
    },
    async ({ query, department, limit }) => {
      const needle = query.toLowerCase();
      const found = [...users.values()].filter(
        (user) =>
          (user.name.toLowerCase().includes(needle) || user.email.includes(needle)) &&
          (!department || user.department === department),
      );
      return structured({ users: found.slice(0, limit) });
    },
  );
  server.registerTool(
    "create_user",
    {
      title: "Create user",
      description: "Create a new user account (onboarding).",
      inputSchema: {
        email: z.email(),
        name: z.string().min(1),
        department: User.shape.department,
        title: z.string().optional(),
        manager_id: z.string().optional(),
      },
      outputSchema: User.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      if ([...users.values()].some((user) => user.email === args.email))
        return toolError(`a user with email ${args.email} exists`);
      const user: User = {
        id: `u-${1001 + users.size}`,
        email: args.email,
        name: args.name,
        department: args.department,
        title: args.title,
        manager_id: args.manager_id ?? null,
        status: "active",
        groups: [],
      };
      users.set(user.id, user);
      return structured(user);
    },
  );
  server.registerTool(
    "disable_user",
    {
      title: "Disable user",
      description: "Disable a user's account and sign them out everywhere (offboarding).",
      inputSchema: { user_id: z.string(), reason: z.string().min(1) },
      outputSchema: User.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ user_id }) => {
      const user = users.get(user_id);
      if (!user) return toolError(`no user ${user_id}`);
      user.status = "disabled";
      return structured(user);
    },
  );
  server.registerTool(
    "list_groups",
    {
      title: "List groups",
      description: "All groups with their members.",
      inputSchema: {},
      outputSchema: { groups: z.array(Group) },
      annotations: readOnly,
    },
    async () => structured({ groups: [...groups.values()] }),
  );
  server.registerTool(
    "add_user_to_group",
    {
      title: "Add user to group",
      description: "Add a user to a group (by group id or name). Adding an existing member changes nothing.",
      inputSchema: { user_id: z.string(), group: z.string().describe("Group id or name") },
      outputSchema: {
        user_id: z.string(),
        group_id: z.string(),
        added: z.boolean().describe("False when the user already was a member"),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ user_id, group }) => {
      const found = findGroup(group);
      if (!found || !users.has(user_id)) return toolError(`no ${found ? `user ${user_id}` : `group ${group}`}`);
      const added = join(user_id, found.id);
      if (added) {
        events.push({ user_id, group_id: found.id, change: "added", at: new Date().toISOString() });
        subscriptions.notify(MEMBERSHIP_EVENTS);
      }
      return structured({ user_id, group_id: found.id, added });
    },
  );
  // No outputSchema on purpose.
  server.registerTool(
    "remove_user_from_group",
    {
      title: "Remove user from group",
      description: "Remove a user from a group; their access through it ends at once.",
      inputSchema: { user_id: z.string(), group: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ user_id, group }) => {
      const found = findGroup(group);
      const user = users.get(user_id);
      if (!found || !user) return toolError(`no ${found ? `user ${user_id}` : `group ${group}`}`);
      found.member_ids = found.member_ids.filter((id) => id !== user_id);
      user.groups = user.groups.filter((id) => id !== found.id);
      events.push({ user_id, group_id: found.id, change: "removed", at: new Date().toISOString() });
      subscriptions.notify(MEMBERSHIP_EVENTS);
      return { content: [{ type: "text", text: `${user.name} removed from ${found.name}.` }] };
    },
  );
  server.registerTool(
    "get_on_call",
    {
      title: "Get on-call engineer",
      description: "Who is on call now for a rotation (a group), and until when.",
      inputSchema: { rotation: z.string().default("sre-oncall").describe("Group id or name of the rotation") },
      outputSchema: { rotation: z.string(), user: User, until: z.string() },
      annotations: readOnly,
    },
    async ({ rotation }) => {
      const group = findGroup(rotation);
      const first = group?.member_ids[new Date().getUTCDate() % Math.max(1, group.member_ids.length)];
      const user = first ? users.get(first) : undefined;
      if (!group || !user) return toolError(`nobody is on call for ${rotation}`);
      const until = new Date();
      until.setUTCHours(24, 0, 0, 0);
      return structured({ rotation: group.name, user, until: until.toISOString() });
    },
  );

  server.registerResource(
    "membership-events",
    MEMBERSHIP_EVENTS,
    {
      title: "Membership events",
      description: "Recent group membership changes. Subscribe to hear about each one.",
      mimeType: "application/json",
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(events.slice(-50)) }],
    }),
  );
  server.registerResource(
    "group-members",
    new ResourceTemplate("directory://groups/{id}/members", { list: undefined }),
    { title: "Group members", description: "The members of one group.", mimeType: "application/json" },
    async (uri, { id }) => {
      const members = (findGroup(String(id))?.member_ids ?? []).map((userId) => users.get(userId));
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(members) }] };
    },
  );
  return server;
}

await serve(createServer);
