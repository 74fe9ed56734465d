/**
 * Charter's tables. Catalog snapshots are immutable rows keyed by content hash; an integration
 * points at its current snapshot; every sync attempt is recorded, failed ones included.
 * Runs keep their journal (one row per tool call) and the bundle they ran; later issues add versions and approvals.
 */
import { RUN_STATUSES } from "../core/outcomes.ts";
import type { CatalogContent } from "../core/catalog.ts";
import type { Capability } from "../core/workflow.ts";
import type {
  ApprovalHashes,
  Drift,
  GateResult,
  LogLine,
  RunError,
  RunTrigger,
  ToolOutcome,
  ToolPolicy,
  ToolSnapshot,
  VersionOrigin,
  VersionTests,
  VersionTriggers,
} from "../core/records.ts";
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const tenants = pgTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  configHash: text("config_hash").notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  handle: text("handle").notNull().unique(),
  displayName: text("display_name"),
  createdAt: createdAt(),
});

export const tenantRoles = pgTable(
  "tenant_roles",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["author", "reviewer", "operator", "admin"] }).notNull(),
    /** Who granted it over the API; null when granted on the server itself (charter users add). */
    grantedBy: uuid("granted_by"),
    grantedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId, t.role] })],
);

export const apiKeys = pgTable("api_keys", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** The visible start of the key ("chk_" + a few characters), to recognise it in lists. */
  prefix: text("prefix").notNull().unique(),
  /** sha256 of the whole key; the key itself is shown once and never stored. */
  hash: text("hash").notNull().unique(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  /** Who minted it over the API; null when made on the server itself (charter keys create). */
  createdBy: uuid("created_by"),
  /** The prefix of the key whose request minted it (whoever held that key could have): null on the server. */
  mintedWith: text("minted_with"),
  createdAt: createdAt(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

export const catalogSnapshots = pgTable(
  "catalog_snapshots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    integrationId: text("integration_id").notNull(),
    hash: text("hash").notNull(),
    content: jsonb("content").$type<CatalogContent>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("catalog_snapshots_identity").on(t.tenantId, t.integrationId, t.hash)],
);

export const integrations = pgTable(
  "integrations",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    transport: text("transport", { enum: ["stdio", "http"] }).notNull(),
    /** Hash of the integration's configuration (references only, never secret values). */
    configHash: text("config_hash").notNull(),
    currentSnapshotId: uuid("current_snapshot_id").references(() => catalogSnapshots.id),
    credentialState: text("credential_state", { enum: ["ok", "missing", "refused", "not-required"] }).notNull(),
    /** False once the integration is no longer in the tenant's file; its history stays. */
    configured: boolean("configured").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/**
 * What an integration that authorizes with OAuth holds: its tokens (refresh token included), the
 * client registration, the PKCE verifier of an authorization under way. Sealed (AES-256-GCM)
 * with a key that is not in the database (CHARTER_SECRETS_KEY_FILE), bound to its row: a copy
 * of the database alone reveals nothing, and a sealed value moved to another row does not open.
 */
/**
 * A console sign-in: made from an API key (the session is that key's user and tenant, and ends when
 * the key is revoked). Only the token's sha256 is stored; the CSRF token is per session.
 */
export const consoleSessions = pgTable(
  "console_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    keyId: uuid("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    csrf: text("csrf").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [index("console_sessions_by_key").on(t.keyId)],
);

export const integrationSecrets = pgTable(
  "integration_secrets",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    integrationId: text("integration_id").notNull(),
    kind: text("kind", { enum: ["oauth"] }).notNull(),
    sealed: text("sealed").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.integrationId, t.kind] })],
);

