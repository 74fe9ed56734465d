/**
 * Limits every JSON value from outside (request bodies, MCP messages, a workflow's tests file)
 * must meet before Charter reads it: nesting at most MAX_JSON_DEPTH levels (validators, canonical
 * hashing and the store all recurse, so a value nested 100,000 deep would overflow their stacks)
 * no NUL character and no lone UTF-16 surrogate in any string or key (PostgreSQL cannot store
 * either: its text has no NUL, and its JSON refuses "\ud800" alone). Checked without recursion, for
 * the same reason.
 */

/** No request of Charter's needs deeper JSON than this. */
export const MAX_JSON_DEPTH = 64;

/** Why the value may not be read, in words for an error message; undefined when it may. */
export function jsonLimitProblem(value: unknown, what = "the body"): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (depth > MAX_JSON_DEPTH) return `${what} nests deeper than ${MAX_JSON_DEPTH} levels`;
    if (typeof item === "string") {
      const problem = textProblem(item, what);
      if (problem) return problem;
    } else if (item !== null && typeof item === "object") {
      for (const [key, inner] of Object.entries(item)) {
        const problem = textProblem(key, what);
        if (problem) return problem;
        stack.push([inner, depth + 1]);
      }
    }
  }
  return undefined;
}

function textProblem(text: string, what: string): string | undefined {
  if (text.includes("\u0000")) return `${what} holds a NUL character (\\u0000), which Charter does not store`;
  if (!text.isWellFormed())
    return (
      `${what} holds a lone UTF-16 surrogate (such as \\ud800 without its pair), which is not text ` +
      `Charter can store`
    );
  return undefined;
}

/** Whether a string can be stored as PostgreSQL text or JSON: no NUL, no lone surrogate. */
export function storableText(text: string): boolean {
  return !text.includes("\u0000") && text.isWellFormed();
}

/**
 * A copy of a JSON value whose strings and keys PostgreSQL can store: NUL characters and lone
 * surrogates become U+FFFD. Walked without recursion; `changed` says whether anything was replaced.
 * The copy has the value's shape (only characters inside strings and keys change), hence its type.
 */
export function storableJson<T>(value: T): { value: T; changed: boolean } {
  let changed = false;
  const clean = (text: string) => {
    if (storableText(text)) return text;
    changed = true;
    return text.replaceAll("\u0000", "\ufffd").toWellFormed();
  };
  const copy = (item: unknown): unknown =>
    typeof item === "string"
      ? clean(item)
      : Array.isArray(item)
        ? new Array<unknown>(item.length)
        : item !== null && typeof item === "object"
          ? {}
          : item;
  const root = copy(value);
  const stack: [unknown, unknown][] = [[value, root]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [from, to] = next;
    if (from === null || typeof from !== "object") continue;
    for (const [key, inner] of Object.entries(from)) {
      const made = copy(inner);
      if (Array.isArray(to)) to[Number(key)] = made;
      else Object.defineProperty(to, clean(key), { value: made, enumerable: true, writable: true, configurable: true });
      stack.push([inner, made]);
    }
  }
  return { value: root as T, changed };
}
