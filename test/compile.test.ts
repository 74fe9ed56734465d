/**
 * The compile pipeline through its public faces: the tenant toolchain over a real store synced
 * from the demo tenant's real MCP servers, and WorkflowCompiler over generated SDKs.
 */
import assert from "node:assert/strict";
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import { after, before, describe, test } from "node:test";
import { ts } from "ts-morph";
import { type App, createApp } from "../src/app.ts";
import { type CompileResult, ES_LIB, guestFiles, WorkflowCompiler } from "../src/compile/index.ts";
import type { CatalogTool } from "../src/core/catalog.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import { declaredRun, literalReturnedProperties, returnedPropertiesOf } from "../src/compile/output-check.ts";
import { parseWorkflow, TenantTypechecker } from "../src/compile/typecheck.ts";
import { compilerSdkOf } from "../src/toolchain/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO, scripted, tenantsFolder } from "./helpers/tenants.ts";

const FIXTURES = path.join(REPO, "test/fixtures/workflows");
const EXAMPLE = path.join(REPO, "tenants/demo/workflows/p1-bridge.ts");

/** A compiler over a generated SDK of made-up integrations (no servers needed). */
function compilerFor(
  integrations: Record<string, CatalogTool[]>,
  options: { native?: boolean } = {},
): WorkflowCompiler {
  const { compilerSdk } = compilerSdkOf(
    Object.entries(integrations).map(([id, tools]) => {
      const content = {
        server: { name: id, version: "1" },
        capabilities: { tools: {} },
        tools,
        resources: [],
        resourceTemplates: [],
        prompts: [],
      };
      return { id, snapshotHash: contentHash(content), content };
    }),
  );
  return new WorkflowCompiler(compilerSdk, options);
}

const codes = (result: CompileResult) => result.diagnostics.map((d) => `${d.line}:${d.code}`);

