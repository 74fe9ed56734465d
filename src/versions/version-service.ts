/**
 * Versions and the decisions on them. The rules, each enforced here and tested:
 *   - a version is immutable; every change is a new version, numbered per workflow
 *   - gates run when a version is created; only a version whose gates passed can be submitted
 *   - only a reviewer of the tenant approves or rejects, never the version's author (decisions are
 *     tied to users, so no other key of the author and no role granted later changes that)
 *   - with the tenant's two-approver policy, a version with a destructive capability needs two
 *     different reviewers; nothing is approved by default or by timeout
 *   - approving activates the version and supersedes the active one; rollback is an explicit,
 *     recorded act of an operator or admin, to a version that was approved before
 *   - before every run the stored bundle must hash to what was approved (else BUNDLE_TAMPERED)
 *   - a catalog change re-checks every active version; a breaking change marks it drifted and it
 *     does not run (SCHEMA_DRIFT) until a new version is approved
 *   - every decision lands in the audit log, with the hashes it was about
 */
import { bundleHash } from "../core/bundle-hash.ts";
import { textHash } from "../core/canonical-json.ts";
import type { CatalogContent, CatalogTool } from "../core/catalog.ts";
import { CharterError } from "../core/errors.ts";
import { type Capability, formatDiagnostic } from "../core/workflow.ts";
import {
  type RunEvent,
  type RunnableBundle,
  type RunResult,
  type RunService,
  type RunTrigger,
  runnableOf,
} from "../runs/index.ts";
import { admit } from "../runs/admission.ts";
import type { SdkIntegration } from "../sdkgen/index.ts";
import type {
  IdentityRepository,
  Role,
  RunRepository,
  VersionGateState,
  VersionRepository,
  VersionRow,
  VersionStatus,
} from "../store/index.ts";
import type { TenantToolchain } from "../toolchain/index.ts";
import { classifyDrift, type Drift } from "./drift.ts";
import { runGates } from "./gates.ts";
import { diffVersions, type VersionDiff } from "./version-diff.ts";

export type Actor = { userId: string; handle: string };
export type TenantPolicy = { twoApproversForDestructive: boolean; queuedRunsOfSuperseded: "run" | "refuse" };

export type VersionServiceResources = {
  versions: VersionRepository;
  identity: IdentityRepository;
  toolchain: TenantToolchain;
  runRepository: RunRepository;
  runs: RunService;
  policy: (tenantId: string) => Promise<TenantPolicy>;
};

export type WorkflowSummary = {
  workflow: string;
  versions: number;
  latest: { number: number; status: string };
  active: number | null;
};

/** How many verified bundles a process keeps (the oldest is dropped first). */
const VERIFIED_KEPT = 256;

export class VersionService {
  readonly #r: VersionServiceResources;
  /** Bundles of versions this process has verified, by version id. */
  readonly #verified = new Map<string, RunnableBundle>();
  constructor(resources: VersionServiceResources) {
    this.#r = resources;
  }

