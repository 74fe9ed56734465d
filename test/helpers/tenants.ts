/** Temporary tenants folders for tests, with the fixture servers of this repository. */
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export const REPO = path.join(import.meta.dirname, "../..");
export const SCRIPTED_SERVER = path.join(REPO, "test/fixtures/scripted-server.ts");
export const DEMO_SERVERS = path.join(REPO, "tenants/demo/servers");

/** Writes `tenants/<id>/tenant.json` (and any extra files) under a new temporary folder. */
export async function tenantsFolder(
  tenants: Record<string, { config: unknown; files?: Record<string, string> }>,
): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "charter-tenants-"));
  for (const [id, { config, files }] of Object.entries(tenants)) {
    const dir = path.join(root, id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "tenant.json"), JSON.stringify(config, null, 2));
    for (const [name, text] of Object.entries(files ?? {})) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
  }
  return root;
}

/** A stdio integration running the scripted fixture server. */
export function scripted(mode: string, extra: string[] = [], more: Record<string, unknown> = {}) {
  return { transport: "stdio", command: "node", args: [SCRIPTED_SERVER, "--mode", mode, ...extra], ...more };
}

/** An integration running test/fixtures/counting-server.ts, which counts its calls in `file` (delays last while `hold` exists). */
export function countingServer(file: string, hold?: string): { transport: "stdio"; command: string; args: string[] } {
  return {
    transport: "stdio",
    command: "node",
    args: [path.join(REPO, "test/fixtures/counting-server.ts"), "--file", file, ...(hold ? ["--hold", hold] : [])],
  };
}

/** A loopback port nothing listens on right now (for a server a test starts on a known address). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
