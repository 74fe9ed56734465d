/**
 * Reads a JSON value out of TypeScript syntax without running anything: object and array
 * literals, strings, numbers, booleans, null, `as const`/`satisfies` wrappers, and names of
 * top-level `const`s with such initialisers. Anything else is reported at its node, because a
 * schema or trigger the compiler cannot read is one the reviewer cannot trust.
 */
import { ts } from "ts-morph";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export class NotLiteral extends Error {
  readonly node: ts.Node;
  constructor(node: ts.Node, message: string) {
    super(message);
    this.node = node;
  }
}

/** The JSON value `node` spells; throws NotLiteral at the first part that is not a literal. */
export function literalJson(node: ts.Node, checker: ts.TypeChecker, depth = 0): Json {
  if (depth > 64) throw new NotLiteral(node, "is nested too deeply");
  const next = (child: ts.Node) => literalJson(child, checker, depth + 1);
  if (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    return next(node.expression);
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  )
    return -Number(node.operand.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.map((element) => {
      if (ts.isSpreadElement(element)) throw new NotLiteral(element, "uses a spread; write the elements out");
      return next(element);
    });
  }
  if (ts.isObjectLiteralExpression(node)) {
    const value: { [key: string]: Json } = {};
    for (const property of node.properties) {
      if (!ts.isPropertyAssignment(property))
        throw new NotLiteral(property, "must contain only `key: value` properties (no spreads, methods or shorthand)");
      // defineProperty, not assignment: a "__proto__" key must stay a key, never set a prototype
      Object.defineProperty(value, propertyKey(property.name), {
        value: next(property.initializer),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return value;
  }
  if (ts.isIdentifier(node)) {
    const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
    if (
      declaration &&
      ts.isVariableDeclaration(declaration) &&
      declaration.initializer &&
      declaration.getSourceFile() === node.getSourceFile() &&
      ts.isVariableDeclarationList(declaration.parent) &&
      (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
      ts.isVariableStatement(declaration.parent.parent) &&
      ts.isSourceFile(declaration.parent.parent.parent)
    ) {
      return next(declaration.initializer);
    }
    throw new NotLiteral(node, `refers to "${node.text}", which is not a top-level const with a literal value`);
  }
  throw new NotLiteral(node, "must be a literal (objects, arrays, strings, numbers, booleans, null)");
}

function propertyKey(name: ts.PropertyName): string {
  if (
    ts.isIdentifier(name) ||
    ts.isStringLiteral(name) ||
    ts.isNumericLiteral(name) ||
    ts.isNoSubstitutionTemplateLiteral(name)
  )
    return name.text;
  if (
    ts.isComputedPropertyName(name) &&
    (ts.isStringLiteral(name.expression) || ts.isNoSubstitutionTemplateLiteral(name.expression))
  )
    return name.expression.text;
  throw new NotLiteral(name, "has a computed key; write the key out");
}
