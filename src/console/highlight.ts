/**
 * Workflow sources and diffs as reviewers read them: TypeScript coloured on the server by
 * highlight.js (no script in the browser), and unified diffs with added and removed lines marked.
 */
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import { html, raw } from "hono/html";
import type { Html } from "./layout.ts";

hljs.registerLanguage("typescript", typescript);

/** Sources longer than this are shown as plain (escaped) text: colouring them would hold the page up. */
const MAX_HIGHLIGHTED = 250_000;
/** Diff lines shown at most; the rest is counted. */
const MAX_DIFF_LINES = 5_000;

/** A TypeScript source as a coloured `<pre><code>`; the code is escaped. */
export function highlightedSource(source: string, label: string): Html {
  if (source.length > MAX_HIGHLIGHTED)
    return html`<pre class="source" tabindex="0" aria-label="${label}"><code>${source}</code></pre>`;
  const { value } = hljs.highlight(source, { language: "typescript", ignoreIllegals: true });
  // raw(): highlight.js escapes every character of the code it is given (&, <, >, " and ') and adds
  // only its own <span class="hljs-…"> elements, so this markup carries the source as text alone.
  return html`<pre class="source" tabindex="0" aria-label="${label}"><code class="hljs">${raw(value)}</code></pre>`;
}

/** A unified diff, one line per element: `+` lines .diff-add, `-` lines .diff-del, hunk headers .diff-hunk. */
export function unifiedDiff(patch: string, label: string): Html {
  const lines = patch.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, MAX_DIFF_LINES).map((line) => {
    const kind =
      line.startsWith("+++") || line.startsWith("---") || line.startsWith("===") || line.startsWith("Index:")
        ? "diff-file"
        : line.startsWith("+")
          ? "diff-add"
          : line.startsWith("-")
            ? "diff-del"
            : line.startsWith("@@")
              ? "diff-hunk"
              : "diff-line";
    return html`<span class="${kind}">${line || " "}</span>`;
  });
  const more = lines.length - shown.length;
  return html`<pre class="diff" tabindex="0" aria-label="${label}"><code>${shown}</code></pre>${
    more > 0 ? html`<p class="muted">${more} more lines not shown.</p>` : ""
  }`;
}
