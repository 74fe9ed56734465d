/**
 * Compile benchmark. Prints, from one run:
 *   1. SDK generation for 1,000 synthetic tools;
 *   2. warm check + analysis + bundle of a ~100-line workflow against a 500-tool SDK (median of 60,
 *      after 20 warm-up compiles, the state of a compiler in a running service), with the type
 *      check on the warm native checker (tsgo, the default) and on the embedded TypeScript 6; and
 *      on tsgo again for the same workflow returning a variable, so that run's returned fields
 *      are asked of the checker (the benchmark workflow returns an object literal, whose keys the
 *      compiler reads from the syntax);
 *   3. for the same files, a cold `tsc --noEmit` (the project's TypeScript 7, native) and a cold
 *      TypeScript 6 program in a fresh Node.js process (the compiler Charter embeds), medians of
 *      11 runs each, with ratios.
 * Usage: npm run bench:compile   (or: node bench/compile.ts [--runs N])
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { guestFiles, WorkflowCompiler } from "../src/compile/index.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import type { CatalogContent, CatalogTool } from "../src/core/catalog.ts";
import { generateSdk, type SdkIntegration } from "../src/sdkgen/index.ts";
import { compilerSdkOf } from "../src/toolchain/index.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "60" } } });
const RUNS = Math.max(20, Number(values.runs));
const REPO = path.join(import.meta.dirname, "..");

/** A tool with a realistic schema: nested objects, enums, arrays, optional fields, a union and a $defs reference. */
function syntheticTool(integration: number, index: number): CatalogTool {
  const name = `op_${integration}_${index}`;
  return {
    name,
    title: `Operation ${index}`,
    description: `Does operation ${index} of integration ${integration}. Returns the updated record.`,
    annotations: { readOnlyHint: index % 3 === 0, destructiveHint: index % 7 === 0, idempotentHint: index % 2 === 0 },
    inputSchema: {
      type: "object",
      properties: {
        id: { type: "string", description: "Record id" },
        priority: { enum: ["P1", "P2", "P3", "P4"] },
        tags: { type: "array", items: { type: "string" } },
        limit: { type: "integer", minimum: 1, maximum: 100 },
        filter: {
          type: "object",
          properties: {
            field: { type: "string" },
            value: { anyOf: [{ type: "string" }, { type: "number" }, { type: "null" }] },
          },
          required: ["field"],
        },
        owner: { $ref: "#/$defs/person" },
      },
      required: ["id"],
      $defs: {
        person: {
          type: "object",
          properties: { email: { type: "string" }, name: { type: "string" } },
          required: ["email"],
        },
      },
    },
    outputSchema: {
      type: "object",
      properties: {
        id: { type: "string" },
        status: { enum: ["open", "closed", "pending"] },
        updated_at: { type: "string", format: "date-time" },
        items: {
          type: "array",
          items: {
            type: "object",
            properties: { key: { type: "string" }, count: { type: "integer" } },
            required: ["key", "count"],
          },
        },
      },
      required: ["id", "status", "updated_at", "items"],
    },
  };
}

function syntheticIntegrations(count: number, toolsEach: number): SdkIntegration[] {
  return Array.from({ length: count }, (_, i) => {
    const content: CatalogContent = {
      server: { name: `service-${i}`, version: "1.0.0" },
      capabilities: { tools: {} },
      tools: Array.from({ length: toolsEach }, (_, t) => syntheticTool(i, t)),
      resources: [],
      resourceTemplates: [],
      prompts: [],
    };
    return { id: `service${i}`, snapshotHash: contentHash(content), content };
  });
}

