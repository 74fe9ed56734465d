/**
 * Checks the tests that travel with a workflow before any of them runs: the file parses, every
 * input fits the workflow's input schema, every mocked tool exists and its mocked output fits
 * the tool's outputSchema, every expected call is to a tool the workflow can call, every expected
 * output fits the output schema. Running them is the sandbox's job.
 */
import { ts } from "ts-morph";
import { jsonLimitProblem } from "../core/json-limits.ts";
import { schemaValidator } from "../core/json-schema.ts";
import { type Capability, type Diagnostic, WorkflowTests, type WorkflowTest } from "../core/workflow.ts";

export type ToolSchemas = ReadonlyMap<string, { outputSchema?: Record<string, unknown> | undefined }>;

export type CheckedTests = { tests: WorkflowTest[] };

type Workflow = { inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> };

export function checkTests(
  text: string,
  fileName: string,
  workflow: Workflow,
  capabilities: readonly Capability[],
  tools: ToolSchemas,
  diagnostics: Diagnostic[],
): CheckedTests | undefined {
  const at = (line: number, column: number, message: string, severity: Diagnostic["severity"] = "error") =>
    diagnostics.push({ file: fileName, line, column, severity, code: "CHARTER_TESTS_INVALID", message });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const where = syntaxErrorPosition(text, String(error));
    at(where.line, where.column, `not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const tooMuch = jsonLimitProblem(raw, "the tests file");
  if (tooMuch) {
    at(1, 1, tooMuch);
    return undefined;
  }
  const parsed = WorkflowTests.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 10)) at(1, 1, `${pathText(issue.path)}: ${issue.message}`);
    return undefined;
  }
  const lineOf = (needle: string) => {
    const index = text.indexOf(needle);
    return index < 0 ? 1 : text.slice(0, index).split("\n").length;
  };
  const callable = new Set(capabilities.map((c) => `${c.integration}.${c.tool}`));
  const input = schemaValidator(workflow.inputSchema);
  const output = schemaValidator(workflow.outputSchema);
  const exercised = new Set<string>();
  for (const test of parsed.data.tests) {
    const line = lineOf(JSON.stringify(test.name));
    const problem = (message: string, severity: Diagnostic["severity"] = "error") =>
      at(line, 1, `test "${test.name}": ${message}`, severity);
    for (const error of input(test.input)) problem(`input ${error}`);
    for (const [key, results] of Object.entries(test.mocks)) {
      const tool = tools.get(key);
      if (!tool) {
        problem(`mocks "${key}", which is not a tool in this tenant's catalog`);
        continue;
      }
      if (!callable.has(key)) problem(`mocks "${key}", which the workflow never calls`, "warning");
      exercised.add(key);
      const validate = tool.outputSchema ? schemaValidator(tool.outputSchema) : undefined;
      for (const [index, result] of results.entries()) {
        const which = `mock ${index + 1} of "${key}"`;
        if ("output" in result) {
          if (!validate)
            problem(
              `${which} gives structured output, but the tool declares no outputSchema; mock its ` +
                `content blocks: { "content": [{ "type": "text", "text": "…" }] }`,
            );
          else for (const error of validate(result.output)) problem(`${which}: output ${error}`);
        } else if ("content" in result && validate) {
          problem(
            `${which} gives content blocks, but the tool returns structured output; mock it as { "output": { … } }`,
          );
        }
      }
    }
    for (const call of test.expect.calls ?? []) {
      if (!callable.has(call.tool)) problem(`expects a call to "${call.tool}", which the workflow cannot call`);
    }
    if (test.expect.output) for (const error of output(test.expect.output)) problem(`expected output ${error}`);
  }
  for (const capability of capabilities) {
    const key = `${capability.integration}.${capability.tool}`;
    if (capability.annotations.destructive && !exercised.has(key))
      at(1, 1, `destructive tool "${key}" is not mocked by any test; the test gate will require one`, "warning");
  }
  return { tests: parsed.data.tests };
}

function pathText(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? "(file)"
    : path
        .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
        .join("")
        .replace(/^\./, "");
}

/** Where JSON.parse failed: V8 names the position only sometimes, TypeScript's JSON parser always. */
function syntaxErrorPosition(text: string, message: string): { line: number; column: number } {
  const v8 = /line (\d+) column (\d+)/.exec(message);
  if (v8) return { line: Number(v8[1]), column: Number(v8[2]) };
  let parsed: ts.JsonSourceFile & { parseDiagnostics?: ts.Diagnostic[] };
  try {
    parsed = ts.parseJsonText("tests.json", text);
  } catch {
    return { line: 1, column: 1 }; // nested too deep for TypeScript's parser to place the error
  }
  const start = parsed.parseDiagnostics?.[0]?.start;
  if (start === undefined) return { line: 1, column: 1 };
  const position = parsed.getLineAndCharacterOfPosition(start);
  return { line: position.line + 1, column: position.character + 1 };
}
