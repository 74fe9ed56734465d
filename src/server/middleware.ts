/**
 * What every request goes through before its route: error mapping, the request log, the body
 * limit, the NUL check, the time limit, and for tenant routes the key. Errors are JSON with a
 * stable code and a message that says what to do; nothing leaks a stack.
 */
import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { App } from "../app.ts";
import { CharterError, errorText, PlannerDeclined } from "../core/errors.ts";
import type { Role } from "../store/index.ts";
import { BadRequest } from "./body.ts";
import { httpStatus } from "./http-status.ts";
import type { Vars } from "./route.ts";

/** One structured log line per event; never bodies, headers or keys. */
export type LogLine = Record<string, unknown> & { event: string };

export const MAX_BODY = 1024 * 1024;

const failure = (code: string, message: string, retryable = false) => ({ error: { code, message, retryable } });

/** Answers every error as `{ error: { code, message, retryable } }`; unexpected ones are logged. */
export function handleErrors(http: Hono<Vars>, log: (line: LogLine) => void): void {
  http.onError((error, c) => {
    if (error instanceof PlannerDeclined)
      return c.json(
        { error: { code: error.code, message: error.message, retryable: false, ...error.toJSON() } },
        httpStatus(error.code),
      );
    if (error instanceof CharterError)
      return c.json(failure(error.code, error.message, error.retryable), httpStatus(error.code));
    if (error instanceof z.ZodError) {
      const message = error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
      return c.json(failure("INVALID_REQUEST", message), 400);
    }
    if (error instanceof BadRequest) return c.json(failure("INVALID_REQUEST", error.message), 400);
    // Never the request's data: a failed query's message ends with its parameters, which are cut off.
    const message = errorText(error);
    log({ at: new Date().toISOString(), event: "http-error", method: c.req.method, path: c.req.path, message });
    const answer = "Charter failed to handle the request; it is logged; try again or report it";
    return c.json(failure("INTERNAL", answer, true), 500);
  });
  http.notFound((c) =>
    c.json(failure("NOT_FOUND", `no route ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`), 404),
  );
}

/** The checks and limits every request passes, in order; `log`: one line per request. */
export function guardRequests(http: Hono<Vars>, app: App, log: ((line: LogLine) => void) | undefined): void {
  // A request answered without its body being read (refused before it was needed) must not keep
  // its connection: the unread bytes would be taken for the next request on it, so Node closes it,
  // and a client told "keep-alive" would lose the request it pipelined after.
  http.use("*", async (c, next) => {
    await next();
    const length = c.req.header("content-length");
    const sent = length !== undefined ? Number(length) > 0 : c.req.header("transfer-encoding") !== undefined;
    if (sent && !c.req.raw.bodyUsed) {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("connection", "close");
    }
  });
  if (log) http.use("*", requestLog(log));
  http.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY,
      onError: (c) =>
        c.json(failure("BODY_TOO_LARGE", `the body is over ${MAX_BODY} bytes`), 413, { connection: "close" }),
    }),
  );
  // A NUL character in the path or the query is refused before any route reads it.
  http.use("*", async (c, next) => {
    if (/%00|\u0000/i.test(c.req.url))
      return c.json(failure("INVALID_REQUEST", "the path or query holds a NUL character"), 400);
    return next();
  });
  http.use("*", timeLimit(app.env.requestTimeoutMs));
}

function requestLog(log: (line: LogLine) => void) {
  return async (c: Context<Vars>, next: () => Promise<void>) => {
    const started = performance.now();
    await next();
    // Unset on a request the tenant middleware did not let through.
    const actor = c.get("actor") as Vars["Variables"]["actor"] | undefined;
    log({
      at: new Date().toISOString(),
      event: "http-request",
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      ...(actor ? { tenant: c.get("tenantId"), user: actor.handle } : {}),
    });
  };
}

/** A time limit on every request but planning, which has the planner's own (CHARTER_PLANNER_MAX_MS). */
function timeLimit(ms: number) {
  return async (c: Context<Vars>, next: () => Promise<void>) => {
    if (c.req.method === "POST" && /\/plans(\/[^/]+\/answer)?$/.test(c.req.path)) return next();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
    try {
      if ((await Promise.race([next().then(() => "done" as const), limit])) === "timeout") {
        throw new CharterError(
          "REQUEST_TIMEOUT",
          `the request took longer than ${ms} ms (CHARTER_REQUEST_TIMEOUT_MS); work it started may still ` +
            "finish: check runs and versions before repeating it",
        );
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Tenant routes: the bearer key must be known and belong to the path's tenant (otherwise 404,
 * never a hint the tenant exists); the key's user and tenant are set for the route.
 */
export function authenticateTenants(http: Hono<Vars>, app: App): void {
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
}

/** Refuses (403) a caller holding none of `roles` in the route's tenant. */
export function roleCheck(app: App) {
  return async (c: Context<Vars>, roles: readonly Role[]): Promise<void> => {
    const held = await app.identity.roles(c.get("tenantId"), c.get("actor").userId);
    if (!roles.some((r) => held.has(r)))
      throw new CharterError(
        "NOT_AUTHORIZED",
        `this needs the ${roles.join(" or ")} role in tenant ${c.get("tenantId")}`,
      );
  };
}
