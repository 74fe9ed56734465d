/**
 * Tenant configuration files (`tenants/<id>/tenant.json`): which MCP servers a tenant has and
 * where each credential comes from. Secrets are never written in the file; a plain `env` or
 * `headers` entry whose name looks like a secret is refused so that one cannot slip in by habit.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";

export const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const INTEGRATION_ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
const SECRET_LOOKING_NAME = /(token|secret|passw|api[-_]?key|authorization|cookie|credential)/i;

/** Where a secret's value is read from when Charter connects; the value itself never is in the file. */
export const CredentialSource = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name") }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type CredentialSource = z.infer<typeof CredentialSource>;

const Timeouts = z
  .object({
    connectMs: z.number().int().positive().max(600_000).optional(),
    requestMs: z.number().int().positive().max(3_600_000).optional(),
  })
  .strict();

const plainValues = (what: "env" | "headers") =>
  z.record(z.string(), z.string()).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (SECRET_LOOKING_NAME.test(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `looks like a secret; reference it under "credentials" instead of writing it in ${what}`,
        });
      }
    }
  });

function validRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const Process = {
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: plainValues("env").default({}),
  cwd: z.string().optional(),
};

/**
 * What the tenant says of a tool, over what its server declares (or leaves to MCP's defaults):
 * tool name → hints. Part of the catalog (and its hash), so a change is drift a reviewer sees.
 */
const AnnotationOverrides = z.record(
  z.string().min(1),
  z
    .object({
      readOnly: z.boolean().optional(),
      destructive: z.boolean().optional(),
      idempotent: z.boolean().optional(),
      openWorld: z.boolean().optional(),
    })
    .strict(),
);

export const StdioIntegration = z
  .object({
    transport: z.literal("stdio"),
    description: z.string().optional(),
    ...Process,
    /** Environment variable name in the server's process → where its value comes from. */
    credentials: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), CredentialSource).default({}),
    timeouts: Timeouts.optional(),
    annotations: AnnotationOverrides.optional(),
  })
  .strict();
export type StdioIntegration = z.infer<typeof StdioIntegration>;

const HeaderCredential = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), prefix: z.string().optional() }).strict(),
  z.object({ file: z.string().min(1), prefix: z.string().optional() }).strict(),
]);

