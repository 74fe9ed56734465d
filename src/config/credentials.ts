/**
 * Resolves an integration's credential references (environment variable or file) into values
 * wrapped in `Secret`, which prints as "[redacted]" everywhere (string, JSON, util.inspect), so a
 * stray log line or error message cannot carry one.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { inspect } from "node:util";
import type { CredentialState } from "../core/catalog.ts";
import type { CredentialSource, Integration } from "./tenant-config.ts";

export class Secret {
  readonly #value: string;
  readonly #parts: readonly string[];
  /**
   * `parts`: pieces of the value that are secret on their own (the token in "Bearer <token>"), redacted wherever they
   * appear.
   */
  constructor(value: string, parts: readonly string[] = []) {
    this.#value = value;
    this.#parts = parts;
  }
  /** What redaction looks for: the value and its secret parts. */
  forms(): readonly string[] {
    return [this.#value, ...this.#parts];
  }
  /** The plain value, for the one place that hands it to a transport. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [inspect.custom](): string {
    return "[redacted]";
  }
}

export type ResolvedCredentials = {
  state: Extract<CredentialState, "ok" | "missing" | "not-required">;
  /** One line per credential that could not be read, saying where it was looked for (never a value). */
  problems: string[];
  /** For stdio servers: environment variables of the server process. */
  env: Record<string, Secret>;
  /** For HTTP servers: request headers. */
  headers: Record<string, Secret>;
  /** For HTTP servers that authorize with OAuth as a confidential client. */
  oauthClientSecret?: Secret;
};

/** Reads every credential an integration references; missing ones are reported, not thrown. */
export async function resolveCredentials(
  integration: Integration,
  tenantDir: string,
  processEnv: Record<string, string | undefined>,
): Promise<ResolvedCredentials> {
  const result: ResolvedCredentials = { state: "not-required", problems: [], env: {}, headers: {} };
  const entries = Object.entries(integration.credentials);
  // An OAuth client secret is a credential too (the tokens are in the OAuth vault).
  const clientSecret = integration.transport === "http" ? integration.oauth?.clientSecret : undefined;
  if (clientSecret) {
    const read = await readSource(clientSecret, tenantDir, processEnv);
    if (typeof read === "string") result.problems.push(`oauth.clientSecret: ${read}`);
    else result.oauthClientSecret = read;
  }
  if (entries.length === 0) {
    if (clientSecret) result.state = result.problems.length > 0 ? "missing" : "ok";
    return result;
  }
  for (const [target, source] of entries) {
    const read = await readSource(source, tenantDir, processEnv);
    if (typeof read === "string") {
      result.problems.push(`${target}: ${read}`);
      continue;
    }
    if (integration.transport === "stdio") result.env[target] = read;
    else {
      const prefix = "prefix" in source && source.prefix !== undefined ? source.prefix : "";
      result.headers[target] = new Secret(prefix + read.reveal(), prefix ? [read.reveal()] : []);
    }
  }
  result.state = result.problems.length > 0 ? "missing" : "ok";
  return result;
}

