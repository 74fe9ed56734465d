export type { Database, Db } from "./database.ts";
export { MIGRATIONS_FOLDER } from "./database.ts";
export { openEmbeddedDatabase, dumpMigratedSnapshot } from "./embedded.ts";
export type { EmbeddedOptions } from "./embedded.ts";
export { openServerDatabase, withoutPassword } from "./server.ts";
export { openDatabase } from "./open.ts";
export { CatalogRepository } from "./catalog-repository.ts";
export { type SecretKind, SecretRepository } from "./secret-repository.ts";
export type { StoredSnapshot, SyncRecord, SyncStatus } from "./catalog-repository.ts";
export {
  isAlive,
  lockDataDir,
  PROOF_PATH,
  type PublishedEndpoint,
  proofOf,
  publishEndpoint,
  publishedEndpoint,
} from "./data-dir-lock.ts";
export { RunRepository } from "./run-repository.ts";
export type { BundleRow, FinishedCall, JournalRow, RunRow, RunStatus } from "./run-repository.ts";
export { IdentityRepository, ROLES } from "./identity-repository.ts";
export type { Role, UserRow } from "./identity-repository.ts";
export { VersionRepository } from "./version-repository.ts";
export type {
  ApprovalRow,
  AuditEntry,
  AuditRow,
  NewVersion,
  VersionGateState,
  VersionRow,
  VersionStatus,
} from "./version-repository.ts";
export { PlanningRepository } from "./planning-repository.ts";
export type { NewPlanningSession, PlanningSessionRow, PlanningStatus } from "./planning-repository.ts";
