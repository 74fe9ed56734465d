/** `charter plan`: a plain-language request → a draft version that passed its checks, with progress as it goes. */
import os from "node:os";
import { createApp } from "../app.ts";
import { CharterError } from "../core/errors.ts";
import type { Capability } from "../core/workflow.ts";
import type { Output } from "./output.ts";

export const PLAN_HELP = `Usage: charter plan --tenant <tenant> "<request>" [--from <version>] [--as <user>] [--json]

Writes a workflow for the request against the tenant's tools, checks it (compile, analysis, tests
in the sandbox) and stores it as a draft version for review. With ANTHROPIC_API_KEY set, Claude
plans (CHARTER_PLANNER_MODEL, default claude-sonnet-5-5; ANTHROPIC_BASE_URL for a proxy); without
it, the offline planner handles common request shapes. --from plans a revision of a version.
The planner can only create drafts: a reviewer decides whether it ever runs.

Identity: CHARTER_API_KEY, or --as <user>; otherwise the local user "local:<login>" (author role).`;

export async function planCommand(request: string, options: { tenant?: string | undefined; from?: string | undefined; as?: string | undefined; json: boolean }, output: Output): Promise<number> {
  const app = await createApp();
  try {
    let tenantId = options.tenant;
    let actor;
    const key = process.env["CHARTER_API_KEY"];
    if (key) {
      const resolved = await app.identity.resolveKey(key);
      if (!resolved) throw new CharterError("UNKNOWN_USER", "CHARTER_API_KEY is not a valid key (unknown or revoked)");
      tenantId ??= resolved.tenantId;
      actor = { userId: resolved.user.id, handle: resolved.user.handle };
    } else {
      if (!tenantId) throw new CharterError("UNKNOWN_USER", "give --tenant <tenant>");
      const handle = options.as ?? `local:${os.userInfo().username}`;
      const user = options.as ? await app.identity.userByHandle(handle) : await app.identity.ensureUser(handle);
      if (!user) throw new CharterError("UNKNOWN_USER", `no user "${handle}"`);
      if (!options.as) await app.identity.grant(tenantId, user.id, "author").catch(() => undefined);
      actor = { userId: user.id, handle: user.handle };
    }
    if (!tenantId) throw new CharterError("UNKNOWN_USER", "give --tenant <tenant>");
    if (!options.json) output.out(`Planning for tenant ${tenantId} as ${actor.handle}: "${request}"`);
    const result = await app.planner.plan({
      tenantId,
      request,
      author: actor,
      from: options.from,
      onProgress: (progress) => {
        if (options.json) return;
        if (progress.event === "turn") output.out(`  turn ${progress.turn} (${progress.inputTokens} in, ${progress.outputTokens} out tokens)`);
        else if (progress.event === "tool") output.out(`  · ${progress.summary}`);
        else output.out(`  ${progress.ok ? "✓" : "✗"} ${progress.summary}`);
      },
    });
    const version = result.version;
    const label = `${version.workflow}@${version.number}`;
    if (options.json) {
      output.out(JSON.stringify({ version: label, id: version.id, status: version.status, planner: result.planner, usage: result.usage ?? null, capabilities: version.capabilities, gates: version.gates }, null, 2));
      return 0;
    }
    output.out(`Draft ${label} (${version.id}) by the ${result.planner} planner: ${version.status}`);
    const capabilities = version.capabilities as Capability[];
    output.out(`  calls: ${capabilities.map((c) => `${c.integration}.${c.tool}${c.annotations.destructive ? " (destructive)" : c.annotations.readOnly ? " (read-only)" : ""}`).join(", ")}`);
    if (result.usage) output.out(`  ${result.usage.turns} turns, ${result.usage.inputTokens} input and ${result.usage.outputTokens} output tokens, $${result.usage.costUsd.toFixed(4)}, ${(result.usage.wallMs / 1000).toFixed(1)} s`);
    output.out(`Next: charter versions show ${label} --tenant ${tenantId}; charter submit ${label} --tenant ${tenantId} --as ${actor.handle}; a reviewer approves it.`);
    return 0;
  } finally {
    await app.close();
  }
}