export const integrationSyncs = pgTable(
  "integration_syncs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    integrationId: text("integration_id").notNull(),
    status: text("status", { enum: ["unchanged", "changed", "new", "failed"] }).notNull(),
    snapshotId: uuid("snapshot_id").references(() => catalogSnapshots.id),
    previousSnapshotId: uuid("previous_snapshot_id").references(() => catalogSnapshots.id),
    credentialState: text("credential_state", { enum: ["ok", "missing", "refused", "not-required"] }).notNull(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** The catalog diff against the previous snapshot, when there was one and it changed. */
    changes: jsonb("changes"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [index("integration_syncs_by_integration").on(t.tenantId, t.integrationId, t.finishedAt)],
);

/**
 * A compiled workflow as it runs: the bundle and everything the bridge checks calls against (the
 * capabilities with their annotations and schemas). Content-addressed by the bundle's hash;
 * versions (and the runs of ad-hoc tries) point here, so a resumed run uses exactly what it started with.
 */
export const bundles = pgTable("bundles", {
  hash: text("hash").primaryKey(),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  workflow: text("workflow").notNull(),
  code: text("code").notNull(),
  sourceMap: text("source_map").notNull(),
  /** [{ integration, tool, annotations, inputSchema, outputSchema }] */
  tools: jsonb("tools").$type<ToolPolicy[]>().notNull(),
  inputSchema: jsonb("input_schema").$type<Record<string, unknown>>().notNull(),
  outputSchema: jsonb("output_schema").$type<Record<string, unknown>>().notNull(),
  catalogHash: text("catalog_hash").notNull(),
  sdkHash: text("sdk_hash").notNull(),
  createdAt: createdAt(),
});

export { RUN_STATUSES } from "../core/outcomes.ts";

export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    workflow: text("workflow").notNull(),
    bundleHash: text("bundle_hash")
      .notNull()
      .references(() => bundles.hash),
    /**
     * The approved version this run belongs to, and its number (what `ctx.run.version` says); null
     * for runs of no version.
     */
    versionId: uuid("version_id"),
    versionNumber: integer("version_number"),
    /** The queued job that started this run, if one did (a retried job resumes its run). */
    jobId: uuid("job_id"),
    trigger: jsonb("trigger").$type<RunTrigger>().notNull(),
    input: jsonb("input").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull(),
    /** Logical start time and PRNG seed: a resumed run replays with the same clock and randomness. */
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    seed: jsonb("seed").$type<[number, number]>().notNull(),
    /** Saved state as the run read it, so a replay reads the same. */
    stateBefore: jsonb("state_before").$type<Record<string, unknown>>().notNull(),
    output: jsonb("output"),
    error: jsonb("error").$type<RunError>(),
    logs: jsonb("logs").$type<LogLine[]>(),
    /** How many processes have worked on this run (1, then +1 per resume). */
    attempts: integer("attempts").notNull().default(1),
    /** A process working on the run renews this; a run whose lease has passed can be resumed. */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    /** Set by a cancel request; the run stops at its next tool call. */
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("runs_by_workflow").on(t.tenantId, t.workflow, t.createdAt),
    index("runs_by_status").on(t.status, t.leaseUntil),
    index("runs_by_job").on(t.jobId),
  ],
);

/** One row per tool call of a run, written before the call ("started") and completed after it. */
export const journalEntries = pgTable(
  "journal_entries",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    integration: text("integration").notNull(),
    tool: text("tool").notNull(),
    args: jsonb("args").notNull(),
    argsHash: text("args_hash").notNull(),
    status: text("status", { enum: ["started", "succeeded", "failed"] }).notNull(),
    outcome: jsonb("outcome").$type<ToolOutcome>(),
    attempt: integer("attempt").notNull().default(1),
    /** "live", "replayed" (answered from this entry on resume) or "mocked". */
    source: text("source").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** `ctx.state` per workflow, committed together with the completion of the run that wrote it. */
export const workflowState = pgTable(
  "workflow_state",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    workflow: text("workflow").notNull(),
    state: jsonb("state").$type<Record<string, unknown>>().notNull(),
    updatedByRun: uuid("updated_by_run"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.workflow] })],
);

