/**
 * Charter as an MCP server, through real clients over a real socket: the MCP SDK's client (tools,
 * structured output validated against the outputSchema, _meta with the run, management tools,
 * resources, prompts, list_changed), tenant isolation, roles (nothing approval-like, no running
 * without the operator role), DNS-rebinding protection and keys; the MCP Inspector's CLI; and the
 * official conformance suite, with the scenarios that need its own fixture tools as expected
 * failures (test/conformance-baseline.yml says why).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type Server as NodeServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type CallToolResult,
  CallToolResultSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { type App, createApp } from "../src/app.ts";
import { createCharterMcpServer } from "../src/mcp-server/index.ts";
import type { CharterMcpOptions } from "../src/mcp-server/charter-mcp.ts";
import { retryAdvice } from "../src/mcp-server/charter-mcp.ts";
import { Dispatcher } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { approvedVersion } from "./helpers/reviewed.ts";
import { type Served, serveHttp } from "./helpers/serve.ts";
import { REPO } from "./helpers/tenants.ts";

const run = promisify(execFile);
/** A short workflow that logs an info line, reads an incident, and logs a warning. */
const LOOK_UP = `import { tickets } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "look-up",
  description: "Reads an incident and logs its priority.",
  input: { type: "object", properties: { incident_id: { type: "string" } }, required: ["incident_id"], additionalProperties: false },
  output: { type: "object", properties: { title: { type: "string" } }, required: ["title"], additionalProperties: false },
  run: async (input, ctx) => {
    ctx.log.info("looking up", { id: input.incident_id });
    const incident = await tickets.getIncident({ id: input.incident_id });
    ctx.log.warn(\`priority \${incident.priority}\`);
    return { title: incident.title };
  },
});
`;
const LOOK_UP_TESTS = JSON.stringify({
  tests: [
    {
      name: "reads the incident and returns its title",
      input: { incident_id: "INC0042" },
      mocks: {
        "tickets.get_incident": [
          {
            output: {
              id: "INC0042",
              title: "Checkout is down",
              description: "All payments fail with 502.",
              priority: "P1",
              status: "new",
              reporter_email: "ana@example.com",
              assignee: null,
              comments: [],
              tags: [],
              created_at: "2026-11-22T08:00:00Z",
              service: "checkout",
            },
          },
        ],
      },
      expect: {
        calls: [{ tool: "tickets.get_incident", args: { id: "INC0042" } }],
        output: { title: "Checkout is down" },
      },
    },
  ],
});
/** Workflows named as the conformance suite's fixture tools: one logs three lines, one makes three tool calls. */
const CONFORMANCE_WORKFLOWS = [
  {
    fileName: "test_tool_with_logging.ts",
    calls: 1,
    source: `import { directory } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "test_tool_with_logging",
  description: "Logs three lines while it counts the groups (the MCP conformance suite's logging fixture).",
  input: { type: "object" },
  output: { type: "object", properties: { groups: { type: "number" } }, required: ["groups"], additionalProperties: false },
  run: async (_input, ctx) => {
    ctx.log.info("counting groups");
    const { groups } = await directory.listGroups({});
    ctx.log.info(\`\${groups.length} groups\`);
    ctx.log.warn("done");
    return { groups: groups.length };
  },
});
`,
  },
  {
    fileName: "test_tool_with_progress.ts",
    calls: 3,
    source: `import { directory } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";
export default defineWorkflow({
  name: "test_tool_with_progress",
  description: "Counts the groups three times (the MCP conformance suite's progress fixture).",
  input: { type: "object" },
  output: { type: "object", properties: { groups: { type: "number" } }, required: ["groups"], additionalProperties: false },
  run: async () => {
    let groups = 0;
    for (let i = 0; i < 3; i++) groups = (await directory.listGroups({})).groups.length;
    return { groups };
  },
});
`,
  },
];
const fixtureTests = (calls: number) =>
  JSON.stringify({
    tests: [
      {
        name: "counts the groups",
        input: {},
        mocks: {
          "directory.list_groups": [
            { output: { groups: [{ id: "g1", name: "it-admins", description: "IT admins", member_ids: [] }] } },
          ],
        },
        expect: {
          calls: Array.from({ length: calls }, () => ({ tool: "directory.list_groups" })),
          output: { groups: 1 },
        },
      },
    ],
  });
const INCIDENT = { title: "Payroll export fails", priority: "P2", reporter_email: "mara.keller@example.com" };