describe("compiling workflows against the demo tenant", () => {
  let app: App;
  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    const synced = await app.catalogService.syncTenant("demo");
    assert.ok(synced.ok, JSON.stringify(synced.integrations.map((i) => i.error)));
  });
  after(() => app.close());

  const check = async (file: string, tests?: string) =>
    app.toolchain.check("demo", {
      source: await readFile(file, "utf8"),
      fileName: path.basename(file),
      tests: tests ? { text: tests, fileName: "tests.json" } : undefined,
    });

  test("the example workflow: clean, with exactly the tools it calls and their annotations, its trigger and its tests", async () => {
    const result = await check(EXAMPLE, await readFile(EXAMPLE.replace(/\.ts$/, ".tests.json"), "utf8"));
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.capabilities.map((c) => [
        `${c.integration}.${c.tool}`,
        c.sdkFunction,
        c.annotations.readOnly,
        c.annotations.destructive,
      ]),
      [
        ["chat.create_channel", "chat.createChannel", false, false],
        ["chat.page_user", "chat.pageUser", false, false],
        ["chat.post_message", "chat.postMessage", false, false],
        ["directory.get_on_call", "directory.getOnCall", true, false],
        ["tickets.add_comment", "tickets.addComment", false, false],
        ["tickets.get_incident", "tickets.getIncident", true, false],
      ],
    );
    assert.equal(result.workflow?.name, "p1-bridge");
    assert.deepEqual(result.workflow?.triggers, [
      { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
    ]);
    assert.deepEqual(
      result.workflow?.inputSchema["required"],
      undefined,
      "the trigger passes { uri, text }, a caller { incident_id }",
    );
    assert.equal(result.tests?.tests.length, 4);
    // Requiring incident_id, as this example once did, would fail every event of its trigger.
    const source = (await readFile(EXAMPLE, "utf8")).replace(
      "    additionalProperties: false,\n  },\n  output",
      '    required: ["incident_id"],\n    additionalProperties: false,\n  },\n  output',
    );
    const requiring = await app.toolchain.check("demo", { source, fileName: "p1-bridge.ts" });
    // Reported at the trigger it concerns.
    const triggerLine = source.split("\n").findIndex((line) => line.trimStart().startsWith("triggers:")) + 1;
    assert.ok(triggerLine > 0, "the example declares its triggers");
    assert.deepEqual(
      requiring.diagnostics.map((d) => `${d.line}:${d.code} ${d.message}`),
      [
        `${triggerLine}:CHARTER_INVALID_DEFINITION trigger 1: a resource trigger starts the run with { uri, text } (the resource's URI and its content as text), which the input schema refuses ((root) must have required property 'incident_id'); accept uri and text, optional or required, and read the event from text, or drop the trigger`,
      ],
    );
  });

  test("the bundle holds only the SDK functions the workflow uses, and runs against a bridge", async () => {
    const result = await check(EXAMPLE);
    const code = result.bundle?.code ?? "";
    assert.ok(code.length > 0);
    for (const unused of ["close_incident", "disable_user", "archive_channel", "closeIncident", "getChannelHistory"])
      assert.ok(!code.includes(unused), `bundle contains ${unused}`);
    assert.match(result.bundle?.sourceMap ?? "", /"sources":/);
    assert.match(result.bundle?.hash ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.match(
      code,
      /^"use strict";/,
      "the bundle runs in strict mode: a plain function's `this` is not the global object",
    );

    const replies: Record<string, unknown> = {
      "tickets/get_incident": {
        ok: true,
        structured: {
          id: "INC7",
          title: "Down",
          description: "d",
          priority: "P1",
          status: "new",
          reporter_email: "a@x",
          assignee: null,
          comments: [],
          tags: [],
          created_at: "t",
        },
      },
      "directory/get_on_call": {
        ok: true,
        structured: {
          rotation: "primary",
          until: "t",
          user: {
            id: "u",
            name: "Sam",
            email: "sam@x",
            department: "it",
            groups: [],
            manager_id: null,
            status: "active",
          },
        },
      },
      "chat/page_user": { ok: true, structured: { page_id: "PG1", status: "triggered" } },
      "chat/create_channel": {
        ok: true,
        structured: { id: "C1", name: "inc-inc7", topic: "", members: [], private: false, archived: false },
      },
      "chat/post_message": { ok: true, structured: { channel_id: "C1", text: "", thread_ts: null, ts: "1" } },
      "tickets/add_comment": { ok: true, content: [{ type: "text", text: "ok" }] },
    };
    const calls: string[] = [];
    const context = vm.createContext({
      __charterBridge: async (request: string) => {
        const { integration, tool } = JSON.parse(request) as { integration: string; tool: string };
        calls.push(`${integration}.${tool}`);
        return JSON.stringify(
          replies[`${integration}/${tool}`] ?? {
            ok: false,
            error: { code: "NOT_ALLOWED", message: "no", retryable: false },
          },
        );
      },
    });
    vm.runInContext(code, context);
    assert.equal(
      vm.runInContext("typeof __charterBridge", context),
      "undefined",
      "the runtime takes the bridge off the global object",
    );
    const definition = vm.runInContext("__charterWorkflow.default", context) as {
      run: (input: unknown, ctx: unknown) => Promise<unknown>;
    };
    const state = new Map<string, unknown>();
    const ctx = {
      log: { info() {}, warn() {}, error() {} },
      state: {
        get: (k: string) => state.get(k),
        set: (k: string, v: unknown) => state.set(k, v),
        delete: (k: string) => state.delete(k),
      },
      now: () => new Date(0),
      run: {},
    };
    const output = await definition.run({ incident_id: "INC7" }, ctx);
    assert.deepEqual(JSON.parse(JSON.stringify(output)), {
      bridges: [{ incident_id: "INC7", channel: "inc-inc7", paged: "sam@x" }],
      skipped: [],
    });
    assert.deepEqual(calls, [
      "tickets.get_incident",
      "directory.get_on_call",
      "chat.page_user",
      "chat.create_channel",
      "chat.post_message",
      "tickets.add_comment",
    ]);
    assert.equal(state.get("bridges_opened"), 1);
    // From the trigger, an incident bridged before is left alone.
    calls.length = 0;
    const again = await definition.run({ uri: "tickets://incidents/new", text: JSON.stringify([{ id: "INC7" }]) }, ctx);
    assert.deepEqual(JSON.parse(JSON.stringify(again)), { bridges: [], skipped: [] });
    assert.deepEqual(calls, []);
  });

  test("a wrong enum value is TypeScript's error at the line it is on", async () => {
    const result = await check(path.join(FIXTURES, "wrong-enum.ts"));
    assert.equal(result.ok, false);
    assert.deepEqual(codes(result), ["9:TS2322"]);
    assert.match(result.diagnostics[0]?.message ?? "", /"critical"/);
    assert.equal(result.bundle, undefined, "nothing is bundled from code with errors");
  });

  const rejections: [string, string[]][] = [
    ["eval.ts", ["9:CHARTER_FORBIDDEN_EVAL"]],
    ["function-constructor.ts", ["9:CHARTER_FORBIDDEN_EVAL"]],
    ["constructor-access.ts", ["9:CHARTER_FORBIDDEN_EVAL"]],
    ["global-this.ts", ["9:CHARTER_FORBIDDEN_EVAL"]],
    ["computed-access.ts", ["10:CHARTER_NAMESPACE_ESCAPE"]],
    ["namespace-alias.ts", ["9:CHARTER_NAMESPACE_ESCAPE"]],
    // TypeScript 7 elaborates this argument error (2739), the embedded TypeScript 6 does not (2345).
    ["namespace-argument.ts", ["9:CHARTER_NAMESPACE_ESCAPE", "9:TS2739|9:TS2345"]],
    ["with.ts", ["10:CHARTER_FORBIDDEN_WITH"]],
    ["declare-global.ts", ["3:CHARTER_FORBIDDEN_DECLARE"]],
    ["declare-value.ts", ["3:CHARTER_FORBIDDEN_DECLARE"]],
    ["declare-module.ts", ["3:CHARTER_FORBIDDEN_DECLARE"]],
    ["import-equals.ts", ["3:CHARTER_FORBIDDEN_IMPORT"]],
    ["prototype-index.ts", ["10:CHARTER_FORBIDDEN_PROTOTYPE"]],
    ["prototype-reflect.ts", ["10:CHARTER_FORBIDDEN_PROTOTYPE"]],
    ["prototype-destructure.ts", ["10:CHARTER_FORBIDDEN_PROTOTYPE"]],
    ["proto-assign.ts", ["10:CHARTER_FORBIDDEN_PROTOTYPE"]],
    ["reference-lib.ts", ["1:CHARTER_FORBIDDEN_IMPORT"]],
    ["ts-ignore.ts", ["8:CHARTER_FORBIDDEN_SUPPRESSION"]],
    ["dynamic-import.ts", ["9:CHARTER_DYNAMIC_IMPORT"]],
    ["node-import.ts", ["1:CHARTER_FORBIDDEN_IMPORT"]],
    ["fetch.ts", ["9:TS2304"]],
    ["no-default-export.ts", ["1:CHARTER_NO_WORKFLOW"]],
    ["not-literal-schema.ts", ["10:CHARTER_NOT_LITERAL"]],
    ["schema-mismatch.ts", ["8:TS2322"]],
    ["schema-typo.ts", ["6:CHARTER_INVALID_DEFINITION", "7:CHARTER_INVALID_DEFINITION"]],
    ["retry-unknown.ts", ["9:CHARTER_INVALID_DEFINITION"]],
    ["syntax-error.ts", ["9:TS1109"]],
    [
      "bad-definition.ts",
      [
        "4:CHARTER_INVALID_DEFINITION",
        "5:CHARTER_INVALID_DEFINITION",
        "6:CHARTER_INVALID_DEFINITION",
        "8:CHARTER_INVALID_DEFINITION",
        "8:CHARTER_INVALID_DEFINITION",
      ],
    ],
  ];
  const sameCodes = (actual: string[], expected: string[]) =>
    actual.length === expected.length && actual.every((code, i) => expected[i]?.split("|").includes(code));
  for (const [file, expected] of rejections) {
    test(`rejected with a diagnostic at its line: ${file}`, async () => {
      const result = await check(path.join(FIXTURES, file));
      assert.equal(result.ok, false);
      assert.ok(sameCodes(codes(result), expected), JSON.stringify(result.diagnostics, null, 1));
      for (const d of result.diagnostics) assert.ok(d.column >= 1 && d.message.length > 0);
    });
  }

  test("a source nested thousands of levels deep is refused at its line, not an unexpected error, by either checker; a tests file nested 100,000 deep too, and a NUL character", async () => {
    const sdk = await app.toolchain.sdk("demo");
    const compilers = [new WorkflowCompiler(sdk.compilerSdk, { native: false }), await app.toolchain.compiler("demo")];
    const workflow = (body: string) =>
      `import { defineWorkflow } from "charter:workflow";\nexport default defineWorkflow({ name: "deep", description: "Deep.", input: { type: "object" }, output: { type: "object" },\n  run: async () => {\n${body}\n    return {};\n  },\n});\n`;
    const n = 20_000;
    const bodies = {
      parentheses: `const a = ${"(".repeat(n)}1${")".repeat(n)};`,
      blocks: `${"{".repeat(n)}${"}".repeat(n)}`,
      negations: `const a = ${"!".repeat(n)}1;`,
      ifs: `${"if (Math.random() > 0.5) ".repeat(n)}{}`,
      arrows: `const f = ${"(x: number) => ".repeat(n)}1;`,
      conditionals: `const a = ${"Math.random() > 0.5 ? 1 : ".repeat(n)}2;`,
      sums: `const a = ${"1 + ".repeat(n)}1;`,
      // Past the parser's stack but within it: refused at the node that crosses the limit.
      arrays: `const a = ${"[".repeat(300)}${"]".repeat(300)};`,
      // One token, nested inside: a regular expression's groups.
      "regex groups": `const a = /${"(".repeat(n)}a${")".repeat(n)}/;`,
    };
    for (const compiler of compilers) {
      for (const [shape, body] of Object.entries(bodies)) {
        const result = await compiler.compile({ source: workflow(body), fileName: "deep.ts" });
        assert.equal(result.ok, false, shape);
        assert.deepEqual(
          result.diagnostics.map((d) => d.code),
          ["CHARTER_TOO_DEEP"],
          `${shape}: ${JSON.stringify(result.diagnostics)}`,
        );
        assert.ok([1, 4].includes(result.diagnostics[0]?.line ?? 0), `${shape} at line ${result.diagnostics[0]?.line}`);
        assert.match(
          result.diagnostics[0]?.message ?? "",
          /nests more than 200 levels deep here; split it into functions/,
        );
      }
      const flat = await compiler.compile({
        source: workflow(`const a = ${"[".repeat(50)}${"]".repeat(50)};`),
        fileName: "flat.ts",
      });
      assert.deepEqual(flat.diagnostics, [], "50 levels are fine");
    }
    const nul = await compilers[0]?.compile({ source: workflow("const a = 'x\u0000y';"), fileName: "nul.ts" });
    assert.deepEqual(
      nul?.diagnostics.map((d) => `${d.line}:${d.code}`),
      ["4:CHARTER_FORBIDDEN_CHARACTER"],
      "a NUL in the text (which PostgreSQL cannot store) is refused before anything is stored",
    );
    for (const variant of ["// @ts-ignore_", "// @ts-ignoreX", "/* @ts-expect-error_ */", "// @TS-NOCHECK"]) {
      const suppressed = await compilers[0]?.compile({
        source: workflow(`${variant}\n    const a: number = "x";`),
        fileName: "variant.ts",
      });
      assert.deepEqual(
        suppressed?.diagnostics.map((d) => d.code),
        ["CHARTER_FORBIDDEN_SUPPRESSION"],
        variant,
      );
    }
    const half = await compilers[0]?.compile({ source: workflow("const a = 'x\ud800y';"), fileName: "half.ts" });
    assert.deepEqual(
      half?.diagnostics.map((d) => `${d.line}:${d.code}`),
      ["4:CHARTER_FORBIDDEN_CHARACTER"],
      "so is half a character",
    );
    const deepTests = `{"tests":[{"name":"deep","input":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}},"expect":{"calls":[]}}]}`;
    const tests = await check(EXAMPLE, deepTests);
    assert.deepEqual(
      tests.diagnostics.map((d) => [d.code, d.message]),
      [["CHARTER_TESTS_INVALID", "the tests file nests deeper than 64 levels"]],
    );
  });

  test("the embedded TypeScript, used where tsgo is not, gives the same verdicts and findings", async () => {
    const sdk = await app.toolchain.sdk("demo");
    const embedded = new WorkflowCompiler(sdk.compilerSdk, { native: false });
    const native = await app.toolchain.compiler("demo");
    for (const [file, expected] of rejections) {
      const input = { source: await readFile(path.join(FIXTURES, file), "utf8"), fileName: file };
      const [a, b] = [await embedded.compile(input), await native.compile(input)];
      assert.equal(a.typechecker, "embedded");
      assert.ok(sameCodes(codes(a), expected), `${file}: ${JSON.stringify(a.diagnostics, null, 1)}`);
      assert.ok(sameCodes(codes(b), expected), `${file}: ${JSON.stringify(b.diagnostics, null, 1)}`);
    }
    const clean = { source: await readFile(EXAMPLE, "utf8"), fileName: "example.ts" };
    const [a, b] = [await embedded.compile(clean), await native.compile(clean)];
    assert.equal(b.typechecker, "native", "tsgo checks clean workflows on this machine");
    assert.ok(a.ok && b.ok);
    assert.equal(a.bundle?.hash, b.bundle?.hash, "the same bundle whichever checker ran");
    assert.deepEqual(a.capabilities, b.capabilities);
  });

  test("schema problems say what is wrong: a type that disagrees, an unknown keyword, a required name with no property", async () => {
    const mismatch = await check(path.join(FIXTURES, "schema-mismatch.ts"));
    assert.match(
      mismatch.diagnostics[0]?.message ?? "",
      /Type '\{ ok: string; \}' is not assignable to type '\{ ok: boolean; \}'/,
    );
    assert.doesNotMatch(mismatch.diagnostics[0]?.message ?? "", /NoInfer/);
    const typo = await check(path.join(FIXTURES, "schema-typo.ts"));
    assert.match(typo.diagnostics[0]?.message ?? "", /the input schema is not usable: unknown keyword: "requried"/);
    assert.match(
      typo.diagnostics[1]?.message ?? "",
      /the output schema is not usable: required property "okay" is not defined/,
    );
  });

  test("browser and Node.js names get a message that says what a workflow does instead", async () => {
    const result = await check(path.join(FIXTURES, "fetch.ts"));
    assert.match(result.diagnostics[0]?.message ?? "", /`fetch` is not available in a workflow: .*charter:sdk/);
  });

  test("tests that disagree with the schemas are reported before anything runs", async () => {
    const tests = {
      tests: [
        {
          name: "bad",
          input: { incident: "INC1" },
          mocks: {
            "tickets.get_incident": [{ output: { id: 5 } }],
            "tickets.nonexistent": [{ output: {} }],
            "tickets.add_comment": [{ output: { done: true } }],
            "tickets.close_incident": [{ output: {} }],
          },
          expect: { calls: [{ tool: "directory.disable_user" }], output: { bridges: "yes", skipped: [] } },
        },
      ],
    };
    const result = await check(EXAMPLE, JSON.stringify(tests, null, 2));
    const messages = result.diagnostics.map((d) => `${d.severity} ${d.message}`);
    const expected = [
      /error test "bad": input \(root\) must NOT have additional properties/,
      /error test "bad": mock 1 of "tickets.get_incident": output .*must have required property/,
      /error test "bad": mocks "tickets.nonexistent", which is not a tool in this tenant's catalog/,
      /error test "bad": mock 1 of "tickets.add_comment" gives structured output, but the tool declares no outputSchema/,
      /warning test "bad": mocks "tickets.close_incident", which the workflow never calls/,
      /error test "bad": expects a call to "directory.disable_user", which the workflow cannot call/,
      /error test "bad": expected output \/bridges must be array/,
    ];
    for (const pattern of expected)
      assert.ok(
        messages.some((m) => pattern.test(m)),
        `${pattern} not in:\n${messages.join("\n")}`,
      );
    assert.equal(result.ok, false);

    const broken = await check(EXAMPLE, '{ "tests": [\n  { "name": }\n]}');
    assert.equal(broken.diagnostics[0]?.code, "CHARTER_TESTS_INVALID");
    assert.equal(broken.diagnostics[0]?.line, 2);
  });

  test("a workflow's retry list reaches the bridge policy of exactly those tools", async () => {
    const source = (await readFile(path.join(FIXTURES, "retry-unknown.ts"), "utf8")).replace(
      ', "tickets.close_incident"',
      "",
    );
    const { result, runnable } = await app.toolchain.build("demo", { source, fileName: "retry.ts" });
    assert.deepEqual(result.workflow?.retry, ["tickets.add_comment"]);
    assert.deepEqual(
      runnable?.tools.map((t) => [t.tool, t.retry]),
      [["add_comment", true]],
    );
  });

  test("the warm compiler is reused for the same catalog", async () => {
    assert.equal(await app.toolchain.compiler("demo"), await app.toolchain.compiler("demo"));
  });

  test("a tenant that was never synced: an error that says to sync it", async () => {
    await assert.rejects(
      app.toolchain.check("nobody", { source: "", fileName: "x.ts" }),
      /tenant "nobody" has no stored catalog; run `charter tenants sync nobody` first/,
    );
  });
});

