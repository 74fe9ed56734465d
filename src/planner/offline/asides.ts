/**
 * What people say around a request that is not a step of it: how they ask ("Could you …", "Set up
 * a workflow that posts …", "It should …", "Thanks!"), why they want it ("… so the morning standup
 * has them"), and what they restate ("Skip closed ones" after asking for open incidents). Each is
 * read narrowly: an aside that could carry a condition, a limit or an action is left for the
 * other readers (and refused when none of them reads it), never waved through as talk.
 */
import { rx } from "../../core/rx.ts";
import { PlannerDeclined } from "../../core/errors.ts";
import { type Condition, type PlanStep, walkSteps } from "../../core/plan.ts";
import type { PlanBuilder } from "./builder.ts";
import type { CatalogView } from "./catalog.ts";
import { wordCondition } from "./filters.ts";
import type { RequestText } from "./request-text.ts";

const SENTENCE_START = "(?:^|(?<=[.;!?:]\\s{0,3}))\\s*";
const WORKFLOW = "(?:workflow|automation|flow|job|rule|routine|bot|script|helper|button)";
/** Third-person verbs after "a workflow that …", made imperative for the action readers. */
const THIRD_PERSON = rx()`
    ^(runs|posts|sends|pages|dms|messages|notifies|alerts|pings|assigns|closes|creates|opens|adds|
    removes|disables|comments|escalates|updates|tells|lists|counts|checks|looks|finds|archives|
    invites)\b`;

/**
 * Takes how the request is asked, at the start of a sentence: polite openers, "set up / I need a
 * workflow that …", "It should …", and thanks at the end. Returns what it took, as written.
 */
export function takeFraming(text: RequestText): string[] {
  const said: string[] = [];
  const polite =
    `(?:(?:hi|hey|hello)(?:\\s+(?:team|there|all))?[,!]?\\s+)?(?:(?:could|can|would|will)\\s+(?:you|` +
    `we|charter)\\s+(?:please\\s+)?|please\\s+)?`;
  const asking =
    `(?:(?:set\\s+up|setup|make|create|build|write|add|configure|automate\\s+with|give\\s+(?:me|us)|` +
    `(?:i|we)\\s+(?:need|want|would\\s+like|'d\\s+like)|(?:i|we)'d\\s+(?:like|love))\\s+)?`;
  const pattern = new RegExp(
    `${SENTENCE_START}${polite}${asking}(?:(?:(?:a|an|one)\\s+(?:new\\s+|small\\s+|simple\\s+|` +
      `quick\\s+)?(?:(?!manual\\b|daily\\b|weekly\\b|hourly\\b|nightly\\b|` +
      `monthly\\b)[a-z-]+\\s+)?${WORKFLOW}|something)\\s+(?:that|which|to)(?:\\s+|(?=\\s*,))|` +
      `set\\s+(?:something|one|this|it)\\s+up\\s+(?:that|which|to)\\s+|(?<=^\\s*|` +
      `[.;!?:]\\s{0,3})(?:could|can|would|will)\\s+(?:you|we|charter)\\s+(?:please\\s+)?(?=[a-z]))`,
    "d",
  );
  for (const m of text.take(pattern, "framing")) {
    said.push(text.originalOf(m));
    const after = m.index + m[0].length;
    // "a helper that, given an incident id, pages …": the verb after an aside between commas.
    const aside = /^\s*,\s*[^,.;]{1,60}?,\s*/.exec(text.lower.slice(after));
    const at = THIRD_PERSON.test(text.lower.slice(after)) ? after : aside ? after + aside[0].length : after;
    const verb = THIRD_PERSON.exec(text.lower.slice(at));
    if (!verb?.[1]) continue;
    text.substitute(at, at + verb[1].length, imperative(verb[1]));
    imperativeAfter(text, at);
  }
  // "It should post …", "The workflow must then …": the sentence's action, said of the workflow.
  for (const m of text.take(
    new RegExp(
      `${SENTENCE_START}(?:it|the\\s+${WORKFLOW}|this)\\s+(?:should|must|needs\\s+to|has\\s+to|` +
        `will)\\s+(?:also\\s+)?(?=[a-z])`,
    ),
    "framing",
  ))
    said.push(text.originalOf(m));
  // "Thanks!", "Thank you.", "Cheers": at the end.
  for (const m of text.take(
    rx()`
      (?:^|(?<=[.;!?]\s{0,3}))\s*(?:thanks(?:\s+(?:a\s+lot|in\s+advance))?|
      thank\s+you(?:\s+in\s+advance)?|cheers|ty)\s*[.!]*\s*$`,
    "framing",
  ))
    said.push(text.originalOf(m));
  return said.filter(Boolean);
}

