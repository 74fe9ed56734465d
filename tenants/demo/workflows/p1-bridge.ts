// When a P1 incident is opened: page the on-call engineer, open a bridge channel with them in it,
// post the incident summary there, and note the bridge on the ticket. Started by the ticketing
// server's new-incidents resource, or by hand or as an MCP tool with an incident id.
import { chat, directory, tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";

export default defineWorkflow({
  name: "p1-bridge",
  description:
    "Pages the on-call engineer for each new P1 incident, opens a bridge channel and posts the incident summary there.",
  input: {
    type: "object",
    properties: {
      incident_id: { type: "string", description: "Incident number, e.g. INC0001, when called by hand or as a tool" },
      rotation: { type: "string", description: "On-call rotation to page (default: the primary one)" },
      uri: { type: "string", description: "Set by the new-incidents trigger: the resource that changed" },
      text: { type: "string", description: "Set by the new-incidents trigger: the incidents in status new, as JSON" },
    },
    additionalProperties: false,
  },
  output: {
    type: "object",
    properties: {
      bridges: {
        type: "array",
        items: {
          type: "object",
          properties: {
            incident_id: { type: "string" },
            channel: { type: "string" },
            paged: { type: "string", description: "Email of the engineer who was paged" },
          },
          required: ["incident_id", "channel", "paged"],
          additionalProperties: false,
        },
      },
      skipped: { type: "array", items: { type: "string" }, description: "Incidents looked at that are not P1" },
    },
    required: ["bridges", "skipped"],
    additionalProperties: false,
  },
  triggers: [{ type: "resource", integration: "tickets", uri: "tickets://incidents/new" }],
  run: async (input, ctx) => {
    // The trigger passes every incident still new, including those bridged by earlier runs: skip
    // those. An incident named by hand is bridged even if it was before.
    const seen = new Set(ctx.state.get<string[]>("seen") ?? []);
    const ids = input.incident_id ? [input.incident_id] : newIncidentIds(input.text).filter((id) => !seen.has(id));
    if (ids.length === 0) ctx.log.info("no incident to look at");

    const bridges: { incident_id: string; channel: string; paged: string }[] = [];
    const skipped: string[] = [];
    for (const id of ids) {
      seen.add(id);
      const incident = await tickets.getIncident({ id });
      if (incident.priority !== "P1") {
        ctx.log.info("not a P1; nothing to do", { id, priority: incident.priority });
        skipped.push(incident.id);
        continue;
      }

      const onCall = await directory.getOnCall(input.rotation ? { rotation: input.rotation } : {});
      const page = await chat.pageUser({
        user_email: onCall.user.email,
        urgency: "high",
        message: `P1 ${incident.id}: ${incident.title}`,
      });
      ctx.log.info("paged on-call engineer", { email: onCall.user.email, page: page.page_id });

      const channel = await chat.createChannel({
        name: `inc-${incident.id.toLowerCase()}`,
        topic: `P1 bridge for ${incident.id}: ${incident.title}`,
        members: [onCall.user.email],
      });

      await chat.postMessage({ channel: channel.name, text: summary(incident) });
      await tickets.addComment({
        id: incident.id,
        visibility: "internal",
        body: `Bridge channel #${channel.name} opened; ${onCall.user.name} paged (${page.page_id}).`,
      });
      bridges.push({ incident_id: incident.id, channel: channel.name, paged: onCall.user.email });
    }

    ctx.state.set("seen", [...seen].slice(-1000));
    ctx.state.set("bridges_opened", (ctx.state.get<number>("bridges_opened") ?? 0) + bridges.length);
    return { bridges, skipped };
  },
});

/** The ids in the trigger's text: a JSON array of incidents. Anything else holds none. */
function newIncidentIds(text: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((item) =>
    item !== null && typeof item === "object" && "id" in item && typeof item.id === "string" ? [item.id] : [],
  );
}

type Incident = Awaited<ReturnType<typeof tickets.getIncident>>;

function summary(incident: Incident): string {
  const lines = [
    `*${incident.id} (${incident.priority}): ${incident.title}*`,
    incident.description,
    `Reported by ${incident.reporter_email} at ${incident.created_at}.`,
  ];
  if (incident.service) lines.push(`Affected service: ${incident.service}`);
  if (incident.assignee) lines.push(`Assigned to ${incident.assignee.name}.`);
  return lines.join("\n");
}
