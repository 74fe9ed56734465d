/**
 * Filters read from the words around a noun, by the noun's item schema: an enum value written
 * out ("P1 and P2", "new", "in progress") filters its field; "open" excludes the closed-like values
 * of a status field; "unassigned" means the assignee field is empty; "older than 24 hours" compares
 * the creation time. Only words some field of the schema gives meaning to are read.
 */
import { PlannerDeclined } from "../../core/errors.ts";
import type { Condition, PlanValue } from "../../core/plan.ts";
import { propertyOf, unwrapNullable } from "../plan/tools.ts";
import { plural, singular } from "./catalog.ts";
import type { RequestText } from "./request-text.ts";

const CLOSED_LIKE = ["resolved", "closed", "done", "cancelled", "canceled", "completed", "implemented", "archived"];

export type ListPhrase = { noun: string; conditions: Condition[]; said: string; start: number; end: number };

type Vocabulary = Map<string, (item: string) => Condition[]>;

/** What each filter word means for items of this schema. */
function vocabulary(itemSchema: Record<string, unknown>): Vocabulary {
  const properties = (itemSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  const out: Vocabulary = new Map();
  const enums: [string, string[]][] = Object.entries(properties).flatMap(([field, schema]) => {
    const values = unwrapNullable(schema)["enum"];
    return Array.isArray(values) && values.every((v) => typeof v === "string") ? [[field, values as string[]]] : [];
  });
  for (const [field, values] of enums) {
    for (const value of values) {
      const said = value.toLowerCase().replace(/_/g, " ");
      if (said.length < 2) continue;
      out.set(said, (item) => [{ value: { kind: "ref", step: item, path: [field] }, op: "eq", operand: value }]);
      if (said.includes(" "))
        out.set(said.replace(/ /g, "-"), (item) => [
          { value: { kind: "ref", step: item, path: [field] }, op: "eq", operand: value },
        ]);
    }
    const closed = values.filter((v) => CLOSED_LIKE.includes(v.toLowerCase()));
    if (closed.length > 0 && !out.has("open"))
      out.set("open", (item) => [{ value: { kind: "ref", step: item, path: [field] }, op: "not-in", operand: closed }]);
  }
  const assignee = Object.keys(properties).find((f) => /^assign/.test(f));
  if (assignee) {
    // "Unassigned" is a state of open work: a closed item nobody was assigned to is not waiting for anyone.
    const open = out.get("open");
    out.set("unassigned", (item) => [
      { value: { kind: "ref", step: item, path: [assignee] }, op: "empty" },
      ...(open ? open(item) : []),
    ]);
    out.set("assigned", (item) => [{ value: { kind: "ref", step: item, path: [assignee] }, op: "not-empty" }]);
  }
  return out;
}

/** What one filter word ("p1", "unassigned", "open") says of an item, or undefined. */
export function wordCondition(itemSchema: Record<string, unknown>, word: string, item: string): Condition | undefined {
  const make = vocabulary(itemSchema).get(word.toLowerCase().replace(/_/g, " "));
  return make?.(item)[0];
}

/**
 * Free-text fields that name what an item is about (service, category, team), which a request can filter on by value.
 */
function textFields(itemSchema: Record<string, unknown>): string[] {
  const properties = (itemSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  return Object.entries(properties)
    .filter(([name, schema]) => {
      const s = unwrapNullable(schema);
      return (
        s["type"] === "string" &&
        !Array.isArray(s["enum"]) &&
        !s["format"] &&
        !/^(?:id|title|name|description|summary|body|text|notes?)$|_at$|email|^ts$/.test(name)
      );
    })
    .map(([name]) => name.replace(/_/g, " "));
}

/** The creation-time field of an item schema: created_at, else the first date-time field. */
function createdField(itemSchema: Record<string, unknown>): string | undefined {
  const properties = (itemSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  if (propertyOf(itemSchema, "created_at")) return "created_at";
  return Object.entries(properties).find(([name, s]) => s["format"] === "date-time" || /_at$/.test(name))?.[0];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Takes "<filter words> <noun> [older than N hours]" for the noun, and turns it into conditions on
 * the item (referred to as `item`, the list step's id). Several values of one enum field become "in".
 */
export function readListPhrase(
  text: RequestText,
  noun: string,
  itemSchema: Record<string, unknown>,
  item: string,
  options: { prefix?: string; by?: string; person?: PlanValue } = {},
): (ListPhrase & { groups: Record<string, string | undefined> }) | undefined {
  const vocab = vocabulary(itemSchema);
  const adjectives = [...vocab.keys()].sort((a, b) => b.length - a.length).map(escapeRegex);
  const adjective = adjectives.length ? `(?:${adjectives.join("|")})` : "(?!)";
  // ITSM's other word for an incident.
  const synonyms =
    plural(noun) === "incidents"
      ? "|tickets|ticket|issues|issue|cases|case|(?:service\\s+)?requests|(?:service\\s+)?request"
      : "";
  const nouns = `(?:${escapeRegex(plural(noun))}|${escapeRegex(singular(noun))}${synonyms})`;
  const age =
    "(?:\\s+(?:(?:and\\s+|that\\s+)(?:are|have been|were|was|is|has been)\\s+|which\\s+(?:are|" +
    "have been|were|was|is|has been)\\s+)?(?:older than|created more than|opened more than|" +
    "(?:in\\s+(?:status\\s+)?)?(?<still>open|opened|unresolved|waiting|new)\\s+(?:for\\s+)?(?:more|" +
    "longer) than)\\s+(?<amount>\\d+)\\s*(?<unit>hours?|hrs?|h|days?|d|minutes?|mins?)(?:\\s+ago)?)?";
  // "… opened in the last 24 hours", "… created within the past 2 days": items newer than that.
  const within =
    "(?<within>\\s+(?:(?:that|which)\\s+(?:were|was|have\\s+been|has\\s+been|are|" +
    "is)\\s+)?(?:opened|created|raised|reported|filed|logged|submitted)\\s+(?:in|within|during|" +
    "over)\\s+the\\s+(?:last|past)\\s+(?:(?<wamount>\\d+)\\s*)?(?<wunit>hours?|hrs?|h|days?|d|" +
    "minutes?|mins?|weeks?)\\b|\\s+from\\s+the\\s+(?:last|" +
    "past)\\s+(?:(?<wamount2>\\d+)\\s*)?(?<wunit2>hours?|hrs?|h|days?|d|minutes?|mins?|weeks?)\\b)?";
  // "… that still have no owner", "… nobody has picked up yet": unassigned, said after the noun.
  const unowned = vocab.has("unassigned")
    ? "(?<unowned>\\s+(?:that|which)\\s+(?:still\\s+)?(?:have|has)\\s+no\\s+(?:owner|" +
      "assignee)(?:\\s+yet)?|\\s+(?:that|which)\\s+(?:still\\s+)?(?:don't|do not|doesn't|" +
      "does not)\\s+(?:yet\\s+)?have\\s+an?\\s+(?:owner|assignee)(?:\\s+yet)?|\\s+(?:with|" +
      "without)\\s+(?:no\\s+)?(?:owner|assignee)|\\s+(?:that\\s+)?nobody\\s+(?:has\\s+)?(?:picked up|" +
      "taken|claimed)(?:\\s+yet)?|\\s+(?:that\\s+)?nobody\\s+is\\s+assigned\\s+to|\\s+(?:that\\s+|" +
      "which\\s+)?(?:have|has)\\s+(?:nobody|no\\s+one|no-one|" +
      "noone)\\s+assigned(?:\\s+(?:to\\s+(?:them|it)|yet))?|\\s+(?:that|which)\\s+(?:are|" +
      "is)\\s+(?:still\\s+)?(?:sitting\\s+)?unassigned)?"
    : "";
  // "… that are still in status new", "… currently in progress": a filter word said after the noun.
  // "incidents on hold", "tickets in progress": a filter word that reads as a place, right after the noun.
  const placed = [...vocab.keys()].filter((a) => /^(?:on|in) /.test(a)).map(escapeRegex);
  const after = adjectives.length
    ? `(?<after>\\s+(?:that|which)\\s+(?:are|is)\\s+(?:still\\s+|currently\\s+|` +
      `now\\s+)?(?:in\\s+)?(?:status\\s+)?(?:${adjectives.join("|")})(?:\\s+status)?|` +
      `\\s+(?:currently\\s+|` +
      `still\\s+)?in\\s+(?:status\\s+)?(?:${adjectives.join("|")})(?:\\s+status)` +
      `?${placed.length ? `|\\s+(?:currently\\s+|still\\s+)?(?:${placed.join("|")})` : ""})?`
    : "";
  // "… with P3 priority", "… with priority P1": a filter word said with its field.
  const fields = Object.keys((itemSchema["properties"] as Record<string, unknown> | undefined) ?? {})
    .map(escapeRegex)
    .join("|");
  const withField =
    adjectives.length && fields
      ? `(?<withfield>\\s+(?:with|at|of)\\s+(?:(?:a|` +
        `an)\\s+)?(?:(?:${fields})\\s+)?${adjective}(?:\\s*(?:,|\\bor\\b|` +
        `\\band\\b)\\s*${adjective}(?!\\s+(?:${fields})\\b(?!\\s*$)))*(?:\\s+(?:${fields}))?)?`
      : "";
  // "… for the vpn service", "… with service vpn": a value of a free-text field, named with its field.
  const named = textFields(itemSchema).map(escapeRegex).join("|");
  const byName = named
    ? `(?<byname>\\s+(?:for|on|affecting|against|in|about|` +
      `from)\\s+(?:the\\s+)?"?(?<value1>[a-z0-9][\\w.-]*)"?\\s+(?<field1>${named})|\\s+(?:with|` +
      `whose)\\s+(?<field2>${named})\\s+(?:is\\s+|=\\s*)?"?(?<value2>[a-z0-9][\\w.-]*)"?)?`
    : "";
  // "… with the tag "network"", "… tagged network": a value a list field (tags, labels) holds.
  const tagField = Object.entries(
    (itemSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {},
  ).find(([name, s]) => s["type"] === "array" && /^(?:tags|labels)$/.test(name))?.[0];
  const tagged = tagField
    ? `(?<tagged>\\s+(?:with|having|that\\s+(?:have|has)|carrying)\\s+(?:the\\s+|a\\s+)?(?:tag|` +
      `label)s?\\s+(?<tag1>"[^"]*"|[a-z0-9][\\w-]*)|\\s+(?:tagged|labelled|labeled)\\s+(?:as\\s+|` +
      `with\\s+)?(?<tag2>"[^"]*"|[a-z0-9][\\w-]*)|\\s+(?:with|having|carrying)\\s+(?:the\\s+|` +
      `an?\\s+)?(?<tag3>"[^"]*"|[a-z0-9][\\w-]*)\\s+(?:tag|label))?`
    : "";
  const unownedAfter = vocab.has("unassigned")
    ? "(?<unowned2>\\s+and\\s+(?:has|have)\\s+(?:nobody|no one|no owner|" +
      "no assignee)(?:\\s+assigned)?(?:\\s+yet)?|\\s+and\\s+(?:is|are)\\s+(?:still\\s+)?unassigned)?"
    : "";
  // "… that aren't resolved or closed": values of one field the items must not have.
  const notAfter = adjectives.length
    ? `(?<notafter>\\s+(?:that|which)\\s+(?:aren't|are\\s+not|isn't|` +
      `is\\s+not)\\s+(?:yet\\s+)?(?:in\\s+)?(?:status\\s+)?${adjective}(?:\\s*(?:,|\\bor\\b|` +
      `\\bnor\\b)\\s*${adjective})*)?`
    : "";
  // "… assigned to them": the items whose assignee is the person the workflow is about (a member, the one a message
  // goes to).
  const assigneeField = Object.keys((itemSchema["properties"] as Record<string, unknown> | undefined) ?? {}).find((f) =>
    /^assign/.test(f),
  );
  const assigned = assigneeField
    ? "(?<assignedto>\\s+(?:(?:that|which)\\s+(?:are|is)\\s+)?(?:currently\\s+|" +
      "still\\s+)?assigned\\s+to\\s+(?:them|him|her|the user|the member|that person))?"
    : "";
  const pattern = new RegExp(
    `${options.prefix ?? "\\b"}(?<adjectives>(?:${adjective}(?:\\s*,\\s*|\\s+and\\s+|\\s+or\\s+|\\s+))*)` +
      `${nouns}\\b${assigned}${unowned}${notAfter}${after}${unownedAfter}` +
      `${withField}${byName}${tagged}${age}${within}`,
  );
  const match = text.takeOne(pattern, options.by ?? "list");
  if (!match) return undefined;
  const conditions: Condition[] = [];
  const groups: Record<string, string | undefined> = { ...(match.groups ?? {}) };
  // What is said after the noun comes in any order ("in status new with no assignee", "with no assignee that are new"):
  // each kind not read yet is tried again where the phrase has got to, after an optional "and" or comma.
  let end = match.index + match[0].length;
  const later = [assigned, unowned, notAfter, after, unownedAfter, withField, byName, tagged, age, within].filter((m) =>
    m.endsWith(")?"),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const modifier of later) {
      const names = [...modifier.matchAll(/\(\?<([a-z0-9]+)>/g)].map((n) => n[1] ?? "");
      if (names.some((n) => groups[n] !== undefined)) continue;
      const sticky = new RegExp(`(?:\\s*,|\\s+and)?${modifier.slice(0, -1)}`, "y");
      sticky.lastIndex = end;
      const more = sticky.exec(text.lower);
      if (!more || more[0].trim() === "" || !text.free(end, end + more[0].length)) continue;
      text.mark(end, end + more[0].length, options.by ?? "list");
      for (const [name, value] of Object.entries(more.groups ?? {})) if (value !== undefined) groups[name] = value;
      end += more[0].length;
      grew = true;
    }
  }
  const said = text.lower.slice(match.index, end);
  const afterRaw = (groups["after"] ?? "").replace(
    /^\s+(?:(?:that|which)\s+(?:are|is)\s+)?(?:still\s+|currently\s+|now\s+)?/,
    "",
  );
  const afterWord = vocab.has(afterRaw.trim())
    ? afterRaw
    : afterRaw.replace(/^(?:in\s+)?(?:status\s+)?/, "").replace(/\s+status$/, "");
  const fieldWords = new RegExp(
    `^\\s+(?:with|at|of)\\s+(?:(?:a|an)\\s+)?(?:(?:${fields || "(?!)"})\\s+)?|\\s+(?:${fields || "(?!)"})$`,
    "g",
  );
  const withWord = (groups["withfield"] ?? "").replace(fieldWords, "").trim();
  const words = `${groups["adjectives"] ?? ""} ${afterWord} ${withWord}`;
  const byField = new Map<string, string[]>();
  // Each word's field, and whether "or" joined it to the word before: "or" may only choose between values of one field.
  const read: { field: string; or: boolean }[] = [];
  const pieces = words.split(/(\s*,\s*|\s+and\s+|\s+or\s+)/);
  for (let p = 0; p < pieces.length; p += 2) {
    const word = (pieces[p] ?? "").trim();
    if (!word) continue;
    let joinedByOr = /\bor\b/.test(pieces[p - 1] ?? "");
    // Longest known adjective first, so "in progress" is one word and "p1 open" is two.
    let rest = word;
    while (rest) {
      const found = [...vocab.keys()]
        .sort((a, b) => b.length - a.length)
        .find((key) => rest === key || rest.startsWith(`${key} `));
      // Never a filter word read halfway: what is not understood is said, not dropped.
      if (!found)
        throw new PlannerDeclined("refused", match[0], `"${rest}" is not a value of any field of the ${plural(noun)}`);
      for (const c of vocab.get(found)?.(item) ?? []) {
        const field = c.value.kind === "ref" ? c.value.path.join(".") : "";
        read.push({ field: c.op === "eq" ? field : `${field} ${c.op}`, or: joinedByOr });
        if (c.op === "eq") byField.set(field, [...(byField.get(field) ?? []), String(c.operand)]);
        else conditions.push(c);
      }
      joinedByOr = false;
      rest = rest.slice(found.length).trim();
    }
  }
  // "unassigned or on-hold incidents": either of two fields is a choice no list filter here can say
  // (only all of them); never read as "and".
  // "open P1 or P2 incidents" is fine: "or" chooses between P1 and P2, and "open" holds for both.
  for (const [at, word] of read.entries()) {
    const before = read[at - 1];
    if (word.or && before && (before.field !== word.field || /\s/.test(word.field)))
      throw new PlannerDeclined(
        "refused",
        match[0],
        `"${match[0].trim()}" asks for items that match one filter or another on different fields; ` +
          `the planner can only combine filters with "and": make two workflows, or say which one`,
      );
  }
  if (groups["notafter"]) {
    const words = groups["notafter"]
      .replace(/^\s+(?:that|which)\s+(?:aren't|are\s+not|isn't|is\s+not)\s+(?:yet\s+)?(?:in\s+)?(?:status\s+)?/, "")
      .split(/\s*(?:,|\bor\b|\bnor\b)\s*/)
      .filter(Boolean);
    const excluded = words.map((w) => vocab.get(w.trim())?.(item)[0]);
    const field = excluded[0]?.value;
    // "… that are not assigned": the opposite of a field being set is that field being empty.
    if (excluded.length === 1 && excluded[0]?.op === "not-empty") conditions.push({ ...excluded[0], op: "empty" });
    // Only values of one enum field, each said exactly: "not resolved or closed" is status not in [resolved, closed].
    else if (!field || excluded.some((c) => c?.op !== "eq" || JSON.stringify(c.value) !== JSON.stringify(field)))
      throw new PlannerDeclined(
        "refused",
        match[0],
        `"${groups["notafter"].trim()}" names values of different fields, or words that are not ` +
          `values; say which values of one field to leave out`,
      );
    else conditions.push({ value: field, op: "not-in", operand: excluded.map((c) => String(c?.operand)) });
  }
  if ((groups["unowned"] || groups["unowned2"]) && !conditions.some((c) => c.op === "empty"))
    conditions.push(...(vocab.get("unassigned")?.(item) ?? []));
  if (groups["assignedto"] && assigneeField) {
    const email = propertyOf(unwrapNullable(propertyOf(itemSchema, assigneeField) ?? {}), "email")
      ? "email"
      : undefined;
    if (!options.person || !email)
      throw new PlannerDeclined(
        "refused",
        match[0],
        options.person
          ? `the ${plural(noun)}' ${assigneeField} has no email to compare with`
          : `"${groups["assignedto"].trim()}" refers to nobody this workflow knows`,
      );
    conditions.push({
      value: { kind: "ref", step: item, path: [assigneeField, email] },
      op: "eq",
      against: options.person,
    });
  }
  const tag = (
    text.groupAsWritten(match, "tag1") ??
    text.groupAsWritten(match, "tag2") ??
    text.groupAsWritten(match, "tag3") ??
    groups["tag1"] ??
    groups["tag2"] ??
    groups["tag3"]
  )?.replace(/^"|"$/g, "");
  if (tagField && tag)
    conditions.push({ value: { kind: "ref", step: item, path: [tagField] }, op: "has", operand: tag });
  const textField = groups["field1"] ?? groups["field2"];
  const textValue = groups["value1"] ?? groups["value2"];
  if (textField && textValue)
    conditions.push({ value: { kind: "ref", step: item, path: [textField] }, op: "eq", operand: textValue });
  for (const [field, values] of byField) {
    const unique = [...new Set(values)];
    conditions.unshift(
      unique.length === 1
        ? { value: { kind: "ref", step: item, path: field.split(".") }, op: "eq", operand: unique[0] }
        : { value: { kind: "ref", step: item, path: field.split(".") }, op: "in", operand: unique },
    );
  }
  // "opened in the last 24 hours", "older than 2 days": compared with the items' creation time.
  const byAge = (op: "newer-than-hours" | "older-than-hours", hours: number): Condition => {
    const field = createdField(itemSchema);
    if (!field)
      throw new PlannerDeclined(
        "refused",
        match[0],
        `the ${plural(noun)} this tenant lists have no creation time to compare with`,
      );
    return { value: { kind: "ref", step: item, path: [field] }, op, operand: hours };
  };
  if (groups["within"]) {
    const unit = groups["wunit"] ?? groups["wunit2"] ?? "h";
    const amount = Number(groups["wamount"] ?? groups["wamount2"] ?? 1);
    const hours = amount * (unit.startsWith("w") ? 168 : unit.startsWith("d") ? 24 : unit.startsWith("m") ? 1 / 60 : 1);
    conditions.push(byAge("newer-than-hours", hours));
  }
  if (groups["amount"]) {
    const unit = groups["unit"] ?? "h";
    const hours = Number(groups["amount"]) * (unit.startsWith("d") ? 24 : unit.startsWith("m") ? 1 / 60 : 1);
    conditions.push(byAge("older-than-hours", hours));
    // "open for more than 12 hours" says open, too.
    const still = groups["still"];
    if (still && still !== "opened") {
      // "new for more than 4 hours": still new, and created that long ago (an item is new from its creation).
      const open = vocab.get(still === "new" ? "new" : "open")?.(item);
      if (!open)
        throw new PlannerDeclined(
          "refused",
          match[0],
          `the ${plural(noun)} this tenant lists have no status that says whether they are still open`,
        );
      if (!conditions.some((c) => c.op === "not-in")) conditions.push(...open);
    }
  }
  // "open unassigned incidents": "open" said twice is one filter.
  const unique = conditions.filter(
    (c, i) => conditions.findIndex((d) => JSON.stringify(d) === JSON.stringify(c)) === i,
  );
  return { noun: plural(noun), conditions: unique, said, start: match.index, end, groups };
}
