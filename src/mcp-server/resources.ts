/**
 * What Charter's MCP server offers besides tools: resources (the tenant SDK's declarations, one
 * file per integration, the workflow runtime's declarations, a usage guide) with subscriptions to
 * the SDK's, a template for any integration's SDK, a prompt for drafting a workflow, and
 * completion of integration ids and workflow names.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  ErrorCode as RpcErrorCode,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.ts";
import { guestFiles } from "../compile/index.ts";
import type { McpCaller } from "./caller.ts";
import { GUIDE } from "./guide.ts";

/** The MCP spec's error code for a resource that does not exist (not JSON-RPC's invalid params). */
const RESOURCE_NOT_FOUND = -32002;
const SDK_TEMPLATE = "charter://sdk/{integration}.d.ts";

/** Registers resources, prompts and completion on a session's server; returns the URIs its client subscribed to. */
export function registerResources(server: Server, app: App, caller: McpCaller): ReadonlySet<string> {
  // The SDK, one file per integration, the runtime's declarations, the guide.
  const listResources = async () => {
    const resources = [
      { uri: "charter://guide", name: "guide", title: "How to use Charter's tools", mimeType: "text/markdown" },
    ];
    const sdk = await app.toolchain.sdk(caller.tenantId).catch(() => undefined);
    for (const name of [...(sdk?.files.keys() ?? [])].filter((n) => n.endsWith(".d.ts")).sort()) {
      resources.push({
        uri: `charter://sdk/${name}`,
        name: `sdk/${name}`,
        title: name === "index.d.ts" ? "The SDK's namespaces" : `SDK of integration ${name.replace(/\.d\.ts$/, "")}`,
        mimeType: "text/x-typescript",
      });
    }
    resources.push({
      uri: "charter://runtime/charter.d.ts",
      name: "runtime/charter.d.ts",
      title: "charter:workflow: defineWorkflow, ctx, triggers",
      mimeType: "text/x-typescript",
    });
    return resources;
  };
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await listResources() }));
  // No templates: every resource is listed. Answered (empty), so a client that asks is not told "method not found".
  // The SDK of any integration by its id (the concrete ones are also in resources/list); completion offers the ids.
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        uriTemplate: SDK_TEMPLATE,
        name: "integration-sdk",
        title: "An integration's typed SDK",
        description:
          "The TypeScript declarations a workflow calls an integration's tools through (import { " +
          '<integration> } from "charter:sdk").',
        mimeType: "text/x-typescript",
      },
    ],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    const text = async (): Promise<[string, string] | undefined> => {
      if (uri === "charter://guide") return [GUIDE, "text/markdown"];
      if (uri === "charter://runtime/charter.d.ts") return [guestFiles().declarations, "text/x-typescript"];
      const name = /^charter:\/\/sdk\/([a-z0-9_]+\.d\.ts)$/.exec(uri)?.[1];
      if (!name) return undefined;
      const file = (await app.toolchain.sdk(caller.tenantId)).files.get(name);
      return file === undefined ? undefined : [file, "text/x-typescript"];
    };
    const found = await text();
    if (!found) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
    return { contents: [{ uri, mimeType: found[1], text: found[0] }] };
  });

  // Subscriptions to SDK resources: updated when a sync changes the tenant's catalog.
  const subscribed = new Set<string>();
  const knownUri = async (uri: string) => (await listResources()).some((r) => r.uri === uri);
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    if (!(await knownUri(request.params.uri)))
      throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${request.params.uri}`);
    subscribed.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: [
      {
        name: "draft_workflow",
        title: "Draft a workflow",
        description: "Draft a Charter workflow from a request, against this tenant's SDK, and hand it to a reviewer.",
        arguments: [{ name: "request", description: "What the workflow should do", required: true }],
      },
    ],
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    if (request.params.name !== "draft_workflow")
      throw new McpError(RpcErrorCode.InvalidParams, `Prompt not found: ${request.params.name}`);
    const want = request.params.arguments?.["request"];
    if (!want) throw new McpError(RpcErrorCode.InvalidParams, "draft_workflow needs the argument request");
    return {
      description: "Draft a workflow in Charter",
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              `Draft a Charter workflow for tenant ${caller.tenantId} that does ` +
              `this:\n\n${want}\n\nRead charter://guide and the SDK resources (charter://sdk/…) to ` +
              `see which tools exist and what they take and return. Then call charter.plan_workflow ` +
              `with the request (refined if the SDK shows what it should say), read the draft with ` +
              `charter.get_version, and report its capabilities, its gate results and anything a ` +
              `reviewer should look at. Do not try to approve it: a human reviewer does that outside ` +
              `MCP.`,
          },
        },
      ],
    };
  });
  server.setRequestHandler(CompleteRequestSchema, async (request) => {
    // Completable: the SDK template's integration ids, and workflow names for charter.* arguments; prompts take
    // free text.
    const prefix = request.params.argument.value;
    const ref = request.params.ref;
    const candidates =
      ref.type === "ref/resource"
        ? ref.uri === SDK_TEMPLATE
          ? (await app.catalogs.currentCatalog(caller.tenantId)).map((c) => c.integrationId)
          : []
        : ref.type === "ref/prompt"
          ? []
          : [...new Set((await app.versionRepository.list(caller.tenantId)).map((v) => v.workflow))];
    const names = candidates.filter((n) => n.startsWith(prefix)).slice(0, 100);
    return { completion: { values: names, total: names.length, hasMore: false } };
  });
  return subscribed;
}
