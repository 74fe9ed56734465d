/** Every route of the HTTP face, by area; each module declares its routes with `route()` (../route.ts). */
import type { App } from "../../app.ts";
import type { Dispatcher } from "../../triggers/index.ts";
import type { OpenApiDocument } from "../openapi.ts";
import type { Route } from "../route.ts";
import { catalogRoutes } from "./catalog.ts";
import { hookRoutes } from "./hooks.ts";
import { keyRoutes } from "./keys.ts";
import { planRoutes } from "./plans.ts";
import { runRoutes } from "./runs.ts";
import { systemRoutes } from "./system.ts";
import { versionRoutes } from "./versions.ts";

/**
 * What the routes use. Without a dispatcher, manual and webhook runs run inline (tests, tools);
 * with one they are queued for workers. `webhookKey`: the server key webhook secrets derive from.
 */
export type RouteDeps = { app: App; dispatcher: Dispatcher | undefined; webhookKey: Buffer };

/** All routes; `document` is the OpenAPI document made from them, served by one of them. */
export function allRoutes(deps: RouteDeps, document: () => OpenApiDocument): Route[] {
  return [
    ...systemRoutes(deps, document),
    ...catalogRoutes(deps),
    ...versionRoutes(deps),
    ...planRoutes(deps),
    ...runRoutes(deps),
    ...hookRoutes(deps),
    ...keyRoutes(deps),
  ];
}
