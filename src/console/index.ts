/**
 * The console: server-rendered pages for IT staff, reviewers and operators under /console, served
 * by `charter serve` beside the REST API, with the same services and the same role rules (each
 * action asks for the roles of the REST route that does the same thing, and the services enforce
 * the rest: a reviewer never approves their own version).
 */
import { Hono } from "hono";
import type { App } from "../app.ts";
import type { Dispatcher } from "../triggers/index.ts";
import { consoleAssets } from "./assets.ts";
import { type Html, securityHeaders } from "./layout.ts";
import { registerPages } from "./pages/index.ts";
import { type ConsoleVars, requireSession } from "./session.ts";
import { registerSignIn } from "./pages/sign-in.ts";
import type { RestRoles } from "./roles.ts";
import { LiveStreams } from "./streams.ts";

/** What the console is made from: the services, the dispatcher (queued runs) and the REST routes' roles. */
export type ConsoleDeps = { app: App; dispatcher: Dispatcher | undefined; rules: RestRoles };

/** What its pages get: that, and the state of this console (its live streams, its drawings of versions). */
export type ConsoleOptions = ConsoleDeps & { streams: LiveStreams; drawings: Map<string, Html> };

export async function consoleRoutes(deps: ConsoleDeps): Promise<Hono<ConsoleVars>> {
  const options: ConsoleOptions = { ...deps, streams: new LiveStreams(), drawings: new Map() };
  const console = new Hono<ConsoleVars>();
  const assets = await consoleAssets();
  const publicUrl = options.app.env.mcp.publicUrl;
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  console.use("*", async (c, next) => {
    c.set("publicOrigin", publicOrigin);
    await next();
    securityHeaders(c);
  });
  console.get("/assets/:file", (c) => {
    const asset = assets.get(c.req.param("file"));
    if (!asset) return c.notFound();
    c.header("content-type", asset.type);
    return c.body(asset.body);
  });
  registerSignIn(console, options.app);
  console.use("*", requireSession(options.app));
  registerPages(console, options);
  return console;
}
