/**
 * Only the versions gate admits a run: RunService.start refuses a bundle without an admission
 * minted for it (or with one already used, or minted for another bundle or tenant), and no source
 * file but the versions service mints one.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { CharterError } from "../src/core/errors.ts";
import { Admission, admit } from "../src/runs/admission.ts";
import { type RunnableBundle, RunService } from "../src/runs/index.ts";
import type { RunRepository } from "../src/store/index.ts";
import { REPO } from "./helpers/tenants.ts";

const bundle: RunnableBundle = {
  hash: "b".repeat(64),
  workflow: "w",
  code: "",
  sourceMap: "",
  tools: [],
  inputSchema: { type: "object" },
  outputSchema: { type: "object" },
  catalogHash: "c",
  sdkHash: "s",
};
/** A run service whose store and tools fail loudly: an admitted run would reach them, a refused one never does. */
const service = new RunService({
  repository: new Proxy({}, { get: () => () => Promise.reject(new Error("reached the store")) }) as RunRepository,
  tools: () => Promise.reject(new Error("reached the tools")),
});
const start = (admission: Admission | undefined, tenantId = "acme") =>
  service.start({ tenantId, bundle, admission: admission as Admission, input: {}, trigger: { type: "manual" } });
const notApproved = (error: unknown) => error instanceof CharterError && error.code === "NOT_APPROVED";

test("a run without an admission, or with another bundle's or tenant's, is refused before anything is stored", async () => {
  await assert.rejects(start(undefined), notApproved);
  await assert.rejects(start(admit("acme", "a".repeat(64), undefined)), notApproved);
  await assert.rejects(start(admit("other", bundle.hash, undefined)), notApproved);
  assert.throws(() => new Admission(Symbol("admission"), "acme", bundle.hash, undefined), notApproved);
});

test("an admission starts one run: the second use is refused", async () => {
  const admission = admit("acme", bundle.hash, { id: "v1", number: 1 });
  // The first use passes the gate and goes on to the tools (which fail here): proof it was admitted.
  await assert.rejects(start(admission), /reached the tools/);
  await assert.rejects(start(admission), notApproved);
});

test("no source file but the versions service mints an admission", async () => {
  const files = (await readdir(path.join(REPO, "src"), { recursive: true })).filter((f) => f.endsWith(".ts"));
  const minting: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(REPO, "src", file), "utf8");
    if (/\badmit\s*\(/.test(text) && file !== path.join("runs", "admission.ts")) minting.push(file);
  }
  assert.deepEqual(minting, [path.join("versions", "version-service.ts")]);
});
