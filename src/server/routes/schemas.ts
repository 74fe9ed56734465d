/**
 * The shapes the REST API answers with, shared by several routes: each is a component of the
 * OpenAPI document (its `id`). Objects are strict there (no field beyond those named), so a field
 * a handler adds without naming it here fails test/openapi.test.ts. Values that are the tenant's or
 * a tool's own JSON (run input and output, tool arguments, JSON Schemas) are any JSON.
 */
import { z } from "zod";
import { ERROR_CODES } from "../../core/errors.ts";
import { RUN_STATUSES } from "../../core/outcomes.ts";
import { Capability as CoreCapability } from "../../core/workflow.ts";
import { ROLES } from "../../store/index.ts";

/** Every path parameter a route may name, described once. */
export const PATH_PARAMETERS = {
  tenant: z.string().meta({ description: "the tenant" }),
  ref: z.string().meta({ description: "a version: <workflow>@<number>, or its id" }),
  from: z.string().meta({ description: "the version to compare from: <workflow>@<number>, or its id" }),
  to: z.string().meta({ description: "the version to compare to: <workflow>@<number>, or its id" }),
  workflow: z.string().meta({ description: "the workflow's name" }),
  id: z.string().meta({ description: "the run's id" }),
  session: z.string().meta({ description: "the planning session's id", format: "uuid" }),
  prefix: z.string().meta({ description: "the key's first 12 characters" }),
} as const;
export type PathParameter = keyof typeof PATH_PARAMETERS;

/** Any JSON value. */
export const Json = z.unknown();
export const Uuid = z.string().meta({ format: "uuid" });
export const Timestamp = z.string().meta({ format: "date-time" });
export const Role = z.enum(ROLES);

/** Codes of Charter's errors, and those the HTTP face adds. */
const HTTP_ERROR_CODES = ["INVALID_REQUEST", "BODY_TOO_LARGE", "NOT_FOUND", "BAD_SIGNATURE", "INTERNAL"] as const;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum([...ERROR_CODES, ...HTTP_ERROR_CODES]),
      message: z.string().meta({ description: "what went wrong and what to do" }),
      retryable: z.boolean().meta({ description: "whether the same request can succeed later as it is" }),
      outcome: z.enum(["refused", "needs-input"]).optional(),
      clause: z.string().optional(),
      reason: z.string().optional(),
      options: z.array(z.string()).optional(),
      session: Uuid.optional().meta({ description: "the planning session an answer continues" }),
    }),
  })
  .meta({
    id: "Error",
    description:
      "A refused or failed request. A planner's question or refusal (422, PLANNER_NEEDS_INPUT or " +
      "PLANNER_CANNOT) adds outcome, clause, reason, options and the session to answer at " +
      "/plans/{session}/answer.",
  });

export const Capability = CoreCapability.meta({ id: "Capability" });

export const DriftReport = z
  .object({
    breaking: z.array(z.object({ tool: z.string(), change: z.string(), review: z.boolean().optional() })),
    compatible: z.array(z.object({ tool: z.string(), change: z.string(), review: z.boolean().optional() })),
    catalogHash: z.string(),
    checkedAt: Timestamp,
  })
  .meta({ id: "Drift", description: "Catalog changes since approval: breaking ones stop the version's runs." });

export const DriftCheck = z
  .object({ version: z.string(), drifted: z.boolean(), drift: DriftReport })
  .meta({ id: "DriftCheck", description: "An active version re-checked against the current catalog." });

const Gate = z.object({
  gate: z.enum(["compile", "tests", "destructive-mocked", "destructive-covered"]),
  ok: z.boolean(),
  detail: z.string(),
  tests: z
    .array(
      z.object({
        name: z.string(),
        ok: z.boolean(),
        problems: z.array(z.string()),
        calls: z.array(z.object({ tool: z.string(), args: Json, ok: z.boolean() })),
      }),
    )
    .optional(),
});

const VersionFields = z.object({
  id: Uuid,
  tenantId: z.string(),
  workflow: z.string(),
  number: z.int(),
  source: z.string(),
  sourceHash: z.string(),
  tests: Json.meta({ description: "the version's tests, as given" }),
  bundleHash: z.string().nullable(),
  capabilities: z.array(Capability),
  toolSnapshots: z.array(Json).meta({ description: "the catalog entries of the tools it calls, as approved" }),
  inputSchema: Json,
  outputSchema: Json,
  triggers: Json,
  catalogHash: z.string(),
  sdkHash: z.string(),
  parentVersionId: Uuid.nullable(),
  authorId: Uuid,
  origin: Json.meta({ description: "{ request, transcript } when a planner made it" }),
  status: z.enum(["checks-failed", "checks-passed", "in-review", "approved", "superseded", "rejected", "drifted"]),
  gates: z.array(Gate),
  drift: DriftReport.nullable(),
  createdAt: Timestamp,
});
export const Version = VersionFields.meta({ id: "Version" });
export const VersionSummary = VersionFields.omit({ source: true, tests: true }).meta({
  id: "VersionSummary",
  description: "A version without its source and tests.",
});

export const Approval = z
  .object({
    id: Uuid,
    versionId: Uuid,
    userId: Uuid,
    decision: z.enum(["approve", "reject"]),
    comment: z.string(),
    hashes: z.object({ source: z.string(), bundle: z.string().nullable(), catalog: z.string(), sdk: z.string() }),
    createdAt: Timestamp,
  })
  .meta({ id: "Approval" });

export const RunStatus = z.enum(RUN_STATUSES);
export const RunError = z
  .object({ code: z.string(), message: z.string(), tool: z.string().optional() })
  .meta({ id: "RunError" });
export const RunLogLine = z.object({
  level: z.enum(["info", "warn", "error"]),
  message: z.string(),
  data: Json.optional(),
  at: z.number(),
});

const RunFields = z.object({
  id: Uuid,
  tenantId: z.string(),
  workflow: z.string(),
  bundleHash: z.string(),
  versionId: Uuid.nullable(),
  versionNumber: z.int().nullable(),
  jobId: Uuid.nullable(),
  trigger: z.object({
    type: z.enum(["manual", "schedule", "webhook", "resource", "tool", "try"]),
    detail: z.record(z.string(), Json).optional(),
  }),
  input: Json,
  status: RunStatus,
  startedAt: Timestamp,
  seed: Json,
  stateBefore: Json,
  output: Json,
  error: RunError.nullable(),
  logs: z.array(RunLogLine).nullable(),
  attempts: z.int(),
  leaseUntil: Timestamp.nullable(),
  cancelRequestedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export const Run = RunFields.meta({ id: "Run" });
export const RunSummary = RunFields.omit({ logs: true }).meta({
  id: "RunSummary",
  description: "A run without its logs.",
});

export const JournalEntry = z
  .object({
    runId: Uuid,
    seq: z.int(),
    integration: z.string(),
    tool: z.string(),
    args: Json,
    argsHash: z.string(),
    status: z.enum(["started", "succeeded", "failed"]),
    outcome: Json,
    attempt: z.int(),
    source: z.string().meta({ description: "live, replayed or mocked" }),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .meta({ id: "JournalEntry", description: "One tool call of a run." });

/** A queued run as its job found it (`version` is the version's id). */
export const QueuedRun = z
  .object({ id: Uuid, status: RunStatus, output: Json, error: RunError.nullable(), version: Uuid.nullable() })
  .meta({ id: "QueuedRun" });
