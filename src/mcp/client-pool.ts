/**
 * A pool of connected MCP clients, one per tenant integration. An entry is created on first use,
 * reused while its connection stays open and its spec unchanged, and dropped when the server goes
 * away, so the next request reconnects. Every request has a timeout; every failure comes out as an
 * IntegrationError naming the integration and the kind of failure.
 */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { canonicalJson } from "../core/canonical-json.ts";
import { IntegrationError } from "../core/errors.ts";
import { type ProblemReporter, reportToStderr } from "../core/problems.ts";
import { classifyError } from "./classify-error.ts";
import { type DroppedStreams, droppedStreams } from "./dropped-streams.ts";
import { type ConnectionSpec, type OAuthSettings, secretsOf } from "./connection-spec.ts";
import { linearSchemaValidation } from "./schema-validation.ts";
import { TailBuffer, launchHttpServer, processEnv, resolveCommand } from "./local-process.ts";

/** A list a server can say has changed. */
export type ListName = "tools" | "resources" | "prompts";

type Entry = {
  client: Client;
  specHash: string;
  stderr: TailBuffer;
  launched: ChildProcess | undefined;
  closed: boolean;
  /** Requests under way, and when the last one ended: an entry idle long enough is closed. */
  active: number;
  lastUsed: number;
  /** Holds resource subscriptions: never closed for being idle. */
  keepOpen: boolean;
  /** Replaced by a fresh connection (renew): closed once its last request ends. */
  draining: boolean;
};

/**
 * `idleCloseMs`: a connection with no request for this long is closed (a stdio server's process
 * ends with it) and opened again on the next request; 0 keeps every connection open.
 * `maxOpen`: at most this many connections (and so stdio server processes) are kept; opening
 * another first closes the one unused the longest that has no request under way and holds no
 * subscription. When every one is busy or subscribed, the new one is opened all the same (a call
 * is never refused for it) and the pool is back under the bound as they finish.
 */
export type PoolOptions = {
  clientName?: string;
  clientVersion?: string;
  idleCloseMs?: number;
  /** Where failures of the idle sweep go (stderr when absent). */
  onProblem?: ProblemReporter;
  maxOpen?: number;
  now?: () => number;
  /** The SDK auth provider of an integration that authorizes with OAuth (the app's OAuth vault). */
  authProvider?: (settings: OAuthSettings) => OAuthClientProvider;
};

export class McpClientPool {
  readonly #entries = new Map<string, Promise<Entry>>();
  readonly #clientInfo: { name: string; version: string };
  readonly #resourceListeners = new Set<(key: string, uri: string) => void>();
  readonly #listChangedListeners = new Set<(key: string, list: ListName) => void>();

