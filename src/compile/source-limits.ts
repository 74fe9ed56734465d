/**
 * What a workflow's text must satisfy before the rest of the compiler reads it.
 *
 * Nesting: the parser, the type checker, the analysis and the bundler all recurse over the syntax
 * tree, so a source nested thousands of levels deep (parentheses, blocks, `!`, `if`, arrows) would
 * overflow their stacks and surface as an unexpected error. The parse is guarded, and a parsed tree
 * deeper than MAX_NESTING is refused at the node where it crosses, before any recursive stage runs.
 * Real workflows nest a few dozen levels (the deepest file in this repository, 29).
 *
 * A NUL character: no workflow needs one in its text (a string can say "\u0000"), and PostgreSQL
 * text cannot store it.
 *
 * Type-checker suppressions: `@ts-ignore`, `@ts-expect-error` and `@ts-nocheck` would let code use
 * names that exist only at run time (the host's entry points), which the analysis could not list
 * as capabilities; a workflow must type-check as written. Matched anywhere in the text (strings
 * too), so no trick of the tokenizer can hide one.
 */
import { ts } from "ts-morph";
import { parseWorkflow } from "./typecheck.ts";

export const MAX_NESTING = 200;

/** No boundary after the word: TypeScript honours "@ts-ignore_" and "@ts-ignoreX" too. */
const SUPPRESSION = /@ts-(?:ignore|expect-error|nocheck)/gi;

export type SourceProblem = {
  line: number;
  column: number;
  code: "CHARTER_TOO_DEEP" | "CHARTER_FORBIDDEN_SUPPRESSION" | "CHARTER_FORBIDDEN_CHARACTER";
  message: string;
};

/** The parsed source, or the problems that stop the compile before anything recursive reads it. */
export function parseWithinLimits(source: string): { sourceFile: ts.SourceFile } | { problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const nul = source.indexOf("\u0000");
  if (nul !== -1)
    problems.push({
      ...lineAndColumn(source, nul),
      code: "CHARTER_FORBIDDEN_CHARACTER",
      message:
        "the source holds a NUL character (\\u0000), which no workflow needs and Charter does not " +
        'store; write "\\u0000" in a string if one is meant',
    });
  if (!source.isWellFormed()) {
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(source)?.index ?? 0;
    problems.push({
      ...lineAndColumn(source, lone),
      code: "CHARTER_FORBIDDEN_CHARACTER",
      message:
        "the source holds a lone UTF-16 surrogate (half of a character), which is not text Charter " +
        "can store; write the whole character",
    });
  }
  for (const match of source.matchAll(SUPPRESSION)) {
    problems.push({
      ...lineAndColumn(source, match.index),
      code: "CHARTER_FORBIDDEN_SUPPRESSION",
      message:
        `\`${match[0]}\` is not allowed in a workflow: its code must type-check as written, so that ` +
        `every name it uses is known and every tool it calls is listed`,
    });
  }
  let sourceFile: ts.SourceFile;
  try {
    sourceFile = parseWorkflow(source);
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    return { problems: [...problems, tooDeep(source, 0)] };
  }
  const deepest = firstNodeDeeperThan(sourceFile, MAX_NESTING);
  if (deepest) problems.push(tooDeep(source, deepest.getStart(sourceFile)));
  return problems.length > 0 ? { problems } : { sourceFile };
}

function tooDeep(source: string, position: number): SourceProblem {
  return {
    ...lineAndColumn(source, position),
    code: "CHARTER_TOO_DEEP",
    message:
      `the code nests more than ${MAX_NESTING} levels deep here; split it into functions or flatten ` +
      `the expression`,
  };
}

/**
 * Walks the tree without recursion (the point is not to overflow) and returns the first node past
 * the limit. A regular expression literal is one token whose groups nest inside it: its nesting
 * counts too (a pattern of 20,000 nested groups kept the checker busy for seconds).
 */
function firstNodeDeeperThan(root: ts.Node, limit: number): ts.Node | undefined {
  const stack: [ts.Node, number][] = [[root, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (depth > limit || (ts.isRegularExpressionLiteral(node) && depth + groupDepth(node.text) > limit)) return node;
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return undefined;
}

/** How deep the groups of a regular expression's source nest (escapes and character classes skipped). */
function groupDepth(pattern: string): number {
  let depth = 0;
  let deepest = 0;
  let inClass = false;
  for (let at = 0; at < pattern.length; at++) {
    const c = pattern[at];
    if (c === "\\") at++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") deepest = Math.max(deepest, ++depth);
    else if (c === ")") depth--;
  }
  return deepest;
}

/** 1-based, as diagnostics are; counted on the text, since a source that overflowed the parser has no line map. */
function lineAndColumn(source: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = source.indexOf("\n"); at !== -1 && at < position; at = source.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: position - lineStart + 1 };
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
