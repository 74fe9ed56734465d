/**
 * `npm run bench:cli`: how long `charter --help` and `charter tenants --help` take, start to exit,
 * median of 10 each, against a bare `node -e 0` measured in the same run (the floor any command
 * pays). Commands are loaded only when they run, so help pays for none of them.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const CHARTER = path.join(import.meta.dirname, "../src/cli/charter.js");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

function timed(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited with ${result.status}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

const bare = timed(["-e", "0"]);
console.log(`node -e 0 (the floor): median ${bare.toFixed(0)} ms of 10`);
for (const args of [["--help"], ["tenants", "--help"]]) {
  const ms = timed([CHARTER, ...args]);
  console.log(
    `charter ${args.join(" ")}: median ${ms.toFixed(0)} ms of 10 (${(ms / bare).toFixed(1)}x node -e 0; the bar is < 300 ms)`,
  );
}
