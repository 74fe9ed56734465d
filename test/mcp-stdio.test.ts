/**
 * `charter mcp` as MCP clients start it: in `/` (not the repository), with only an API key, and
 * beside `charter serve` or another `charter mcp` on the same embedded data folder (one process
 * holds it; the others relay to its endpoint). Each client lists the tools and runs a workflow.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createApp } from "../src/app.ts";
import { REPO } from "./helpers/tenants.ts";

const CHARTER = path.join(REPO, "src/cli/charter.js");
const MESSAGE = { message: "Disk full on db-2" };

describe("charter mcp from any folder, alone and beside other Charter processes", () => {
  let dataDir = "";
  let key = "";
  let workflow = "";
  /** The environment a client gives: no CHARTER_TENANTS_DIR or CHARTER_HOME, only the data folder and a key. */
  let clientEnv: Record<string, string> = {};

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "charter-mcp-stdio-"));
    const app = await createApp({ processEnv: { CHARTER_DATA_DIR: dataDir } });
    try {
      assert.ok((await app.sync("demo")).result.ok);
      const grant = async (handle: string, roles: ("author" | "reviewer" | "operator")[]) => {
        const user = await app.identity.ensureUser(handle);
        for (const role of roles) await app.identity.grant("demo", user.id, role);
        return { user, actor: { userId: user.id, handle } };
      };
      const author = await grant("ana", ["author"]);
      const reviewer = await grant("ben", ["reviewer"]);
      const operator = await grant("olga", ["operator"]);
      const planned = await app.planner.plan({
        tenantId: "demo",
        request: "Page the on-call engineer with a message and post it to #it-ops",
        author: author.actor,
      });
      workflow = planned.version.workflow;
      await app.versions.submit("demo", planned.version.id, author.actor);
      await app.versions.approve("demo", planned.version.id, reviewer.actor, "reviewed");
      key = await app.identity.createKey("demo", operator.user.id);
    } finally {
      await app.close();
    }
    clientEnv = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && !/^CHARTER_|^DATABASE_URL$/.test(entry[0]),
      ),
    );
    Object.assign(clientEnv, { CHARTER_DATA_DIR: dataDir, CHARTER_API_KEY: key });
  });

  /** Starts `charter mcp` in `/` as a client would, and connects to it; its stderr is collected. */
  const startMcp = async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--no-node-snapshot", CHARTER, "mcp", "--tenant", "demo"],
      env: clientEnv,
      cwd: "/",
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    await client.connect(transport);
    const exited = new Promise<void>((resolve) => {
      client.onclose = () => resolve();
    });
    return { client, transport, stderr: () => stderr, exited };
  };

  const runsTheWorkflow = async (client: Client) => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes(workflow) && tools.includes("charter.get_run"), tools.join(", "));
    const called = await client.callTool({ name: workflow, arguments: MESSAGE });
    assert.notEqual(called.isError, true, JSON.stringify(called));
    assert.ok(called.structuredContent, JSON.stringify(called));
  };

  test("started in /, it finds the tenants from Charter home (the install folder) and runs a workflow", async () => {
    const mcp = await startMcp();
    try {
      await runsTheWorkflow(mcp.client);
      assert.match(mcp.stderr(), /MCP on stdio for tenant demo as olga/);
    } finally {
      await mcp.client.close();
    }
  });

  test("mcp --help prints Charter home and the folders it uses, from any folder", async () => {
    const help = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CHARTER, "mcp", "--help"], { cwd: "/", env: clientEnv });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on("close", () => resolve(out));
    });
    assert.match(help, new RegExp(`home +${REPO.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
    assert.match(help, new RegExp(`data +${dataDir}`));
  });

  describe("beside charter serve on the same data folder", () => {
    let serve: ChildProcess;
    before(async () => {
      serve = spawn(process.execPath, ["--no-node-snapshot", CHARTER, "serve", "--port", "0"], {
        cwd: "/",
        env: clientEnv,
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        let out = "";
        serve.stdout?.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (/charter: serving http/.test(out)) resolve();
        });
        serve.once("exit", (code) => reject(new Error(`charter serve exited with ${code}: ${out}`)));
      });
    });
    after(async () => {
      const exited = new Promise((resolve) => serve.once("exit", resolve));
      serve.kill("SIGTERM");
      await exited;
    });

    test("charter mcp connects through the serving process instead of failing on the lock", async () => {
      const mcp = await startMcp();
      try {
        await runsTheWorkflow(mcp.client);
        assert.match(mcp.stderr(), /relayed to charter serve \(pid \d+\)/);
      } finally {
        await mcp.client.close();
      }
    });
  });

  test("two clients: the second charter mcp relays to the first, and exits when the first stops", async () => {
    const first = await startMcp();
    const second = await startMcp();
    try {
      assert.match(first.stderr(), /MCP on stdio for tenant demo/);
      await runsTheWorkflow(second.client);
      assert.match(second.stderr(), /relayed to charter mcp \(pid \d+\)/);
      await runsTheWorkflow(first.client);
    } finally {
      await first.client.close();
    }
    await second.exited;
    assert.match(second.stderr(), /stopped; start this server again/);
    await second.client.close();
    // The folder is free again: a new client opens it itself.
    const third = await startMcp();
    try {
      await runsTheWorkflow(third.client);
      assert.match(third.stderr(), /MCP on stdio for tenant demo as olga/);
    } finally {
      await third.client.close();
    }
  });

  test("a stale endpoint file whose port another process now has: the relay sends no key there", async () => {
    const stale = await mkdtemp(path.join(tmpdir(), "charter-mcp-stale-"));
    const seen: (string | undefined)[] = [];
    const impostor = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200).end("not a proof");
    });
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", () => resolve()));
    const port = (impostor.address() as AddressInfo).port;
    // A holder that is "alive" (this test's own pid stands for a reused one) and its endpoint file.
    const since = new Date().toISOString();
    await writeFile(path.join(stale, "charter.lock"), JSON.stringify({ pid: process.pid, host: hostname(), since }));
    await writeFile(
      path.join(stale, "mcp-endpoint.json"),
      JSON.stringify({
        pid: process.pid,
        url: `http://127.0.0.1:${port}/mcp`,
        by: "charter serve",
        proof: "p".repeat(43),
      }),
    );
    try {
      const exit = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["--no-node-snapshot", CHARTER, "mcp", "--tenant", "demo"], {
          cwd: "/",
          env: { ...clientEnv, CHARTER_DATA_DIR: stale, CHARTER_API_KEY: "chk_must_not_leave" },
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on("close", (code) => resolve({ code, stderr }));
      });
      assert.equal(exit.code, 1, exit.stderr);
      assert.match(exit.stderr, /cannot prove it is the Charter holding it; nothing was sent there/);
      assert.deepEqual(seen, [undefined], "one challenge, with no key");
    } finally {
      impostor.close();
    }
  });
});
