/** `charter serve`: the HTTP API and webhook endpoint on one port, until interrupted. */
import { serve } from "@hono/node-server";
import { createApp } from "../app.ts";
import { createHttpApp } from "../server/index.ts";
import { Dispatcher } from "../triggers/index.ts";
import type { Output } from "./output.ts";

export const SERVE_HELP = `Usage: charter serve [--port <port>]

Serves the HTTP API under /api/v1 (OpenAPI at /api/v1/openapi.json) and signed webhooks under
/hooks/<tenant>/<workflow>, on 127.0.0.1 (CHARTER_HOST to change) and the port given (default 8787),
with a worker and the scheduler for approved versions' schedules (CHARTER_SERVE_WORKER=0 for none).
Stops cleanly on Ctrl-C or SIGTERM. Bootstrap a key with 'charter users add' and 'charter keys create'.`;

export async function serveCommand(port: number, output: Output): Promise<number> {
  const app = await createApp();
  const http = await createHttpApp(app, { log: (line) => output.out(JSON.stringify(line)) });
  // A worker and the scheduler run beside the API unless CHARTER_SERVE_WORKER=0 (then start `charter worker`s).
  const withWorker = process.env["CHARTER_SERVE_WORKER"] !== "0";
  const dispatcher = withWorker
    ? await Dispatcher.start({ database: app.database, versions: app.versions, versionRepository: app.versionRepository }, { worker: true, scheduler: true, subscriptions: { pool: app.pool, env: app.env, processEnv: process.env }, onEvent: (e) => output.out(JSON.stringify({ at: new Date().toISOString(), event: e.event, ...e.detail })) })
    : undefined;
  const hostname = process.env["CHARTER_HOST"] ?? "127.0.0.1";
  const server = serve({ fetch: http.fetch, port, hostname }, (info) => output.out(`charter: serving http://${hostname}:${info.port}/api/v1 (database: ${app.database.kind} ${app.database.location})`));
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  output.out("charter: stopping");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dispatcher?.stop();
  await app.close();
  return 0;
}
