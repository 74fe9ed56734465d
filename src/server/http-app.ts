/**
 * The HTTP API (hono), under /api/v1, and the webhook endpoint. Every tenant route needs a
 * bearer API key; the key's tenant must be the route's (otherwise 404, never a hint the tenant
 * exists) and its user must hold the route's role. Bodies are parsed with strict zod schemas;
 * errors are JSON with a stable code and a message that says what to do; nothing leaks a stack.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { App } from "../app.ts";
import { CharterError, errorText, PlannerDeclined } from "../core/errors.ts";
import { jsonLimitProblem } from "../core/json-limits.ts";
import type { Role, UserRow } from "../store/index.ts";
import type { Actor } from "../versions/index.ts";
import { httpStatus } from "./http-status.ts";
import { OPENAPI } from "./openapi.ts";
import { REPLAY_WINDOW_S, verify, webhookKey, webhookSecret } from "./webhooks.ts";
import { mcpEndpoint } from "../mcp-server/index.ts";
import { protectedResourceMetadata, resourceOf } from "../mcp-server/oauth-resource.ts";
import type { Dispatcher } from "../triggers/index.ts";

type Vars = { Variables: { actor: Actor; tenantId: string; user: UserRow; keyPrefix: string } };

const MAX_BODY = 1024 * 1024;

/** One structured log line per event; never bodies, headers or keys. */
export type LogLine = Record<string, unknown> & { event: string };

/**
 * With a dispatcher, manual and webhook runs are queued for workers (the answer is 202 with the
 * job; `?wait=<seconds>` on a manual run waits for it); without one (tests, tools), they run inline.
 */