export const HttpIntegration = z
  .object({
    transport: z.literal("http"),
    description: z.string().optional(),
    /** The Streamable HTTP endpoint. Optional only when `launch` starts a local server that prints it. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    headers: plainValues("headers").default({}),
    /** Header name → where its value comes from (with an optional prefix such as "Bearer "). */
    credentials: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), HeaderCredential).default({}),
    /**
     * A local server Charter starts itself. It is ready when it prints `MCP_HTTP_URL=<url>` on
     * stdout, or, with `ready`, when it prints a line matching `ready.line` (stdout or stderr) or
     * when `url` answers HTTP (`ready.poll`); with `ready`, `url` says where it listens.
     */
    launch: z
      .object({
        ...Process,
        ready: z
          .union([
            z
              .object({ line: z.string().min(1).max(500).refine(validRegex, "is not a valid regular expression") })
              .strict(),
            z.object({ poll: z.literal(true) }).strict(),
          ])
          .optional(),
      })
      .strict()
      .optional(),
    timeouts: Timeouts.optional(),
    annotations: AnnotationOverrides.optional(),
    /**
     * The server wants OAuth 2.1: Charter authorizes once with the authorization code and PKCE
     * (`charter integrations authorize`), keeps the tokens sealed, and refreshes them. Without
     * `clientId`, Charter registers itself with the authorization server (dynamic registration).
     */
    oauth: z
      .object({
        clientId: z.string().min(1).optional(),
        clientSecret: z
          .union([
            z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }).strict(),
            z.object({ file: z.string().min(1) }).strict(),
          ])
          .optional(),
        scopes: z.array(z.string().min(1)).optional(),
        /**
         * Where the authorization server sends the browser back: a loopback address `charter
         * integrations authorize` listens on.
         */
        redirectUri: z
          .url({ protocol: /^http$/, hostname: /^(127\.0\.0\.1|localhost|\[::1\])$/ })
          .default("http://127.0.0.1:8976/callback"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((value) => value.oauth === undefined || value.url !== undefined, {
    message: '"oauth" needs "url": the authorization server is found from the server\'s address',
  })
  .refine((value) => value.url !== undefined || value.launch !== undefined, {
    message: 'needs "url", or "launch" for a local server that prints its URL',
  })
  .refine((value) => value.url !== undefined || value.launch?.ready === undefined, {
    message: 'a launch with "ready" needs "url": the server does not print it',
  });
export type HttpIntegration = z.infer<typeof HttpIntegration>;

export const Integration = z.discriminatedUnion("transport", [StdioIntegration, HttpIntegration]);
export type Integration = z.infer<typeof Integration>;

export const TenantFile = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    integrations: z.record(
      z.string().regex(INTEGRATION_ID_PATTERN, "integration ids are lower-case letters, digits and _"),
      Integration,
    ),
    policies: z
      .object({
        /** Versions that can call a destructive tool need approvals from two different reviewers. */
        twoApproversForDestructive: z.boolean().default(false),
        /** A queued run whose version was superseded before a worker took it: run it as queued, or refuse it. */
        queuedRunsOfSuperseded: z.enum(["run", "refuse"]).default("run"),
      })
      .strict()
      .default({ twoApproversForDestructive: false, queuedRunsOfSuperseded: "run" }),
    limits: z
      .object({
        /** Runs of this tenant going at once across all workers (default CHARTER_TENANT_CONCURRENCY). */
        concurrentRuns: z.number().int().min(1).max(1000).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type TenantFile = z.infer<typeof TenantFile>;

export type TenantConfig = {
  id: string;
  /** Absolute folder of the tenant; relative paths in its file are resolved against it. */
  dir: string;
  file: string;
  config: TenantFile;
};

/** Every tenant folder under `tenantsDir` that holds a tenant.json, sorted. */
export async function listTenantIds(tenantsDir: string): Promise<string[]> {
  const entries = await readdir(tenantsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw new ConfigError("TENANT_NOT_FOUND", `tenants folder ${tenantsDir} does not exist; set CHARTER_TENANTS_DIR`);
    }
    throw error;
  });
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !TENANT_ID_PATTERN.test(entry.name)) continue;
    const exists = await readFile(path.join(tenantsDir, entry.name, "tenant.json")).then(
      () => true,
      () => false,
    );
    if (exists) ids.push(entry.name);
  }
  return ids.sort();
}