describe("compiler properties", () => {
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({
    type: "object",
    properties,
    required,
  });
  const workflow = (body: string, imports = "") => `${imports}
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "w",
  description: "A test workflow.",
  input: {
    type: "object",
    properties: {
      kind: { enum: ["a", "b"] },
      count: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
      owner: { type: ["string", "null"] },
      nested: { type: "object", properties: { deep: { const: 1 } }, required: ["deep"], additionalProperties: false },
    },
    required: ["kind", "tags", "owner"],
  },
  output: { type: "object", properties: { n: { type: "number" } }, required: ["n"], additionalProperties: false },
  run: async (input) => {
${body}
  },
});
`;

  test("input and output types come from the JSON Schema: one source of truth", async () => {
    const compiler = compilerFor({});
    const good = await compiler.compile({
      fileName: "w.ts",
      source: workflow(`    const kind: "a" | "b" = input.kind;
    const tags: string[] = input.tags;
    const owner: string | null = input.owner;
    const deep: 1 | undefined = input.nested?.deep;
    return { n: (input.count ?? 0) + tags.length + (kind === "a" ? 1 : 0) + (owner ? 1 : 0) + (deep ?? 0) };`),
    });
    assert.deepEqual(good.diagnostics, []);
    const wrong = workflow(`    const n: number = input.count;
    const kind: "a" = input.kind;
    return { n, extra: true };`);
    const bad = await compiler.compile({ fileName: "w.ts", source: wrong });
    const embedded = await compilerFor({}, { native: false }).compile({ fileName: "w.ts", source: wrong });
    for (const result of [bad, embedded]) {
      assert.deepEqual(codes(result), ["18:CHARTER_OUTPUT_MISMATCH", "19:TS2322", "20:TS2322"], result.typechecker);
      assert.match(
        result.diagnostics[0]?.message ?? "",
        /run can return "extra", which the output schema does not allow/,
      );
      assert.match(result.diagnostics[1]?.message ?? "", /undefined/);
      assert.match(result.diagnostics[2]?.message ?? "", /"b"/);
    }
    assert.deepEqual([bad.typechecker, embedded.typechecker], ["native", "embedded"]);
  });

  test("an input field defined by $ref into $defs is typed from its definition, recursive ones too, not as any JSON", async () => {
    const source = (body: string) => `import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "refs",
  description: "Reads an address and a tree.",
  input: {
    type: "object",
    properties: { home: { $ref: "#/$defs/Address" }, tree: { $ref: "#/$defs/Node" } },
    required: ["home"],
    additionalProperties: false,
    $defs: {
      Address: { type: "object", properties: { city: { type: "string" }, zip: { type: "integer" } }, required: ["city"], additionalProperties: false },
      Node: { type: "object", properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } }, required: ["name"], additionalProperties: false },
    },
  },
  output: { type: "object", properties: { n: { type: "number" } }, required: ["n"], additionalProperties: false },
  run: async (input) => {
${body}
  },
});
`;
    for (const options of [{}, { native: false }]) {
      const compiler = compilerFor({}, options);
      const good = await compiler.compile({
        fileName: "refs.ts",
        source: source(
          "    const city: string = input.home.city;\n    const kids: string[] = (input.tree?.children ?? []).map((c) => c.name);\n    return { n: city.length + (input.home.zip ?? 0) + kids.length };",
        ),
      });
      assert.deepEqual(good.diagnostics, [], good.typechecker);
      const bad = await compiler.compile({
        fileName: "refs.ts",
        source: source('    const zip: string = input.home.zip ?? "";\n    return { n: input.home.street.length };'),
      });
      assert.deepEqual(
        bad.diagnostics.map((d) => d.code),
        ["TS2322", "TS2339"],
        `${bad.typechecker}: ${JSON.stringify(bad.diagnostics)}`,
      );
    }
  });

  test("fields run returns beyond a closed output schema: read from returned object literals, from the checker otherwise", async () => {
    const cases: [body: string, extra: string[], literal: boolean][] = [
      ["    return { n: 1, extra: true };", ["extra"], true],
      [
        '    if (input.count) return { n: 1, "a-b": 1 };\n    return input.kind === "a" ? { n: 2, b: 2 } : ({ n: 3 });',
        ["a-b", "b"],
        true,
      ],
      ["    const inner = () => {\n      return { hidden: 1 };\n    };\n    inner();\n    return { n: 1 };", [], true],
      ["    const out = { n: 1, extra: true };\n    return out;", ["extra"], false],
      ["    return { ...{ n: 1, spread: 2 } };", ["spread"], false],
      ['    return input.kind === "a" ? { n: 1 } : { n: 2, ...{ viaSpread: 1 } };', ["viaSpread"], false],
    ];
    const native = compilerFor({});
    const embedded = compilerFor({}, { native: false });
    const libFiles = new Map([...compilerSdkOf([]).compilerSdk.files]);
    for (const [body, extra, literal] of cases) {
      const source = workflow(body);
      for (const result of [
        await native.compile({ fileName: "w.ts", source }),
        await embedded.compile({ fileName: "w.ts", source }),
      ]) {
        const mismatches = result.diagnostics
          .filter((d) => d.code === "CHARTER_OUTPUT_MISMATCH")
          .map((d) => /"([^"]+)"/.exec(d.message)?.[1]);
        assert.deepEqual(mismatches, extra, `${result.typechecker}: ${body}`);
      }
      // Where the syntax answers, it answers what the checker would.
      const checked = new TenantTypechecker(libFiles).check(parseWorkflow(source));
      const run = declaredRun(checked.sourceFile);
      assert.ok(run);
      const fromSyntax = literalReturnedProperties(run);
      assert.equal(fromSyntax !== undefined, literal, body);
      if (fromSyntax)
        assert.deepEqual(new Set(fromSyntax.flat()), new Set(returnedPropertiesOf(run, checked.checker)?.flat()), body);
    }
  });

  test("a schedule or resource trigger whose input the schema refuses is an error at the triggers", async () => {
    const compiler = compilerFor({});
    const withTriggers = (triggers: string, input?: string) => {
      let source = workflow("    return { n: 1 };").replace(
        "  run: async (input) => {",
        `  triggers: ${triggers},\n  run: async (input) => {`,
      );
      if (input)
        source = source.replace(/ {2}input: \{\n[\s\S]*?\n {2}\},\n {2}output/, `  input: ${input},\n  output`);
      return source;
    };
    const refused = async (source: string) =>
      (await compiler.compile({ fileName: "w.ts", source })).diagnostics.map((d) => `${d.code} ${d.message}`);
    assert.deepEqual(await refused(withTriggers('[{ type: "schedule", every: "1h" }]')), [
      "CHARTER_INVALID_DEFINITION trigger 1: a schedule trigger starts the run with {} (no input), which the input schema refuses ((root) must have required property 'kind'); make every input property optional, or drop the trigger",
    ]);
    assert.match(
      (await refused(withTriggers('[{ type: "webhook" }, { type: "schedule", cron: "0 9 * * 1-5" }]')))[0] ?? "",
      /^CHARTER_INVALID_DEFINITION trigger 2: a schedule trigger/,
    );
    const closed = '{ type: "object", properties: { id: { type: "string" } }, additionalProperties: false }';
    assert.deepEqual(
      await refused(withTriggers('[{ type: "schedule", every: "1h" }]', closed)),
      [],
      "nothing required: {} is accepted",
    );
    // Webhooks and manual or tool calls pass what their caller sends, which the schema checks at run time.
    assert.deepEqual(await refused(withTriggers('[{ type: "webhook" }, { type: "manual" }]')), []);
  });

  test("runtime-code globals are found by what a name refers to, alike on both checkers", async () => {
    const source = workflow(`    const twice = (Function: number) => Function * 2;
    Function: for (const tag of input.tags) if (tag === "") break Function;
    const made = Function("return 1");
    return { n: twice(1) + (typeof made === "function" ? 1 : 0) };`);
    for (const compiler of [compilerFor({}), compilerFor({}, { native: false })]) {
      const result = await compiler.compile({ fileName: "w.ts", source });
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.line}:${d.column}:${d.code}`),
        ["21:18:CHARTER_FORBIDDEN_EVAL"],
        result.typechecker,
      );
    }
  });

  test("tenants never see each other's SDK", async () => {
    const alpha = compilerFor({ alpha: [{ name: "ping", inputSchema: object({}) }] });
    const beta = compilerFor({ beta: [{ name: "pong", inputSchema: object({}) }] });
    const source = workflow("    await alpha.ping();\n    return { n: 1 };", 'import { alpha } from "charter:sdk";');
    assert.deepEqual((await alpha.compile({ source, fileName: "w.ts" })).diagnostics, []);
    const other = await beta.compile({ source, fileName: "w.ts" });
    assert.equal(other.ok, false);
    assert.match(other.diagnostics[0]?.message ?? "", /has no exported member 'alpha'/);
    // A closed compiler (its catalog replaced) has released its native project and still checks, on the embedded TypeScript.
    alpha.close();
    const after = await alpha.compile({ source, fileName: "w.ts" });
    assert.deepEqual([after.typechecker, after.diagnostics], ["embedded", []]);
  });

  test("hostile tool names and descriptions stay data: capabilities keep the original MCP name", async () => {
    const compiler = compilerFor({
      ops: [
        {
          name: "delete */ everything`${x}",
          description: "*/ eval('x') /*",
          inputSchema: object({}),
          annotations: { destructiveHint: true },
        },
      ],
    });
    const result = await compiler.compile({
      source: workflow(
        "    await ops.deleteEverythingX();\n    return { n: 1 };",
        'import { ops } from "charter:sdk";',
      ),
      fileName: "w.ts",
    });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.capabilities.map((c) => [c.tool, c.annotations.destructive]),
      [["delete */ everything`${x}", true]],
    );
  });

  test('a "__proto__" key in a schema literal stays a key', async () => {
    const compiler = compilerFor({});
    const source = workflow("    return { n: 1 };").replace(
      'kind: { enum: ["a", "b"] },',
      'kind: { enum: ["a", "b"] },\n      "__proto__": { type: "string" },',
    );
    const result = await compiler.compile({ source, fileName: "w.ts" });
    const properties = result.workflow?.inputSchema["properties"] as Record<string, unknown>;
    assert.ok(Object.hasOwn(properties, "__proto__"));
    assert.equal(Object.getPrototypeOf(properties), Object.prototype);
  });

  test("the guest runtime itself uses nothing but ECMAScript: it compiles with no DOM and no Node.js", () => {
    const guest = guestFiles();
    const files = new Map<string, string>([
      ["/charter.d.ts", guest.declarations],
      ...[...guest.runtime].map(([name, text]) => [`/${name}`, text] as [string, string]),
    ]);
    for (const [name, text] of guest.libs) files.set(`/lib/${name}`, text);
    const host = ts.createCompilerHost({});
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      lib: [ES_LIB],
      types: [],
    };
    const program = ts.createProgram({
      rootNames: ["/charter.d.ts", "/workflow.ts", "/bridge.ts"],
      options,
      host: {
        ...host,
        getSourceFile: (name) =>
          files.has(name) ? ts.createSourceFile(name, files.get(name) ?? "", ts.ScriptTarget.ES2023) : undefined,
        fileExists: (name) => files.has(name),
        readFile: (name) => files.get(name),
        getDefaultLibLocation: () => "/lib/",
        getDefaultLibFileName: () => `/lib/${ES_LIB}`,
        getCurrentDirectory: () => "/",
      },
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    assert.deepEqual(diagnostics, []);
  });
});

