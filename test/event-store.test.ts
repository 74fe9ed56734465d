/** The per-session SSE event store: bounded by count and bytes; a resume after eviction gets what is left; other sessions' ids find nothing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { sessionEventStore } from "../src/mcp-server/event-store.ts";

const note = (n: number, size = 10): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/message",
  params: { level: "info", data: `${n}:${"x".repeat(size)}` },
});

test("events are kept by count and by bytes; a resume from an evicted id replays the rest of its stream; unknown streams find nothing", async () => {
  const store = sessionEventStore(5, 2000);
  const ids: string[] = [];
  for (let n = 1; n <= 8; n++) ids.push(await store.storeEvent("stream-a", note(n)));
  await store.storeEvent("stream-b", note(100));
  const replayed = async (from: string) => {
    const got: string[] = [];
    const stream = await store.replayEventsAfter(from, {
      send: async (_id, message) => {
        got.push(String((message as unknown as { params: { data: string } }).params.data).split(":")[0] ?? "");
      },
    });
    return { stream, got };
  };
  // Count bound: the newest 5 are kept (4..8 of stream-a, and stream-b's one); a resume from 6 gets 7 and 8.
  assert.deepEqual(await replayed(ids[5] ?? ""), { stream: "stream-a", got: ["7", "8"] });
  // From an id dropped for room: what is left of that stream, not a refusal.
  assert.equal(await store.getStreamIdForEventId?.(ids[0] ?? ""), "stream-a");
  assert.deepEqual(await replayed(ids[0] ?? ""), { stream: "stream-a", got: ["5", "6", "7", "8"] });
  // Ids this session never made (another session's, or made up) find nothing.
  assert.equal(await store.getStreamIdForEventId?.("stream-z_3"), undefined);
  assert.deepEqual(await replayed("stream-a_999"), { stream: "", got: [] });
  // Byte bound: one large event pushes out the old ones, never itself.
  await store.storeEvent("stream-c", note(200, 1900));
  assert.deepEqual((await replayed(ids[0] ?? "")).got, [], "stream-a's events made room");
});