describe("Charter as an MCP server", () => {
  let app: App;
  let served: Served;
  let dispatcher: Dispatcher;
  const keys: Record<string, string> = {};
  let workflow = "";
  const actor = async (handle: string, tenant: string, roles: ("author" | "reviewer" | "operator" | "admin")[]) => {
    const user = await app.identity.ensureUser(handle);
    for (const role of roles) await app.identity.grant(tenant, user.id, role);
    keys[handle] = await app.identity.createKey(tenant, user.id);
    return { userId: user.id, handle };
  };

  before(async () => {
    app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
      database: await embeddedTestDatabase(),
    });
    await app.catalogs.upsertTenant({ id: "demo", name: "Demo", configHash: "" });
    await app.catalogs.upsertTenant({ id: "other", name: "Other", configHash: "" });
    assert.ok((await app.sync("demo")).result.ok);
    const ana = await actor("ana", "demo", ["author"]);
    const ben = await actor("ben", "demo", ["reviewer"]);
    await actor("olga", "demo", ["operator", "author"]);
    await actor("stranger", "other", ["admin", "operator"]);
    const planned = await app.planner.plan({
      tenantId: "demo",
      request: "From a webhook, open an incident and post it to #it-ops",
      author: ana,
    });
    workflow = planned.version.workflow;
    await app.versions.submit("demo", planned.version.id, ana);
    await app.versions.approve("demo", planned.version.id, ben, "reviewed");
    // As charter serve runs it: workflow calls are queued for a worker.
    dispatcher = await Dispatcher.start(app, { worker: true, scheduler: false, pollSeconds: 0.5 });
    served = await serveHttp(app, { dispatcher });
  });
  after(async () => {
    await served.close();
    await dispatcher.stop();
    await app.close();
  });

  /** olga (operator) on a server in this process, over an in-memory transport, as `charter mcp` serves stdio. */
  const inProcess = async (options: CharterMcpOptions = {}) => {
    const olga = await app.identity.userByHandle("olga");
    const roles = await app.identity.roles("demo", olga?.id ?? "");
    const server = createCharterMcpServer(
      app,
      { tenantId: "demo", actor: { userId: olga?.id ?? "", handle: "olga" }, roles },
      options,
    );
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "in-process-test", version: "1.0.0" });
    await client.connect(clientSide);
    return client;
  };

  const connect = async (key: string, base = served.base) => {
    const client = new Client({ name: "charter-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
    return client;
  };

  test("an approved workflow is a typed tool; calling it runs it and returns structured output that fits its outputSchema", async () => {
    const client = await connect(keys["olga"] ?? "");
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === workflow);
    assert.ok(tool, `no tool ${workflow} in ${tools.map((t) => t.name).join(", ")}`);
    assert.match(tool.name, /^[A-Za-z0-9_.-]+$/);
    assert.ok(tool.outputSchema && tool.inputSchema.type === "object");
    assert.match(tool.description ?? "", /approved version 1; calls chat\.post_message, tickets\.create_incident/);
    for (const name of [
      "charter.plan_workflow",
      "charter.list_workflows",
      "charter.get_version",
      "charter.start_run",
      "charter.get_run",
      "charter.get_run_logs",
      "charter.list_runs",
      "charter.wait_for_runs",
    ]) {
      assert.ok(
        tools.some((t) => t.name === name),
        `${name} is listed`,
      );
    }
    assert.deepEqual(
      tools.filter((t) => /approv|reject|rollback|submit|key|grant/i.test(t.name)),
      [],
      "nothing approval-like over MCP",
    );

    const result = await client.callTool({ name: workflow, arguments: INCIDENT });
    assert.equal(result.isError, undefined, JSON.stringify(result));
    const validate = new Ajv2020({ strict: false }).compile(tool.outputSchema);
    assert.ok(validate(result.structuredContent), JSON.stringify(validate.errors));
    const meta = (
      result._meta as Record<string, { id: string; workflow: string; version: number; durationMs: number }>
    )["charter/run"];
    assert.equal(meta?.workflow, workflow);
    assert.equal(meta?.version, 1);
    assert.ok((meta?.durationMs ?? -1) >= 0);
    const stored = await app.runRepository.run(meta?.id ?? "");
    const trigger = stored?.trigger as { type: string; detail: { user: string; job: string } };
    assert.equal(trigger.type, "tool");
    assert.equal(trigger.detail.user, "olga", "the run is recorded with the calling key's user");
    assert.match(trigger.detail.job, /^[0-9a-f-]{36}$/, "queued through the dispatcher, as every run");

    // Follow it with the management tools.
    const got = await client.callTool({ name: "charter.get_run", arguments: { run_id: meta?.id } });
    const journal = (got.structuredContent as { journal: { tool: string; status: string }[] }).journal;
    assert.deepEqual(
      journal.map((e) => `${e.tool} ${e.status}`),
      ["create_incident succeeded", "post_message succeeded"],
    );
    const waited = await client.callTool({
      name: "charter.wait_for_runs",
      arguments: { run_ids: [meta?.id], timeout_seconds: 1 },
    });
    assert.equal((waited.structuredContent as { finished: boolean }).finished, true);
    const version = await client.callTool({ name: "charter.get_version", arguments: { version: `${workflow}@1` } });
    assert.match(JSON.stringify(version.structuredContent), /defineWorkflow/);

    // Bad input is an error result with a stable code, not a crash.
    const bad = await client.callTool({ name: workflow, arguments: { title: 5 } });
    assert.equal(bad.isError, true);
    assert.match(JSON.stringify(bad.content), /RUN_INPUT_INVALID/);
    assert.deepEqual((bad._meta as Record<string, unknown>)["charter/error"], {
      code: "RUN_INPUT_INVALID",
      retryable: false,
    });
    await client.close();
  });

  test("a run that outlasts the wait answers with its id and how to wait for it", async () => {
    const client = await inProcess({ runWaitMs: 1 });
    const slow = await client.callTool({ name: workflow, arguments: INCIDENT });
    assert.equal(slow.isError, true);
    const meta = slow._meta as Record<string, { id?: string; code?: string; retryable?: boolean }>;
    assert.deepEqual(meta["charter/error"], { code: "RUN_STILL_RUNNING", retryable: false });
    const id = meta["charter/run"]?.id ?? "";
    assert.match(
      JSON.stringify(slow.content),
      new RegExp(`charter\\.wait_for_runs with \\{\\\\"run_ids\\\\":\\[\\\\"${id}`),
    );
    const waited = await client.callTool({
      name: "charter.wait_for_runs",
      arguments: { run_ids: [id], timeout_seconds: 30 },
    });
    assert.deepEqual(
      (waited.structuredContent as { runs: { status: string }[] }).runs.map((r) => r.status),
      ["succeeded"],
    );
    await client.close();
  });

  test("a client hears a short run's log lines (at its logging level) and progress from its first tool call on, over HTTP and in process", async () => {
    const version = await approvedVersion(app, "demo", {
      source: LOOK_UP,
      fileName: "look-up.ts",
      tests: LOOK_UP_TESTS,
    });
    for (const [how, client] of [
      ["over HTTP, run by the worker", await connect(keys["olga"] ?? "")],
      ["in process (stdio)", await inProcess()],
    ] as const) {
      const lines: { level: string; logger?: string | undefined; data: unknown }[] = [];
      const heard: string[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        lines.push(n.params);
        heard.push(`log ${n.params.level}`);
      });
      await client.setLoggingLevel("warning");
      const ran = await client.callTool({ name: version.workflow, arguments: { incident_id: "INC0001" } }, undefined, {
        onprogress: (p) => heard.push(p.message ?? ""),
      });
      heard.push("result");
      assert.equal(ran.isError, undefined, `${how}: ${JSON.stringify(ran.content)}`);
      assert.deepEqual(
        lines,
        [{ level: "warning", logger: "look-up@1", data: "priority P2" }],
        `${how}: the warning, not the info line below the session's level`,
      );
      assert.ok(heard.includes("look-up@1: call 1 tickets.get_incident ok"), `${how}: ${heard.join(" | ")}`);
      assert.ok(heard.indexOf("log warning") < heard.indexOf("result"), `${how}: ${heard.join(" | ")}`);
      await client.setLoggingLevel("debug");
      lines.length = 0;
      await client.callTool({ name: version.workflow, arguments: { incident_id: "INC0001" } });
      assert.deepEqual(
        lines.map((l) => [l.level, l.data]),
        [
          ["info", { message: "looking up", data: { id: "INC0001" } }],
          ["warning", "priority P2"],
        ],
        `${how}: every line at debug, in order`,
      );
      await client.close();
    }
  });

  test("a workflow runs as an MCP task: created at once, followed with tasks/get and tasks/result, listed, found again from a new session; ended and foreign tasks refused", async () => {
    for (const [how, open] of [
      ["over HTTP, queued for the worker", () => connect(keys["olga"] ?? "")],
      ["in process (stdio)", inProcess],
    ] as const) {
      const client = await open();
      const tool = (await client.listTools()).tools.find((t) => t.name === workflow);
      assert.deepEqual(tool?.execution, { taskSupport: "optional" }, how);
      const seen: string[] = [];
      let taskId = "";
      let result: CallToolResult | undefined;
      for await (const message of client.experimental.tasks.callToolStream(
        { name: workflow, arguments: INCIDENT },
        CallToolResultSchema,
        { task: { ttl: 60_000 } },
      )) {
        seen.push(message.type === "taskStatus" ? `status ${message.task.status}` : message.type);
        if (message.type === "taskCreated") taskId = message.task.taskId;
        if (message.type === "result") result = message.result as CallToolResult;
        if (message.type === "error") assert.fail(`${how}: ${message.error.message}`);
      }
      assert.equal(seen[0], "taskCreated", `${how}: ${seen.join(", ")}`);
      assert.equal(seen.at(-1), "result", `${how}: ${seen.join(", ")}`);
      assert.equal(result?.isError, undefined, `${how}: ${JSON.stringify(result)}`);
      assert.ok(result?.structuredContent, how);
      const runId = (result?._meta as Record<string, { id?: string }>)["charter/run"]?.id ?? "";
      assert.match(runId, /^[0-9a-f-]{36}$/);
      assert.equal((await client.experimental.tasks.getTask(taskId)).status, "completed", how);
      assert.ok(
        (await client.experimental.tasks.listTasks()).tasks.some((t) => t.taskId === taskId),
        how,
      );
      await assert.rejects(client.experimental.tasks.cancelTask(taskId), /has already ended \(completed\)/, how);
      await client.close();
      // The task is the durable run: another session (and another process) gets it by id.
      const again = await open();
      const payload = await again.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      assert.deepEqual(payload.structuredContent, result?.structuredContent, how);
      await again.close();
    }
    // Another user's session does not see olga's tasks.
    const ana = await connect(keys["ana"] ?? "");
    const theirs = (await ana.experimental.tasks.listTasks()).tasks;
    assert.deepEqual(theirs, []);
    await assert.rejects(ana.experimental.tasks.getTask(randomUUID()), /no task .* of yours/);
    await ana.close();
  });

  test("SSE events carry ids: a client whose call's stream dropped resumes it with Last-Event-ID and gets the rest, the result too", async () => {
    const headers = {
      authorization: `Bearer ${keys["olga"]}`,
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
    };
    const post = (body: unknown, more: Record<string, string> = {}, signal?: AbortSignal) =>
      fetch(`${served.base}/mcp`, {
        method: "POST",
        headers: { ...headers, ...more },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    const opened = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    const session = opened.headers.get("mcp-session-id") ?? "";
    await opened.text();
    const inSession = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, inSession)).text();
    // The call's stream: read its first event (a progress notification), then drop the connection.
    const dropped = new AbortController();
    const call = await post(
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: workflow, arguments: INCIDENT, _meta: { progressToken: "p" } },
      },
      inSession,
      dropped.signal,
    );
    assert.match(call.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = (call.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!/\nid: [^\n]+\n[\s\S]*?\n\n/.test(`\n${text}`) && !/^id: /m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const firstId = /^id: (.+)$/m.exec(text)?.[1] ?? "";
    assert.ok(firstId, `the first event has an id: ${text}`);
    assert.doesNotMatch(text, /"result"/, "dropped before the result");
    dropped.abort();
    // Resume: the events after that id on the same stream, through to the call's result.
    // Until the server has seen the drop, the stream counts as connected (409): retry, as a client does after `retry:`.
    let resumed: Response;
    for (let attempt = 0; ; attempt++) {
      resumed = await fetch(`${served.base}/mcp`, {
        headers: { ...headers, ...inSession, accept: "text/event-stream", "last-event-id": firstId },
        signal: AbortSignal.timeout(60_000),
      });
      if (resumed.status !== 409 || attempt >= 50) break;
      await resumed.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(resumed.status, 200);
    const again = (resumed.body as ReadableStream<Uint8Array>).getReader();
    let rest = "";
    while (!/"id":2,"result"|"result":.*"id":2/.test(rest)) {
      const { value, done } = await again.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    await again.cancel();
    assert.match(rest, /"structuredContent"/, rest);
    assert.doesNotMatch(rest, new RegExp(`^id: ${firstId}$`, "m"), "nothing already seen is sent again");
    // Another session cannot replay this one's events.
    const other = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    const otherSession = other.headers.get("mcp-session-id") ?? "";
    await other.text();
    const stolen = await fetch(`${served.base}/mcp`, {
      headers: {
        ...headers,
        "mcp-session-id": otherSession,
        "mcp-protocol-version": "2025-11-25",
        accept: "text/event-stream",
        "last-event-id": firstId,
      },
      signal: AbortSignal.timeout(2000),
    });
    const leaked = await stolen.body
      ?.getReader()
      .read()
      .then(({ value }) => new TextDecoder().decode(value ?? new Uint8Array()))
      .catch(() => "");
    assert.doesNotMatch(leaked ?? "", /structuredContent/, "no replay across sessions");
  });

  test("a call that asks for progress hears its run start, keep going and its waits finish", async () => {
    const client = await inProcess({ runWaitMs: 30_000, progressMs: 5 });
    const heard: { progress: number; message?: string | undefined }[] = [];
    const ran = await client.callTool({ name: workflow, arguments: INCIDENT }, undefined, {
      onprogress: (p) => heard.push(p),
    });
    assert.equal(ran.isError, undefined, JSON.stringify(ran.content));
    const id = (ran._meta as Record<string, { id: string }>)["charter/run"]?.id ?? "";
    const messages = heard.map((p) => p.message ?? "");
    const start = messages.indexOf(`${workflow}@1: run ${id} started`);
    assert.ok(start >= 0, messages.join("\n"));
    assert.ok(
      messages.slice(start + 1).some((m) => m.startsWith(`${workflow}@1: run ${id} is still going (waited `)),
      messages.join("\n"),
    );
    assert.ok(
      messages.slice(0, start).every((m) => m.includes("its run has not started yet")),
      messages.join("\n"),
    );
    assert.deepEqual(
      heard.map((p) => p.progress),
      heard.map((_, i) => i + 1),
      "progress only increases",
    );
    const waits: { message?: string | undefined }[] = [];
    await client.callTool(
      { name: "charter.wait_for_runs", arguments: { run_ids: [id], timeout_seconds: 1 } },
      undefined,
      { onprogress: (p) => waits.push(p) },
    );
    assert.deepEqual(
      waits.map((p) => p.message),
      ["1 of 1 run finished"],
    );
    // Queued through the dispatcher (as under charter serve): the job, then the run once a worker has started it.
    const queuedClient = await inProcess({ runWaitMs: 30_000, progressMs: 5, dispatcher });
    const queuedNotes: string[] = [];
    const queuedRun = await queuedClient.callTool({ name: workflow, arguments: INCIDENT }, undefined, {
      onprogress: (p) => queuedNotes.push(p.message ?? ""),
    });
    const queuedId = (queuedRun._meta as Record<string, { id: string }>)["charter/run"]?.id ?? "";
    assert.ok(
      queuedNotes.length > 0 &&
        queuedNotes.every(
          (m) =>
            m.includes("queued as job ") ||
            m.includes(`run ${queuedId} is still going`) ||
            m.startsWith(`${workflow}@1: call`),
        ),
      queuedNotes.join("\n"),
    );
    assert.ok(
      queuedNotes.includes(`${workflow}@1: call 1 tickets.create_incident ok`),
      `the worker in this process runs it: each call is heard\n${queuedNotes.join("\n")}`,
    );
    assert.match(
      queuedNotes[0] ?? "",
      new RegExp(`^${workflow}@1: queued as job [0-9a-f-]{36}, not started yet \\(waited 0 s of up to 30 s\\)$`),
    );
    await queuedClient.close();

    // Without a progress token nothing is sent.
    const quiet: unknown[] = [];
    client.fallbackNotificationHandler = async (notification) => void quiet.push(notification);
    await client.callTool({ name: workflow, arguments: INCIDENT });
    assert.deepEqual(quiet, []);
    await client.close();

    // Planning reports the planner's steps.
    const author = await connect(keys["ana"] ?? "");
    const steps: string[] = [];
    const planned = await author.callTool(
      {
        name: "charter.plan_workflow",
        arguments: { request: "When a user is added to group sre-oncall, send them a welcome message" },
      },
      undefined,
      { onprogress: (p) => steps.push(p.message ?? "") },
    );
    assert.equal(planned.isError, undefined, JSON.stringify(planned.content));
    assert.match(steps[0] ?? "", /^plan:\n.*directory:\/\/events\/membership/s);
    assert.ok(
      steps.some((step) => step.startsWith("check passed: ")),
      steps.join("\n"),
    );
    assert.match(
      JSON.stringify((planned.structuredContent as { plan?: unknown }).plan),
      /"uri":"directory:\/\/events\/membership"/,
      "the draft's plan comes back",
    );
    // A request the planner cannot plan is an answer naming the part, not a tool error.
    const declined = await author.callTool({
      name: "charter.plan_workflow",
      arguments: { request: "Order a new laptop for the user" },
    });
    assert.equal(declined.isError, undefined);
    const refusal = declined.structuredContent as { session: string; next: string };
    assert.deepEqual(
      { ...refusal, reason: undefined, next: undefined, session: undefined },
      {
        outcome: "refused",
        clause: "Order a new laptop for the user",
        reason: undefined,
        options: [],
        next: undefined,
        session: undefined,
      },
    );
    assert.match(refusal.next, /charter\.plan_workflow with \{"session":"[0-9a-f-]{36}","answer":"…"\}/);
    // A question, answered in the same session: the name that does not exist is replaced by the answer.
    const asked = await author.callTool({
      name: "charter.plan_workflow",
      arguments: { request: "Every weekday at 9:00, post the open P1 incidents to #triage" },
    });
    const question = asked.structuredContent as { outcome: string; options: string[]; session: string };
    assert.equal(question.outcome, "needs-input");
    assert.ok(question.options.includes("#it-ops"), question.options.join());
    const answered = await author.callTool({
      name: "charter.plan_workflow",
      arguments: { session: question.session, answer: "#it-ops" },
    });
    assert.equal(answered.isError, undefined, JSON.stringify(answered.content));
    assert.equal((answered.structuredContent as { outcome: string }).outcome, "draft");
    const both = await author.callTool({
      name: "charter.plan_workflow",
      arguments: { request: "x", session: question.session, answer: "#it-ops" },
    });
    assert.equal(both.isError, true, "a request and an answer at once is refused");
    await author.close();
  });

  test("resources: the SDK per integration, the runtime and a guide; a drafting prompt", async () => {
    const client = await connect(keys["olga"] ?? "");
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    for (const uri of [
      "charter://guide",
      "charter://sdk/index.d.ts",
      "charter://sdk/tickets.d.ts",
      "charter://sdk/chat.d.ts",
      "charter://runtime/charter.d.ts",
    ])
      assert.ok(uris.includes(uri), `${uri} in ${uris.join(", ")}`);
    const tickets = await client.readResource({ uri: "charter://sdk/tickets.d.ts" });
    assert.match(String((tickets.contents[0] as { text: string }).text), /export declare function createIncident/);
    await assert.rejects(
      client.readResource({ uri: "charter://sdk/../../etc/passwd" }),
      (error: { code?: number; message?: string }) =>
        error.code === -32002 && /Resource not found/.test(error.message ?? ""),
    );
    const templates = (await client.listResourceTemplates()).resourceTemplates;
    assert.deepEqual(
      templates.map((t) => t.uriTemplate),
      ["charter://sdk/{integration}.d.ts"],
    );
    const completed = await client.complete({
      ref: { type: "ref/resource", uri: "charter://sdk/{integration}.d.ts" },
      argument: { name: "integration", value: "ti" },
    });
    assert.deepEqual(completed.completion.values, ["tickets"], "the template's integration ids complete");
    await client.subscribeResource({ uri: "charter://sdk/tickets.d.ts" }); // updated when a sync changes the catalog
    await assert.rejects(client.subscribeResource({ uri: "file:///etc/passwd" }), /Resource not found/);
    const prompt = await client.getPrompt({
      name: "draft_workflow",
      arguments: { request: "Close stale tickets every Friday" },
    });
    assert.match(JSON.stringify(prompt.messages), /charter\.plan_workflow/);
    await client.close();
  });

  test("tenants and roles: another tenant sees none of these tools; a reviewer cannot run or approve anything", async () => {
    const stranger = await connect(keys["stranger"] ?? "");
    const theirs = await stranger.listTools();
    assert.ok(!theirs.tools.some((t) => t.name === workflow), "tenant other does not see demo's workflow");
    await assert.rejects(stranger.callTool({ name: workflow, arguments: INCIDENT }), /Unknown tool/);
    const runs = await stranger.callTool({ name: "charter.list_runs", arguments: {} });
    assert.deepEqual((runs.structuredContent as { runs: unknown[] }).runs, []);
    await stranger.close();

    const reviewer = await connect(keys["ben"] ?? "");
    const names = (await reviewer.listTools()).tools.map((t) => t.name);
    assert.ok(
      !names.includes(workflow) && !names.includes("charter.start_run") && !names.includes("charter.plan_workflow"),
      names.join(", "),
    );
    assert.deepEqual(
      names.filter((n) => /approv|reject|rollback|submit/i.test(n)),
      [],
    );
    const refused = await reviewer.callTool({ name: "charter.start_run", arguments: { workflow, input: INCIDENT } });
    assert.equal(refused.isError, true);
    assert.match(JSON.stringify(refused.content), /NOT_AUTHORIZED/);
    await assert.rejects(reviewer.callTool({ name: "charter.approve_version", arguments: {} }), /Unknown tool/);
    await reviewer.close();
  });

  test("list_changed goes out when the set of active versions changes", async () => {
    const client = await connect(keys["olga"] ?? "");
    await client.listTools();
    let changed: () => void = () => {};
    const notified = new Promise<void>((resolve) => (changed = resolve));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
    await new Promise((resolve) => setTimeout(resolve, 3500)); // the watcher's first look
    const ana = { userId: (await app.identity.userByHandle("ana"))?.id ?? "", handle: "ana" };
    const ben = { userId: (await app.identity.userByHandle("ben"))?.id ?? "", handle: "ben" };
    const planned = await app.planner.plan({
      tenantId: "demo",
      request: "Page the on-call engineer with a message and post it to #it-ops",
      author: ana,
    });
    await app.versions.submit("demo", planned.version.id, ana);
    await app.versions.approve("demo", planned.version.id, ben, "ok");
    await Promise.race([
      notified,
      new Promise((_, reject) => setTimeout(() => reject(new Error("no tools/list_changed within 10 s")), 10_000)),
    ]);
    assert.ok((await client.listTools()).tools.some((t) => t.name === planned.version.workflow));
    await client.close();
  });

  test("the sessions of a tenant share one watch: ten open sessions read the active versions once per interval, not ten times", async () => {
    const olga = await app.identity.userByHandle("olga");
    const caller = {
      tenantId: "demo",
      actor: { userId: olga?.id ?? "", handle: "olga" },
      roles: await app.identity.roles("demo", olga?.id ?? ""),
    };
    const repository = app.versionRepository;
    const original = repository.activeVersions.bind(repository);
    let reads = 0;
    repository.activeVersions = (tenantId: string) => {
      reads++;
      return original(tenantId);
    };
    const clients: Client[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await createCharterMcpServer(app, caller, { watchMs: 50 }).connect(serverSide);
        const client = new Client({ name: "watch-test", version: "1.0.0" });
        await client.connect(clientSide);
        clients.push(client);
      }
      reads = 0;
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 600));
      const intervals = (performance.now() - started) / 50;
      assert.ok(reads > 0 && reads <= intervals + 2, `${reads} reads in ${intervals.toFixed(1)} intervals`);
    } finally {
      repository.activeVersions = original;
      for (const client of clients) await client.close();
    }
  });

  test("the endpoint: no key 401, a bad key 401, a foreign Host or Origin 403, another user's session 404", async () => {
    const init = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    const post = (headers: Record<string, string>, body = init) =>
      raw(
        "POST",
        served.port,
        { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body,
      );
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ authorization: "Bearer chk_forged" })).status, 401);
    assert.equal((await post({ authorization: `Bearer ${keys["olga"]}`, host: "evil.example:80" })).status, 403);
    assert.equal((await post({ authorization: `Bearer ${keys["olga"]}`, origin: "http://evil.example" })).status, 403);
    const opened = await post({ authorization: `Bearer ${keys["olga"]}` });
    assert.equal(opened.status, 200, opened.body);
    const session = opened.headers["mcp-session-id"];
    assert.ok(typeof session === "string");
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    const hijack = await post(
      { authorization: `Bearer ${keys["ana"]}`, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" },
      list,
    );
    assert.equal(hijack.status, 404, "another user's key cannot use the session");
  });

  test("a failed run is called retryable only when it changed nothing: a run that posted before its UNAVAILABLE is not", () => {
    const annotations = (readOnly: boolean) => ({
      readOnly,
      destructive: false,
      idempotent: false,
      openWorld: true,
      declared: true,
    });
    const capabilities = [
      {
        integration: "directory",
        tool: "get_on_call",
        sdkFunction: "directory.getOnCall",
        annotations: annotations(true),
      },
      { integration: "chat", tool: "post_message", sdkFunction: "chat.postMessage", annotations: annotations(false) },
    ];
    const read = { integration: "directory", tool: "get_on_call", status: "succeeded" };
    assert.equal(retryAdvice("UNAVAILABLE", [read], capabilities).retryable, true, "only reads before the failure");
    assert.equal(
      retryAdvice("UNAVAILABLE", [read, { integration: "chat", tool: "post_message", status: "failed" }], capabilities)
        .retryable,
      true,
      "the change itself failed",
    );
    for (const status of ["succeeded", "started"]) {
      const advice = retryAdvice(
        "UNAVAILABLE",
        [read, { integration: "chat", tool: "post_message", status }],
        capabilities,
      );
      assert.deepEqual([advice.retryable, /could do that twice/.test(advice.hint)], [false, true], status);
    }
    assert.equal(retryAdvice("WORKFLOW_ERROR", [], capabilities).retryable, false);
  });

  test("messages past the limits on outside JSON are parse errors before any tool reads them: arguments nested 100,000 deep, a NUL character", async () => {
    const opened = await raw(
      "POST",
      served.port,
      {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${keys["olga"]}`,
      },
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }),
    );
    const session = String(opened.headers["mcp-session-id"]);
    const call = (body: string) =>
      raw(
        "POST",
        served.port,
        {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `Bearer ${keys["olga"]}`,
          "mcp-session-id": session,
          "mcp-protocol-version": "2025-06-18",
        },
        body,
      );
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const nested = await call(
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"charter.start_run","arguments":{"workflow":"${workflow}","input":{"x":${deep}}}}}`,
    );
    assert.equal(nested.status, 400, nested.body);
    assert.deepEqual(JSON.parse(nested.body)["error"], {
      code: -32700,
      message: "Parse error: the message nests deeper than 64 levels",
    });
    const nul = await call(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "charter.list_workflows", arguments: { x: "a\u0000b" } },
      }),
    );
    assert.equal(nul.status, 400, nul.body);
    assert.match(JSON.parse(nul.body)["error"]["message"], /NUL character/);
    const list = await call(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/list" }));
    assert.equal(list.status, 200, "the session and the server carry on");
  });

  test("one key cannot lock others out: a user holds at most 20 sessions, the 21st closes that user's longest-idle one", async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 22; i++) clients.push(await connect(keys["ana"] ?? ""));
    // The first two were closed to make room; the newest answer.
    await assert.rejects(clients[0]?.listTools() ?? Promise.reject(new Error("none")), /404|Session not found/);
    assert.ok((await clients[21]?.listTools())?.tools.length);
    // Another user is not affected.
    const other = await connect(keys["olga"] ?? "");
    assert.ok((await other.listTools()).tools.length);
    for (const client of [...clients.slice(2), other]) await client.close();
  });

  test("a flood of sessions from many users (an admin can make users) crowds out its own users, not a light user of this or another tenant", async () => {
    const small = await serveHttp(
      { ...app, env: { ...app.env, mcp: { ...app.env.mcp, maxSessions: 30 } } },
      { dispatcher },
    );
    const open = (key: string) => connect(key, small.base);
    const opened: Client[] = [];
    try {
      const flood: string[] = [];
      for (let i = 0; i < 3; i++) {
        await actor(`flood-${i}`, "demo", ["operator"]);
        flood.push(keys[`flood-${i}`] ?? "");
      }
      for (const key of flood) for (let i = 0; i < 10; i++) opened.push(await open(key));
      // Full. A light user of this tenant and one of another tenant still get in, and stay in while the flood goes on.
      const light = await open(keys["olga"] ?? "");
      const elsewhere = await open(keys["stranger"] ?? "");
      for (const key of flood) for (let i = 0; i < 5; i++) opened.push(await open(key));
      assert.ok((await light.listTools()).tools.length > 0, "the light user's session survived the flood");
      assert.ok((await elsewhere.listTools()).tools.length > 0, "so did the other tenant's");
      const alive = await Promise.all(
        opened.map((client) =>
          client.listTools().then(
            () => true,
            () => false,
          ),
        ),
      );
      assert.equal(alive.filter(Boolean).length, 28, "the flood keeps only what is left of the 30 slots");
      opened.push(light, elsewhere);
    } finally {
      await Promise.all(opened.map((client) => client.close().catch(() => undefined)));
      await small.close();
    }
  });

  test("a flood of single-session users from one tenant makes room from that tenant, not from another tenant's idle sessions", async () => {
    const small = await serveHttp(
      { ...app, env: { ...app.env, mcp: { ...app.env.mcp, maxSessions: 12 } } },
      { dispatcher },
    );
    const open = (key: string) => connect(key, small.base);
    const opened: Client[] = [];
    try {
      // Another tenant's user holds two sessions and sits idle while the flood comes.
      const elsewhere = [await open(keys["stranger"] ?? ""), await open(keys["stranger"] ?? "")];
      opened.push(...elsewhere);
      for (let i = 0; i < 20; i++) {
        await actor(`single-${i}`, "demo", ["operator"]);
        opened.push(await open(keys[`single-${i}`] ?? ""));
      }
      for (const client of elsewhere)
        assert.ok((await client.listTools()).tools.length > 0, "the other tenant's sessions survived");
    } finally {
      await Promise.all(opened.map((client) => client.close().catch(() => undefined)));
      await small.close();
    }
  });

  test("the MCP Inspector's CLI lists the demo tenant's tools and calls a workflow", async () => {
    const inspector = path.join(REPO, "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
    const common = [
      "--cli",
      `${served.base}/mcp`,
      "--transport",
      "http",
      "--header",
      `Authorization: Bearer ${keys["olga"]}`,
    ];
    const listed = await run(process.execPath, [inspector, ...common, "--method", "tools/list"], {
      cwd: REPO,
      env: { ...process.env, HOME: path.join(REPO, ".charter-test-home") },
    });
    const tools = (JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    assert.ok(tools.includes(workflow), tools.join(", "));
    const args = Object.entries(INCIDENT).flatMap(([k, v]) => ["--tool-arg", `${k}=${v}`]);
    const called = await run(
      process.execPath,
      [inspector, ...common, "--method", "tools/call", "--tool-name", workflow, ...args],
      { cwd: REPO, env: { ...process.env, HOME: path.join(REPO, ".charter-test-home") } },
    );
    const result = JSON.parse(called.stdout) as { isError?: boolean; structuredContent?: Record<string, unknown> };
    assert.notEqual(result.isError, true, called.stdout);
    assert.ok(result.structuredContent, called.stdout);
  });

  test("the official conformance suite (server mode) passes, but for the scenarios listed in test/conformance-baseline.yml", {
    timeout: 300_000,
  }, async () => {
    // The suite calls tools of its own names. Two of them are ordinary approved workflows here, so
    // the scenarios check Charter's real path: a workflow's log lines, and progress from its tool calls.
    for (const fixture of CONFORMANCE_WORKFLOWS)
      await approvedVersion(app, "demo", { ...fixture, tests: fixtureTests(fixture.calls) });
    // The suite sends no credentials: a proxy adds the key of a user with every role, and passes Host and Origin through unchanged.
    await actor("conformance", "demo", ["operator", "author", "reviewer"]);
    const proxy = await authProxy(served.port, keys["conformance"] ?? "");
    try {
      const suite = path.join(REPO, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
      const results = await mkdtemp(path.join(tmpdir(), "charter-conformance-"));
      const args = [
        suite,
        "server",
        "--url",
        `http://localhost:${proxy.port}/mcp`,
        "--expected-failures",
        path.join(REPO, "test/conformance-baseline.yml"),
        "-o",
        results,
      ];
      const result = await run(process.execPath, args, { cwd: REPO, maxBuffer: 32 * 1024 * 1024 }).catch(
        (error: { stdout?: string; stderr?: string; code?: number }) => error,
      );
      const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
      const summary = output
        .split("\n")
        .filter((line) => !/^(Running client scenario|=== Running scenario)/.test(line))
        .join("\n");
      // Why each failing check failed, from the suite's checks.json files.
      const reasons: string[] = [];
      for (const file of await readdir(results, { recursive: true })) {
        if (!file.endsWith("checks.json")) continue;
        const checks = JSON.parse(await readFile(path.join(results, file), "utf8")) as {
          id?: string;
          status?: string;
          errorMessage?: string;
        }[];
        for (const check of checks)
          if (check.status === "FAILURE") reasons.push(`${file}: ${check.id}: ${check.errorMessage ?? ""}`);
      }
      if (process.env["CHARTER_CONFORMANCE_REASONS"] === "1") console.log(reasons.join("\n"));
      assert.ok(
        !("code" in result) || result.code === 0 || result.code === undefined,
        `${summary.slice(-6000)}\n${reasons.join("\n")}`,
      );
    } finally {
      proxy.server.close();
    }
  });
});

/** One HTTP request with exactly these headers (fetch would not send a Host of our choosing). */
function raw(
  method: string,
  port: number,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path: "/mcp", headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A reverse proxy to Charter that adds `Authorization: Bearer <key>` and changes nothing else. */
async function authProxy(target: number, key: string): Promise<{ server: NodeServer; port: number }> {
  const server = createServer((incoming, outgoing) => {
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: target,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, authorization: `Bearer ${key}` },
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
