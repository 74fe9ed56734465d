/**
 * The tenant's catalog as the offline planner asks it: which tool lists a noun ("incidents"),
 * which tool does a verb to a noun ("disable" a "user"), who is on call, how a person is looked
 * up. Everything is found by the tools' names, schemas and annotations; nothing here knows a
 * particular tenant's tool names.
 */
import { type PlanTool, propertyOf, schemaAt, unwrapNullable } from "../plan/tools.ts";

export type ListSource = { tool: PlanTool; field: string; itemSchema: Record<string, unknown> };
export type ResourceInfo = { integration: string; uri: string; name: string; description: string };

export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function singular(noun: string): string {
  if (noun.endsWith("ies")) return `${noun.slice(0, -3)}y`;
  if (noun.endsWith("ses") || noun.endsWith("xes")) return noun.slice(0, -2);
  return noun.endsWith("s") ? noun.slice(0, -1) : noun;
}

export function plural(noun: string): string {
  if (noun.endsWith("y")) return `${noun.slice(0, -1)}ies`;
  return noun.endsWith("s") ? noun : `${noun}s`;
}

export class CatalogView {
  readonly tools: PlanTool[];
  readonly resources: ResourceInfo[];
  constructor(tools: PlanTool[], resources: ResourceInfo[]) {
    this.tools = tools;
    // Resources named for their integration ("tickets://…" of tickets) first: they are the ones people mean.
    this.resources = [...resources].sort(
      (a, b) => Number(!a.uri.startsWith(`${a.integration}://`)) - Number(!b.uri.startsWith(`${b.integration}://`)),
    );
  }

  get(key: string): PlanTool | undefined {
    return this.tools.find((t) => t.key === key);
  }

  /** The nouns some read-only tool lists (its output's array fields of objects): "incidents", "groups". */
  listNouns(): string[] {
    return [...new Set(this.tools.filter((t) => t.readOnly).flatMap((t) => arrayFields(t).map((f) => f.field)))];
  }

  /**
   * The read-only tool that lists a noun, preferring one named for it ("list_incidents") and one with the most filters.
   */
  lister(noun: string): ListSource | undefined {
    const wanted = plural(noun);
    const found = this.tools
      .filter((t) => t.readOnly)
      .flatMap((tool) =>
        arrayFields(tool)
          .filter((f) => f.field === wanted)
          .map((f) => ({ tool, ...f })),
      )
      .sort((a, b) => score(b.tool, wanted) - score(a.tool, wanted));
    return found[0];
  }

  /** The tool whose name has one of the verbs and the noun (when given), and whose input has the fields. */
  action(verbs: string[], noun: string | undefined, fields: string[][] = []): PlanTool | undefined {
    return this.tools
      .filter((t) => !t.readOnly || verbs.some((v) => ["get", "list", "find"].includes(v)))
      .filter((t) => {
        const name = words(t.key.split(".")[1] ?? t.key);
        if (!verbs.some((v) => name.includes(v))) return false;
        if (noun && !name.some((w) => w === singular(noun) || w === plural(noun))) return false;
        const properties = Object.keys((t.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {});
        return fields.every((options) => options.some((f) => properties.includes(f)));
      })
      .sort((a, b) => words(a.key).length - words(b.key).length)[0];
  }

  /** A read-only tool that says who is on call: its name says "on call", its output holds a person with an email. */
  onCall(): { tool: PlanTool; personPath: string[]; rotationField: string | undefined } | undefined {
    for (const tool of this.tools.filter((t) => t.readOnly)) {
      const name = words(tool.key).join(" ");
      if (!/\bon ?call\b|\boncall\b/.test(name)) continue;
      const person = personPath(tool.outputSchema);
      if (!person) continue;
      const properties = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {});
      return {
        tool,
        personPath: person,
        rotationField: properties.find((p) => /rotation|schedule|group|team/.test(p)),
      };
    }
    return undefined;
  }

  /** A read-only tool that reads one person by a field ("user_id" or "email"), returning their email. */
  personBy(field: "id" | "email"): { tool: PlanTool; inputField: string } | undefined {
    for (const tool of this.tools.filter((t) => t.readOnly && words(t.key).includes("get"))) {
      const properties = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {});
      const input =
        field === "email" ? properties.find((p) => p === "email") : properties.find((p) => /^(user_)?id$/.test(p));
      if (!input || !propertyOf(tool.outputSchema, "email")) continue;
      return { tool, inputField: input };
    }
    return undefined;
  }

  /** The read-only tool that reads one item of a noun by its id ("get_incident"). */
  getter(noun: string): { tool: PlanTool; inputField: string } | undefined {
    const tool = this.action(["get", "read"], noun, [["id", `${singular(noun)}_id`]]);
    if (!tool?.readOnly) return undefined;
    const properties = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {});
    const inputField = properties.find((p) => p === "id" || p === `${singular(noun)}_id`);
    return inputField ? { tool, inputField } : undefined;
  }

  /** A subscribable resource about a noun (by its URI and description). */
  resourceFor(noun: string, hint: RegExp): ResourceInfo | undefined {
    const about = (r: ResourceInfo) => `${r.uri} ${r.name} ${r.description}`.toLowerCase();
    return (
      this.resources.find((r) => about(r).includes(plural(noun)) && hint.test(about(r))) ??
      this.resources.find((r) => hint.test(about(r)))
    );
  }
}

function score(tool: PlanTool, noun: string): number {
  const name = words(tool.key.split(".")[1] ?? "");
  const filters = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {}).length;
  return (name.includes("list") ? 10 : 0) + (name.includes(noun) ? 5 : 0) + filters;
}

function arrayFields(tool: PlanTool): { field: string; itemSchema: Record<string, unknown> }[] {
  const properties = (tool.outputSchema?.["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  return Object.entries(properties).flatMap(([field, schema]) => {
    const items = schema["type"] === "array" ? (schema["items"] as Record<string, unknown> | undefined) : undefined;
    return items && unwrapNullable(items)["type"] === "object" ? [{ field, itemSchema: unwrapNullable(items) }] : [];
  });
}

/**
 * Where a person (an object with an email) is in a tool's output: [] for the output itself, ["user"] one level down.
 */
export function personPath(schema: Record<string, unknown> | undefined): string[] | undefined {
  if (!schema) return undefined;
  if (propertyOf(schema, "email")) return [];
  const properties = (schema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  for (const name of Object.keys(properties)) if (propertyOf(schemaAt(schema, [name]), "email")) return [name];
  return undefined;
}
