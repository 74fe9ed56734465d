/** `charter sdk` and `charter check`: a tenant's generated SDK, and compiling a workflow against it. */
import { rename, mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { COMPILER_OPTIONS, type CompileResult, guestFiles } from "../compile/index.ts";
import { describeSchedule, formatDiagnostic } from "../core/workflow.ts";
import { readInput, readOptionalInput, withApp } from "./common.ts";
import { columns, type Output } from "./output.ts";

export async function writeSdk(tenant: string, json: boolean, output: Output): Promise<number> {
  return withApp(async (app) => {
    const sdk = await app.toolchain.sdk(tenant);
    const folder = path.join(app.env.generatedDir, tenant, sdk.catalogHash.replace(/^sha256:/, ""));
    const files = new Map(sdk.files);
    files.set("charter.d.ts", guestFiles().declarations);
    files.set("tsconfig.json", editorConfig());
    const written = await writeFolder(folder, files);
    const integrations = [...new Set(sdk.tools.map((tool) => tool.integration))];
    if (json) {
      output.out(
        JSON.stringify(
          {
            tenant,
            folder,
            catalogHash: sdk.catalogHash,
            sdkHash: sdk.sdkHash,
            files: [...files.keys()],
            integrations,
            tools: sdk.tools.length,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    output.out(
      `SDK of tenant ${tenant} (catalog ${sdk.catalogHash.slice(0, 19)}…, ${sdk.tools.length} ` +
        `tools) ${written ? "written to" : "already in"} ${path.relative(process.cwd(), folder) || folder}`,
    );
    const rows = integrations.map((id) => {
      const tools = sdk.tools.filter((tool) => tool.integration === id);
      return [
        "  ",
        `import { ${tools[0]?.namespace ?? id} } from "charter:sdk"`,
        `${tools.length} tool${tools.length === 1 ? "" : "s"}`,
      ];
    });
    for (const line of columns(rows)) output.out(line);
    return 0;
  });
}

export async function checkWorkflow(
  file: string,
  tenant: string,
  testsFile: string | undefined,
  json: boolean,
  output: Output,
): Promise<number> {
  const source = await readInput(file);
  const testsPath = testsFile ?? `${file.replace(/\.[cm]?ts$/, "")}.tests.json`;
  const testsText = testsFile
    ? await readInput(testsPath, "tests file ")
    : await readOptionalInput(testsPath, "tests file ");
  const tests = testsText === undefined ? undefined : { text: testsText, fileName: testsPath };
  return withApp(async (app) => {
    const result = await app.toolchain.check(tenant, { source, fileName: file, tests });
    if (json) output.out(JSON.stringify(checkReport(file, tenant, result), null, 2));
    else printCheck(result, output);
    return result.ok ? 0 : 1;
  });
}

function checkReport(file: string, tenant: string, result: CompileResult) {
  return {
    ok: result.ok,
    file,
    tenant,
    diagnostics: result.diagnostics,
    workflow: result.workflow,
    capabilities: result.capabilities,
    tests: result.tests ? result.tests.tests.length : null,
    bundle: result.bundle
      ? {
          bytes: result.bundle.bytes,
          sourceMapBytes: Buffer.byteLength(result.bundle.sourceMap),
          hash: result.bundle.hash,
        }
      : null,
    catalogHash: result.catalogHash,
    sdkHash: result.sdkHash,
    timings: roundTimings(result.timings),
  };
}

function printCheck(result: CompileResult, output: Output): void {
  for (const diagnostic of result.diagnostics) output.out(formatDiagnostic(diagnostic));
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.length - errors;
  if (result.workflow) output.out(`workflow ${result.workflow.name}: ${result.workflow.description}`);
  output.out(`capabilities (${result.capabilities.length}):`);
  const rows = result.capabilities.map((c) => [
    "  ",
    `${c.integration}.${c.tool}`,
    c.sdkFunction,
    traits(c.annotations),
  ]);
  for (const line of columns(rows)) output.out(line);
  if (result.workflow) {
    const triggers = result.workflow.triggers.map((t) =>
      t.type === "schedule"
        ? `schedule ${describeSchedule(t)}`
        : t.type === "resource"
          ? `resource ${t.uri} (${t.integration})`
          : t.type,
    );
    output.out(`triggers: ${["manual and MCP tool call (always)", ...triggers].join(", ")}`);
    if (result.workflow.retry.length > 0)
      output.out(`retried on retryable failures at the author's request: ${result.workflow.retry.join(", ")}`);
  }
  if (result.tests)
    output.out(`tests: ${result.tests.tests.length} checked against the schemas (they run in the test gate)`);
  if (result.bundle)
    output.out(
      `bundle: ${formatBytes(result.bundle.bytes)} (source ` +
        `map ${formatBytes(Buffer.byteLength(result.bundle.sourceMap))})` +
        `, ${result.bundle.hash.slice(0, 19)}…`,
    );
  const t = roundTimings(result.timings);
  const checker =
    result.typechecker === "native" ? "TypeScript 7 native, overlapping analysis and bundle" : "embedded TypeScript";
  output.out(
    `timings: typecheck ${t.typecheckMs} ms (${checker}), analysis ${t.analysisMs} ms, ` +
      `bundle ${t.bundleMs} ms, total ${t.totalMs} ms (SDK of ` +
      `catalog ${result.catalogHash.slice(0, 19)}…)`,
  );
  const warned = warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : "";
  output.out(errors === 0 ? `ok${warned}` : `${errors} error${errors === 1 ? "" : "s"}${warned}: not clean`);
}

function traits(a: {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
  declared: boolean;
  byTenant?: string[] | undefined;
}): string {
  const list = [
    a.readOnly ? "read-only" : "writes",
    a.destructive ? "DESTRUCTIVE" : "",
    a.idempotent ? "idempotent" : "",
    a.openWorld ? "open-world" : "",
  ].filter(Boolean);
  const tenant = a.byTenant?.length ? ` (${a.byTenant.join(", ")} declared by the tenant)` : "";
  return list.join(", ") + (a.declared ? "" : " (annotations not declared; MCP defaults)") + tenant;
}

function roundTimings(timings: CompileResult["timings"]) {
  return Object.fromEntries(
    Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10]),
  ) as CompileResult["timings"];
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A tsconfig for editors opened on the SDK folder: the same library and module names as `charter check`. */
function editorConfig(): string {
  const options = {
    strict: COMPILER_OPTIONS.strict,
    noEmit: true,
    target: "es2023",
    lib: ["es2023"],
    types: [],
    module: "esnext",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    isolatedModules: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    paths: { "charter:sdk": ["./index.ts"] },
  };
  return `${JSON.stringify({ compilerOptions: options, include: ["**/*.ts"] }, null, 2)}\n`;
}

/** Writes the folder through a temporary one and a rename, so a reader never sees half of it. */
async function writeFolder(folder: string, files: ReadonlyMap<string, string>): Promise<boolean> {
  if (
    await stat(folder).then(
      () => true,
      () => false,
    )
  )
    return false; // content-addressed: same hash, same files
  const temporary = `${folder}.tmp-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });
  for (const [name, text] of files) await writeFile(path.join(temporary, name), text);
  await rename(temporary, folder).catch(async (error: NodeJS.ErrnoException) => {
    await rm(temporary, { recursive: true, force: true });
    if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
  });
  return true;
}
