import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { main } from "../src/cli/main.ts";
import { FakeAnthropic } from "./helpers/fake-anthropic.ts";
import { REPO } from "./helpers/tenants.ts";

type Ran = { code: number | null; stdout: string; stderr: string };

function charter(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, "src/cli/charter.js"), ...args], {
      cwd: REPO,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("charter command", () => {
  test("tenants sync demo: every integration with its tool count and credential state; a second run stores nothing", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "charter-cli-"));
    const first = await charter(["tenants", "sync", "demo"], { CHARTER_DATA_DIR: dataDir });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    for (const [integration, credentials] of [
      ["tickets", "ok"],
      ["directory", "ok"],
      ["chat", "not-required"],
      ["everything", "not-required"],
    ]) {
      assert.match(
        first.stdout,
        new RegExp(`✓ ${integration} \\((stdio|http)\\)  credentials: ${credentials}  \\d+ tools, .*new snapshot`),
        first.stdout,
      );
    }
    assert.match(first.stdout, /✓ tickets \(stdio\)  credentials: ok  7 tools/);
    assert.match(first.stdout, /demo: all 4 integrations synced/);

    const second = await charter(["tenants", "sync", "demo", "--json"], { CHARTER_DATA_DIR: dataDir });
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout) as { integrations: { integration: string; status: string }[] };
    assert.deepEqual(
      result.integrations.map((item) => [item.integration, item.status]),
      [
        ["chat", "unchanged"],
        ["directory", "unchanged"],
        ["everything", "unchanged"],
        ["tickets", "unchanged"],
      ],
    );

    const shown = await charter(["tenants", "show", "demo"], { CHARTER_DATA_DIR: dataDir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /close_incident\s+destructive/);
  });

  test("a tenant that does not exist: a clear message and a non-zero exit, no stack trace", async () => {
    const ran = await charter(["tenants", "sync", "nobody"], {
      CHARTER_DATA_DIR: await mkdtemp(path.join(tmpdir(), "charter-cli-")),
    });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /no tenant "nobody": .*tenant\.json does not exist \[TENANT_NOT_FOUND\]/);
    assert.doesNotMatch(ran.stderr, /\n\s+at /);
  });

  test("a bad environment value names the variable", async () => {
    const ran = await charter(["tenants", "sync", "demo"], { DATABASE_URL: "mysql://nope" });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /DATABASE_URL: must start with postgres:\/\//);
  });

  // Seventeen CLI processes one after another: about a minute on a quiet two-core machine, over two
  // on a busy one (it was cancelled at the suite's default of 120 s beside the planner evaluation).
  test("--help works on every command, and usage errors exit 2", { timeout: 360_000 }, async () => {
    for (const args of [
      ["--help"],
      ["help"],
      ["migrate", "--help"],
      ["tenants"],
      ["tenants", "sync", "--help"],
      ["tenants", "list", "--help"],
      ["tenants", "show", "--help"],
      ["sdk", "--help"],
      ["check", "--help"],
      ["try", "--help"],
      ["runs"],
      ["mcp", "--help"],
      ["integrations", "--help"],
      ["serve", "--help"],
      ["worker", "--help"],
    ]) {
      const ran = await charter(args);
      assert.equal(ran.code, 0, `${args.join(" ")}: ${ran.stderr}`);
      assert.match(ran.stdout, /Usage: charter/, args.join(" "));
    }
    const version = await charter(["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^charter \d+\.\d+\.\d+ \(Node\.js 24\./);
    const jsonError = await charter(["runs", "show", "00000000-0000-0000-0000-000000000000", "--json"], {
      CHARTER_DATA_DIR: await mkdtemp(path.join(tmpdir(), "charter-json-")),
    });
    assert.equal(jsonError.code, 1);
    assert.deepEqual(
      JSON.parse(jsonError.stdout),
      { error: { code: "RUN_NOT_FOUND", message: "no run 00000000-0000-0000-0000-000000000000" } },
      "with --json the error is JSON on stdout",
    );
    const unknown = await charter(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const noTenant = await charter(["check", "tenants/demo/workflows/p1-bridge.ts"]);
    assert.equal(noTenant.code, 2);
    assert.match(noTenant.stderr, /check needs --tenant <tenant>/);
  });

  // A dozen CLI processes, each starting Node.js and the demo servers: on a busy two-core machine that
  // took over two minutes once, so this test gets more than the suite's default.
  test("sdk and check: before a sync they say to sync; after it, the SDK is written and workflows are checked", {
    timeout: 360_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "charter-cli-"));
    const generated = await mkdtemp(path.join(tmpdir(), "charter-generated-"));
    const env = { CHARTER_DATA_DIR: dataDir, CHARTER_GENERATED_DIR: generated };
    const early = await charter(["check", "tenants/demo/workflows/p1-bridge.ts", "--tenant", "demo"], env);
    assert.equal(early.code, 1);
    assert.match(
      early.stderr,
      /tenant "demo" has no stored catalog; run `charter tenants sync demo` first \[CATALOG_NOT_SYNCED\]/,
    );
    assert.equal((await charter(["tenants", "sync", "demo"], env)).code, 0);

    const sdk = await charter(["sdk", "demo", "--json"], env);
    assert.equal(sdk.code, 0, sdk.stderr);
    const written = JSON.parse(sdk.stdout) as { folder: string; catalogHash: string; files: string[] };
    assert.equal(written.folder, path.join(generated, "demo", written.catalogHash.replace("sha256:", "")));
    for (const file of ["index.ts", "index.d.ts", "tickets.ts", "tickets.d.ts", "charter.d.ts", "tsconfig.json"]) {
      assert.ok(written.files.includes(file), file);
      await readFile(path.join(written.folder, file), "utf8");
    }
    assert.match(
      await readFile(path.join(written.folder, "tickets.d.ts"), "utf8"),
      /export declare function closeIncident\(args: CloseIncidentInput\): Promise<CloseIncidentOutput>;/,
    );
    const again = await charter(["sdk", "demo"], env);
    assert.match(again.stdout, /SDK of tenant demo \(catalog sha256:[0-9a-f]{12}…, \d+ tools\) already in /);

    const good = await charter(["check", "tenants/demo/workflows/p1-bridge.ts", "--tenant", "demo"], env);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /capabilities \(6\):/);
    assert.match(good.stdout, /tickets\.get_incident\s+tickets\.getIncident\s+read-only, idempotent/);
    assert.match(good.stdout, /tests: 4 checked/);
    assert.match(good.stdout, /bundle: [\d.]+ KiB/);
    assert.match(
      good.stdout,
      /timings: typecheck [\d.]+ ms \((TypeScript 7 native[^)]*|embedded TypeScript)\), analysis [\d.]+ ms, bundle [\d.]+ ms/,
    );

    const json = await charter(["check", "tenants/demo/workflows/p1-bridge.ts", "--tenant", "demo", "--json"], env);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      capabilities: { tool: string }[];
      bundle: { bytes: number };
    };
    assert.equal(report.ok, true);
    assert.equal(report.capabilities.length, 6);
    assert.ok(report.bundle.bytes > 0);

    const wrong = await charter(["check", "test/fixtures/workflows/wrong-enum.ts", "--tenant", "demo"], env);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stdout,
      /^test\/fixtures\/workflows\/wrong-enum\.ts:9:77 - error TS2322: Type '"critical"' is not assignable/m,
    );
    const evil = await charter(["check", "test/fixtures/workflows/computed-access.ts", "--tenant", "demo"], env);
    assert.equal(evil.code, 1);
    assert.match(evil.stdout, /computed-access\.ts:10:12 - error CHARTER_NAMESPACE_ESCAPE/);
    assert.doesNotMatch(evil.stdout + evil.stderr, /\n\s+at /);
    const missing = await charter(["check", "nothing-here.ts", "--tenant", "demo"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read nothing-here\.ts: no such file \[FILE_UNREADABLE\]/);

    // charter try: mocked tools, live read-only tools, and a failure.
    const mocksDir = await mkdtemp(path.join(tmpdir(), "charter-mocks-"));
    const tests = JSON.parse(
      await readFile(path.join(REPO, "tenants/demo/workflows/p1-bridge.tests.json"), "utf8"),
    ) as { tests: { mocks: unknown }[] };
    await writeFile(path.join(mocksDir, "mocks.json"), JSON.stringify(tests.tests[0]?.mocks));
    const tried = await charter(
      [
        "try",
        "tenants/demo/workflows/p1-bridge.ts",
        "--tenant",
        "demo",
        "--input",
        '{"incident_id":"INC0042"}',
        "--mocks",
        path.join(mocksDir, "mocks.json"),
      ],
      env,
    );
    assert.equal(tried.code, 0, tried.stdout + tried.stderr);
    assert.match(tried.stdout, /→ 1\. tickets\.get_incident \{"id":"INC0042"\}\n  ← ok \(mocked/);
    assert.match(tried.stdout, /→ 6\. tickets\.add_comment/);
    assert.match(tried.stdout, /"channel": "inc-inc0042"/);
    const live = await charter(
      [
        "try",
        "tenants/demo/workflows/p1-bridge.ts",
        "--tenant",
        "demo",
        "--input",
        '{"incident_id":"INC0001"}',
        "--live-readonly",
      ],
      env,
    );
    assert.equal(live.code, 0, live.stdout + live.stderr);
    assert.match(live.stdout, /← ok \(live, read-only/);
    assert.match(live.stdout, /"skipped": \[\s*"INC0001"\s*\]/, "INC0001 is a P2");
    const refused = await charter(
      [
        "try",
        "tenants/demo/workflows/report-outage.ts",
        "--tenant",
        "demo",
        "--input",
        '{"title":"Outage!","priority":"P1","reporter_email":"a@b.co"}',
        "--live-readonly",
      ],
      env,
    );
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      /NOT_MOCKED: tickets\.create_incident has no mocked result and is not read-only, so it is not called live/,
    );
    const badInput = await charter(
      ["try", "tenants/demo/workflows/p1-bridge.ts", "--tenant", "demo", "--input", '{"nope":1}'],
      env,
    );
    assert.equal(badInput.code, 1);
    assert.match(badInput.stdout, /RUN_INPUT_INVALID: the input does not match the input schema/);

    // Every rejection fixture through the same command, in this process (one spawn each would take a minute).
    const saved = process.env["CHARTER_DATA_DIR"];
    process.env["CHARTER_DATA_DIR"] = dataDir;
    try {
      for (const [file, rule] of [
        ["eval.ts", "CHARTER_FORBIDDEN_EVAL"],
        ["function-constructor.ts", "CHARTER_FORBIDDEN_EVAL"],
        ["constructor-access.ts", "CHARTER_FORBIDDEN_EVAL"],
        ["global-this.ts", "CHARTER_FORBIDDEN_EVAL"],
        ["namespace-alias.ts", "CHARTER_NAMESPACE_ESCAPE"],
        ["namespace-argument.ts", "CHARTER_NAMESPACE_ESCAPE"],
        ["with.ts", "CHARTER_FORBIDDEN_WITH"],
        ["dynamic-import.ts", "CHARTER_DYNAMIC_IMPORT"],
        ["node-import.ts", "CHARTER_FORBIDDEN_IMPORT"],
        ["reference-lib.ts", "CHARTER_FORBIDDEN_IMPORT"],
        ["fetch.ts", "TS2304"],
        ["no-default-export.ts", "CHARTER_NO_WORKFLOW"],
        ["not-literal-schema.ts", "CHARTER_NOT_LITERAL"],
        ["schema-mismatch.ts", "TS2322"],
        ["schema-typo.ts", "CHARTER_INVALID_DEFINITION"],
        ["syntax-error.ts", "TS1109"],
      ] as const) {
        const lines: string[] = [];
        const code = await main(["check", `test/fixtures/workflows/${file}`, "--tenant", "demo"], {
          out: (line) => lines.push(line),
          err: (line) => lines.push(line),
        });
        const text = lines.join("\n");
        assert.equal(code, 1, `${file}:\n${text}`);
        assert.match(
          text,
          new RegExp(`^test/fixtures/workflows/${file.replace(".", "\\.")}:\\d+:\\d+ - error ${rule}: `, "m"),
          text,
        );
        assert.match(text, /error(s)?: not clean$/);
      }
    } finally {
      if (saved === undefined) delete process.env["CHARTER_DATA_DIR"];
      else process.env["CHARTER_DATA_DIR"] = saved;
    }
  });

  test("versions through the command: create with gates, submit, a refused self-approval, approval, an API key's identity", async () => {
    const saved = { ...process.env };
    process.env["CHARTER_DATA_DIR"] = await mkdtemp(path.join(tmpdir(), "charter-cli-versions-"));
    delete process.env["CHARTER_API_KEY"];
    const run = async (...args: string[]) => {
      const lines: string[] = [];
      const status = await main(args, { out: (line) => lines.push(line), err: (line) => lines.push(line) });
      return { status, text: lines.join("\n") };
    };
    try {
      assert.equal((await run("tenants", "sync", "demo")).status, 0);
      assert.equal((await run("users", "add", "alice", "--tenant", "demo", "--role", "author,reviewer")).status, 0);
      assert.equal((await run("users", "add", "bob", "--tenant", "demo", "--role", "reviewer")).status, 0);
      const created = await run(
        "versions",
        "create",
        "tenants/demo/workflows/p1-bridge.ts",
        "--tenant",
        "demo",
        "--as",
        "alice",
      );
      assert.equal(created.status, 0, created.text);
      assert.match(created.text, /p1-bridge@1 \([0-9a-f-]+\): checks-passed\n  gate compile: passed/);
      assert.match(created.text, /gate tests: passed - 4 tests passed/);
      assert.equal(
        (await run("approve", "p1-bridge@1", "--tenant", "demo", "--as", "bob", "--comment", "early")).text.includes(
          "[VERSION_NOT_APPROVABLE]",
        ),
        true,
      );
      assert.match(
        (await run("submit", "p1-bridge@1", "--tenant", "demo", "--as", "alice")).text,
        /p1-bridge@1 is in review/,
      );
      const self = await run("approve", "p1-bridge@1", "--tenant", "demo", "--as", "alice", "--comment", "mine");
      assert.equal(self.status, 1);
      assert.match(
        self.text,
        /alice wrote p1-bridge@1 and can never approve it; another reviewer must \[SELF_APPROVAL\]/,
      );
      const planned = await run(
        "plan",
        "--tenant",
        "demo",
        "--as",
        "alice",
        "Page the on-call engineer with a message and post it to #it-ops",
      );
      assert.equal(planned.status, 0, planned.text);
      assert.match(
        planned.text,
        /✓ draft passes its checks\nDraft page-on-call-engineer-message@1 \([0-9a-f-]+\) by the offline planner: checks-passed/,
      );
      assert.match(planned.text, /calls: chat\.page_user, chat\.post_message, directory\.get_on_call \(read-only\)/);
      const refused = await run("plan", "--tenant", "demo", "--as", "alice", "When the moon is full, water the plants");
      assert.equal(refused.status, 1);
      assert.match(
        refused.text,
        /Not planned: "When the moon is full … water the plants"\n  "When the moon is full": no trigger of this tenant matches it; .*tickets:\/\/incidents\/new.*"water the plants": the offline planner cannot read this, and nothing in this tenant's catalog is named like "water", "plants".*\nNo draft was stored\. Answer with: charter plan --tenant demo --session [0-9a-f-]{36} --answer/s,
      );
      const asked = await run(
        "plan",
        "--tenant",
        "demo",
        "--as",
        "alice",
        "--json",
        "Every weekday, post open P1 incidents to #it-ops",
      );
      assert.equal(asked.status, 1);
      const question = JSON.parse(asked.text) as { session: string };
      assert.deepEqual(question, {
        outcome: "needs-input",
        clause: "every weekday",
        reason: "At what time of day should it run every weekday? (and in which time zone; UTC if none is given)",
        options: ["at 9:00", "at 17:00 Europe/Berlin", "at 8am America/New_York"],
        code: "PLANNER_NEEDS_INPUT",
        session: question.session,
      });
      // The answer continues that session: the request is read again with the time after "every weekday".
      const answered = await run(
        "plan",
        "--tenant",
        "demo",
        "--as",
        "alice",
        "--session",
        question.session,
        "--answer",
        "at 8am Europe/Berlin",
      );
      assert.equal(answered.status, 0, answered.text);
      assert.match(
        answered.text,
        /At 08:00, Monday through Friday \(Europe\/Berlin\):[\s\S]*Draft [a-z0-9-]+@1 .*checks-passed/,
      );
      const again = await run(
        "plan",
        "--tenant",
        "demo",
        "--as",
        "alice",
        "--session",
        question.session,
        "--answer",
        "at 9:00",
      );
      assert.equal(again.status, 1);
      assert.match(
        again.text,
        /already led to a draft \(version [0-9a-f-]+\); plan a revision with --from instead \[PLANNING_SESSION_CLOSED\]/,
      );
      const withRole = await run("keys", "create", "--user", "carl", "--tenant", "demo", "--role", "operator");
      assert.match(withRole.text, /^chk_/);
      assert.match(
        (await run("tenants", "show", "demo")).text,
        /tickets\s+stdio/,
        "making a key does not disturb the synced tenant",
      );
      const keyed = await run("keys", "create", "--user", "bob", "--tenant", "demo");
      const key = keyed.text.split("\n")[0] ?? "";
      assert.match(key, /^chk_/);
      process.env["CHARTER_API_KEY"] = key;
      const approved = await run("approve", "p1-bridge@1", "--comment", "looks right");
      assert.match(approved.text, /p1-bridge@1 approved by bob and now active/);
      const listed = await run("versions", "list");
      assert.match(listed.text, /p1-bridge@1\s+approved/);
      // A manual run of the approved version: an operator may, a reviewer may not.
      const notOperator = await run("runs", "start", "p1-bridge", "--input", '{"incident_id":"INC0001"}');
      assert.equal(notOperator.status, 1);
      assert.match(
        notOperator.text,
        /starting runs needs the operator or admin role in tenant demo; bob has reviewer \[NOT_AUTHORIZED\]/,
      );
      process.env["CHARTER_API_KEY"] = withRole.text.split("\n")[0] ?? "";
      const started = await run("runs", "start", "p1-bridge", "--input", '{"incident_id":"INC0001"}');
      assert.equal(started.status, 0, started.text);
      assert.match(started.text, /1\. tickets\.get_incident: ok/);
      assert.match(started.text, /run [0-9a-f-]+: succeeded\noutput: \{/);
      const queued = await run("runs", "start", "p1-bridge", "--input", '{"incident_id":"INC0001"}', "--queue");
      assert.match(queued.text, /queued p1-bridge \(version 1\) as job [0-9a-f-]{36}; a worker runs it/);
      const badQueued = await run("runs", "start", "p1-bridge", "--input", '{"incident":1}', "--queue");
      assert.equal(badQueued.status, 1, "a queued run's input is checked when it is queued, as a direct run's is");
      assert.match(badQueued.text, /does not match p1-bridge's input schema.*\[RUN_INPUT_INVALID\]/s);

      // charter mcp over stdio, as Claude Desktop or Claude Code would start it, with the operator's key.
      const client = new Client({ name: "cli-test", version: "1.0.0" });
      const env = Object.fromEntries(
        Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: ["--no-node-snapshot", path.join(REPO, "src/cli/charter.js"), "mcp", "--tenant", "demo"],
          env,
          cwd: REPO,
          stderr: "ignore",
        }),
      );
      try {
        const tools = (await client.listTools()).tools.map((t) => t.name);
        assert.ok(tools.includes("p1-bridge") && tools.includes("charter.get_run"), tools.join(", "));
        const called = await client.callTool({ name: "p1-bridge", arguments: { incident_id: "INC0001" } });
        assert.notEqual(called.isError, true, JSON.stringify(called));
        assert.ok(called.structuredContent);
      } finally {
        await client.close();
      }
      process.env["CHARTER_API_KEY"] = "chk_forged";
      assert.match(
        (await run("versions", "list")).text,
        /CHARTER_API_KEY is not a valid key \(unknown or revoked\) \[UNKNOWN_USER\]/,
      );
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test("plan with Claude (fake Messages API): its question, answered with --answer in the same session, ends in a draft; a refusal shows the model's reason", async () => {
    const request = "Post a message to the team channel";
    const plan = {
      name: "team-message",
      trigger: { type: "manual" },
      inputs: [{ name: "message", schema: { type: "string" }, required: true, description: "the message to post" }],
      steps: [
        {
          kind: "call",
          id: "post",
          tool: "chat.post_message",
          args: { channel: { kind: "const", value: "it-ops" }, text: { kind: "input", field: "message" } },
        },
      ],
      output: {},
      clauses: [
        { text: "Post a message to the team channel", covers: ["post"] },
        { text: "#it-ops", covers: ["post"] },
      ],
    };
    const use = (id: string, name: string, input: unknown) => ({
      content: [{ type: "tool_use" as const, id, name, input }],
    });
    const fake = await new FakeAnthropic((sent) => {
      const last = JSON.stringify(sent.messages.at(-1));
      if (/Order a laptop/.test(last))
        return use("t9", "cannot_plan", { clause: "Order a laptop", reason: "no tool of this tenant orders hardware" });
      if (sent.messages.length === 1)
        return use("t1", "ask_user", {
          clause: "the team channel",
          question: "Which channel is the team channel?",
          options: ["#it-ops", "#incidents"],
        });
      if (/<answer>/.test(last)) return use("t2", "propose_plan", { plan });
      return use("t3", "submit_draft", { plan_id: "plan-1" });
    }).start();
    try {
      const env = {
        CHARTER_DATA_DIR: await mkdtemp(path.join(tmpdir(), "charter-cli-claude-")),
        ANTHROPIC_API_KEY: "sk-test",
        ANTHROPIC_BASE_URL: fake.url,
      };
      assert.equal((await charter(["tenants", "sync", "demo"], env)).code, 0);
      const asked = await charter(["plan", "--tenant", "demo", request], env);
      assert.equal(asked.code, 1, asked.stdout + asked.stderr);
      assert.match(
        asked.stdout,
        /The planner needs an answer about "the team channel":\n  Which channel is the team channel\?\n  options: #it-ops, #incidents\nNo draft was stored\. Answer with: charter plan --tenant demo --session [0-9a-f-]{36} --answer/,
      );
      const answered = await charter(["plan", "--tenant", "demo", "--answer", "#it-ops"], env);
      assert.equal(answered.code, 0, answered.stdout + answered.stderr);
      assert.match(
        answered.stdout,
        /Draft team-message@1 \([0-9a-f-]+\) by the claude-sonnet-5-5 planner: checks-passed/,
      );
      assert.match(answered.stdout, /3 turns, \d+ input \(\d+ more read from the prompt cache, \d+ written to it\)/);
      const refused = await charter(["plan", "--tenant", "demo", "Order a laptop for the new hire"], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /Not planned: "Order a laptop"\n  no tool of this tenant orders hardware/);
    } finally {
      await fake.stop();
    }
  });

  test("charter serve prints its URLs, answers, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--no-node-snapshot", path.join(REPO, "src/cli/charter.js"), "serve", "--port", "0"],
      {
        cwd: REPO,
        env: { ...process.env, CHARTER_DATA_DIR: await mkdtemp(path.join(tmpdir(), "charter-serve-")) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const found =
          /charter: serving (http:\/\/127\.0\.0\.1:\d+)\/api\/v1 and MCP at http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(
            stdout,
          )?.[1];
        if (found) resolve(found);
      });
      child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${stdout}`)));
    });
    const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { ok: boolean; dispatcher: string };
    assert.deepEqual([health.ok, health.dispatcher], [true, "queue"]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stdout);
    assert.match(stdout, /charter: stopping/);
  });

  test("charter demo: sync, plan, gates, review by someone else, a live run with its journal", async () => {
    const data = { CHARTER_DATA_DIR: await mkdtemp(path.join(tmpdir(), "charter-demo-")) };
    const ran = await charter(["demo"], data);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /✓ draft passes its checks/);
    assert.match(ran.stdout, /submitted by demo-author, approved by demo-reviewer/);
    assert.match(ran.stdout, /is approved, bundle sha256:/);
    assert.match(ran.stdout, /run [0-9a-f-]+: succeeded, output \{"done":true\}/);
    assert.match(
      ran.stdout,
      /journal: 1 directory\.get_on_call succeeded; 2 chat\.page_user succeeded; 3 chat\.post_message succeeded/,
    );

    // The run it made, by runs list; a finished run cannot be cancelled.
    const listed = await charter(["runs", "list", "--tenant", "demo", "--as", "demo-reviewer", "--json"], data);
    assert.equal(listed.code, 0, listed.stderr);
    const runs = (JSON.parse(listed.stdout) as { runs: { id: string; status: string }[] }).runs;
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.status, "succeeded");
    const cancel = await charter(
      ["runs", "cancel", runs[0]?.id ?? "", "--tenant", "demo", "--as", "demo-reviewer"],
      data,
    );
    assert.notEqual(cancel.code, 0);
    assert.match(cancel.stderr, /operator or admin role|only a running run can be cancelled/);
  });
});
