/**
 * `charter versions …`, `submit`, `approve`, `reject`, `rollback`, `users add`, `keys create`.
 * Decisions act as a user: the one whose API key is in CHARTER_API_KEY, or the local user named
 * by --as (whoever can run this command on the machine can act as a local user, as with the
 * database itself). The tenant comes from the key, or from --tenant.
 */
import type { App } from "../app.ts";
import { CharterError } from "../core/errors.ts";
import type { Role, VersionRow } from "../store/index.ts";
import { capabilityLabel, identify, parseRoles, readInput, readOptionalInput, withApp } from "./common.ts";
import { columns, type Output } from "./output.ts";
import { VERSIONS_HELP } from "./help.ts";

type Options = {
  tenant?: string | undefined;
  as?: string | undefined;
  json: boolean;
  tests?: string | undefined;
  comment?: string | undefined;
  to?: string | undefined;
  role?: string | undefined;
  user?: string | undefined;
};

function tenantOnly(options: Options): string {
  if (!options.tenant) throw new CharterError("UNKNOWN_USER", "give --tenant <tenant>");
  return options.tenant;
}

export async function versionsCommand(
  sub: string | undefined,
  args: string[],
  options: Options,
  output: Output,
): Promise<number> {
  return withApp(async (app) => {
    switch (sub) {
      case "create": {
        const file = args[0];
        if (!file) throw new CharterError("FILE_UNREADABLE", "versions create needs a workflow file");
        const { actor, tenantId } = await identify(app, options);
        const source = await readInput(file);
        const tests = options.tests
          ? await readInput(options.tests, "tests file ")
          : await readOptionalInput(file.replace(/\.ts$/, ".tests.json"), "tests file ");
        const version = await app.versions.create({ tenantId, source, fileName: file, tests, author: actor });
        if (options.json) output.out(JSON.stringify(version, null, 2));
        else printVersion(version, output);
        return version.status === "checks-passed" ? 0 : 1;
      }
      case "list": {
        const tenantId = options.tenant ?? (await identify(app, options)).tenantId;
        const rows = await app.versionRepository.list(tenantId, args[0]);
        if (options.json)
          output.out(
            JSON.stringify(
              rows.map(({ source: _s, ...rest }) => rest),
              null,
              2,
            ),
          );
        else if (rows.length === 0) output.out(`no versions in tenant ${tenantId}`);
        else
          for (const line of columns(
            rows.map((v) => [`${v.workflow}@${v.number}`, v.status, v.createdAt.toISOString(), v.id]),
          ))
            output.out(line);
        return 0;
      }
      case "show": {
        const tenantId = options.tenant ?? (await identify(app, options)).tenantId;
        const version = await app.versions.find(tenantId, args[0] ?? "");
        const approvals = await app.versionRepository.approvals(version.id);
        if (options.json) output.out(JSON.stringify({ version, approvals }, null, 2));
        else {
          printVersion(version, output);
          for (const a of approvals)
            output.out(`  ${a.decision} by ${a.userId} at ${a.createdAt.toISOString()}: ${a.comment}`);
        }
        return 0;
      }
      case "diff": {
        const tenantId = options.tenant ?? (await identify(app, options)).tenantId;
        const diff = await app.versions.diff(tenantId, args[0] ?? "", args[1] ?? "");
        if (options.json) output.out(JSON.stringify(diff, null, 2));
        else {
          output.out(diff.summary);
          output.out(diff.source);
        }
        return 0;
      }
      default:
        output.out(VERSIONS_HELP);
        return sub === undefined ? 0 : 2;
    }
  });
}

export async function decide(
  verb: "submit" | "approve" | "reject",
  reference: string,
  options: Options,
  output: Output,
): Promise<number> {
  return withApp(async (app) => {
    const { actor, tenantId } = await identify(app, options);
    if (verb === "submit") {
      const version = await app.versions.submit(tenantId, reference, actor);
      output.out(`${version.workflow}@${version.number} is in review`);
      return 0;
    }
    if (!options.comment)
      throw new CharterError("VERSION_NOT_APPROVABLE", `${verb} needs --comment <text>: reviewers say why`);
    if (verb === "reject") {
      const version = await app.versions.reject(tenantId, reference, actor, options.comment);
      output.out(`${version.workflow}@${version.number} rejected by ${actor.handle}`);
      return 0;
    }
    const result = await app.versions.approve(tenantId, reference, actor, options.comment);
    const name = `${result.version.workflow}@${result.version.number}`;
    output.out(
      result.activated
        ? `${name} approved by ${actor.handle} and now active`
        : `${name}: approval ${result.approvals} of ${result.required} recorded; it needs another reviewer`,
    );
    return 0;
  });
}

