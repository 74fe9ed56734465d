/** Planning: a plain-language request to a draft version, and the answer to a planner's question. */
import { z } from "zod";
import { type Route, route } from "../route.ts";
import type { RouteDeps } from "./index.ts";
import { Uuid, Version } from "./schemas.ts";
import { versionView } from "./views.ts";

const Plan = z.object({ request: z.string().min(1).max(4000), from: z.string().max(200).optional() }).strict();
const Answer = z.object({ answer: z.string().min(1).max(2000) }).strict();

const PlanUsage = z
  .object({
    turns: z.int(),
    inputTokens: z.int(),
    outputTokens: z.int(),
    cacheWriteTokens: z.int(),
    cacheReadTokens: z.int(),
    costUsd: z.number(),
    wallMs: z.number(),
    model: z.string(),
  })
  .meta({ id: "PlanUsage", description: "What planning took with a model (null for the offline planner)." });

const Planned = {
  version: Version,
  planner: z.string().meta({ description: "the model that planned, or offline" }),
  usage: PlanUsage.nullable(),
};

const DECLINED =
  "A question or a refusal is 422 { error: { code: PLANNER_NEEDS_INPUT | PLANNER_CANNOT, outcome, clause, " +
  "reason, options, session } }";

export function planRoutes({ app }: RouteDeps): Route[] {
  const tag = "plans";
  return [
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/plans",
      tag,
      summary: "Plans a request into a draft version.",
      description: `${DECLINED}; answer it at /plans/{session}/answer.`,
      access: "tenant",
      roles: ["author", "admin"],
      body: Plan,
      responses: { 201: { description: "the draft version", schema: z.object(Planned) } },
      handle: async ({ caller, body }, reply) => {
        const { tenantId, actor } = caller;
        const result = await app.planner.plan({ tenantId, request: body.request, from: body.from, author: actor });
        return reply(201, {
          version: versionView(result.version),
          planner: result.planner,
          usage: result.usage ?? null,
        });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/plans/:session/answer",
      tag,
      summary: "Continues a planning session that ended with a question or a refusal, with the asker's answer.",
      description: `A draft (201), or another question or refusal in the same session. ${DECLINED}.`,
      access: "tenant",
      roles: ["author", "admin"],
      body: Answer,
      responses: {
        201: { description: "the draft version", schema: z.object({ ...Planned, session: Uuid.nullable() }) },
      },
      handle: async ({ caller, params, body }, reply) => {
        const { tenantId, actor } = caller;
        const result = await app.planner.answer({
          tenantId,
          session: params.session,
          answer: body.answer,
          author: actor,
        });
        return reply(201, {
          version: versionView(result.version),
          planner: result.planner,
          usage: result.usage ?? null,
          session: result.session ?? null,
        });
      },
    }),
  ];
}
