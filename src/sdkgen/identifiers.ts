/**
 * Deterministic, safe identifiers for tool names: `create-incident`, `tickets.create incident`,
 * `delete`, `2fa_reset` all become valid, stable TypeScript identifiers. Names are assigned in the
 * catalog's sorted order, so a collision always resolves the same way (`_2`, `_3`, …).
 */

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if " +
    ("import in instanceof new null return super switch this throw true try typeof var void while " +
      "with yield let static ") +
    "implements interface package private protected public await arguments eval undefined NaN Infinity " +
    "any unknown never object string number boolean symbol bigint type namespace module declare abstract as async " +
    "constructor get set of require keyof readonly infer is asserts satisfies accessor out unique global"
  ).split(" "),
);

function words(name: string): string[] {
  return name
    .normalize("NFKD")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

/** camelCase, never reserved, never starting with a digit; "" only when the name has no letters or digits. */
export function camelIdentifier(name: string): string {
  const parts = words(name);
  const joined = parts.map((word, i) => (i === 0 ? word.toLowerCase() : capitalize(word))).join("");
  return fixup(joined);
}

/** PascalCase variant for type names. */
export function pascalIdentifier(name: string): string {
  return fixup(words(name).map(capitalize).join(""));
}

function fixup(identifier: string): string {
  if (identifier === "") return "";
  const safe = /^[0-9]/.test(identifier) ? `_${identifier}` : identifier;
  return RESERVED.has(safe) ? `${safe}_` : safe;
}

/** Hands out unique names: the first request for a base gets it, later ones get `_2`, `_3`, … */
export class NameRegistry {
  readonly #used = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.#used.add(name);
  }
  claim(base: string, fallback: string): string {
    const start = base || fallback;
    let name = start;
    for (let n = 2; this.#used.has(name); n++) name = `${start}_${n}`;
    this.#used.add(name);
    return name;
  }
}
