/**
 * kill -9 of a worker during a run, a few trials (bench/chaos-kill.ts runs a hundred and prints the
 * recovery times): the run is never lost (a live worker with the orphan sweep carries it to its
 * end, although the dead worker's job held the tenant's only slot) and no non-idempotent call
 * happens twice (one in flight at the kill stops the run as needs-attention instead).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chaosRig } from "./chaos/kill-worker.ts";
import { testDatabase } from "./helpers/databases.ts";

test("a worker killed with SIGKILL mid-run loses no run and doubles no call", { timeout: 300_000 }, async () => {
  // Recovery is expected in ~1.3 leases; four leases is generous under load, and far below the 60–120 s a
  // dead worker took when its job had to expire first (finding 6 of the run-path issue).
  const rig = await chaosRig(await testDatabase("server"), { leaseMs: 10_000, giveUpMs: 40_000 });
  try {
    for (const index of [1, 2]) {
      const result = await rig.trial(index);
      assert.equal(
        result.lost,
        false,
        `trial ${result.trial} (killed ${result.killedAfterMs} ms in): ${result.status} ${result.detail}`,
      );
      assert.deepEqual(result.doubled, [], `trial ${result.trial}: a non-idempotent call happened twice`);
      assert.ok(
        ["succeeded", "needs-attention"].includes(result.status),
        `trial ${result.trial}: ${result.status} ${result.detail}`,
      );
    }
  } finally {
    await rig.close();
  }
});
