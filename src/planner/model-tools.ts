/**
 * The tools the planner's model calls, each declared once with core's defineTool: its name,
 * description and zod input (the JSON Schema the model reads is made from it, and its arguments
 * are parsed by it), and a handler over PlannerTools. A handler answers with JSON text the loop
 * fences as data; ask_user and cannot_plan end planning with the person's question or a refusal,
 * and an accepted submit_draft ends it with the draft.
 */
import { z } from "zod";
import { PlannerDeclined } from "../core/errors.ts";
import { WorkflowPlan } from "../core/plan.ts";
import { defineTool, shownAs, type ToolDeclaration, type ToolDefinition } from "../core/tool-definition.ts";
import type { PlannerTools } from "./planner-tools.ts";

export type PlannerProgress =
  | {
      event: "turn";
      turn: number;
      inputTokens: number;
      outputTokens: number;
      cacheWriteTokens: number;
      cacheReadTokens: number;
    }
  | { event: "tool"; name: string; summary: string }
  | { event: "checked"; ok: boolean; summary: string };

/** What a model tool's handler works with. */
export type ModelToolContext = { tools: PlannerTools; onProgress: ((progress: PlannerProgress) => void) | undefined };

/** A model tool's answer: JSON text, whether it is an error, and whether it ended planning (submitted, declined). */
export type ModelToolOutcome = { text: string; isError: boolean; submitted: boolean; declined?: PlannerDeclined };

export type ModelTool = ToolDefinition<ModelToolContext, ModelToolOutcome>;

function modelTool<Input extends z.ZodType>(
  declaration: ToolDeclaration<Input, never, ModelToolContext, ModelToolOutcome>,
): ModelTool {
  return defineTool(declaration);
}

/** A value as the model reads it. */
export function ok(value: unknown): ModelToolOutcome {
  return { text: JSON.stringify(value), isError: false, submitted: false };
}

/** A planner tool's refusal, which the model reads and can act on. */
export function failed(error: string): ModelToolOutcome {
  return { text: JSON.stringify({ error }), isError: true, submitted: false };
}

/** The plan as the model fills it in (Charter sets the request and the checks). */
const PlanDraft = WorkflowPlan.omit({ request: true, checks: true, revises: true });

/** The failing gates of a check, one line each, for progress. */
const failingGates = (gates: { gate: string; ok: boolean; detail: string }[]) =>
  gates
    .filter((g) => !g.ok)
    .map((g) => `${g.gate}: ${g.detail.split("\n")[0]}`)
    .join("; ");

const listIntegrations = modelTool({
  name: "list_integrations",
  description: "The tenant's integrations: server, credential state, tool count, subscribable resources.",
  input: z.object({}),
  handle: async (_args, { tools, onProgress }) => {
    onProgress?.({ event: "tool", name: "list_integrations", summary: "listed integrations" });
    return ok(await tools.listIntegrations());
  },
});

const searchTools = modelTool({
  name: "search_tools",
  description: "Tools ranked by how well their names, descriptions and input fields match the query.",
  input: z.object({ query: z.string().min(1).max(500), limit: z.number().int().min(1).max(25).optional() }),
  handle: async ({ query, limit }, { tools, onProgress }) => {
    const hits = await tools.searchTools(query, limit);
    const top =
      hits
        .slice(0, 3)
        .map((h) => h.tool)
        .join(", ") || "nothing";
    onProgress?.({ event: "tool", name: "search_tools", summary: `searched "${query}": ${top}` });
    return ok(hits);
  },
});

const getSignatures = modelTool({
  name: "get_signatures",
  description: 'The exact TypeScript declarations (input and output types, JSDoc) of tools, named "integration.tool".',
  input: z.object({ tools: z.array(z.string().max(300)).min(1).max(20) }),
  handle: async (args, { tools, onProgress }) => {
    const found = await tools.getSignatures(args.tools);
    onProgress?.({ event: "tool", name: "get_signatures", summary: `read signatures of ${args.tools.join(", ")}` });
    return ok(found);
  },
});

