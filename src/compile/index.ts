export { WorkflowCompiler } from "./compiler.ts";
export type { CompileInput, CompileResult, CompilerSdk, WorkflowSummary } from "./compiler.ts";
export { BUNDLE_GLOBAL } from "./bundle.ts";
export type { Bundle } from "./bundle.ts";
export type { CheckedTests } from "./tests-file.ts";
export { COMPILER_OPTIONS } from "./typecheck.ts";
export { ES_LIB, guestFiles } from "./guest-files.ts";
export { definitionDescription } from "./definition-syntax.ts";
