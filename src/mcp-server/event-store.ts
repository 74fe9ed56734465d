/**
 * The events of one MCP session's SSE streams, kept so that a client whose stream dropped can
 * resume it with `Last-Event-ID` and miss nothing (Streamable HTTP resumability). One store per
 * session, so an event id from another session finds nothing. Bounded by count and by bytes (a
 * session reading large results cannot grow it past KEPT_BYTES); a client back after its last
 * seen event was dropped gets what is left of that stream, not a refusal.
 */
import type { EventStore } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Events a session keeps for replay, at most, and their bytes (as JSON) at most. */
export const KEPT_EVENTS = 500;
export const KEPT_BYTES = 4 * 1024 * 1024;
/** Streams a session remembers having made (a stream is a request's answer, or the GET stream). */
const MAX_STREAMS = 2000;

type Kept = { stream: string; seq: number; message: JSONRPCMessage; bytes: number };

/** "<stream>_<seq>" → its parts (stream ids may hold "_"; the sequence number is after the last one). */
function parse(id: string): { stream: string; seq: number } | undefined {
  const at = id.lastIndexOf("_");
  const seq = Number(id.slice(at + 1));
  return at > 0 && Number.isSafeInteger(seq) && seq > 0 ? { stream: id.slice(0, at), seq } : undefined;
}

export function sessionEventStore(kept = KEPT_EVENTS, keptBytes = KEPT_BYTES): EventStore {
  let next = 0;
  let bytes = 0;
  /** Event id → the event, oldest first (Map keeps insertion order). */
  const events = new Map<string, Kept>();
  const streams = new Set<string>();
  return {
    async storeEvent(stream, message) {
      const seq = ++next;
      const id = `${stream}_${seq}`;
      const size = JSON.stringify(message).length;
      events.set(id, { stream, seq, message, bytes: size });
      streams.add(stream);
      if (streams.size > MAX_STREAMS) streams.delete(streams.values().next().value ?? "");
      bytes += size;
      while (events.size > kept || (bytes > keptBytes && events.size > 1)) {
        const [oldest, event] = events.entries().next().value as [string, Kept];
        events.delete(oldest);
        bytes -= event.bytes;
      }
      return id;
    },
    async getStreamIdForEventId(id) {
      const known = events.get(id)?.stream;
      if (known) return known;
      // Dropped for room: still this session's stream if the session made it.
      const parsed = parse(id);
      return parsed && streams.has(parsed.stream) && parsed.seq <= next ? parsed.stream : undefined;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const last = events.get(lastEventId) ?? parse(lastEventId);
      if (!last || !streams.has(last.stream) || last.seq > next) return "";
      for (const [id, event] of [...events])
        if (event.stream === last.stream && event.seq > last.seq) await send(id, event.message);
      return last.stream;
    },
  };
}