/** Reads and validates one tenant's file; errors name the file, the JSON path and what is wrong. */
export async function loadTenantConfig(tenantsDir: string, id: string): Promise<TenantConfig> {
  if (!TENANT_ID_PATTERN.test(id)) {
    throw new ConfigError("TENANT_NOT_FOUND", `"${id}" is not a tenant id (lower-case letters, digits and -)`);
  }
  const dir = path.join(tenantsDir, id);
  const file = path.join(dir, "tenant.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ConfigError("TENANT_NOT_FOUND", `no tenant "${id}": ${file} does not exist`);
    }
    throw new ConfigError("CONFIG_INVALID", `${file}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  return { id, dir, file, config: parseTenantFile(file, text, id) };
}

/**
 * Parses the text of a tenant file; `file` only names it in errors. Beside Charter's own
 * `integrations`, the file may hold the `mcpServers` object MCP clients use (Claude Desktop, Cursor,
 * VS Code): see fromMcpServers. A file with only `mcpServers` is named after `tenantId`.
 */
export function parseTenantFile(file: string, text: string, tenantId?: string): TenantFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("CONFIG_INVALID", `${file}: not valid JSON (${(error as Error).message})`);
  }
  const problems: string[] = [];
  const merged = withMcpServers(json, tenantId, problems);
  const parsed = TenantFile.safeParse(merged);
  if (parsed.success && problems.length === 0) return parsed.data;
  const lines = [
    ...problems,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => {
          const at = issue.path.length === 0 ? "(top level)" : issue.path.map(String).join(".");
          return `  ${at}: ${issue.message}`;
        })),
  ];
  throw new ConfigError("CONFIG_INVALID", `${file} is not a valid tenant file:\n${lines.join("\n")}`);
}

/**
 * One entry of an MCP client's `mcpServers`: a command to start (stdio), or a URL (Streamable HTTP). Keys clients add
 * for themselves (autoApprove, …) are ignored.
 */
const McpServerEntry = z.looseObject({
  type: z.string().optional(),
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  disabled: z.boolean().optional(),
});

/**
 * A value that is only a reference to an environment variable: `${VAR}` or `${env:VAR}`, with an
 * optional text before it ("Bearer ${TOKEN}").
 */
const ENV_REFERENCE = /^(.*?)\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * The file with its `mcpServers` entries turned into Charter integrations and merged into
 * `integrations`: an entry's id is its name in lower case with `-` as `_`; a value written as
 * `${VAR}` (or `${env:VAR}`, after an optional prefix such as "Bearer ") becomes a credential read
 * from that environment variable, never a stored value; a plain value under a name that looks like
 * a secret is refused, as in `integrations`; `disabled` entries are left out; the old HTTP+SSE
 * transport (`type: "sse"`) is refused with what to use instead. Problems go to `problems`.
 */
function withMcpServers(json: unknown, tenantId: string | undefined, problems: string[]): unknown {
  if (typeof json !== "object" || json === null || !("mcpServers" in json)) return json;
  const { mcpServers, ...rest } = json as Record<string, unknown>;
  const entries = z.record(z.string(), McpServerEntry).safeParse(mcpServers);
  if (!entries.success) {
    problems.push(
      ...entries.error.issues.map((issue) => `  mcpServers.${issue.path.map(String).join(".")}: ${issue.message}`),
    );
    return rest;
  }
  const integrations: Record<string, unknown> = {
    ...((rest["integrations"] as Record<string, unknown> | undefined) ?? {}),
  };
  for (const [name, entry] of Object.entries(entries.data)) {
    if (entry.disabled) continue;
    const at = `  mcpServers.${name}`;
    const id = name.toLowerCase().replaceAll("-", "_");
    if (!INTEGRATION_ID_PATTERN.test(id)) {
      problems.push(`${at}: "${name}" cannot be an integration id (letters, digits, - and _, starting with a letter)`);
      continue;
    }
    if (id in integrations) {
      problems.push(`${at}: "${id}" is also in integrations; name it once`);
      continue;
    }
    const plain: Record<string, string> = {};
    const credentials: Record<string, { env: string; prefix?: string }> = {};
    const split = (values: Record<string, string> | undefined, what: "env" | "headers") => {
      for (const [key, value] of Object.entries(values ?? {})) {
        const reference = ENV_REFERENCE.exec(value);
        if (reference?.[2] && (what === "headers" || !reference[1]))
          credentials[key] = { env: reference[2], ...(reference[1] ? { prefix: reference[1] } : {}) };
        else if (SECRET_LOOKING_NAME.test(key))
          problems.push(
            `${at}.${what}.${key}: looks like a secret; write it as ` +
              `"\${${what === "env" ? key : "VARIABLE"}}" so that Charter reads it from the ` +
              `environment (it never stores a secret)`,
          );
        else plain[key] = value;
      }
    };
    if (entry.type === "sse") {
      problems.push(
        `${at}: the HTTP+SSE transport is not supported; point "url" at the server's Streamable ` +
          `HTTP endpoint (type "http")`,
      );
    } else if (entry.command !== undefined) {
      split(entry.env, "env");
      integrations[id] = {
        transport: "stdio",
        command: entry.command,
        args: entry.args ?? [],
        env: plain,
        ...(entry.cwd ? { cwd: entry.cwd } : {}),
        credentials: Object.fromEntries(Object.entries(credentials).map(([key, { env }]) => [key, { env }])),
      };
    } else if (entry.url !== undefined) {
      split(entry.headers, "headers");
      integrations[id] = { transport: "http", url: entry.url, headers: plain, credentials };
    } else {
      problems.push(`${at}: needs "command" (a local server over stdio) or "url" (Streamable HTTP)`);
    }
  }
  return { ...(rest["name"] === undefined && tenantId ? { name: tenantId } : {}), ...rest, integrations };
}
