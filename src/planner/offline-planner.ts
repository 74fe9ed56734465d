/**
 * The planner without a model: a deterministic planner over the same planner tools, for common
 * request shapes. It reads the trigger from the request ("every weekday at 9:00", "when a P1
 * incident is opened", "when a user is added to group X", "from a webhook"), splits the rest into
 * actions ("page the on-call engineer", "post … to #channel", "open a bridge channel", "send them
 * a welcome message", "open an incident", "a summary of open incidents"), finds each action's
 * tool by searching the tenant's catalog, binds arguments by schema field names from the request
 * and from earlier results, and writes the module and its tests, which then go through the same
 * checks and submit as a model's draft. What it cannot read, it says, and submits nothing.
 */
import { CharterError } from "../core/errors.ts";
import type { PlannerProgress } from "./agent-loop.ts";
import type { PlannerTools } from "./planner-tools.ts";
import { exampleOf } from "./schema-example.ts";

type Tool = NonNullable<Awaited<ReturnType<PlannerTools["describeTool"]>>>;
type Trigger = { kind: "manual" } | { kind: "webhook" } | { kind: "schedule"; cron: string; said: string } | { kind: "incident"; uri: string; integration: string } | { kind: "membership"; uri: string; integration: string; group: string };
type Action = "page" | "post" | "bridge" | "welcome" | "summary" | "create-incident";

/**
 * A resource event carries the resource's whole current content, which still lists what earlier
 * runs handled (every incident still new, the last 50 membership changes): a run remembers what
 * it handled in its saved state and skips it, so one incident is not paged twice. The newest
 * SEEN_KEPT keys are kept.
 */
const SEEN_KEPT = 1000;
const SEEN = '  const seen = new Set(ctx.state.get<string[]>("seen") ?? []);\n';

const WEEKDAYS: Record<string, string> = { monday: "1", tuesday: "2", wednesday: "3", thursday: "4", friday: "5", saturday: "6", sunday: "0" };

