/**
 * What a run needs besides its bundle: an admission. `RunService.start` runs a bundle only with an
 * admission minted for exactly that tenant and bundle, and each admission starts one run. Only the
 * versions gate mints them (`VersionService`: approved, or queued before it was superseded; not
 * drifted; bundle and source hash to what was approved), and test/admission.test.ts checks that no
 * other source file calls `admit`. So "only approved versions run" no longer rests on every caller
 * remembering to go through the versions service; it costs no database read at the start of a run.
 */
import { CharterError } from "../core/errors.ts";

const MINT = Symbol("admission");
/** Admissions minted and not yet used. */
const unused = new WeakSet<Admission>();

export class Admission {
  readonly tenantId: string;
  readonly bundleHash: string;
  /** The version this run is of (undefined only for runs the tests admit without one). */
  readonly version: { id: string; number: number } | undefined;

  constructor(
    token: symbol,
    tenantId: string,
    bundleHash: string,
    version: { id: string; number: number } | undefined,
  ) {
    if (token !== MINT) throw new CharterError("NOT_APPROVED", "an admission is minted by the versions gate only");
    this.tenantId = tenantId;
    this.bundleHash = bundleHash;
    this.version = version;
    unused.add(this);
  }
}

/** Mints the admission for one run of `bundleHash` in `tenantId`. Call only where the gate has been passed. */
export function admit(
  tenantId: string,
  bundleHash: string,
  version: { id: string; number: number } | undefined,
): Admission {
  return new Admission(MINT, tenantId, bundleHash, version);
}

/**
 * Uses up an admission for a run of `bundleHash` in `tenantId`; throws NOT_APPROVED when it is
 * missing, used or for something else.
 */
export function useAdmission(
  admission: Admission | undefined,
  tenantId: string,
  bundleHash: string,
): { id: string; number: number } | undefined {
  if (!admission || !unused.has(admission))
    throw new CharterError(
      "NOT_APPROVED",
      "this run was not admitted by the versions gate (only an approved version runs; an admission starts one run)",
    );
  if (admission.tenantId !== tenantId || admission.bundleHash !== bundleHash)
    throw new CharterError(
      "NOT_APPROVED",
      `this run's admission is for another bundle or tenant ` +
        `(${admission.tenantId}, ${admission.bundleHash.slice(0, 12)}); nothing was run`,
    );
  unused.delete(admission);
  return admission.version;
}