async function readSource(
  source: CredentialSource,
  tenantDir: string,
  processEnv: Record<string, string | undefined>,
): Promise<Secret | string> {
  if ("env" in source) {
    const value = processEnv[source.env];
    if (value === undefined || value === "") return `environment variable ${source.env} is not set`;
    return new Secret(value);
  }
  const file = path.resolve(tenantDir, source.file);
  try {
    const value = (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    if (value === "") return `file ${file} is empty`;
    return new Secret(value);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `file ${file} does not exist` : `file ${file} cannot be read (${code ?? "error"})`;
  }
}

/**
 * Replaces every occurrence of the given secrets in a text (for messages from servers we do not
 * trust), also as a server may echo them: in any letter case and with separators between the
 * characters ("t o k e n", "T-O-K-E-N"); JSON-escaped, `\\u`-escaped, URL- or %-encoded, as HTML
 * entities; in hex (any case, with or without ":", "-" or spaces between bytes); and in base64
 * (standard and URL-safe) at any of the three alignments, so the secret inside a longer encoded
 * value ("Bearer <token>" in base64) is found too. One pattern per secret; it cannot backtrack
 * much whatever the server sends (the separators it allows exclude the secret's own characters, and
 * every other form is a literal). What it cannot promise: a server that holds the
 * credential can always disclose it in a form no filter knows (reversed, enciphered); redaction
 * guards against echoes, not against a hostile server, which already has the secret.
 */
export function redact(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  for (const secret of secrets) {
    for (const value of secret.forms()) {
      const pattern = secretPattern(value);
      if (pattern) out = out.replace(pattern, "[redacted]");
    }
  }
  return out;
}

const patterns = new Map<string, RegExp | undefined>();

function secretPattern(value: string): RegExp | undefined {
  let pattern = patterns.get(value);
  if (pattern !== undefined || patterns.has(value)) return pattern;
  pattern =
    value.length < 4
      ? undefined
      : new RegExp(
          secretForms(value)
            .map((form) => form.pattern)
            .join("|"),
          "giu",
        );
  if (patterns.size >= 256) patterns.delete(patterns.keys().next().value ?? "");
  patterns.set(value, pattern);
  return pattern;
}

/** The forms a secret may be echoed in, each as a regular expression, longest (most specific) first. */
export function secretForms(value: string): { name: string; pattern: string }[] {
  const bytes = [...Buffer.from(value, "utf8")];
  const chars = [...value];
  const hex = (byte: number) => byte.toString(16).padStart(2, "0");
  const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  // Separators a server may put between characters (up to three: spaces, tabs, newlines, zero-width
  // characters, punctuation, and tabs or newlines written as JSON escapes), but none the secret itself
  // holds, so matching stays linear.
  const separatorChars = [
    " ",
    "\t",
    "\n",
    "\r",
    ":",
    ".",
    "_",
    ",",
    "-",
    "/",
    "|",
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
  ].filter((c) => !value.includes(c));
  const separatorClass = separatorChars
    .map((c) => (c === "-" ? "\\-" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : c))
    .join("");
  const escapedSeparators = value.includes("\\") ? "" : "|\\\\{1,8}[tnr]";
  const separators = separatorClass ? `(?:[${separatorClass}]${escapedSeparators}){0,3}` : "";
  const units = Array.from({ length: value.length }, (_, i) => value.charCodeAt(i));
  const base64 = Buffer.from(value, "utf8").toString("base64");
  const forms = [
    { name: "text", pattern: separators ? chars.map(quote).join(separators) : quote(value) },
    { name: "json", pattern: quote(JSON.stringify(value).slice(1, -1)) },
    { name: "json-slash", pattern: quote(JSON.stringify(value).slice(1, -1).replace(/\//g, "\\/")) },
    // \u006c, also with the backslash escaped again (JSON text inside JSON, any depth), and \u{6c} and \x6c.
    {
      name: "unicode-escapes",
      pattern: units.map((unit) => `\\\\{1,8}u${unit.toString(16).padStart(4, "0")}`).join(""),
    },
    {
      name: "code-point-escapes",
      pattern: chars.map((c) => `\\\\{1,8}u\\{0*${(c.codePointAt(0) ?? 0).toString(16)}\\}`).join(""),
    },
    { name: "hex-escapes", pattern: bytes.map((b) => `\\\\{1,8}x${hex(b)}`).join("") },
    { name: "hex-literals", pattern: bytes.map((b) => `0x${hex(b)}`).join("[ ,]{0,2}") },
    { name: "url", pattern: quote(encodeURIComponent(value)) },
    { name: "percent", pattern: bytes.map((b) => `%(?:25)?${hex(b)}`).join("") },
    {
      name: "html",
      pattern: chars.map((c) => `&#(?:0*${c.codePointAt(0)}|x0*${(c.codePointAt(0) ?? 0).toString(16)});`).join(""),
    },
    { name: "hex", pattern: bytes.map(hex).join("[ :-]?") },
    ...[base64, base64.replace(/=+$/, ""), Buffer.from(value, "utf8").toString("base64url")].map((whole) => ({
      name: "base64-whole",
      pattern: quote(whole),
    })),
    ...base64Cores(Buffer.from(value, "utf8")).flatMap((core, shift) => [
      { name: `base64-${shift}`, pattern: quote(core) },
      { name: `base64url-${shift}`, pattern: quote(core.replace(/\+/g, "-").replace(/\//g, "_")) },
    ]),
  ];
  return forms.filter((form) => form.pattern.length >= 4).sort((a, b) => b.pattern.length - a.pattern.length);
}

/**
 * The part of base64 that depends only on the secret, for each of the three offsets it may start
 * at inside a longer value: the characters before and after that also carry neighbouring bytes are
 * left out. Cores of fewer than 6 characters are dropped (too likely to occur by chance).
 */
function base64Cores(secret: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), secret])
      .toString("base64")
      .replace(/=+$/, "");
    const total = shift + secret.length;
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor(total / 3) * 4 + [0, 1, 2][total % 3]!;
    const core = encoded.slice(start, end);
    if (core.length >= 6) cores.push(core);
  }
  return cores;
}

/** Every string (values and keys) in a JSON value redacted of the secrets. */
export function redactJson(value: unknown, secrets: readonly Secret[]): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, secrets));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(out, redact(key, secrets), {
        value: redactJson(item, secrets),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}
