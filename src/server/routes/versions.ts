/** Versions and workflows: create, list, read, compare, submit, decide, roll back. */
import { z } from "zod";
import { type Route, route } from "../route.ts";
import type { RouteDeps } from "./index.ts";
import { Approval, Capability, Version, VersionSummary } from "./schemas.ts";
import { approvalView, versionSummaryView, versionView } from "./views.ts";

const CreateVersion = z
  .object({
    source: z.string().min(1).max(200_000),
    tests: z.string().max(200_000).optional(),
    name: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/)
      .optional(),
  })
  .strict();
const Decision = z.object({ comment: z.string().min(1).max(4000) }).strict();
const Rollback = z.object({ to: z.number().int().min(1).max(2_147_483_647) }).strict();

const VersionAnswer = z.object({ version: Version });
const ok = (description: string) => ({ 200: { description, schema: VersionAnswer } });

export function versionRoutes({ app }: RouteDeps): Route[] {
  const tag = "versions";
  return [
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/workflows",
      tag,
      summary: "Workflows with their number of versions, the latest, and the active one.",
      access: "tenant",
      responses: {
        200: {
          description: "the tenant's workflows, by name",
          schema: z.object({
            workflows: z.array(
              z.object({
                workflow: z.string(),
                versions: z.int(),
                latest: z.object({ number: z.int(), status: z.string() }),
                active: z.int().nullable().meta({ description: "the active version's number" }),
              }),
            ),
          }),
        },
      },
      handle: async ({ caller }, reply) => {
        const workflows = await app.versions.workflows(caller.tenantId);
        return reply(200, {
          workflows: workflows.map((w) => ({
            workflow: w.workflow,
            versions: w.versions,
            latest: { number: w.latest.number, status: w.latest.status },
            active: w.active,
          })),
        });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/versions",
      tag,
      summary: "The tenant's versions (without source and tests), by workflow and number.",
      access: "tenant",
      query: z.object({ workflow: z.string().optional().meta({ description: "only this workflow's versions" }) }),
      responses: { 200: { description: "the versions", schema: z.object({ versions: z.array(VersionSummary) }) } },
      handle: async ({ caller, query }, reply) => {
        const rows = await app.versionRepository.list(caller.tenantId, query.workflow);
        return reply(200, { versions: rows.map(versionSummaryView) });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/versions",
      tag,
      summary: "Compiles a workflow source, runs its gates and stores it as the workflow's next version.",
      access: "tenant",
      roles: ["author", "admin"],
      body: CreateVersion,
      responses: { 201: { description: "the new version, with its gates", schema: VersionAnswer } },
      handle: async ({ caller, body }, reply) => {
        const version = await app.versions.create({
          tenantId: caller.tenantId,
          source: body.source,
          fileName: `${body.name ?? "workflow"}.ts`,
          tests: body.tests,
          author: caller.actor,
        });
        return reply(201, { version: versionView(version) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/versions/:ref",
      tag,
      summary: "A version with the decisions on it.",
      access: "tenant",
      responses: {
        200: { description: "the version", schema: z.object({ version: Version, approvals: z.array(Approval) }) },
      },
      handle: async ({ caller, params }, reply) => {
        const version = await app.versions.find(caller.tenantId, params.ref);
        const approvals = await app.versionRepository.approvals(version.id);
        return reply(200, { version: versionView(version), approvals: approvals.map(approvalView) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/versions/:from/diff/:to",
      tag,
      summary: "What changed between two versions: the source as a patch, and the tools added or removed.",
      access: "tenant",
      responses: {
        200: {
          description: "the comparison",
          schema: z.object({
            from: z.string(),
            to: z.string(),
            source: z.string().meta({ description: "a unified diff of the sources" }),
            added: z.array(Capability),
            removed: z.array(Capability),
            summary: z.string(),
          }),
        },
      },
      handle: async ({ caller, params }, reply) => {
        const diff = await app.versions.diff(caller.tenantId, params.from, params.to);
        const { from, to, source, added, removed, summary } = diff;
        return reply(200, { from, to, source, added, removed, summary });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/versions/:ref/submit",
      tag,
      summary: "Submits a version whose checks passed for review (its author, or an author or admin).",
      access: "tenant",
      responses: ok("the version, in review"),
      handle: async ({ caller, params }, reply) => {
        const version = await app.versions.submit(caller.tenantId, params.ref, caller.actor);
        return reply(200, { version: versionView(version) });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/versions/:ref/approve",
      tag,
      summary: "Approves a version in review (a reviewer who is not its author, nor appointed by them).",
      description: "With the tenant's two-approver policy, a destructive version is activated by the second approval.",
      access: "tenant",
      roles: ["reviewer"],
      body: Decision,
      responses: {
        200: {
          description: "the decision, and whether it activated the version",
          schema: z.object({ version: Version, activated: z.boolean(), approvals: z.int(), required: z.int() }),
        },
      },
      handle: async ({ caller, params, body }, reply) => {
        const decided = await app.versions.approve(caller.tenantId, params.ref, caller.actor, body.comment);
        const { activated, approvals, required } = decided;
        return reply(200, { version: versionView(decided.version), activated, approvals, required });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/versions/:ref/reject",
      tag,
      summary: "Rejects a version in review (a reviewer who is not its author).",
      access: "tenant",
      roles: ["reviewer"],
      body: Decision,
      responses: ok("the rejected version"),
      handle: async ({ caller, params, body }, reply) => {
        const version = await app.versions.reject(caller.tenantId, params.ref, caller.actor, body.comment);
        return reply(200, { version: versionView(version) });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/workflows/:workflow/rollback",
      tag,
      summary: "Makes an earlier approved version active again (an operator or admin).",
      access: "tenant",
      roles: ["operator", "admin"],
      body: Rollback,
      responses: ok("the version, active again"),
      handle: async ({ caller, params, body }, reply) => {
        const version = await app.versions.rollback(caller.tenantId, params.workflow, body.to, caller.actor);
        return reply(200, { version: versionView(version) });
      },
    }),
  ];
}
