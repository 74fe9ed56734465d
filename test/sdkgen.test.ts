/**
 * Golden tests for the SDK generator. Set UPDATE_GOLDEN=1 to rewrite the golden files after an
 * intended change, then review the diff like any other code.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, describe, test } from "node:test";
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget, SyntaxKind } from "ts-morph";
import { Secret } from "../src/config/credentials.ts";
import type { CatalogContent, CatalogTool } from "../src/core/catalog.ts";
import { contentHash } from "../src/core/canonical-json.ts";
import { type ConnectionSpec, discoverCatalog, McpClientPool } from "../src/mcp/index.ts";
import { type GeneratedSdk, generateSdk, type SdkIntegration } from "../src/sdkgen/index.ts";
import { DEMO_SERVERS, REPO } from "./helpers/tenants.ts";

const GOLDEN = path.join(import.meta.dirname, "golden/sdk");
const update = process.env["UPDATE_GOLDEN"] === "1";

async function assertGolden(name: string, sdk: GeneratedSdk) {
  for (const [file, text] of sdk.files) {
    const golden = path.join(GOLDEN, name, `${file}.txt`);
    if (update) {
      await mkdir(path.dirname(golden), { recursive: true });
      await writeFile(golden, text);
    } else {
      assert.equal(
        text,
        await readFile(golden, "utf8").catch(() => `(missing golden file ${golden}; run with UPDATE_GOLDEN=1)`),
        `${name}/${file}`,
      );
    }
  }
}

/** Typechecks the generated SDK plus a snippet that uses it; returns the diagnostics as text. */
function typecheck(sdk: GeneratedSdk, usage = ""): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: ScriptTarget.ES2022,
      module: ModuleKind.ESNext,
      moduleResolution: ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      lib: ["lib.es2022.d.ts"],
      types: [],
    },
  });
  project.createSourceFile("/runtime.d.ts", readFileSyncText(path.join(REPO, "sandbox/charter.d.ts")));
  for (const [file, text] of sdk.files) if (!file.endsWith(".d.ts")) project.createSourceFile(`/sdk/${file}`, text);
  if (usage) project.createSourceFile("/usage.ts", usage);
  return project
    .getPreEmitDiagnostics()
    .map(
      (d) =>
        `${d.getSourceFile()?.getFilePath() ?? ""}:${d.getLineNumber() ?? 0} ${project.formatDiagnosticsWithColorAndContext([d]).split("\n")[0]}`,
    );
}

const readFileSyncText = (file: string) => readFileSync(file, "utf8");

const integration = (id: string, tools: CatalogTool[]): SdkIntegration => {
  const content: CatalogContent = {
    server: { name: id, version: "1" },
    capabilities: { tools: {} },
    tools,
    resources: [],
    resourceTemplates: [],
    prompts: [],
  };
  return { id, snapshotHash: contentHash(content), content };
};

