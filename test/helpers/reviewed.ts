/** Versions taken through review in tests: an author and a reviewer, submit, approve by the other. */
import assert from "node:assert/strict";
import type { App } from "../../src/app.ts";
import type { VersionRow } from "../../src/store/index.ts";
import type { Actor } from "../../src/versions/index.ts";

export type Reviewers = { author: Actor; reviewer: Actor };

/** Users `ana` (author) and `ben` (reviewer) of the tenant. */
export async function authorAndReviewer(app: App, tenantId: string): Promise<Reviewers> {
  const author = await app.identity.ensureUser("ana");
  const reviewer = await app.identity.ensureUser("ben");
  await app.identity.grant(tenantId, author.id, "author");
  await app.identity.grant(tenantId, reviewer.id, "reviewer");
  return { author: { userId: author.id, handle: "ana" }, reviewer: { userId: reviewer.id, handle: "ben" } };
}

/** The author submits the version and the reviewer approves it, which activates it. */
export async function submitAndApprove(
  app: App,
  tenantId: string,
  versionId: string,
  people: Reviewers,
): Promise<void> {
  await app.versions.submit(tenantId, versionId, people.author);
  await app.versions.approve(tenantId, versionId, people.reviewer, "ok");
}

/** A version from source and tests by `ana`, which must pass its gates, approved by `ben`. */
export async function approvedVersion(
  app: App,
  tenantId: string,
  workflow: { source: string; fileName: string; tests: string },
): Promise<VersionRow> {
  const people = await authorAndReviewer(app, tenantId);
  const version = await app.versions.create({ tenantId, ...workflow, author: people.author });
  assert.equal(version.status, "checks-passed", JSON.stringify(version.gates));
  await submitAndApprove(app, tenantId, version.id, people);
  return version;
}
