/**
 * An exclusive lock on the embedded database's data folder. PGlite has no protection against two
 * processes opening the same files, which corrupts them; the lock file makes the second process
 * fail with an error naming the folder and the holder. A lock left by a dead process is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
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
        `the data folder ${dataDir} is in use by ${who}. Stop that Charter process, or set CHARTER_DATA_DIR to another folder.`,
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