/** "… that closes it and posts …": every action after `from` said of the workflow, as an instruction ("and post"). */
export function imperativeAfter(text: RequestText, from: number): void {
  const more = new RegExp(`(?<=\\b(?:and|then|also)\\s+|,\\s+)${THIRD_PERSON.source.slice(1)}`, "g");
  for (const m of [...text.lower.slice(from).matchAll(more)]) {
    const at = from + (m.index ?? 0);
    if (m[1] && text.free(at, at + m[1].length)) text.substitute(at, at + m[1].length, imperative(m[1]));
  }
}

function imperative(verb: string): string {
  if (verb === "dms") return "dm";
  if (/(?:sh|ch|ss|x)es$/.test(verb) || verb === "does") return verb.slice(0, -2);
  if (/ies$/.test(verb)) return `${verb.slice(0, -3)}y`;
  return verb.slice(0, -1);
}

/** Words that make a "so …" more than a reason: a limit, a condition, a time, an action or a name. */
const NOT_A_REASON = rx()`
    \d|["#@<{]|\b(?:only|once|twice|again|not|never|no|don't|doesn't|won't|unless|if|except|before|
    after|until|within|every|each|instead|then|also|page[sd]?|paging|post(?:s|ed)?|send|sends|sent|
    dm|dms|message[sd]?|e-?mail|mail|ping|alert|notif\w*|ticket|incident|comment|note|close[sd]?|
    assign\w*|create[sd]?|open(?:s|ed)?|disable[sd]?|remove[sd]?|add(?:s|ed)?|escalat\w*|channel|
    group|user|call|first|last|per|all|any|same|one|ones|nobody|someone|anyone|hour|day|week|month|
    today|tomorrow|tonight|am|pm)\b|\b(?:in|by|at|on|during|before|every|each|this|
    next)\s+(?:the\s+)?(?:morning|afternoon|evening|night|weekend)\b`;

/**
 * Takes a reason at the end of a sentence ("…, so the morning standup has them", "so everyone
 * knows what is burning", "for visibility"): it says why, not what. A "so …" that holds any word
 * of NOT_A_REASON is left for the other readers.
 */
export function takeReasons(text: RequestText): string[] {
  const said: string[] = [];
  const pattern = rx("g")`
      (?<=[a-z0-9)'"]\s*,?)(?<!\b(?:dm|message|
      note)\s*,?)\s+(?:so\s+(?:that\s+)?(?<why>[a-z][a-z' -]{2,80}?)|(?:for|
      as\s+an?)\s+(?:visibility|awareness|transparency|the\s+record|fyi|heads-up|heads\s+up|
      information))\s*(?=[.;!?]|$)`;
  for (const m of text.lower.matchAll(pattern)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const why = m.groups?.["why"];
    if (!text.free(start, end) || (why && (NOT_A_REASON.test(why) || /^(?:do|does|did|it|is|are)\b/.test(why))))
      continue;
    text.mark(start, end, "reason");
    said.push(text.verbatim.slice(start, end).trim());
  }
  return said;
}

/**
 * Takes "run by hand", "I can run it manually", "on demand": the manual trigger, said outright.
 */
export function takeManual(text: RequestText): string[] {
  const pattern = new RegExp(
    `(?:(?:that|which)\\s+)?(?:(?:i|we|you|someone|anyone|people|staff|` +
      `an?\\s+operator)\\s+can\\s+(?:run|trigger|start|kick\\s+off|launch)(?:\\s+(?:it|` +
      `this))?\\s+(?:by\\s+hand|manually|on\\s+demand|whenever\\s+(?:i|we|they)\\s+(?:want|` +
      `need)(?:\\s+to)?)|(?:to\\s+be\\s+)?(?:run|triggered|started|launched)\\s+(?:by\\s+hand|` +
      `manually|on\\s+demand)|${SENTENCE_START}(?:a\\s+)?manual(?:ly\\s+(?:run|triggered|` +
      `started))?(?:\\s+(?:run|trigger|workflow|job))?(?=\\s*:|\\s+(?:with|that|which|to|taking|` +
      `given)\\b)|on\\s+demand|${SENTENCE_START}(?:run\\s+)?(?:by\\s+hand|manually)(?=\\s*[,:])|` +
      `\\bwhen(?:ever)?\\s+(?:i|we)\\s+(?:run|trigger|start)\\s+(?:it|this)(?:\\s+(?:by\\s+hand|` +
      `manually))?(?=\\s+with\\b)|(?:i|we)(?:'ll|\\s+will)\\s+(?:run|trigger|start|kick\\s+off|` +
      `launch)\\s+(?:it|this)(?:\\s+(?:myself|ourselves))?(?:\\s+(?:by\\s+hand|` +
      `manually))?(?:\\s+(?:when|whenever|as)\\s+(?:needed|necessary|required))?)\\b,?`,
  );
  return text.take(pattern, "manual").map((m) => text.originalOf(m));
}

