/**
 * An MCP resource subscription as a trigger, live: an approved version triggered by the demo
 * ticketing server's "new incidents" resource runs, through the pg-boss queue on PGlite, when a P1
 * incident is opened on that server.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { createApp } from "../src/app.ts";
import { tenantConnections } from "../src/catalog/index.ts";
import { Dispatcher, type DispatcherEvent } from "../src/triggers/index.ts";
import { embeddedTestDatabase } from "./helpers/databases.ts";
import { authorAndReviewer, submitAndApprove } from "./helpers/reviewed.ts";
import { REPO } from "./helpers/tenants.ts";

test("a P1 incident opened on the ticketing server starts the approved workflow that subscribes to new incidents", {
  timeout: 120_000,
}, async () => {
  const app = await createApp({
    processEnv: { CHARTER_TENANTS_DIR: path.join(REPO, "tenants") },
    database: await embeddedTestDatabase(),
  });
  let dispatcher: Dispatcher | undefined;
  try {
    assert.ok((await app.sync("demo")).result.ok);
    const people = await authorAndReviewer(app, "demo");
    const planned = await app.planner.plan({
      tenantId: "demo",
      request: "When a P1 incident is opened, page the on-call engineer and post the incident to #incidents",
      author: people.author,
    });
    await submitAndApprove(app, "demo", planned.version.id, people);

    const events: DispatcherEvent[] = [];
    const waiting: ((event: DispatcherEvent) => void)[] = [];
    const finishedRuns: DispatcherEvent[] = [];
    const nextFinished = () =>
      Promise.race([
        new Promise<DispatcherEvent>((resolve) =>
          finishedRuns.length > 0 ? resolve(finishedRuns.shift() as DispatcherEvent) : waiting.push(resolve),
        ),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no run within 30 s: ${JSON.stringify(events)}`)), 30_000),
        ),
      ]);
    const finished = (event: DispatcherEvent) => {
      const next = waiting.shift();
      if (next) next(event);
      else finishedRuns.push(event);
    };
    dispatcher = await Dispatcher.start(app, {
      worker: true,
      scheduler: true,
      pollSeconds: 1,
      subscriptions: { pool: app.pool, env: app.env, processEnv: process.env },
      onEvent: (event) => {
        events.push(event);
        if (event.event === "run-finished") finished(event);
      },
    });
    assert.ok(
      events.some((e) => e.event === "subscriptions-synced" && e.detail["resources"] === 1),
      JSON.stringify(events),
    );

    const { specs } = await tenantConnections({ env: app.env, processEnv: process.env, tenantId: "demo" });
    const tickets = specs.get("tickets");
    assert.ok(tickets);
    const open = (title: string) =>
      app.pool.request(tickets, "opening an incident", (client, options) =>
        client.callTool(
          { name: "create_incident", arguments: { title, priority: "P1", reporter_email: "mara.keller@example.com" } },
          undefined,
          options,
        ),
      );
    await open("Payments down");
    const result = await nextFinished();
    assert.equal(result.detail["status"], "succeeded", JSON.stringify(events));
    assert.equal(result.detail["version"], 1, "the log line names the version that ran");
    const run = await app.runRepository.run(String(result.detail["run"]));
    assert.equal((run?.trigger as { type: string }).type, "resource");
    assert.equal((run?.output as { handled: number }).handled, 1);
    const journal = await app.runRepository.journal(String(result.detail["run"]));
    assert.deepEqual(
      journal.map((e) => `${e.integration}.${e.tool}`),
      ["directory.get_on_call", "chat.page_user", "chat.post_message"],
    );
    const paged = (args: unknown) => String((args as { message: string }).message);
    const firstId = /INC\d+/.exec(paged(journal[1]?.args))?.[0];
    assert.ok(firstId, "the page names the incident");

    // The resource still lists the first incident (it is still new): the next event's run handles only the second.
    await open("Checkout down");
    const second = await nextFinished();
    assert.equal(second.detail["status"], "succeeded", JSON.stringify(events));
    assert.equal(
      ((await app.runRepository.run(String(second.detail["run"])))?.output as { handled: number }).handled,
      1,
    );
    const secondJournal = await app.runRepository.journal(String(second.detail["run"]));
    const pages = secondJournal.filter((e) => e.tool === "page_user").map((e) => paged(e.args));
    assert.equal(pages.length, 1, JSON.stringify(secondJournal));
    assert.doesNotMatch(pages[0] ?? "", new RegExp(`${firstId}\\b`), "the incident paged before is not paged again");
    assert.match(pages[0] ?? "", /Checkout down/);
  } finally {
    await dispatcher?.stop();
    await app.close();
  }
});
