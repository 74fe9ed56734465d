/**
 * The OAuth vault and its sealing, without a server: two processes refreshing with one refresh
 * token keep the winner's tokens (the loser's failure is retryable, not "authorize again"); a
 * server or worker never writes into an authorization a person has under way; a sealed value
 * opens only with its key and in its own row.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { OAuthVault } from "../src/catalog/index.ts";
import { Sealer } from "../src/config/sealer.ts";
import type { OAuthSettings } from "../src/mcp/index.ts";
import { CatalogRepository, SecretRepository } from "../src/store/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";

const settings: OAuthSettings = {
  tenantId: "acme",
  integration: "notes",
  clientId: "charter",
  clientSecret: undefined,
  scopes: undefined,
  redirectUri: "http://127.0.0.1:8976/callback",
};

test("the OAuth vault: a refresh race keeps the winner's tokens; background providers write nothing of an authorization; seals bind key and row", async () => {
  const database = await embeddedTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), "charter-vault-"));
  const keyFile = path.join(dir, "keys", "secrets.key");
  try {
    await new CatalogRepository(database.db).upsertTenant({ id: "acme", name: "Acme", configHash: "" });
    const repository = new SecretRepository(database.db);
    const [sealer, again] = await Promise.all([Sealer.fromFile(keyFile), Sealer.fromFile(keyFile)]);
    assert.equal(sealer.keyId, again.keyId, "two processes making the key at once end with one key");
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    assert.match(await readFile(keyFile, "utf8"), /^[A-Za-z0-9+/]{43}=\n$/);
    const vault = new OAuthVault(repository, async () => sealer);

    // Authorized once: T0.
    const person = vault.provider(settings, { onAuthorizationUrl: () => undefined, state: "s" });
    await person.saveTokens({ access_token: "A0", refresh_token: "R0", token_type: "Bearer" });
    assert.equal(await vault.authorized("acme", "notes"), true);

    // Two processes hit a 401 and refresh with R0; the server rotates: one wins (T1), one gets invalid_grant.
    const winner = vault.provider(settings);
    const loser = vault.provider(settings);
    assert.equal((await winner.tokens())?.refresh_token, "R0");
    assert.equal((await loser.tokens())?.refresh_token, "R0");
    await winner.saveTokens({ access_token: "A1", refresh_token: "R1", token_type: "Bearer" });
    await loser.invalidateCredentials?.("tokens"); // what the SDK does on invalid_grant
    assert.equal((await vault.provider(settings).tokens())?.refresh_token, "R1", "the winner's tokens are kept");
    await assert.rejects(
      Promise.resolve(loser.redirectToAuthorization(new URL("https://auth.example/authorize"))),
      (error: { code?: string; retryable?: boolean }) =>
        error.code === "INTEGRATION_UNREACHABLE" && error.retryable === true,
    );
    // Tokens that really are refused (nobody refreshed them): forgotten, and the error says to authorize.
    const alone = vault.provider(settings);
    await alone.tokens();
    await alone.invalidateCredentials?.("tokens");
    assert.equal(await vault.authorized("acme", "notes"), false);
    await assert.rejects(
      Promise.resolve(alone.redirectToAuthorization(new URL("https://auth.example/authorize"))),
      /run 'charter integrations authorize acme notes'/,
    );

    // A person's authorization under way: a background provider's PKCE verifier or registration is not written over it.
    await person.saveCodeVerifier("person-verifier");
    await vault.provider(settings).saveCodeVerifier("background-verifier");
    await vault.provider(settings).saveClientInformation?.({ client_id: "background" });
    assert.equal(await person.codeVerifier(), "person-verifier");
    assert.equal(await vault.provider({ ...settings, clientId: undefined }).clientInformation(), undefined);
    assert.equal(await person.state?.(), "s");

    // Sealed values: bound to the key and to the row.
    const sealed = sealer.seal({ secret: 1 }, "oauth:acme/notes");
    assert.deepEqual(sealer.open(sealed, "oauth:acme/notes"), { secret: 1 });
    assert.throws(
      () => sealer.open(sealed, "oauth:acme/other"),
      /does not open: it was altered, or belongs to another row/,
    );
    const otherKey = await Sealer.fromFile(path.join(dir, "other.key"));
    assert.throws(() => otherKey.open(sealed, "oauth:acme/notes"), /sealed with another key/);
  } finally {
    await database.close();
  }
});
