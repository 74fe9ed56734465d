/**
 * Charter's tables. Catalog snapshots are immutable rows keyed by content hash; an integration
 * points at its current snapshot; every sync attempt is recorded, failed ones included.
 * Later issues add versions, approvals, runs and the journal.
 */
import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

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
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["author", "reviewer", "operator", "admin"] }).notNull(),
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
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

export const catalogSnapshots = pgTable(
  "catalog_snapshots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
    integrationId: text("integration_id").notNull(),
    hash: text("hash").notNull(),
    content: jsonb("content").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("catalog_snapshots_identity").on(t.tenantId, t.integrationId, t.hash)],
);

export const integrations = pgTable(
  "integrations",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
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

export const integrationSyncs = pgTable(
  "integration_syncs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
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
