import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { createApp } from "../src/app.ts";
import { resolveCredentials, Secret } from "../src/config/credentials.ts";
import { loadTenantConfig, parseTenantFile } from "../src/config/tenant-config.ts";
import { ConfigError } from "../src/core/errors.ts";
import { describeChange } from "../src/mcp/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { countingServer, scripted, tenantsFolder } from "./helpers/tenants.ts";

async function appFor(tenantsDir: string, extraEnv: Record<string, string> = {}) {
  return createApp({
    processEnv: { CHARTER_TENANTS_DIR: tenantsDir, ...extraEnv },
    database: await embeddedTestDatabase(),
  });
}

describe("syncing a tenant", () => {
  test("good integrations sync while broken ones fail with clear errors, and nothing half-written is stored", async () => {
    const toolsDir = await mkdtemp(path.join(tmpdir(), "charter-tools-"));
    const toolsFile = path.join(toolsDir, "tools.json");
    await writeFile(toolsFile, JSON.stringify([{ name: "ping", inputSchema: { type: "object" } }]));
    const tenants = await tenantsFolder({
      acme: {
        config: {
          name: "Acme",
          integrations: {
            good: scripted("normal", ["--tools-file", toolsFile]),
            // Only the server that never answers gets a short connect limit: a busy machine may take
            // seconds to start the others (a tight limit on them made this test fail under load).
            hangs: scripted("hang", [], { timeouts: { connectMs: 2000 } }),
            nocred: scripted("normal", ["--tools-file", toolsFile], {
              credentials: { API_TOKEN: { env: "ACME_TOKEN_NOT_SET" } },
            }),
            missing: { transport: "stdio", command: "/nonexistent/server" },
          },
        },
      },
    });
    const app = await appFor(tenants);
    try {
      const result = await app.catalogService.syncTenant("acme");
      assert.equal(result.ok, false);
      const byId = Object.fromEntries(result.integrations.map((item) => [item.integration, item]));
      assert.equal(byId["good"]?.status, "new");
      assert.equal(byId["good"]?.counts?.tools, 1);
      assert.equal(byId["hangs"]?.error?.code, "INTEGRATION_TIMEOUT");
      assert.equal(byId["nocred"]?.error?.code, "CREDENTIAL_MISSING");
      assert.equal(byId["nocred"]?.credentialState, "missing");
      assert.match(
        byId["nocred"]?.error?.message ?? "",
        /API_TOKEN: environment variable ACME_TOKEN_NOT_SET is not set/,
      );
      assert.equal(byId["missing"]?.error?.code, "INTEGRATION_START_FAILED");
      assert.equal(await app.catalogs.countSnapshots("acme"), 1, "only the good integration has a snapshot");
      const failed = (await app.catalogs.recentSyncs("acme")).filter((sync) => sync.status === "failed");
      assert.deepEqual(failed.map((sync) => sync.integrationId).sort(), ["hangs", "missing", "nocred"]);
      assert.ok(failed.every((sync) => sync.snapshotId === null));
    } finally {
      await app.close();
    }
  });

  test("a re-sync stores nothing new, and a changed schema is reported exactly", async () => {
    const toolsDir = await mkdtemp(path.join(tmpdir(), "charter-tools-"));
    const toolsFile = path.join(toolsDir, "tools.json");
    const tools = [
      {
        name: "create_ticket",
        description: "Create a ticket.",
        inputSchema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
      },
      { name: "list_tickets", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
    ];
    await writeFile(toolsFile, JSON.stringify(tools));
    const tenants = await tenantsFolder({
      acme: { config: { name: "Acme", integrations: { tickets: scripted("normal", ["--tools-file", toolsFile]) } } },
    });
    const app = await appFor(tenants);
    try {
      assert.equal((await app.catalogService.syncTenant("acme")).integrations[0]?.status, "new");
      const again = await app.catalogService.syncTenant("acme");
      assert.equal(again.integrations[0]?.status, "unchanged");
      assert.equal(await app.catalogs.countSnapshots("acme"), 1);

      (tools[0]!.inputSchema.properties as Record<string, unknown>)["urgency"] = {
        type: "string",
        enum: ["low", "high"],
      };
      await writeFile(toolsFile, JSON.stringify(tools));
      const changed = await app.catalogService.syncTenant("acme");
      assert.equal(changed.integrations[0]?.status, "changed");
      assert.deepEqual(changed.integrations[0]?.changes.map(describeChange), [
        'tool create_ticket: input field "urgency" added (optional)',
      ]);
      assert.equal(await app.catalogs.countSnapshots("acme"), 2);
      const [latest] = await app.catalogs.recentSyncs("acme", 1);
      assert.equal((latest?.changes as unknown[]).length, 1, "the diff is stored with the sync");
    } finally {
      await app.close();
    }
  });

  test("an integration removed from the file is marked, and its history kept", async () => {
    const toolsFile = path.join(await mkdtemp(path.join(tmpdir(), "charter-tools-")), "tools.json");
    await writeFile(toolsFile, "[]");
    const tenants = await tenantsFolder({
      acme: { config: { name: "Acme", integrations: { a: scripted("normal", ["--tools-file", toolsFile]) } } },
    });
    const app = await appFor(tenants);
    try {
      await app.catalogService.syncTenant("acme");
      await writeFile(path.join(tenants, "acme/tenant.json"), JSON.stringify({ name: "Acme", integrations: {} }));
      const result = await app.catalogService.syncTenant("acme");
      assert.deepEqual(result.unconfigured, ["a"]);
      assert.equal((await app.catalogs.listIntegrations("acme"))[0]?.configured, false);
      assert.equal(await app.catalogs.countSnapshots("acme"), 1);
    } finally {
      await app.close();
    }
  });
});

describe("tenant files", () => {
  const configError = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error;
    }
    assert.fail("expected a ConfigError");
  };

  test("unknown and missing fields name the file and the JSON path", () => {
    const error = configError(() =>
      parseTenantFile(
        "tenants/x/tenant.json",
        JSON.stringify({ name: "X", integrations: { tickets: { transport: "stdio", comand: "node" } } }),
      ),
    );
    assert.equal(error.code, "CONFIG_INVALID");
    assert.match(error.message, /^tenants\/x\/tenant\.json is not a valid tenant file/);
    assert.match(error.message, /integrations\.tickets\.command: /);
    assert.match(error.message, /integrations\.tickets: .*comand/);
    assert.match(configError(() => parseTenantFile("f.json", JSON.stringify({ integrations: {} }))).message, /name: /);
    assert.match(configError(() => parseTenantFile("f.json", "{ not json")).message, /^f\.json: not valid JSON/);
  });

  test("a secret written as a plain env or header value is refused", () => {
    const error = configError(() =>
      parseTenantFile(
        "f.json",
        JSON.stringify({
          name: "X",
          integrations: {
            a: { transport: "http", url: "https://x.test/mcp", headers: { Authorization: "Bearer abc" } },
          },
        }),
      ),
    );
    assert.match(error.message, /integrations\.a\.headers\.Authorization: looks like a secret/);
    const stdio = configError(() =>
      parseTenantFile(
        "f.json",
        JSON.stringify({
          name: "X",
          integrations: { a: { transport: "stdio", command: "x", env: { GITHUB_TOKEN: "ghp_x" } } },
        }),
      ),
    );
    assert.match(stdio.message, /env\.GITHUB_TOKEN: looks like a secret/);
  });

  test("the mcpServers shape of MCP clients is accepted beside integrations; ${VAR} values become credentials, never stored", () => {
    const file = {
      mcpServers: {
        github: {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-github"],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_TOKEN}", LOG_LEVEL: "info" },
          autoApprove: [],
        },
        "brave-search": {
          type: "http",
          url: "https://brave.example/mcp",
          headers: { Authorization: "Bearer ${env:BRAVE_KEY}", "X-Region": "eu" },
        },
        old: { command: "node", args: ["old.js"], disabled: true },
      },
    };
    const config = parseTenantFile("tenants/acme/tenant.json", JSON.stringify(file), "acme");
    assert.equal(config.name, "acme", "named after the tenant when the file has only mcpServers");
    assert.deepEqual(
      Object.keys(config.integrations).sort(),
      ["brave_search", "github"],
      "ids in lower case with _; disabled left out",
    );
    assert.deepEqual(config.integrations["github"], {
      transport: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-github"],
      env: { LOG_LEVEL: "info" },
      credentials: { GITHUB_PERSONAL_ACCESS_TOKEN: { env: "GITHUB_TOKEN" } },
    });
    assert.deepEqual(config.integrations["brave_search"], {
      transport: "http",
      url: "https://brave.example/mcp",
      headers: { "X-Region": "eu" },
      credentials: { Authorization: { env: "BRAVE_KEY", prefix: "Bearer " } },
    });

    const plain = configError(() =>
      parseTenantFile(
        "f.json",
        JSON.stringify({ name: "X", mcpServers: { gh: { command: "x", env: { GITHUB_TOKEN: "ghp_x" } } } }),
      ),
    );
    assert.match(
      plain.message,
      /mcpServers\.gh\.env\.GITHUB_TOKEN: looks like a secret; write it as "\$\{GITHUB_TOKEN\}"/,
    );
    assert.doesNotMatch(plain.message, /ghp_x/, "the secret is not repeated in the error");
    assert.match(
      configError(() =>
        parseTenantFile(
          "f.json",
          JSON.stringify({ name: "X", mcpServers: { s: { type: "sse", url: "https://x.test/sse" } } }),
        ),
      ).message,
      /mcpServers\.s: the HTTP\+SSE transport is not supported/,
    );
    assert.match(
      configError(() =>
        parseTenantFile(
          "f.json",
          JSON.stringify({
            name: "X",
            integrations: { gh: { transport: "stdio", command: "x" } },
            mcpServers: { gh: { command: "y" } },
          }),
        ),
      ).message,
      /mcpServers\.gh: "gh" is also in integrations/,
    );
  });

  test("a tenant whose file is an MCP client's mcpServers, copied as is, syncs", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "charter-mcpservers-"));
    const server = countingServer(path.join(dir, "count.txt"));
    const tenants = await tenantsFolder({
      copied: { config: { mcpServers: { "ops-server": { command: server.command, args: server.args } } } },
    });
    const app = await createApp({
      processEnv: { CHARTER_TENANTS_DIR: tenants },
      database: await embeddedTestDatabase(),
    });
    try {
      const { result } = await app.sync("copied");
      assert.ok(result.ok, JSON.stringify(result.integrations.map((i) => i.error)));
      assert.deepEqual(
        result.integrations.map((i) => [i.integration, i.status]),
        [["ops_server", "new"]],
      );
    } finally {
      await app.close();
    }
  });

  test("an HTTP integration needs a URL or a launch command", () => {
    assert.match(
      configError(() =>
        parseTenantFile("f.json", JSON.stringify({ name: "X", integrations: { a: { transport: "http" } } })),
      ).message,
      /needs "url"/,
    );
    const launch = { command: "node", args: ["server.js"], ready: { poll: true } };
    assert.match(
      configError(() =>
        parseTenantFile("f.json", JSON.stringify({ name: "X", integrations: { a: { transport: "http", launch } } })),
      ).message,
      /a launch with "ready" needs "url"/,
    );
    assert.match(
      configError(() =>
        parseTenantFile(
          "f.json",
          JSON.stringify({
            name: "X",
            integrations: {
              a: { transport: "http", url: "http://127.0.0.1:1/mcp", launch: { ...launch, ready: { line: "([" } } },
            },
          }),
        ),
      ).message,
      /not a valid regular expression/,
    );
  });

  test("credentials resolve from environment and files, and never print", async () => {
    const tenants = await tenantsFolder({
      acme: {
        config: {
          name: "Acme",
          integrations: {
            a: {
              transport: "http",
              url: "https://x.test/mcp",
              credentials: { Authorization: { file: "token", prefix: "Bearer " }, "X-Key": { env: "ACME_KEY" } },
            },
          },
        },
        files: { token: "file-secret-value\n" },
      },
    });
    const tenant = await loadTenantConfig(tenants, "acme");
    const resolved = await resolveCredentials(tenant.config.integrations["a"]!, tenant.dir, {
      ACME_KEY: "env-secret-value",
    });
    assert.equal(resolved.state, "ok");
    assert.equal(resolved.headers["Authorization"]?.reveal(), "Bearer file-secret-value");
    assert.equal(resolved.headers["X-Key"]?.reveal(), "env-secret-value");
    const printed = `${JSON.stringify(resolved)} ${inspect(resolved)} ${String(resolved.headers["X-Key"])}`;
    assert.ok(!printed.includes("secret-value"), printed);
    const missing = await resolveCredentials(tenant.config.integrations["a"]!, tenant.dir, {});
    assert.equal(missing.state, "missing");
    assert.deepEqual(missing.problems, ["X-Key: environment variable ACME_KEY is not set"]);
    assert.ok(new Secret("x") instanceof Secret);
  });

  test("the demo tenant file is valid", async () => {
    const tenant = await loadTenantConfig(path.join(import.meta.dirname, "../tenants"), "demo");
    assert.deepEqual(Object.keys(tenant.config.integrations).sort(), ["chat", "directory", "everything", "tickets"]);
  });
});
