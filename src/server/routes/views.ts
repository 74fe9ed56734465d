/**
 * Database rows as the REST API answers with them: each field named, dates as ISO strings. A
 * jsonb column is typed `unknown` by the database layer; Charter wrote it in the shape its schema
 * names (src/server/routes/schemas.ts), which is what the casts below say.
 */
import type { z } from "zod";
import type { ApprovalRow, JournalRow, RunRow, VersionRow } from "../../store/index.ts";
import type {
  Approval,
  DriftReport,
  JournalEntry,
  Run,
  RunError,
  RunLogLine,
  RunSummary,
  Version,
  VersionSummary,
} from "./schemas.ts";

type Drift = z.input<typeof DriftReport>;

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
    capabilities: row.capabilities as z.input<typeof Version>["capabilities"],
    toolSnapshots: row.toolSnapshots as unknown[],
    inputSchema: row.inputSchema,
    outputSchema: row.outputSchema,
    triggers: row.triggers,
    catalogHash: row.catalogHash,
    sdkHash: row.sdkHash,
    parentVersionId: row.parentVersionId,
    authorId: row.authorId,
    origin: row.origin,
    status: row.status,
    gates: row.gates as z.input<typeof Version>["gates"],
    drift: row.drift as Drift | null,
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
    hashes: row.hashes as z.input<typeof Approval>["hashes"],
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
    trigger: row.trigger as z.input<typeof RunSummary>["trigger"],
    input: row.input,
    status: row.status,
    startedAt: iso(row.startedAt),
    seed: row.seed,
    stateBefore: row.stateBefore,
    output: row.output,
    error: row.error as z.input<typeof RunError> | null,
    attempts: row.attempts,
    leaseUntil: isoOrNull(row.leaseUntil),
    cancelRequestedAt: isoOrNull(row.cancelRequestedAt),
    finishedAt: isoOrNull(row.finishedAt),
    createdAt: iso(row.createdAt),
  };
}

export function runView(row: RunRow): z.input<typeof Run> {
  return { ...runSummaryView(row), logs: row.logs as z.input<typeof RunLogLine>[] | null };
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