describe("SDK generator", () => {
  const pool = new McpClientPool();
  after(() => pool.closeAll());

  test("the demo tenant and the third-party server: golden output that typechecks and is byte-identical on repeat", async () => {
    const token = readFileSyncText(path.join(REPO, "tenants/demo/secrets/directory.token")).trim();
    const base = { timeouts: { connectMs: 10_000, requestMs: 10_000 } };
    const specs: [string, ConnectionSpec][] = [
      [
        "tickets",
        {
          ...base,
          key: "g/tickets",
          integration: "tickets",
          transport: "stdio",
          command: "node",
          args: [path.join(DEMO_SERVERS, "ticketing.ts")],
          env: {},
          cwd: REPO,
          secretEnv: {},
        },
      ],
      [
        "directory",
        {
          ...base,
          key: "g/directory",
          integration: "directory",
          transport: "http",
          url: undefined,
          headers: {},
          secretHeaders: { Authorization: new Secret(`Bearer ${token}`) },
          launch: {
            command: "node",
            args: [
              path.join(DEMO_SERVERS, "directory.ts"),
              "--http",
              "--token-file",
              path.join(REPO, "tenants/demo/secrets/directory.token"),
            ],
            env: {},
            cwd: REPO,
          },
        },
      ],
      [
        "chat",
        {
          ...base,
          key: "g/chat",
          integration: "chat",
          transport: "http",
          url: undefined,
          headers: {},
          secretHeaders: {},
          launch: { command: "node", args: [path.join(DEMO_SERVERS, "chat.ts"), "--http"], env: {}, cwd: REPO },
        },
      ],
      [
        "everything",
        {
          ...base,
          key: "g/everything",
          integration: "everything",
          transport: "stdio",
          command: "node",
          args: [path.join(REPO, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"],
          env: {},
          cwd: REPO,
          secretEnv: {},
        },
      ],
    ];
    const integrations = await Promise.all(
      specs.map(async ([id, spec]) => {
        const content = await discoverCatalog(pool, spec);
        return { id, snapshotHash: contentHash(content), content };
      }),
    );
    const sdk = generateSdk(integrations);
    await assertGolden("demo", sdk);
    assert.equal(generateSdk([...integrations].reverse()).sdkHash, sdk.sdkHash, "same catalog, same bytes");
    assert.deepEqual(
      typecheck(
        sdk,
        `import { tickets, chat } from "./sdk/index.ts";
         export async function use() {
           const incident = await tickets.createIncident({ title: "VPN down", priority: "P1", reporter_email: "a@example.com" });
           const p: "P1" | "P2" | "P3" | "P4" = incident.priority;
           const history = await chat.getChannelHistory({ channel: "it-ops" });
           const text: string = history.text();
           return [p, text];
         }`,
      ),
      [],
    );
    const wrongEnum = typecheck(
      sdk,
      `import { tickets } from "./sdk/index.ts"; tickets.createIncident({ title: "x", priority: "P9", reporter_email: "a@b.c" });`,
    );
    assert.equal(wrongEnum.length, 1, wrongEnum.join("\n"));
    assert.match(wrongEnum[0] ?? "", /"P9"/);
    const close = sdk.tools.find((tool) => tool.tool === "close_incident");
    assert.deepEqual(close?.annotations, {
      readOnly: false,
      destructive: true,
      idempotent: false,
      openWorld: false,
      declared: true,
    });
  });

  test("hostile names and descriptions cannot break out of comments or strings, and identifiers stay valid and distinct", () => {
    const evil = "*/ export const pwned = 1; /* `${process.exit()}` \u2028 x \u2029 \" ' @deprecated";
    const tools: CatalogTool[] = [
      {
        name: "create-incident",
        description: evil,
        inputSchema: {
          type: "object",
          properties: { [evil]: { type: "string", description: evil } },
          required: [evil],
        },
      },
      { name: "create_incident", inputSchema: { type: "object" } },
      { name: "createIncident", inputSchema: { type: "object" } },
      { name: "delete", inputSchema: { type: "object" } },
      {
        name: "tickets.close incident",
        inputSchema: { type: "object", properties: { e: { enum: [evil, 1, true, null] } } },
      },
      { name: "2fa_reset", inputSchema: { type: "object" } },
      { name: "日本", title: evil, inputSchema: { type: "object" } },
      { name: "__proto__", inputSchema: { type: "object", properties: { constructor: { const: "*/" } } } },
    ];
    const sdk = generateSdk([integration("default", tools)]);
    assert.deepEqual(typecheck(sdk), []);
    assert.deepEqual(
      sdk.tools.map((tool) => tool.functionName),
      [
        "createIncident",
        "createIncident_2",
        "createIncident_3",
        "delete_",
        "ticketsCloseIncident",
        "_2faReset",
        "tool",
        "proto",
      ],
    );
    assert.equal(sdk.tools[0]?.namespace, "default_");
    const parser = new Project({ useInMemoryFileSystem: true });
    for (const [file, text] of sdk.files) {
      // The parser is the judge: text that broke out of a comment or string would become code.
      const parsed = parser.createSourceFile(`/check/${file}`, text);
      const identifiers = parsed.getDescendantsOfKind(SyntaxKind.Identifier).map((identifier) => identifier.getText());
      assert.ok(!identifiers.includes("pwned") && !identifiers.includes("process"), `${file}: payload became code`);
      assert.ok(!/[\u2028\u2029]/.test(text), `${file}: raw line separator`);
    }
  });

  test("JSON Schema constructs: tuples, unions, intersections, nullable, index signatures, recursive $defs, remote $ref", () => {
    const schema = {
      type: "object",
      properties: {
        pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false },
        either: {
          oneOf: [
            { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
            { type: "object", properties: { b: { type: "number" } } },
          ],
        },
        both: {
          allOf: [
            { type: "object", properties: { x: { type: "string" } } },
            { type: "object", properties: { y: { type: "string" } } },
          ],
        },
        maybe: { type: ["string", "null"] },
        legacyNullable: { type: "integer", nullable: true },
        labels: { type: "object", additionalProperties: { type: "string" } },
        tree: { $ref: "#/$defs/Node" },
        remote: { $ref: "https://example.com/schema.json" },
        list: { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
        weird: { type: "frobnicate" },
      },
      $defs: {
        Node: {
          type: "object",
          properties: { value: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
          required: ["value"],
        },
      },
    };
    const sdk = generateSdk([
      integration("shapes", [
        { name: "shape", inputSchema: schema, outputSchema: { $ref: "#/$defs/Node", $defs: schema.$defs } },
      ]),
    ]);
    const text = sdk.files.get("shapes.ts") ?? "";
    for (const expected of [
      "pair?: [string, number];",
      "either?: {\n    a: string;\n  } | {\n    b?: number;\n  };",
      "maybe?: string | null;",
      "legacyNullable?: number | null;",
      "labels?: {\n    [key: string]: string;\n  };",
      "tree?: Node;",
      "remote?: unknown /* remote $ref https://example.com/schema.json is not fetched */;",
      "list?: (string | number)[];",
      "weird?: unknown /* unknown type frobnicate */;",
      "export type Node = {\n  children?: Node[];\n  value: string;\n};",
      "export type ShapeOutput = Node;",
    ]) {
      assert.ok(text.includes(expected), `missing:\n${expected}\n--- in ---\n${text}`);
    }
    assert.equal(
      text.match(/export type Node\b/g)?.length,
      1,
      "the definitions input and output share are emitted once",
    );
    assert.deepEqual(typecheck(sdk), []);
  });

  test("types that take what the schema takes: declared-open objects, tools with no arguments, names in one case, shared definitions", () => {
    const defs = { Text: { type: "object", properties: { content: { type: "string" } }, required: ["content"] } };
    const sdk = generateSdk([
      integration("notes", [
        {
          name: "API-create-a-comment",
          inputSchema: {
            type: "object",
            properties: {
              parent: { type: "object", properties: { page_id: { type: "string" } }, additionalProperties: true },
              text: { $ref: "#/$defs/Text" },
            },
            $defs: defs,
          },
        },
        { name: "API-get-self", inputSchema: { type: "object", properties: {} } },
        { name: "API-get-page", inputSchema: { type: "object", properties: { id: { type: "string" } }, $defs: defs } },
        { name: "free", inputSchema: { type: "object", properties: {}, additionalProperties: true } },
      ]),
    ]);
    const text = sdk.files.get("notes.ts") ?? "";
    for (const expected of [
      // additionalProperties: true beside named properties: other keys are valid, so the type takes them.
      "parent?: {\n    page_id?: string;\n    [key: string]: unknown;\n  };",
      // A tool that names no arguments takes none (`{}` would take a string).
      "export type ApiGetSelfInput = { [key: string]: never };",
      "export type FreeInput = {\n  [key: string]: unknown;\n};",
      // The type's name is the function's, capitalised: same words, same case.
      "export type ApiCreateACommentInput = {",
      "export function apiCreateAComment(args?: ApiCreateACommentInput)",
      "text?: Text;",
    ]) {
      assert.ok(text.includes(expected), `missing:\n${expected}\n--- in ---\n${text}`);
    }
    assert.equal(text.match(/export type Text\b/g)?.length, 1, "two tools carry the same $defs: emitted once");
    assert.deepEqual(typecheck(sdk), []);
    const wrong = typecheck(
      sdk,
      'import { notes } from "./sdk/index.ts";\nexport const a: Parameters<typeof notes.apiGetSelf>[0] = "zz";\nexport const b: Parameters<typeof notes.apiCreateAComment>[0] = { parent: { page_id: "p", extra: 1 } };\n',
    );
    assert.equal(wrong.length, 1, wrong.join("\n"));
    assert.match(wrong[0] ?? "", /string.*not assignable/);
  });

  test("hostile $defs: definitions that refer to their tool's root are not shared; a definition named Promise does not shadow the global", () => {
    const defs = { Sub: { type: "object", properties: { sub: { $ref: "#" } } } };
    const sdk = generateSdk([
      integration("evil", [
        {
          name: "a",
          inputSchema: {
            type: "object",
            properties: { a: { type: "string" }, n: { $ref: "#/$defs/Sub" } },
            additionalProperties: false,
            $defs: defs,
          },
        },
        {
          name: "b",
          inputSchema: {
            type: "object",
            properties: { b: { type: "number" }, n: { $ref: "#/$defs/Sub" } },
            additionalProperties: false,
            $defs: defs,
          },
        },
        {
          name: "c",
          inputSchema: {
            type: "object",
            properties: { x: { $ref: "#/$defs/Promise" } },
            $defs: { Promise: { type: "string" } },
          },
          outputSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
        },
      ]),
    ]);
    const text = sdk.files.get("evil.ts") ?? "";
    assert.doesNotMatch(text, /export type Promise\b/, text);
    const problems = typecheck(
      sdk,
      `import { evil } from "./sdk/index.ts";
export async function use() {
  await evil.b({ b: 1, n: { sub: { b: 2 } } });
  const out = await evil.c({ x: "s" });
  const n: number = out.n;
  return n;
}
export async function wrong() {
  await evil.b({ b: 1, n: { sub: { a: "x" } } });
  const out = await evil.c({ x: "s" });
  return out.nope;
}`,
    );
    assert.deepEqual(
      problems.map((p) => /usage\.ts:(\d+)/.exec(p)?.[1]),
      ["9", "11"],
      problems.join("\n"),
    );
  });

  test("never crashes on broken schemas", () => {
    const broken: unknown[] = [
      null,
      42,
      "string",
      [],
      { type: 7 },
      { enum: "x" },
      { properties: 5 },
      { $ref: "#/nowhere" },
      { $ref: "#" },
      { allOf: [{ $ref: "#" }] },
      { items: [true, false] },
    ];
    const sdk = generateSdk([
      integration(
        "broken",
        broken.map((inputSchema, i) => ({
          name: `t${i}`,
          inputSchema: { type: "object", properties: { p: inputSchema } },
        })),
      ),
    ]);
    assert.deepEqual(typecheck(sdk), []);
  });
});
