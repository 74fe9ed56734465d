/**
 * The planner without a model: the request is read into a plan (offline/plan-request.ts), generic
 * over the tenant's catalog; names it relies on are checked live; the code and the tests are
 * generated from the plan; the draft goes through the same checks and submit as a model's, with
 * the plan, which submit checks again (coverage of the request, calls, description).
 * What it cannot map it refuses or asks about (PlannerDeclined), and submits nothing.
 */
import { CharterError, PlannerDeclined } from "../core/errors.ts";
import type { PlannerProgress } from "./agent-loop.ts";
import { CatalogView } from "./offline/catalog.ts";
import { planRequest } from "./offline/plan-request.ts";
import { checkPlan } from "./plan/check.ts";
import { planToSource } from "./plan/codegen.ts";
import { checkNamesLive, missingNamesIn } from "./plan/live-checks.ts";
import { renderPlan } from "./plan/render.ts";
import { planToTests } from "./plan/testgen.ts";
import type { PlannerTools } from "./planner-tools.ts";

export async function planOffline(
  request: string,
  tools: PlannerTools,
  onProgress?: (progress: PlannerProgress) => void,
): Promise<void> {
  const { tools: all, resources } = await tools.catalog();
  const catalog = new CatalogView(all, resources);
  const byKey = new Map(all.map((t) => [t.key, t]));
  const plan = await planRequest(request, catalog, {
    readResource: (integration, uri) => tools.readResource(integration, uri),
  }).catch(async (error: unknown) => {
    // Whatever else could not be planned, a channel or group that does not exist is named too.
    if (!(error instanceof PlannerDeclined)) throw error;
    const missing = await missingNamesIn(request, catalog, (tool, args) => tools.callReadOnly(tool, args));
    if (!missing || error.clause.includes(missing.clause)) throw error;
    throw new PlannerDeclined(
      error.outcome === "refused" ? "refused" : missing.outcome,
      `${missing.clause} … ${error.clause}`,
      `${missing.reason}; and "${error.clause}": ${error.reason}`,
      missing.options,
    );
  });
  await checkNamesLive(plan, catalog, (tool, args) => tools.callReadOnly(tool, args));
  onProgress?.({
    event: "tool",
    name: "plan",
    summary:
      `plan:\n${renderPlan(plan, byKey).replace(/^/gm, "      ")}` +
      (plan.checks.length ? `\n    checked:\n${plan.checks.map((c) => `      - ${c}`).join("\n")}` : ""),
  });
  const { problems } = checkPlan(plan, byKey);
  if (problems.length > 0)
    throw new CharterError(
      "PLANNER_CANNOT",
      `the offline planner made a plan it cannot stand behind (a bug in the planner): ${problems.join("; ")}`,
    );
  const source = planToSource(plan, byKey);
  const tests = JSON.stringify(planToTests(plan, byKey), null, 2);
  onProgress?.({
    event: "tool",
    name: "write",
    summary: `wrote ${source.split("\n").length} lines and ${JSON.parse(tests).tests.length} tests from the plan`,
  });
  const check = await tools.checkDraft(source, tests);
  onProgress?.({
    event: "checked",
    ok: check.ok,
    summary: check.ok
      ? "draft passes its checks"
      : check.gates
          .filter((g) => !g.ok)
          .map((g) => g.detail)
          .join("; "),
  });
  if (!check.ok)
    throw new CharterError(
      "PLANNER_CANNOT",
      "the offline planner's draft did not pass its checks (a bug in the planner):\n" +
        [...check.diagnostics, ...check.gates.filter((g) => !g.ok).map((g) => `${g.gate}: ${g.detail}`)].join("\n"),
    );
  const submitted = await tools.submit(source, tests, plan);
  if (!submitted.ok)
    throw new CharterError("PLANNER_CANNOT", `${submitted.reason}\n${submitted.check.diagnostics.join("\n")}`);
}
