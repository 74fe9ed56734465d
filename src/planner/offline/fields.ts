/**
 * What a message says, when the request names fields rather than giving text: "the incident
 * number and who reported it", "its number, title and priority", "their name and department",
 * "the open P1 incidents (number and title)". Each named field must be a field the item or person
 * has (by its name or a common word for it); one that is not is no reading, never a guess.
 */
import { rx } from "../../core/rx.ts";
import type { PlanValue } from "../../core/plan.ts";
import { schemaAt } from "../plan/tools.ts";

/** A field as people name it, and the paths it may have in an item's schema (first found wins). */
type FieldWord = { words: RegExp; paths: string[][]; label?: string };

const ITEM_FIELDS: FieldWord[] = [
  { words: /^(?:number|id|key|ref(?:erence)?(?:\s+number)?)$/, paths: [["id"], ["number"], ["key"]] },
  {
    words: /^(?:title|summary|subject|headline|short\s+description)$/,
    paths: [["title"], ["summary"], ["subject"], ["name"]],
  },
  { words: /^(?:priority|severity|prio)$/, paths: [["priority"], ["severity"]] },
  { words: /^(?:status|state)$/, paths: [["status"], ["state"]], label: "status" },
  { words: /^(?:service|affected\s+service)$/, paths: [["service"]], label: "service" },
  { words: /^(?:description)$/, paths: [["description"]] },
  {
    words: rx()`
        ^(?:assignee|owner|assigned\s+engineer|who(?:'s|\s+is)\s+assigned(?:\s+to\s+it)?|
        who\s+it(?:'s|\s+is)\s+assigned\s+to|who\s+owns\s+it)$`,
    paths: [["assignee", "name"], ["assignee"]],
    label: "assignee",
  },
  {
    words: rx()`
        ^(?:reporter|reporter's\s+email|who\s+(?:reported|opened|raised|filed|logged)\s+it|
        (?:the\s+)?person\s+who\s+(?:reported|opened|raised)\s+it)$`,
    paths: [["reporter_email"], ["reporter"]],
    label: "reported by",
  },
  { words: /^(?:tags|labels)$/, paths: [["tags"]], label: "tags" },
  {
    words: rx()`
        ^(?:created(?:\s+(?:at|time|date))?|opened(?:\s+at)?|when\s+it\s+was\s+(?:opened|created|
        raised|reported)|creation\s+(?:time|date))$`,
    paths: [["created_at"], ["created"]],
    label: "opened",
  },
];

const PERSON_FIELDS: FieldWord[] = [
  { words: /^(?:name|full\s+name|display\s+name)$/, paths: [["name"], ["display_name"], ["full_name"]] },
  { words: /^(?:email|email\s+address|address)$/, paths: [["email"]] },
  { words: /^(?:department|team)$/, paths: [["department"], ["team"]], label: "department" },
  { words: /^(?:job\s+title|title|role|position)$/, paths: [["title"], ["job_title"], ["role"]], label: "title" },
  { words: /^(?:user\s+id|id)$/, paths: [["id"], ["user_id"]], label: "id" },
];

/** "the incident's", "its", "the ticket", "their": the words that say whose field it is. */
const OWNER = rx()`
    ^(?:(?:the|its|their|his|her|an?|each|every|this|that)\s+)?(?:(?:new\s+)?(?:incident|ticket|
    issue|user|person|member|employee|account|one|hire|starter)(?:'s)?\s+)?(?:(?:the|its|their|his|
    her)\s+)?`;

/** The field a word names ("the incident's number", "their titles": plural for each item's), if any. */
function fieldOf(table: FieldWord[], raw: string): FieldWord | undefined {
  const word = raw.replace(OWNER, "").trim();
  return table.find((f) => f.words.test(word)) ?? table.find((f) => f.words.test(word.replace(/s$/, "")));
}

/** The separate field words of a list ("number, title and priority"), or undefined when it is not one. */
function fieldWords(phrase: string): string[] | undefined {
  const parts = phrase
    .trim()
    .split(/\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*\+\s*|\s*\/\s*)\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length > 0 ? parts : undefined;
}