  readonly #idleCloseMs: number;
  readonly #onProblem: ProblemReporter | undefined;
  readonly #maxOpen: number;
  readonly #now: () => number;
  readonly #authProvider: ((settings: OAuthSettings) => OAuthClientProvider) | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /**
   * The connected entries (what #entries resolved to), for choosing one to close without waiting on
   * those still connecting.
   */
  readonly #connected = new Map<string, Entry>();

  constructor(options: PoolOptions = {}) {
    this.#clientInfo = { name: options.clientName ?? "charter", version: options.clientVersion ?? "0.1.0" };
    this.#idleCloseMs = options.idleCloseMs ?? 0;
    this.#maxOpen = options.maxOpen ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
    this.#authProvider = options.authProvider;
    this.#onProblem = options.onProblem;
  }

  /** How many connections are open or opening. */
  get size(): number {
    return this.#entries.size;
  }

  /** Closes the connections that have had no request for `idleCloseMs` and hold no subscription; returns how many. */
  async closeIdle(): Promise<number> {
    if (this.#idleCloseMs <= 0) return 0;
    const now = this.#now();
    const idle = [...this.#connected].filter(
      ([, entry]) => now - entry.lastUsed >= this.#idleCloseMs && this.#retire(entry),
    );
    await Promise.all(idle.map(([key]) => this.release(key)));
    return idle.length;
  }

  /**
   * Marks an entry closed if nothing uses it (no request under way, no subscription), in one
   * synchronous step: a request that got the entry but has not begun sees it closed and takes a
   * new connection, so nothing is ever sent on a connection being closed.
   */
  #retire(entry: Entry): boolean {
    if (entry.active > 0 || entry.keepOpen || entry.closed) return false;
    entry.closed = true;
    return true;
  }

  /**
   * Runs one request against an integration. A request that fails because the connection dropped
   * is retried once on a fresh connection when `retryOnDisconnect` says that is safe.
   */
  async request<T>(
    spec: ConnectionSpec,
    doing: string,
    operation: (client: Client, options: RequestOptions) => Promise<T>,
    { retryOnDisconnect = false, keepOpen = false }: { retryOnDisconnect?: boolean; keepOpen?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 0, closedBeforeUse = 0; ; attempt++) {
      const entry = await this.#entry(spec);
      // Closed between the lookup and now (retired as idle or to make room, or it dropped): nothing
      // was sent on it, so take a new one; a few times at most, in case the server closes every one.
      if (entry.closed) {
        if (++closedBeforeUse > 3)
          throw new IntegrationError(
            "INTEGRATION_UNREACHABLE",
            spec.integration,
            `each new connection closed before ${doing} could be sent (${closedBeforeUse - 1} tries); nothing was sent`,
          );
        attempt--;
        continue;
      }
      entry.active++;
      entry.keepOpen ||= keepOpen;
      try {
        return await operation(entry.client, {
          timeout: spec.timeouts.requestMs,
          maxTotalTimeout: spec.timeouts.requestMs,
        });
      } catch (error) {
        const failure = classifyError(error, {
          integration: spec.integration,
          doing,
          timeoutMs: spec.timeouts.requestMs,
          secrets: secretsOf(spec),
          stderrTail: entry.stderr.text,
        });
        if (entry.closed && retryOnDisconnect && attempt === 0) continue;
        // 404 to a request in a session: the server no longer knows the session (it restarted), so it
        // did not handle the request. As the MCP spec says, start a new session and send it again,
        // which is safe for any request, since the first never ran. Many servers built on the SDK's
        // examples answer 400 "No valid session ID provided" instead: the same, and refused unhandled.
        if (attempt === 0 && staleSession(error)) {
          await this.release(spec.key);
          continue;
        }
        if (failure.code === "INTEGRATION_TIMEOUT") await this.release(spec.key); // a hung server is not reused
        throw failure;
      } finally {
        entry.active--;
        entry.lastUsed = this.#now();
        if (entry.draining && entry.active === 0) void shutdown(entry);
      }
    }
  }

  /** The server's reported identity and capabilities, connecting if needed. */
  async serverInfo(spec: ConnectionSpec) {
    const { client } = await this.#entry(spec);
    return {
      version: client.getServerVersion(),
      capabilities: client.getServerCapabilities(),
      instructions: client.getInstructions(),
    };
  }

  /**
   * Makes the next request to an integration open a fresh connection (a sync must see the server as
   * it is now, not as the session it connected to). Requests under way finish on the old one,
   * which is closed after the last. A connection holding resource subscriptions is kept: it is told
   * of changes (list_changed) and its subscriptions would be lost with it.
   */
  async renew(key: string): Promise<void> {
    const pending = this.#entries.get(key);
    const entry = await pending?.catch(() => undefined);
    if (!entry || entry.keepOpen || this.#entries.get(key) !== pending) return;
    this.#entries.delete(key);
    this.#connected.delete(key);
    entry.draining = true;
    entry.closed = true; // a request that took it but has not begun takes a new one
    if (entry.active === 0) await shutdown(entry);
  }

  /** Closes one integration's connection (and the process Charter started for it). */
  async release(key: string): Promise<void> {
    const pending = this.#entries.get(key);
    this.#entries.delete(key);
    this.#connected.delete(key);
    if (!pending) return;
    const entry = await pending.catch(() => undefined);
    if (entry) await shutdown(entry);
  }

  async closeAll(): Promise<void> {
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
    await Promise.all([...this.#entries.keys()].map((key) => this.release(key)));
  }

  /**
   * Calls `listener(connection key, uri)` for every resources/updated notification from any server;
   * returns the unsubscribe.
   */
  onResourceUpdated(listener: (key: string, uri: string) => void): () => void {
    this.#resourceListeners.add(listener);
    return () => this.#resourceListeners.delete(listener);
  }

  /**
   * Calls `listener(connection key, list)` when a connected server says its tools, resources or
   * prompts changed; returns the unsubscribe.
   */
  onListChanged(listener: (key: string, list: ListName) => void): () => void {
    this.#listChangedListeners.add(listener);
    return () => this.#listChangedListeners.delete(listener);
  }

  async #entry(spec: ConnectionSpec): Promise<Entry> {
    const specHash = hashSpec(spec);
    const pending = this.#entries.get(spec.key);
    if (pending) {
      const entry = await pending.catch(() => undefined);
      if (entry && !entry.closed && entry.specHash === specHash) return entry;
      await this.release(spec.key);
    }
    await this.#makeRoom();
    const connecting = this.#connect(spec, specHash);
    this.#entries.set(spec.key, connecting);
    connecting.then(
      (entry) => {
        if (this.#entries.get(spec.key) === connecting) this.#connected.set(spec.key, entry);
      },
      () => {
        if (this.#entries.get(spec.key) === connecting) this.#entries.delete(spec.key);
      },
    );
    return connecting;
  }

  /**
   * Below the bound before one more opens: closes the connections unused the longest among those
   * with no request under way and no subscription.
   */
  async #makeRoom(): Promise<void> {
    while (this.#entries.size >= this.#maxOpen) {
      let oldest: [string, Entry] | undefined;
      for (const [key, entry] of this.#connected) {
        if (entry.active > 0 || entry.keepOpen || entry.closed) continue;
        if (!oldest || entry.lastUsed < oldest[1].lastUsed) oldest = [key, entry];
      }
      if (!oldest || !this.#retire(oldest[1])) return; // every one is busy or subscribed: open over the bound
      await this.release(oldest[0]);
    }
  }

  async #connect(spec: ConnectionSpec, specHash: string): Promise<Entry> {
    const stderr = new TailBuffer();
    const entry: Entry = {
      client: new Client(this.#clientInfo, { jsonSchemaValidator: linearSchemaValidation }),
      specHash,
      stderr,
      launched: undefined,
      closed: false,
      active: 0,
      lastUsed: this.#now(),
      keepOpen: false,
      draining: false,
    };
    // The idle sweep runs while there are connections (and does not keep the process alive).
    if (this.#idleCloseMs > 0 && !this.#idleTimer) {
      this.#idleTimer = setInterval(
        () =>
          void this.closeIdle().catch((error: unknown) =>
            (this.#onProblem ?? reportToStderr)("MCP client pool: closing idle connections", error),
          ),
        Math.min(60_000, Math.max(1_000, Math.floor(this.#idleCloseMs / 2))),
      );
      this.#idleTimer.unref();
    }
    entry.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      for (const listener of this.#resourceListeners) listener(spec.key, notification.params.uri);
    });
    for (const [schema, list] of [
      [ToolListChangedNotificationSchema, "tools"],
      [ResourceListChangedNotificationSchema, "resources"],
      [PromptListChangedNotificationSchema, "prompts"],
    ] as const) {
      entry.client.setNotificationHandler(schema, () => {
        for (const listener of this.#listChangedListeners) listener(spec.key, list);
      });
    }
    const context = (doing: string) => ({
      integration: spec.integration,
      doing,
      timeoutMs: spec.timeouts.connectMs,
      secrets: secretsOf(spec),
      stderrTail: stderr.text,
    });
    const deadline = Date.now() + spec.timeouts.connectMs;
    const dropped = droppedStreams();
    try {
      const transport = await this.#transport(spec, entry, dropped);
      let _protocolError: unknown;
      const handshake = new Promise<void>((resolve, reject) => {
        entry.client.onerror = (error) => {
          _protocolError ??= error;
          reject(error); // garbage on the wire fails the handshake now, not at the timeout
        };
        entry.client.connect(transport, { timeout: Math.max(1, deadline - Date.now()) }).then(resolve, reject);
      });
      await withTimeout(handshake, Math.max(1, deadline - Date.now()), () => {
        const error = new IntegrationError(
          "INTEGRATION_TIMEOUT",
          spec.integration,
          `did not finish the MCP handshake within ${spec.timeouts.connectMs} ` +
            `ms${stderr.text ? `; its stderr ended with: ${stderr.text.slice(-300)}` : ""}`,
        );
        return error;
      });
      entry.client.onerror = () => {}; // later transport noise surfaces through the failing request
      dropped.watch(transport);
      entry.client.onclose = () => {
        entry.closed = true;
        entry.launched?.kill();
      };
      return entry;
    } catch (error) {
      await shutdown(entry);
      throw classifyError(error, context("connecting"));
    }
  }

  async #transport(spec: ConnectionSpec, entry: Entry, dropped: DroppedStreams): Promise<Transport> {
    if (spec.transport === "stdio") {
      const env: Record<string, string> = { ...spec.env };
      for (const [name, secret] of Object.entries(spec.secretEnv)) env[name] = secret.reveal();
      const transport = new StdioClientTransport({
        command: resolveCommand(spec.command),
        args: spec.args,
        env: processEnv(env),
        cwd: spec.cwd,
        stderr: "pipe",
      });
      entry.stderr.attach(transport.stderr as Readable | null);
      return transport;
    }
    let url = spec.url;
    if (spec.launch) {
      const launched = await launchHttpServer(spec.launch, spec.timeouts.connectMs, entry.stderr, spec.url);
      entry.launched = launched.child;
      url ??= launched.url;
    }
    if (!url)
      throw new IntegrationError(
        "INTEGRATION_START_FAILED",
        spec.integration,
        "no URL configured and none printed by the launched server",
      );
    const headers: Record<string, string> = { ...spec.headers };
    for (const [name, secret] of Object.entries(spec.secretHeaders)) headers[name] = secret.reveal();
    let authProvider: OAuthClientProvider | undefined;
    if (spec.oauth) {
      if (!this.#authProvider)
        throw new IntegrationError(
          "CREDENTIAL_MISSING",
          spec.integration,
          "the server authorizes with OAuth, and this process has no OAuth vault",
        );
      authProvider = this.#authProvider(spec.oauth);
    }
    return new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers },
      fetch: dropped.fetch,
      ...(authProvider ? { authProvider } : {}),
    });
  }
}

/** A refusal meaning "I do not know your session": 404, or a 400 that says it is about the session. */
function staleSession(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError)) return false;
  return error.code === 404 || (error.code === 400 && /session/i.test(error.message));
}

async function shutdown(entry: Entry): Promise<void> {
  entry.closed = true;
  await entry.client.close().catch(() => {});
  if (entry.launched && entry.launched.exitCode === null) entry.launched.kill();
}

function hashSpec(spec: ConnectionSpec): string {
  // Secrets are part of the identity (a rotated token must reconnect), but only as a digest.
  const secrets = createHash("sha256");
  for (const secret of secretsOf(spec)) secrets.update(secret.reveal()).update("\0");
  const oauth = spec.transport === "http" && spec.oauth ? { ...spec.oauth, clientSecret: undefined } : undefined;
  return canonicalJson({
    ...spec,
    secretEnv: undefined,
    secretHeaders: undefined,
    oauth,
    secrets: secrets.digest("hex"),
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