/** About 100 lines that call ten tools of the SDK with loops, branches and helpers. */
function workflowSource(): string {
  const lines = [
    'import { service0, service1, service2, service3, service4 } from "charter:sdk";',
    'import { defineWorkflow } from "charter:workflow";',
    "",
    "export default defineWorkflow({",
    '  name: "bench-workflow",',
    '  description: "Synchronises records between five services and reports what changed.",',
    "  input: {",
    '    type: "object",',
    "    properties: {",
    '      ids: { type: "array", items: { type: "string" } },',
    '      priority: { enum: ["P1", "P2", "P3", "P4"] },',
    '      owner: { type: "string" },',
    '      dry_run: { type: "boolean" },',
    "    },",
    '    required: ["ids"],',
    "    additionalProperties: false,",
    "  },",
    "  output: {",
    '    type: "object",',
    '    properties: { changed: { type: "integer" }, closed: { type: "array", items: { type: "string" } }, summary: { type: "string" } },',
    '    required: ["changed", "closed", "summary"],',
    "    additionalProperties: false,",
    "  },",
    '  triggers: [{ type: "webhook" }],',
    "  run: async (input, ctx) => {",
    "    let changed = 0;",
    "    const closed: string[] = [];",
    "    for (const id of input.ids) {",
    '      const record = await service0.op00({ id, priority: input.priority ?? "P3" });',
    '      ctx.log.info("read", { id: record.id, status: record.status });',
    '      if (record.status === "closed") {',
    "        closed.push(record.id);",
    "        continue;",
    "      }",
    "      const counts = total(record.items);",
    "      if (counts > 10) {",
    '        const updated = await service1.op13({ id, tags: ["busy"], limit: Math.min(counts, 100) });',
    "        changed += updated.items.length;",
    "      }",
    "      if (input.owner) {",
    "        await service2.op25({ id, owner: { email: input.owner } });",
    "        changed++;",
    "      }",
  ];
  for (let i = 0; i < 8; i++) {
    lines.push(
      `      const step${i} = await service${i % 5}.op${i % 5}${i + 1}({ id, filter: { field: "step", value: ${i} } });`,
      `      if (step${i}.status === "pending" && !input.dry_run) changed += step${i}.items.filter((item) => item.count > ${i}).length;`,
    );
  }
  lines.push(
    "      const last = await service4.op49({ id, tags: closed });",
    "      ctx.state.set(`last:${id}`, last.updated_at);",
    "    }",
    "    return { changed, closed, summary: summarize(changed, closed, ctx.now()) };",
    "  },",
    "});",
    "",
    "type Item = { key: string; count: number };",
    "",
    "function total(items: Item[]): number {",
    "  let sum = 0;",
    "  for (const item of items) sum += item.count;",
    "  return sum;",
    "}",
    "",
    "function summarize(changed: number, closed: string[], at: Date): string {",
    '  const parts = [`${changed} change${changed === 1 ? "" : "s"}`];',
    '  if (closed.length > 0) parts.push(`closed: ${closed.join(", ")}`);',
    "  parts.push(`at ${at.toISOString()}`);",
    '  return parts.join("; ");',
    "}",
  );
  while (lines.length < 100) lines.push(`// padding line ${lines.length}`);
  return `${lines.join("\n")}\n`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const time = <T>(fn: () => T): [T, number] => {
  const started = performance.now();
  const result = fn();
  return [result, performance.now() - started];
};

// 1. SDK generation for 1,000 tools
const thousand = syntheticIntegrations(10, 100);
generateSdk(syntheticIntegrations(1, 10)); // load ts-morph once, as a running service has
const sdkTimes = Array.from({ length: 5 }, () => time(() => generateSdk(thousand))[1]);
console.log(`SDK generation, 1,000 tools in 10 integrations: median ${ms(median(sdkTimes))} of 5 (target < 1000 ms)`);

// 2. warm check + analysis + bundle against a 500-tool SDK
const { sdk, compilerSdk } = compilerSdkOf(syntheticIntegrations(5, 100));
const source = workflowSource();
const [compiler, buildMs] = time(() => new WorkflowCompiler(compilerSdk));
const embedded = new WorkflowCompiler(compilerSdk, { native: false });
const started = performance.now();
const first = await compiler.compile({ source, fileName: "bench-workflow.ts" });
const firstMs = performance.now() - started;
if (!first.ok) {
  console.error(first.diagnostics);
  throw new Error("the benchmark workflow does not compile");
}
// A service compiles many workflows in one process; let the JIT settle as it would there.
const WARMUP = 20;
async function warmRuns(subject: WorkflowCompiler, source: string) {
  for (let i = 0; i < WARMUP; i++)
    await subject.compile({ source: `${source}// warmup ${i}\n`, fileName: "bench-workflow.ts" });
  const totals: number[] = [];
  const parts = { typecheckMs: [] as number[], analysisMs: [] as number[], bundleMs: [] as number[] };
  let typechecker = "";
  for (let i = 0; i < RUNS; i++) {
    const begun = performance.now();
    const result = await subject.compile({ source: `${source}// run ${i}\n`, fileName: "bench-workflow.ts" });
    totals.push(performance.now() - begun);
    typechecker = result.typechecker;
    for (const key of Object.keys(parts) as (keyof typeof parts)[]) parts[key].push(result.timings[key]);
  }
  const line = `median ${ms(median(totals))} of ${RUNS} after ${WARMUP} warm-up compiles (typecheck ${ms(median(parts.typecheckMs))}, analysis ${ms(median(parts.analysisMs))}, bundle ${ms(median(parts.bundleMs))})`;
  return { median: median(totals), line, typechecker };
}
const nativeRuns = await warmRuns(compiler, source);
const embeddedRuns = await warmRuns(embedded, source);
// The same workflow returning a variable: run's returned fields then come from the checker, not the syntax.
const RETURN_LITERAL = "    return { changed, closed, summary: summarize(changed, closed, ctx.now()) };";
const viaVariable = source.replace(
  RETURN_LITERAL,
  "    const result = { changed, closed, summary: summarize(changed, closed, ctx.now()) };\n    return result;",
);
if (viaVariable === source) throw new Error("the benchmark workflow's return statement changed; update RETURN_LITERAL");
const variableRuns = await warmRuns(compiler, viaVariable);
const warmMedian = nativeRuns.median;
console.log(
  `workflow: ${source.split("\n").length - 1} lines, ${first.capabilities.length} capabilities, bundle ${first.bundle?.bytes} bytes`,
);
console.log(
  `compiler for a 500-tool SDK: built in ${ms(buildMs)}, first compile ${ms(firstMs)} (type checker: ${first.typechecker})`,
);
console.log(
  `warm check + analysis + bundle, ${nativeRuns.typechecker} type check (tsgo, overlapping analysis and bundle): ${nativeRuns.line} (target <= 50 ms)`,
);
console.log(`  the same, run returning a variable (its returned fields asked of tsgo): ${variableRuns.line}`);
console.log(
  `warm check + analysis + bundle, ${embeddedRuns.typechecker} TypeScript 6 type check (the fallback): ${embeddedRuns.line}`,
);

// 3. cold compilers over the same files
const dir = mkdtempSync(path.join(tmpdir(), "charter-bench-"));
mkdirSync(path.join(dir, "sdk"));
for (const [name, text] of sdk.files) if (name.endsWith(".d.ts")) writeFileSync(path.join(dir, "sdk", name), text);
writeFileSync(path.join(dir, "charter.d.ts"), guestFiles().declarations);
writeFileSync(path.join(dir, "bench-workflow.ts"), source);
const options = {
  strict: true,
  noEmit: true,
  target: "es2023",
  lib: ["es2023"],
  types: [],
  module: "esnext",
  moduleResolution: "bundler",
  allowImportingTsExtensions: true,
  isolatedModules: true,
  paths: { "charter:sdk": ["./sdk/index.d.ts"] },
};
writeFileSync(
  path.join(dir, "tsconfig.json"),
  JSON.stringify({ compilerOptions: options, files: ["charter.d.ts", "bench-workflow.ts"] }),
);
const tsc7 = path.join(REPO, "node_modules/typescript/bin/tsc");
const runCold = (args: string[]) =>
  time(() => {
    try {
      execFileSync(process.execPath, args, { cwd: dir, stdio: "pipe" });
    } catch (error) {
      throw new Error(
        `${args.join(" ")} failed: ${String((error as { stderr?: Buffer }).stderr ?? error).slice(0, 2000)}`,
      );
    }
  })[1];
const COLD = 11;
const tsc7Times = Array.from({ length: COLD }, () => runCold([tsc7, "-p", "tsconfig.json"]));
// ts-morph's TypeScript has its lib files in memory only; give the cold program a copy on disk.
mkdirSync(path.join(dir, "lib"));
for (const [name, text] of guestFiles().libs) writeFileSync(path.join(dir, "lib", name), text);
const ts6Script = path.join(dir, "ts6.mjs");
writeFileSync(
  ts6Script,
  `import { ts } from ${JSON.stringify(path.join(REPO, "node_modules/ts-morph/dist/ts-morph.js"))};
const config = ts.getParsedCommandLineOfConfigFile("tsconfig.json", {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
const host = ts.createCompilerHost(config.options);
host.getDefaultLibLocation = () => ${JSON.stringify(path.join(dir, "lib"))};
host.getDefaultLibFileName = () => ${JSON.stringify(path.join(dir, "lib", "lib.es2023.d.ts"))};
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length > 0) { console.error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\\n" })); process.exit(1); }
`,
);
const ts6Times = Array.from({ length: COLD }, () => runCold([ts6Script]));
const tsc7Median = median(tsc7Times);
const ts6Median = median(ts6Times);
console.log(
  `cold tsc --noEmit (TypeScript 7, native): median ${ms(tsc7Median)} of ${COLD} -> warm Charter compile is ${(tsc7Median / warmMedian).toFixed(1)}x faster (target >= 10x)`,
);
console.log(
  `cold TypeScript 6 program in a fresh node (the compiler Charter embeds): median ${ms(ts6Median)} of ${COLD} -> ${(ts6Median / warmMedian).toFixed(1)}x faster (embedded warm check: ${(ts6Median / embeddedRuns.median).toFixed(1)}x)`,
);
