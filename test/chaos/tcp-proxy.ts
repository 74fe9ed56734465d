/**
 * A TCP proxy in front of a server, for outage trials: `outage(ms)` resets every open connection at
 * once and stops listening for `ms` (new connections are refused), which is what a client sees while
 * its database restarts (a real restart of the machine's PostgreSQL would also cut every other
 * test's connections).
 */
import { connect, createServer, type Socket } from "node:net";

export type TcpProxy = {
  port: number;
  /** Cuts every connection through the proxy and refuses new ones for `ms`; resolves when it lets them in again. */
  outage: (ms: number) => Promise<void>;
  /** How many connections were cut. */
  readonly cut: number;
  close: () => Promise<void>;
};

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = 0;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      // A reset on one side ends the other: neither outlives its peer.
      socket.on("error", () => (socket === client ? upstream : client).destroy());
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  let up = true;
  return {
    port,
    async outage(ms) {
      up = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        cut += open.size;
        for (const socket of open) socket.resetAndDestroy();
      });
      await new Promise((resolve) => setTimeout(resolve, ms));
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      up = true;
    },
    get cut() {
      return cut;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        if (up) server.close(() => resolve());
        else resolve();
      }),
  };
}
