/**
 * A runnable bundle's identity: its tenant, its code and everything the bridge enforces while it
 * runs (the capabilities with their annotations, schemas and retry flags, and the workflow's input
 * and output schemas). Bundles are stored and approved by this hash, so one tenant's bundle is
 * never another's, and a policy changed in the database no longer hashes to what was approved.
 */
import { contentHash } from "./canonical-json.ts";

export type HashedBundle = {
  workflow: string;
  code: string;
  tools: unknown;
  inputSchema: unknown;
  outputSchema: unknown;
};

export function bundleHash(tenantId: string, bundle: HashedBundle): string {
  return contentHash({
    tenantId,
    workflow: bundle.workflow,
    code: bundle.code,
    tools: bundle.tools,
    inputSchema: bundle.inputSchema,
    outputSchema: bundle.outputSchema,
  });
}
