/**
 * Planning a workflow from a request: with Claude when an API key is set, else with the offline
 * planner; either way through the same planner tools, checks and submit, ending in a draft version
 * (never more) whose origin holds the request and the transcript.
 * A run that ends with a question or a refusal is kept as a planning session; an answer continues
 * it: the model's conversation goes on from its question, the offline planner reads the request
 * again with the answer put where the question pointed.
 */
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { z } from "zod";
import type { Env } from "../config/env.ts";
import { CharterError, PlannerDeclined } from "../core/errors.ts";
import type { CatalogRepository, PlanningRepository, VersionRow } from "../store/index.ts";
import type { TenantToolchain } from "../toolchain/index.ts";
import type { Actor, VersionService } from "../versions/index.ts";
import { answeredConversation, emptyUsage, planWithModel, type PlannerProgress, type PlanUsage } from "./agent-loop.ts";
import { configuredModel, type PlannerModel } from "./model.ts";
import { planOffline } from "./offline-planner.ts";
import { type LiveAccess, PlannerTools, Workspace } from "./planner-tools.ts";

export type PlanResult = {
  version: VersionRow;
  planner: string;
  usage: PlanUsage | undefined;
  session?: string | undefined;
};

/** What a kept session stopped on; `request` is the text that was being planned then. */
const Question = z.object({
  outcome: z.enum(["refused", "needs-input"]),
  clause: z.string(),
  reason: z.string(),
  options: z.array(z.string()),
  replaces: z.string().optional(),
  request: z.string(),
});
type Question = z.infer<typeof Question>;

type Attempt = {
  tenantId: string;
  author: Actor;
  /** The text planned now: the request, with the answers so far. */
  request: string;
  parent: VersionRow | undefined;
  conversation: MessageParam[];
  transcript: unknown[];
  usage: PlanUsage | undefined;
  /** The plans and drafts of the session so far, restored under the ids the model knows. */
  workspace?: Workspace | undefined;
  /** The planner tools of this attempt, once it started: what a kept session takes its workspace from. */
  tools?: PlannerTools | undefined;
  onProgress?: ((progress: PlannerProgress) => void) | undefined;
};

export class PlannerService {
  readonly #env: Env;
  readonly #toolchain: TenantToolchain;
  readonly #catalogs: CatalogRepository;
  readonly #versions: VersionService;
  readonly #sessions: PlanningRepository;
  readonly #model: () => PlannerModel | undefined;
  readonly #live: LiveAccess | undefined;

  constructor(options: {
    env: Env;
    toolchain: TenantToolchain;
    catalogs: CatalogRepository;
    versions: VersionService;
    sessions: PlanningRepository;
    model?: () => PlannerModel | undefined;
    live?: LiveAccess;
  }) {
    this.#live = options.live;
    this.#env = options.env;
    this.#toolchain = options.toolchain;
    this.#catalogs = options.catalogs;
    this.#versions = options.versions;
    this.#sessions = options.sessions;
    this.#model = options.model ?? (() => configuredModel(options.env.planner));
  }