const listTriggers = modelTool({
  name: "list_triggers",
  description: "What can start a workflow: schedules, webhooks, subscribable MCP resources.",
  input: z.object({}),
  handle: async (_args, { tools, onProgress }) => {
    onProgress?.({ event: "tool", name: "list_triggers", summary: "listed trigger sources" });
    return ok(await tools.listTriggers());
  },
});

const sampleTrigger = modelTool({
  name: "sample_trigger",
  description:
    "What a resource trigger passes as `text` right now: the resource's current content (read " +
    "once, read-only, secrets redacted, at most 4000 characters) and the fields of its items. " +
    "Read it before planning on a resource event, so the plan reads fields that exist.",
  input: z.object({ integration: z.string().min(1).max(200), uri: z.string().min(1).max(2000) }),
  handle: async ({ integration, uri }, { tools, onProgress }) => {
    const sample = await tools.sampleTrigger(integration, uri);
    onProgress?.({
      event: "tool",
      name: "sample_trigger",
      summary: `read what ${sample.uri} passes now (${sample.length} characters)`,
    });
    return ok(sample);
  },
});

const proposePlan = modelTool({
  name: "propose_plan",
  description:
    "Propose the plan: trigger, steps, output, and the request's clauses with the plan elements " +
    "that carry each out. Charter checks that every clause of the request is covered, that the " +
    "tools exist and take the arguments, and that named channels, groups and people exist; it " +
    "answers with the problems, or ok with a plan_id, the description rendered from the plan, and " +
    "the workflow source and tests generated from it.",
  // Any object here: the plan check reports a plan's problems in the plan's own terms.
  input: z.object({ plan: shownAs(z.record(z.string(), z.unknown()), PlanDraft) }),
  handle: async ({ plan }, { tools, onProgress }) => {
    const proposed = await tools.proposePlan(plan);
    onProgress?.({
      event: "checked",
      ok: proposed.ok,
      summary: proposed.ok
        ? `plan accepted (${proposed.planId}):\n${proposed.description.replace(/^/gm, "      ")}`
        : `plan not accepted: ${proposed.problems.join("; ")}`,
    });
    if (!proposed.ok) return { text: JSON.stringify(proposed), isError: true, submitted: false };
    const testNames = (JSON.parse(proposed.tests) as { tests: { name: string }[] }).tests.map((t) => t.name);
    return ok({
      ok: true,
      plan_id: proposed.planId,
      draft_id: proposed.draftId,
      description: proposed.description,
      checks: proposed.checks,
      source: proposed.source,
      tests: testNames,
      next:
        `submit_draft with plan_id ${proposed.planId} stores this draft; to change it, ` +
        `check_draft with draft_id ${proposed.draftId} and edits (read_draft shows the tests file)`,
    });
  },
});

const readDraft = modelTool({
  name: "read_draft",
  description: "A kept draft's whole source and tests file (JSON text), by draft_id.",
  input: z.object({ draft_id: z.string().max(40) }),
  handle: async ({ draft_id }, { tools }) => {
    const draft = tools.draft(draft_id);
    if (!draft) return failed(`no draft ${draft_id}; drafts come from propose_plan and check_draft`);
    return ok({ source: draft.source, tests: draft.tests });
  },
});

