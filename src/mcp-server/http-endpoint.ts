/**
 * The Streamable HTTP MCP endpoint at /mcp, on the SDK's web-standard transport inside hono.
 * In order: Host and Origin must name an allowed host (DNS-rebinding protection: a page on
 * another site that rebinds its name to this machine is refused before anything else), then a
 * bearer API key as for the REST API, then the session: each session belongs to the key's user
 * and tenant that opened it, and any other caller naming it gets 404, as for an unknown one.
 * Sessions idle for 30 minutes are closed. One user holds at most 20: a 21st closes that user's
 * longest-idle one, so a leaky or hostile client crowds out only itself. At most
 * CHARTER_MCP_MAX_SESSIONS (1000) are open at once; when full, a new session closes one in the
 * tenant holding the most, of its user holding the most (an admin can make users, so a flood may
 * come from many users with one session each): a flood crowds out its own tenant, never another.
 */
import { randomUUID } from "node:crypto";
import * as streamableHttp from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";

const { WebStandardStreamableHTTPServerTransport } = streamableHttp;
type WebStandardStreamableHTTPServerTransport = streamableHttp.WebStandardStreamableHTTPServerTransport;
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "hono";
import type { App } from "../app.ts";
import { jsonLimitProblem } from "../core/json-limits.ts";
import { type CharterMcpOptions, createCharterMcpServer } from "./charter-mcp.ts";
import { sessionEventStore } from "./event-store.ts";
import { AccessTokenVerifier, resourceOf, TENANT_CLAIM, TokenRefused } from "./oauth-resource.ts";

type Session = { transport: WebStandardStreamableHTTPServerTransport; tenantId: string; userId: string; seen: number };

const MAX_SESSIONS_PER_USER = 20;
/** What SSE's `retry:` tells a client to wait before reconnecting a dropped stream (ms). */
const RETRY_MS = 1000;
/** A session with no request for this long is closed (its client starts a new one). */
const IDLE_MS = 30 * 60_000;

function rpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function mcpEndpoint(app: App, options: CharterMcpOptions = {}) {
  const sessions = new Map<string, Session>();
  const allowed = new Set(app.env.mcp.allowedHosts);
  const maxSessions = app.env.mcp.maxSessions;
  const close = (id: string) => {
    const session = sessions.get(id);
    sessions.delete(id);
    void session?.transport.close().catch(() => undefined);
  };
  /**
   * The session to close when the endpoint is full: in the tenant holding the most sessions, of
   * the user there holding the most, the longest idle (ties between users: the longest idle of
   * theirs). A flood from one tenant, of many users or few, makes room from itself, never from
   * another tenant; within a tenant, from whoever holds the most.
   */
  const evictionCandidate = (): string | undefined => {
    const byTenant = new Map<string, Map<string, [string, Session][]>>();
    for (const entry of sessions) {
      const users = byTenant.get(entry[1].tenantId) ?? new Map<string, [string, Session][]>();
      byTenant.set(entry[1].tenantId, users);
      users.set(entry[1].userId, [...(users.get(entry[1].userId) ?? []), entry]);
    }
    let tenant: [string, Session][][] = [];
    for (const users of byTenant.values()) {
      const held = [...users.values()];
      if (held.flat().length > tenant.flat().length) tenant = held;
    }
    const most = Math.max(0, ...tenant.map((held) => held.length));
    let oldest: [string, Session] | undefined;
    for (const entry of tenant.filter((held) => held.length === most).flat())
      if (!oldest || entry[1].seen < oldest[1].seen) oldest = entry;
    return oldest?.[0];
  };
  /** The longest-idle session among those that pass the filter. */
  const longestIdle = (which: (session: Session) => boolean): [string, Session] | undefined => {
    let found: [string, Session] | undefined;
    for (const entry of sessions) if (which(entry[1]) && (!found || entry[1].seen < found[1].seen)) found = entry;
    return found;
  };
  const issuer = app.env.mcp.oauthIssuer;
  const verifier = issuer ? new AccessTokenVerifier(issuer) : undefined;
  /** 401, with what a client needs to get a token: the resource metadata when OAuth is on. */
  const unauthorized = (request: Request, message: string, tokenProblem?: string) => {
    const problem = tokenProblem
      ? `, error="invalid_token", error_description="${tokenProblem.replace(/["\\]/g, "")}"`
      : "";
    const challenge = verifier
      ? `Bearer resource_metadata="${resourceOf(request, app.env.mcp.publicUrl).metadata}"${problem}`
      : 'Bearer realm="charter"';
    return rpcError(401, -32001, message, { "www-authenticate": challenge });
  };
  /**
   * The caller: a Charter API key's user and tenant, or (with CHARTER_OAUTH_ISSUER) an access
   * token's subject, a Charter user, in its tenant.
   */
  const identify = async (
    request: Request,
    token: string | undefined,
  ): Promise<{ user: { id: string; handle: string }; tenantId: string } | { refused: Response }> => {
    const how = verifier
      ? "send an API key or an access token as 'Authorization: Bearer <token>'"
      : "send an API key as 'Authorization: Bearer <key>'";
    if (!token) return { refused: unauthorized(request, how) };
    if (token.startsWith("chk_") || !verifier) {
      const resolved = await app.identity.resolveKey(token);
      return resolved ?? { refused: unauthorized(request, "the API key is unknown or revoked") };
    }
    let claims: { subject: string; tenant: string | undefined };
    try {
      claims = await verifier.verify(token, resourceOf(request, app.env.mcp.publicUrl).resource);
    } catch (error) {
      if (!(error instanceof TokenRefused)) throw error;
      return { refused: unauthorized(request, `the access token is refused: ${error.message}`, error.message) };
    }
    const user = await app.identity.userByHandle(claims.subject);
    const tenants = user ? await app.identity.tenantsOf(user.id) : [];
    const tenantId = claims.tenant ?? (tenants.length === 1 ? tenants[0] : undefined);
    if (!user || tenantId === undefined || !tenants.includes(tenantId))
      return {
        refused: rpcError(
          403,
          -32001,
          !user
            ? `the token's subject ${claims.subject} is not a Charter user; an admin adds it with ` +
                `'charter users add ${claims.subject} --tenant <tenant> --role <role>'`
            : tenantId === undefined
              ? `${user.handle} has roles ` +
                `in ${tenants.length === 0 ? "no tenant" : tenants.join(", ")}; the token must name ` +
                `one in its ${TENANT_CLAIM} claim`
              : `${user.handle} has no role in tenant ${tenantId}`,
        ),
      };
    return { user, tenantId };
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (now - session.seen > IDLE_MS) {
        sessions.delete(id);
        void session.transport.close().catch(() => undefined);
      }
    }
  }, 60_000);
  sweep.unref();

  return async (c: Context): Promise<Response> => {
    const request = c.req.raw;
    const host = hostname(request.headers.get("host"));
    if (!host || !allowed.has(host))
      return rpcError(
        403,
        -32000,
        `Invalid Host header: this endpoint answers to ${[...allowed].join(", ")} ` +
          `(CHARTER_MCP_ALLOWED_HOSTS adds names)`,
      );
    const origin = request.headers.get("origin");
    if (origin !== null && !allowed.has(originHost(origin) ?? ""))
      return rpcError(403, -32000, "Invalid Origin header: requests from other sites are refused");

    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const caller = await identify(request, token);
    if ("refused" in caller) return caller.refused;
    const resolved = caller;

    const body = await readBody(request);
    if (body instanceof Response) return body;
    const handling = body === undefined ? undefined : { parsedBody: body.json };

    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session || session.userId !== resolved.user.id || session.tenantId !== resolved.tenantId)
        return rpcError(404, -32001, "Session not found");
      session.seen = Date.now();
      return session.transport.handleRequest(request, handling);
    }
    if (request.method !== "POST")
      return rpcError(400, -32000, "Bad Request: no valid session; start one with an initialize request");
    // Only an initialize opens a session, so only it may make room for one (nothing is closed for a request refused
    // anyway).
    if (body !== undefined && !isInitializeRequest(body.json))
      return rpcError(400, -32000, "Bad Request: no valid session; start one with an initialize request");
    const own = (session: Session) => session.userId === resolved.user.id && session.tenantId === resolved.tenantId;
    let held = 0;
    for (const session of sessions.values()) if (own(session)) held++;
    if (held >= MAX_SESSIONS_PER_USER) {
      const oldest = longestIdle(own);
      if (oldest) close(oldest[0]);
    } else if (sessions.size >= maxSessions) {
      const victim = evictionCandidate();
      if (victim) close(victim);
    }

    const roles = await app.identity.roles(resolved.tenantId, resolved.user.id);
    const server = createCharterMcpServer(
      app,
      { tenantId: resolved.tenantId, actor: { userId: resolved.user.id, handle: resolved.user.handle }, roles },
      options,
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // SSE events carry ids and are kept per session: a client resumes a dropped stream with Last-Event-ID.
      eventStore: sessionEventStore(),
      retryInterval: RETRY_MS,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, tenantId: resolved.tenantId, userId: resolved.user.id, seen: Date.now() });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      void server.close().catch(() => undefined);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(request, handling);
    // A request that did not open a session (not an initialize, or refused) leaves nothing behind.
    if (!transport.sessionId || !sessions.has(transport.sessionId)) void server.close().catch(() => undefined);
    return response;
  };
}

/**
 * A POST's JSON-RPC message, parsed here so that JSON past the limits on outside JSON (nesting,
 * NUL characters) is refused with a parse error before the SDK or a tool reads it. Undefined for
 * requests that are not a JSON POST: the transport answers those itself (405, 415).
 */
async function readBody(request: Request): Promise<{ json: unknown } | Response | undefined> {
  if (
    request.method !== "POST" ||
    !/^application\/(?:[\w.+-]+\+)?json\b/i.test(request.headers.get("content-type") ?? "")
  )
    return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await request.text());
  } catch {
    return rpcError(400, -32700, "Parse error: Invalid JSON");
  }
  const problem = jsonLimitProblem(json, "the message");
  return problem ? rpcError(400, -32700, `Parse error: ${problem}`) : { json };
}

/** "localhost:8787" → "localhost"; "[::1]:8787" → "[::1]". */
function hostname(header: string | null): string | undefined {
  if (!header) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:\s]+)(?::\d+)?$/i.exec(header.trim());
  return match?.[1]?.toLowerCase();
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