/**
 * Takes restated exclusions ("Skip closed ones.", "Ignore P3/P4.", "Leave out resolved incidents"):
 * each value is a value of a field of the listed items. Applied once the plan's lists exist.
 */
export function takeExclusions(text: RequestText): { said: string; values: string[] }[] {
  const found = text.take(
    rx("d")`
      (?:^|(?<=[.;!?]\s{0,3})|(?<=[a-z0-9)],\s{0,3}))\s*(?:(?:and|but)\s+)?(?:please\s+)?(?:skip|
      ignore|leave\s+out|exclude|excluding|except(?:\s+for)?|(?<=\bbut\s+)not|other\s+than|
      don't\s+include|do\s+not\s+include|without)\s+(?:the\s+|any\s+|anything\s+(?:that(?:'s|
      \s+is)\s+)?)?(?!(?:it|them|this|that|those|these|the\s+rest|rest|others?|everything|anything|
      all)\b)(?<values>[a-z0-9_ -]+?(?:\s*(?:\/|,|\bor\b|\band\b)\s*[a-z0-9_ -]+?)*)(?:\s+(?:ones|
      incidents|tickets|items|ones?\s+too))?\s*(?=[.;!?]|$)`,
    "exclusion",
  );
  // "(excluding P4)", "(not P3/P4)": the same, in parentheses after what it narrows.
  found.push(
    ...text.take(
      rx("d")`
        \s*\(\s*(?:excluding|except(?:\s+for)?|not|without|no)\s+(?:the\s+|
        any\s+)?(?<values>[a-z0-9_ -]+?(?:\s*(?:\/|,|\bor\b|\band\b)\s*[a-z0-9_ -]+?)*)(?:\s+(?:ones|
        incidents|tickets|items))?\s*\)`,
      "exclusion",
    ),
  );
  // "the P4s": the value, made plural.
  return found.map((m) => ({
    said: text.originalOf(m),
    values: (m.groups?.["values"] ?? "")
      .split(/\s*(?:\/|,|\bor\b|\band\b)\s*/)
      .map((v) => v.trim().replace(/(?<=\d)s$/, ""))
      .filter(Boolean),
  }));
}

/**
 * Puts each exclusion on the lists whose items have a field with all its values: a list that
 * already leaves them out is named as is; one that does not gets the filter. An exclusion no list
 * can carry is refused.
 */
export function applyExclusions(
  exclusions: { said: string; values: string[] }[],
  steps: PlanStep[],
  catalog: CatalogView,
  builder: PlanBuilder,
): void {
  const lists = [...walkSteps(steps)]
    .map(({ step }) => step)
    .filter((s): s is Extract<PlanStep, { kind: "list" }> => s.kind === "list");
  for (const exclusion of exclusions) {
    const carried: string[] = [];
    for (const list of lists) {
      const schema = catalog.lister(list.noun)?.itemSchema;
      if (!schema) continue;
      const conditions = exclusion.values.map((v) => wordCondition(schema, v, list.id));
      if (conditions.some((c) => c?.op !== "eq")) continue;
      for (const condition of conditions as Condition[])
        if (!excludes(list.where, condition)) list.where.push({ ...condition, op: "ne" });
      carried.push(list.id);
    }
    if (carried.length === 0)
      throw new PlannerDeclined(
        "refused",
        exclusion.said,
        `it says what to leave out, and no list of the plan has items ` +
          `with ${exclusion.values.map((v) => `"${v}"`).join(", ")}`,
      );
    builder.clause(exclusion.said, ...carried);
  }
}