export async function planOffline(request: string, tools: PlannerTools, onProgress?: (progress: PlannerProgress) => void): Promise<void> {
  const cannot = (why: string): never => {
    throw new CharterError("PLANNER_CANNOT", `the offline planner cannot plan this request: ${why}. It handles requests like "Every weekday at 9:00, post a summary of open P1 incidents to #it-ops", "When a P1 incident is opened, page the on-call engineer and post the incident to #incidents", "When a user is added to group sre-oncall, send them a welcome message". Set ANTHROPIC_API_KEY to plan anything else with Claude.`);
  };
  const trigger = await readTrigger(request, tools, cannot);
  const actions = readActions(request, cannot);
  const channel = /#([a-z0-9][a-z0-9_-]*)/i.exec(request)?.[1]?.toLowerCase();
  const priorities = [...new Set([...request.matchAll(/\bP([1-4])\b/g)].map((m) => `P${m[1]}`))];
  onProgress?.({ event: "tool", name: "offline", summary: `trigger: ${trigger.kind}; actions: ${actions.join(", ")}` });

  const need = async (query: string, names: string[]): Promise<Tool> => {
    const hits = await tools.searchTools(query, 10);
    onProgress?.({ event: "tool", name: "search_tools", summary: `searched "${query}": ${hits.slice(0, 3).map((h) => h.tool).join(", ") || "nothing"}` });
    const hit = hits.find((h) => names.includes(h.tool.split(".").slice(1).join("."))) ?? hits[0];
    const tool = hit ? await tools.describeTool(hit.tool) : undefined;
    if (!tool || !names.some((n) => tool.key.endsWith(`.${n}`))) return cannot(`no tool for "${query}" in this tenant (looked for ${names.join(" or ")})`);
    return tool;
  };
  const code = new CodeWriter();
  const context: Record<string, string> = {};
  let subject = "";
  let body = "";
  let summaryLines = "";

  // What the run works on, per trigger.
  if (trigger.kind === "incident") {
    const get = await need("get incident by id", ["get_incident"]);
    requireFields(get, ["id", "priority", "title"], cannot);
    code.use(get);
    body += `${SEEN}  const ids = itemsOf(input.text).flatMap((item) => (typeof item["id"] === "string" ? [item["id"]] : []));\n  let handled = 0;\n  for (const id of ids) {\n    if (seen.has(id)) continue;\n    seen.add(id);\n    const incident = await ${code.call(get)}({ id });\n`;
    if (priorities.length) body += `    if (!${JSON.stringify(priorities)}.includes(incident.priority)) continue;\n`;
    Object.assign(context, { id: "incident.id", incident_id: "incident.id", title: "incident.title", priority: "incident.priority" });
    subject = "`${incident.priority} ${incident.id}: ${incident.title}`";
  } else if (trigger.kind === "membership") {
    const groups = await need("list groups", ["list_groups"]);
    const getUser = await need("get user by id", ["get_user"]);
    requireFields(getUser, ["email", "name"], cannot);
    code.use(groups);
    code.use(getUser);
    body += `  const groups = await ${code.call(groups)}({});\n  const group = groups.groups.find((g) => g.id === ${JSON.stringify(trigger.group)} || g.name === ${JSON.stringify(trigger.group)});\n  if (!group) {\n    ctx.log.warn("no such group", { group: ${JSON.stringify(trigger.group)} });\n    return { handled: 0 };\n  }\n  let handled = 0;\n${SEEN}  for (const event of itemsOf(input.text)) {\n    if (event["change"] !== "added" || event["group_id"] !== group.id || typeof event["user_id"] !== "string") continue;\n    const key = JSON.stringify([event["user_id"], event["group_id"], event["at"]]);\n    if (seen.has(key)) continue;\n    seen.add(key);\n    const user = await ${code.call(getUser)}({ user_id: event["user_id"] });\n`;
    Object.assign(context, { user_email: "user.email", email: "user.email", name: "user.name" });
    subject = "`Welcome to ${group.name}, ${user.name}!`";
  } else {
    body += "  let handled = 0;\n  {\n";
    if (actions.includes("create-incident")) {
      const create = await need("create incident", ["create_incident"]);
      requireFields(create, ["id", "title", "priority"], cannot);
      code.use(create);
      body += `    const incident = await ${code.call(create)}({ title: input.title, description: input.description ?? input.title, priority: input.priority, reporter_email: input.reporter_email });\n`;
      Object.assign(context, { id: "incident.id", title: "incident.title", priority: "incident.priority" });
      subject = "`${incident.priority} ${incident.id} opened: ${incident.title}`";
    } else if (actions.includes("summary")) {
      const list = await need("list incidents", ["list_incidents"]);
      requireFields(list, ["incidents"], cannot);
      code.use(list);
      const filters = priorities.length ? priorities : [undefined];
      body += `    const found: Awaited<ReturnType<typeof ${code.call(list)}>>["incidents"] = [];\n`;
      for (const priority of filters) body += `    found.push(...(await ${code.call(list)}(${priority ? `{ priority: ${JSON.stringify(priority)} }` : "{}"})).incidents.filter((i) => i.status !== "resolved" && i.status !== "closed"));\n`;
      summaryLines = "found.map((i) => `• ${i.id} (${i.priority}) ${i.title}`)";
      subject = `(found.length ? \`Open incidents on \${ctx.now().toISOString().slice(0, 10)}:\\n\${${summaryLines}.join("\\n")}\` : "No open incidents.")`;
      body += `    handled = found.length;\n`;
    } else {
      subject = "input.message";
    }
  }

  // The actions, in the order the request gives them.
  let postChannel = channel ? JSON.stringify(channel) : undefined;
  for (const action of actions) {
    if (action === "summary" || action === "create-incident") continue;
    if (action === "bridge") {
      const create = await need("create channel", ["create_channel"]);
      code.use(create);
      body += `    const bridge = await ${code.call(create)}({ name: ${context["id"] ? "`inc-${incident.id.toLowerCase()}`" : '"bridge"'}, topic: ${subject} });\n`;
      if (!channel || /\bthere\b/i.test(request)) postChannel = "bridge.name";
    } else if (action === "page") {
      const onCall = await need("on call engineer", ["get_on_call"]);
      const page = await need("page user", ["page_user"]);
      requireFields(onCall, ["user"], cannot);
      code.use(onCall);
      code.use(page);
      body += `    const onCall = await ${code.call(onCall)}({});\n    await ${code.call(page)}({ ${bind(page, { user_email: "onCall.user.email", email: "onCall.user.email", message: subject, text: subject }, cannot)}${hasEnum(page, "urgency", "high") ? ', urgency: "high"' : ""} });\n`;
    } else if (action === "post") {
      if (!postChannel) cannot('say which channel to post to, as "#channel"');
      const post = await need("post message channel", ["post_message"]);
      code.use(post);
      body += `    await ${code.call(post)}({ channel: ${postChannel}, text: ${subject} });\n`;
    } else if (action === "welcome") {
      const dm = await need("send direct message", ["send_direct_message"]);
      code.use(dm);
      body += `    await ${code.call(dm)}({ ${bind(dm, { ...context, text: subject, message: subject }, cannot)} });\n`;
    }
  }
  if (trigger.kind === "incident" || trigger.kind === "membership") body += `    handled++;\n  }\n  ctx.state.set("seen", [...seen].slice(-${SEEN_KEPT}));\n  return { handled };\n`;
  else body += `    ${actions.includes("summary") ? "" : "handled = 1;\n  "}}\n  return { handled };\n`;

  const source = code.module({ name: nameOf(request), description: request.replace(/\s+/g, " ").trim().slice(0, 300), trigger, body, actions });
  const tests = JSON.stringify(testsFor(trigger, code.tools(), actions, priorities), null, 2);
  onProgress?.({ event: "tool", name: "write", summary: `wrote ${source.split("\n").length} lines and ${JSON.parse(tests).tests.length} tests` });
  const check = await tools.checkDraft(source, tests);
  onProgress?.({ event: "checked", ok: check.ok, summary: check.ok ? "draft passes its checks" : check.gates.filter((g) => !g.ok).map((g) => g.detail).join("; ") });
  if (!check.ok) throw new CharterError("PLANNER_CANNOT", `the offline planner's draft did not pass its checks (a bug in the planner):\n${[...check.diagnostics, ...check.gates.filter((g) => !g.ok).map((g) => `${g.gate}: ${g.detail}`)].join("\n")}`);
  const submitted = await tools.submit(source, tests);
  if (!submitted.ok) throw new CharterError("PLANNER_CANNOT", submitted.reason);
}

