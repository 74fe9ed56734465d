/** The OpenAPI document served at /api/v1/openapi.json: every route, its auth and its body. */
const bearer = [{ apiKey: [] }];
const json = (schema: Record<string, unknown>) => ({ required: true, content: { "application/json": { schema } } });
const tenant = { name: "tenant", in: "path", required: true, schema: { type: "string" } };
const ok = { description: "OK" };
const errors = { "4XX": { description: "{ error: { code, message, retryable } }" } };

const DOCUMENT = {
  openapi: "3.1.0",
  info: { title: "Charter API", version: "1" },
  components: {
    securitySchemes: {
      apiKey: { type: "http", scheme: "bearer", description: "A Charter API key (charter keys create)" },
    },
  },
  paths: {
    "/api/v1/health": { get: { responses: { 200: ok } } },
    "/api/v1/openapi.json": { get: { description: "This document.", responses: { 200: ok } } },
    "/.well-known/oauth-protected-resource/mcp": {
      get: {
        description:
          "RFC 9728 metadata of /mcp as an OAuth protected resource: its identifier and the authorization server (CHARTER_OAUTH_ISSUER). 404 when Charter takes API keys only.",
        responses: { 200: ok, 404: { description: "OAuth is not configured" } },
      },
    },
    "/.well-known/oauth-protected-resource": {
      get: {
        description: "The same metadata, at the path clients try first for the origin.",
        responses: { 200: ok, 404: { description: "OAuth is not configured" } },
      },
    },
    "/api/v1/tenants/{tenant}/sync": {
      post: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/catalog": {
      get: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/versions": {
      get: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
      post: {
        security: bearer,
        parameters: [tenant],
        requestBody: json({
          type: "object",
          required: ["source"],
          properties: { source: { type: "string" }, tests: { type: "string" }, name: { type: "string" } },
        }),
        responses: { 201: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/plans": {
      post: {
        description:
          "Plans a request into a draft version (201). A question or a refusal is 422 { error: { code: PLANNER_NEEDS_INPUT | PLANNER_CANNOT, outcome, clause, reason, options, session } }; answer it at /plans/{session}/answer.",
        security: bearer,
        parameters: [tenant],
        requestBody: json({
          type: "object",
          required: ["request"],
          properties: { request: { type: "string" }, from: { type: "string" } },
        }),
        responses: { 201: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/plans/{session}/answer": {
      post: {
        description:
          "Continues a planning session that ended with a question or a refusal, with the asker's answer: a draft (201), or another question or refusal (422, same session).",
        security: bearer,
        parameters: [
          tenant,
          { name: "session", in: "path", required: true, schema: { type: "string", format: "uuid" } },
        ],
        requestBody: json({ type: "object", required: ["answer"], properties: { answer: { type: "string" } } }),
        responses: { 201: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/versions/{ref}": {
      get: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/versions/{from}/diff/{to}": {
      get: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/versions/{ref}/submit": {
      post: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/versions/{ref}/approve": {
      post: {
        security: bearer,
        parameters: [tenant],
        requestBody: json({ type: "object", required: ["comment"], properties: { comment: { type: "string" } } }),
        responses: { 200: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/versions/{ref}/reject": {
      post: {
        security: bearer,
        parameters: [tenant],
        requestBody: json({ type: "object", required: ["comment"], properties: { comment: { type: "string" } } }),
        responses: { 200: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/workflows/{workflow}/rollback": {
      post: {
        security: bearer,
        parameters: [tenant],
        requestBody: json({ type: "object", required: ["to"], properties: { to: { type: "integer" } } }),
        responses: { 200: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/workflows/{workflow}/runs": {
      post: {
        description:
          "Queues a run of the approved version for a worker (inline when the server has no dispatcher). wait: seconds to wait for the result (0-25).",
        security: bearer,
        parameters: [tenant, { name: "wait", in: "query", schema: { type: "number", minimum: 0, maximum: 25 } }],
        requestBody: json({ type: "object", properties: { input: { type: "object" } } }),
        responses: {
          200: { description: "finished within the wait: { job, run }" },
          201: { description: "ran inline: { run }" },
          202: { description: "queued: { job, run: null | running run, follow }" },
          ...errors,
        },
      },
    },
    "/api/v1/tenants/{tenant}/runs": {
      get: {
        security: bearer,
        parameters: [
          tenant,
          { name: "workflow", in: "query", schema: { type: "string" } },
          { name: "status", in: "query", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer" } },
          { name: "job", in: "query", schema: { type: "string", format: "uuid" } },
        ],
        responses: { 200: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/drift": {
      get: {
        description: "Re-checks the active versions against the current catalog and reports each.",
        security: bearer,
        parameters: [tenant],
        responses: { 200: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/runs/{id}/cancel": {
      post: { security: bearer, parameters: [tenant], responses: { 202: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/runs/{id}": {
      get: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/workflows/{workflow}/webhook": {
      get: { security: bearer, parameters: [tenant], responses: { 200: ok, ...errors } },
    },
    "/api/v1/tenants/{tenant}/keys": {
      post: {
        security: bearer,
        parameters: [tenant],
        requestBody: json({
          type: "object",
          required: ["user", "roles"],
          properties: { user: { type: "string" }, roles: { type: "array", items: { type: "string" } } },
        }),
        responses: { 201: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/keys/{prefix}": {
      delete: {
        description: "Revokes a key of this tenant by its first 12 characters (admin).",
        security: bearer,
        parameters: [tenant, { name: "prefix", in: "path", required: true, schema: { type: "string" } }],
        responses: { 200: ok, ...errors },
      },
    },
    "/api/v1/tenants/{tenant}/workflows": {
      get: {
        description: "Workflows with their number of versions, the latest, and the active one.",
        security: bearer,
        parameters: [tenant],
        responses: { 200: ok, ...errors },
      },
    },
    "/mcp": {
      post: {
        description:
          "MCP Streamable HTTP (JSON-RPC), with an API key or (CHARTER_OAUTH_ISSUER) an access token: the caller's tenant's approved workflows as tools, charter.* management tools, SDK resources. Host/Origin must be an allowed host.",
        security: bearer,
        responses: {
          200: ok,
          202: ok,
          401: { description: "no or bad key" },
          403: { description: "Host or Origin not allowed" },
          404: { description: "unknown session" },
        },
      },
      get: { description: "MCP server-to-client event stream of a session", security: bearer, responses: { 200: ok } },
      delete: { description: "Ends an MCP session", security: bearer, responses: { 200: ok } },
    },
    "/hooks/{tenant}/{workflow}": {
      post: {
        description: "Signed webhook: x-charter-timestamp, x-charter-signature",
        responses: {
          202: { description: "queued: { job }" },
          400: { description: "the body is not JSON" },
          422: { description: "the body does not match the input schema" },
          401: { description: "bad or stale signature" },
          404: { description: "no approved workflow with a webhook trigger" },
        },
      },
    },
  },
};

/** What each path parameter is, for the operations that name it. */
const PATH_PARAMETERS: Record<string, string> = {
  tenant: "the tenant",
  ref: "a version: <workflow>@<number>, or its id",
  from: "the version to compare from: <workflow>@<number>, or its id",
  to: "the version to compare to: <workflow>@<number>, or its id",
  workflow: "the workflow's name",
  id: "the run's id",
  session: "the planning session's id",
  prefix: "the key's first 12 characters",
};

type Operation = { parameters?: { name: string; in: string }[]; operationId?: string } & Record<string, unknown>;

/**
 * The document as served: every operation declares each parameter its path names (described once,
 * above) and has an operationId made from its method and path, so strict validators and client
 * generators accept it. test/openapi.test.ts validates it and checks every served route is in it.
 */
function complete<T extends { paths: Record<string, Record<string, Operation>> }>(document: T): T {
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");
    for (const [method, operation] of Object.entries(item)) {
      const declared = new Set((operation.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name));
      const missing = names.filter((name) => !declared.has(name));
      operation.parameters = [
        ...(operation.parameters ?? []),
        ...missing.map((name) => ({
          name,
          in: "path",
          required: true,
          description: PATH_PARAMETERS[name] ?? name,
          schema: { type: "string" },
        })),
      ];
      const words = path
        .replace(/^\/api\/v1\/tenants\/\{tenant\}/, "")
        .replace(/^\/api\/v1/, "")
        .split(/[/.{}-]+/)
        .filter(Boolean);
      operation.operationId ??= [method, ...words]
        .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
        .join("");
    }
  }
  return document;
}

export const OPENAPI = complete(DOCUMENT as typeof DOCUMENT & { paths: Record<string, Record<string, Operation>> });
