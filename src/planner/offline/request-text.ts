/**
 * The request as the offline planner reads it: every phrase a reader understands is taken (its
 * characters marked), and what no reader took is what the planner did not understand. A request
 * with any such word left is never planned: the planner says which words, so nothing is dropped.
 */
import { FILLER } from "../plan/check.ts";

/** What readers see in place of each quoted character. */
const QUOTED = "\u2063";

export type Taken = { start: number; end: number; text: string; by: string };

export class RequestText {
  /** The request as written, for everything shown to people (clauses, refusals). */
  readonly verbatim: string;
  /** What the readers match: lower case, with phrases already read replaced by pronouns. */
  original: string;
  lower: string;
  readonly #taken: boolean[];
  /** Characters inside quotes: readers see a placeholder there, so quoted text is never read as words. */
  readonly #quoted: boolean[];
  readonly spans: Taken[] = [];
  /** Where a phrase was replaced by a shorter one (padded): a match there stands for the whole phrase. */
  readonly #rewritten: [number, number][] = [];

  constructor(request: string) {
    this.verbatim = request;
    this.original = request;
    this.#quoted = Array.from({ length: request.length }, () => false);
    const lower = request.toLowerCase().replace(/[’‘]/g, "'").replace(/[“”]/g, '"');
    this.lower = lower.replace(/"[^"]*"/g, (quoted, at: number) => {
      for (let i = at + 1; i < at + quoted.length - 1; i++) this.#quoted[i] = true;
      return `"${QUOTED.repeat(quoted.length - 2)}"`;
    });
    this.#taken = Array.from({ length: request.length }, () => false);
  }

  /** Matches `pattern` (global) on the untaken text; each match is taken for `by`. Returns the matches. */
  take(pattern: RegExp, by: string): RegExpExecArray[] {
    const found: RegExpExecArray[] = [];
    const global = withFlags(pattern);
    for (let match = global.exec(this.lower); match; match = global.exec(this.lower)) {
      if (match[0].length === 0) {
        global.lastIndex++;
        continue;
      }
      const start = match.index;
      const end = start + match[0].length;
      if (this.#taken.slice(start, end).some(Boolean)) {
        // Overlaps what was read: try again from the next character, not after this match.
        global.lastIndex = start + 1;
        continue;
      }
      this.mark(start, end, by);
      found.push(match);
    }
    return found;
  }

  /** The first match of `pattern` on untaken text, taken for `by`; undefined when there is none. */
  takeOne(pattern: RegExp, by: string): RegExpExecArray | undefined {
    const global = withFlags(pattern);
    for (let match = global.exec(this.lower); match; match = global.exec(this.lower)) {
      const start = match.index;
      const end = start + match[0].length;
      if (match[0].length === 0) {
        global.lastIndex++;
        continue;
      }
      if (this.#taken.slice(start, end).some(Boolean)) {
        // Overlaps what was read: try again from the next character, not after this match.
        global.lastIndex = start + 1;
        continue;
      }
      this.mark(start, end, by);
      return match;
    }
    return undefined;
  }

  /** Whether the pattern matches untaken text (nothing is taken). */
  has(pattern: RegExp): boolean {
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
    for (let match = global.exec(this.lower); match; match = global.exec(this.lower)) {
      if (match[0].length === 0) {
        global.lastIndex++;
        continue;
      }
      if (!this.#taken.slice(match.index, match.index + match[0].length).some(Boolean)) return true;
      global.lastIndex = match.index + 1;
    }
    return false;
  }

  /** Whether no reader has taken any character of [start, end). */
  free(start: number, end: number): boolean {
    return !this.#taken.slice(start, end).some(Boolean);
  }

  mark(start: number, end: number, by: string): void {
    for (let i = start; i < end; i++) this.#taken[i] = true;
    this.spans.push({ start, end, text: this.verbatim.slice(start, end), by });
  }

  /**
   * Replaces a phrase already read by a pronoun ("every member of group x" → "them"), untaken, so
   * that actions can still read "send them a message" around it. The length stays the same.
   */
  substitute(start: number, end: number, word: string): void {
    const padded = word.padEnd(end - start).slice(0, end - start);
    this.lower = this.lower.slice(0, start) + padded + this.lower.slice(end);
    this.original = this.original.slice(0, start) + padded + this.original.slice(end);
    for (let i = start; i < end; i++) this.#taken[i] = false;
    this.#rewritten.push([start, end]);
  }

  /**
   * A named group of a match as written (case kept), when that part of the request was not
   * replaced by a pronoun; else as matched.
   */
  groupAsWritten(match: RegExpExecArray, name: string): string | undefined {
    const at = match.indices?.groups?.[name];
    const matched = match.groups?.[name];
    if (!at || matched === undefined) return matched;
    const written = this.verbatim.slice(at[0], at[1]);
    // Quoted text as written; elsewhere the written case where a pronoun did not replace the words.
    const lower = written.toLowerCase().replace(/[’‘]/g, "'").replace(/[“”]/g, '"');
    if (lower.length !== matched.length) return matched;
    return [...matched].map((c, i) => (this.#quoted[at[0] + i] || c === lower[i] ? (written[i] ?? c) : c)).join("");
  }

  /** The original text of a match (case kept). */
  originalOf(match: RegExpExecArray, group = 0): string {
    const text = match[group] ?? "";
    const offset = group === 0 ? 0 : match[0].indexOf(text);
    return this.originalSpan(match.index + offset, match.index + offset + text.length);
  }

  /** The original text of [start, end) (case kept), widened over any phrase rewritten into it. */
  originalSpan(first: number, last: number): string {
    let start = first;
    let end = last;
    // A match that reaches into a rewritten phrase stands for all of it, as written.
    for (const [from, to] of this.#rewritten) {
      if (from < end && to > start) {
        start = Math.min(start, from);
        end = Math.max(end, to);
      }
    }
    return this.verbatim.slice(start, end).trim();
  }

  /** Runs of untaken text that hold a word which is not filler, in order. */
  leftover(): string[] {
    const runs: string[] = [];
    let current = "";
    for (let i = 0; i <= this.lower.length; i++) {
      if (i < this.lower.length && !this.#taken[i]) current += this.lower[i];
      else if (current) {
        const words = current.toLowerCase().match(/[a-z0-9#@][a-z0-9#@_'-]*/g) ?? [];
        // Quoted text nothing took is meaning left over, whatever its words.
        if (current.includes(QUOTED) || words.some((w) => !FILLER.has(w.replace(/'s$/, ""))))
          runs.push(
            this.verbatim
              .slice(i - current.length, i)
              .trim()
              .replace(/^[,.;:]+|[,.;:]+$/g, "")
              .trim(),
          );
        current = "";
      }
    }
    return runs.filter(Boolean);
  }
}

/** The pattern, global and with match indices. */
function withFlags(pattern: RegExp): RegExp {
  let flags = pattern.flags;
  if (!flags.includes("g")) flags += "g";
  if (!flags.includes("d")) flags += "d";
  return new RegExp(pattern.source, flags);
}
