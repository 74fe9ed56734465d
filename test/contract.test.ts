/**
 * The workflow contract (docs/workflow-contract.md) is one text: the planner's prompt and the MCP
 * guide include it, and its worked example compiles against the demo tenant and passes its own
 * tests in the sandbox, so the example a model learns from is true.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type App, createApp } from "../src/app.ts";
import { contractBlocks, WORKFLOW_CONTRACT } from "../src/core/contract.ts";
import { redact, Secret } from "../src/config/credentials.ts";
import { GUIDE } from "../src/mcp-server/guide.ts";
import { PlannerTools, SYSTEM_PROMPT } from "../src/planner/index.ts";
import { redactSecretFields } from "../src/planner/planner-tools.ts";
import { plannerReads } from "../src/runs/index.ts";
import { tenantConnections } from "../src/catalog/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { REPO } from "./helpers/tenants.ts";

describe("the workflow contract", () => {
  let app: App;
  let tools: PlannerTools;
  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    assert.ok((await app.catalogService.syncTenant("demo")).ok);
    const user = await app.identity.ensureUser("ana");
    tools = new PlannerTools({
      toolchain: app.toolchain,
      catalogs: app.catalogs,
      versions: app.versions,
      context: {
        tenantId: "demo",
        author: { userId: user.id, handle: "ana" },
        origin: { request: "contract" },
        transcript: () => [],
      },
      live: plannerReads({ env: app.env, processEnv: process.env, pool: app.pool }),
    });
  });
  after(async () => app.close());

  test("one text: the planner's system prompt and charter://guide include it whole", () => {
    assert.ok(SYSTEM_PROMPT.includes(WORKFLOW_CONTRACT));
    assert.ok(GUIDE.includes(WORKFLOW_CONTRACT));
    for (const term of [
      "ToolResult",
      "ToolError",
      "retryable",
      "is the complete list of calls in order",
      "runs in UTC",
      "`{ uri, text }`",
      '"state"',
      "sample_trigger",
    ])
      assert.ok(WORKFLOW_CONTRACT.includes(term), term);
  });

  test("its worked example compiles against the demo tenant and passes its own tests, every branch", async () => {
    const source = contractBlocks("ts").find((block) => block.includes("escalate-p1")) ?? "";
    const tests = contractBlocks("json").find((block) => block.includes("paging fails")) ?? "";
    const check = await tools.checkDraft(source, tests);
    assert.ok(check.ok, JSON.stringify(check, null, 2));
    assert.match(check.gates.find((g) => g.gate === "tests")?.detail ?? "", /3 tests passed/);
  });

  test("sample_trigger: what a resource trigger passes now, read-only, with the fields of its items; secrets redacted", async () => {
    const empty = await tools.sampleTrigger("tickets", "tickets://incidents/new");
    assert.match(empty.note ?? "", /holds nothing now/);
    const { specs } = await tenantConnections({ env: app.env, processEnv: process.env, tenantId: "demo" });
    const spec = specs.get("tickets");
    assert.ok(spec);
    await app.pool.request(spec, "creating an incident", (client, options) =>
      client.callTool(
        {
          name: "create_incident",
          arguments: { title: "VPN down", priority: "P1", reporter_email: "ana@example.com" },
        },
        undefined,
        options,
      ),
    );
    const sample = await tools.sampleTrigger("tickets", "tickets://incidents/new");
    assert.ok(sample.itemFields?.includes("priority") && sample.itemFields.includes("id"), JSON.stringify(sample));
    assert.match(sample.text, /VPN down/);
    assert.ok(sample.text.length <= 4000);
    await assert.rejects(
      tools.sampleTrigger("tickets", "tickets://secrets"),
      /not a subscribable resource of this tenant; list_triggers shows them \(.*tickets:\/\/incidents\/new/,
    );
    assert.equal(
      redactSecretFields('[{"id":"a","api_key":"sk-1","nested":{"password":"x"}}]'),
      '[\n {\n  "id": "a",\n  "api_key": "[redacted]",\n  "nested": {\n   "password": "[redacted]"\n  }\n }\n]',
    );
    assert.equal(redactSecretFields("user=ana token: abc123 ok\nnext line"), "user=ana token: [redacted]\nnext line");
    assert.equal(redactSecretFields("Authorization: Bearer abc.def"), "Authorization: [redacted]");
    assert.equal(redactSecretFields("password: 'hunter 2'"), "password: [redacted]");
    assert.match(redactSecretFields('[{"note":"private_key=MIIEv rest"}]'), /"private_key=\[redacted\]"/);
    // The tenant's credentials, in the encodings a server may echo them in.
    const secret = new Secret("s3cr3t/value+x");
    const echoed = [
      "s3cr3t/value+x",
      "s3cr3t\\/value+x",
      encodeURIComponent("s3cr3t/value+x"),
      Buffer.from("s3cr3t/value+x").toString("base64"),
      Buffer.from("s3cr3t/value+x").toString("base64url"),
      Buffer.from("s3cr3t/value+x").toString("hex"),
    ];
    for (const form of echoed) assert.equal(redact(`echo ${form} done`, [secret]), "echo [redacted] done", form);
  });
});
