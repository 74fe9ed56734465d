/**
 * Simulated ITSM ticketing system (incidents and change requests), in memory. Creating an
 * incident notifies subscribers of `tickets://incidents/new`, which is how a workflow can start
 * "when an incident is opened".
 */
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { serve, structured, Subscriptions, toolError } from "./serve.ts";

const Priority = z.enum(["P1", "P2", "P3", "P4"]).describe("P1 is a critical outage, P4 a minor request");
const IncidentStatus = z.enum(["new", "in_progress", "on_hold", "resolved", "closed"]);
const Person = z.object({ id: z.string(), name: z.string(), email: z.string() });
const Comment = z.object({
  author: z.string(),
  body: z.string(),
  visibility: z.enum(["internal", "public"]),
  at: z.string(),
});
const Incident = z.object({
  id: z.string().describe("Incident number, e.g. INC0001"),
  title: z.string(),
  description: z.string(),
  priority: Priority,
  status: IncidentStatus,
  service: z.string().optional().describe("Affected business service"),
  reporter_email: z.string(),
  assignee: Person.nullable(),
  tags: z.array(z.string()),
  comments: z.array(Comment),
  created_at: z.string(),
  resolution: z.object({ code: z.string(), notes: z.string() }).optional(),
});
type Incident = z.infer<typeof Incident>;
const Change = z.object({
  id: z.string(),
  title: z.string(),
  risk: z.enum(["low", "medium", "high"]),
  status: z.enum(["draft", "scheduled", "implemented", "cancelled"]),
  window: z.object({ start: z.string(), end: z.string() }),
  linked_incidents: z.array(z.string()),
});
type Change = z.infer<typeof Change>;

const NEW_INCIDENTS = "tickets://incidents/new";
const incidents = new Map<string, Incident>();
const changes = new Map<string, Change>();
const subscriptions = new Subscriptions();
const now = () => new Date().toISOString();
const nextId = (prefix: string, size: number) => `${prefix}${String(size + 1).padStart(4, "0")}`;

