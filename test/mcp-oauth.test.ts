/**
 * /mcp as an OAuth 2.1 protected resource, against a local authorization server
 * (oauth2-mock-server, no network): its metadata names the issuer; a 401 points at the metadata;
 * access tokens of the issuer for this resource, whose subject is a Charter user, open a session
 * as that user; a token for another audience, an expired one, a forged one or an unknown subject
 * is refused with the reason; API keys still work beside tokens.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { OAuth2Server } from "oauth2-mock-server";
import { type App, createApp } from "../src/app.ts";
import { parseEnv } from "../src/config/env.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { type Served, serveHttp } from "./helpers/serve.ts";
import { freePort, REPO } from "./helpers/tenants.ts";

describe("/mcp as an OAuth protected resource", () => {
  let authorization: OAuth2Server;
  let issuer = "";
  let app: App;
  let served: Served;
  let key = "";

  before(async () => {
    authorization = new OAuth2Server();
    await authorization.issuer.keys.generate("RS256");
    await authorization.start(0, "127.0.0.1");
    issuer = authorization.issuer.url ?? "";
    const port = await freePort();
    app = await createApp({
      processEnv: {
        CHARTER_TENANTS_DIR: path.join(REPO, "tenants"),
        CHARTER_OAUTH_ISSUER: issuer,
        CHARTER_PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
      database: await embeddedTestDatabase(),
    });
    await app.catalogs.upsertTenant({ id: "demo", name: "Demo", configHash: "" });
    await app.catalogs.upsertTenant({ id: "other", name: "Other", configHash: "" });
    const olga = await app.identity.ensureUser("olga");
    await app.identity.grant("demo", olga.id, "operator");
    const wanda = await app.identity.ensureUser("wanda");
    await app.identity.grant("demo", wanda.id, "author");
    await app.identity.grant("other", wanda.id, "author");
    key = await app.identity.createKey("demo", olga.id);
    served = await serveHttp(app, { port });
  });
  after(async () => {
    await served.close();
    await app.close();
    await authorization.stop();
  });

  const token = (claims: Record<string, unknown>, expiresIn = 600) =>
    authorization.issuer.buildToken({
      expiresIn,
      scopesOrTransform: (_header, payload) => {
        Object.assign(payload, { aud: `${served.base}/mcp`, ...claims });
      },
    });
  const connect = async (bearer: string) => {
    const client = new Client({ name: "oauth-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${served.base}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      }),
    );
    return client;
  };
  const post = (bearer?: string) =>
    fetch(`${served.base}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
      }),
    });

  test("OAuth needs CHARTER_PUBLIC_URL: the audience a token must have is never taken from a request", () => {
    assert.throws(
      () => parseEnv({ CHARTER_OAUTH_ISSUER: issuer }, REPO),
      /CHARTER_PUBLIC_URL: with CHARTER_OAUTH_ISSUER/,
    );
  });

  test("its metadata names the authorization server, and a 401 points a client to it", async () => {
    const metadata = await (await fetch(`${served.base}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.deepEqual(metadata, {
      resource: `${served.base}/mcp`,
      authorization_servers: [issuer],
      bearer_methods_supported: ["header"],
      resource_name: "Charter",
    });
    const refused = await post();
    assert.equal(refused.status, 401);
    assert.equal(
      refused.headers.get("www-authenticate"),
      `Bearer resource_metadata="${served.base}/.well-known/oauth-protected-resource/mcp"`,
    );
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /API key or an access token/,
    );
  });

  test("an access token of the issuer, for this resource, opens a session as its subject; so does an API key", async () => {
    const client = await connect(await token({ sub: "olga" }));
    const tools = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes("charter.start_run"), "olga is an operator in demo");
    const workflows = await client.callTool({ name: "charter.list_workflows", arguments: {} });
    assert.notEqual(workflows.isError, true, JSON.stringify(workflows));
    await client.close();
    // A user with roles in two tenants: the token names one.
    const wanda = await connect(await token({ sub: "wanda", charter_tenant: "other" }));
    assert.match(wanda.getInstructions() ?? "", /tenant "other"/);
    await wanda.close();
    const keyed = await connect(key);
    assert.ok((await keyed.listTools()).tools.length > 0);
    await keyed.close();
  });

  test("refused, saying why: another audience, expired, not signed by the issuer, an unknown subject, no tenant", async () => {
    const cases: [string, string, number, RegExp][] = [
      [
        "another audience",
        await token({ sub: "olga", aud: "https://elsewhere.example/mcp" }),
        401,
        /not for this resource/,
      ],
      ["expired", await token({ sub: "olga" }, -120), 401, /expired/],
      [
        "forged",
        `${(await token({ sub: "olga" })).split(".").slice(0, 2).join(".")}.${Buffer.from("x".repeat(64)).toString("base64url")}`,
        401,
        /not a valid signed JWT/,
      ],
      ["unknown subject", await token({ sub: "mallory" }), 403, /mallory is not a Charter user/],
      [
        "roles in two tenants, none named",
        await token({ sub: "wanda" }),
        403,
        /must name one in its charter_tenant claim/,
      ],
      [
        "a tenant without a role",
        await token({ sub: "olga", charter_tenant: "other" }),
        403,
        /no role in tenant other/,
      ],
    ];
    for (const [what, bearer, status, reason] of cases) {
      const response = await post(bearer);
      await checkRefusal(what, response, status, reason);
    }
    // A token another server on this machine was given (its audience is that server's /mcp) is
    // refused even when replayed with that server's Host: the audience is CHARTER_PUBLIC_URL's.
    const elsewhere = await token({ sub: "olga", aud: "http://localhost:3999/mcp" });
    const replayed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: "127.0.0.1",
          port: new URL(served.base).port,
          path: "/mcp",
          method: "POST",
          headers: {
            host: "localhost:3999",
            authorization: `Bearer ${elsewhere}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      request.on("error", reject);
      request.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    });
    assert.equal(replayed.status, 401, replayed.body);
    assert.match(replayed.body, /not for this resource/);
  });
});

async function checkRefusal(what: string, response: Response, status: number, reason: RegExp) {
  assert.equal(response.status, status, what);
  assert.match(((await response.json()) as { error: { message: string } }).error.message, reason, what);
  if (status === 401) assert.match(response.headers.get("www-authenticate") ?? "", /error="invalid_token"/, what);
}
