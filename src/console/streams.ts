/**
 * Live pages' server-sent event streams, bounded: each holds a connection and polls the store, so
 * a user may have at most 5 open and the process 200 (past that: 429, and the page works as a
 * plain page). A stream that fails ends with a bare `end` (the page reloads); the cause goes to the
 * problem log, never to the browser (a database error's text can hold a query's parameters).
 */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { App } from "../app.ts";
import type { ConsoleVars } from "./session.ts";

const PER_USER = 5;
const IN_ALL = 200;

/** The open streams of one console (one per `charter serve`), counted per user and in all. */
export class LiveStreams {
  readonly #open = new Map<string, number>();
  #total = 0;

  open(c: Context<ConsoleVars>, app: App, where: string, body: (stream: SSEStreamingApi) => Promise<void>): Response {
    const session = c.get("session");
    const key = `${session.tenantId}\u0000${session.actor.userId}`;
    const mine = this.#open.get(key) ?? 0;
    if (mine >= PER_USER || this.#total >= IN_ALL)
      return c.text("Too many live pages are open: close some, then reload this one.", 429);
    this.#open.set(key, mine + 1);
    this.#total++;
    return streamSSE(c, async (stream) => {
      try {
        await body(stream);
      } catch (error) {
        app.onProblem(where, error);
        if (!stream.aborted) await stream.writeSSE({ event: "end", data: "" }).catch(() => undefined);
      } finally {
        const left = (this.#open.get(key) ?? 1) - 1;
        if (left > 0) this.#open.set(key, left);
        else this.#open.delete(key);
        this.#total--;
      }
    });
  }
}
