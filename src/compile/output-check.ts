/**
 * What TypeScript lets through between `run` and a closed output schema: an inferred return type
 * with extra properties is assignable to the declared one, but the schema (additionalProperties:
 * false) would refuse the value at run time. When every `return` of an async `run` gives an object
 * literal, its keys are the answer and no checker is asked (`literalReturnedProperties`); otherwise
 * the checker's return type of `run` decides: the embedded checker's (`returnedPropertiesOf`) or
 * the native one's, asked at `runNamePosition`.
 */
import { ts } from "ts-morph";
import { definitionProperty } from "./definition-syntax.ts";

/** Whether `run` is written where its return type can be read: an arrow, a function expression or a method. */
function isRunFunction(run: ts.Node): run is ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration {
  return ts.isArrowFunction(run) || ts.isFunctionExpression(run) || ts.isMethodDeclaration(run);
}

/**
 * The top-level property names `run` can return, read from the syntax, when that is exact: `run`
 * is an async function (not a generator) and each value it returns is an object literal
 * (parenthesised, or either branch of `?:`) whose properties are plain names with no spread or
 * computed key. Then each literal's keys are what its awaited return type holds, as the checker
 * would say. Undefined whenever anything else is returned: the checker must answer.
 */
export function literalReturnedProperties(run: ts.Node): string[][] | undefined {
  if (
    !isRunFunction(run) ||
    run.asteriskToken ||
    !run.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ||
    !run.body
  )
    return undefined;
  const returned: string[][] = [];
  const literal = (expression: ts.Expression): boolean => {
    if (ts.isParenthesizedExpression(expression)) return literal(expression.expression);
    if (ts.isConditionalExpression(expression)) return literal(expression.whenTrue) && literal(expression.whenFalse);
    if (!ts.isObjectLiteralExpression(expression)) return false;
    const names: string[] = [];
    for (const property of expression.properties) {
      if (
        ts.isSpreadAssignment(property) ||
        !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) || ts.isNumericLiteral(property.name))
      )
        return false;
      names.push(property.name.text);
    }
    returned.push(names);
    return true;
  };
  if (!ts.isBlock(run.body)) return literal(run.body) ? returned : undefined;
  let exact = true;
  const visit = (node: ts.Node): void => {
    if (!exact || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) {
      exact = node.expression !== undefined && literal(node.expression);
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(run.body, visit);
  return exact ? returned : undefined;
}

/** Top-level property names of each object type `run` can resolve to, from the embedded checker. */
export function returnedPropertiesOf(run: ts.Node, checker: ts.TypeChecker): string[][] | undefined {
  if (!isRunFunction(run)) return undefined;
  const signature = checker.getSignatureFromDeclaration(run);
  if (!signature) return undefined;
  const returned = checker.getAwaitedType(checker.getReturnTypeOfSignature(signature));
  if (!returned) return undefined;
  const members = returned.isUnion() ? returned.types : [returned];
  return members
    .filter((member) => member.flags & ts.TypeFlags.Object)
    .map((member) => checker.getPropertiesOfType(member).map((property) => property.name));
}

/** Where `run`'s name is, for a checker that is asked by position; undefined when run is not written in place. */
export function runNamePosition(run: ts.Node): number | undefined {
  if (!isRunFunction(run)) return undefined;
  if (ts.isMethodDeclaration(run)) return run.name.getStart();
  return ts.isPropertyAssignment(run.parent) ? run.parent.name.getStart() : undefined;
}

/**
 * `run` of `export default defineWorkflow({ ... })`, read from the syntax alone (its value, or the
 * method), so the native checker can be asked before the analysis has confirmed the definition.
 */
export function declaredRun(file: ts.SourceFile): ts.Node | undefined {
  const property = definitionProperty(file, "run");
  return property && (ts.isPropertyAssignment(property) ? property.initializer : property);
}

/** Returned top-level properties that a closed output schema does not list, sorted. */
export function undeclaredFields(
  returned: readonly (readonly string[])[] | undefined,
  outputSchema: Record<string, unknown>,
): string[] {
  if (outputSchema["additionalProperties"] !== false || !returned) return [];
  const declared = new Set(Object.keys((outputSchema["properties"] as Record<string, unknown> | undefined) ?? {}));
  return [...new Set(returned.flat().filter((name) => !declared.has(name)))].sort();
}
