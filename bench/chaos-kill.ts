/**
 * `npm run bench:chaos [-- --trials 100 --lease-ms 10000 --give-up-ms 100000]`: kill -9 trials of a worker mid-run
 * (test/chaos/kill-worker.ts) against the PostgreSQL server (CHARTER_TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test; a database of its own, dropped after). Prints lost
 * runs, doubled non-idempotent calls, how the runs ended, and the recovery time from the kill to
 * the run's end (p50, p90, p99, max) as a ratio of the run lease: the bar is p99 ≤ 2 × lease.
 * Exits 1 when any run was lost or any call doubled.
 */
import { parseArgs } from "node:util";
import { chaosRig, type TrialResult } from "../test/chaos/kill-worker.ts";
import { testDatabase } from "../test/helpers/databases.ts";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "100" },
    "lease-ms": { type: "string", default: "10000" },
    "give-up-ms": { type: "string" },
  },
});
const trials = Number(values.trials);
const leaseMs = Number(values["lease-ms"]);
const rig = await chaosRig(await testDatabase("server"), {
  leaseMs,
  ...(values["give-up-ms"] ? { giveUpMs: Number(values["give-up-ms"]) } : {}),
});
const results: TrialResult[] = [];
try {
  for (let index = 1; index <= trials; index++) {
    const result = await rig.trial(index);
    results.push(result);
    console.log(
      `${result.trial.padEnd(5)} killed ${String(result.killedAfterMs).padStart(4)} ms in → ${result.status.padEnd(15)} ${result.recoveryMs === undefined ? "not recovered" : `recovered in ${(result.recoveryMs / 1000).toFixed(1)} s`}${result.doubled.length ? ` DOUBLED ${result.doubled.join(", ")}` : ""}${result.detail ? `  ${result.detail}` : ""}`,
    );
  }
} finally {
  await rig.close();
}
const recovered = results.flatMap((r) => (r.recoveryMs === undefined ? [] : [r.recoveryMs])).sort((a, b) => a - b);
const at = (q: number) => recovered[Math.min(recovered.length - 1, Math.ceil(q * recovered.length) - 1)] ?? Number.NaN;
const statuses = new Map<string, number>();
for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
const lost = results.filter((r) => r.lost).length;
const doubled = results.filter((r) => r.doubled.length > 0).length;
console.log(`\n${results.length} kill -9 trials, lease ${leaseMs / 1000} s, tenant limited to 1 run at a time`);
console.log(`  lost runs: ${lost}; trials with a doubled non-idempotent call: ${doubled}`);
console.log(`  ended: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(", ")}`);
console.log(
  `  recovery, kill → run ended: p50 ${(at(0.5) / 1000).toFixed(1)} s, p90 ${(at(0.9) / 1000).toFixed(1)} s, p99 ${(at(0.99) / 1000).toFixed(1)} s, max ${((recovered.at(-1) ?? Number.NaN) / 1000).toFixed(1)} s`,
);
console.log(`  p99 / lease = ${(at(0.99) / leaseMs).toFixed(2)} (bar: ≤ 2.00)`);
process.exitCode = lost > 0 || doubled > 0 ? 1 : 0;