async function readTrigger(request: string, tools: PlannerTools, cannot: (why: string) => never): Promise<Trigger> {
  const text = request.toLowerCase();
  const schedule = /every (weekday|day|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: at (\d{1,2})(?::(\d{2}))?\s*(am|pm)?)?/.exec(text);
  if (schedule) {
    let hour = Number(schedule[2] ?? 9);
    if (schedule[4] === "pm" && hour < 12) hour += 12;
    if (schedule[4] === "am" && hour === 12) hour = 0;
    const days = schedule[1] === "weekday" ? "1-5" : schedule[1] === "day" ? "*" : (WEEKDAYS[schedule[1] ?? ""] ?? "*");
    return { kind: "schedule", cron: `${Number(schedule[3] ?? 0)} ${hour} * * ${days}`, said: schedule[0] };
  }
  const listed = await tools.listTriggers();
  const resource = (words: RegExp) => listed.resources.find((r) => words.test(`${r.trigger.uri} ${r.description}`));
  if (/when (?:an? |the )?(?:new )?(?:p[1-4] )?incident\b.*\b(?:is )?(?:opened|created|raised|reported)/.test(text)) {
    const found = resource(/incident/i);
    if (!found) return cannot("this tenant publishes no subscribable resource for new incidents");
    return { kind: "incident", uri: found.trigger.uri, integration: found.trigger.integration };
  }
  const membership = /when (?:a )?(?:new )?(?:user|person|member|someone) is added to (?:the )?group "?([a-z0-9][\w-]*)/.exec(text);
  if (membership) {
    const found = resource(/membership|group/i);
    if (!found) return cannot("this tenant publishes no subscribable resource for group membership");
    return { kind: "membership", uri: found.trigger.uri, integration: found.trigger.integration, group: membership[1] ?? "" };
  }
  if (/\bwhen\b/.test(text)) return cannot('its trigger ("when …") is not one it knows');
  return /webhook/.test(text) ? { kind: "webhook" } : { kind: "manual" };
}