incidents.set("INC0001", {
  id: "INC0001",
  title: "VPN drops every 10 minutes for the Berlin office",
  description: "Users in Berlin report VPN disconnects since this morning.",
  priority: "P2",
  status: "in_progress",
  service: "vpn",
  reporter_email: "mara.keller@example.com",
  assignee: { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" },
  tags: ["network"],
  comments: [],
  created_at: "2026-11-20T08:15:00.000Z",
});

function createServer(): McpServer {
  const server = new McpServer(
    { name: "demo-ticketing", version: "1.4.0", title: "Demo Ticketing (ITSM)" },
    {
      capabilities: { resources: { subscribe: true, listChanged: false } },
      instructions: "Incidents and change requests of the demo IT team.",
    },
  );
  subscriptions.enable(server);

  server.registerTool(
    "create_incident",
    {
      title: "Create incident",
      description: "Open a new incident. Subscribers of tickets://incidents/new are notified.",
      inputSchema: {
        title: z.string().min(3).max(200),
        description: z.string().max(5000).optional(),
        priority: Priority,
        service: z.string().optional(),
        reporter_email: z.email(),
        tags: z.array(z.string()).max(20).optional(),
      },
      outputSchema: Incident.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      const incident: Incident = {
        id: nextId("INC", incidents.size),
        title: args.title,
        description: args.description ?? "",
        priority: args.priority,
        status: "new",
        service: args.service,
        reporter_email: args.reporter_email,
        assignee: null,
        tags: args.tags ?? [],
        comments: [],
        created_at: now(),
      };
      incidents.set(incident.id, incident);
      subscriptions.notify(NEW_INCIDENTS);
      return structured(incident);
    },
  );

  server.registerTool(
    "get_incident",
    {
      title: "Get incident",
      description: "Read one incident by its number.",
      inputSchema: { id: z.string().regex(/^INC\d{4,}$/) },
      outputSchema: Incident.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => {
      const incident = incidents.get(id);
      return incident ? structured(incident) : toolError(`no incident ${id}`);
    },
  );

  server.registerTool(
    "list_incidents",
    {
      title: "List incidents",
      description: "List incidents, newest first, optionally filtered by status and priority.",
      inputSchema: {
        status: IncidentStatus.optional(),
        priority: Priority.optional(),
        limit: z.number().int().min(1).max(100).default(20),
      },
      outputSchema: { incidents: z.array(Incident), total: z.number().int() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ status, priority, limit }) => {
      const matching = [...incidents.values()]
        .filter((incident) => (!status || incident.status === status) && (!priority || incident.priority === priority))
        .reverse();
      return structured({ incidents: matching.slice(0, limit), total: matching.length });
    },
  );

  server.registerTool(
    "update_incident",
    {
      title: "Update incident",
      description: "Change an incident's status, priority or assignee. Setting the same values again changes nothing.",
      inputSchema: {
        id: z.string(),
        status: IncidentStatus.exclude(["closed"]).optional(),
        priority: Priority.optional(),
        assignee: Person.optional(),
      },
      outputSchema: Incident.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ id, status, priority, assignee }) => {
      const incident = incidents.get(id);
      if (!incident) return toolError(`no incident ${id}`);
      Object.assign(incident, {
        ...(status && { status }),
        ...(priority && { priority }),
        ...(assignee && { assignee }),
      });
      return structured(incident);
    },
  );

  server.registerTool(
    "close_incident",
    {
      title: "Close incident",
      description: "Resolve and close an incident. Closed incidents cannot be reopened.",
      inputSchema: {
        id: z.string(),
        resolution_code: z.enum(["fixed", "workaround", "duplicate", "not_reproducible", "cancelled"]),
        notes: z.string().min(1),
      },
      outputSchema: Incident.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ id, resolution_code, notes }) => {
      const incident = incidents.get(id);
      if (!incident) return toolError(`no incident ${id}`);
      if (incident.status === "closed") return toolError(`${id} is already closed`);
      Object.assign(incident, { status: "closed", resolution: { code: resolution_code, notes } });
      return structured(incident);
    },
  );

  // No outputSchema on purpose: callers get plain tool content.
  server.registerTool(
    "add_comment",
    {
      title: "Add comment",
      description: "Add a work note (internal) or a comment visible to the reporter (public).",
      inputSchema: {
        id: z.string(),
        body: z.string().min(1).max(10_000),
        visibility: z.enum(["internal", "public"]).default("internal"),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ id, body, visibility }) => {
      const incident = incidents.get(id);
      if (!incident) return toolError(`no incident ${id}`);
      incident.comments.push({ author: "charter", body, visibility, at: now() });
      return { content: [{ type: "text", text: `Comment ${incident.comments.length} added to ${id}.` }] };
    },
  );

  server.registerTool(
    "create_change",
    {
      title: "Create change request",
      description: "Draft a change request for a maintenance window, optionally linked to incidents.",
      inputSchema: {
        title: z.string().min(3),
        risk: z.enum(["low", "medium", "high"]),
        window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
        linked_incidents: z.array(z.string()).optional(),
      },
      outputSchema: Change.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      const change: Change = {
        id: nextId("CHG", changes.size),
        title: args.title,
        risk: args.risk,
        status: "draft",
        window: args.window,
        linked_incidents: args.linked_incidents ?? [],
      };
      changes.set(change.id, change);
      return structured(change);
    },
  );

  server.registerResource(
    "new-incidents",
    NEW_INCIDENTS,
    {
      title: "New incidents",
      description: "Incidents in status new, newest first. Subscribe to hear about each new one.",
      mimeType: "application/json",
    },
    async (uri) => {
      const fresh = [...incidents.values()].filter((incident) => incident.status === "new").reverse();
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(fresh) }] };
    },
  );
  server.registerResource(
    "incident",
    new ResourceTemplate("tickets://incidents/{id}", { list: undefined }),
    { title: "Incident", description: "One incident as JSON.", mimeType: "application/json" },
    async (uri, { id }) => ({
      contents: [
        { uri: uri.href, mimeType: "application/json", text: JSON.stringify(incidents.get(String(id)) ?? null) },
      ],
    }),
  );
  server.registerPrompt(
    "summarize_incident",
    {
      title: "Summarize incident",
      description: "Summarize an incident for a status update.",
      argsSchema: { id: z.string() },
    },
    ({ id }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Summarize incident ${id} for stakeholders.` } }],
    }),
  );
  return server;
}

await serve(createServer);
