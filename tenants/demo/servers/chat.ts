/**
 * Simulated team chat (channels, messages, direct messages, urgent pages), in memory.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { serve, structured, toolError } from "./serve.ts";

const Channel = z.object({
  id: z.string(),
  name: z.string().describe("Without the leading #"),
  topic: z.string(),
  private: z.boolean(),
  archived: z.boolean(),
  members: z.array(z.string()).describe("Member email addresses"),
});
type Channel = z.infer<typeof Channel>;
const Message = z.object({
  ts: z.string(),
  channel_id: z.string(),
  text: z.string(),
  thread_ts: z.string().nullable(),
});
type Message = z.infer<typeof Message>;

const Page = z.object({
  page_id: z.string(),
  user_email: z.string(),
  message: z.string(),
  urgency: z.enum(["high", "low"]),
  at: z.string(),
});
const DirectMessage = z.object({ ts: z.string(), user_email: z.string(), text: z.string() });

const channels = new Map<string, Channel>();
const messages: Message[] = [];
const pages: z.infer<typeof Page>[] = [];
const directMessages: z.infer<typeof DirectMessage>[] = [];
for (const name of ["it-ops", "incidents", "general"]) {
  channels.set(`C-${name}`, { id: `C-${name}`, name, topic: "", private: false, archived: false, members: [] });
}
let clock = 0;
const ts = () => `${Math.floor(Date.now() / 1000)}.${String(++clock).padStart(6, "0")}`;
const channelName = z
  .string()
  .regex(/^#?[a-z0-9][a-z0-9_-]{0,79}$/)
  .describe("Channel name, with or without #, or channel id");

function findChannel(nameOrId: string): Channel | undefined {
  const name = nameOrId.replace(/^#/, "");
  return channels.get(nameOrId) ?? [...channels.values()].find((channel) => channel.name === name);
}

function createServer(): McpServer {
  const server = new McpServer(
    { name: "demo-chat", version: "0.9.2", title: "Demo Chat" },
    { instructions: "Team chat of the demo company." },
  );
  const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };

  server.registerTool(
    "list_channels",
    {
      title: "List channels",
      description: "Channels, optionally including archived ones.",
      inputSchema: { include_archived: z.boolean().default(false) },
      outputSchema: { channels: z.array(Channel) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ include_archived }) =>
      structured({ channels: [...channels.values()].filter((channel) => include_archived || !channel.archived) }),
  );
  server.registerTool(
    "create_channel",
    {
      title: "Create channel",
      description: "Create a channel, e.g. a bridge channel for an incident, and invite members.",
      inputSchema: {
        name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/),
        topic: z.string().max(250).optional(),
        private: z.boolean().default(false),
        members: z.array(z.email()).max(100).optional(),
      },
      outputSchema: Channel.shape,
      annotations: write,
    },
    async ({ name, topic, private: isPrivate, members }) => {
      if (findChannel(name)) return toolError(`channel #${name} exists`);
      const channel: Channel = {
        id: `C-${name}`,
        name,
        topic: topic ?? "",
        private: isPrivate,
        archived: false,
        members: members ?? [],
      };
      channels.set(channel.id, channel);
      return structured(channel);
    },
  );
  server.registerTool(
    "post_message",
    {
      title: "Post message",
      description: "Post a message to a channel, optionally as a reply in a thread.",
      inputSchema: { channel: channelName, text: z.string().min(1).max(40_000), thread_ts: z.string().optional() },
      outputSchema: Message.shape,
      annotations: write,
    },
    async ({ channel, text, thread_ts }) => {
      const found = findChannel(channel);
      if (!found || found.archived) return toolError(`no open channel ${channel}`);
      const message: Message = { ts: ts(), channel_id: found.id, text, thread_ts: thread_ts ?? null };
      messages.push(message);
      return structured(message);
    },
  );
  // No outputSchema on purpose.
  server.registerTool(
    "get_channel_history",
    {
      title: "Channel history",
      description: "The latest messages of a channel, oldest first.",
      inputSchema: { channel: channelName, limit: z.number().int().min(1).max(200).default(20) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ channel, limit }) => {
      const found = findChannel(channel);
      if (!found) return toolError(`no channel ${channel}`);
      const history = messages.filter((message) => message.channel_id === found.id).slice(-limit);
      return {
        content: [
          {
            type: "text",
            text: history.map((message) => `[${message.ts}] ${message.text}`).join("\n") || "(no messages)",
          },
        ],
      };
    },
  );
  server.registerTool(
    "send_direct_message",
    {
      title: "Send direct message",
      description: "Send a private message to one person.",
      inputSchema: { user_email: z.email(), text: z.string().min(1).max(40_000) },
      outputSchema: { ts: z.string(), delivered: z.boolean() },
      annotations: write,
    },
    async ({ user_email, text }) => {
      const sent = { ts: ts(), user_email, text };
      directMessages.push(sent);
      return structured({ ts: sent.ts, delivered: true });
    },
  );
  server.registerTool(
    "list_direct_messages",
    {
      title: "List direct messages",
      description: "Direct messages sent through this workspace, newest first, optionally to one person.",
      inputSchema: { user_email: z.email().optional(), limit: z.number().int().min(1).max(200).default(50) },
      outputSchema: { messages: z.array(DirectMessage) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ user_email, limit }) =>
      structured({
        messages: directMessages
          .filter((m) => !user_email || m.user_email === user_email)
          .reverse()
          .slice(0, limit),
      }),
  );
  server.registerTool(
    "page_user",
    {
      title: "Page user",
      description: "Page a person urgently (push notification and phone call until acknowledged).",
      inputSchema: {
        user_email: z.email(),
        message: z.string().min(1).max(500),
        urgency: z.enum(["high", "low"]).default("high"),
      },
      outputSchema: { page_id: z.string(), status: z.enum(["triggered"]) },
      annotations: write,
    },
    async ({ user_email, message, urgency }) => {
      const page = { page_id: `PG-${ts()}`, user_email, message, urgency, at: new Date().toISOString() };
      pages.push(page);
      return structured({ page_id: page.page_id, status: "triggered" as const });
    },
  );
  server.registerTool(
    "list_pages",
    {
      title: "List pages",
      description: "Pages sent, newest first.",
      inputSchema: { limit: z.number().int().min(1).max(200).default(50) },
      outputSchema: { pages: z.array(Page) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ limit }) => structured({ pages: [...pages].reverse().slice(0, limit) }),
  );
  server.registerTool(
    "archive_channel",
    {
      title: "Archive channel",
      description: "Archive a channel; nobody can post in it afterwards.",
      inputSchema: { channel: channelName },
      outputSchema: Channel.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ channel }) => {
      const found = findChannel(channel);
      if (!found) return toolError(`no channel ${channel}`);
      found.archived = true;
      return structured(found);
    },
  );
  return server;
}

await serve(createServer);
