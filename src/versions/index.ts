export { VersionService } from "./version-service.ts";
export type { Actor, TenantPolicy, VersionServiceResources } from "./version-service.ts";
export { runGates } from "./gates.ts";
export type { GateName, GateResult, TestOutcome } from "./gates.ts";
export { classifyDrift } from "./drift.ts";
export type { Drift, DriftItem } from "./drift.ts";
export { diffVersions } from "./version-diff.ts";
export type { VersionDiff } from "./version-diff.ts";
