/**
 * `/mcp` as an OAuth 2.1 protected resource (MCP authorization, RFC 9728): beside Charter API
 * keys, it takes access tokens from the authorization server named by CHARTER_OAUTH_ISSUER. A
 * token is a JWT signed with a key of the issuer's JWKS, issued by it, for this resource (its
 * `aud` is the URL of /mcp, RFC 8707), not expired; its `sub` is a Charter user's handle, and the
 * tenant is its `charter_tenant` claim or, without one, the only tenant where the user has a role.
 * A 401 names the resource metadata, so a client discovers the authorization server from it.
 */
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";

/** The claim that picks the tenant when a user has roles in several. */
export const TENANT_CLAIM = "charter_tenant";
const DISCOVERY_TIMEOUT_MS = 10_000;

/**
 * The resource identifier of /mcp and where its metadata is. With OAuth, always CHARTER_PUBLIC_URL's
 * origin (required then): an audience taken from the request's Host would accept a token issued to
 * another server on this machine, replayed with that server's Host.
 */
export function resourceOf(request: Request, publicUrl: string | undefined): { resource: string; metadata: string } {
  const origin = (publicUrl ?? new URL(request.url).origin).replace(/\/+$/, "");
  return { resource: `${origin}/mcp`, metadata: `${origin}/.well-known/oauth-protected-resource/mcp` };
}

/** RFC 9728 metadata of /mcp. */
export function protectedResourceMetadata(resource: string, issuer: string) {
  return {
    resource,
    authorization_servers: [issuer],
    bearer_methods_supported: ["header"],
    resource_name: "Charter",
  };
}

/** Why a token was refused, said to the client in `WWW-Authenticate` (never the token itself). */
export class TokenRefused extends Error {}

const ServerMetadata = z.object({ issuer: z.string(), jwks_uri: z.url() });

export class AccessTokenVerifier {
  readonly #issuer: string;
  #keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(issuer: string) {
    this.#issuer = issuer;
  }

  /** The token's subject and tenant claim, or TokenRefused saying why. */
  async verify(token: string, audience: string): Promise<{ subject: string; tenant: string | undefined }> {
    const keys = await this.#jwks();
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.#issuer,
        audience,
        clockTolerance: 30,
        requiredClaims: ["exp", "sub"],
      });
      if (typeof payload.sub !== "string" || payload.sub === "") throw new TokenRefused("the token names no subject");
      const tenant = payload[TENANT_CLAIM];
      return { subject: payload.sub, tenant: typeof tenant === "string" ? tenant : undefined };
    } catch (error) {
      if (error instanceof TokenRefused) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new TokenRefused("the token has expired");
      if (error instanceof joseErrors.JWTClaimValidationFailed)
        throw new TokenRefused(
          error.claim === "aud"
            ? `the token is not for this resource (its audience must be ${audience})`
            : `the token's ${error.claim} claim is not accepted`,
        );
      if (error instanceof joseErrors.JOSEError)
        throw new TokenRefused("the token is not a valid signed JWT of the issuer");
      throw error;
    }
  }

  /**
   * The issuer's signing keys, from its metadata (RFC 8414, then OpenID discovery); fetched once,
   * refreshed by jose on an unknown key id.
   */
  #jwks(): Promise<JWTVerifyGetKey> {
    this.#keys ??= this.#discover().catch((error: unknown) => {
      this.#keys = undefined; // try again on the next request
      throw error;
    });
    return this.#keys;
  }

  async #discover(): Promise<JWTVerifyGetKey> {
    const issuer = new URL(this.#issuer);
    const path = issuer.pathname.replace(/\/+$/, "");
    const candidates = [
      `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
      `${issuer.origin}/.well-known/openid-configuration${path}`,
      `${issuer.origin}${path}/.well-known/openid-configuration`,
    ];
    for (const url of candidates) {
      const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) }).catch(() => undefined);
      if (!response?.ok) continue;
      const parsed = ServerMetadata.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) continue;
      if (parsed.data.issuer !== this.#issuer)
        throw new Error(
          `the authorization server at ${url} says its issuer is ${parsed.data.issuer}, not ${this.#issuer}`,
        );
      return createRemoteJWKSet(new URL(parsed.data.jwks_uri));
    }
    throw new Error(`no authorization server metadata for ${this.#issuer} (tried ${candidates.join(", ")})`);
  }
}
