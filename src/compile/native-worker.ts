/**
 * The worker thread that talks to tsgo through TypeScript 7's synchronous API, so the main thread
 * analyses and bundles while tsgo checks. Messages: `open` a project directory, `check` a source
 * in it (diagnostics, and the awaited return type's properties of `run` at a position). Each
 * answer carries the request's id; `close` releases a project; a failure is answered as `{ id, error }`.
 */
import path from "node:path";
import { parentPort } from "node:worker_threads";
import { API, type Diagnostic, DiagnosticCategory, SignatureKind, type Type } from "typescript/unstable/sync";

export type WorkerRequest =
  | { id: number; kind: "open"; directory: string }
  | { id: number; kind: "close"; directory: string }
  | { id: number; kind: "check"; directory: string; source: string; runPosition: number | undefined };

export type NativeFinding = { start: number; code: number; error: boolean; message: string };
export type WorkerAnswer =
  | { id: number; error: string }
  | { id: number; diagnostics: NativeFinding[]; returned: string[][] | undefined };

export const WORKFLOW_FILE = "workflow.ts";

const port = parentPort;
if (!port) throw new Error("native-worker.ts runs as a worker thread");
let api: API | undefined;
/**
 * The workflow of each open project, by file name: tsgo reads it through this callback, so a
 * workflow's source never touches the disk. Every other file tsgo reads from the disk.
 */
const workflows = new Map<string, string>();
const fs = {
  readFile: (fileName: string) => workflows.get(path.resolve(fileName)),
  fileExists: (fileName: string) => (workflows.has(path.resolve(fileName)) ? true : undefined),
};

port.on("message", (request: WorkerRequest) => {
  try {
    api ??= new API({ cwd: path.dirname(request.directory), fs });
    const file = path.join(request.directory, WORKFLOW_FILE);
    if (request.kind === "open" || request.kind === "close") {
      if (request.kind === "open") workflows.set(file, "export {};\n");
      const project = [path.join(request.directory, "tsconfig.json")];
      api.updateSnapshot(request.kind === "open" ? { openProjects: project } : { closeProjects: project }).dispose();
      if (request.kind === "close") workflows.delete(file);
      port.postMessage({ id: request.id, diagnostics: [], returned: undefined } satisfies WorkerAnswer);
      return;
    }
    const { answer, snapshot } = check(api, request);
    // Answer first: releasing the snapshot is one more round trip to tsgo, and the compiler need not wait for it.
    port.postMessage(answer);
    snapshot.dispose();
  } catch (error) {
    port.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies WorkerAnswer);
  }
});

/** The answer to a check, and its snapshot, which the caller releases once it has answered. */
function check(
  api: API,
  request: Extract<WorkerRequest, { kind: "check" }>,
): { answer: WorkerAnswer; snapshot: Snapshot } {
  const file = path.join(request.directory, WORKFLOW_FILE);
  workflows.set(file, request.source);
  const snapshot = api.updateSnapshot({ fileChanges: { changed: [file] } });
  try {
    const project = snapshot.getProject(path.join(request.directory, "tsconfig.json"));
    if (!project) throw new Error("tsgo lost the workflow project");
    // Syntax errors never reach here: the embedded parser found none, or the compiler would not ask.
    const diagnostics = project.program
      .getSemanticDiagnostics(file)
      .filter((d) => d.fileName === undefined || path.resolve(d.fileName) === file)
      .map(finding);
    const returned =
      request.runPosition === undefined ? undefined : returnedProperties(project.checker, file, request.runPosition);
    return { answer: { id: request.id, diagnostics, returned }, snapshot };
  } catch (error) {
    snapshot.dispose();
    throw error;
  }
}

type Snapshot = ReturnType<API["updateSnapshot"]>;

function finding(diagnostic: Diagnostic): NativeFinding {
  return {
    start: diagnostic.pos,
    code: diagnostic.code,
    error: diagnostic.category === DiagnosticCategory.Error,
    message: flatten(diagnostic),
  };
}

/** The message with its chain, indented as `ts.flattenDiagnosticMessageText` does. */
function flatten(diagnostic: Diagnostic, depth = 0): string {
  let text = `${"  ".repeat(depth)}${diagnostic.text}`;
  for (const next of diagnostic.messageChain ?? []) text += `\n${flatten(next, depth + 1)}`;
  return text;
}

type Checker = NonNullable<ReturnType<ReturnType<API["updateSnapshot"]>["getProject"]>>["checker"];

/** Top-level property names of each object type `run` (named at `position`) resolves to, awaited. */
function returnedProperties(checker: Checker, file: string, position: number): string[][] | undefined {
  const runType = checker.getTypeAtPosition(file, position);
  const signature = runType ? checker.getSignaturesOfType(runType, SignatureKind.Call)[0] : undefined;
  const promise = signature ? checker.getReturnTypeOfSignature(signature) : undefined;
  // run is typed to return a Promise (a run that does not is a type error already): its one type argument.
  const returned: Type | undefined = promise?.isObjectType()
    ? checker.getTypeArguments(promise as Parameters<Checker["getTypeArguments"]>[0])[0]
    : undefined;
  if (!returned) return undefined;
  const members: readonly Type[] = returned.isUnionType() ? returned.getTypes() : [returned];
  return members
    .filter((member) => member.isObjectType())
    .map((member) => checker.getPropertiesOfType(member).map((symbol) => symbol.name));
}
