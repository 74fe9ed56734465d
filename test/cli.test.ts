import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
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
      assert.match(first.stdout, new RegExp(`✓ ${integration} \\((stdio|http)\\)  credentials: ${credentials}  \\d+ tools, .*new snapshot`), first.stdout);
    }
    assert.match(first.stdout, /✓ tickets \(stdio\)  credentials: ok  7 tools/);
    assert.match(first.stdout, /demo: all 4 integrations synced/);

    const second = await charter(["tenants", "sync", "demo", "--json"], { CHARTER_DATA_DIR: dataDir });
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout) as { integrations: { integration: string; status: string }[] };
    assert.deepEqual(
      result.integrations.map((item) => [item.integration, item.status]),
      [["chat", "unchanged"], ["directory", "unchanged"], ["everything", "unchanged"], ["tickets", "unchanged"]],
    );

    const shown = await charter(["tenants", "show", "demo"], { CHARTER_DATA_DIR: dataDir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /close_incident\s+destructive/);
  });

  test("a tenant that does not exist: a clear message and a non-zero exit, no stack trace", async () => {
    const ran = await charter(["tenants", "sync", "nobody"], { CHARTER_DATA_DIR: await mkdtemp(path.join(tmpdir(), "charter-cli-")) });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /no tenant "nobody": .*tenant\.json does not exist \[TENANT_NOT_FOUND\]/);
    assert.doesNotMatch(ran.stderr, /\n\s+at /);
  });

  test("a bad environment value names the variable", async () => {
    const ran = await charter(["tenants", "sync", "demo"], { DATABASE_URL: "mysql://nope" });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /DATABASE_URL: must start with postgres:\/\//);
  });

  test("--help works on every command, and usage errors exit 2", async () => {
    for (const args of [["--help"], ["help"], ["migrate", "--help"], ["tenants"], ["tenants", "sync", "--help"], ["tenants", "list", "--help"], ["tenants", "show", "--help"]]) {
      const ran = await charter(args);
      assert.equal(ran.code, 0, `${args.join(" ")}: ${ran.stderr}`);
      assert.match(ran.stdout, /Usage: charter/, args.join(" "));
    }
    const unknown = await charter(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});
