/**
 * `charter worker`: takes run jobs from the queue and keeps the schedules of approved versions,
 * until SIGINT/SIGTERM, when in-flight runs finish (or are handed back) before it exits. Start as
 * many as needed, on any machine that reaches the database. Logs are JSON lines, one per event.
 */
import { resourceSubscriptions } from "./common.ts";
import { createApp } from "../app.ts";
import { Dispatcher } from "../triggers/index.ts";
import { keepServing } from "./keep-serving.ts";
import type { Output } from "./output.ts";

export async function workerCommand(output: Output): Promise<number> {
  const stopKeeping = keepServing((line) => output.out(JSON.stringify({ ...line, pid: process.pid })));
  const app = await createApp();
  const log = (event: string, detail: Record<string, unknown>) =>
    output.out(JSON.stringify({ at: new Date().toISOString(), pid: process.pid, event, ...detail }));
  const dispatcher = await Dispatcher.start(app, {
    worker: true,
    scheduler: true,
    subscriptions: resourceSubscriptions(app),
    onEvent: (e) => log(e.event, e.detail),
  });
  log("worker-started", { database: app.database.kind });
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  log("worker-stopping", {});
  await dispatcher.stop();
  await app.close();
  log("worker-stopped", {});
  stopKeeping();
  return 0;
}
