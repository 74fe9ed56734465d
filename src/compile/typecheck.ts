/**
 * A warm TypeScript checker for one tenant's SDK. It keeps the parsed and bound SourceFiles of the
 * ES library, the guest declarations and the SDK, and builds each new Program from the previous
 * one, so a check parses only the workflow and checks only what the workflow touches.
 *
 * Module resolution is closed: `charter:sdk` is this tenant's SDK, `charter:workflow` and
 * `charter:bridge` are the guest declarations, and nothing else resolves, so no file outside
 * these is ever read.
 */
import { ts } from "ts-morph";
import { ES_LIB, guestFiles } from "./guest-files.ts";

export const WORKFLOW_PATH = "/workflow/workflow.ts";
const SDK_DIR = "/sdk/";
const LIB_DIR = "/lib/";
const DECLARATIONS_PATH = "/guest/charter.d.ts";

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  isolatedModules: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  lib: [ES_LIB],
  types: [],
};

/** Whether a file is part of the ES library (declared globals such as `eval` live there). */
export function isLibraryFile(fileName: string): boolean {
  return fileName.startsWith(LIB_DIR);
}

export type Checked = {
  program: ts.Program;
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
  diagnostics: readonly ts.Diagnostic[];
};

/** Parses a workflow module the way `check` wants it. */
export function parseWorkflow(source: string): ts.SourceFile {
  return ts.createSourceFile(WORKFLOW_PATH, source, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
}

/**
 * What a program is built for. `check`: type errors too. `types`: syntax errors only; its checker
 * answers what it is asked about (a type, a symbol) and checks nothing else. `names`: as `types`
 * but without the ES library, so its checker tells which declaration a name refers to (all the
 * analysis asks) and knows no types: a checker with the library first merges every global in it,
 * about 2 ms of each compile, which compiles type-checked by the native checker need not spend.
 */
export type CheckMode = "check" | "types" | "names";

export class TenantTypechecker {
  readonly #files = new Map<string, ts.SourceFile>();
  readonly #previous = new Map<"library" | "names", ts.Program>();

  /** @param sdkDeclarations `.d.ts` files of the tenant SDK by name (`index.d.ts`, `tickets.d.ts`). */
  constructor(sdkDeclarations: ReadonlyMap<string, string>) {
    const guest = guestFiles();
    for (const [name, text] of guest.libs) this.#add(LIB_DIR + name, text);
    this.#add(DECLARATIONS_PATH, guest.declarations);
    for (const [name, text] of sdkDeclarations) if (name.endsWith(".d.ts")) this.#add(SDK_DIR + name, text);
  }

  /**
   * Builds the program for one workflow module (from `parseWorkflow`); diagnostics are its syntax
   * errors and, in `check` mode, its type errors.
   */
  check(sourceFile: ts.SourceFile, mode: CheckMode = "check"): Checked {
    const kind = mode === "names" ? "names" : "library";
    const previous = this.#previous.get(kind);
    const program = ts.createProgram({
      rootNames: [WORKFLOW_PATH, DECLARATIONS_PATH],
      options: kind === "names" ? { ...COMPILER_OPTIONS, lib: undefined, noLib: true } : COMPILER_OPTIONS,
      host: this.#host(sourceFile),
      ...(previous ? { oldProgram: previous } : {}),
    });
    this.#previous.set(kind, program);
    const syntactic = program.getSyntacticDiagnostics(sourceFile);
    const diagnostics =
      syntactic.length > 0 || mode !== "check" ? syntactic : program.getSemanticDiagnostics(sourceFile);
    return { program, checker: program.getTypeChecker(), sourceFile, diagnostics };
  }

  #add(path: string, text: string) {
    this.#files.set(path, ts.createSourceFile(path, text, ts.ScriptTarget.ES2023, false));
  }

  #host(workflow: ts.SourceFile): ts.CompilerHost {
    const files = this.#files;
    const lookup = (path: string) => (path === WORKFLOW_PATH ? workflow : files.get(path));
    return {
      getSourceFile: (path) => lookup(path),
      getDefaultLibFileName: () => LIB_DIR + ES_LIB,
      getDefaultLibLocation: () => LIB_DIR,
      writeFile: () => undefined,
      getCurrentDirectory: () => "/",
      getCanonicalFileName: (path) => path,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => "\n",
      fileExists: (path) => lookup(path) !== undefined,
      readFile: (path) => lookup(path)?.text,
      resolveModuleNameLiterals: (literals, containingFile) =>
        literals.map((literal) => {
          const resolved = resolve(literal.text, containingFile);
          return {
            resolvedModule:
              resolved && files.has(resolved) ? { resolvedFileName: resolved, extension: ts.Extension.Dts } : undefined,
          };
        }),
    };
  }
}

/** `charter:sdk` → the SDK index; `./x.ts` inside the SDK → its declarations; anything else: nothing. */
function resolve(specifier: string, containingFile: string): string | undefined {
  if (specifier === "charter:sdk") return `${SDK_DIR}index.d.ts`;
  if (containingFile.startsWith(SDK_DIR) && /^\.\/[^/]+\.ts$/.test(specifier))
    return SDK_DIR + specifier.slice(2).replace(/\.ts$/, ".d.ts");
  return undefined;
}
