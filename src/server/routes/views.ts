/**
 * Database rows as the REST API answers with them: each field named, dates as ISO strings. JSON
 * columns carry their stored shapes (core/records.ts); the answer schemas (schemas.ts) must accept
 * them, which the type checker holds to here.
 */
import type { z } from "zod";
import type { ApprovalRow, JournalRow, RunRow, VersionRow } from "../../store/index.ts";
import type { Approval, JournalEntry, Run, RunSummary, Version, VersionSummary } from "./schemas.ts";

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => date?.toISOString() ?? null;

export function versionView(row: VersionRow): z.input<typeof Version> {
  return {
    id: row.id,
    tenantId: row.tenantId,
    workflow: row.workflow,
    number: row.number,
    source: row.source,
    sourceHash: row.sourceHash,
    tests: row.tests,
    bundleHash: row.bundleHash,
    capabilities: row.capabilities,
    toolSnapshots: row.toolSnapshots,
    inputSchema: row.inputSchema,
    outputSchema: row.outputSchema,
    triggers: row.triggers,
    catalogHash: row.catalogHash,
    sdkHash: row.sdkHash,
    parentVersionId: row.parentVersionId,
    authorId: row.authorId,
    origin: row.origin,
    status: row.status,
    gates: row.gates,
    drift: row.drift,
    createdAt: iso(row.createdAt),
  };
}

export function versionSummaryView(row: VersionRow): z.input<typeof VersionSummary> {
  const { source: _source, tests: _tests, ...summary } = versionView(row);
  return summary;
}

export function approvalView(row: ApprovalRow): z.input<typeof Approval> {
  return {
    id: row.id,
    versionId: row.versionId,
    userId: row.userId,
    decision: row.decision,
    comment: row.comment,
    hashes: row.hashes,
    createdAt: iso(row.createdAt),
  };
}

export function runSummaryView(row: Omit<RunRow, "logs">): z.input<typeof RunSummary> {
  return {
    id: row.id,
    tenantId: row.tenantId,
    workflow: row.workflow,
    bundleHash: row.bundleHash,
    versionId: row.versionId,
    versionNumber: row.versionNumber,
    jobId: row.jobId,
    trigger: row.trigger,
    input: row.input,
    status: row.status,
    startedAt: iso(row.startedAt),
    seed: row.seed,
    stateBefore: row.stateBefore,
    output: row.output,
    error: row.error,
    attempts: row.attempts,
    leaseUntil: isoOrNull(row.leaseUntil),
    cancelRequestedAt: isoOrNull(row.cancelRequestedAt),
    finishedAt: isoOrNull(row.finishedAt),
    createdAt: iso(row.createdAt),
  };
}

export function runView(row: RunRow): z.input<typeof Run> {
  return { ...runSummaryView(row), logs: row.logs };
}

export function journalEntryView(row: JournalRow): z.input<typeof JournalEntry> {
  return {
    runId: row.runId,
    seq: row.seq,
    integration: row.integration,
    tool: row.tool,
    args: row.args,
    argsHash: row.argsHash,
    status: row.status,
    outcome: row.outcome,
    attempt: row.attempt,
    source: row.source,
    startedAt: iso(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
  };
}
