/**
 * The HTTP API (hono), under /api/v1, and the webhook endpoint. Every tenant route needs a
 * bearer API key; the key's tenant must be the route's (otherwise 404, never a hint the tenant
 * exists) and its user must hold the route's role. Routes are declared in src/server/routes/,
 * and the OpenAPI document is made from the same declarations. With `console`, the console's
 * pages are served under /console (src/console/), and / leads there.
 */
import { Hono } from "hono";
import type { App } from "../app.ts";
import { consoleRoutes } from "../console/index.ts";
import { restRoles } from "../console/roles.ts";
import type { Dispatcher } from "../triggers/index.ts";
import { authenticateTenants, guardRequests, handleErrors, type LogLine, roleCheck } from "./middleware.ts";
import { type OpenApiDocument, openApiDocument } from "./openapi.ts";
import { register, type Vars } from "./route.ts";
import { allRoutes } from "./routes/index.ts";
import { webhookKey } from "./webhooks.ts";

export type { LogLine } from "./middleware.ts";

/**
 * With a dispatcher, manual and webhook runs are queued for workers (the answer is 202 with the
 * job; `?wait=<seconds>` on a manual run waits for it); without one (tests, tools), they run inline.
 */
export async function createHttpApp(
  app: App,
  options: { log?: (line: LogLine) => void; dispatcher?: Dispatcher; console?: boolean } = {},
): Promise<Hono<Vars>> {
  const key = await webhookKey(app.env.dataDir, app.env.webhookKey?.reveal());
  const http = new Hono<Vars>();
  // Unexpected errors are logged even without a request log (to stderr), since the answer says so.
  handleErrors(http, options.log ?? ((line: LogLine) => process.stderr.write(`${JSON.stringify(line)}\n`)));
  guardRequests(http, app, options.log);
  authenticateTenants(http, app);
  // Made once the routes are declared (one of them serves it), before any request: a declaration
  // the document cannot describe stops the server here.
  let document: OpenApiDocument | undefined;
  const routes = allRoutes({ app, dispatcher: options.dispatcher, webhookKey: key }, () => {
    if (!document) throw new Error("the OpenAPI document is made before the first request");
    return document;
  });
  document = openApiDocument(routes);
  register(http, routes, roleCheck(app));
  if (options.console) {
    const pages = await consoleRoutes({ app, dispatcher: options.dispatcher, rules: restRoles(routes) });
    http.get("/", (c) => c.redirect("/console", 302));
    http.route("/console", pages);
  }
  return http;
}