export async function rollback(workflow: string, options: Options, output: Output): Promise<number> {
  return withApp(async (app) => {
    const { actor, tenantId } = await identify(app, options);
    const to = Number(options.to);
    if (!Number.isInteger(to) || to < 1)
      throw new CharterError("VERSION_NOT_FOUND", "rollback needs --to <version number>");
    const version = await app.versions.rollback(tenantId, workflow, to, actor);
    output.out(`${version.workflow}@${version.number} is active again (rolled back by ${actor.handle})`);
    return 0;
  });
}

export async function usersAdd(handle: string, options: Options, output: Output): Promise<number> {
  return withApp(async (app) => {
    const tenantId = tenantOnly(options);
    const roles = parseRoles(options.role, true);
    await app.catalogs.ensureTenant(tenantId);
    const user = await app.identity.ensureUser(handle);
    await grantRoles(app, tenantId, user, roles, "charter users add");
    output.out(`${handle} has ${[...(await app.identity.roles(tenantId, user.id))].join(", ")} in tenant ${tenantId}`);
    return 0;
  });
}

export async function keysCreate(options: Options, output: Output): Promise<number> {
  return withApp(async (app) => {
    const tenantId = tenantOnly(options);
    if (!options.user) throw new CharterError("UNKNOWN_USER", "give --user <user>");
    await app.catalogs.ensureTenant(tenantId);
    const user = options.role
      ? await app.identity.ensureUser(options.user)
      : await app.identity.userByHandle(options.user);
    if (!user)
      throw new CharterError(
        "UNKNOWN_USER",
        `no user "${options.user}"; add --role to create it, or 'charter users add'`,
      );
    await grantRoles(app, tenantId, user, parseRoles(options.role, false), "charter keys create");
    const key = await app.identity.createKey(tenantId, user.id);
    await app.versionRepository.record({
      tenantId,
      actorId: null,
      action: "key-created",
      detail: { user: user.handle, prefix: key.slice(0, 12), by: "the server (charter keys create)" },
    });
    output.out(key);
    output.err(`API key for ${user.handle} in tenant ${tenantId}; it is shown once and stored only as a hash`);
    return 0;
  });
}

function printVersion(version: VersionRow, output: Output): void {
  output.out(`${version.workflow}@${version.number} (${version.id}): ${version.status}`);
  for (const gate of version.gates)
    output.out(`  gate ${gate.gate}: ${gate.ok ? "passed" : "FAILED"} - ${gate.detail.split("\n").join("\n      ")}`);
  const capabilities = version.capabilities;
  output.out(`  capabilities: ${capabilities.map(capabilityLabel).join(", ") || "none"}`);
  output.out(
    `  hashes: source ${version.sourceHash.slice(0, 19)}…, ` +
      `bundle ${version.bundleHash?.slice(0, 19) ?? "(none)"}…, ` +
      `catalog ${version.catalogHash.slice(0, 19)}…`,
  );
  const drift = version.drift as {
    breaking: { tool: string; change: string }[];
    compatible: { tool: string; change: string; review?: boolean }[];
  } | null;
  if (drift) {
    for (const item of drift.breaking) output.out(`  DRIFT (blocks runs): ${item.tool}: ${item.change}`);
    for (const item of drift.compatible)
      output.out(`  catalog change${item.review ? " (review: tool text changed)" : ""}: ${item.tool}: ${item.change}`);
  }
}

/** Grants roles from the server's own command line, each recorded in the audit log. */
async function grantRoles(
  app: App,
  tenantId: string,
  user: { id: string; handle: string },
  roles: Role[],
  command: string,
): Promise<void> {
  for (const role of roles) {
    await app.identity.grant(tenantId, user.id, role);
    await app.versionRepository.record({
      tenantId,
      actorId: null,
      action: "role-granted",
      detail: { user: user.handle, role, by: `the server (${command})` },
    });
  }
}
