/**
 * Making catalog text safe inside generated code. Names and descriptions come from tenant MCP
 * servers and are hostile input: nothing in them may end a comment, a string or a template, or
 * start a new line of code (U+2028/U+2029 are line terminators to some tools).
 */
export { stringLiteral } from "../core/canonical-json.ts";

/** Text for one line inside a block comment: no comment terminator, no line breaks, no control characters. */
export function commentText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\u0085]+/g, " ")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/\*\//g, "*\\/")
    .replace(/@(?=[A-Za-z])/g, "@\u200b") // no JSDoc tags injected by a description
    .trim();
}

/**
 * A JSDoc block from paragraphs of untrusted text, indented by `indent`, then tags Charter writes
 * (their values made safe).
 */
export function jsDoc(lines: string[], indent = "", tags: [string, string][] = []): string {
  const body = lines
    .flatMap((line) => line.split(/\r\n|[\r\n\u2028\u2029\u0085]/))
    .map(commentText)
    .map((line) => (line ? `${indent} * ${line}` : `${indent} *`));
  while (body.length > 0 && body[body.length - 1] === `${indent} *`) body.pop();
  for (const [tag, value] of tags) body.push(`${indent} * @${tag} ${commentText(value).slice(0, 200)}`);
  if (body.length === 0) return "";
  return `${indent}/**\n${body.join("\n")}\n${indent} */\n`;
}
