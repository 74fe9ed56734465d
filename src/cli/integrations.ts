/**
 * `charter integrations authorize <tenant> <integration>`: authorizes Charter with an integration
 * that wants OAuth, once, as a person. Charter finds the authorization server from the MCP
 * server (its protected resource metadata), registers itself when tenant.json gives no client id,
 * prints the URL to open, and finishes when the browser comes back to the loopback address of
 * `oauth.redirectUri` (authorization code with PKCE). The tokens are sealed in the database and
 * refreshed by whichever Charter process uses the integration next.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { connectionSpec } from "../catalog/index.ts";
import { resolveCredentials } from "../config/credentials.ts";
import { loadTenantConfig } from "../config/tenant-config.ts";
import { CharterError } from "../core/errors.ts";
import { withApp } from "./common.ts";
import type { Output } from "./output.ts";

/** How long the command waits for the browser to come back. */
const WAIT_MS = 10 * 60_000;

export async function authorizeIntegration(
  tenantId: string,
  integrationId: string,
  options: { again: boolean },
  output: Output,
  /** Handed the authorization URL (a test opens it itself); it is printed either way. */
  onUrl: (url: URL) => void = () => undefined,
): Promise<number> {
  return withApp(async (app) => {
    const tenant = await loadTenantConfig(app.env.tenantsDir, tenantId);
    const integration = tenant.config.integrations[integrationId];
    if (!integration)
      throw new CharterError(
        "TENANT_NOT_FOUND",
        `tenant ${tenantId} has no integration "${integrationId}" (it ` +
          `has ${Object.keys(tenant.config.integrations).join(", ") || "none"})`,
      );
    if (integration.transport !== "http" || !integration.oauth || !integration.url)
      throw new CharterError(
        "CREDENTIAL_MISSING",
        `integration "${integrationId}" does not authorize with OAuth: give it "oauth" (and a ` +
          `"url") in tenants/${tenantId}/tenant.json`,
      );
    const credentials = await resolveCredentials(integration, tenant.dir, process.env);
    if (credentials.state === "missing")
      throw new CharterError("CREDENTIAL_MISSING", `credentials missing: ${credentials.problems.join("; ")}`);
    const spec = connectionSpec(tenant, integrationId, integration, credentials, app.env.mcp);
    if (spec.transport !== "http" || !spec.oauth) throw new Error("an OAuth integration without OAuth settings");
    if (options.again) await app.oauth.forget(tenantId, integrationId);
    else if (await app.oauth.authorized(tenantId, integrationId)) {
      output.out(
        `${tenantId}/${integrationId} is authorized already (its tokens are refreshed as needed); ` +
          `--again authorizes anew`,
      );
      return 0;
    }

    await app.catalogs.ensureTenant(tenantId); // the sealed tokens belong to it (a tenant never synced yet)
    const redirect = new URL(spec.oauth.redirectUri);
    // Only the browser this command sent comes back with this state; anything else at the address is ignored.
    const state = randomBytes(24).toString("base64url");
    const callback = await listenForCallback(redirect, state);
    try {
      const provider = app.oauth.provider(spec.oauth, {
        state,
        onAuthorizationUrl: (url) => {
          output.out(`Open this address in a browser and allow Charter access to ${integrationId}:\n\n  ${url.href}\n`);
          output.out(`Waiting for the authorization server to send the browser back to ${redirect.href} …`);
          onUrl(url);
        },
      });
      const serverUrl = integration.url;
      const scope = spec.oauth.scopes?.join(" ");
      // What the SDK throws (no metadata, a refused registration, a bad token answer) is said as what it is.
      const authorize = (authorizationCode?: string) =>
        auth(provider, {
          serverUrl,
          ...(scope ? { scope } : {}),
          ...(authorizationCode ? { authorizationCode } : {}),
        }).catch((error: unknown) => {
          if (error instanceof CharterError) throw error;
          const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
          const why = error instanceof Error ? error.message : String(error);
          throw new CharterError(
            why === "fetch failed" ? "INTEGRATION_UNREACHABLE" : "INTEGRATION_AUTH_REFUSED",
            why === "fetch failed"
              ? `cannot reach ${serverUrl} or its authorization ` +
                  `server${typeof cause === "string" ? ` (${cause})` : ""}; is it running, and is "url" ` +
                  `right?`
              : `authorizing with ${serverUrl} failed: ${why}`,
            { cause: error },
          );
        });
      const first = await authorize();
      if (first === "REDIRECT") {
        const code = await callback.code;
        const second = await authorize(code);
        if (second !== "AUTHORIZED")
          throw new CharterError("INTEGRATION_AUTH_REFUSED", "the authorization did not complete");
      }
      output.out(
        `${tenantId}/${integrationId} is authorized: its tokens are sealed in the database. Next: ` +
          `charter tenants sync ${tenantId}`,
      );
      return 0;
    } finally {
      callback.close();
    }
  });
}

/** Listens where the browser comes back; `code` is the authorization code, or the server's refusal. */
async function listenForCallback(redirect: URL, state: string): Promise<{ code: Promise<string>; close: () => void }> {
  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => undefined);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", redirect.origin);
    if (url.pathname !== redirect.pathname) {
      response.writeHead(404).end();
      return;
    }
    if (url.searchParams.get("state") !== state) {
      response.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      response.end("This is not the authorization Charter is waiting for.");
      return;
    }
    const error = url.searchParams.get("error");
    const got = url.searchParams.get("code");
    response.writeHead(error || !got ? 400 : 200, { "content-type": "text/plain; charset=utf-8" });
    if (error || !got) {
      response.end("Charter was not authorized. You can close this page.");
      settle?.reject(
        new CharterError(
          "INTEGRATION_AUTH_REFUSED",
          `the authorization server refused: ${printable(error ?? "no code")}${described(url.searchParams)}`,
        ),
      );
      return;
    }
    response.end("Charter is authorized. You can close this page.");
    settle?.resolve(got);
  });
  const port = Number(redirect.port || 80);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new CharterError(
          "INTEGRATION_START_FAILED",
          `cannot listen on ${redirect.host} for the browser's return ` +
            `(${error.code ?? error.message}); free the port or change oauth.redirectUri`,
        ),
      ),
    );
    server.listen(port, redirect.hostname.replace(/^\[|\]$/g, ""), () => resolve());
  });
  const timer = setTimeout(
    () => settle?.reject(new CharterError("INTEGRATION_AUTH_REFUSED", "no answer from the browser within 10 minutes")),
    WAIT_MS,
  );
  return {
    code,
    close: () => {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Text from the browser's URL, safe to print on a terminal: no control characters, not too long. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").slice(0, 300);
}

/** The authorization server's own words on a refusal, when it gave any. */
function described(params: URLSearchParams): string {
  const description = params.get("error_description");
  return description ? ` (${printable(description)})` : "";
}