/**
 * The fields of a schema (rooted at `step`, with `base` before each path) that `phrase` names;
 * undefined unless every part names one.
 */
function readFields(
  phrase: string,
  table: FieldWord[],
  schema: Record<string, unknown> | undefined,
  at: (path: string[]) => PlanValue,
  identify = false,
): (string | PlanValue)[] | undefined {
  const words = fieldWords(phrase);
  if (!words) return undefined;
  const pieces: (string | PlanValue)[] = [];
  // An item's line says which item it is, whatever else it names ("with their assignee": "INC0002 · assignee: …").
  const idWord = ITEM_FIELDS[0];
  const idPath = identify && idWord ? idWord.paths.find((p) => schemaAt(schema, p) !== undefined) : undefined;
  if (idPath && idWord && !words.some((w) => fieldOf(table, w) === idWord)) pieces.push(at(idPath));
  for (const raw of words) {
    const known = fieldOf(table, raw);
    const path = known?.paths.find((p) => schemaAt(schema, p) !== undefined);
    if (!known || !path) return undefined;
    if (pieces.length > 0) pieces.push(" · ");
    if (known.label) pieces.push(`${known.label}: `);
    pieces.push(at(path));
  }
  return pieces;
}

/**
 * Fields of one item ("the ticket number and who reported it"), as a line of text; undefined when it is no such list.
 */
export function itemFields(
  phrase: string,
  item: { step: string; schema: Record<string, unknown> },
  identify = true,
): PlanValue | undefined {
  const parts = readFields(
    stripIntro(phrase),
    ITEM_FIELDS,
    item.schema,
    (path) => ({ kind: "ref", step: item.step, path }),
    identify,
  );
  return parts ? { kind: "text", parts } : undefined;
}

/** Fields of a person whose email is a field of a step ("their name and department"). */
export function personFields(
  phrase: string,
  email: PlanValue,
  schema: Record<string, unknown> | undefined,
): PlanValue | undefined {
  if (email.kind !== "ref" || email.path.at(-1) !== "email") return undefined;
  const base = email.path.slice(0, -1);
  const parts = readFields(stripIntro(phrase), PERSON_FIELDS, schema, (path) => ({
    kind: "ref",
    step: email.step,
    path: [...base, ...path],
  }));
  return parts ? { kind: "text", parts } : undefined;
}

/** The line of each item of a list ("(number and title)", "with their number, priority and title"). */
export function lineFields(phrase: string, list: string, schema: Record<string, unknown>): PlanValue | undefined {
  const parts = readFields(
    stripIntro(phrase).replace(/\s+(?:of|for)\s+each(?:\s+(?:one|of them|incident|ticket|item))?$/, ""),
    ITEM_FIELDS,
    schema,
    (path) => ({ kind: "ref", step: list, path }),
    true,
  );
  return parts ? { kind: "text", parts } : undefined;
}

/**
 * A list phrase with what each line says after it: "the open P1 incidents (number and title)",
 * "open P1s with their number and title", "open incidents: number, priority, title".
 */
export function splitLineFormat(phrase: string): { head: string; format: string } | undefined {
  const forms = [
    /^(.+?)\s*\(\s*([^()]+?)\s*\)$/,
    /^(.+?)\s+(?:with|showing|including|listing|giving)\s+((?:their|the|its)\s+[^,]+?(?:\s*(?:,|and|&|\+)\s*[^,]+?)*)$/,
    /^(.+?)\s*[:\u2013\u2014]\s*([^:]+)$/,
  ];
  for (const form of forms) {
    const match = form.exec(phrase.trim());
    if (match?.[1] && match[2]) return { head: match[1], format: match[2] };
  }
  return undefined;
}

function stripIntro(phrase: string): string {
  return phrase
    .trim()
    .replace(/^(?:with|showing|including|containing|listing|giving|about|naming|mentioning)\s+/, "")
    .replace(/^\(\s*(.*?)\s*\)$/, "$1");
}
