// Report an outage: open an incident, and when it is a P1, page the on-call engineer and
// announce it in #it-ops.
import { chat, directory, tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";

export default defineWorkflow({
  name: "report-outage",
  description: "Opens an incident for an outage; for a P1 also pages the on-call engineer and announces it in #it-ops.",
  input: {
    type: "object",
    properties: {
      title: { type: "string", minLength: 5 },
      description: { type: "string" },
      service: { type: "string" },
      priority: { enum: ["P1", "P2", "P3", "P4"] },
      reporter_email: { type: "string" },
    },
    required: ["title", "priority", "reporter_email"],
    additionalProperties: false,
  },
  output: {
    type: "object",
    properties: {
      incident_id: { type: "string" },
      paged: { type: ["string", "null"] },
      announced: { type: "boolean" },
    },
    required: ["incident_id", "paged", "announced"],
    additionalProperties: false,
  },
  triggers: [{ type: "webhook" }],
  run: async (input, ctx) => {
    const incident = await tickets.createIncident({
      title: input.title,
      description: input.description ?? input.title,
      priority: input.priority,
      reporter_email: input.reporter_email,
      ...(input.service ? { service: input.service } : {}),
      tags: ["reported-by-workflow"],
    });
    ctx.log.info("incident opened", { id: incident.id, priority: incident.priority });
    if (incident.priority !== "P1") return { incident_id: incident.id, paged: null, announced: false };

    const onCall = await directory.getOnCall({});
    await chat.pageUser({
      user_email: onCall.user.email,
      urgency: "high",
      message: `P1 ${incident.id}: ${incident.title}`,
    });
    await chat.postMessage({
      channel: "it-ops",
      text: `:rotating_light: P1 ${incident.id} opened at ${ctx.now().toISOString()}: ${incident.title}. ${onCall.user.name} is paged.`,
    });
    return { incident_id: incident.id, paged: onCall.user.email, announced: true };
  },
});
