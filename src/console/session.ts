/**
 * Console sessions: signing in with an API key sets an HttpOnly, SameSite=Strict cookie naming a
 * session stored by its hash (src/store/identity-repository.ts); the session is the key's user and
 * tenant and ends on sign-out, after 8 hours, or when the key is revoked. Every POST carries the
 * session's CSRF token in a form field and must come from this origin; the sign-in form, made
 * before there is a session, carries a token that matches a cookie of its own.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { App } from "../app.ts";
import type { Role, UserRow } from "../store/index.ts";
import type { Actor } from "../versions/index.ts";

export const SESSION_COOKIE = "charter_session";
const SIGN_IN_COOKIE = "charter_sign_in";
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

/** Who is signed in, as pages and actions see it. */
export type ConsoleSession = {
  actor: Actor;
  user: UserRow;
  tenantId: string;
  roles: ReadonlySet<Role>;
  csrf: string;
};

export type ConsoleVars = {
  Variables: { session: ConsoleSession; formCsrf: string; publicOrigin: string | undefined };
};

/**
 * The origin browsers reach the console at: CHARTER_PUBLIC_URL's behind a proxy that ends TLS (the
 * request this process sees is plain http; the console's first middleware sets it), else the
 * request's own.
 */
const originOf = (c: Context) => (c.get("publicOrigin") as string | undefined) ?? new URL(c.req.url).origin;
const secure = (c: Context) => originOf(c).startsWith("https:");

/** Over https the cookie is Secure and __Secure- prefixed, so no sibling site on plain http can set it. */
const sessionCookie = (c: Context) => (secure(c) ? `__Secure-${SESSION_COOKIE}` : SESSION_COOKIE);
const signInCookie = (c: Context) => (secure(c) ? `__Secure-${SIGN_IN_COOKIE}` : SIGN_IN_COOKIE);

const cookieOptions = (c: Context, maxAgeSeconds?: number) => ({
  httpOnly: true,
  sameSite: "Strict" as const,
  path: "/console",
  secure: secure(c),
  ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
});

/** Equal strings, compared in constant time. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A POST from another origin is refused whatever it carries (the browser says where a form came from). */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return c.req.header("sec-fetch-site") !== "cross-site";
  return origin === originOf(c);
}

/** The session of the request, if its cookie names a live one. */
export async function sessionOf(app: App, c: Context): Promise<ConsoleSession | undefined> {
  const token = getCookie(c, sessionCookie(c));
  if (!token || token.length > 200) return undefined;
  const found = await app.identity.consoleSession(token);
  if (!found) return undefined;
  return {
    actor: { userId: found.user.id, handle: found.user.handle },
    user: found.user,
    tenantId: found.tenantId,
    roles: await app.identity.roles(found.tenantId, found.user.id),
    csrf: found.csrf,
  };
}

/**
 * Pages need a session (otherwise the sign-in page, keeping where the user was going); a POST also
 * needs the session's CSRF token and this origin.
 */
export function requireSession(app: App): MiddlewareHandler<ConsoleVars> {
  return async (c, next) => {
    const session = await sessionOf(app, c);
    if (!session) {
      if (c.req.method !== "GET") return c.text("Sign in again: your session has ended.", 403);
      const back = new URL(c.req.url);
      return c.redirect(`/console/sign-in?next=${encodeURIComponent(back.pathname + back.search)}`, 303);
    }
    if (c.req.method === "POST") {
      const form = await c.req.parseBody();
      const token = typeof form["csrf"] === "string" ? form["csrf"] : undefined;
      if (!sameOrigin(c) || !sameToken(token, session.csrf))
        return c.text("Refused: the form's CSRF token is missing or wrong. Reload the page and try again.", 403);
    }
    c.set("session", session);
    c.set("formCsrf", session.csrf);
    await next();
  };
}

/** The sign-in form's own CSRF token: a fresh one in a cookie, to be sent back in the form. */
export function signInToken(c: Context): string {
  const token = randomBytes(24).toString("base64url");
  setCookie(c, signInCookie(c), token, cookieOptions(c, 600));
  return token;
}

/** Checks a sign-in POST's CSRF token against its cookie, and the origin. */
export function signInAllowed(c: Context, formToken: unknown): boolean {
  const cookie = getCookie(c, signInCookie(c));
  deleteCookie(c, signInCookie(c), { path: "/console", secure: secure(c) });
  return sameOrigin(c) && typeof formToken === "string" && sameToken(formToken, cookie);
}

export async function startSession(app: App, c: Context, key: string): Promise<boolean> {
  const started = await app.identity.startConsoleSession(key, SESSION_LIFETIME_MS);
  if (!started) return false;
  setCookie(c, sessionCookie(c), started.token, cookieOptions(c, SESSION_LIFETIME_MS / 1000));
  return true;
}

export async function endSession(app: App, c: Context): Promise<void> {
  const token = getCookie(c, sessionCookie(c));
  if (token) await app.identity.endConsoleSession(token);
  deleteCookie(c, sessionCookie(c), { path: "/console", secure: secure(c) });
}