  /**
   * Plans a request into a draft; a question or a refusal is thrown as PlannerDeclined naming the
   * session that keeps it.
   */
  async plan(request: {
    tenantId: string;
    request: string;
    author: Actor;
    from?: string | undefined;
    onProgress?: (progress: PlannerProgress) => void;
  }): Promise<PlanResult> {
    const text = request.request.trim();
    if (text.length === 0 || text.length > 4000)
      throw new CharterError("PLANNER_CANNOT", "the request must be one to 4000 characters of plain language");
    const parent = request.from ? await this.#versions.find(request.tenantId, request.from) : undefined;
    const model = this.#model();
    if (parent && !model)
      throw new CharterError(
        "PLANNER_CANNOT",
        "revising a version needs a model (set ANTHROPIC_API_KEY); the offline planner only writes new workflows",
      );
    const attempt: Attempt = {
      tenantId: request.tenantId,
      author: request.author,
      request: text,
      parent,
      conversation: [],
      transcript: [],
      usage: model ? emptyUsage(model.name) : undefined,
      onProgress: request.onProgress,
    };
    try {
      return await this.#attempt(attempt, model);
    } catch (error) {
      if (!(error instanceof PlannerDeclined)) throw error;
      const session = await this.#sessions.create({
        tenantId: request.tenantId,
        authorId: request.author.userId,
        request: text,
        answers: [],
        parentVersionId: parent?.id ?? null,
        ...this.#kept(attempt, model, error),
      });
      throw error.inSession(session.id);
    }
  }

  /**
   * Continues a kept session with the person's answer: the session named, or the author's latest
   * one that waits for an answer. Ends like plan(): a draft, or another question or refusal (kept
   * in the same session).
   */
  async answer(request: {
    tenantId: string;
    session?: string | undefined;
    answer: string;
    author: Actor;
    onProgress?: (progress: PlannerProgress) => void;
  }): Promise<PlanResult> {
    const answer = request.answer.trim();
    if (answer.length === 0 || answer.length > 2000)
      throw new CharterError("PLANNER_CANNOT", "the answer must be one to 2000 characters of plain language");
    const session = request.session
      ? await this.#sessions.byId(request.tenantId, request.session)
      : await this.#sessions.latestOpen(request.tenantId, request.author.userId);
    // Another person's session is answered as if it did not exist: its question is theirs.
    if (!session || session.authorId !== request.author.userId) {
      throw new CharterError(
        "PLANNING_SESSION_NOT_FOUND",
        request.session
          ? `no planning session ${request.session} of ${request.author.handle} in tenant ${request.tenantId}`
          : `${request.author.handle} has no planning session in tenant ${request.tenantId} that ` +
              `waits for an answer; plan the request first`,
      );
    }
    if (session.status === "drafted")
      throw new CharterError(
        "PLANNING_SESSION_CLOSED",
        `planning session ${session.id} already led to a draft ` +
          `(version ${session.versionId ?? "?"}); plan a revision with --from instead`,
      );
    // An answer being planned holds the session; one whose process died gives it up after the planner's time limit.
    if (session.status === "answering" && Date.now() - session.updatedAt.getTime() < this.#env.planner.maxMs + 60_000) {
      throw new CharterError(
        "PLANNING_SESSION_CLOSED",
        `planning session ${session.id} is being answered by another request right now; wait for its outcome`,
      );
    }
    const question = Question.parse(session.question);
    const model = this.#model();
    const offline = session.conversation === null || !model;
    if (session.conversation !== null && !model)
      throw new CharterError(
        "PLANNER_CANNOT",
        `planning session ${session.id} was planned by ${session.planner}; configure that model ` +
          `again (ANTHROPIC_API_KEY or CHARTER_PLANNER_PROVIDER) to continue it, or plan the request ` +
          `again`,
      );
    const claimed = await this.#sessions.advance(session, { status: "answering" });
    if (!claimed)
      throw new CharterError(
        "PLANNING_SESSION_CLOSED",
        `planning session ${session.id} was answered by another request meanwhile`,
      );
    const parent = session.parentVersionId
      ? await this.#versions.find(request.tenantId, session.parentVersionId)
      : undefined;
    const planned = offline ? withAnswer(question, answer) : `${question.request}\n${answer}`;
    const attempt: Attempt = {
      tenantId: request.tenantId,
      author: request.author,
      request: planned,
      parent,
      conversation: offline
        ? []
        : answeredConversation(z.array(z.custom<MessageParam>()).parse(session.conversation), answer, planned),
      transcript: [...z.array(z.unknown()).parse(session.transcript), { role: "person", answer }],
      usage: model
        ? { ...emptyUsage(model.name), ...(session.usage as Partial<PlanUsage> | null), model: model.name }
        : undefined,
      workspace: offline || session.workspace === null ? undefined : Workspace.parse(session.workspace),
      onProgress: request.onProgress,
    };
    const answers = [...z.array(z.string()).parse(session.answers), answer];
    try {
      const result = await this.#attempt(attempt, model);
      await this.#sessions.advance(claimed, {
        status: "drafted",
        answers,
        versionId: result.version.id,
        question: null,
        conversation: null,
        workspace: null,
        transcript: attempt.transcript,
        usage: attempt.usage ?? null,
      });
      return { ...result, session: session.id };
    } catch (error) {
      if (error instanceof PlannerDeclined) {
        await this.#sessions.advance(claimed, { answers, ...this.#kept(attempt, model, error) });
        throw error.inSession(session.id);
      }
      // Not an answer from the planner (a budget, the model's API): the question stands, to answer again; what was
      // spent is kept.
      await this.#sessions.advance(claimed, {
        status: session.status,
        transcript: attempt.transcript,
        usage: attempt.usage ?? null,
      });
      throw error;
    }
  }

  /** What a session keeps of an attempt that stopped with a question or a refusal. */
  #kept(attempt: Attempt, model: PlannerModel | undefined, declined: PlannerDeclined) {
    const question: Question = {
      outcome: declined.outcome,
      clause: declined.clause,
      reason: declined.reason,
      options: declined.options,
      ...(declined.replaces ? { replaces: declined.replaces } : {}),
      request: attempt.request,
    };
    return {
      planner: model?.name ?? "offline",
      status: declined.outcome,
      question,
      conversation: model ? attempt.conversation : null,
      workspace: model ? (attempt.tools?.workspace() ?? null) : null,
      transcript: attempt.transcript,
      usage: attempt.usage ?? null,
    };
  }

  async #attempt(attempt: Attempt, model: PlannerModel | undefined): Promise<PlanResult> {
    const { transcript, usage } = attempt;
    const tools = new PlannerTools({
      toolchain: this.#toolchain,
      catalogs: this.#catalogs,
      versions: this.#versions,
      context: {
        tenantId: attempt.tenantId,
        author: attempt.author,
        parent: attempt.parent,
        origin: { request: attempt.request },
        transcript: () => ({ planner: model?.name ?? "offline", transcript, usage }),
      },
      live: this.#live,
    });
    if (attempt.workspace) tools.restore(attempt.workspace);
    attempt.tools = tools;
    if (model) {
      const budget = {
        maxTurns: this.#env.planner.maxTurns,
        maxTokens: this.#env.planner.maxTokens,
        maxMs: this.#env.planner.maxMs,
      };
      const parent = attempt.parent;
      const parentSpec = parent
        ? {
            label: `${parent.workflow}@${parent.number}`,
            source: parent.source,
            tests: parent.tests,
            plan: parent.origin?.plan,
          }
        : undefined;
      await planWithModel({
        request: attempt.request,
        model,
        tools,
        budget,
        parent: parentSpec,
        transcript,
        conversation: attempt.conversation,
        usage: usage ?? emptyUsage(model.name),
        ...(attempt.onProgress ? { onProgress: attempt.onProgress } : {}),
      });
    } else {
      await planOffline(attempt.request, tools, attempt.onProgress);
    }
    if (!tools.submitted) throw new CharterError("PLANNER_BUDGET", "the planner finished without a draft");
    return { version: tools.submitted, planner: model?.name ?? "offline", usage };
  }
}

/**
 * The request with an answer put where the question pointed: in place of the name that does not
 * exist, or right after the clause asked about ("every weekday" + "at 9:00"), or at the end.
 */
export function withAnswer(question: Question, answer: string): string {
  const request = question.request;
  const find = (text: string, whole: boolean) => {
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // A name is matched whole ("Sam" is not the start of "Samsung"); a clause anywhere.
    return new RegExp(whole ? `(?<![\\w#@.-])${escaped}(?![\\w-])` : escaped, "i").exec(request);
  };
  const name = question.replaces ? find(question.replaces, true) : null;
  if (name) return request.slice(0, name.index) + answer + request.slice(name.index + name[0].length);
  const clause = question.clause.includes("…") ? null : find(question.clause, false);
  if (clause) {
    const end = clause.index + clause[0].length;
    return `${request.slice(0, end)} ${answer}${request.slice(end)}`;
  }
  return `${request.replace(/[.\s]*$/, "")}. ${answer}`;
}
