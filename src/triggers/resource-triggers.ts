/**
 * MCP resource subscriptions as triggers. For every resource trigger of an approved version, the
 * integration's resource is subscribed to through the shared client pool; when the server sends
 * notifications/resources/updated for it, the resource is read and each workflow watching it is
 * started with `{ uri, text }` (the resource's text content, capped). Subscriptions are re-made
 * on every sync, so a reconnected server is subscribed again; unsubscribing is left to the server
 * dropping the connection.
 */
import { tenantConnections } from "../catalog/index.ts";
import type { Env } from "../config/env.ts";
import { errorText } from "../core/errors.ts";
import { triggerInput } from "../core/workflow.ts";
import type { ConnectionSpec, McpClientPool } from "../mcp/index.ts";
import type { VersionRepository } from "../store/index.ts";
import type { DispatcherEvent, RunJob } from "./dispatcher.ts";

const MAX_TEXT = 256 * 1024;

type Watch = { tenantId: string; spec: ConnectionSpec; uri: string; workflows: Set<string> };

export class ResourceTriggers {
  readonly #pool: McpClientPool;
  readonly #env: Env;
  readonly #processEnv: Record<string, string | undefined>;
  readonly #repository: VersionRepository;
  readonly #start: (job: RunJob) => Promise<unknown>;
  readonly #onEvent: (event: DispatcherEvent) => void;
  #watches = new Map<string, Watch>();
  readonly #stopListening: () => void;

  constructor(options: {
    pool: McpClientPool;
    env: Env;
    processEnv: Record<string, string | undefined>;
    versionRepository: VersionRepository;
    start: (job: RunJob) => Promise<unknown>;
    onEvent: (event: DispatcherEvent) => void;
  }) {
    this.#pool = options.pool;
    this.#env = options.env;
    this.#processEnv = options.processEnv;
    this.#repository = options.versionRepository;
    this.#start = options.start;
    this.#onEvent = options.onEvent;
    this.#stopListening = this.#pool.onResourceUpdated((key, uri) => void this.#updated(key, uri));
  }

  /** Subscribes to every resource an approved version is triggered by. */
  async sync(): Promise<number> {
    const watches = new Map<string, Watch>();
    const specsByTenant = new Map<string, Map<string, ConnectionSpec>>();
    for (const version of await this.#repository.allActiveVersions()) {
      const triggers = version.triggers.triggers.filter((t) => t.type === "resource");
      if (triggers.length === 0) continue;
      let specs = specsByTenant.get(version.tenantId);
      if (!specs) {
        specs = (await tenantConnections({ env: this.#env, processEnv: this.#processEnv, tenantId: version.tenantId }))
          .specs;
        specsByTenant.set(version.tenantId, specs);
      }
      for (const trigger of triggers) {
        const spec = specs.get(trigger.integration);
        if (!spec) continue;
        const id = `${spec.key}\u0000${trigger.uri}`;
        const watch = watches.get(id) ?? {
          tenantId: version.tenantId,
          spec,
          uri: trigger.uri,
          workflows: new Set<string>(),
        };
        watch.workflows.add(version.workflow);
        watches.set(id, watch);
      }
    }
    this.#watches = watches;
    for (const watch of watches.values()) {
      try {
        await this.#pool.request(
          watch.spec,
          `subscribing to ${watch.uri}`,
          (client, options) => client.subscribeResource({ uri: watch.uri }, options),
          { keepOpen: true },
        );
      } catch (error) {
        this.#onEvent({
          event: "dispatcher-error",
          detail: { tenant: watch.tenantId, uri: watch.uri, message: errorText(error) },
        });
      }
    }
    return watches.size;
  }

  stop(): void {
    this.#stopListening();
  }

  async #updated(key: string, uri: string): Promise<void> {
    const watch = this.#watches.get(`${key}\u0000${uri}`);
    if (!watch) return;
    try {
      const read = await this.#pool.request(watch.spec, `reading ${uri}`, (client, options) =>
        client.readResource({ uri }, options),
      );
      const text = read.contents
        .map((content) => ("text" in content && typeof content.text === "string" ? content.text : ""))
        .join("\n")
        .slice(0, MAX_TEXT);
      for (const workflow of watch.workflows) {
        this.#onEvent({
          event: "run-dispatched",
          detail: { tenant: watch.tenantId, workflow, trigger: "resource", uri },
        });
        await this.#start({
          tenantId: watch.tenantId,
          workflow,
          input: triggerInput.resource(uri, text),
          trigger: "resource",
        });
      }
    } catch (error) {
      this.#onEvent({ event: "dispatcher-error", detail: { tenant: watch.tenantId, uri, message: errorText(error) } });
    }
  }
}
