/** charter.plan_workflow: a plain-language request to a draft version, or the planner's question or refusal. */
import { z } from "zod";
import { PlannerDeclined } from "../../core/errors.ts";
import type { PlannerProgress, PlanResult } from "../../planner/index.ts";
import { may } from "../caller.ts";
import { charterTool } from "./tool.ts";

const PlanRequest = z
  .object({
    request: z.string().min(1).max(4000).optional().describe("What the workflow should do, in plain language"),
    from: z.string().max(200).optional().describe("A version to start from: <workflow>@<n> or an id"),
    session: z
      .string()
      .max(100)
      .optional()
      .describe("A planning session that ended with a question or refusal, to continue with answer"),
    answer: z.string().min(1).max(2000).optional().describe("The answer to that session's question"),
  })
  .strict()
  .refine((args) => (args.request === undefined) !== (args.answer === undefined), {
    message: "give either request (a new plan) or session and answer (to continue one)",
  })
  .refine((args) => args.answer === undefined || (args.session !== undefined && args.from === undefined), {
    message: "answer goes with session, and without from",
  });

/** A draft made: the version, its plan, capabilities and gate results, and what happens next. */
const Draft = z.object({
  outcome: z.literal("draft"),
  version: z.string().describe("<workflow>@<n>"),
  id: z.string(),
  status: z.string(),
  plan: z.unknown().describe("the plan the draft was generated from (null when there is none)"),
  capabilities: z
    .array(z.object({ integration: z.string(), tool: z.string(), annotations: z.record(z.string(), z.unknown()) }))
    .describe("the tools it can call, with their annotations"),
  gates: z.array(z.object({ gate: z.string(), ok: z.boolean(), detail: z.string() })),
  planner: z.string(),
  next: z.string(),
});

/** The planner's question (needs-input) or refusal, with the session an answer continues. */
const Declined = z.object({
  outcome: z.enum(["refused", "needs-input"]),
  clause: z.string(),
  reason: z.string(),
  options: z.array(z.string()),
  session: z.string().optional(),
  next: z.string(),
});

export const planWorkflow = charterTool({
  name: "charter.plan_workflow",
  title: "Plan a workflow",
  description:
    "Turns a plain-language request into a draft workflow version: typed TypeScript over the " +
    "tenant's tools, with tests, checked by the compile and test gates. The draft never runs " +
    "until a human reviewer approves it outside MCP. Returns the version, its capabilities and " +
    "gate results; or the planner's question or refusal naming the part of the request, with a " +
    "session: call again with session and answer (no request) to continue it.",
  allowed: may.plan,
  input: PlanRequest,
  output: z.union([Draft, Declined]),
  annotations: { readOnly: false, openWorld: false },
  handle: async (args, { app, caller, progress }) => {
    const tenantId = caller.tenantId;
    const onProgress =
      progress &&
      ((p: PlannerProgress) =>
        progress(
          p.event === "turn"
            ? `planner turn ${p.turn}`
            : `${p.event === "checked" ? (p.ok ? "check passed: " : "check failed: ") : ""}${p.summary}`,
        ));
    let result: PlanResult;
    try {
      result =
        args.answer !== undefined
          ? await app.planner.answer({
              tenantId,
              session: String(args.session),
              answer: args.answer,
              author: caller.actor,
              ...(onProgress ? { onProgress } : {}),
            })
          : await app.planner.plan({
              tenantId,
              request: String(args.request),
              from: args.from,
              author: caller.actor,
              ...(onProgress ? { onProgress } : {}),
            });
    } catch (error) {
      // The planner's answer, not a failure: which part it could not plan, and why (or its question).
      if (error instanceof PlannerDeclined) {
        const next =
          error.outcome === "refused"
            ? "reword or drop the part named in clause and plan again, or answer how to do it instead"
            : "answer the question (options lists what the tenant has)";
        return {
          ...error.toJSON(),
          outcome: error.outcome,
          next: `${next}: call charter.plan_workflow with {"session":"${error.session ?? ""}","answer":"…"}`,
        };
      }
      throw error;
    }
    const v = result.version;
    return {
      outcome: "draft" as const,
      version: `${v.workflow}@${v.number}`,
      id: v.id,
      status: v.status,
      plan: v.origin?.plan ?? null,
      capabilities: v.capabilities,
      gates: v.gates,
      planner: result.planner,
      next:
        "a human reviewer submits and approves it outside MCP (charter submit/approve, or the " +
        "API); until then it never runs",
    };
  },
});
