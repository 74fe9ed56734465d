/**
 * The files every workflow compile sees besides the workflow and its tenant's SDK: the ES library
 * (no DOM, no Node.js), the guest runtime declarations, and the guest runtime sources that get
 * bundled. Read once per process and shared by every tenant's compiler, since none of them changes.
 */
import { readFileSync } from "node:fs";
import { getLibFiles } from "@ts-morph/common";

/** The ES library workflow code is checked against: ECMAScript 2023, nothing from a browser or Node.js. */
export const ES_LIB = "lib.es2023.d.ts";

const SANDBOX = new URL("../../sandbox/", import.meta.url);

let cached: GuestFiles | undefined;

export type GuestFiles = {
  /** lib file name (`lib.es2023.d.ts`) → text. */
  libs: ReadonlyMap<string, string>;
  /** sandbox/charter.d.ts: declarations of `charter:workflow` and `charter:bridge`. */
  declarations: string;
  /** Runtime module sources by file name (`workflow.ts`, `bridge.ts`). */
  runtime: ReadonlyMap<string, string>;
};

export function guestFiles(): GuestFiles {
  cached ??= {
    libs: new Map(getLibFiles().map((file) => [file.fileName, file.text])),
    declarations: readFileSync(new URL("charter.d.ts", SANDBOX), "utf8"),
    runtime: new Map(["workflow.ts", "bridge.ts"].map((name) => [name, readFileSync(new URL(name, SANDBOX), "utf8")])),
  };
  return cached;
}
