/**
 * The properties of `export default defineWorkflow({ … })`, read from the syntax alone, for
 * readers that cannot wait for (or do not need) the checker: the native checker's `run` position
 * before the analysis, a stored version's description for its MCP tool.
 */
import { ts } from "ts-morph";

/** The named property of the default export's object-literal argument, if the module has one. */
export function definitionProperty(file: ts.SourceFile, name: string): ts.ObjectLiteralElementLike | undefined {
  for (const statement of file.statements) {
    if (!ts.isExportAssignment(statement) || statement.isExportEquals || !ts.isCallExpression(statement.expression))
      continue;
    const argument = statement.expression.arguments[0];
    if (!argument || !ts.isObjectLiteralExpression(argument)) return undefined;
    return argument.properties.find(
      (property) => property.name !== undefined && ts.isIdentifier(property.name) && property.name.text === name,
    );
  }
  return undefined;
}

/** The `description` string of a workflow's source, when it is written as a string literal. */
export function definitionDescription(source: string): string | undefined {
  const property = definitionProperty(
    ts.createSourceFile("workflow.ts", source, ts.ScriptTarget.ES2023, false, ts.ScriptKind.TS),
    "description",
  );
  return property && ts.isPropertyAssignment(property) && ts.isStringLiteralLike(property.initializer)
    ? property.initializer.text
    : undefined;
}
