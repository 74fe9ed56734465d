/** docs/errors.md lists every error code with the HTTP status and retry hint the code gives it. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ERROR_CODES, isRetryableCode } from "../src/core/errors.ts";
import { HOST_ONLY_CODES, RUN_ERROR_CODES, retryableCode, TOOL_ERROR_CODES } from "../src/core/outcomes.ts";
import { httpStatus } from "../src/server/http-status.ts";
import { REPO } from "./helpers/tenants.ts";

test("docs/errors.md has a row for every error code, with its HTTP status and whether it is retryable", async () => {
  const doc = await readFile(path.join(REPO, "docs/errors.md"), "utf8");
  const rows = new Map(
    [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (yes|no) \| (.+) \|$/gm)].map((m) => [
      m[1] ?? "",
      { status: Number(m[2]), retryable: m[3] === "yes", meaning: m[4] ?? "" },
    ]),
  );
  for (const code of ERROR_CODES) {
    const row = rows.get(code);
    assert.ok(row, `docs/errors.md has no row for ${code}`);
    assert.equal(row.status, httpStatus(code), `${code}: HTTP status`);
    assert.equal(row.retryable, isRetryableCode(code), `${code}: retryable`);
    assert.ok(row.meaning.trim().length > 10, `${code}: says what it means`);
  }
  assert.deepEqual(
    [...rows.keys()].filter((code) => !(ERROR_CODES as readonly string[]).includes(code)),
    [],
    "rows for codes that do not exist",
  );
});

test("the outcome vocabulary is one list: the guest's ToolErrorCode, and docs/errors.md's tables, say the same codes and retryability", async () => {
  for (const file of ["sandbox/charter.d.ts", "sandbox/workflow.ts"]) {
    const text = await readFile(path.join(REPO, file), "utf8");
    const union = /type ToolErrorCode =([^;]+);/.exec(text)?.[1] ?? "";
    assert.deepEqual(
      [...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]).sort(),
      Object.keys(TOOL_ERROR_CODES).sort(),
      `${file} ToolErrorCode`,
    );
  }
  const doc = await readFile(path.join(REPO, "docs/errors.md"), "utf8");
  const rows = new Map(
    [...doc.matchAll(/^\| `([A-Z_]+)` \| (yes|no) \| (.+) \|$/gm)].map((m) => [m[1] ?? "", m[2] === "yes"]),
  );
  for (const [code, { retryable }] of [...Object.entries(TOOL_ERROR_CODES), ...Object.entries(RUN_ERROR_CODES)]) {
    assert.equal(rows.get(code), retryable, `docs/errors.md: ${code} (retryable ${retryable})`);
    assert.equal(retryableCode(code), retryable, `retryableCode(${code})`);
  }
  assert.equal(rows.size, Object.keys(TOOL_ERROR_CODES).length + Object.keys(RUN_ERROR_CODES).length);
  for (const code of HOST_ONLY_CODES) assert.ok(code in RUN_ERROR_CODES, `${code} is a run code`);
});
