/**
 * What TypeScript lets through between `run` and a closed output schema: an inferred return type
 * with extra properties is assignable to the declared one, but the schema (additionalProperties:
 * false) would refuse the value at run time. Found here, from the checker's return type of `run`.
 */
import { ts } from "ts-morph";

/** Top-level properties `run` can return that a closed output schema does not list. */
export function undeclaredOutputFields(run: ts.Node, checker: ts.TypeChecker, outputSchema: Record<string, unknown>): string[] {
  if (outputSchema["additionalProperties"] !== false) return [];
  if (!ts.isArrowFunction(run) && !ts.isFunctionExpression(run) && !ts.isMethodDeclaration(run)) return [];
  const signature = checker.getSignatureFromDeclaration(run);
  if (!signature) return [];
  const returned = checker.getAwaitedType(checker.getReturnTypeOfSignature(signature));
  if (!returned) return [];
  const declared = new Set(Object.keys((outputSchema["properties"] as Record<string, unknown> | undefined) ?? {}));
  const extra = new Set<string>();
  for (const member of returned.isUnion() ? returned.types : [returned]) {
    if (!(member.flags & ts.TypeFlags.Object)) continue;
    for (const property of checker.getPropertiesOfType(member)) if (!declared.has(property.name)) extra.add(property.name);
  }
  return [...extra].sort();
}
