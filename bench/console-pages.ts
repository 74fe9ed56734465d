/**
 * `npm run bench:console`: the server time of each console page (median of 20 requests, in process,
 * no network) for a tenant with thousands of versions, runs and audit entries, against the same
 * pages for a tenant with a handful, measured in the same run: pages are paginated, so the ratio
 * should stay near 1.
 */
import path from "node:path";
import { type App, createApp } from "../src/app.ts";
import { createHttpApp } from "../src/server/index.ts";
import { embeddedTestDatabase } from "../test/helpers/databases.ts";
import { REPO } from "../test/helpers/tenants.ts";

const LARGE = { versions: 2000, runs: 10_000 };
const SMALL = { versions: 5, runs: 10 };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const capability = {
  integration: "chat",
  tool: "post_message",
  sdkFunction: "postMessage",
  annotations: { readOnly: false, destructive: false, idempotent: false, openWorld: true, declared: true },
};

/** A tenant with `size` versions (one workflow per 10, the last of each active) and runs, written directly. */
async function seed(app: App, tenantId: string, size: { versions: number; runs: number }): Promise<string> {
  await app.catalogs.ensureTenant(tenantId);
  const user = await app.identity.ensureUser(`${tenantId}-admin`);
  for (const role of ["author", "reviewer", "operator", "admin"] as const)
    await app.identity.grant(tenantId, user.id, role);
  const hash = `bench-${tenantId}`;
  await app.runRepository.saveBundle({
    hash,
    tenantId,
    workflow: "w0",
    code: "",
    sourceMap: "",
    tools: [],
    inputSchema: { type: "object" },
    outputSchema: { type: "object" },
    catalogHash: "c",
    sdkHash: "s",
  });
  for (let i = 0; i < size.versions; i++) {
    await app.versionRepository.create(
      {
        tenantId,
        workflow: `w${Math.floor(i / 10)}`,
        source: `// version ${i}\nexport default {};\n`,
        sourceHash: `s${i}`,
        tests: null,
        bundleHash: null,
        capabilities: [capability],
        toolSnapshots: [],
        inputSchema: { type: "object" },
        outputSchema: { type: "object" },
        triggers: { triggers: [{ type: "manual" }] },
        catalogHash: "c",
        sdkHash: "s",
        parentVersionId: null,
        authorId: user.id,
        origin: null,
        status: i % 3 === 0 ? "in-review" : "checks-passed",
        gates: [{ gate: "compile", ok: true, detail: "ok" }],
        drift: null,
      },
      { tenantId, actorId: user.id, action: "version-created" },
    );
  }
  for (let i = 0; i < size.runs; i++) {
    await app.runRepository.createRun({
      tenantId,
      workflow: `w${i % Math.max(1, Math.floor(size.versions / 10))}`,
      bundleHash: hash,
      trigger: { type: "manual" },
      input: {},
      status: i % 50 === 0 ? "needs-attention" : "succeeded",
      startedAt: new Date(Date.now() - i * 1000),
      seed: [1, 2],
    });
  }
  return app.identity.createKey(tenantId, user.id);
}

const app = await createApp({
  processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
  database: await embeddedTestDatabase(),
});
const http = await createHttpApp(app, { console: true });

/** A signed-in session's cookie, through the sign-in form. */
async function session(key: string): Promise<string> {
  const form = await http.request("http://bench/console/sign-in");
  const signInCookie = form.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const signedIn = await http.request("http://bench/console/sign-in", {
    method: "POST",
    headers: { cookie: signInCookie, "content-type": "application/x-www-form-urlencoded", origin: "http://bench" },
    body: new URLSearchParams({ key, csrf, next: "/console" }).toString(),
  });
  const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith("charter_session="));
  if (!cookie) throw new Error(`sign-in failed: ${signedIn.status}`);
  return cookie.split(";")[0] ?? "";
}

async function timePages(tenantId: string, size: { versions: number; runs: number }): Promise<Map<string, number>> {
  const started = performance.now();
  const cookie = await session(await seed(app, tenantId, size));
  process.stderr.write(
    `seeded ${tenantId} (${size.versions} versions, ${size.runs} runs) in ${Math.round(performance.now() - started)} ms\n`,
  );
  const version = (await app.versionRepository.list(tenantId))[0]?.id ?? "";
  const pages = ["/console", "/console/workflows", "/console/runs", "/console/audit", `/console/versions/${version}`];
  const times = new Map<string, number>();
  for (const page of pages) {
    const samples: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      const response = await http.request(`http://bench${page}`, { headers: { cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`${page}: ${response.status}`);
      if (i > 0) samples.push(performance.now() - t0);
    }
    times.set(page.replace(version, ":id"), median(samples));
  }
  return times;
}

const small = await timePages("small", SMALL);
const large = await timePages("large", LARGE);
console.log(
  `console page server time, median of 20 (a tenant of ${LARGE.versions} versions and ${LARGE.runs} runs vs one of ${SMALL.versions} and ${SMALL.runs}):`,
);
for (const [page, ms] of large) {
  const base = small.get(page) ?? Number.NaN;
  console.log(
    `  ${page.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms (small tenant ${base.toFixed(1)} ms, ${(ms / base).toFixed(1)}x)`,
  );
}
await app.close();