const checkDraft = modelTool({
  name: "check_draft",
  description:
    "Compile a draft, analyse it and run its tests in the sandbox with mocks; with plan_id, also " +
    "check that it carries out that accepted plan (same tools, the plan's description). The draft " +
    "is a kept one (draft_id) with edits to its source (each edit's old text must occur exactly " +
    "once), or a new source and tests. Returns the new draft's draft_id, diagnostics and gate " +
    "results: send edits, never the whole draft again.",
  input: z.object({
    draft_id: z
      .string()
      .max(40)
      .optional()
      .describe("the draft to start from (from propose_plan or an earlier check_draft)"),
    edits: z
      .array(z.object({ old: z.string().max(50_000), new: z.string().max(50_000) }))
      .max(50)
      .optional(),
    source: z.string().max(200_000).optional().describe("a whole new source, instead of edits"),
    tests: z
      .string()
      .max(200_000)
      .optional()
      .describe("a whole new tests file as JSON text; the draft's own tests when left out"),
    plan_id: z.string().max(40).optional(),
  }),
  handle: async (args, { tools, onProgress }) => {
    const planId = args.plan_id;
    const plan = planId ? tools.acceptedPlan(planId) : undefined;
    if (planId && !plan) return failed(`no accepted plan ${planId}; propose_plan first`);
    const baseId = args.draft_id;
    const base = baseId ? tools.draft(baseId) : undefined;
    if (baseId && !base) return failed(`no draft ${baseId}; drafts come from propose_plan and check_draft`);
    const draft = tools.revisedDraft(base, { source: args.source, edits: args.edits, tests: args.tests, planId });
    const draftId = tools.keepDraft(draft);
    const check = await tools.checkDraft(draft.source, draft.tests);
    if (plan) {
      const problems = await tools.planProblems(plan, draft.source, check);
      if (problems.length > 0) Object.assign(check, { ok: false, diagnostics: [...check.diagnostics, ...problems] });
    }
    onProgress?.({
      event: "checked",
      ok: check.ok,
      summary: check.ok ? `draft ${draftId} passes its checks` : failingGates(check.gates),
    });
    return { text: JSON.stringify({ draft_id: draftId, ...check }), isError: !check.ok, submitted: false };
  },
});

const submitDraft = modelTool({
  name: "submit_draft",
  description:
    "Store a draft of an accepted plan for human review: by default the source and tests " +
    "generated from the plan, or a checked draft of yours by draft_id (it must carry out the plan " +
    "and pass its checks).",
  input: z.object({ plan_id: z.string().max(40), draft_id: z.string().max(40).optional() }),
  handle: async ({ plan_id: planId, draft_id: draftId }, { tools, onProgress }) => {
    const plan = tools.acceptedPlan(planId);
    if (!plan) return failed(`no accepted plan ${planId}; propose_plan first, then submit its plan_id`);
    const draft = draftId ? tools.draft(draftId) : tools.generated(planId);
    if (!draft) return failed(`no draft ${draftId ?? ""}; drafts come from propose_plan and check_draft`);
    const result = await tools.submit(draft.source, draft.tests, plan);
    onProgress?.({
      event: "checked",
      ok: result.ok,
      summary: result.ok ? `submitted ${result.version}` : failingGates(result.check.gates),
    });
    return { text: JSON.stringify(result), isError: !result.ok, submitted: result.ok };
  },
});

const askUser = modelTool({
  name: "ask_user",
  description:
    "End planning with a question to the person who asked: a value you need that the request and " +
    "the tenant do not give (which channel, which group, what time). Name the clause it is about " +
    "and the options you found in the catalog.",
  input: z.object({
    clause: z.string().min(1).max(1000),
    question: z.string().min(1).max(2000),
    options: z.array(z.string().max(200)).max(20).optional(),
  }),
  handle: async ({ clause, question, options }, { onProgress }) => {
    const declined = new PlannerDeclined("needs-input", clause, question, options ?? []);
    onProgress?.({ event: "tool", name: "ask_user", summary: `asks about "${declined.clause}"` });
    return { text: "{}", isError: false, submitted: false, declined };
  },
});

const cannotPlan = modelTool({
  name: "cannot_plan",
  description:
    "End planning with a refusal: a part of the request that no tool or trigger of this tenant " +
    "can carry out. Name that clause and why. Never leave a part out instead.",
  input: z.object({ clause: z.string().min(1).max(1000), reason: z.string().min(1).max(2000) }),
  handle: async ({ clause, reason }, { onProgress }) => {
    const declined = new PlannerDeclined("refused", clause, reason);
    onProgress?.({ event: "tool", name: "cannot_plan", summary: `cannot plan "${declined.clause}"` });
    return { text: "{}", isError: false, submitted: false, declined };
  },
});

/** The model's tools, in the order its requests list them. */
export const MODEL_TOOLS: readonly ModelTool[] = [
  listIntegrations,
  searchTools,
  getSignatures,
  listTriggers,
  sampleTrigger,
  proposePlan,
  readDraft,
  checkDraft,
  submitDraft,
  askUser,
  cannotPlan,
];
