/**
 * The offline planner on 362 requests written to trip it (an adversarial review: near-misses of
 * what it reads, negations, "or", odd conditions, quoted keywords, payload examples): each one is
 * either a plan that passes the plan checks or an answer that names the part it could not do —
 * never a plan the planner cannot stand behind (which the service reports as a planner bug).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { PlannerDeclined } from "../src/core/errors.ts";
import { PlannerTools } from "../src/planner/index.ts";
import { CatalogView } from "../src/planner/offline/catalog.ts";
import { planRequest } from "../src/planner/offline/plan-request.ts";
import { checkPlan } from "../src/planner/plan/check.ts";
import type { PlanTool } from "../src/planner/plan/tools.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO } from "./helpers/tenants.ts";

let app: App;
let catalog: CatalogView;
let tools: Map<string, PlanTool>;

before(async () => {
  app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
    database: await embeddedTestDatabase(),
  });
  assert.ok((await app.sync("demo")).result.ok);
  const user = await app.identity.ensureUser("probe");
  await app.identity.grant("demo", user.id, "author");
  const planner = new PlannerTools({
    toolchain: app.toolchain,
    catalogs: app.catalogs,
    versions: app.versions,
    context: {
      tenantId: "demo",
      author: { userId: user.id, handle: "probe" },
      origin: { request: "" },
      transcript: () => [],
    },
  });
  const view = await planner.catalog();
  catalog = new CatalogView(view.tools, view.resources);
  tools = new Map(view.tools.map((t) => [t.key, t]));
});
after(() => app.close());

test("every adversarial request is a plan that passes its checks, or an answer naming a part", async () => {
  const requests = (await readFile(path.join(REPO, "test/eval/probes.txt"), "utf8"))
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  assert.ok(requests.length >= 300, `${requests.length} requests`);
  const broken: string[] = [];
  let planned = 0;
  for (const request of requests) {
    try {
      const plan = await planRequest(request, catalog, { readResource: async () => "[]" });
      const { problems } = checkPlan(plan, tools);
      if (problems.length > 0) broken.push(`${request}\n    ${problems.join("; ")}`);
      else planned++;
    } catch (error) {
      if (!(error instanceof PlannerDeclined))
        broken.push(`${request}\n    ${error instanceof Error ? error.message : String(error)}`);
      else if (!error.clause.trim() || !error.reason.trim())
        broken.push(`${request}\n    an answer with no part named`);
    }
  }
  assert.deepEqual(broken, [], `${broken.length} of ${requests.length} broke the planner`);
  assert.ok(planned > 50, `${planned} planned`);
});
