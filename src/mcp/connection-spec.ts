import type { Secret } from "../config/credentials.ts";

export type ProcessSpec = { command: string; args: string[]; env: Record<string, string>; cwd: string };

/**
 * When a launched HTTP server is ready: it prints `MCP_HTTP_URL=<url>` (the default), it prints a
 * line matching `line` (on stdout or stderr), or its configured URL answers HTTP (`poll`).
 */
export type LaunchReadiness = { line: string } | { poll: true };

/** An integration that authorizes with OAuth (its tokens are in the OAuth vault, not here). */
export type OAuthSettings = {
  tenantId: string;
  integration: string;
  clientId: string | undefined;
  clientSecret: Secret | undefined;
  scopes: string[] | undefined;
  redirectUri: string;
};

/** Everything needed to reach one integration; secret values stay wrapped until the transport is built. */
export type ConnectionSpec = {
  /** Unique per tenant and integration, e.g. "demo/tickets". */
  key: string;
  integration: string;
  timeouts: { connectMs: number; requestMs: number };
} & (
  | ({ transport: "stdio"; secretEnv: Record<string, Secret> } & ProcessSpec)
  | {
      transport: "http";
      url: string | undefined;
      headers: Record<string, string>;
      secretHeaders: Record<string, Secret>;
      launch: (ProcessSpec & { ready?: LaunchReadiness | undefined }) | undefined;
      oauth?: OAuthSettings | undefined;
    }
);

/** The secrets of a spec, for redacting what its server says back. */
export function secretsOf(spec: ConnectionSpec): Secret[] {
  if (spec.transport === "stdio") return Object.values(spec.secretEnv);
  return [...Object.values(spec.secretHeaders), ...(spec.oauth?.clientSecret ? [spec.oauth.clientSecret] : [])];
}