describe("catalog changes", () => {
  test("a sync that changes the catalog gives the next check a new SDK and compiler", async () => {
    const toolsDir = await mkdtemp(path.join(tmpdir(), "charter-tools-"));
    const toolsFile = path.join(toolsDir, "tools.json");
    await writeFile(toolsFile, JSON.stringify([{ name: "ping", inputSchema: { type: "object" } }]));
    const tenants = await tenantsFolder({
      acme: { config: { name: "Acme", integrations: { ops: scripted("normal", ["--tools-file", toolsFile]) } } },
    });
    const app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: tenants },
      database: await embeddedTestDatabase(),
    });
    try {
      await app.catalogService.syncTenant("acme");
      const source = `import { ops } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({ name: "w", description: "Pings.", input: { type: "object" }, output: { type: "object" }, run: async () => { await ops.pong(); return {}; } });`;
      const first = await app.toolchain.compiler("acme");
      assert.equal((await first.compile({ source, fileName: "w.ts" })).ok, false);
      await writeFile(toolsFile, JSON.stringify([{ name: "pong", inputSchema: { type: "object" } }]));
      await app.catalogService.syncTenant("acme");
      const second = await app.toolchain.compiler("acme");
      assert.notEqual(second, first);
      assert.notEqual(second.catalogHash, first.catalogHash);
      const result = await second.compile({ source, fileName: "w.ts" });
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(
        result.capabilities.map((c) => c.tool),
        ["pong"],
      );
    } finally {
      await app.close();
    }
  });
});
