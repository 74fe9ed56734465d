/**
 * An integration whose MCP server wants OAuth 2.1, end to end and offline: a local authorization
 * server (oauth2-mock-server) and an MCP server that takes only its access tokens for itself
 * (audience checked with jose). Before authorizing, a sync says to run `charter integrations
 * authorize`; the command finds the authorization server from the MCP server's metadata, sends
 * the "browser" (this test) there with PKCE, and finishes on the callback; the tokens are sealed
 * in the database with a key file outside it; the integration syncs and its tool runs live; when
 * the server refuses the access token, Charter refreshes it and the call goes through.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtemp, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { OAuth2Server } from "oauth2-mock-server";
import { z } from "zod";
import { createApp } from "../src/app.ts";
import { authorizeIntegration } from "../src/cli/integrations.ts";
import type { Output } from "../src/cli/output.ts";
import { liveTools } from "../src/runs/index.ts";
import { SecretRepository } from "../src/store/index.ts";
import { freePort, tenantsFolder } from "./helpers/tenants.ts";

test("an integration that wants OAuth: authorize once (PKCE), tokens sealed outside the database's reach, sync, call, refresh", {
  timeout: 180_000,
}, async () => {
  const authorization = new OAuth2Server();
  await authorization.issuer.keys.generate("RS256");
  await authorization.start(0, "127.0.0.1");
  const issuer = authorization.issuer.url ?? "";
  let refreshes = 0;
  let pkce = false;
  authorization.service.on(
    "beforeTokenSigning",
    (token: { payload: Record<string, unknown> }, req: { body?: Record<string, string> }) => {
      // The token is for the resource the client named (RFC 8707), as a real authorization server does.
      if (req.body?.["resource"]) token.payload["aud"] = req.body["resource"];
      if (req.body?.["grant_type"] === "refresh_token") refreshes++;
      if (req.body?.["code_verifier"]) pkce = true;
      token.payload["sub"] = "charter-at-acme";
    },
  );

  // The MCP server: its metadata names the authorization server; it takes that server's tokens for itself only.
  let notBefore = 0;
  let base = "";
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const mcp = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", base);
    if (url.pathname.startsWith("/.well-known/oauth-protected-resource")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ resource: `${base}/mcp`, authorization_servers: [issuer] }));
      return;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const verified = token
      ? await jwtVerify(token, keys, { issuer, audience: `${base}/mcp` }).catch(() => undefined)
      : undefined;
    if (!verified || (verified.payload.iat ?? 0) < notBefore) {
      res.writeHead(401, {
        "www-authenticate": `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
      });
      res.end();
      return;
    }
    const server = new McpServer({ name: "secure", version: "1.0.0" });
    server.registerTool(
      "whoami",
      {
        description: "Who the token says the caller is.",
        inputSchema: {},
        outputSchema: { subject: z.string() },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async () => {
        const subject = String(verified.payload.sub);
        return { structuredContent: { subject }, content: [{ type: "text", text: subject }] };
      },
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => mcp.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(mcp.address() as AddressInfo).port}`;

  const callbackPort = await freePort();
  const tenants = await tenantsFolder({
    acme: {
      config: {
        name: "Acme",
        integrations: {
          secure: {
            transport: "http",
            url: `${base}/mcp`,
            oauth: {
              clientId: "charter-test",
              scopes: ["mcp"],
              redirectUri: `http://127.0.0.1:${callbackPort}/callback`,
            },
          },
        },
      },
    },
  });
  const dir = await mkdtemp(path.join(tmpdir(), "charter-oauth-"));
  const keyFile = path.join(dir, "keys", "secrets.key");
  const env = {
    CHARTER_TENANTS_DIR: tenants,
    CHARTER_DATA_DIR: path.join(dir, "data"),
    CHARTER_SECRETS_KEY_FILE: keyFile,
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const lines: string[] = [];
  const output: Output = { out: (line) => lines.push(line), err: (line) => lines.push(line) };
  try {
    // Not authorized yet: the sync says what to run.
    let app = await createApp({ processEnv: env });
    const before = (await app.sync("acme")).result.integrations[0];
    assert.equal(before?.status, "failed");
    assert.equal(before?.credentialState, "missing");
    assert.match(before?.error?.message ?? "", /run 'charter integrations authorize acme secure' once/);
    await app.close();

    // Authorize: the "browser" opens the URL; the authorization server sends it back to the callback.
    let opened: URL | undefined;
    const code = await authorizeIntegration("acme", "secure", { again: false }, output, (url) => {
      opened = url;
      void (async () => {
        // Another page or process at the callback address, without this authorization's state: ignored.
        const forged = await fetch(`http://127.0.0.1:${callbackPort}/callback?code=forged&state=guess`);
        assert.equal(forged.status, 400);
        const sent = await fetch(url, { redirect: "manual" });
        const back = sent.headers.get("location");
        assert.ok(back, `the authorization server redirects back (${sent.status})`);
        await (await fetch(back)).text();
      })();
    });
    assert.equal(code, 0, lines.join("\n"));
    assert.equal(opened?.searchParams.get("code_challenge_method"), "S256");
    assert.equal(opened?.searchParams.get("resource"), `${base}/mcp`);
    assert.ok(pkce, "the code was exchanged with its PKCE verifier");
    assert.match(lines.join("\n"), /acme\/secure is authorized/);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600, "the key file is the owner's alone");

    app = await createApp({ processEnv: env });
    try {
      const synced = (await app.sync("acme")).result.integrations[0];
      assert.equal(synced?.status, "new", JSON.stringify(synced?.error));
      assert.equal(synced?.credentialState, "ok");
      // In the database: sealed, no token in the clear.
      const stored = (await new SecretRepository(app.database.db).read("acme", "secure", "oauth")) ?? "";
      assert.match(stored, /^v1\./);
      // Neither token is in it in the clear (nor their field names): the row is ciphertext only.
      const tokens = await app.oauth
        .provider({
          tenantId: "acme",
          integration: "secure",
          clientId: "charter-test",
          clientSecret: undefined,
          scopes: ["mcp"],
          redirectUri: `http://127.0.0.1:${callbackPort}/callback`,
        })
        .tokens();
      assert.ok(tokens?.access_token && tokens.refresh_token, "the vault opens them");
      for (const clear of [tokens.access_token, tokens.refresh_token, "access_token", "refresh_token"])
        assert.ok(!stored.includes(clear), `the sealed row does not hold ${clear.slice(0, 12)}…`);

      const call = async () => {
        const tools = await liveTools({ env: app.env, processEnv: env, pool: app.pool, tenantId: "acme" });
        return tools({
          integration: "secure",
          tool: "whoami",
          args: {},
          policy: {
            integration: "secure",
            tool: "whoami",
            annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
            inputSchema: { type: "object" },
            outputSchema: undefined,
          },
        } as never);
      };
      const first = await call();
      assert.deepEqual(first.ok && first.structured, { subject: "charter-at-acme" }, JSON.stringify(first));
      // The server stops taking the tokens issued so far: Charter refreshes and goes on.
      notBefore = Math.floor(Date.now() / 1000) + 1;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await app.pool.closeAll();
      const second = await call();
      assert.deepEqual(second.ok && second.structured, { subject: "charter-at-acme" }, JSON.stringify(second));
      // Refreshed with the refresh token (the SDK may refresh once per request that met the 401:
      // the call, and the session's event stream), never by a new authorization.
      assert.ok(refreshes >= 1, `refreshed ${refreshes} times`);
    } finally {
      await app.close();
    }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    mcp.close();
    mcp.closeAllConnections();
    await authorization.stop();
  }
});
