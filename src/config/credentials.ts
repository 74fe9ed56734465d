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
  constructor(value: string) {
    this.#value = value;
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
};

/** Reads every credential an integration references; missing ones are reported, not thrown. */
export async function resolveCredentials(
  integration: Integration,
  tenantDir: string,
  processEnv: Record<string, string | undefined>,
): Promise<ResolvedCredentials> {
  const result: ResolvedCredentials = { state: "not-required", problems: [], env: {}, headers: {} };
  const entries = Object.entries(integration.credentials);
  if (entries.length === 0) return result;
  for (const [target, source] of entries) {
    const read = await readSource(source, tenantDir, processEnv);
    if (typeof read === "string") {
      result.problems.push(`${target}: ${read}`);
      continue;
    }
    if (integration.transport === "stdio") result.env[target] = read;
    else {
      const prefix = "prefix" in source && source.prefix !== undefined ? source.prefix : "";
      result.headers[target] = new Secret(prefix + read.reveal());
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
 * trust), also as a server may echo them: JSON-escaped, URL-encoded, base64 (standard and URL-safe,
 * padded or not) and hex.
 */
export function redact(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length < 4) continue;
    const bytes = Buffer.from(value, "utf8");
    const json = JSON.stringify(value).slice(1, -1);
    const forms = new Set([value, json, json.replace(/\//g, "\\/"), encodeURIComponent(value), bytes.toString("base64"), bytes.toString("base64").replace(/=+$/, ""), bytes.toString("base64url"), bytes.toString("hex"), bytes.toString("hex").toUpperCase()]);
    for (const form of [...forms].sort((a, b) => b.length - a.length)) if (form.length >= 4) out = out.split(form).join("[redacted]");
  }
  return out;
}
