/** `charter serve`: the HTTP API and webhook endpoint on one port, until interrupted. */
import { resourceSubscriptions } from "./common.ts";
import { serve } from "@hono/node-server";
import { createApp } from "../app.ts";
import { createHttpApp } from "../server/index.ts";
import { Dispatcher } from "../triggers/index.ts";
import { publishEndpoint } from "../store/index.ts";
import { keepServing } from "./keep-serving.ts";
import type { Output } from "./output.ts";

/** Listening addresses that 127.0.0.1 reaches. */
const LOOPBACK_REACHABLE = new Set(["127.0.0.1", "localhost", "0.0.0.0", "::"]);

export async function serveCommand(port: number, output: Output): Promise<number> {
  const stopKeeping = keepServing((line) => output.out(JSON.stringify(line)));
  const app = await createApp();
  // The scheduler always runs beside the API, and a worker unless CHARTER_SERVE_WORKER=0 (then start
  // `charter worker`s); manual and webhook runs are queued for workers either way.
  const withWorker = app.env.serve.worker;
  const dispatcher = await Dispatcher.start(app, {
    worker: withWorker,
    scheduler: true,
    subscriptions: resourceSubscriptions(app),
    onEvent: (e) => output.out(JSON.stringify({ at: new Date().toISOString(), event: e.event, ...e.detail })),
  });
  const http = await createHttpApp(app, {
    log: (line) => output.out(JSON.stringify(line)),
    dispatcher,
    console: true,
  });
  const hostname = app.env.serve.host;
  let withdraw: () => void = () => undefined;
  let answer: (request: Request) => Response | undefined = () => undefined;
  const fetch = (request: Request) => answer(request) ?? http.fetch(request);
  const server = serve({ fetch, port, hostname }, (info) => {
    output.out(
      `charter: serving http://${hostname}:${info.port}/api/v1 and MCP at ` +
        `http://${hostname}:${info.port}/mcp (database: ${app.database.kind} ${app.database.location})`,
    );
    // `charter mcp` on the same embedded data folder connects through this process instead of failing on its lock.
    if (app.database.kind === "embedded" && LOOPBACK_REACHABLE.has(hostname))
      ({ withdraw, answer } = publishEndpoint(
        app.env.dataDir,
        `http://127.0.0.1:${info.port}/mcp`,
        `charter serve (pid ${process.pid})`,
      ));
  });
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  output.out("charter: stopping");
  withdraw();
  // Open MCP event streams would hold close() forever: end every connection once requests are refused.
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
  // Runs in flight get the grace time to finish; one that does not is handed back (a resume job for it is queued,
  // and another worker resumes it from its journal).
  await dispatcher.stop();
  await app.close();
  stopKeeping();
  return 0;
}
