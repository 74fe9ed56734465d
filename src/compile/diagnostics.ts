/**
 * Compiler findings as Charter diagnostics: file, 1-based line and column, code, message. The
 * messages TypeScript gives for browser and Node.js names are replaced by ones that say what a
 * workflow does instead, since "add 'dom' to lib" is the wrong advice here.
 */
import { ts } from "ts-morph";
import type { Diagnostic } from "../core/workflow.ts";
import type { NativeFinding } from "./native-typecheck.ts";

const UNAVAILABLE: Record<string, string> = {
  fetch: "a workflow has no network access of its own; call the tenant's tools through charter:sdk",
  XMLHttpRequest: "a workflow has no network access of its own; call the tenant's tools through charter:sdk",
  WebSocket: "a workflow has no network access of its own; call the tenant's tools through charter:sdk",
  console: "use ctx.log.info / warn / error; log lines are kept with the run",
  setTimeout: "a workflow has no timers; schedules are triggers, and retries are the host's job",
  setInterval: "a workflow has no timers; use a schedule trigger",
  process: "a workflow has no Node.js APIs; its input comes in `run(input, ctx)`",
  require: "a workflow may import only from charter:sdk and charter:workflow",
  Buffer: "a workflow has no Node.js APIs",
  window: "a workflow runs in no browser",
  document: "a workflow runs in no browser",
};

const NOT_FOUND_CODES = new Set([2304, 2580, 2582, 2583, 2584, 2591, 2592, 2593]);

export function typescriptDiagnostic(diagnostic: ts.Diagnostic, fileName: string): Diagnostic {
  const position =
    diagnostic.file && diagnostic.start !== undefined
      ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
      : { line: 0, character: 0 };
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  return workflowDiagnostic(
    fileName,
    position,
    diagnostic.code,
    diagnostic.category === ts.DiagnosticCategory.Error,
    message,
  );
}

/** A finding of the native checker, placed with the embedded parser's line map of the same text. */
export function nativeDiagnostic(finding: NativeFinding, file: ts.SourceFile, fileName: string): Diagnostic {
  const position = file.getLineAndCharacterOfPosition(Math.min(finding.start, file.text.length));
  return workflowDiagnostic(fileName, position, finding.code, finding.error, finding.message);
}

function workflowDiagnostic(
  fileName: string,
  position: ts.LineAndCharacter,
  code: number,
  error: boolean,
  text: string,
): Diagnostic {
  let message = withoutNoInfer(text);
  const name = /^Cannot find name '([^']+)'/.exec(message)?.[1];
  if (NOT_FOUND_CODES.has(code) && name && UNAVAILABLE[name])
    message = `\`${name}\` is not available in a workflow: ${UNAVAILABLE[name]}.`;
  return {
    file: fileName,
    line: position.line + 1,
    column: position.character + 1,
    severity: error ? "error" : "warning",
    code: `TS${code}`,
    message,
  };
}

export function toDiagnostic(
  file: ts.SourceFile,
  fileName: string,
  node: ts.Node,
  code: string,
  message: string,
): Diagnostic {
  const start = node === file ? 0 : node.getStart(file);
  const position = file.getLineAndCharacterOfPosition(start);
  return { file: fileName, line: position.line + 1, column: position.character + 1, severity: "error", code, message };
}

/** `NoInfer<T>` → `T`: the wrapper in the runtime declarations is an implementation detail. */
function withoutNoInfer(message: string): string {
  let result = message;
  for (let start = result.indexOf("NoInfer<"); start >= 0; start = result.indexOf("NoInfer<")) {
    let depth = 0;
    let end = start + "NoInfer".length;
    for (; end < result.length; end++) {
      if (result[end] === "<") depth++;
      else if (result[end] === ">" && --depth === 0) break;
    }
    if (end >= result.length) break;
    result = result.slice(0, start) + result.slice(start + "NoInfer<".length, end) + result.slice(end + 1);
  }
  return result;
}
