/**
 * Planning a workflow from a request: with Claude when an API key is set, else with the offline
 * planner; either way through the same planner tools, checks and submit, ending in a draft version
 * (never more) whose origin holds the request and the transcript.
 */
import type { Env } from "../config/env.ts";
import { CharterError } from "../core/errors.ts";
import type { CatalogRepository, VersionRow } from "../store/index.ts";
import type { TenantToolchain } from "../toolchain/index.ts";
import type { Actor, VersionService } from "../versions/index.ts";
import { emptyUsage, planWithModel, type PlannerProgress, type PlanUsage } from "./agent-loop.ts";
import { ClaudeModel, type PlannerModel } from "./model.ts";
import { planOffline } from "./offline-planner.ts";
import { type LiveAccess, PlannerTools } from "./planner-tools.ts";

export type PlanResult = { version: VersionRow; planner: string; usage: PlanUsage | undefined };

export class PlannerService {
  readonly #env: Env;
  readonly #toolchain: TenantToolchain;
  readonly #catalogs: CatalogRepository;
  readonly #versions: VersionService;
  readonly #model: () => PlannerModel | undefined;
  readonly #live: LiveAccess | undefined;

  constructor(options: { env: Env; toolchain: TenantToolchain; catalogs: CatalogRepository; versions: VersionService; model?: () => PlannerModel | undefined; live?: LiveAccess }) {
    this.#live = options.live;
    this.#env = options.env;
    this.#toolchain = options.toolchain;
    this.#catalogs = options.catalogs;
    this.#versions = options.versions;
    const planner = options.env.planner;
    this.#model = options.model ?? (() => (planner.apiKey ? new ClaudeModel({ apiKey: planner.apiKey, baseUrl: planner.baseUrl, model: planner.model, stream: planner.stream }) : undefined));
  }

  async plan(request: { tenantId: string; request: string; author: Actor; from?: string | undefined; onProgress?: (progress: PlannerProgress) => void }): Promise<PlanResult> {
    const text = request.request.trim();
    if (text.length === 0 || text.length > 4000) throw new CharterError("PLANNER_CANNOT", "the request must be one to 4000 characters of plain language");
    const parent = request.from ? await this.#versions.find(request.tenantId, request.from) : undefined;
    const model = this.#model();
    const transcript: unknown[] = [];
    const usage: PlanUsage | undefined = model ? emptyUsage(model.name) : undefined;
    const tools = new PlannerTools({
      toolchain: this.#toolchain,
      catalogs: this.#catalogs,
      versions: this.#versions,
      context: { tenantId: request.tenantId, author: request.author, parent, origin: { request: text }, transcript: () => ({ planner: model?.name ?? "offline", transcript, usage }) },
      live: this.#live,
    });
    if (model) {
      const budget = { maxTurns: this.#env.planner.maxTurns, maxTokens: this.#env.planner.maxTokens, maxMs: this.#env.planner.maxMs };
      const parentSpec = parent ? { label: `${parent.workflow}@${parent.number}`, source: parent.source, tests: parent.tests, plan: (parent.origin as { plan?: unknown } | null)?.plan } : undefined;
      await planWithModel({ request: text, model, tools, budget, parent: parentSpec, transcript, usage: usage ?? emptyUsage(model.name), ...(request.onProgress ? { onProgress: request.onProgress } : {}) });
    } else {
      if (parent) throw new CharterError("PLANNER_CANNOT", "revising a version needs a model (set ANTHROPIC_API_KEY); the offline planner only writes new workflows");
      await planOffline(text, tools, request.onProgress);
    }
    if (!tools.submitted) throw new CharterError("PLANNER_BUDGET", "the planner finished without a draft");
    return { version: tools.submitted, planner: model?.name ?? "offline", usage };
  }
}
