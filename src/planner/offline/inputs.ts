/**
 * The fields a request says the caller (or a webhook's payload) passes: "given an incident id and
 * a note", "(input field user_id)", "Input: email.", "a JSON body containing title and service",
 * "with fields title, priority and reporter_email", a JSON example `{"title": …}`, or a
 * snake_case name written out ("given an incident_id"). Each becomes an input of that exact name;
 * once a request names its inputs, a tool field it does not name is a question, not an input the
 * caller was never told about.
 */
import { rx } from "../../core/rx.ts";
import type { RequestText } from "./request-text.ts";

/**
 * What a field is, as the readers ask for it: the user's id, the user's email, the incident's id,
 * or any other field by its name.
 */
export type Declared = { names: string[]; said: string[]; byRole: Map<string, string> };

/** Everyday names of inputs ("an incident id", "a note") → the field name used when the request gives none. */
const THINGS: [RegExp, string][] = [
  [/^(?:incident|ticket)(?:'s)?\s+(?:id|number)$/, "incident_id"],
  [/^user(?:'s)?\s+id$/, "user_id"],
  [
    rx()`
      ^(?:(?:user's|their|employee's|person's)\s+)?e-?mail(?:\s+address)?$|^(?:user|employee|
      person)\s+e-?mail(?:\s+address)?$`,
    "email",
  ],
  [/^group(?:\s+name)?$/, "group"],
  [/^(?:resolution\s+)?notes?$/, "note"],
  [/^(?:message|text)$/, "message"],
  [/^reason$/, "reason"],
  [/^title$/, "title"],
  [/^priority$/, "priority"],
];
const THING =
  "(?:incident|ticket)(?:'s)?\\s+(?:id|number)|user(?:'s)?\\s+id|(?:(?:user's|their|employee's|" +
  "person's)\\s+)?e-?mail(?:\\s+address)?|(?:user|employee|person)\\s+e-?mail(?:\\s+address)?|" +
  "group(?:\\s+name)?|(?:resolution\\s+)?notes?|message|text|reason|title|priority";

/** The role a field name plays for the readers (user_id, email, incident_id), when it plays one. */
function roleOf(name: string): string | undefined {
  if (/^(?:user_?id|uid|employee_?id)$/.test(name)) return "user_id";
  if (/^(?:e-?mail|email_?address|user_?email)$/.test(name)) return "email";
  if (/^(?:incident_?id|ticket_?id|incident|ticket|incident_?number|ticket_?number)$/.test(name)) return "incident_id";
  if (/^(?:group|group_?name|group_?id)$/.test(name)) return "group";
  return undefined;
}

const IDENT = "[`'\"]?[a-z_][a-z0-9_]*[`'\"]?";
/** A verb starts the next clause, never a field name of a list. */
const NOT_VERB =
  "(?!(?:post|page|send|notify|assign|add|dm|message|close|create|open|tell|alert|then|disable|" +
  "remove|escalate|update|set)\\b)";
/** A field name, with what it is in parentheses ("rotation (name of the on-call group)"). */
const ITEM = `(?:(?:a|an|the)\\s+)?${IDENT}(?:\\s*\\([^()]{1,60}\\))?`;
const LIST = `${ITEM}(?:\\s*,\\s*${NOT_VERB}${ITEM})*(?:\\s*,?\\s*(?:and|&|/)\\s*${NOT_VERB}${ITEM})?`;

/** "(field: name)", "(`incident_id`)": the field name an input is written with. */
const NAMED_IN_BRACKETS = rx()`
  \(\s*(?:(?:input|payload|json)?\s*(?:field|parameter|param|key|property|input)s?\s*(?:named|called)?\s*)?
  [\x60'"]?([a-z_][a-z0-9_]*)[\x60'"]?\s*\)`;

/** "given an incident_id and a note": snake_case names written out. */
const SNAKE_CASE_INPUTS = rx()`
  \b(?:given|takes|taking|with|from)\s+(?:an?\s+|the\s+)?\x60?(?<name>[a-z]+_[a-z0-9_]+)\x60?
  (?:\s+(?:and|,)\s+(?:an?\s+|the\s+)?\x60?(?<more>[a-z]+(?:_[a-z0-9_]+)?)\x60?)?\b`;

export function readDeclaredInputs(text: RequestText): Declared {
  const names: string[] = [];
  const said: string[] = [];
  const add = (name: string) => {
    const clean = name.replace(/[`'"]/g, "").trim();
    if (clean && !names.includes(clean)) names.push(clean);
  };
  const list = (words: string) =>
    words
      .split(/\s*(?:,|\band\b|&|\/)\s*/)
      .map((w) => w.trim())
      .filter(Boolean)
      .forEach(add);

  // A JSON example of the payload: its keys.
  const json = /\{[^{}]*\}/g;
  for (let m = json.exec(text.verbatim); m; m = json.exec(text.verbatim)) {
    const keys = [...m[0].matchAll(/["']([A-Za-z_][A-Za-z0-9_]*)["']\s*:/g)].map((k) => k[1] ?? "");
    if (keys.length === 0) continue;
    for (const k of keys) add(k.toLowerCase());
    // Already read as part of the trigger ("will POST {…} to a webhook"): its keys still name the inputs.
    if (!text.free(m.index, m.index + m[0].length)) continue;
    // "… with JSON like {…}", "… such as {…}": the words that introduce the example.
    const intro = rx("i")`
        (?:\b(?:with|like|containing|such as|of the form|shaped like|
        that looks like)\s+(?:(?:a\s+)?(?:json|a\s+body|a\s+payload|body|payload)\s+(?:like\s+)?)?)$`.exec(
      `${text.verbatim.slice(0, m.index).replace(/\s+$/, " ").trimEnd()} `,
    );
    const start = intro && text.free(m.index - intro[0].length, m.index) ? m.index - intro[0].length : m.index;
    text.mark(start, m.index + m[0].length, "inputs");
    said.push(text.verbatim.slice(start, m.index + m[0].length));
  }
  // "given an incident id and a note": everyday names of inputs.
  const given = new RegExp(
    `\\b(?:given|takes?|taking|accepts?|accepting|receives?|receiving|` +
      `with(?=\\s+an?\\s))\\s+(?<list>(?:an?|` +
      `the)\\s+\`?(?:${THING})\`?(?:\\s*\\([^)]*\\))?(?:\\s*(?:,|and)\\s+(?:an?|` +
      `the)\\s+\`?(?:${THING})\`?(?:\\s*\\([^)]*\\))?)*)(?=\\s*(?:,|:|\\.|;|\\(|$|\\bas\\s+input\\b|` +
      `\\bin\\s+the\\s+input\\b))(?:\\s+(?:as\\s+input|in\\s+the\\s+input))?`,
  );
  for (const m of text.take(given, "inputs")) {
    for (const item of (m.groups?.["list"] ?? "")
      .split(/\s*(?:,|\band\b)\s*(?![^(]*\))/)
      .map((w) => w.replace(/^(?:an?|the)\s+/, "").trim())
      .filter(Boolean)) {
      // The name in parentheses or backticks is the field's; else the everyday name's usual field.
      const written = NAMED_IN_BRACKETS.exec(item)?.[1] ?? /`([a-z_][a-z0-9_]*)`/.exec(item)?.[1];
      const found = THINGS.find(([p]) => p.test(item.replace(/\([^)]*\)|`/g, "").trim()));
      if (written) add(written);
      else if (found) add(found[1]);
    }
    said.push(text.originalOf(m));
  }
  const patterns = [
    // "(input field user_id)", "(field `email`)", "(`email`)"
    new RegExp(
      `\\(\\s*(?:(?:as\\s+)?(?:the\\s+)?(?:input|payload|json)?\\s*(?:field|parameter|param|key|` +
        `property|input)s?\\s*(?:named|called)?\\s*)?(?<list>${LIST})\\s*\\)`,
    ),
    // "I'll give you name, email and title as inputs", "input is user_email", "Manual run with two inputs: a and b"
    new RegExp(
      `\\b(?:i'll|i will|we'll|we will|you'll get|the caller (?:will )?(?:gives?|` +
        `passes?))\\s+(?:give|pass|provide|` +
        `send)?\\s*(?:you\\s+)?(?<list>${LIST})\\s+as\\s+(?:the\\s+)?inputs?\\b`,
    ),
    new RegExp(`\\b(?:the\\s+)?inputs?\\s+(?:is|are)\\s+(?<list>${LIST})`),
    new RegExp(
      `(?:\\b(?:manual(?:ly)?\\s+run|run by hand|a manual workflow)\\s+)?\\bwith\\s+(?:one|two|` +
        `three|four|\\d)\\s+inputs?\\s*:\\s*(?<list>${LIST})`,
    ),
    // "Input: email." / "Inputs: incident_id, note."
    new RegExp(`(?<=^|[.;]\\s{0,3})\\s*(?:inputs?|parameters?|params|payload)\\s*:\\s*(?<list>${LIST})\\s*(?:[.;]|$)`),
    // "given name, email and department:" — a bare list right before a colon.
    new RegExp(`\\b(?:given|takes|taking|with inputs?)\\s+(?:(?:their|the|a|an)\\s+)?(?<list>${LIST})(?=\\s*:)`),
    // "given name, email and department, create …": a list of two or more bare names.
    new RegExp(
      `\\b(?:given|takes|taking|with inputs?)\\s+(?:(?:their|the|a|` +
        `an)\\s+)?(?<list>${ITEM}(?:\\s*,\\s*${NOT_VERB}${ITEM})*\\s*,?\\s*(?:and|` +
        `&)\\s*${NOT_VERB}${ITEM})(?=\\s*,)`,
    ),
    // "… posts to the webhook with title and priority": bare field names right after what calls.
    new RegExp(
      `(?<=\\b(?:webhook|alert|payload|body|request|event|` +
        `notification)\\s{1,3})with\\s+(?:the\\s+)?(?<list>${LIST})(?=\\s*(?:[,;.:]|$|\\b(?:when|` +
        `whenever|each time|every time|for|if)\\b))`,
    ),
    // "run by hand with name, email, department and manager_email:"
    new RegExp(
      `(?<=\\b(?:by\\s+hand|manually|` +
        `on\\s+demand)\\s{1,3})with\\s+(?:the\\s+)?(?:inputs?\\s+)?(?<list>${LIST})(?=\\s*(?:[:,.;]|` +
        `$))`,
    ),
    // "It sends service, severity and summary.", "The payload has title and priority.": said of what calls.
    new RegExp(
      `(?:^|(?<=[.;:]\\s{0,3}))\\s*(?:it|they|the\\s+(?:payload|body|request|call|alert|webhook|` +
        `system|tool|form))\\s+(?:will\\s+)?(?:sends?|posts?|pass(?:es)?|includes?|provides?|` +
        `contains?|has|have|carries|gives)\\s+(?:us\\s+)?(?:(?:json|a\\s+json\\s+body|a\\s+payload|` +
        `a\\s+body)\\s+with\\s+)?(?:the\\s+)?(?:fields?\\s+)?(?<list>${LIST})(?=\\s*(?:[.;]|$))`,
    ),
    // "A webhook receives title and priority"
    new RegExp(
      `(?<=\\bwebhook\\s+(?:that\\s+)?)(?:receives|gets|accepts|` +
        `takes)\\s+(?:the\\s+)?(?<list>${LIST})(?=\\s*(?:[,;.:]|$))`,
    ),
    // "with fields title, priority and reporter_email", "a JSON body containing title and service"
    new RegExp(
      `\\b(?:with\\s+(?:the\\s+)?(?:fields?|keys?|properties|parameters|inputs|input\\s+(?:fields?|` +
        `named|called))|(?:(?:an?|the|its)\\s+)?(?:json\\s+)?(?:body|payload)\\s+(?:containing|with|` +
        `that has|that contains|carrying|has|of)(?:\\s+(?:the\\s+)?(?:fields?|keys?))?|(?:takes|` +
        `accepts)(?:\\s+(?:the\\s+)?(?:inputs?|fields?|parameters?))?)\\s+(?<list>${LIST})\\b`,
    ),
  ];
  for (const pattern of patterns) {
    for (const m of text.take(pattern, "inputs")) {
      const words = m.groups?.["list"] ?? "";
      // Only names that look like fields (one word each); "with fields" of prose is not a declaration.
      const bare = words.replace(/\s*\([^()]*\)/g, "").replace(/\b(?:a|an|the)\s+/g, "");
      const items = bare.split(/\s*(?:,|\band\b|&|\/)\s*/).filter(Boolean);
      if (!items.every((w) => /^[`'"]?[a-z_][a-z0-9_]*[`'"]?$/.test(w))) continue;
      list(bare);
      said.push(text.originalOf(m));
    }
  }
  // "given an `incident_id` and resolution `notes`": names in backticks, each with a word or two of description.
  const TICKED = "(?:(?:an?|the|their|its|(?:an?\\s+)?[a-z]+'s)\\s+)?(?:[a-z']+\\s+){0,2}?`[a-z_][a-z0-9_]*`";
  for (const m of text.take(
    new RegExp(
      `\\b(?:given|takes|taking|with|from|accepts|needs)\\s+${TICKED}(?:\\s*(?:,\\s*and|,|and)\\s+${TICKED})*`,
    ),
    "inputs",
  )) {
    for (const name of m[0].match(/`[a-z_][a-z0-9_]*`/g) ?? []) add(name);
    said.push(text.originalOf(m));
  }
  // A snake_case name written out ("given an incident_id") is a field name.
  for (const m of text.take(SNAKE_CASE_INPUTS, "inputs")) {
    add(m.groups?.["name"] ?? "");
    if (m.groups?.["more"]) add(m.groups["more"]);
    said.push(text.originalOf(m));
  }
  const byRole = new Map<string, string>();
  for (const name of names) {
    const role = roleOf(name);
    if (role && !byRole.has(role)) byRole.set(role, name);
  }
  return { names, said, byRole };
}
