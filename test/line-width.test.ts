/**
 * No line of Charter's source is wider than the formatter's 120 characters. Biome wraps code but
 * not strings, regular expressions or comments; this holds those to the same width.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { REPO } from "./helpers/tenants.ts";

const WIDTH = 120;

async function sources(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.(ts|js|css)$/.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

test(`no line in src/ is over ${WIDTH} characters`, async () => {
  const wide: string[] = [];
  for (const file of await sources(path.join(REPO, "src"))) {
    const lines = (await readFile(file, "utf8")).split("\n");
    lines.forEach((line, index) => {
      if (line.length > WIDTH) wide.push(`${path.relative(REPO, file)}:${index + 1} (${line.length})`);
    });
  }
  assert.deepEqual(wide, []);
});