/** Whether the list's filters already leave out what `condition` (field = value) picks. */
function excludes(where: Condition[], condition: Condition): boolean {
  const path = JSON.stringify(condition.value);
  const value = condition.operand;
  return where.some((c) => {
    if (JSON.stringify(c.value) !== path) return false;
    const operand = Array.isArray(c.operand) ? c.operand : [c.operand];
    if (c.op === "eq" || c.op === "in") return !operand.includes(value as string);
    if (c.op === "ne" || c.op === "not-in") return operand.includes(value as string);
    return false;
  });
}

/** Takes "Just the number is fine." / "Only the count, not the list": the message is a count. */
export function takeCountOnly(text: RequestText): string[] {
  return text
    .take(
      rx()`
        (?:^|(?<=[.;!?]\s{0,3}))\s*(?:just|only)\s+(?:the\s+)?(?:number|count|total)(?:\s+(?:is|
        would be)\s+(?:fine|enough|ok|okay|needed|wanted|all\s+(?:i|we)\s+need))?(?:,?\s+(?:not|
        no)\s+(?:the\s+)?(?:list|details|names))?\s*[.!]?\s*(?=$|[A-Z]|\s)`,
      "count-only",
    )
    .map((m) => text.originalOf(m));
}

/** The calls that send a count and no list: what "just the number" is said of. Refused when there are none. */
export function countOnlyCalls(said: string, steps: PlanStep[]): string[] {
  const calls = [...walkSteps(steps)]
    .map(({ step }) => step)
    .filter(
      (s) =>
        s.kind === "call" &&
        JSON.stringify(s.args).includes('"kind":"count"') &&
        !JSON.stringify(s.args).includes('"kind":"lines"'),
    );
  if (calls.length === 0)
    throw new PlannerDeclined("refused", said, "it says only the number, and no step sends a count alone");
  return calls.map((c) => c.id);
}

/** Words that carry meaning a workflow could act on: structure, time, quantity, negation, and actions. */
const MEANINGFUL = new Set(
  (
    "if when whenever unless only not never no don't doesn't didn't won't can't cannot except but " +
    "otherwise instead once twice each every all any none before after until while during " +
    ("daily weekly hourly nightly monthly yearly morning mornings afternoon evening evenings night " +
      "nights noon midnight today tonight tomorrow yesterday weekend weekends weekday weekdays ") +
    ("monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays " +
      "thursdays fridays saturdays sundays am pm hour hours minute minutes day days week weeks month " +
      "months year ") +
    ("post posts page pages send sends dm dms message messages notify alert alerts ping tell email " +
      "emails assign assigns close closes resolve resolves open opens create creates add adds remove " +
      "removes ") +
    ("disable disables enable delete reset update updates set escalate escalates invite archive " +
      "comment comments order call text sms approve restart reboot deploy run runs check checks ") +
    ("first last next previous more less fewer most least urgent critical high low important " +
      "priority status owner assignee reporter")
  ).split(" "),
);

/**
 * Whole sentences that say why or for whom a workflow is wanted and nothing it could act on
 * ("People keep missing them.", "This is for the service desk."): no word of structure, time,
 * quantity, negation or action, nothing quoted, no number, channel or address, and no word the
 * tenant's catalog uses (a tool, field or value name). Each is returned, as written, to be shown
 * in the plan as context; anything else stays unread and is refused.
 */
export function contextSentences(
  leftover: string[],
  request: string,
  catalogWords: ReadonlySet<string>,
): string[] | undefined {
  const sentences = request
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (sentences.length < 2) return undefined;
  const found: string[] = [];
  for (const run of leftover) {
    const bare = (s: string) => s.replace(/^[\s.!?,;:]+|[\s.!?,;:]+$/g, "");
    const sentence = sentences.find((s) => bare(s) === bare(run));
    if (!sentence) return undefined;
    if (/["'`#@\d:;(){}[\]<>/]/.test(sentence.replace(/\b(?:[a-z]+)'(?:s|t|re|ve|ll|d|m)\b/gi, ""))) return undefined;
    const words = sentence.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
    if (words.length === 0 || words.length > 14) return undefined;
    if (
      words.some(
        (w) =>
          MEANINGFUL.has(w) ||
          MEANINGFUL.has(w.replace(/'s$/, "")) ||
          catalogWords.has(w) ||
          catalogWords.has(w.replace(/s$/, "")),
      )
    )
      return undefined;
    found.push(sentence);
  }
  return found;
}
