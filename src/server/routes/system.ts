/** What is not a tenant's: health, this document, MCP (Streamable HTTP) and its OAuth metadata. */
import { z } from "zod";
import { mcpEndpoint } from "../../mcp-server/index.ts";
import { protectedResourceMetadata, resourceOf } from "../../mcp-server/oauth-resource.ts";
import type { OpenApiDocument } from "../openapi.ts";
import { type RawOperationDoc, type Route, rawRoute, route } from "../route.ts";
import type { RouteDeps } from "./index.ts";

const ResourceMetadata = z.object({
  resource: z.string(),
  authorization_servers: z.array(z.string()),
  bearer_methods_supported: z.array(z.string()),
  resource_name: z.string(),
});

const mcp = (summary: string, responses: Record<string, string>): RawOperationDoc => ({
  tag: "mcp",
  summary,
  description:
    "MCP Streamable HTTP (JSON-RPC), with an API key or (CHARTER_OAUTH_ISSUER) an access token: the caller's " +
    "tenant's approved workflows as tools, charter.* management tools, SDK resources. Host and Origin must be " +
    "allowed hosts.",
  access: "tenant",
  responses,
});

/** `document`: the OpenAPI document, made from every route once they are all declared. */
export function systemRoutes({ app, dispatcher }: RouteDeps, document: () => OpenApiDocument): Route[] {
  const tag = "system";
  const wellKnown = (path: string, summary: string) =>
    route({
      method: "get",
      path,
      tag: "mcp",
      summary,
      description: "Its identifier and the authorization server (CHARTER_OAUTH_ISSUER).",
      access: "public",
      responses: {
        200: { description: "the metadata", schema: ResourceMetadata },
        404: { description: "OAuth is not configured", schema: z.object({ error: z.string() }) },
      },
      handle: async ({ c }, reply) => {
        const issuer = app.env.mcp.oauthIssuer;
        if (!issuer) return reply(404, { error: "this Charter takes API keys only (no CHARTER_OAUTH_ISSUER is set)" });
        const resource = resourceOf(c.req.raw, app.env.mcp.publicUrl).resource;
        return reply(200, protectedResourceMetadata(resource, issuer));
      },
    });
  return [
    route({
      method: "get",
      path: "/api/v1/health",
      tag,
      summary: "Whether the server is up, its database, and whether runs are queued or run inline.",
      access: "public",
      responses: {
        200: {
          description: "up",
          schema: z.object({
            ok: z.literal(true),
            database: z.enum(["embedded", "server"]),
            dispatcher: z.enum(["queue", "inline"]),
          }),
        },
      },
      handle: async (_input, reply) =>
        reply(200, { ok: true, database: app.database.kind, dispatcher: dispatcher ? "queue" : "inline" }),
    }),
    route({
      method: "get",
      path: "/api/v1/openapi.json",
      tag,
      summary: "This document.",
      access: "public",
      responses: {
        200: {
          description: "the OpenAPI 3.1 document",
          schema: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }),
        },
      },
      handle: async (_input, reply) => reply(200, document()),
    }),
    // With CHARTER_OAUTH_ISSUER, /mcp is an OAuth protected resource: its metadata (RFC 9728) names the server.
    wellKnown("/.well-known/oauth-protected-resource/mcp", "RFC 9728 metadata of /mcp as an OAuth protected resource."),
    wellKnown(
      "/.well-known/oauth-protected-resource",
      "The same metadata, at the path clients try first for the origin.",
    ),
    rawRoute(
      "/mcp",
      {
        post: mcp("MCP requests and notifications of a session (initialize starts one).", {
          200: "a JSON-RPC answer, or an event stream of them",
          202: "a notification or answer taken",
          401: "no key or token, or a bad one",
          403: "Host or Origin not allowed",
          404: "unknown session",
        }),
        get: mcp("The server-to-client event stream of a session.", { 200: "an event stream" }),
        delete: mcp("Ends an MCP session.", { 200: "ended" }),
      },
      mcpEndpoint(app, dispatcher ? { dispatcher } : {}),
    ),
  ];
}