export async function createHttpApp(
  app: App,
  options: { log?: (line: LogLine) => void; dispatcher?: Dispatcher } = {},
): Promise<Hono<Vars>> {
  const dispatcher = options.dispatcher;
  const key = await webhookKey(app.env.dataDir, process.env["CHARTER_WEBHOOK_KEY"]);
  const http = new Hono<Vars>();
  // Unexpected errors are logged even without a request log (to stderr), since the answer says so.
  const log = options.log ?? ((line: LogLine) => process.stderr.write(`${JSON.stringify(line)}\n`));

  http.onError((error, c) => {
    if (error instanceof PlannerDeclined)
      return c.json(
        { error: { code: error.code, message: error.message, retryable: false, ...error.toJSON() } },
        httpStatus(error.code),
      );
    if (error instanceof CharterError)
      return c.json(
        { error: { code: error.code, message: error.message, retryable: error.retryable } },
        httpStatus(error.code),
      );
    if (error instanceof z.ZodError)
      return c.json(
        {
          error: {
            code: "INVALID_REQUEST",
            message: error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "),
            retryable: false,
          },
        },
        400,
      );
    if (error instanceof BadRequest)
      return c.json({ error: { code: "INVALID_REQUEST", message: error.message, retryable: false } }, 400);
    // Never the request's data: a failed query's message ends with its parameters, which are cut off.
    const message = errorText(error);
    log({ at: new Date().toISOString(), event: "http-error", method: c.req.method, path: c.req.path, message });
    return c.json(
      {
        error: {
          code: "INTERNAL",
          message: "Charter failed to handle the request; it is logged; try again or report it",
          retryable: true,
        },
      },
      500,
    );
  });
  // A request answered without its body being read (refused before it was needed) must not keep
  // its connection: the unread bytes would be taken for the next request on it, so Node closes it,
  // and a client told "keep-alive" would lose the request it pipelined after.
  http.use("*", async (c, next) => {
    await next();
    const sent =
      c.req.header("content-length") !== undefined
        ? Number(c.req.header("content-length")) > 0
        : c.req.header("transfer-encoding") !== undefined;
    if (sent && !c.req.raw.bodyUsed) {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("connection", "close");
    }
  });
  http.notFound((c) =>
    c.json(
      {
        error: {
          code: "NOT_FOUND",
          message: `no route ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`,
          retryable: false,
        },
      },
      404,
    ),
  );
  if (options.log) {
    http.use("*", async (c, next) => {
      const started = performance.now();
      await next();
      const actor = c.get("actor") as Actor | undefined;
      log({
        at: new Date().toISOString(),
        event: "http-request",
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        ...(actor ? { tenant: c.get("tenantId"), user: actor.handle } : {}),
      });
    });
  }
  http.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY,
      onError: (c) =>
        c.json(
          { error: { code: "BODY_TOO_LARGE", message: `the body is over ${MAX_BODY} bytes`, retryable: false } },
          413,
          { connection: "close" },
        ),
    }),
  );

  // A NUL character in the path or the query is refused before any route reads it.
  http.use("*", async (c, next) => {
    if (/%00|\u0000/i.test(c.req.url))
      return c.json(
        { error: { code: "INVALID_REQUEST", message: "the path or query holds a NUL character", retryable: false } },
        400,
      );
    return next();
  });

  // A time limit on every request but planning, which has the planner's own (CHARTER_PLANNER_MAX_MS).
  http.use("*", async (c, next) => {
    if (c.req.method === "POST" && /\/plans(\/[^/]+\/answer)?$/.test(c.req.path)) return next();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<"timeout">(
      (resolve) => (timer = setTimeout(() => resolve("timeout"), app.env.requestTimeoutMs)),
    );
    try {
      if ((await Promise.race([next().then(() => "done" as const), limit])) === "timeout") {
        throw new CharterError(
          "REQUEST_TIMEOUT",
          `the request took longer than ${app.env.requestTimeoutMs} ms (CHARTER_REQUEST_TIMEOUT_MS); work it started may still finish: check runs and versions before repeating it`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  });

  http.get("/api/v1/health", (c) =>
    c.json({ ok: true, database: app.database.kind, dispatcher: dispatcher ? "queue" : "inline" }),
  );
  http.get("/api/v1/openapi.json", (c) => c.json(OPENAPI));
  // MCP (Streamable HTTP): the tenant's approved workflows as tools, and charter.* management tools.
  http.all("/mcp", mcpEndpoint(app, dispatcher ? { dispatcher } : {}));
  // With CHARTER_OAUTH_ISSUER, /mcp is an OAuth protected resource: its metadata (RFC 9728) names the authorization server.
  for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"])
    http.get(path, (c) => {
      const issuer = app.env.mcp.oauthIssuer;
      if (!issuer) return c.json({ error: "this Charter takes API keys only (no CHARTER_OAUTH_ISSUER is set)" }, 404);
      return c.json(protectedResourceMetadata(resourceOf(c.req.raw, app.env.mcp.publicUrl).resource, issuer));
    });

  // Tenant routes: authenticate, then scope.
  http.use("/api/v1/tenants/:tenant/*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new CharterError("UNKNOWN_USER", "send an API key as 'Authorization: Bearer <key>'");
    const resolved = await app.identity.resolveKey(token);
    if (!resolved) throw new CharterError("UNKNOWN_USER", "the API key is unknown or revoked");
    const tenantId = c.req.param("tenant");
    if (resolved.tenantId !== tenantId) throw new CharterError("TENANT_NOT_FOUND", `no tenant ${tenantId}`);
    c.set("actor", { userId: resolved.user.id, handle: resolved.user.handle });
    c.set("user", resolved.user);
    c.set("tenantId", tenantId);
    c.set("keyPrefix", resolved.prefix);
    await next();
  });
  const role = async (c: Context<Vars>, roles: Role[]) => {
    const held = await app.identity.roles(c.get("tenantId"), c.get("actor").userId);
    if (!roles.some((r) => held.has(r)))
      throw new CharterError(
        "NOT_AUTHORIZED",
        `this needs the ${roles.join(" or ")} role in tenant ${c.get("tenantId")}`,
      );
  };
  const t = "/api/v1/tenants/:tenant";

  http.post(`${t}/sync`, async (c) => {
    await role(c, ["operator", "admin"]);
    const { result, drift } = await app.sync(c.get("tenantId"));
    return c.json({ result, drift });
  });
  http.get(`${t}/catalog`, async (c) => {
    const catalog = await app.catalogs.currentCatalog(c.get("tenantId"));
    return c.json({
      integrations: catalog.map((row) => ({
        integration: row.integrationId,
        hash: row.hash,
        server: row.content.server,
        tools: row.content.tools.map((tool) => ({ name: tool.name, title: tool.title, annotations: tool.annotations })),
      })),
    });
  });
  http.get(`${t}/workflows`, async (c) => c.json({ workflows: await app.versions.workflows(c.get("tenantId")) }));
  http.get(`${t}/versions`, async (c) => {
    const rows = await app.versionRepository.list(c.get("tenantId"), c.req.query("workflow"));
    return c.json({ versions: rows.map(({ source: _source, tests: _tests, ...rest }) => rest) });
  });
  http.post(`${t}/versions`, async (c) => {
    await role(c, ["author", "admin"]);
    const body = CreateVersion.parse(await json(c));
    const version = await app.versions.create({
      tenantId: c.get("tenantId"),
      source: body.source,
      fileName: `${body.name ?? "workflow"}.ts`,
      tests: body.tests,
      author: c.get("actor"),
    });
    return c.json({ version }, 201);
  });
  http.post(`${t}/plans`, async (c) => {
    await role(c, ["author", "admin"]);
    const body = Plan.parse(await json(c));
    const result = await app.planner.plan({
      tenantId: c.get("tenantId"),
      request: body.request,
      from: body.from,
      author: c.get("actor"),
    });
    return c.json({ version: result.version, planner: result.planner, usage: result.usage ?? null }, 201);
  });
  http.post(`${t}/plans/:session/answer`, async (c) => {
    await role(c, ["author", "admin"]);
    const body = Answer.parse(await json(c));
    const result = await app.planner.answer({
      tenantId: c.get("tenantId"),
      session: c.req.param("session"),
      answer: body.answer,
      author: c.get("actor"),
    });
    return c.json(
      {
        version: result.version,
        planner: result.planner,
        usage: result.usage ?? null,
        session: result.session ?? null,
      },
      201,
    );
  });
  http.get(`${t}/versions/:ref`, async (c) => {
    const version = await app.versions.find(c.get("tenantId"), c.req.param("ref"));
    return c.json({ version, approvals: await app.versionRepository.approvals(version.id) });
  });
  http.get(`${t}/versions/:from/diff/:to`, async (c) =>
    c.json(await app.versions.diff(c.get("tenantId"), c.req.param("from"), c.req.param("to"))),
  );
  http.post(`${t}/versions/:ref/submit`, async (c) =>
    c.json({ version: await app.versions.submit(c.get("tenantId"), c.req.param("ref"), c.get("actor")) }),
  );
  http.post(`${t}/versions/:ref/approve`, async (c) => {
    const body = Decision.parse(await json(c));
    return c.json(await app.versions.approve(c.get("tenantId"), c.req.param("ref"), c.get("actor"), body.comment));
  });
  http.post(`${t}/versions/:ref/reject`, async (c) => {
    const body = Decision.parse(await json(c));
    return c.json({
      version: await app.versions.reject(c.get("tenantId"), c.req.param("ref"), c.get("actor"), body.comment),
    });
  });
  http.post(`${t}/workflows/:workflow/rollback`, async (c) => {
    const body = Rollback.parse(await json(c));
    return c.json({
      version: await app.versions.rollback(c.get("tenantId"), c.req.param("workflow"), body.to, c.get("actor")),
    });
  });
  http.post(`${t}/workflows/:workflow/runs`, async (c) => {
    await role(c, ["operator", "admin"]);
    const body = StartRun.parse(await json(c));
    const wait = Wait.parse(c.req.query("wait"));
    const tenantId = c.get("tenantId");
    const workflow = c.req.param("workflow");
    if (!dispatcher) {
      const run = await app.versions.runActive({
        tenantId,
        workflow,
        input: body.input,
        trigger: { type: "manual", detail: { user: c.get("actor").handle } },
        actor: c.get("actor"),
      });
      return c.json({ run }, 201);
    }
    const job = await dispatcher.submit({
      tenantId,
      workflow,
      input: body.input,
      trigger: "manual",
      actor: c.get("actor"),
    });
    const found = wait > 0 ? await dispatcher.runOfJob(job, wait * 1000) : undefined;
    const run = found && {
      id: found.id,
      status: found.status,
      output: found.output,
      error: found.error,
      version: found.versionId,
    };
    return c.json(
      {
        job,
        run: run ?? null,
        ...(run && run.status !== "running" ? {} : { follow: `/api/v1/tenants/${tenantId}/runs?job=${job}` }),
      },
      run && run.status !== "running" ? 200 : 202,
    );
  });
  http.get(`${t}/drift`, async (c) => {
    await role(c, ["operator", "reviewer", "admin"]);
    // Re-checks the active versions against the current catalog (what a sync does), then reports each.
    const changes = await app.versions.checkDrift(c.get("tenantId"));
    const active = await app.versionRepository.activeVersions(c.get("tenantId"));
    return c.json({
      changes,
      versions: active.map((v) => ({
        version: `${v.workflow}@${v.number}`,
        status: v.status,
        catalogHash: v.catalogHash,
        drift: v.drift ?? null,
      })),
    });
  });
  http.get(`${t}/runs`, async (c) => {
    const query = RunFilter.parse({
      workflow: c.req.query("workflow"),
      status: c.req.query("status"),
      limit: c.req.query("limit"),
      job: c.req.query("job"),
    });
    if (query.job) {
      const run = await app.runRepository.runOfJob(query.job);
      const { logs: _logs, ...rest } = run ?? { logs: undefined };
      return c.json({ runs: run && run.tenantId === c.get("tenantId") ? [rest] : [] });
    }
    return c.json({ runs: await app.runRepository.list({ tenantId: c.get("tenantId"), ...query }) });
  });
  http.post(`${t}/runs/:id/cancel`, async (c) => {
    await role(c, ["operator", "admin"]);
    const run = /^[0-9a-f-]{36}$/i.test(c.req.param("id")) ? await app.runRepository.run(c.req.param("id")) : undefined;
    if (!run || run.tenantId !== c.get("tenantId"))
      throw new CharterError("RUN_NOT_FOUND", `no run ${c.req.param("id")}`);
    if (!(await app.runs.cancel(run.id)))
      throw new CharterError(
        "RUN_NOT_RESUMABLE",
        `run ${run.id} is ${run.status}; only a running run can be cancelled`,
      );
    return c.json({ cancelling: run.id, note: "the run stops at its next tool call" }, 202);
  });
  http.get(`${t}/runs/:id`, async (c) => {
    const run = /^[0-9a-f-]{36}$/i.test(c.req.param("id")) ? await app.runRepository.run(c.req.param("id")) : undefined;
    if (!run || run.tenantId !== c.get("tenantId"))
      throw new CharterError("RUN_NOT_FOUND", `no run ${c.req.param("id")}`);
    return c.json({ run, journal: await app.runRepository.journal(run.id) });
  });
  http.get(`${t}/workflows/:workflow/webhook`, async (c) => {
    await role(c, ["operator", "admin"]);
    const workflow = c.req.param("workflow");
    return c.json({
      url: `/hooks/${c.get("tenantId")}/${workflow}`,
      secret: webhookSecret(key, c.get("tenantId"), workflow),
      signature: 'x-charter-signature: sha256=HMAC_SHA256(secret, "<x-charter-timestamp>.<body>")',
    });
  });
  http.post(`${t}/keys`, async (c) => {
    await role(c, ["admin"]);
    const body = CreateKey.parse(await json(c));
    const actor = c.get("actor");
    const tenantId = c.get("tenantId");
    // An admin makes keys for new users; a key for an existing user only that user makes (or the server's own `charter keys create`).
    const existing = await app.identity.userByHandle(body.user);
    if (existing && existing.id !== actor.userId)
      throw new CharterError(
        "NOT_AUTHORIZED",
        `${body.user} already exists: a key for them is made by ${body.user} (or on the server with charter keys create), so no one can act with another's identity`,
      );
    const user = existing ?? (await app.identity.ensureUser(body.user));
    for (const r of body.roles) {
      await app.identity.grant(tenantId, user.id, r, actor.userId);
      await app.versionRepository.record({
        tenantId,
        actorId: actor.userId,
        action: "role-granted",
        detail: { user: user.handle, role: r },
      });
    }
    const made = await app.identity.createKey(tenantId, user.id, actor.userId, c.get("keyPrefix"));
    await app.versionRepository.record({
      tenantId,
      actorId: actor.userId,
      action: "key-created",
      detail: { user: user.handle, prefix: made.slice(0, 12) },
    });
    return c.json({ key: made, user: user.handle, roles: body.roles, note: "shown once; stored only as a hash" }, 201);
  });

  http.delete(`${t}/keys/:prefix`, async (c) => {
    await role(c, ["admin"]);
    const prefix = c.req.param("prefix");
    if (!/^chk_[A-Za-z0-9_-]{8}$/.test(prefix) || !(await app.identity.revokeKey(prefix, c.get("tenantId"))))
      throw new CharterError(
        "KEY_NOT_FOUND",
        `no active key ${prefix} in tenant ${c.get("tenantId")} (give the key's first 12 characters)`,
      );
    return c.json({ revoked: prefix });
  });

  // Webhooks: signed, within the replay window, only for an approved version that declares a webhook trigger.
  http.post("/hooks/:tenant/:workflow", async (c) => {
    const tenantId = c.req.param("tenant");
    const workflow = c.req.param("workflow");
    const raw = Buffer.from(await c.req.arrayBuffer());
    const problem = verify(
      webhookSecret(key, tenantId, workflow),
      c.req.header("x-charter-timestamp"),
      c.req.header("x-charter-signature"),
      raw,
    );
    if (problem) return c.json({ error: { code: "BAD_SIGNATURE", message: problem, retryable: false } }, 401);
    let body: string;
    try {
      body = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      throw new BadRequest("the body is not valid UTF-8");
    }
    const version = /^[a-z0-9][a-z0-9-]*$/.test(tenantId)
      ? await app.versionRepository.activeVersion(tenantId, workflow)
      : undefined;
    const triggers = ((version?.triggers as { triggers?: { type: string }[] } | undefined)?.triggers ?? []).map(
      (tr) => tr.type,
    );
    if (!version || !triggers.includes("webhook"))
      throw new CharterError("VERSION_NOT_FOUND", `no approved workflow ${workflow} with a webhook trigger`);
    const input = parseBody(body);
    // The same signed delivery twice within the window starts one run, whichever server process
    // gets it: a sender's retry is answered, not repeated. A run that cannot start gives it back.
    const delivery = { tenantId, workflow, signature: c.req.header("x-charter-signature") ?? "" };
    if (!(await app.runRepository.claimDelivery(delivery, new Date(), REPLAY_WINDOW_S * 2000)))
      return c.json({ duplicate: true, run: null }, 200);
    try {
      if (dispatcher)
        return c.json(
          { job: await dispatcher.submit({ tenantId, workflow, input, trigger: "webhook" }, version), run: null },
          202,
        );
      const run = await app.versions.runActive({ tenantId, workflow, input, trigger: { type: "webhook" } });
      return c.json({ run: { id: run.runId, status: run.status, output: run.output, error: run.error } }, 202);
    } catch (error) {
      await app.runRepository.releaseDelivery(delivery);
      throw error;
    }
  });
  return http;
}

class BadRequest extends Error {}

async function json(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  return parseBody(text);
}

/** A JSON body, refused (400) when it does not parse or breaks the limits on outside JSON (depth, NUL characters). */
export function parseBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest("the body is not JSON");
  }
  const problem = jsonLimitProblem(value);
  if (problem) throw new BadRequest(problem);
  return value;
}

const CreateVersion = z
  .object({
    source: z.string().min(1).max(200_000),
    tests: z.string().max(200_000).optional(),
    name: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/)
      .optional(),
  })
  .strict();
const Plan = z.object({ request: z.string().min(1).max(4000), from: z.string().max(200).optional() }).strict();
const Answer = z.object({ answer: z.string().min(1).max(2000) }).strict();
const Decision = z.object({ comment: z.string().min(1).max(4000) }).strict();
const Rollback = z.object({ to: z.number().int().min(1).max(2_147_483_647) }).strict();
const StartRun = z.object({ input: z.record(z.string(), z.unknown()).default({}) }).strict();
const RunFilter = z.object({
  workflow: z.string().max(64).optional(),
  status: z.enum(["running", "succeeded", "failed", "needs-attention", "cancelled"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  job: z.uuid().optional(),
});
/** `?wait=<seconds>`: how long a manual run request waits for the run (at most 25 s, under the request limit). */
const Wait = z.coerce.number().min(0).max(25).default(0);
const CreateKey = z
  .object({
    user: z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,63}$/),
    roles: z.array(z.enum(["author", "reviewer", "operator", "admin"])).min(1),
  })
  .strict();
