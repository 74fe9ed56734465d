/** charter.list_workflows, charter.list_versions, charter.get_version: reading the tenant's workflows. */
import { z } from "zod";
import { may } from "../caller.ts";
import { charterTool } from "./tool.ts";

/** A JSON object whose fields are the stored row's (a version, a run). */
const Row = z.record(z.string(), z.unknown());

export const listWorkflows = charterTool({
  name: "charter.list_workflows",
  title: "List workflows",
  description:
    "The tenant's workflows: how many versions each has, the latest one and its status, and the " +
    "active (approved) version.",
  allowed: may.read,
  input: z.object({}).strict(),
  output: z.object({
    workflows: z.array(
      z.object({
        workflow: z.string(),
        versions: z.int(),
        latest: z.object({ number: z.int(), status: z.string() }),
        active: z.int().nullable().describe("the approved version's number"),
      }),
    ),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async (_args, { app, caller }) => ({ workflows: await app.versions.workflows(caller.tenantId) }),
});

export const listVersions = charterTool({
  name: "charter.list_versions",
  title: "List versions",
  description:
    "Versions of the tenant's workflows (optionally of one), newest first, with status, author and capabilities.",
  allowed: may.read,
  input: z.object({ workflow: z.string().max(64).optional() }).strict(),
  output: z.object({
    versions: z.array(
      z.object({
        version: z.string().describe("<workflow>@<n>"),
        id: z.string(),
        status: z.string(),
        createdAt: z.string().describe("ISO 8601"),
        capabilities: z.array(z.string()).describe("the tools it can call, integration.tool"),
      }),
    ),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async ({ workflow }, { app, caller }) => {
    const rows = await app.versionRepository.list(caller.tenantId, workflow);
    return {
      versions: rows.map((v) => ({
        version: `${v.workflow}@${v.number}`,
        id: v.id,
        status: v.status,
        // As JSON writes a date; a client over any transport reads the same.
        createdAt: v.createdAt.toISOString(),
        capabilities: v.capabilities.map((c) => `${c.integration}.${c.tool}`),
      })),
    };
  },
});

export const getVersion = charterTool({
  name: "charter.get_version",
  title: "Get a version",
  description:
    "One version: its source, tests, capabilities (the exact tools it can call), triggers, " +
    "schemas, gate results, status, approvals, and its diff to the version it came from.",
  allowed: may.read,
  input: z.object({ version: z.string().min(1).max(200).describe("<workflow>@<n> or a version id") }).strict(),
  output: z.object({
    version: Row,
    approvals: z.array(Row),
    diffToParent: Row.nullable().describe("null for a version that came from none"),
  }),
  annotations: { readOnly: true, openWorld: false },
  handle: async (args, { app, caller }) => {
    const tenantId = caller.tenantId;
    const version = await app.versions.find(tenantId, args.version);
    const parent = version.parentVersionId ? await app.versionRepository.byId(version.parentVersionId) : undefined;
    const diff = parent ? await app.versions.diff(tenantId, parent.id, version.id) : null;
    const { toolSnapshots: _snapshots, ...rest } = version;
    return { version: rest, approvals: await app.versionRepository.approvals(version.id), diffToParent: diff };
  },
});
