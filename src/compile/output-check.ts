/**
 * What TypeScript lets through between `run` and a closed output schema: an inferred return type
 * with extra properties is assignable to the declared one, but the schema (additionalProperties:
 * false) would refuse the value at run time. Found from the checker's return type of `run`: the
 * embedded checker's (`returnedPropertiesOf`) or the native one's, asked at `runNamePosition`.
 */
import { ts } from "ts-morph";
import { definitionProperty } from "./definition-syntax.ts";

/** Whether `run` is written where its return type can be read: an arrow, a function expression or a method. */
function isRunFunction(run: ts.Node): run is ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration {
  return ts.isArrowFunction(run) || ts.isFunctionExpression(run) || ts.isMethodDeclaration(run);
}

/** Top-level property names of each object type `run` can resolve to, from the embedded checker. */
export function returnedPropertiesOf(run: ts.Node, checker: ts.TypeChecker): string[][] | undefined {
  if (!isRunFunction(run)) return undefined;
  const signature = checker.getSignatureFromDeclaration(run);
  if (!signature) return undefined;
  const returned = checker.getAwaitedType(checker.getReturnTypeOfSignature(signature));
  if (!returned) return undefined;
  const members = returned.isUnion() ? returned.types : [returned];
  return members.filter((member) => member.flags & ts.TypeFlags.Object).map((member) => checker.getPropertiesOfType(member).map((property) => property.name));
}

/** Where `run`'s name is, for a checker that is asked by position; undefined when run is not written in place. */
export function runNamePosition(run: ts.Node): number | undefined {
  if (!isRunFunction(run)) return undefined;
  if (ts.isMethodDeclaration(run)) return run.name.getStart();
  return ts.isPropertyAssignment(run.parent) ? run.parent.name.getStart() : undefined;
}

/**
 * Where `run` of `export default defineWorkflow({ ... })` is named, read from the syntax alone,
 * so the native checker can be asked before the analysis has confirmed the definition.
 */
export function declaredRunPosition(file: ts.SourceFile): number | undefined {
  const property = definitionProperty(file, "run");
  return property && runNamePosition(ts.isPropertyAssignment(property) ? property.initializer : property);
}

/** Returned top-level properties that a closed output schema does not list, sorted. */
export function undeclaredFields(returned: readonly (readonly string[])[] | undefined, outputSchema: Record<string, unknown>): string[] {
  if (outputSchema["additionalProperties"] !== false || !returned) return [];
  const declared = new Set(Object.keys((outputSchema["properties"] as Record<string, unknown> | undefined) ?? {}));
  return [...new Set(returned.flat().filter((name) => !declared.has(name)))].sort();
}
