/**
 * Sets 4 to 10 of the independent evaluation sets (README, "The planner evaluation"): written by
 * evaluators who did not read the planner, measured once on their first run, and kept here after
 * the planner learned from them, so that a change that breaks what it learned shows. They are not
 * a measure of unseen requests any more. `npm run eval:planner -- --set learned` runs them.
 */
import type { EvalCase } from "../harness.ts";
import { CASES as SET4 } from "./set4.ts";
import { CASES as SET5 } from "./set5.ts";
import { CASES as SET6 } from "./set6.ts";
import { CASES as SET7 } from "./set7.ts";
import { CASES as SET8 } from "./set8.ts";
import { CASES as SET9 } from "./set9.ts";
import { CASES as SET10 } from "./set10.ts";

export const LEARNED: EvalCase[] = [
  ...SET4.map((c) => ({ ...c, id: `set4/${c.id}` })),
  ...SET5.map((c) => ({ ...c, id: `set5/${c.id}` })),
  ...SET6.map((c) => ({ ...c, id: `set6/${c.id}` })),
  ...SET7.map((c) => ({ ...c, id: `set7/${c.id}` })),
  ...SET8.map((c) => ({ ...c, id: `set8/${c.id}` })),
  ...SET9.map((c) => ({ ...c, id: `set9/${c.id}` })),
  ...SET10.map((c) => ({ ...c, id: `set10/${c.id}` })),
];