function readActions(request: string, cannot: (why: string) => never): Action[] {
  const found: [number, Action][] = [];
  const text = request.toLowerCase();
  const mark = (pattern: RegExp, action: Action) => {
    const at = text.search(pattern);
    if (at >= 0) found.push([at, action]);
  };
  mark(/\b(?:summary|summarize|list|report) of (?:the )?(?:open |new |all )?(?:p[1-4] )?(?:and p[1-4] )?incidents/, "summary");
  mark(/\b(?:open|create|raise|file) an? (?:new )?incident\b/, "create-incident");
  mark(/\b(?:open|create) an? (?:bridge |war[- ]room )?channel\b/, "bridge");
  mark(/\bpage (?:the )?on-?call/, "page");
  mark(/\b(?:post|announce|share)\b/, "post");
  mark(/\b(?:send (?:them|the user|the new member|him|her)? ?an? (?:welcome|direct) message|welcome (?:them|the user))/, "welcome");
  if (found.length === 0) return cannot("it names no action it knows (page the on-call engineer, post to #channel, open a bridge channel, send a welcome message, open an incident, a summary of open incidents)");
  return found.sort((a, b) => a[0] - b[0]).map(([, action]) => action);
}

/** `field: expression` for every required input field of a tool, from the bindings by field name. */
function bind(tool: Tool, bindings: Record<string, string>, cannot: (why: string) => never): string {
  const properties = (tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {};
  const required = (tool.inputSchema["required"] as string[] | undefined) ?? [];
  return required
    .map((field) => {
      const expression = bindings[field] ?? Object.entries(bindings).find(([name]) => field.endsWith(`_${name}`) || name.endsWith(`_${field}`))?.[1];
      if (!expression) return cannot(`it does not know what to pass as "${field}" to ${tool.key} (${Object.keys(properties).join(", ")})`);
      return `${field}: ${expression}`;
    })
    .join(", ");
}

function hasEnum(tool: Tool, field: string, value: string): boolean {
  const property = ((tool.inputSchema["properties"] as Record<string, { enum?: unknown[] }> | undefined) ?? {})[field];
  return Array.isArray(property?.enum) && property.enum.includes(value);
}

function requireFields(tool: Tool, fields: string[], cannot: (why: string) => never): void {
  const text = JSON.stringify(tool.outputSchema ?? {});
  const missing = fields.filter((field) => !text.includes(`"${field}"`));
  if (missing.length > 0) cannot(`${tool.key} does not return ${missing.join(", ")}`);
}

function nameOf(request: string): string {
  const words = request.toLowerCase().replace(/#[\w-]+/g, "").match(/[a-z][a-z0-9]+/g) ?? ["workflow"];
  const skip = new Set(["the", "a", "an", "and", "to", "of", "is", "when", "every", "at", "then", "them", "it", "there", "post", "with"]);
  return words.filter((w) => !skip.has(w)).slice(0, 5).join("-").slice(0, 60) || "workflow";
}

class CodeWriter {
  readonly #tools = new Map<string, Tool>();
  use(tool: Tool) {
    this.#tools.set(tool.key, tool);
  }
  call(tool: Tool): string {
    return `${tool.namespace}.${tool.functionName}`;
  }
  tools(): Tool[] {
    return [...this.#tools.values()];
  }
  module(spec: { name: string; description: string; trigger: Trigger; body: string; actions: Action[] }): string {
    const namespaces = [...new Set(this.tools().map((t) => t.namespace))].sort();
    const resource = spec.trigger.kind === "incident" || spec.trigger.kind === "membership";
    const input =
      spec.trigger.kind === "incident" || spec.trigger.kind === "membership"
        ? '{ type: "object", properties: { uri: { type: "string" }, text: { type: "string" } }, required: ["uri"] }'
        : spec.actions.includes("create-incident")
          ? '{ type: "object", properties: { title: { type: "string", minLength: 3 }, description: { type: "string" }, priority: { enum: ["P1", "P2", "P3", "P4"] }, reporter_email: { type: "string" } }, required: ["title", "priority", "reporter_email"] }'
          : spec.actions.includes("summary")
            ? '{ type: "object", properties: {} }'
            : '{ type: "object", properties: { message: { type: "string", minLength: 1 } }, required: ["message"] }';
    const triggers =
      spec.trigger.kind === "schedule"
        ? `[{ type: "schedule", cron: ${JSON.stringify(spec.trigger.cron)} }]`
        : resource
          ? `[{ type: "resource", integration: ${JSON.stringify((spec.trigger as { integration: string }).integration)}, uri: ${JSON.stringify((spec.trigger as { uri: string }).uri)} }]`
          : spec.trigger.kind === "webhook"
            ? '[{ type: "webhook" }]'
            : "[]";
    const helper = resource
      ? `

/** The objects in a resource's JSON content (one object or a list); anything else is no items. */
function itemsOf(text: string | undefined): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "[]");
  } catch {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).filter((item): item is Record<string, unknown> => item !== null && typeof item === "object");
}
`
      : "\n";
    return `// Planned by Charter's offline planner from: ${spec.description.replace(/\*\//g, "* /")}
import { ${namespaces.join(", ")} } from "charter:sdk";
import { defineWorkflow } from "charter:workflow";

export default defineWorkflow({
  name: ${JSON.stringify(spec.name)},
  description: ${JSON.stringify(spec.description)},
  input: ${input},
  output: { type: "object", properties: { handled: { type: "integer" } }, required: ["handled"], additionalProperties: false },
  triggers: ${triggers},
  run: async (input, ctx) => {
${spec.body.replace(/^(?=.)/gm, "  ")}  },
});${helper}`;
  }
}

function testsFor(trigger: Trigger, tools: Tool[], actions: Action[], priorities: string[]) {
  const priority = priorities[0] ?? "P1";
  const overrides = { priority, status: "new", change: "added" };
  const mocks: Record<string, unknown[]> = {};
  for (const tool of tools) {
    let output = exampleOf(tool.outputSchema ?? {}, overrides);
    if (tool.key.endsWith(".list_groups")) output = { groups: [{ ...(exampleOf((tool.outputSchema as { properties: { groups: { items: unknown } } }).properties.groups.items) as object), id: "g-1", name: (trigger as { group?: string }).group ?? "group" }] };
    mocks[tool.key] = tool.outputSchema ? [{ output }] : [{ content: [{ type: "text", text: "ok" }] }];
  }
  const calls = (keys: string[]) => keys.map((tool) => ({ tool }));
  const order = tools.map((t) => t.key);
  if (trigger.kind === "incident") {
    const matching = { name: `a ${priority} incident gets every action`, input: { uri: trigger.uri, text: JSON.stringify([{ id: "INC0042", priority }]) }, mocks, expect: { calls: calls(order), output: { handled: 1 } } };
    const empty = { name: "content that is not JSON or has no incidents does nothing", input: { uri: trigger.uri, text: "not json" }, mocks, expect: { calls: [], output: { handled: 0 } } };
    const again = { name: "an incident an earlier run handled is not handled again", input: matching.input, state: { seen: ["INC0042"] }, mocks, expect: { calls: [], output: { handled: 0 } } };
    return { tests: [matching, empty, again] };
  }
  if (trigger.kind === "membership") {
    const added = { name: "a member added to the group is welcomed", input: { uri: trigger.uri, text: JSON.stringify([{ user_id: "u-1", group_id: "g-1", change: "added" }]) }, mocks, expect: { calls: calls(order), output: { handled: 1 } } };
    const other = { name: "other groups and removals are ignored", input: { uri: trigger.uri, text: JSON.stringify([{ user_id: "u-1", group_id: "g-2", change: "added" }, { user_id: "u-1", group_id: "g-1", change: "removed" }]) }, mocks, expect: { calls: calls(order.slice(0, 1)), output: { handled: 0 } } };
    const again = { name: "a change an earlier run handled is not handled again", input: added.input, state: { seen: [JSON.stringify(["u-1", "g-1", null])] }, mocks, expect: { calls: calls(order.slice(0, 1)), output: { handled: 0 } } };
    return { tests: [added, other, again] };
  }
  if (actions.includes("summary")) {
    const lists = Math.max(1, priorities.length);
    const list = order[0] ?? "";
    return { tests: [{ name: "the summary is posted", input: {}, mocks, expect: { calls: [...Array.from({ length: lists }, () => ({ tool: list })), ...calls(order.slice(1))], output: { handled: lists } } }] };
  }
  const input = actions.includes("create-incident") ? { title: "Checkout is down", priority, reporter_email: "ana@example.com" } : { message: "The nightly backup failed" };
  return { tests: [{ name: "every action runs once", input, mocks, expect: { calls: calls(order), output: { handled: 1 } } }] };
}
