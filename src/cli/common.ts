/** What several `charter` commands share: the app's lifetime, reading input files, who is acting, roles. */
import { readFile } from "node:fs/promises";
import os from "node:os";
import { type App, createApp } from "../app.ts";
import { CharterError } from "../core/errors.ts";
import type { Capability } from "../core/workflow.ts";
import { ROLES, type Role } from "../store/index.ts";
import type { Actor } from "../versions/index.ts";

/** Opens the app (database, pool), runs, and closes it whatever happens. */
export async function withApp<T>(run: (app: App) => Promise<T>): Promise<T> {
  const app = await createApp();
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** A text file the user named; `what` says which ("tests file ") in the message when it cannot be read. */
export async function readInput(file: string, what = ""): Promise<string> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CharterError(
      "FILE_UNREADABLE",
      `cannot read ${what}${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`,
    );
  });
}

/** Like readInput, for a file that may be absent (the tests beside a workflow): undefined when it does not exist. */
export async function readOptionalInput(file: string, what = ""): Promise<string | undefined> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new CharterError("FILE_UNREADABLE", `cannot read ${what}${file}: ${error.message}`);
  });
}

export type IdentityOptions = { tenant?: string | undefined; as?: string | undefined };

/**
 * The acting user and tenant: CHARTER_API_KEY's (and --tenant, if given, must be its tenant), or
 * the local user --as with --tenant. With `localFallback`, no identity means the local user
 * "local:<login>", given the author role in the tenant (the machine's operator may act locally).
 */
export async function identify(
  app: App,
  options: IdentityOptions,
  localFallback = false,
): Promise<{ actor: Actor; tenantId: string }> {
  const key = app.env.apiKey;
  if (key) {
    const resolved = await app.identity.resolveKey(key.reveal());
    if (!resolved) throw new CharterError("UNKNOWN_USER", "CHARTER_API_KEY is not a valid key (unknown or revoked)");
    if (options.tenant && options.tenant !== resolved.tenantId)
      throw new CharterError(
        "NOT_AUTHORIZED",
        `the API key belongs to tenant ${resolved.tenantId}, not ${options.tenant}`,
      );
    return { actor: { userId: resolved.user.id, handle: resolved.user.handle }, tenantId: resolved.tenantId };
  }
  if (localFallback && options.tenant && !options.as) {
    const user = await app.identity.ensureUser(`local:${os.userInfo().username}`);
    await app.catalogs.ensureTenant(options.tenant);
    await app.identity.grant(options.tenant, user.id, "author");
    return { actor: { userId: user.id, handle: user.handle }, tenantId: options.tenant };
  }
  if (!options.as || !options.tenant)
    throw new CharterError(
      "UNKNOWN_USER",
      "say who is acting: set CHARTER_API_KEY, or give --as <user> and --tenant <tenant>",
    );
  const user = await app.identity.userByHandle(options.as);
  if (!user)
    throw new CharterError(
      "UNKNOWN_USER",
      `no user "${options.as}"; create one with 'charter users add ${options.as} ` +
        `--tenant ${options.tenant} --role author'`,
    );
  return { actor: { userId: user.id, handle: user.handle }, tenantId: options.tenant };
}

/** Roles from "--role a,b"; unknown names are refused, and so is none when `required`. */
export function parseRoles(text: string | undefined, required: boolean): Role[] {
  const roles = (text ?? "").split(",").filter(Boolean);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if ((required && roles.length === 0) || unknown.length > 0) {
    throw new CharterError(
      "NOT_AUTHORIZED",
      `--role takes ${ROLES.join(", ")} (comma-separated)${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`,
    );
  }
  return roles as Role[];
}

/**
 * What a process that runs resource triggers needs: the pool, settings, and a re-sync for a server
 * that says its lists changed (over the connection that said so, not a fresh one: see syncTenant).
 */
export function resourceSubscriptions(app: App) {
  return {
    pool: app.pool,
    env: app.env,
    processEnv: process.env,
    sync: (tenantId: string) => app.sync(tenantId, undefined, { fresh: false }),
  };
}

/** A tool a version calls, as the CLI lists it: "chat.post_message (destructive)". */
export function capabilityLabel(c: Capability): string {
  const risk = c.annotations.destructive ? " (destructive)" : c.annotations.readOnly ? " (read-only)" : "";
  return `${c.integration}.${c.tool}${risk}`;
}