  /** Compiles a workflow source, runs the gates and stores the result as the workflow's next version. */
  async create(request: {
    tenantId: string;
    source: string;
    fileName: string;
    tests?: string | undefined;
    author: Actor;
    origin?: { request: string; transcript?: unknown; usage?: unknown };
    parentVersionId?: string;
  }): Promise<VersionRow> {
    await this.#requireRole(request.tenantId, request.author, ["author", "admin"], "create versions");
    const { result, runnable, sdk } = await this.#r.toolchain.build(request.tenantId, {
      source: request.source,
      fileName: request.fileName,
      tests:
        request.tests === undefined
          ? undefined
          : { text: request.tests, fileName: request.fileName.replace(/\.ts$/, ".tests.json") },
    });
    if (!result.workflow) {
      const errors = result.diagnostics
        .filter((d) => d.severity === "error")
        .slice(0, 5)
        .map(formatDiagnostic);
      throw new CharterError(
        "WORKFLOW_INVALID",
        `the workflow's definition cannot be read, so it cannot become a version:\n${errors.join("\n")}`,
      );
    }
    if (runnable) await this.#r.runRepository.saveBundle({ ...runnable, tenantId: request.tenantId });
    const latest = (await this.#r.versions.list(request.tenantId, result.workflow.name)).at(-1);
    // The tests see the number this version will have, as its live runs will (ctx.run.version).
    const gates = await runGates(result, runnable, result.tests?.tests, { version: (latest?.number ?? 0) + 1 });
    const toolSnapshots = snapshotsOf(result.capabilities, sdk.integrations);
    const passed = gates.every((gate) => gate.ok);
    const sourceHash = textHash(request.source);
    return this.#r.versions.create(
      {
        tenantId: request.tenantId,
        workflow: result.workflow.name,
        source: request.source,
        sourceHash,
        tests: result.tests ? { tests: result.tests.tests } : null,
        bundleHash: runnable?.hash ?? null,
        capabilities: result.capabilities,
        toolSnapshots,
        inputSchema: result.workflow.inputSchema,
        outputSchema: result.workflow.outputSchema,
        triggers: { triggers: result.workflow.triggers, retry: result.workflow.retry },
        catalogHash: result.catalogHash,
        sdkHash: sdk.sdkHash,
        parentVersionId: request.parentVersionId ?? latest?.id ?? null,
        authorId: request.author.userId,
        origin: request.origin ?? null,
        status: passed ? "checks-passed" : "checks-failed",
        gates,
      },
      {
        tenantId: request.tenantId,
        actorId: request.author.userId,
        action: "version-created",
        workflow: result.workflow.name,
        detail: {
          gates: gates.map((g) => ({ gate: g.gate, ok: g.ok })),
          sourceHash,
          bundleHash: runnable?.hash ?? null,
        },
      },
    );
  }

  /** Finds a version of this tenant by id or by "workflow@number". */
  async find(tenantId: string, reference: string): Promise<VersionRow> {
    const at = /^(.+)@(\d{1,10})$/.exec(reference);
    const number = Number(at?.[2]);
    const version = at
      ? number <= 2_147_483_647
        ? await this.#r.versions.byNumber(tenantId, at[1] ?? "", number)
        : undefined
      : await this.#r.versions.byId(reference);
    if (!version || version.tenantId !== tenantId)
      throw new CharterError(
        "VERSION_NOT_FOUND",
        `no version "${reference}" in tenant ${tenantId}; name it by id or as <workflow>@<number>`,
      );
    return version;
  }

  async submit(tenantId: string, reference: string, actor: Actor): Promise<VersionRow> {
    const version = await this.find(tenantId, reference);
    if (version.authorId !== actor.userId)
      await this.#requireRole(tenantId, actor, ["author", "admin"], "submit versions");
    if (version.status === "checks-failed") {
      const failed = version.gates.filter((gate) => !gate.ok);
      throw new CharterError(
        "VERSION_GATES_FAILED",
        `${label(version)} cannot be ` +
          `submitted: ${failed.map((g) => `gate "${g.gate}" failed: ${g.detail}`).join("\n")}`,
      );
    }
    if (version.status !== "checks-passed")
      throw new CharterError(
        "VERSION_NOT_APPROVABLE",
        `${label(version)} is ${version.status}; only a version whose checks passed can be submitted`,
      );
    await this.#move(version, ["checks-passed"], "in-review", { action: "version-submitted", actor });
    return this.find(tenantId, version.id);
  }

  async approve(
    tenantId: string,
    reference: string,
    actor: Actor,
    comment: string,
  ): Promise<{ version: VersionRow; activated: boolean; approvals: number; required: number }> {
    const version = await this.#decidable(tenantId, reference, actor, "approve");
    await this.#verifyBundle(version, actor);
    await this.#refuseIfStale(version);
    const hashes = {
      source: version.sourceHash,
      bundle: version.bundleHash,
      catalog: version.catalogHash,
      sdk: version.sdkHash,
    };
    const required =
      (await this.#r.policy(tenantId)).twoApproversForDestructive &&
      version.capabilities.some((c) => c.annotations.destructive)
        ? 2
        : 1;
    const approvals = (await this.#r.versions.approvals(version.id)).filter((a) => a.decision === "approve").length + 1;
    const audit = { tenantId, actorId: actor.userId, workflow: version.workflow, versionId: version.id };
    const decision = { userId: actor.userId, comment, hashes };
    if (approvals < required) {
      const ok = await this.#r.versions.addApproval(version, decision, {
        ...audit,
        action: "version-approval-recorded",
        detail: { comment, hashes, approvals, required },
      });
      if (!ok) {
        // A concurrent second decision by the same reviewer inserts nothing: say so, not that the version moved.
        const mine = (await this.#r.versions.approvals(version.id)).some((a) => a.userId === actor.userId);
        throw mine
          ? new CharterError("ALREADY_DECIDED", `${actor.handle} already decided on ${label(version)}`)
          : new CharterError("VERSION_NOT_APPROVABLE", `${label(version)} is no longer in review`);
      }
      return { version: await this.find(tenantId, version.id), activated: false, approvals, required };
    }
    const previous = await this.#r.versions.activeVersion(tenantId, version.workflow);
    const ok = await this.#r.versions.transition({
      version,
      from: ["in-review"],
      to: "approved",
      decision: { ...decision, decision: "approve" },
      activate: true,
      audit: {
        ...audit,
        action: "version-approved",
        detail: { comment, hashes, approvals, required, supersedes: previous ? label(previous) : null },
      },
    });
    if (!ok) throw new CharterError("VERSION_NOT_APPROVABLE", `${label(version)} is no longer in review`);
    return { version: await this.find(tenantId, version.id), activated: true, approvals, required };
  }

  async reject(tenantId: string, reference: string, actor: Actor, comment: string): Promise<VersionRow> {
    const version = await this.#decidable(tenantId, reference, actor, "reject");
    const hashes = {
      source: version.sourceHash,
      bundle: version.bundleHash,
      catalog: version.catalogHash,
      sdk: version.sdkHash,
    };
    const ok = await this.#r.versions.transition({
      version,
      from: ["in-review"],
      to: "rejected",
      decision: { userId: actor.userId, decision: "reject", comment, hashes },
      audit: {
        tenantId,
        actorId: actor.userId,
        workflow: version.workflow,
        versionId: version.id,
        action: "version-rejected",
        detail: { comment, hashes },
      },
    });
    if (!ok) throw new CharterError("VERSION_NOT_APPROVABLE", `${label(version)} is no longer in review`);
    return this.find(tenantId, version.id);
  }

  /** Makes an earlier approved version the active one again: an explicit, recorded act. */
  async rollback(tenantId: string, workflow: string, toNumber: number, actor: Actor): Promise<VersionRow> {
    await this.#requireRole(tenantId, actor, ["operator", "admin"], "roll back workflows");
    const target = await this.find(tenantId, `${workflow}@${toNumber}`);
    const approved = (await this.#r.versions.approvals(target.id)).some((a) => a.decision === "approve");
    if (target.status !== "superseded" || !approved) {
      throw new CharterError(
        "VERSION_NOT_APPROVABLE",
        `${label(target)} is ${target.status}; rollback goes only to a version that was approved and later superseded`,
      );
    }
    // The tools it calls may have changed since it was superseded: the same check as approval.
    await this.#refuseIfStale(target);
    await this.#verifyBundle(target, actor);
    const previous = await this.#r.versions.activeVersion(tenantId, workflow);
    const ok = await this.#r.versions.transition({
      version: target,
      from: ["superseded"],
      to: "approved",
      activate: true,
      audit: {
        tenantId,
        actorId: actor.userId,
        workflow,
        versionId: target.id,
        action: "workflow-rolled-back",
        detail: { from: previous ? label(previous) : null, to: label(target), bundleHash: target.bundleHash },
      },
    });
    if (!ok) throw new CharterError("VERSION_NOT_APPROVABLE", `${label(target)} changed while rolling back; try again`);
    return this.find(tenantId, target.id);
  }

  /** The tenant's workflows: how many versions each has, the latest one and its status, the active one. */
  async workflows(tenantId: string): Promise<WorkflowSummary[]> {
    const byWorkflow = new Map<string, WorkflowSummary>();
    for (const v of await this.#r.versions.list(tenantId)) {
      const entry = byWorkflow.get(v.workflow) ?? {
        workflow: v.workflow,
        versions: 0,
        latest: { number: 0, status: "" },
        active: null,
      };
      entry.versions++;
      if (v.number > entry.latest.number) entry.latest = { number: v.number, status: v.status };
      byWorkflow.set(v.workflow, entry);
    }
    for (const v of await this.#r.versions.activeVersions(tenantId)) {
      const entry = byWorkflow.get(v.workflow);
      if (entry) entry.active = v.number;
    }
    return [...byWorkflow.values()].sort((a, b) => a.workflow.localeCompare(b.workflow));
  }

  async diff(tenantId: string, from: string, to: string): Promise<VersionDiff> {
    return diffVersions(await this.find(tenantId, from), await this.find(tenantId, to));
  }

  /**
   * Re-checks every active version of the tenant against its current catalog: typecheck against
   * the new SDK and a comparison of each tool it calls. Breaking changes mark it drifted.
   */
  async checkDrift(tenantId: string): Promise<{ version: string; drifted: boolean; drift: Drift }[]> {
    // Drifted versions too: a catalog that fits them again (a server restored after a bad deploy) clears their drift.
    const active = [
      ...(await this.#r.versions.activeVersions(tenantId)),
      ...(await this.#r.versions.driftedVersions(tenantId)),
    ];
    if (active.length === 0) return [];
    const sdk = await this.#r.toolchain.sdk(tenantId);
    const current = contentsOf(sdk.integrations);
    const results = [];
    for (const version of active) {
      if (version.catalogHash === sdk.catalogHash && !version.drift) continue;
      const { breaking, compatible } = classifyDrift(version.toolSnapshots, current);
      const compiled = await this.#r.toolchain.check(tenantId, {
        source: version.source,
        fileName: `${version.workflow}.ts`,
      });
      for (const d of compiled.diagnostics.filter((d) => d.severity === "error").slice(0, 5))
        breaking.push({ tool: "(typecheck)", change: formatDiagnostic(d) });
      const drift: Drift = { breaking, compatible, catalogHash: sdk.catalogHash, checkedAt: new Date().toISOString() };
      const audit = { tenantId, actorId: null, workflow: version.workflow, versionId: version.id };
      if (version.status === "drifted") {
        if (breaking.length > 0) continue; // still drifted: recorded when it drifted
        // What it calls is as approved again (or changed only compatibly): it runs again, said in the audit log.
        const cleared = sdk.catalogHash === version.catalogHash ? null : drift;
        await this.#r.versions.transition({
          version,
          from: ["drifted"],
          to: "approved",
          drift: cleared,
          audit: { ...audit, action: "version-drift-cleared", detail: { catalogHash: sdk.catalogHash, compatible } },
        });
        results.push({ version: label(version), drifted: false, drift });
        continue;
      }
      if (breaking.length > 0) {
        await this.#r.versions.transition({
          version,
          from: ["approved"],
          to: "drifted",
          drift,
          audit: { ...audit, action: "version-drifted", detail: drift },
        });
      } else if (compatible.length > 0) {
        await this.#r.versions.noteDrift(version, drift, {
          ...audit,
          action: "version-catalog-changed",
          detail: drift,
        });
      }
      if (breaking.length > 0 || compatible.length > 0)
        results.push({ version: label(version), drifted: breaking.length > 0, drift });
    }
    return results;
  }

  /** Runs the active version of a workflow: only an approved, undrifted version whose bundle is what was approved. */
  /** Runs the workflow's active version; the result names which version ran. */
  async runActive(request: {
    tenantId: string;
    workflow: string;
    input: unknown;
    trigger: RunTrigger;
    actor?: Actor;
    jobId?: string;
    onEvent?: (event: RunEvent) => void;
  }): Promise<RunResult & { version: number }> {
    const version = await this.#r.versions.activeVersion(request.tenantId, request.workflow);
    if (!version)
      throw new CharterError(
        "NOT_APPROVED",
        `workflow "${request.workflow}" has no approved version in tenant ${request.tenantId}`,
      );
    return this.#runVersion(version, request);
  }

  /**
   * Runs the version a queued job was given when it was queued (its caller was told that one). If
   * another version was approved or rolled back to meanwhile, the tenant's policy decides:
   * `"queuedRunsOfSuperseded": "run"` (the default) runs the version as queued, `"refuse"` refuses
   * with VERSION_SUPERSEDED. A version that drifted or is not approved any more never runs.
   */
  async runQueued(request: {
    tenantId: string;
    versionId: string;
    jobId: string;
    input: unknown;
    trigger: RunTrigger;
    actor?: Actor;
    onEvent?: (event: RunEvent) => void;
  }): Promise<RunResult & { version: number }> {
    // Its status and drift, fresh (the rest of an approved version never changes, and its verified bundle is kept).
    const version = this.#verified.has(request.versionId)
      ? await this.#r.versions.gateState(request.versionId)
      : await this.#r.versions.byId(request.versionId);
    if (!version || version.tenantId !== request.tenantId)
      throw new CharterError(
        "VERSION_NOT_FOUND",
        `no version "${request.versionId}" in tenant ${request.tenantId}; name it by id or as <workflow>@<number>`,
      );
    // Only an approved (or drifted) version is ever superseded; one superseded while drifted keeps its drift,
    // checked below.
    if (version.status === "superseded") {
      if ((await this.#r.policy(request.tenantId)).queuedRunsOfSuperseded === "refuse") {
        const active = await this.#r.versions.activeVersion(request.tenantId, version.workflow);
        throw new CharterError(
          "VERSION_SUPERSEDED",
          `${label(version)} was queued, but ${active ? label(active) : "another version"} is ` +
            `active now and the tenant's policy (queuedRunsOfSuperseded: "refuse") does not run ` +
            `superseded versions; start the run again`,
        );
      }
      return this.#runVersion(version, request, true);
    }
    return this.#runVersion(version, request);
  }

  /**
   * The one gate every run of a version passes: approved (or superseded, for a run queued before),
   * not drifted, intact, input valid (in RunService).
   */
  async #runVersion(
    version: VersionGateState | VersionRow,
    request: {
      tenantId: string;
      input: unknown;
      trigger: RunTrigger;
      actor?: Actor;
      onEvent?: (event: RunEvent) => void;
      jobId?: string;
    },
    superseded = false,
  ): Promise<RunResult & { version: number }> {
    const drift = version.drift;
    if (version.status === "drifted" || (superseded && (drift?.breaking.length ?? 0) > 0)) {
      const first = drift?.breaking[0];
      throw new CharterError(
        "SCHEMA_DRIFT",
        `${label(version)} no longer matches the tenant's ` +
          `tools${first ? `: ${first.tool}: ${first.change}` : ""}; approve a new version to run it ` +
          `again`,
      );
    }
    if (version.status !== "approved" && !(superseded && version.status === "superseded"))
      throw new CharterError("NOT_APPROVED", `${label(version)} is ${version.status}, not approved`);
    const runnable = await this.#verifiedRunnable(version, request.actor ?? null);
    const result = await this.#r.runs.start({
      tenantId: request.tenantId,
      bundle: runnable,
      // The gate is passed: this run, of this bundle, may start.
      admission: admit(request.tenantId, runnable.hash, { id: version.id, number: version.number }),
      input: request.input,
      trigger: request.trigger,
      ...(request.jobId ? { jobId: request.jobId } : {}),
      ...(request.onEvent ? { onEvent: request.onEvent } : {}),
    });
    return { ...result, version: version.number };
  }

  /**
   * The version's bundle, verified (below) the first time this process runs the version and kept:
   * an approved version's source, bundle and approvals never change, so later runs read none of
   * them again, and a bundle changed in the database afterwards cannot reach a run of this process.
   */
  async #verifiedRunnable(version: VersionGateState | VersionRow, actor: Actor | null): Promise<RunnableBundle> {
    const kept = this.#verified.get(version.id);
    if (kept) return kept;
    const row = "source" in version ? version : await this.#r.versions.byId(version.id);
    if (!row) throw new CharterError("VERSION_NOT_FOUND", `version ${label(version)} is gone`);
    const runnable = runnableOf(await this.#verifyBundle(row, actor));
    if (this.#verified.size >= VERIFIED_KEPT) this.#verified.delete(this.#verified.keys().next().value ?? "");
    this.#verified.set(version.id, runnable);
    return runnable;
  }

  /**
   * The stored bundle, after checking that it (code and policy, of this tenant) hashes to the
   * version's and every approval's bundle hash, and that the version's source still hashes to what
   * the approvals name; fails closed.
   */
  async #verifyBundle(version: VersionRow, actor: Actor | null) {
    const bundle = version.bundleHash ? await this.#r.runRepository.bundle(version.bundleHash) : undefined;
    const approvals = (await this.#r.versions.approvals(version.id)).filter((a) => a.decision === "approve");
    const actual = bundle && bundle.tenantId === version.tenantId ? bundleHash(version.tenantId, bundle) : null;
    const approvedHashes = approvals.map((a) => a.hashes.bundle);
    const sourceIntact =
      textHash(version.source) === version.sourceHash && approvals.every((a) => a.hashes.source === version.sourceHash);
    if (
      !bundle ||
      actual !== version.bundleHash ||
      approvedHashes.some((hash) => hash !== version.bundleHash) ||
      !sourceIntact
    ) {
      await this.#r.versions.record({
        tenantId: version.tenantId,
        actorId: actor?.userId ?? null,
        action: "integrity-failure",
        workflow: version.workflow,
        versionId: version.id,
        detail: { expected: version.bundleHash, actual, approved: approvedHashes, sourceIntact },
      });
      const what = !sourceIntact
        ? "the stored source no longer hashes to the approved source hash"
        : `the stored bundle does not match the approved hash ${version.bundleHash ?? "(none)"}` +
          (actual ? ` (its code and policy hash to ${actual})` : " (it is missing)");
      throw new CharterError(
        "BUNDLE_TAMPERED",
        `${label(version)}: ${what}; nothing was run. Create and approve a new version.`,
      );
    }
    return bundle;
  }

  /** A version built against an older catalog may be approved only if the tools it calls did not break since. */
  async #refuseIfStale(version: VersionRow): Promise<void> {
    const sdk = await this.#r.toolchain.sdk(version.tenantId);
    if (sdk.catalogHash === version.catalogHash) return;
    const { breaking } = classifyDrift(version.toolSnapshots, contentsOf(sdk.integrations));
    if (breaking.length > 0) {
      throw new CharterError(
        "SCHEMA_DRIFT",
        `${label(version)} was built against an older catalog and tools it calls changed since (${breaking
          .slice(0, 3)
          .map((b) => `${b.tool}: ${b.change}`)
          .join("; ")}); create a new version`,
      );
    }
  }

  async #decidable(tenantId: string, reference: string, actor: Actor, verb: "approve" | "reject"): Promise<VersionRow> {
    const version = await this.find(tenantId, reference);
    await this.#requireRole(tenantId, actor, ["reviewer"], `${verb} versions`);
    if (version.authorId === actor.userId)
      throw new CharterError(
        "SELF_APPROVAL",
        `${actor.handle} wrote ${label(version)} and can never ${verb} it; another reviewer must`,
      );
    // Separation of duties that holds against an admin: the reviewer must not be the author's
    // second hand (the author granted the reviewer's role or minted the reviewer's key, directly or
    // through someone the author appointed), nor the author the reviewer's (the reviewer appointed
    // the author, or holds a key minted for the author, and so could have written the version).
    const [reviewerControllers, authorControllers] = await Promise.all([
      this.#r.identity.controllers(tenantId, actor.userId),
      this.#r.identity.controllers(tenantId, version.authorId),
    ]);
    if (reviewerControllers.has(version.authorId)) {
      throw new CharterError(
        "SELF_APPROVAL",
        `${actor.handle}'s roles or keys come from the author of ${label(version)} (directly or ` +
          `through users the author appointed), so ${actor.handle} cannot ${verb} it; a reviewer the ` +
          `author did not appoint must`,
      );
    }
    // Nor a reviewer whose live keys someone else may hold (minted over the API by an admin, or made
    // from such a key): one admin could otherwise make an author and a reviewer and be both.
    const holders = await this.#r.identity.otherKeyHolders(tenantId, actor.userId);
    if (holders.length > 0) {
      throw new CharterError(
        "REVIEWER_KEY_NOT_OWN",
        `${actor.handle} cannot ${verb}: ${actor.handle}'s API keys were minted ` +
          `by ${holders.join(", ")} over the API, who may hold them, so a decision could be theirs. A ` +
          `reviewer decides with keys only they hold: make one on the server with \`charter keys ` +
          `create --tenant ${tenantId} --user ${actor.handle}\` and revoke the others.`,
      );
    }
    if (authorControllers.has(actor.userId)) {
      throw new CharterError(
        "SELF_APPROVAL",
        `${actor.handle} appointed the author of ${label(version)} (granted the author's roles or ` +
          `minted the author's keys, directly or through others), so ${actor.handle} could have ` +
          `written it and cannot ${verb} it; a reviewer who did not appoint the author must`,
      );
    }
    if (version.status !== "in-review")
      throw new CharterError(
        "VERSION_NOT_APPROVABLE",
        `${label(version)} is ${version.status}; only a version in review can be ` +
          (verb === "approve" ? "approved" : "rejected") +
          (version.status === "checks-passed" ? " (submit it first)" : ""),
      );
    if ((await this.#r.versions.approvals(version.id)).some((a) => a.userId === actor.userId))
      throw new CharterError("ALREADY_DECIDED", `${actor.handle} has already decided on ${label(version)}`);
    return version;
  }

  async #requireRole(tenantId: string, actor: Actor, roles: readonly Role[], what: string): Promise<void> {
    const held = await this.#r.identity.roles(tenantId, actor.userId);
    if (!roles.some((role) => held.has(role)))
      throw new CharterError(
        "NOT_AUTHORIZED",
        `${actor.handle} may not ${what} in tenant ${tenantId}: that needs the ${roles.join(" or ")} role`,
      );
  }

  async #move(
    version: VersionRow,
    from: VersionStatus[],
    to: VersionStatus,
    step: { action: string; actor: Actor },
  ): Promise<void> {
    const ok = await this.#r.versions.transition({
      version,
      from,
      to,
      audit: {
        tenantId: version.tenantId,
        actorId: step.actor.userId,
        action: step.action,
        workflow: version.workflow,
        versionId: version.id,
        detail: { from: version.status, to },
      },
    });
    if (!ok) throw new CharterError("VERSION_NOT_APPROVABLE", `${label(version)} changed meanwhile; look at it again`);
  }
}

function label(version: Pick<VersionRow, "workflow" | "number">): string {
  return `${version.workflow}@${version.number}`;
}

function contentsOf(integrations: readonly SdkIntegration[]): Map<string, CatalogContent> {
  return new Map(integrations.map((i) => [i.id, i.content]));
}

function snapshotsOf(
  capabilities: readonly Capability[],
  integrations: readonly SdkIntegration[],
): (CatalogTool & { integration: string })[] {
  const byIntegration = contentsOf(integrations);
  return capabilities.flatMap((capability) => {
    const tool = byIntegration.get(capability.integration)?.tools.find((t) => t.name === capability.tool);
    return tool ? [{ ...tool, integration: capability.integration }] : [];
  });
}
