/**
 * OAuth for integrations: the MCP SDK's client auth provider, backed by Charter's database.
 * What the SDK keeps between steps (tokens with their refresh token, the client registration,
 * the PKCE verifier, what discovery found) is sealed (config/sealer.ts) and stored per tenant and
 * integration, so every Charter process (server, workers, the CLI) uses and refreshes the same
 * tokens. Authorization itself needs a person: only `charter integrations authorize` can send one
 * to the authorization server; anywhere else, a server that wants a new authorization is an
 * error that says to run it.
 */
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Sealer } from "../config/sealer.ts";
import { IntegrationError } from "../core/errors.ts";
import type { OAuthSettings } from "../mcp/index.ts";
import type { SecretRepository } from "../store/index.ts";

type Kept = {
  tokens?: OAuthTokens;
  client?: OAuthClientInformationMixed;
  verifier?: string;
  discovery?: OAuthDiscoveryState;
};

export class OAuthVault {
  readonly #repository: SecretRepository;
  readonly #sealer: () => Promise<Sealer>;

  constructor(repository: SecretRepository, sealer: () => Promise<Sealer>) {
    this.#repository = repository;
    this.#sealer = sealer;
  }

  /** Whether the integration holds tokens (it was authorized, and not forgotten since). */
  async authorized(tenantId: string, integration: string): Promise<boolean> {
    return (await this.#read(tenantId, integration)).tokens !== undefined;
  }

  /** Forgets what an integration holds (`charter integrations authorize --again`). */
  async forget(tenantId: string, integration: string): Promise<void> {
    await this.#repository.remove(tenantId, integration, "oauth");
  }

  /**
   * A provider for one integration. With `interactive` it may send a person to authorize (the URL
   * is handed over, with `state` in it); without, a needed authorization is an
   * INTEGRATION_AUTH_REFUSED error, and nothing of an authorization (a PKCE verifier, a client
   * registration) is written, so a server or worker never spoils one a person has under way.
   */
  provider(
    settings: OAuthSettings,
    interactive?: { onAuthorizationUrl: (url: URL) => void; state: string },
  ): OAuthClientProvider {
    const { tenantId, integration } = settings;
    const read = () => this.#read(tenantId, integration);
    /** The tokens this provider last handed the SDK: what a refresh it failed was made with. */
    let handed: OAuthTokens | undefined;
    const sameTokens = (a: OAuthTokens | undefined, b: OAuthTokens | undefined) =>
      a?.access_token === b?.access_token && a?.refresh_token === b?.refresh_token;
    const update = async (change: (kept: Kept) => void) => {
      const kept = await read();
      change(kept);
      await this.#write(tenantId, integration, kept);
    };
    return {
      get redirectUrl() {
        return settings.redirectUri;
      },
      get clientMetadata(): OAuthClientMetadata {
        return {
          client_name: "Charter",
          redirect_uris: [settings.redirectUri],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: settings.clientSecret ? "client_secret_post" : "none",
          ...(settings.scopes ? { scope: settings.scopes.join(" ") } : {}),
        };
      },
      clientInformation: async () =>
        settings.clientId
          ? {
              client_id: settings.clientId,
              ...(settings.clientSecret ? { client_secret: settings.clientSecret.reveal() } : {}),
            }
          : (await read()).client,
      saveClientInformation: async (client) => {
        if (!interactive) return;
        await update((kept) => {
          kept.client = client;
        });
      },
      tokens: async () => {
        handed = (await read()).tokens;
        return handed;
      },
      saveTokens: (tokens) =>
        update((kept) => {
          kept.tokens = tokens;
        }),
      redirectToAuthorization: async (url) => {
        if (interactive) return interactive.onAuthorizationUrl(url);
        // Two refreshes at once with one refresh token: the other one won, and its tokens are stored.
        const stored = (await read()).tokens;
        if (stored && !sameTokens(stored, handed))
          throw new IntegrationError(
            "INTEGRATION_UNREACHABLE",
            integration,
            "another Charter process refreshed the OAuth tokens at the same moment; try the call " +
              "again (it uses the new ones)",
          );
        throw new IntegrationError(
          "INTEGRATION_AUTH_REFUSED",
          integration,
          `the server wants a new OAuth authorization (none yet, or its refresh token was ` +
            `refused): run 'charter integrations authorize ${tenantId} ${integration}'`,
        );
      },
      saveCodeVerifier: async (verifier) => {
        if (!interactive) return;
        await update((kept) => {
          kept.verifier = verifier;
        });
      },
      ...(interactive ? { state: () => interactive.state } : {}),
      codeVerifier: async () => {
        const verifier = (await read()).verifier;
        if (!verifier)
          throw new IntegrationError("INTEGRATION_AUTH_REFUSED", integration, "no authorization is under way");
        return verifier;
      },
      saveDiscoveryState: (discovery) =>
        update((kept) => {
          kept.discovery = discovery;
        }),
      discoveryState: async () => (await read()).discovery,
      invalidateCredentials: (scope) =>
        update((kept) => {
          // Only the tokens this provider used: newer ones another process saved (after its own
          // refresh with the same refresh token) are kept.
          if ((scope === "all" || scope === "tokens") && sameTokens(kept.tokens, handed)) delete kept.tokens;
          if (scope === "all" || scope === "client") delete kept.client;
          if (scope === "all" || scope === "verifier") delete kept.verifier;
          if (scope === "all" || scope === "discovery") delete kept.discovery;
        }),
    };
  }

  async #read(tenantId: string, integration: string): Promise<Kept> {
    const sealed = await this.#repository.read(tenantId, integration, "oauth");
    if (!sealed) return {};
    return (await this.#sealer()).open(sealed, context(tenantId, integration)) as Kept;
  }

  async #write(tenantId: string, integration: string, kept: Kept): Promise<void> {
    const sealed = (await this.#sealer()).seal(kept, context(tenantId, integration));
    await this.#repository.write(tenantId, integration, "oauth", sealed);
  }
}

const context = (tenantId: string, integration: string) => `oauth:${tenantId}/${integration}`;
