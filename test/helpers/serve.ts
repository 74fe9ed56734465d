/** Serves Charter's hono app on a free port of 127.0.0.1, as `charter serve` does. */
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import type { App } from "../../src/app.ts";
import { createHttpApp } from "../../src/server/index.ts";
import type { Dispatcher } from "../../src/triggers/index.ts";

export type Served = {
  base: string;
  port: number;
  routes: { method: string; path: string }[];
  close: () => Promise<void>;
};

export async function serveHttp(
  app: App,
  options: {
    log?: (line: Record<string, unknown>) => void;
    dispatcher?: Dispatcher;
    port?: number;
    /** Serve the console's pages too (charter serve does). */
    console?: boolean;
  } = {},
): Promise<Served> {
  const http = await createHttpApp(app, options);
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: http.fetch, port: options.port ?? 0, hostname: "127.0.0.1" }, () =>
      resolve(started),
    );
  });
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    routes: http.routes,
    // Open MCP event streams would hold close() forever: end every connection.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
