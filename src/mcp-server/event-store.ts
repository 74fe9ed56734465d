/**
 * The events of one MCP session's SSE streams, kept so that a client whose stream dropped can
 * resume it with `Last-Event-ID` and miss nothing (Streamable HTTP resumability). One store per
 * session, so an event id from another session finds nothing; bounded to the newest events of
 * the session, so a chatty or idle session cannot grow it.
 */
import type { EventStore } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Events a session keeps for replay; a client that was away for more than this many misses the oldest. */
export const KEPT_EVENTS = 500;

export function sessionEventStore(kept = KEPT_EVENTS): EventStore {
  let next = 0;
  /** Event id → its stream and message, oldest first (Map keeps insertion order). */
  const events = new Map<string, { stream: string; message: JSONRPCMessage }>();
  return {
    async storeEvent(stream, message) {
      const id = `${stream}_${++next}`;
      events.set(id, { stream, message });
      if (events.size > kept) events.delete(events.keys().next().value ?? "");
      return id;
    },
    async getStreamIdForEventId(id) {
      return events.get(id)?.stream;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const last = events.get(lastEventId);
      if (!last) return "";
      let after = false;
      for (const [id, event] of [...events]) {
        if (after && event.stream === last.stream) await send(id, event.message);
        if (id === lastEventId) after = true;
      }
      return last.stream;
    },
  };
}