/**
 * Signed webhook deliveries seen within the replay window, by signature: the first claims its row
 * and starts a run; a repeat (a sender's retry, a replay, the same request at another server
 * process) finds the row taken. Rows older than twice the window are deleted as new ones come.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    workflow: text("workflow").notNull(),
    signature: text("signature").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.workflow, t.signature] }),
    index("webhook_deliveries_by_time").on(t.receivedAt),
  ],
);

export const VERSION_STATUSES = [
  "checks-failed",
  "checks-passed",
  "in-review",
  "approved",
  "superseded",
  "rejected",
  "drifted",
] as const;

/** A workflow of a tenant: its versions are numbered from 1; at most one is active. */
export const workflows = pgTable(
  "workflows",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    activeVersionId: uuid("active_version_id"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);

/**
 * An immutable version. Its content (source, tests, bundle, capabilities, schemas, triggers,
 * hashes, parent, author, origin) never changes after insert: a database trigger refuses such an
 * update. Only its lifecycle (status, gate results, drift report) moves, and every move is audited.
 */
export const versions = pgTable(
  "versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    workflow: text("workflow").notNull(),
    number: integer("number").notNull(),
    source: text("source").notNull(),
    sourceHash: text("source_hash").notNull(),
    tests: jsonb("tests").$type<VersionTests>(),
    bundleHash: text("bundle_hash").references(() => bundles.hash),
    /** [{ integration, tool, sdkFunction, annotations }] */
    capabilities: jsonb("capabilities").$type<Capability[]>().notNull(),
    /** The catalog entries of the tools it calls, as they were: drift is measured against these. */
    toolSnapshots: jsonb("tool_snapshots").$type<ToolSnapshot[]>().notNull(),
    inputSchema: jsonb("input_schema").$type<Record<string, unknown>>(),
    outputSchema: jsonb("output_schema").$type<Record<string, unknown>>(),
    triggers: jsonb("triggers").$type<VersionTriggers>().notNull(),
    catalogHash: text("catalog_hash").notNull(),
    sdkHash: text("sdk_hash").notNull(),
    parentVersionId: uuid("parent_version_id"),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    /** { request, transcript } when a planner made it. */
    origin: jsonb("origin").$type<VersionOrigin>(),
    status: text("status", { enum: VERSION_STATUSES }).notNull(),
    /** [{ gate, ok, detail }] from the checks run at creation. */
    gates: jsonb("gates").$type<GateResult[]>().notNull(),
    /** The catalog changes seen since approval: breaking ones (status drifted) and compatible ones. */
    drift: jsonb("drift").$type<Drift>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("versions_number").on(t.tenantId, t.workflow, t.number),
    index("versions_by_status").on(t.tenantId, t.status),
  ],
);

/** A reviewer's decision on a version, naming the exact hashes decided on. One per user and version. */
export const approvals = pgTable(
  "approvals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    versionId: uuid("version_id")
      .notNull()
      .references(() => versions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    decision: text("decision", { enum: ["approve", "reject"] }).notNull(),
    comment: text("comment").notNull(),
    /** { source, bundle, catalog, sdk } */
    hashes: jsonb("hashes").$type<ApprovalHashes>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("approvals_one_per_user").on(t.versionId, t.userId)],
);

/** Every decision: who, what, when, which hashes. Rows are never updated or deleted (a trigger refuses). */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull(),
    actorId: uuid("actor_id"),
    action: text("action").notNull(),
    workflow: text("workflow"),
    versionId: uuid("version_id"),
    detail: jsonb("detail").$type<Record<string, unknown>>(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_by_tenant").on(t.tenantId, t.at)],
);

export const PLANNING_STATUSES = ["needs-input", "refused", "answering", "drafted"] as const;

/**
 * A planning conversation that ended without a draft (a question or a refusal) or continued to one.
 * It keeps what an answer needs to go on where planning stopped: the request and the answers so far,
 * the model's conversation (none for the offline planner), the question, and the transcript.
 */
export const planningSessions = pgTable(
  "planning_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    request: text("request").notNull(),
    /** The answers given so far, oldest first. */
    answers: jsonb("answers").notNull(),
    /** The version a revision starts from. */
    parentVersionId: uuid("parent_version_id"),
    planner: text("planner").notNull(),
    status: text("status", { enum: PLANNING_STATUSES }).notNull(),
    /** { outcome, clause, reason, options, replaces?, toolUseId? }: what planning stopped on. */
    question: jsonb("question"),
    /** The model's messages up to the question, with its answer left to fill in; null offline. */
    conversation: jsonb("conversation"),
    transcript: jsonb("transcript").notNull(),
    usage: jsonb("usage"),
    /** The plans and drafts the model made, by the ids it knows them by, so a continued conversation can name them. */
    workspace: jsonb("workspace"),
    versionId: uuid("version_id"),
    /** Counts every change: a change names the revision it read, so two answers cannot both move it. */
    revision: integer("revision").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("planning_sessions_by_author").on(t.tenantId, t.authorId, t.updatedAt)],
);
