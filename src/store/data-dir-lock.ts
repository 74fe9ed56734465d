/**
 * An exclusive lock on the embedded database's data folder. PGlite has no protection against two
 * processes opening the same files, which corrupts them; the lock file makes the second process
 * fail with an error naming the folder and the holder. A lock left by a dead process is taken over.
 */
import { createHmac, randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { StoreError } from "../core/errors.ts";

export type DataDirLock = { readonly file: string; release(): void };

/** Takes the lock on `dataDir` or throws DATA_DIR_LOCKED. */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, "charter.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        rmSync(file, { force: true });
      };
      process.on("exit", release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(file);
      if (holder !== undefined && holder.host === hostname() && !isAlive(holder.pid)) {
        rmSync(file, { force: true }); // left behind by a process that died
        continue;
      }
      const who =
        holder === undefined ? "another process" : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
      throw new StoreError(
        "DATA_DIR_LOCKED",
        `the data folder ${dataDir} is in use by ${who}. Stop that Charter process, or set ` +
          `CHARTER_DATA_DIR to another folder.`,
      );
    }
  }
  throw new StoreError(
    "DATA_DIR_LOCKED",
    `could not lock the data folder ${dataDir}; remove ${file} if no Charter process is running`,
  );
}

function readHolder(file: string): { pid: number; host: string; since: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (parsed && typeof parsed === "object" && "pid" in parsed && typeof parsed.pid === "number") {
      const record = parsed as { pid: number; host?: unknown; since?: unknown };
      return { pid: record.pid, host: String(record.host ?? "?"), since: String(record.since ?? "?") };
    }
  } catch {
    // unreadable or half-written: treat the holder as unknown, never as dead
  }
  return undefined;
}

/** Whether a process of this machine is alive (one of another user's counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The MCP endpoint of the process holding a data folder (`charter serve`, or the first `charter mcp`),
 * published beside its lock so that another `charter mcp` on the same folder connects through it
 * instead of failing on the lock. Only the holder publishes; the file goes when it exits.
 */
export type PublishedEndpoint = { pid: number; url: string; by: string; proof: string };

/** Where a publisher answers a challenge, so a relay knows the port is still its before sending a key there. */
export const PROOF_PATH = "/.charter-endpoint-proof";

/** The answer to a challenge: an HMAC with the secret only the publisher and readers of its file (mode 0600) know. */
export function proofOf(proof: string, challenge: string): string {
  return createHmac("sha256", proof).update(challenge).digest("hex");
}

const endpointFile = (dataDir: string) => path.join(dataDir, "mcp-endpoint.json");

/**
 * Publishes the holder's endpoint; `withdraw` (also run at exit) takes it back, `answer` answers a
 * relay's challenge at PROOF_PATH (undefined for requests that are not one).
 */
export function publishEndpoint(
  dataDir: string,
  url: string,
  by: string,
): { withdraw: () => void; answer: (request: Request) => Response | undefined } {
  const file = endpointFile(dataDir);
  const proof = randomBytes(32).toString("base64url");
  rmSync(file, { force: true }); // a file left by a dead holder may be another user's: write a new one, ours
  writeFileSync(file, JSON.stringify({ pid: process.pid, url, by, proof } satisfies PublishedEndpoint), {
    mode: 0o600,
    flag: "wx",
  });
  let withdrawn = false;
  const withdraw = () => {
    if (withdrawn) return;
    withdrawn = true;
    process.off("exit", withdraw);
    if (publishedBy(file) === process.pid) rmSync(file, { force: true });
  };
  process.on("exit", withdraw);
  const answer = (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname !== PROOF_PATH) return undefined;
    const challenge = url.searchParams.get("challenge") ?? "";
    if (!/^[0-9a-f]{64}$/.test(challenge)) return new Response("a challenge is 64 hex digits", { status: 400 });
    return new Response(proofOf(proof, challenge), { headers: { "content-type": "text/plain" } });
  };
  return { withdraw, answer };
}

/** The endpoint published for `dataDir`, if its publisher still holds the folder's lock and is alive. */
export function publishedEndpoint(dataDir: string): PublishedEndpoint | undefined {
  const holder = readHolder(path.join(dataDir, "charter.lock"));
  try {
    const parsed: unknown = JSON.parse(readFileSync(endpointFile(dataDir), "utf8"));
    if (!parsed || typeof parsed !== "object") return undefined;
    const { pid, url, by, proof } = parsed as Record<string, unknown>;
    if (typeof pid !== "number" || typeof url !== "string" || !/^http:\/\/127\.0\.0\.1:\d+\/mcp$/.test(url))
      return undefined;
    if (typeof proof !== "string" || proof.length < 32) return undefined;
    if (holder?.pid !== pid || holder.host !== hostname() || !isAlive(pid)) return undefined;
    return { pid, url, by: typeof by === "string" ? by : "charter", proof };
  } catch {
    return undefined;
  }
}

function publishedBy(file: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return parsed && typeof parsed === "object" && "pid" in parsed && typeof parsed.pid === "number"
      ? parsed.pid
      : undefined;
  } catch {
    return undefined;
  }
}
