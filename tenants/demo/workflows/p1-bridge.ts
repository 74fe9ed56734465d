// When a P1 incident is opened: page the on-call engineer, open a bridge channel with them in it,
// post the incident summary there, and note the bridge on the ticket.
import { chat, directory, tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";

export default defineWorkflow({
  name: "p1-bridge",
  description: "Pages the on-call engineer for a P1 incident, opens a bridge channel and posts the incident summary there.",
  input: {
    type: "object",
    properties: {
      incident_id: { type: "string", description: "Incident number, e.g. INC0001" },
      rotation: { type: "string", description: "On-call rotation to page (default: the primary one)" },
    },
    required: ["incident_id"],
    additionalProperties: false,
  },
  output: {
    type: "object",
    properties: {
      incident_id: { type: "string" },
      handled: { type: "boolean", description: "False when the incident is not a P1" },
      channel: { type: "string" },
      paged: { type: "string", description: "Email of the engineer who was paged" },
    },
    required: ["incident_id", "handled"],
    additionalProperties: false,
  },
  triggers: [{ type: "resource", integration: "tickets", uri: "tickets://incidents/new" }],
  run: async (input, ctx) => {
    const incident = await tickets.getIncident({ id: input.incident_id });
    if (incident.priority !== "P1") {
      ctx.log.info("not a P1; nothing to do", { priority: incident.priority });
      return { incident_id: incident.id, handled: false };
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

    const handled = (ctx.state.get<number>("bridges_opened") ?? 0) + 1;
    ctx.state.set("bridges_opened", handled);
    return { incident_id: incident.id, handled: true, channel: channel.name, paged: onCall.user.email };
  },
});

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
