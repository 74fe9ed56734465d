/**
 * A plain-language request → a plan, without a model. It reads, in this order: the trigger (a
 * schedule, a webhook, a resource event such as "when a P1 incident is opened" or "when a user is
 * added to group X"), what the workflow works on (an incident or user the caller names, every
 * member of a group, each item of a list), the conditions, fallbacks and once-per-period limits,
 * and the actions. Every phrase it reads becomes a clause of the plan naming the steps that carry
 * it out; a word it could not read is a refusal naming it, never a dropped clause.
 */
import { rx } from "../../core/rx.ts";
import { PlannerDeclined } from "../../core/errors.ts";
import {
  type Condition,
  EVENT_LIST,
  walkSteps,
  type PlanStep,
  type PlanTrigger,
  type PlanValue,
  type WorkflowPlan,
} from "../../core/plan.ts";
import { eventItems } from "../plan/evaluate.ts";
import { type PlanTool, propertyOf } from "../plan/tools.ts";
import { itemFields, personFields } from "./fields.ts";
import {
  type ActionSpec,
  type Context,
  enumValues,
  type Item,
  personOf,
  readActions,
  readUserByInput,
  readSubjectList,
} from "./actions.ts";
import { PlanBuilder } from "./builder.ts";
import { type CatalogView, type ListSource, plural, singular, words } from "./catalog.ts";
import { readListPhrase, wordCondition } from "./filters.ts";
import { FILLER } from "../plan/check.ts";
import { RequestText } from "./request-text.ts";
import { readDeclaredInputs } from "./inputs.ts";
import { readSchedule } from "./schedule.ts";
import {
  applyExclusions,
  contextSentences,
  countOnlyCalls,
  imperativeAfter,
  takeCountOnly,
  takeExclusions,
  takeFraming,
  takeManual,
  takeReasons,
} from "./asides.ts";

export type LiveReads = {
  /** The resource's current content as text (read-only), or undefined when it cannot be read. */
  readResource: (integration: string, uri: string) => Promise<string | undefined>;
};

/**
 * Where actions go: `block`, with what it knows (`context`). Inside a loop the request wrote
 * ("for every member of x, …"), `loop` says where the loop sits, so an action that does not speak
 * of the loop's item ("… and post 'done' to #it-ops") runs once, before or after it, not once per item.
 */
type Frame = {
  block: PlanStep[];
  context: Context;
  main?: string;
  loop?: { outer: PlanStep[]; start: number; scope: string[]; each: string; end: number };
  event?: boolean;
  guard?: string;
};

export async function planRequest(request: string, catalog: CatalogView, live: LiveReads): Promise<WorkflowPlan> {
  const text = new RequestText(request);
  normalize(text);
  // How it is asked ("Could you …", "a workflow that posts …"), and whether by hand.
  const framing = takeFraming(text);
  const manual = takeManual(text);
  // "Offboard an employee by email: …": the caller gives the email, and the workflow promises a disabled account.
  const offboard = rx()`
      ^\s*(?:offboard(?:ing)?|deprovision)\s+(?:an?|the)\s+(?:employee|user|person|leaver|
      staff\s+member)\s+(?:by|from)\s+(?:their\s+)?(?<by>email(?:\s+address)?|user\s+id)\b`.exec(text.lower);
  const offboardSaid = offboard
    ? text.verbatim.slice(offboard.index, offboard.index + offboard[0].length).trim()
    : undefined;
  if (offboard)
    text.substitute(
      offboard.index,
      offboard.index + offboard[0].length,
      /user/.test(offboard.groups?.["by"] ?? "") ? "given a user id" : "given an email",
    );
  const builder = new PlanBuilder();
  const top: PlanStep[] = [];

  // 1. The trigger ("Check hourly: …", "Run this every day at 9: …" say when it runs, too).
  const runWord = text.takeOne(
    rx()`
      (?:^|(?<=[.;,]\s{0,3})|(?<=\b(?:that|which)\s{1,3}))\s*(?:check(?:ing)?|
      run(?:ning)?(?:\s+(?:this|it))?|do\s+(?:this|it))\b(?=\s+(?:hourly|daily|nightly|weekly|
      every\b|each\b|at\b|on\b))`,
    "trigger",
  );
  let trigger: PlanTrigger = { type: "manual" };
  let frame: Frame = { block: top, context: { takesInput: true } };
  const schedule = readSchedule(text);
  if (schedule && "question" in schedule)
    throw new PlannerDeclined("needs-input", schedule.said, schedule.question, schedule.options);
  if (schedule) {
    trigger = schedule.trigger;
    frame.context.takesInput = false;
    builder.clause(schedule.said, "trigger");
  }
  if (runWord) {
    if (!schedule) throw new PlannerDeclined("refused", text.originalOf(runWord), "it says to run, and not when");
    builder.clause(text.originalOf(runWord), "trigger");
  }
  const webhook = schedule
    ? undefined
    : text.takeOne(
        rx()`
          (?:^|(?<=[.;:]\s{0,3}))\s*(?:a\s+|the\s+|our\s+)?webhook\s+(?:from|by|for)\s+(?:our\s+|
          the\s+)?[a-z0-9'-]+(?:\s+(?:system|tool|service|platform))?\b|\b(?:create|set\s+up|make|
          add|expose|build|give\s+(?:me|us))\s+(?:a|an)\s+(?:new\s+)?webhook(?:\s+for\s+(?:our\s+|
          the\s+)?(?:[a-z0-9'-]+\s+){0,2}(?:system|tool|service|platform|monitor|monitoring|app|form|
          pipeline|portal)\b)?(?:\s+(?:that|which)(?=\s+(?:takes|receives|accepts|gets)\b))?|(?:^|
          (?<=[.;:]\s{0,3}))\s*(?:a|the)\s+webhook(?=\s+(?:that\s+)?(?:receives|gets|accepts|
          takes)\b)|\b(?:(?:from|via|on|when|whenever|after|each time|
          every time)\s+(?:[a-z'-]+\s+){0,10}?webhook(?:\s+(?:call|request|
          event))?(?:\s+(?:is\s+)?(?:called|arrives|fires|comes in|is received|is posted|
          hits(?:\s+us)?))?|(?:a|the)\s+webhook\s+(?:that\s+)?(?:arrives|is called|fires))\b`,
        "trigger",
      );
  // An outside system that calls in ("when our monitoring system sends an alert") can only reach a workflow by its
  // webhook.
  const called =
    schedule || webhook
      ? undefined
      : text.takeOne(
          new RegExp(
            `\\b(?:when|whenever|each time|every time|as soon as|if|once)\\s+(?:(?:our|the|an?|` +
              `any)\\s+)?(?:[a-z0-9'-]+\\s+){0,2}?(?:${SYSTEMS})\\s+(?:calls?|sends?|posts?|fires?|` +
              `triggers?|raises?|hits?|pings?|reports?|notifies|alerts?|detects?|flags?)(?:\\s+(?:us|` +
              `charter|in|(?:to\\s+)?(?:the|our|a)\\s+webhook|(?:an?|the)\\s+(?:alert|notification|` +
              `event|webhook)))?\\b|\\b(?:when|whenever|each time|every time|as soon as|if|` +
              `once)\\s+(?:an?|the)\\s+(?:new\\s+)?(?:alert|monitoring alert|alarm|` +
              `notification)\\s+(?:comes in|arrives|is received|fires|is raised|` +
              `is sent)(?:\\s+from\\s+(?:(?:our|` +
              `the)\\s+)?(?:[a-z0-9'-]+\\s+){0,2}?(?:${SYSTEMS}))?\\b|\\bwhen(?:ever)?\\s+(?:we|` +
              `charter)\\s+(?:receive|get)\\s+(?:an?|the)\\s+(?:alert|webhook|` +
              `notification)(?:\\s+from\\s+(?:(?:our|` +
              `the)\\s+)?(?:[a-z0-9'-]+\\s+){0,2}?(?:${SYSTEMS}))?\\b`,
          ),
          "trigger",
        );
  // "Monitoring calls our webhook …", "The HR system will POST … to a webhook": said as a fact, at a sentence's start.
  const calls =
    schedule || webhook || called
      ? undefined
      : text.takeOne(
          new RegExp(
            `(?:^|(?<=[.;:]\\s{0,3}))\\s*(?:(?:our|the|a|` +
              `an)\\s+)?(?:[a-z0-9'-]+\\s+){0,2}?(?:${SYSTEMS}|system|vendor|service|tool|form|portal|` +
              `app|script|bot|integration|platform)\\s+(?:will\\s+|can\\s+|may\\s+)?(?:calls?|sends?|` +
              `posts?|hits?|pings?)\\s+(?:(?:to\\s+)?(?:our|a|the)\\s+)?(?:webhook|us|` +
              `(?<example>\\{[^{}]*\\})\\s+to\\s+(?:our|a|the)\\s+webhook)\\b(?:\\s+(?:when|whenever|` +
              `every time|each time|before|after)\\s+[^,.;{}]+?(?=\\s*(?:[,.;]|$)|\\s+with\\s+))?`,
          ),
          "trigger",
        );
  if (webhook || called || calls) {
    const found = (webhook ?? called ?? calls) as RegExpExecArray;
    trigger = { type: "webhook" };
    // "a webhook that takes an email … and adds that user …": what it does, as instructions.
    imperativeAfter(text, found.index);
    // "… will call a webhook with email when someone leaves": when the caller calls, said after what it sends.
    for (const m of text.take(
      rx()`
        (?<=\bwebhook\b(?:\s+with\s+(?:the\s+)?[a-z_]+(?:\s*(?:,|and)\s*[a-z_]+)*)?)\s+(?:when|
        whenever|each time|every time)\s+(?:someone|somebody|a user|an employee|a person|an alert|
        a deploy|a deployment|a [a-z]+)\s+[^,.;]+`,
      "trigger",
    ))
      builder.clause(text.originalOf(m), "trigger");
    builder.clause(text.originalOf(found), "trigger");
  }
  if (!schedule && !webhook && !called && !calls) {
    const event = await readEventTrigger(text, catalog, builder, live, top);
    if (event) {
      trigger = event.trigger;
      frame = event.frame;
    }
  }
  // "For every new P1 incident, page …. Every morning at 9, post …": two triggers are two workflows.
  if (schedule || webhook || called || calls) {
    const second = rx()`
        (?:^|[.;]\s*)\s*(?:for|on)\s+(?:every|each|any)\s+new(?:ly\s+(?:opened|
        created))?\s+[a-z0-9 -]+?(?=\s*[,:])`.exec(text.lower);
    const first = schedule ? text.spans.find((s) => s.by === "schedule") : text.spans.find((s) => s.by === "trigger");
    const sentenceOf = (at: number) => (text.lower.slice(0, at).match(/[.;]/g) ?? []).length;
    if (second && first && sentenceOf(second.index + second[0].length) !== sentenceOf(first.start))
      throw new PlannerDeclined(
        "refused",
        text.verbatim.slice(second.index, second.index + second[0].length).replace(/^[.;\s]+/, ""),
        "this request names two triggers (a new item arriving, and a schedule or webhook): make " +
          "two workflows, one for each",
      );
  }
  // A "when …" no trigger reader took is no trigger of this tenant: remembered, and named with anything else left over.
  const problems: PlannerDeclined[] = [];
  const when = /\b(?:when|whenever|as soon as|each time|every time)\b[^,;.]*/.exec(text.lower);
  if (when && text.has(/\b(?:when|whenever|as soon as|each time|every time)\b/)) {
    const resources = catalog.resources.slice(0, 6).map((r) => `${r.uri} (${(r.description || r.name).slice(0, 80)})`);
    problems.push(
      new PlannerDeclined(
        "refused",
        text.verbatim.slice(when.index, when.index + when[0].length).trim(),
        `no trigger of this tenant matches it; a workflow can start on a schedule, a webhook, by ` +
          `hand, or on these resource events: ${resources.join("; ") || "none"}`,
      ),
    );
    text.mark(when.index, when.index + when[0].length, "unmatched-trigger");
  }

  // The inputs the request names ("given an incident id and a note", "a body containing title and service").
  if (frame.context.takesInput) {
    builder.declared = readDeclaredInputs(text);
    for (const said of builder.declared.said) builder.clause(said, "trigger");
    // "(severity is critical or warning)": what values an input takes.
    const fields = builder.declared.names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    if (fields)
      for (const m of text.take(
        new RegExp(
          `\\(\\s*\`?(?:${fields})\`?\\s+(?:is|can be|will be|` +
            `is either)\\s+(?:either\\s+)?["']?[a-z0-9_-]+["']?(?:\\s*(?:,|` +
            `or)\\s*["']?[a-z0-9_-]+["']?)*\\s*\\)`,
        ),
        "inputs",
      ))
        builder.clause(text.originalOf(m), "trigger");
  }
  // "For each call, …": a webhook's workflow runs once per call.
  if (trigger.type === "webhook")
    for (const m of text.take(
      rx()`
        \b(?:for|on)\s+(?:each|every)\s+(?:such\s+)?(?:call|request|alert|event|webhook call|
        notification|delivery|update|post)\b,?`,
      "trigger",
    ))
      builder.clause(text.originalOf(m), "trigger");

  // An onboarding header ("New starter:") says what the actions after it are for.
  const header = text.takeOne(
    rx()`
      ^\s*(?:onboard(?:ing)?\s+(?:a\s+|the\s+)?)?new\s+(?:starter|hire|joiner|employee|
      user)\s*(?:onboarding\s*)?(?:[:.]|(?=\s+(?:given|with|taking)\b)|$)`,
    "header",
  );
  // A label before the request ("Escalation button:", "Offboarding:"): a name for what follows, never a step of its
  // own.
  const label = header
    ? undefined
    : text.takeOne(
        rx()`
          ^\s*(?<label>(?:[a-z0-9-]+\s+){0,3}(?:button|workflow|automation|runbook|flow|routine|
          procedure|process|job|escalation|offboarding|onboarding|leaver|joiner))\s*(?:[:.]|
          ,(?=\s+(?:run|triggered|started)\b))(?=\s)`,
        "header",
      );

  // 2. What the workflow works on.
  frame = await readSubject(text, catalog, builder, frame);

  // 3. Modifiers: once per period, fallbacks, conditions.
  const once = text.takeOne(
    rx()`
      ,?\s*\b(?:(?:only|at most|no more than|max(?:imum)?)\s+once\s+(?:per|an?|each|every)|
      once\s+per|(?:but\s+)?(?:don't|do not|never)\s+(?:post|send|page|notify|alert|do)(?:\s+(?:that|
      this|it|the)\s*(?:[a-z-]+)?)?\s+more\s+than\s+once\s+(?:per|an?|each|every))\s+(?<period>hour|
      day|week)\b`,
    "once",
  );
  // "…: if it already went out today, skip it" says the same again.
  const onceAgain = once
    ? text.takeOne(
        rx()`
          [:;,]?\s*(?:if|when)\s+(?:it|that|one)\s+(?:has\s+)?(?:already\s+)?(?:went|gone|was sent|
          was posted|ran|happened|fired)(?:\s+out)?\s+(?:already\s+)?(?:today|this\s+(?:hour|
          week))(?:\s+already)?,?\s*(?:skip|don't|do not)(?:\s+(?:it|send|post|again))*\b`,
        "once",
      )
    : undefined;
  const fallbacks = text.take(
    rx()`
      \b(?:if|when)\s+(?:(?<what>paging|the page|posting|the post|sending|the message|the dm|that|it|
      this)(?:\s+(?:to|in)\s+(?:the\s+)?(?:channel|
      #[a-z0-9][a-z0-9_-]*))?\s+(?:fails?(?:\s+for\s+any\s+reason)?|doesn't go through|
      does not go through|is not delivered|errors?(?:\s+out)?|bounces)|(?<nobody>(?:nobody|no one|
      no-one|noone)\s+is\s+on[- ]?call|there\s+is\s+no(?:body|
      \s+one)?\s+on[- ]?call(?:\s+(?:engineer|person))?|
      the\s+on[- ]?call\s+lookup\s+fails)(?:\s+(?:for|in|
      on)\s+(?:the\s+)?(?:rotation\s+)?[a-z0-9][\w-]*(?:\s+rotation)?)?|(?<nomanager>(?:they|
      the user|the employee|he|she|the person|the member)\s+(?:has|have|doesn't have|
      does not have)\s+(?:no|a)\s+manager(?:\s+(?:on file|recorded|set|in the directory))?))(?:\b|
      (?<=\)))(?:\s*\((?:say|e\.g\.?|for example|like|such as|i\.e\.?)\s[^()]*\))?,?\s*(?:then\s+)?`,
    "fallback",
  );
  const insteads = text.take(/\s*\binstead\b/, "fallback");
  // "Never page twice for the same incident": each item once ever.
  const onceEach = text.takeOne(
    rx()`
      [,.;]?\s*(?:but\s+)?\b(?:never|don't|do not)\s+(?:page|post|send|notify|alert|dm|message|ping|
      do\s+(?:it|this|that))(?:\s+(?:anyone|them|it))?\s+(?:twice|more\s+than\s+once|again)\s+(?:for|
      about|on)\s+the\s+same\s+(?<noun>[a-z]+)\b|[,.;]?\s*(?:but\s+)?\bnever\s+(?:paging|posting|
      sending|notifying|alerting)\s+(?:about\s+)?the\s+same\s+(?<noun2>[a-z]+)\s+twice\b|
      [,.;]?\s*(?:but\s+)?\bnever\s+(?:twice|more\s+than\s+once)\s+(?:for|about|
      on)\s+the\s+same\s+(?<noun5>[a-z]+)\b|[,.;]?\s*(?:but\s+)?\b(?:never|don't|do not)\s+(?:page|
      post|send|notify|alert|dm|message|ping|report|announce|flag|
      mention)\s+(?:about\s+)?the\s+same\s+(?<noun4>[a-z]+)\s+(?:twice|more\s+than\s+once|again)\b|
      [,.;]?\s*\b(?:only\s+)?once\s+(?:per|for\s+each|for\s+every)\s+(?<noun3>incident|ticket|user|
      person|member)\b`,
    "once",
  );
  const conditions = readConditions(text, catalog, builder, frame);
  // "Ignore everything else.": what the filters already leave out (checked once the plan's lists are known).
  const ignoreRest = text.take(
    /(?:^|(?<=[.;]\s{0,3}))\s*(?:just\s+)?(?:ignore|skip|drop)\s+(?:everything|anything|all)\s+else\s*(?=[.;]|$)/,
    "rest",
  );
  // "If 3 or fewer, do nothing.", "Otherwise, do nothing": the other side of a condition is empty, as it is by default.
  const nothing = text.take(
    rx()`
      [,;.]?\s*\b(?:otherwise|else|if not|(?:and\s+)?for\s+(?:anything|everything|all)\s+else|
      for\s+the\s+rest|for\s+(?:all\s+|any\s+)?other\s+[a-z]+|if\s+(?:\d+|that many|
      there are \d+)\s+or\s+(?:fewer|less|more)(?:\s+[a-z0-9]+)*?|if\s+(?:there\s+are\s+none|
      there\s+aren't\s+any|there\s+are\s+no\s+such\s+[a-z]+|none\s+(?:are\s+)?found|
      nothing\s+(?:is\s+)?found))\s*,?\s+(?:just\s+)?(?:do\s+nothing|don't do anything|
      nothing happens|leave it|ignore it|ignore them|(?:don't|do\s+not)\s+(?:page|post|send|dm|
      message|notify|alert|ping)(?:\s+(?:anyone|anybody|anything))?)\b`,
    "otherwise",
  );
  const otherwise = text.take(
    rx()`
      [,;]?\s*\b(?:otherwise|else|if not|(?:and\s+)?for\s+(?:anything|everything|all|any)\s+(?:else|
      others?|other\s+(?:priorities|priority|ones|incidents|tickets))|for\s+the\s+rest|(?:anything|
      everything)\s+else)\b,?(?:\s+just\b)?`,
    "otherwise",
  );

  /**
   * "Ignore everything else", "leave other priorities alone": what the plan's filters leave out
   * already; refused when nothing filters.
   */
  const leftOutByFilters = (said: string, unfiltered: string) => {
    const lists = top.filter((s) => s.kind === "list" && s.where.length > 0).map((s) => s.id);
    if (lists.length === 0) throw new PlannerDeclined("refused", said, unfiltered);
    builder.clause(said, ...lists);
  };
  for (const m of ignoreRest)
    leftOutByFilters(
      text.originalOf(m),
      "it speaks of everything else to ignore, and nothing in the plan picks some out",
    );
  // "it also sends other actions such as "mover", which we ignore": said of a condition on what the webhook passes.
  const ignored = text.take(
    rx()`
      [;,.]?\s*(?:it|they|the system|monitoring)?\s*(?:also\s+)?(?:sends?|posts?|has|
      can send)\s+other\s+[a-z_]+s?(?:\s*\((?:such as|like|e\.g\.)[^)]*\)|\s*,?\s+(?:such as|
      like)\s+"[^"]*"(?:\s*(?:,|or|and)\s*"[^"]*")*)?,?\s+which\s+(?:we|you|it|
      the workflow)\s+(?:should\s+|can\s+)?(?:ignore|skip|do nothing with)\b`,
    "rest",
  );

  // "Leave other priorities alone", "changes to other groups don't matter": the filters already read say so.
  for (const m of text.take(
    rx()`
      (?:^|(?<=[.;]\s*))\s*(?:(?:just\s+)?(?:leave|ignore|skip)\s+(?:all\s+)?(?:the\s+)?(?:other|
      any other|the other|remaining)\s+[a-z ,-]+?(?:\s+alone)?|
      (?:changes\s+to\s+)?(?:all\s+)?(?:other|any other)\s+[a-z ,-]+?\s+(?:don't|do not|doesn't|
      does not)\s+matter|(?:everything|anything)\s+else\s+(?:can\s+be\s+ignored|is\s+ignored|
      doesn't matter|does not matter)|(?:just\s+)?(?:ignore|skip)\s+(?:everything|anything|
      all)\s+else|(?:just\s+)?(?:ignore|skip)\s+(?:the\s+rest|
      (?:all\s+)?(?:the\s+)?others))\s*(?=[.;]|$)`,
    "rest",
  ))
    leftOutByFilters(text.originalOf(m), "it speaks of others to leave alone, and nothing in the plan picks some out");

  // "Open means anything that isn't resolved or closed": a definition, checked against the filters once they are built.
  const definitions = text.take(
    rx()`
      (?:^|(?<=[.;:]\s{0,3})|
      \s*\((?=[^()]*\)))\s*(?:and\s+)?["']?(?<word>[a-z][a-z -]{0,20}?)["']?\s+(?:means|meaning|=|
      i\.e\.)\s+(?:(?:anything|everything|any\s+[a-z]+|all\s+[a-z]+|[a-z]+s)\s+(?:that|
      which)\s+)?(?<neg>isn't|is not|aren't|are not|
      not)?\s*(?:in\s+)?(?:status\s+)?(?<values>[a-z_ -]+?(?:\s*(?:,|\bor\b|\band\b|
      \bnor\b)\s*[a-z_ -]+?)*)\s*(?:\)|(?=[.;]|$))`,
    "definition",
  );
  // "open (anything not resolved or closed)": the same, for the word before the parenthesis.
  const glosses = text.take(
    rx()`
      \s*\(\s*(?:i\.e\.\s*|so\s+)?(?:anything|everything|any\s+[a-z]+|all\s+[a-z]+|[a-z]+s|
      ones)\s+(?:that(?:'s|\s+is|\s+are)?\s+|which\s+(?:is|are)\s+)?(?<neg>isn't|is not|aren't|
      are not|not)\s+(?:yet\s+)?(?:in\s+)?(?:status\s+)?(?<values>[a-z_ -]+?(?:\s*(?:,|\bor\b|
      \bnor\b)\s*[a-z_ -]+?)*)\s*\)`,
    "definition",
  );
  // Read aside, so what it glosses reads on past it ("how many are open (anything not closed) to #c").
  definitions.push(...glosses);
  for (const aside of definitions.filter((d) => d[0].trimStart().startsWith("(")))
    text.substitute(aside.index, aside.index + aside[0].length, "");

  // "After closing, post …": what comes next, said of the action after it.
  const sequence = text.take(
    rx()`
      \b(?:after|once)\s+(?:closing|that|doing\s+(?:that|so)|it'?s?\s+(?:closed|done)|that's\s+done|
      it\s+is\s+(?:closed|done))\b,?|(?<!\bnow\s+and\s+)\b(?:then|next|finally|afterwards),`,
    "sequence",
  );

  // Why it is wanted ("so the standup has them"), and what it restates ("Skip closed ones").
  const reasons = takeReasons(text);
  const exclusions = takeExclusions(text);
  const countOnly = takeCountOnly(text);

  // "look the person up in the directory": the read the steps about them make; checked once they exist.
  const lookups = text.take(
    rx()`
      \blook\s+(?:up\s+)?(?:them|him|her|the\s+(?:person|user|reporter|assignee|manager|contact|
      employee|new\s+hire))(?:\s+up)?(?:\s+(?:in|from)\s+the\s+directory|
      \s+by\s+(?:their\s+)?(?:email|name))?\b\s*,?(?:\s*(?:and|then)\b)?`,
    "lookup",
  );

  // "Put the incident number in the message.", "Include their name and department.": more for the message before it.
  const includes = text.take(
    rx()`
      (?:^|(?<=[.;]\s{0,3}))\s*(?:please\s+)?(?:include|add|put|mention)\s+(?<what>[^.;"]+?)\s+(?:in|
      into|to)\s+(?:the|that|this|each|every)\s+(?:message|post|page|dm|note|comment|
      notification)s?\s*(?=[.;]|$)|(?:^|(?<=[.;]\s{0,3}))\s*(?:please\s+)?(?:include|
      mention)\s+(?<what2>[^.;"]+?)\s*(?=[.;]|$)`,
    "include",
  );

  // 4. The actions, then nothing may be left over.
  const actions = readActions(text, catalog, builder);
  // "People keep missing them.": a sentence that says why, and nothing the workflow could act on, is context.
  const leftover = text.leftover();
  const context =
    leftover.length > 0 && problems.length === 0
      ? contextSentences(leftover, request, catalogWords(catalog))
      : undefined;
  const left = context ? [] : leftover;
  if (left.length > 0) problems.push(notUnderstood(left, catalog));
  if (problems.length > 0) throw combined(problems);
  if (actions.length === 0)
    throw new PlannerDeclined("refused", request, "it names no action that a tool of this tenant can do");

  // 5. Assembly: actions in the order written, each inside the branch, fallback or limit that governs it.
  // A sentence ends at "." or ";", except a ";" that goes on with "otherwise".
  const sentenceEnd = (at: number) => {
    const match = /[.;](?!\s*(?:otherwise|else|if not)\b)\s/g;
    match.lastIndex = at;
    const found = match.exec(text.lower);
    return found ? found.index : text.lower.length;
  };
  const onCallLookups = new Set<ActionSpec>();
  const managerLookups = new Set<ActionSpec>();
  const lookupsWithFallback = new Set<Extract<PlanStep, { kind: "call" }>>();
  const role = new Map<
    ActionSpec,
    { kind: "then" | "otherwise"; condition: number } | { kind: "fallback"; of: ActionSpec }
  >();
  // "if it's a P1, …; if it's a P2, …; for anything else, …": an "otherwise" in a sentence of its own belongs to
  // the last condition before it.
  const claimed = new Set<RegExpExecArray>();
  for (const condition of conditions) {
    const o = otherwise.find((x) => x.index > condition.end && x.index < sentenceEnd(condition.end));
    if (o) claimed.add(o);
  }
  const orphanOf = new Map<number, RegExpExecArray>();
  for (const o of otherwise) {
    if (claimed.has(o)) continue;
    const owner = [...conditions.entries()].filter(([, c]) => c.leading && c.end < o.index).pop();
    if (owner) orphanOf.set(owner[0], o);
  }
  for (const [index, condition] of conditions.entries()) {
    const orphan = orphanOf.get(index);
    const end = orphan ? sentenceEnd(orphan.index + orphan[0].length) : sentenceEnd(condition.end);
    const otherwiseAt = orphan
      ? orphan.index
      : (otherwise.find((o) => o.index > condition.end && o.index < end)?.index ?? end);
    const thenEnd = orphan ? sentenceEnd(condition.end) : otherwiseAt;
    if (condition.leading) {
      for (const action of actions) {
        if (action.start > condition.end && action.start < thenEnd)
          role.set(action, { kind: "then", condition: index });
        else if (action.start >= otherwiseAt && action.start < end)
          role.set(action, { kind: "otherwise", condition: index });
      }
    } else {
      const before = actions.filter((a) => a.end <= condition.start).pop();
      if (!before) throw new PlannerDeclined("refused", condition.said, "it does not say what to do when this holds");
      role.set(before, { kind: "then", condition: index });
      for (const action of actions)
        if (action.start >= otherwiseAt && action.start < end && action.start > condition.end)
          role.set(action, { kind: "otherwise", condition: index });
    }
  }
  for (const fallback of fallbacks) {
    const what = fallback.groups?.["what"] ?? "";
    const kinds = /pag/.test(what)
      ? ["page"]
      : /post/.test(what)
        ? ["post"]
        : /send|message/.test(what)
          ? ["message", "post"]
          : [];
    // "if nobody is on call": the failure is the on-call lookup's, of the last action that needed it.
    const failing = fallback.groups?.["nobody"]
      ? actions.filter((a) => a.end <= fallback.index && /on[- ]?call|on call/.test(a.said.toLowerCase())).pop()
      : fallback.groups?.["nomanager"]
        ? actions.filter((a) => a.end <= fallback.index && /manager/.test(a.said.toLowerCase())).pop()
        : actions.filter((a) => a.end <= fallback.index && (kinds.length === 0 || kinds.includes(a.kind))).pop();
    if (!failing)
      throw new PlannerDeclined("refused", fallback[0], "it does not say which step's failure this is about");
    const end = insteads.find((i) => i.index > fallback.index)?.index ?? sentenceEnd(fallback.index);
    const instead = actions.filter((a) => a.start >= fallback.index && a.start <= end);
    if (instead.length === 0) throw new PlannerDeclined("refused", fallback[0], "it does not say what to do instead");
    for (const action of instead) role.set(action, { kind: "fallback", of: failing });
    if (fallback.groups?.["nobody"]) onCallLookups.add(failing);
    if (fallback.groups?.["nomanager"]) managerLookups.add(failing);
  }

  const body: PlanStep[] = [];
  const built = new Map<ActionSpec, PlanStep[]>();
  /** The ids of a fallback's second copy (run when nobody is on call to page), by action. */
  const copies = new Map<ActionSpec, string[]>();
  const beforeLoop: PlanStep[] = [];
  const afterLoop: PlanStep[] = [];
  let loopActions = false;
  const branches = conditions.map((c) => ({
    step: {
      kind: "if",
      id: builder.id("check"),
      condition: { value: { kind: "const", value: null }, op: "empty" },
      then: [],
      otherwise: [],
    } as Extract<PlanStep, { kind: "if" }>,
    placed: false,
    spec: c,
  }));
  const resolved = new Set<number>();
  // What the workflow knew when each condition was read: the "otherwise" side starts from there, not from what the
  // other side changed.
  const before = new Map<number, Pick<Context, "item" | "person">>();
  const entered = new Set<number>();
  /** The condition whose branch made each step: what it made is seen only inside that branch. */
  const madeIn = new Map<string, number>();
  for (const action of actions) {
    const steps: PlanStep[] = [];
    // A condition speaks of things as they are before the actions it governs ("if it's unassigned, assign it …").
    const governed = role.get(action);
    // What a branch made is not there outside it: "if it's for vpn, assign it …; if it's for email, …" speaks of
    // the incident as it came.
    const inside = (id: string | undefined) => (id === undefined ? undefined : madeIn.get(id));
    const made =
      inside(frame.context.item?.step) ??
      inside(frame.context.person?.email.kind === "ref" ? frame.context.person.email.step : undefined);
    if (made !== undefined && made !== (governed && governed.kind !== "fallback" ? governed.condition : undefined)) {
      const known = before.get(made);
      if (known) Object.assign(frame.context, known);
    }
    if (governed && governed.kind !== "fallback" && !resolved.has(governed.condition)) {
      const branch = branches[governed.condition];
      if (branch) branch.step.condition = branch.spec.resolve(frame.context);
      resolved.add(governed.condition);
      before.set(governed.condition, { item: frame.context.item, person: frame.context.person });
    }
    if (governed?.kind === "otherwise" && !entered.has(governed.condition)) {
      entered.add(governed.condition);
      const known = before.get(governed.condition);
      if (known) Object.assign(frame.context, known);
    }
    // "…, page Li Wen instead": with what the step it replaces would have said.
    if (role.get(action)?.kind === "fallback") frame.context.insteadText = frame.context.lastText;
    const ids = action.build(frame.context, steps);
    if (governed && governed.kind !== "fallback")
      for (const { step } of walkSteps(steps)) madeIn.set(step.id, governed.condition);
    frame.context.insteadText = undefined;
    builder.clause(action.said, ...ids);
    for (const m of includes) {
      // The message an "include …" sentence adds to: the last one written before it.
      const before = actions
        .filter((a) => a.end <= m.index && ["post", "message", "page", "comment"].includes(a.kind))
        .pop();
      if (before === action)
        builder.clause(
          text.originalOf(m),
          addToMessage(steps, m.groups?.["what"] ?? m.groups?.["what2"] ?? "", frame.context, text.originalOf(m)),
        );
    }
    built.set(action, steps);
    const placement = role.get(action);
    if (placement?.kind === "fallback") {
      const calls = [...walkSteps([...(built.get(placement.of) ?? []), ...body, ...top])]
        .map(({ step }) => step)
        .filter((s): s is Extract<PlanStep, { kind: "call" }> => s.kind === "call");
      const lookup = onCallLookups.has(placement.of)
        ? calls.find((s) => s.tool === catalog.onCall()?.tool.key)
        : managerLookups.has(placement.of)
          ? calls.find((s) => /^manager\d*$/.test(s.id))
          : undefined;
      const target =
        lookup ??
        (built.get(placement.of) ?? [])
          .filter((s): s is Extract<PlanStep, { kind: "call" }> => s.kind === "call")
          .pop();
      if (!target)
        throw new PlannerDeclined(
          "refused",
          action.said,
          onCallLookups.has(placement.of) ? "no step asks who is on call" : "the step it replaces makes no tool call",
        );
      target.onFailure = [...(target.onFailure ?? []), ...steps];
      if (lookup) lookupsWithFallback.add(lookup);
      // "If paging fails, post … instead": finding nobody on call to page is paging failing too.
      const finder = lookup
        ? undefined
        : calls.find((s) => s.tool === catalog.onCall()?.tool.key && s !== target && mentions([target], [s.id]));
      if (finder && placement.of.kind === "page") {
        const copy = copySteps(steps, builder);
        finder.onFailure = [...(finder.onFailure ?? []), ...copy];
        lookupsWithFallback.add(finder);
        copies.set(action, [...(copies.get(action) ?? []), ...copy.map((c) => c.id)]);
      }
      continue;
    }
    if (placement) {
      const branch = branches[placement.condition];
      if (!branch) continue;
      branch.step[placement.kind].push(...steps);
      if (!branch.placed) {
        if (!resolved.has(placement.condition)) branch.step.condition = branch.spec.resolve(frame.context);
        body.push(...branch.spec.before, branch.step);
        branch.placed = true;
        builder.clause(branch.spec.said, branch.step.id, ...branch.spec.before.map((s) => s.id));
      }
      continue;
    }
    if (
      frame.loop &&
      /\bthen\b|[.;]|\bafterwards\b|\bat the end\b/.test(text.lower.slice(frame.loop.end, action.start)) &&
      !mentions(steps, [...frame.loop.scope, ...stepIds(body)])
    ) {
      (loopActions ? afterLoop : beforeLoop).push(...steps);
      continue;
    }
    loopActions = true;
    body.push(...steps);
  }
  // "if it's a P1, …; if it's a P2, …": conditions on the same field, one after the other, are one choice (else-if).
  for (let k = 0; k < body.length - 1; k++) {
    const first = body[k];
    const next = body[k + 1];
    if (first?.kind !== "if" || next?.kind !== "if" || first.otherwise.length > 0) continue;
    if (!branches.some((b) => b.step === first) || !branches.some((b) => b.step === next)) continue;
    const onField = (c: Condition) => c.value.kind === "ref" && ["eq", "in"].includes(c.op) && c.against === undefined;
    if (
      !onField(first.condition) ||
      !onField(next.condition) ||
      JSON.stringify(first.condition.value) !== JSON.stringify(next.condition.value)
    )
      continue;
    first.otherwise = [next];
    body.splice(k + 1, 1);
    k--;
  }
  for (const branch of branches)
    if (!branch.placed) throw new PlannerDeclined("refused", branch.spec.said, "no action depends on this condition");
  // An "otherwise" that no condition took would leave its actions unconditional: never.
  for (const o of otherwise) {
    const governed = actions.some((a) => a.start >= o.index + o[0].length && role.get(a)?.kind === "otherwise");
    if (!governed)
      throw new PlannerDeclined(
        "refused",
        text.verbatim.slice(o.index, o.index + o[0].length + 40).trim(),
        'the planner cannot tell which condition this "otherwise" belongs to; say it as "if …, …, ' +
          'otherwise …" in one sentence',
      );
  }
  for (const fallback of fallbacks)
    builder.clause(
      text.originalOf(fallback),
      ...actions
        .filter((a) => role.get(a)?.kind === "fallback")
        .flatMap((a) => [...(built.get(a) ?? []).map((s) => s.id), ...(copies.get(a) ?? [])]),
    );
  for (const instead of insteads) {
    // "…, post to #it-ops instead" with no "if … fails" before it means "instead of" something: not read.
    const owner = fallbacks.filter((f) => f.index < instead.index).pop();
    if (!owner)
      throw new PlannerDeclined(
        "refused",
        text.verbatim.slice(Math.max(0, instead.index - 40), instead.index + instead[0].length).trim(),
        'it does not say instead of what, or when; say "if paging fails, … instead"',
      );
    builder.clause(
      text.originalOf(instead),
      ...actions
        .filter((a) => role.get(a)?.kind === "fallback")
        .flatMap((a) => (built.get(a) ?? []).map((st) => st.id)),
    );
  }
  for (const o of otherwise) builder.clause(text.originalOf(o), ...branches.map((b) => b.step.id));
  if (header) {
    const created = actions.find((a) => a.kind === "create-user");
    if (!created)
      throw new PlannerDeclined(
        "refused",
        text.originalOf(header),
        'it announces a new user, and no step creates one; say "create their account from the input"',
      );
    builder.clause(text.originalOf(header), ...(built.get(created) ?? []).map((st) => st.id));
  }
  /**
   * Words that promise what steps of one kind do ("Offboarding:" a disabled account): covered by
   * those steps, or refused.
   */
  const promise = (said: string, kind: string | undefined, unkept: string) => {
    const keeping = kind ? actions.filter((a) => a.kind === kind) : actions;
    if (keeping.length === 0) throw new PlannerDeclined("refused", said, unkept);
    builder.clause(said, ...keeping.flatMap((a) => (built.get(a) ?? []).map((st) => st.id)));
  };
  const unkeptOffboarding = 'it says offboarding, and no step disables the account; say "disable their account"';
  if (offboardSaid)
    promise(offboardSaid, "disable", 'it says offboard, and no step disables the account; say "disable their account"');
  if (label) {
    // "Offboarding:" promises a disabled account, "Onboarding:" a created one: a label that claims what no step
    // does is refused.
    const promised = /offboarding|leaver/.test(label[0])
      ? "disable"
      : /onboarding|joiner/.test(label[0])
        ? "create-user"
        : undefined;
    promise(
      text.originalOf(label),
      promised,
      promised === "disable"
        ? unkeptOffboarding
        : 'it says onboarding, and no step creates the account; say "create their account from the input"',
    );
  }
  if (once && frame.loop)
    throw new PlannerDeclined(
      "needs-input",
      text.originalOf(once),
      `at most once per ${once.groups?.["period"] ?? "day"} for each item, or once for the whole ` +
        `workflow? Say "never twice for the same incident", or put the limit first ("at most once a ` +
        `day, …")`,
      ["for each item", "for the whole workflow"],
    );
  if (once) {
    const id = builder.id(`once per ${once.groups?.["period"] ?? "day"}`);
    const period = (once.groups?.["period"] ?? "day") as "hour" | "day" | "week";
    // The limit is on what is done when the condition holds: a check that finds nothing does not use up the period.
    const placed = branches.filter((b) => b.placed && b.step.then.length > 0);
    const allGoverned = actions.every((a) => ["then", "fallback"].includes(role.get(a)?.kind ?? ""));
    if (placed.length === 1 && placed[0] && allGoverned)
      placed[0].step.then = [{ kind: "once-per", id, period, steps: placed[0].step.then }];
    else body.push({ kind: "once-per", id, period, steps: body.splice(0) });
    builder.clause(text.originalOf(once), id);
    if (onceAgain) builder.clause(text.originalOf(onceAgain), id);
  }
  // "If there are none, do nothing": what reads the list happens only when it holds something.
  const counted = branches.some((b) => b.step.condition.value.kind === "count");
  const none = counted
    ? []
    : nothing.filter((m) =>
        rx()`
          \bif\s+(?:there\s+are\s+none|there\s+aren't\s+any|there\s+are\s+no\s+such\s+[a-z]+|
          none\s+(?:are\s+)?found|nothing\s+(?:is\s+)?found)`.test(m[0]),
      );
  const guardSays: string[] = [];
  for (const m of none) {
    const said = text.originalOf(m);
    // "Look for X and post them. If none are found, do nothing": the look already guards the actions.
    if (frame.guard) {
      guardSays.push(said);
      continue;
    }
    const at = body.findIndex((s) => s.kind === "list");
    const list = at >= 0 ? body[at] : top.find((s) => s.kind === "list");
    const rest = body.slice(at + 1);
    if (!list || rest.length === 0 || !mentions(rest, [list.id]))
      throw new PlannerDeclined(
        "refused",
        said,
        "it says what to do when there are none, and no step of the plan goes through a list",
      );
    const id = builder.id("any");
    const guarded: PlanStep = {
      kind: "if",
      id,
      condition: { value: { kind: "count", list: list.id }, op: "gt", operand: 0 },
      then: rest,
      otherwise: [],
    };
    body.splice(at + 1, body.length - (at + 1), guarded);
    builder.clause(said, id);
  }
  if (
    frame.guard &&
    !branches.some((b) => b.step.condition.value.kind === "count" && b.step.condition.value.list === frame.guard) &&
    body.length > 0
  ) {
    const id = builder.id("found");
    const guarded: PlanStep = {
      kind: "if",
      id,
      condition: { value: { kind: "count", list: frame.guard }, op: "gt", operand: 0 },
      then: body.splice(0),
      otherwise: [],
    };
    body.push(guarded);
    const looked = builder.clauses.find((c) => c.covers.includes(frame.guard ?? ""));
    if (looked) looked.covers.push(id);
    for (const said of guardSays) builder.clause(said, id);
  }
  frame.block.push(...body);
  // Steps that read who is on call run only when the lookup found someone.
  for (const lookup of lookupsWithFallback) adoptDependents(top, lookup);
  // A read that only a branch uses happens inside it ("For leavers: disable their account": a mover's email is
  // never looked up).
  for (const block of [top, frame.block]) {
    for (let k = 0; k < block.length; k++) {
      const read = block[k];
      if (
        read?.kind !== "call" ||
        read.onFailure ||
        read.then ||
        !catalog.tools.find((t) => t.key === read.tool)?.readOnly
      )
        continue;
      const users = block.slice(k + 1).filter((s) => mentions([s], [read.id]));
      const branch = users[0];
      if (users.length !== 1 || branch?.kind !== "if" || mentions([{ ...branch, then: [], otherwise: [] }], [read.id]))
        continue;
      if (mentions(branch.otherwise, [read.id]) && mentions(branch.then, [read.id])) continue;
      const side = mentions(branch.then, [read.id]) ? branch.then : branch.otherwise;
      block.splice(k, 1);
      side.unshift(read);
      k--;
    }
  }
  if (onceEach) {
    const said = text.originalOf(onceEach);
    if (frame.event) builder.clause(said, "trigger");
    else {
      const loop = frame.loop
        ? [...walkSteps(frame.loop.outer)]
            .map(({ step }) => step)
            .find(
              (s): s is Extract<PlanStep, { kind: "for-each" }> => s.kind === "for-each" && s.id === frame.loop?.each,
            )
        : undefined;
      if (!loop)
        throw new PlannerDeclined(
          "refused",
          said,
          "it says never twice for the same one, and nothing in the plan goes through them one at " +
            'a time; say "for each …" or "about each one"',
        );
      const schema = frame.context.item?.schema;
      if (!schema)
        throw new PlannerDeclined(
          "refused",
          said,
          "the planner can remember only items with fields (incidents, events) as handled, not these",
        );
      loop.once = propertyOf(schema, "id") ? ["id"] : scalarFields(schema);
      if (loop.once.length === 0)
        throw new PlannerDeclined("refused", said, "the items have no field that tells one from another");
      builder.clause(said, loop.id);
    }
  }
  for (const m of nothing) {
    if (none.includes(m)) continue;
    const branch = [...walkSteps(top)]
      .map(({ step }) => step)
      .filter((s): s is Extract<PlanStep, { kind: "if" }> => s.kind === "if" && s.otherwise.length === 0)
      .pop();
    // With no branch, "otherwise do nothing" is what a filter already does ("for the payroll service, …, otherwise
    // do nothing").
    const filtered = top.filter((s) => s.kind === "list" && s.where.length > 0).map((s) => s.id);
    if (!branch && filtered.length === 0)
      throw new PlannerDeclined(
        "refused",
        text.originalOf(m),
        "it says what to do otherwise, and no condition comes before it",
      );
    builder.clause(text.originalOf(m), ...(branch ? [branch.id] : filtered));
  }
  for (const m of lookups) {
    const readers = new Set([catalog.personBy("email")?.tool.key, catalog.personBy("id")?.tool.key].filter(Boolean));
    const reads = [...walkSteps(top)]
      .map(({ step }) => step)
      .filter(
        (st) => st.kind === "call" && (readers.has(st.tool) || /find_?users|search_?users|lookup_?user/.test(st.tool)),
      )
      .map((st) => st.id);
    if (reads.length === 0)
      throw new PlannerDeclined(
        "refused",
        text.originalOf(m),
        "it says to look someone up, and no step of the plan reads a person from the directory",
      );
    builder.clause(text.originalOf(m), ...reads);
  }
  for (const m of sequence) {
    const next = actions.find((a) => a.start >= m.index + m[0].length);
    const ids = next ? (built.get(next) ?? []).map((s) => s.id) : [];
    if (ids.length === 0)
      throw new PlannerDeclined("refused", text.originalOf(m), "it says what comes next, and no action follows it");
    builder.clause(text.originalOf(m), ...ids);
  }
  for (const m of ignored) {
    const branches = [...walkSteps(top)]
      .map(({ step }) => step)
      .filter(
        (s): s is Extract<PlanStep, { kind: "if" }> =>
          s.kind === "if" && s.condition.value.kind === "input" && s.otherwise.length === 0,
      );
    if (branches.length === 0)
      throw new PlannerDeclined(
        "refused",
        text.originalOf(m),
        "it says what to ignore, and no condition of the plan picks out what to handle",
      );
    builder.clause(text.originalOf(m), ...branches.map((b) => b.id));
  }
  for (const definition of definitions) {
    const values = (definition.groups?.["values"] ?? "")
      .split(/\s*(?:,|\bor\b|\band\b|\bnor\b)\s*/)
      .map((v) => v.trim().replace(/[\s-]+/g, "_"))
      .filter(Boolean)
      .sort();
    const negated = definition.groups?.["neg"] !== undefined;
    const same = (operand: unknown) =>
      JSON.stringify((Array.isArray(operand) ? operand : [operand]).map((o) => String(o).toLowerCase()).sort()) ===
      JSON.stringify(values);
    const lists = [...walkSteps(top)].flatMap(({ step }) =>
      step.kind === "list" &&
      step.where.some(
        (c) => (negated ? c.op === "not-in" || c.op === "ne" : c.op === "in" || c.op === "eq") && same(c.operand),
      )
        ? [step.id]
        : [],
    );
    const said = text.originalOf(definition);
    if (lists.length === 0)
      throw new PlannerDeclined(
        "refused",
        said,
        `no filter of the plan reads "${definition.groups?.["word"] ?? ""}" that way; say the ` +
          `filter itself (for example "incidents whose status is not resolved or closed")`,
      );
    builder.clause(said, ...lists);
  }
  if (frame.loop) {
    frame.loop.outer.splice(frame.loop.start, 0, ...beforeLoop);
    frame.loop.outer.push(...afterLoop);
  }

  applyExclusions(exclusions, top, catalog, builder);
  if (manual.length > 0 && trigger.type !== "manual")
    throw new PlannerDeclined(
      "refused",
      manual.join(" … "),
      `it says to run it by hand, and also names a ${trigger.type} trigger; a workflow has one ` +
        `trigger (any approved workflow can also be started by hand with "charter runs start")`,
    );
  // How it was asked and why cover the whole workflow; by hand is its trigger.
  for (const said of [...framing, ...reasons, ...(context ?? [])]) builder.clause(said, ...top.map((s) => s.id));
  for (const said of manual) builder.clause(said, "trigger");
  for (const said of countOnly) builder.clause(said, ...countOnlyCalls(said, top));

  // Nobody is paged about nothing, and "post any …" posts only when there are some.
  const wanted = new Set(
    actions
      .filter((a) => a.kind === "page" || (["post", "message"].includes(a.kind) && /\bany\b/i.test(a.said)))
      .flatMap((a) =>
        [...walkSteps(built.get(a) ?? [])]
          .map(({ step }) => step)
          .filter((st) => st.kind === "call")
          .map((st) => st.id),
      ),
  );
  for (const guard of guardEmptyLists(top, new Set(), wanted, builder)) {
    const inner = [...walkSteps(top)].map(({ step }) => step).find((st) => st.id === guard);
    const covered = inner?.kind === "if" ? inner.then.map((st) => st.id) : [];
    for (const clause of builder.clauses) if (clause.covers.some((c) => covered.includes(c))) clause.covers.push(guard);
  }
  // The count the workflow returns is of a list every step can see: one at the top, not inside a loop.
  const topLists = new Set(top.filter((s) => s.kind === "list").map((s) => s.id));
  const eventList = top.find((s) => s.kind === "list" && s.from.kind === "ref" && s.from.step === EVENT_LIST)?.id;
  const output: Record<string, PlanValue> =
    frame.main && topLists.has(frame.main)
      ? { handled: { kind: "count", list: frame.main } }
      : eventList
        ? { handled: { kind: "count", list: eventList } }
        : firstList(top)
          ? { handled: { kind: "count", list: firstList(top) as string } }
          : { done: { kind: "const", value: true } };
  return {
    request,
    name: nameOf(request),
    trigger,
    inputs: builder.inputs,
    steps: top,
    output,
    clauses: builder.clauses,
    checks: builder.checks,
  };
}

/** Outside systems that call in. */
const SYSTEMS =
  "hr(?:\\s+system)?|hris|workday|bamboohr|okta|servicenow|jira|monitoring(?:\\s+(?:system|tool|" +
  "service|platform|stack))?|alert\\s?manager|alerting(?:\\s+(?:system|tool))?|grafana|datadog|" +
  "prometheus|nagios|zabbix|pagerduty|opsgenie|sentry|pingdom|uptime\\s?robot|uptime\\s+(?:monitor|" +
  "checker)|new\\s+relic|splunk|jenkins|github|gitlab|ci(?:/cd)?(?:\\s+pipeline)?|pipeline|" +
  "(?:external|outside|other|third[- ]party)\\s+(?:system|tool|service)|webhook";

/** GENERIC_WORDS say what a step is about, not what it does: a leftover made only of them names no missing tool. */
const GENERIC_WORDS = new Set([
  "user",
  "users",
  "incident",
  "incidents",
  "group",
  "groups",
  "channel",
  "channels",
  "message",
  "new",
  "all",
  "get",
  "list",
  "for",
  "from",
  "with",
  "the",
]);

/**
 * The refusal for words the planner could not read: when nothing in the catalog is named like
 * them, no tool can do it; otherwise the tools they resemble, so the user can reword.
 */
function notUnderstood(left: string[], catalog: CatalogView): PlannerDeclined {
  const asked = left
    .flatMap((run) => words(run))
    .filter((w) => w.length > 2 && !GENERIC_WORDS.has(w) && !FILLER.has(w));
  const related = catalog.tools
    .filter((t) => words(`${t.key} ${t.title ?? ""}`).some((w) => asked.some((a) => a === w || singular(a) === w)))
    .map((t) => t.key);
  const clause = left.join(" … ");
  if (related.length === 0)
    return new PlannerDeclined(
      "refused",
      clause,
      `the offline planner cannot read this, and nothing in this tenant's catalog is named ` +
        `like ${asked.map((w) => `"${w}"`).join(", ") || "it"}, so it may be that no tool can do it; ` +
        `it leaves nothing out, so nothing was planned (see "What the offline planner understands" in ` +
        `docs/planner.md, or set ANTHROPIC_API_KEY to plan with Claude)`,
    );
  return new PlannerDeclined(
    "refused",
    clause,
    `the offline planner cannot read this phrasing (tools that may be ` +
      `meant: ${related.slice(0, 5).join(", ")}); it leaves nothing out, so nothing was planned: ` +
      `reword this part (see "What the offline planner understands" in docs/planner.md), or set ` +
      `ANTHROPIC_API_KEY to plan with Claude`,
  );
}

/**
 * Everyday ways of saying what the readers know by one phrase, rewritten in place (the request as
 * written is kept for clauses and answers): "the user I specify" is "the given user".
 */
function normalize(text: RequestText): void {
  const rewrites: [RegExp, string][] = [
    [/\bthe\s+(user|incident|ticket|person)\s+(?:that\s+)?i\s+(?:specify|provide|give|pass|name)\b/g, "the given $1"],
    [/\b(?:any\s*time|anytime)\b/g, "whenever"],
    [/\b(?:that|this|the same)\s+(?:user|person|employee)\b/g, "them"],
    [/^\s*(?:i|we)\s+(?:need|want|would like|'d like)\s+(?:a\s+way\s+|something\s+|a\s+workflow\s+)?to\s+/g, ""],
    [/\b(?:that|the)\s+person's\b/g, "their"],
    // "with a message I give when I run it": the caller's message.
    [
      rx("g")`
        \b(a|the)\s+(message|text|note)\s+(?:that\s+)?(?:i|we)\s+(?:give|pass|provide|enter|type|
        supply)(?:\s+(?:it|in))?(?:\s+(?:when|each\s+time|whenever)\s+(?:i|we)\s+run\s+it)?\b`,
      "$1 $2",
    ],
    [/\b(?:look\s+up|lookup|find|fetch|get)\s+(the\s+(?:user|incident|ticket))\b/g, "$1"],
    [/\b(?:offboard(?:ing)?|deprovision)\s+(the\s+(?:given\s+)?(?:user|employee|person))\b/g, "$1"],
    [/\bif\s+(?:that|it)\s+(?:doesn't|does not|didn't)\s+work\b/g, "if that fails"],
    [/\block\s+out\b/g, "lock"],
    [/\b(?:the person who|whoever)\s+reported\s+it\b/g, "the reporter"],
    [/\b(?:rundown|roundup|round-up|recap|overview)\s+of\b/g, "summary of"],
    [/\b(?:check|see|look)\s+(?:whether|if)\s+(?:there\s+are\s+)?(any\s+[^,;.]+?)\s+and\s+if\s+so\b,?/g, "if $1,"],
    [
      rx("g")`
        \b(?:check|look|search|scan)\s+(?:for|whether\s+there\s+are)\s+(?:any\s+)?([^,;.]+?)\s*(?:\.|
        ;|,?\s+and)\s+if\s+(?:there\s+are\s+any|so)\b,?`,
      "if there are any $1,",
    ],
  ];
  for (const [pattern, replacement] of rewrites) {
    for (const match of [...text.lower.matchAll(pattern)]) {
      const rewritten = match[0].replace(new RegExp(pattern.source), replacement);
      if (rewritten.length <= match[0].length)
        text.substitute(match.index ?? 0, (match.index ?? 0) + match[0].length, rewritten);
    }
  }
}

/** One answer naming every part that could not be planned. */
function combined(problems: PlannerDeclined[]): PlannerDeclined {
  if (problems.length === 1 && problems[0]) return problems[0];
  return new PlannerDeclined(
    "refused",
    problems.map((p) => p.clause).join(" … "),
    problems.map((p) => `"${p.clause}": ${p.reason}`).join("; "),
  );
}

/** Moves the steps after `call` (in the block that holds it) that read its result into its `then`. */
function adoptDependents(root: PlanStep[], call: Extract<PlanStep, { kind: "call" }>): void {
  const blocks: PlanStep[][] = [root];
  for (const { step } of walkSteps(root)) {
    if (step.kind === "for-each" || step.kind === "once-per") blocks.push(step.steps);
    if (step.kind === "if") blocks.push(step.then, step.otherwise);
    if (step.kind === "call")
      blocks.push(...(step.then ? [step.then] : []), ...(step.onFailure ? [step.onFailure] : []));
  }
  for (const block of blocks) {
    const at = block.indexOf(call);
    if (at < 0) continue;
    const readers = block.slice(at + 1).filter((s) => mentions([s], [call.id]));
    for (const reader of readers) block.splice(block.indexOf(reader), 1);
    call.then = [...(call.then ?? []), ...readers];
    return;
  }
}

/** Whether any of the steps reads one of the ids (a step's result, a loop's item, a list). */
function mentions(steps: PlanStep[], ids: string[]): boolean {
  const json = JSON.stringify(steps);
  return ids.some(
    (id) => json.includes(`"step":${JSON.stringify(id)}`) || json.includes(`"list":${JSON.stringify(id)}`),
  );
}

/**
 * Messages about a list that must not go out empty: every page (nobody is paged about nothing), and
 * a post or message that says "any …" ("page … with any P1s that …", "post any unassigned P2s"). Each
 * such call, with the lookup right before it that only it reads, runs only when the list holds
 * something, unless a branch or loop around it already says so. Returns the ids of the guards added.
 */
function guardEmptyLists(
  block: PlanStep[],
  guarded: ReadonlySet<string>,
  wanted: ReadonlySet<string>,
  builder: PlanBuilder,
): string[] {
  const added: string[] = [];
  for (let k = 0; k < block.length; k++) {
    const step = block[k];
    if (!step) continue;
    if (step.kind === "if") {
      const inner = new Set(guarded);
      if (step.condition.value.kind === "count" && step.condition.op === "gt" && step.condition.operand === 0)
        inner.add(step.condition.value.list);
      added.push(
        ...guardEmptyLists(step.then, inner, wanted, builder),
        ...guardEmptyLists(step.otherwise, guarded, wanted, builder),
      );
      continue;
    }
    if (step.kind === "for-each") {
      added.push(...guardEmptyLists(step.steps, new Set([...guarded, step.list]), wanted, builder));
      continue;
    }
    if (step.kind === "once-per") {
      added.push(...guardEmptyLists(step.steps, guarded, wanted, builder));
      continue;
    }
    if (step.kind !== "call" || !wanted.has(step.id)) continue;
    const list = listsIn(step.args).find((l) => !guarded.has(l));
    if (!list) continue;
    const before = block[k - 1];
    const start =
      before?.kind === "call" && mentions([step], [before.id]) && !mentions(block.slice(k + 1), [before.id])
        ? k - 1
        : k;
    const id = builder.id("any");
    block.splice(start, k - start + 1, {
      kind: "if",
      id,
      condition: { value: { kind: "count", list }, op: "gt", operand: 0 },
      then: block.slice(start, k + 1),
      otherwise: [],
    });
    k = start;
    added.push(id);
  }
  return added;
}

/**
 * Adds the fields an "include …" sentence names (of the item, else of the person) to the text of
 * the last message-sending call of `steps`; returns that call's id. Anything it cannot name is refused.
 */
function addToMessage(steps: PlanStep[], what: string, context: Context, said: string): string {
  const call = [...walkSteps(steps)]
    .map(({ step }) => step)
    .filter(
      (s): s is Extract<PlanStep, { kind: "call" }> =>
        s.kind === "call" && ["text", "message", "body"].some((f) => f in s.args),
    )
    .pop();
  const field = call ? ["text", "message", "body"].find((f) => f in call.args) : undefined;
  const person = context.person;
  const extra =
    (context.item ? itemFields(what, context.item, false) : undefined) ??
    (person ? personFields(what, person.email, person.schema) : undefined);
  if (!call || !field || !extra || extra.kind !== "text")
    throw new PlannerDeclined(
      "refused",
      said,
      `"${what.trim()}" names nothing the message can say (a field of the incident or of the person)`,
    );
  const current = call.args[field];
  const parts = current?.kind === "text" && !current.slug ? current.parts : current ? [current] : [];
  call.args[field] = { kind: "text", parts: [...parts, " — ", ...extra.parts] };
  return call.id;
}

/** Every word the tenant's catalog uses: tool, integration and field names, enum values, resource names. */
function catalogWords(catalog: CatalogView): Set<string> {
  const words = new Set<string>();
  const addAll = (text: string) => {
    for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) if (w.length > 2) words.add(w);
  };
  const walk = (schema: unknown): void => {
    if (Array.isArray(schema)) {
      for (const part of schema) walk(part);
      return;
    }
    if (!schema || typeof schema !== "object") return;
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && value && typeof value === "object")
        for (const name of Object.keys(value)) addAll(name);
      if (key === "enum" && Array.isArray(value)) for (const v of value) addAll(String(v));
      if (key !== "description") walk(value);
    }
  };
  for (const tool of catalog.tools) {
    addAll(tool.key);
    walk(tool.inputSchema);
    walk(tool.outputSchema);
  }
  for (const resource of catalog.resources) addAll(`${resource.uri} ${resource.name}`);
  return words;
}

/** A deep copy of steps under new ids, their references to each other renamed with them. */
function copySteps(steps: PlanStep[], builder: PlanBuilder): PlanStep[] {
  const renamed = new Map<string, string>();
  for (const { step } of walkSteps(steps)) renamed.set(step.id, builder.id(`${step.id} instead`));
  const rename = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => rename(v));
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v, k)]));
    return typeof value === "string" && (key === "id" || key === "step" || key === "list")
      ? (renamed.get(value) ?? value)
      : value;
  };
  const copy = rename(steps);
  if (!Array.isArray(copy)) throw new Error("a copy of steps is a list of steps");
  return copy as PlanStep[];
}

/** The lists a call's arguments say the lines or count of. */
function listsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(listsIn);
  if (!value || typeof value !== "object") return [];
  const v = value as Record<string, unknown>;
  const own = (v["kind"] === "lines" || v["kind"] === "count") && typeof v["list"] === "string" ? [v["list"]] : [];
  return [...own, ...Object.values(v).flatMap(listsIn)];
}

/** The ids of steps and of the steps inside them. */
function stepIds(steps: PlanStep[]): string[] {
  return [...walkSteps(steps)].map(({ step }) => step.id);
}

/** The first list the workflow works through; a lookup (a person by name, a group by name) is not one. */
function firstList(steps: PlanStep[]): string | undefined {
  return steps.find(
    (s) => s.kind === "list" && !s.where.some((c) => c.value.kind === "ref" && c.value.path.join(".") === "name"),
  )?.id;
}

/**
 * "When a P1 incident is opened" (a resource that lists new items of a noun) or "when a user is
 * added to group X" (a resource of membership events). The resource is read once, read-only, to
 * learn what its events carry; items are those of the tool that lists the same noun when one
 * exists, and the sample is checked against that.
 */
async function readEventTrigger(
  text: RequestText,
  catalog: CatalogView,
  builder: PlanBuilder,
  live: LiveReads,
  top: PlanStep[],
): Promise<{ trigger: PlanTrigger; frame: Frame } | undefined> {
  const created =
    // "If a new incident is a P1, …", "when a new incident has priority P1": new ones with that value.
    text.takeOne(
      rx()`
        \b(?:when|whenever|if|once|as soon as)\s+(?:a|an|
        any)\s+new\s+(?<phrase>[a-z0-9_ -]+?)\s+(?:is|has)\s+(?:(?:a|
        an)\s+)?(?:priority\s+)?(?<value>p[1-4])\b`,
      "trigger",
    ) ??
    text.takeOne(
      rx()`
        \b(?:when|whenever|each time|every time|as soon as|if|once)\s+(?:(?:a|an|the|
        any)\s+)?(?:new\s+)?(?<phrase>[a-z0-9_ ,-]+?)\s+(?:(?:is|gets|has been|are|get)\s+(?:opened|
        created|raised|reported|filed|logged|submitted|received)|comes? in|arrives?|appears?|
        shows? up|lands?|pops? up|(?<=\bnew\s+[a-z0-9_ ,-]{1,40})(?:is|gets|are)(?=\s+(?:tagged|
        labell?ed)\s))\b`,
      "trigger",
    ) ??
    text.takeOne(
      rx()`
        \b(?:when|whenever|each time|every time|as soon as|if|once)\s+(?:someone|somebody|anyone|
        a user|a customer)\s+(?:logs|opens|raises|files|creates|reports|submits)\s+(?:(?:a|
        an)\s+)?(?:new\s+)?(?<phrase>[a-z0-9_ ,-]+?)(?=\s*(?:,|$|\.|;))`,
      "trigger",
    ) ??
    // "For every new P1 incident, …", "new incidents for the vpn service: …" with no other trigger: as each one
    // comes in.
    text.takeOne(
      rx()`
        ^\s*(?:(?:for|on)\s+(?:every|each|any|all)\s+)?(?:newly\s+(?:opened|created)\s+|
        new(?:ly)?\s+)(?!(?:starter|hire|joiner|employee|user|member|colleague|person|
        people)s?\b)(?<phrase>[a-z0-9_ "\u2063-]+?)(?=\s*(?:,|:))`,
      "trigger",
    ) ??
    // "Auto-assign new incidents tagged "network" to Sam Okafor": as each one comes in, assign it.
    text.takeOne(
      rx()`
        ^\s*(?<auto>auto-?assign)\s+(?:all\s+|any\s+|every\s+)?(?:newly\s+(?:opened|created)\s+|
        new\s+)(?<phrase>[a-z0-9_ "\u2063-]+?)(?=\s+to\s+)`,
      "trigger",
    );
  if (created) {
    const value = created.groups?.["value"];
    const written = text.groupAsWritten(created, "phrase") ?? created.groups?.["phrase"] ?? "";
    const phrase = `${value ? `${value} ` : ""}${written}`;
    // What a filter of the phrase could not say, when that is why no resource matched.
    let understood: PlannerDeclined | undefined;
    for (const noun of catalog.listNouns()) {
      const source = catalog.lister(noun);
      const resource = catalog.resourceFor(noun, /\bnew\b|created|opened/);
      if (!source || !resource) continue;
      // "a new P1 comes in": an enum value alone stands for the items that have it.
      const values = enumValues(source.itemSchema);
      // "a new P1", "new P1s": an enum value alone stands for the items that have it.
      const last = (phrase.trim().split(/\s+/).pop() ?? "").toLowerCase();
      const named = new RegExp(
        `\\b(?:${plural(noun)}|${singular(noun)}|tickets?|issues?|cases?|requests?)\\b`,
        "i",
      ).test(phrase);
      const asNoun = named
        ? phrase
        : values.includes(last)
          ? `${phrase} ${noun}`
          : values.includes(last.replace(/s$/, ""))
            ? `${phrase.trim().replace(/s$/, "")} ${noun}`
            : phrase;
      const listId = builder.id(`new ${noun}`);
      // "when an incident is opened for the vpn service": words after the verb that say which items.
      const end = created.index + created[0].length;
      const following = rx()`
          ^\s+(?:for|on|affecting|against|about|with|in|at|tagged|labelled|labeled|that|which|
          whose)\s+[^,;.]*?(?=\s*(?:,|;|\.|$|\bthen\b))`.exec(text.lower.slice(end));
      const tryRead = (words: string) => {
        const inner = new RequestText(words);
        try {
          const read = readListPhrase(inner, noun, source.itemSchema, listId);
          return read && inner.leftover().length === 0 ? read : undefined;
        } catch (error) {
          if (!(error instanceof PlannerDeclined)) throw error;
          understood ??= error;
          return undefined;
        }
      };
      // "when a new incident comes in and it's a P1": what is said of it, read as a filter of the items.
      const property = following
        ? undefined
        : rx()`
          ^\s+and\s+(?:it(?:'s|\s+is)|is|(?<has>(?:it\s+)?(?:has|have|(?:doesn't|
          does\s+not)\s+have)))\s+(?:(?:a|an)\s+)?(?<words>[a-z0-9_ -]+?)(?=\s*(?:,|;|\.|$|\bthen\b))`.exec(
            text.lower.slice(end),
          );
      const propertyWords = property
        ? text.verbatim.slice(
            end + property[0].length - (property.groups?.["words"] ?? "").length,
            end + property[0].length,
          )
        : "";
      const has = property?.groups?.["has"]?.replace(/^it\s+/, "");
      // "and it has no assignee": "incidents that have no assignee".
      const withProperty =
        property && text.free(end, end + property[0].length)
          ? has
            ? tryRead(`${asNoun} that ${/n't|not/.test(has) ? "does not have a" : "has"} ${propertyWords}`)
            : (tryRead(`${propertyWords} ${asNoun}`) ?? tryRead(`${asNoun} ${propertyWords}`))
          : undefined;
      const withFollowing =
        withProperty ??
        (following && text.free(end, end + following[0].length)
          ? tryRead(`${asNoun}${text.verbatim.slice(end, end + following[0].length)}`)
          : undefined);
      const extra = withProperty ? property : following;
      const read = withFollowing ?? tryRead(asNoun);
      if (!read) {
        builder.release(listId);
        continue;
      }
      if (withFollowing && extra) text.mark(end, end + extra[0].length, "trigger");
      const shape = await eventShape(
        live,
        resource.integration,
        resource.uri,
        source.itemSchema,
        builder,
        text.originalOf(created),
      );
      const key = propertyOf(shape, "id") ? ["id"] : scalarFields(shape);
      const timeField = timeFieldOf(shape);
      const trigger: PlanTrigger = {
        type: "resource",
        integration: resource.integration,
        uri: resource.uri,
        noun: plural(noun),
        key,
        shape,
        shapeFrom: `${source.tool.key} (${source.field})`,
        ...(timeField ? { timeField } : {}),
      };
      const each = builder.id(singular(noun));
      const body: PlanStep[] = [];
      top.push(
        {
          kind: "list",
          id: listId,
          from: { kind: "ref", step: EVENT_LIST, path: [] },
          where: read.conditions,
          noun: plural(noun),
        },
        { kind: "for-each", id: each, list: listId, steps: body },
      );
      builder.clause(
        `${text.originalOf(created)}${withFollowing && extra ? text.verbatim.slice(end, end + extra[0].length) : ""}`,
        "trigger",
        listId,
        each,
      );
      // "Auto-assign new … to X": what is left to read is "assign it to X".
      if (created.groups?.["auto"]) text.substitute(created.index, created.index + created[0].length, "assign it");
      const item: Item = { step: each, schema: shape, noun: plural(noun), typed: false };
      return { trigger, frame: { block: body, context: { takesInput: false, item }, main: listId, event: true } };
    }
    if (understood)
      throw new PlannerDeclined(understood.outcome, text.originalOf(created), understood.reason, understood.options);
    throw new PlannerDeclined(
      "refused",
      text.originalOf(created),
      `no subscribable resource of this tenant announces new ${created.groups?.["phrase"] ?? "items"}; it offers: ${
        catalog.resources
          .slice(0, 6)
          .map((r) => r.uri)
          .join(", ") || "none"
      }`,
    );
  }
  const added = text.takeOne(
    rx()`
      \b(?:when|whenever|each time|every time|as soon as|if|once)\s+(?:(?:a|an|the|
      any)\s+)?(?:new\s+)?(?:user|person|member|someone|somebody|employee|anyone|
      anybody)\s+(?:(?<add>is\s+added|gets\s+added|joins|is\s+put)\s+(?:to|into|in)?|
      (?<remove>is\s+removed|gets\s+removed|is\s+taken\s+(?:out|off)|gets\s+taken\s+(?:out|off)|
      leaves)\s*(?:from|of)?)\s*(?:the\s+)?(?:group\s+|
      rotation\s+)?"?(?<group>[a-z0-9][\w-]*)"?(?:\s+(?:group|rotation))?(?:\s*\((?:group|rotation|
      the group)\))?\b`,
    "trigger",
  );
  if (!added) return undefined;
  const said = text.originalOf(added);
  const groupName = added.groups?.["group"] ?? "";
  const resource = catalog.resourceFor("memberships", /member/);
  if (!resource)
    throw new PlannerDeclined(
      "refused",
      said,
      `no subscribable resource of this tenant announces group membership changes; it offers: ${
        catalog.resources
          .slice(0, 6)
          .map((r) => r.uri)
          .join(", ") || "none"
      }`,
    );
  const sample = await live.readResource(resource.integration, resource.uri);
  const items = eventItems(sample);
  const first = items[0];
  if (!first)
    throw new PlannerDeclined(
      "needs-input",
      said,
      `${resource.uri} is empty right now, so the planner cannot see what its events carry; add ` +
        `someone to a group once and plan again`,
    );
  const userField = Object.keys(first).find((k) => /user/.test(k));
  const groupField = Object.keys(first).find((k) => /group/.test(k));
  const change = added.groups?.["remove"] ? "removed" : "added";
  const changeField = Object.keys(first).find((k) => items.some((i) => i[k] === "added" || i[k] === "removed"));
  if (!userField || !groupField || !changeField)
    throw new PlannerDeclined(
      "refused",
      said,
      `the events of ${resource.uri} do not say which user was added to which group`,
    );
  const groups = catalog.lister("groups");
  const person = catalog.personBy("id");
  if (!groups || !person)
    throw new PlannerDeclined("refused", said, "this tenant has no read-only tools to list groups and read a user");
  const shape = inferSchema(items);
  const timeField = Object.keys(first).find(
    (k) =>
      typeof first[k] === "string" &&
      /^(at|created_at|time|timestamp)$/.test(k) &&
      Number.isFinite(Date.parse(String(first[k]))),
  );
  const trigger: PlanTrigger = {
    type: "resource",
    integration: resource.integration,
    uri: resource.uri,
    noun: "membership changes",
    key: scalarFields(shape),
    shape,
    shapeFrom: `a sample read of ${resource.uri}`,
    ...(timeField ? { timeField } : {}),
  };
  builder.checks.push(`read ${resource.uri} once (read-only): its events carry ${Object.keys(first).join(", ")}`);
  const { listGroups, group, steps: lookup } = groupByName(builder, groups, groupName);
  const addedList = builder.id("added");
  const each = builder.id("change");
  const user = builder.id("user");
  const body: PlanStep[] = [];
  top.push(
    ...lookup,
    {
      kind: "list",
      id: addedList,
      from: { kind: "ref", step: EVENT_LIST, path: [] },
      where: [
        { value: { kind: "ref", step: addedList, path: [changeField] }, op: "eq", operand: change },
        {
          value: { kind: "ref", step: addedList, path: [groupField] },
          op: "eq",
          against: { kind: "ref", step: group, path: ["0", "id"] },
        },
      ],
      noun: "membership changes",
    },
    { kind: "for-each", id: each, list: addedList, steps: body },
  );
  body.push({
    kind: "call",
    id: user,
    tool: person.tool.key,
    args: { [person.inputField]: { kind: "ref", step: each, path: [userField] } },
  });
  builder.clause(said, "trigger", listGroups, group, addedList, each, user);
  const context: Context = {
    takesInput: false,
    person: personOf(user, person.tool.outputSchema),
    groupName: { kind: "ref", step: group, path: ["0", "name"] },
    happened: change === "removed" ? "was removed from" : "was added to",
  };
  builder.checks.push(
    `group "${groupName}" is looked up by name at every run; it is checked to exist before the draft is stored`,
  );
  return { trigger, frame: { block: body, context, main: addedList, event: true } };
}

/**
 * What the workflow works on when the caller names it: an incident by id, a user by id or email,
 * every member of a group, each item of a list.
 */
async function readSubject(
  text: RequestText,
  catalog: CatalogView,
  builder: PlanBuilder,
  frame: Frame,
): Promise<Frame> {
  const { context } = frame;
  // "remove everyone from group x": each member of x, removed from x.
  const emptied = text.takeOne(
    rx()`
      \b(?:remove|take)\s+(?:everyone|everybody|all\s+(?:the\s+)?(?:members|users|people))\s+(?:from|
      out\s+of)\s+(?:the\s+)?(?:group\s+)?"?(?<group>[a-z0-9][\w-]*)"?(?:\s+group)?\b`,
    "subject",
  );
  const members =
    emptied ??
    text.takeOne(
      rx()`
        (?:\bfor\s+)?\b(?:(?:every|each|all(?:\s+the)?)\s+(?:members?|users?|people|
        persons?)\s+(?:of|in)|everyone\s+in|
        everybody\s+in)\s+(?:the\s+)?(?:group\s+)?"?(?<group>[a-z0-9][\w-]*)"?(?:\s+group)?\b`,
      "subject",
    );
  if (members) {
    const groups = catalog.lister("groups");
    const person = catalog.personBy("id");
    const said = text.originalOf(members);
    if (!groups || !person)
      throw new PlannerDeclined("refused", said, "this tenant has no read-only tools to list groups and read a user");
    const memberField = Object.keys(
      (groups.itemSchema["properties"] as Record<string, unknown> | undefined) ?? {},
    ).find((k) => /member/.test(k));
    if (!memberField) throw new PlannerDeclined("refused", said, `${groups.tool.key} does not list a group's members`);
    // "every member of the group", with the group's name in the input: that group, looked up at each run.
    const named = members.groups?.["group"] ?? "";
    const fromInput =
      named === "group" && (builder.declared.names.includes("group") || builder.declared.byRole.has("group"))
        ? builder.input("group", { type: "string", minLength: 1 }, true, "the group's name")
        : undefined;
    const { listGroups: list, group, steps: lookup } = groupByName(builder, groups, fromInput ?? named);
    const memberIds = builder.id("memberIds");
    const member = builder.id("member");
    const user = builder.id("user");
    const body: PlanStep[] = [];
    const start = frame.block.length;
    frame.block.push(
      ...lookup,
      {
        kind: "list",
        id: memberIds,
        from: { kind: "ref", step: group, path: ["0", memberField] },
        where: [],
        noun: "members",
      },
      { kind: "for-each", id: member, list: memberIds, steps: body },
    );
    body.push({
      kind: "call",
      id: user,
      tool: person.tool.key,
      args: { [person.inputField]: { kind: "ref", step: member, path: [] } },
    });
    builder.clause(said, list, group, memberIds, member, user);
    text.substitute(
      members.index,
      members.index + members[0].length,
      emptied ? `remove them from ${members.groups?.["group"] ?? ""}` : " them ",
    );
    return {
      block: body,
      context: {
        ...context,
        person: personOf(user),
        groupName: { kind: "const", value: members.groups?.["group"] ?? "" },
      },
      main: memberIds,
      loop: {
        outer: frame.block,
        start,
        scope: [memberIds, member, user],
        each: member,
        end: members.index + members[0].length,
      },
    };
  }
  // "the user u-1002", "incident INC0001": one item read by its id, then "them" / "it".
  const literal = readLiteralItem(text, frame.block, builder, [
    {
      pattern: /\b(?:the\s+)?user\s+(?<id>[a-z]{0,4}-?\d{2,})\b/,
      reader: catalog.personBy("id"),
      missing: "no read-only tool of this tenant reads a user by id",
      idName: "user",
      id: (m) => m.groups?.["id"] ?? "",
      pronoun: " them ",
      context: (id, schema) => ({ ...context, person: personOf(id, schema) }),
    },
    {
      pattern: /\b(?:the\s+)?incident\s+(?<id>[a-z]{2,6}-?\d{2,})\b/,
      reader: catalog.getter("incidents"),
      missing: "no read-only tool of this tenant reads one incident by its id",
      idName: "incident",
      id: (m) => (text.groupAsWritten(m, "id") ?? "").toUpperCase(),
      pronoun: " it ",
      context: (id, schema) => ({ ...context, item: incidentItem(id, schema) }),
    },
  ]);
  if (literal) return { ...frame, context: literal };
  const check = text.takeOne(
    rx()`
      \b(?:(?:check|look)\s+(?:for|at)|count(?:\s+(?:up|how many))?|find|get|fetch|
      pull)\s+(?<phrase>[a-z0-9 _'-]+?)(?=\s*(?:,|\band\s+(?!(?:are|is|were|was|have|has)\b)|\bif\b|
      \bthen\b|$))(?=[^.;]*\b(?:to|on|about|for|with)\s+(?:each|every)\s+(?:one|of them)\b|)`,
    "subject",
  );
  if (check) {
    const said = text.originalOf(check);
    const listed = readSubjectList(text.groupAsWritten(check, "phrase") ?? "", catalog, builder, context);
    if (!listed)
      throw new PlannerDeclined(
        "refused",
        said,
        `"${check.groups?.["phrase"] ?? ""}" is not a list this tenant's tools give`,
      );
    const start = frame.block.length;
    const list = listed.push(frame.block);
    // "look for X and page … about each one": one at a time.
    const eachOne = text.take(
      /\s*\b(?:about|for|on|to|with)\s+(?:each|every)\s+(?:one|of them)\b|\s*\bto\s+each(?=\s*[:,.;]|\s*$)/,
      "subject",
    );
    // "… and post each one to #incidents": each of them is the object of the action, one at a time.
    const objects = text.take(
      /(?<=\b(?:post|page|send|share|announce|report|close|flag|forward)\s+)(?:each|every)\s+(?:one|of\s+them)\b/,
      "subject",
    );
    if (eachOne.length > 0 || objects.length > 0) {
      const each = builder.id(singular(listed.item.noun));
      const body: PlanStep[] = [];
      frame.block.push({ kind: "for-each", id: each, list, steps: body });
      builder.clause(said, list, each);
      for (const m of eachOne) {
        builder.clause(text.verbatim.slice(m.index, m.index + m[0].length), each);
        // Blanked, so that the action around it reads on ("page … about each one, with …").
        text.substitute(m.index, m.index + m[0].length, "");
      }
      for (const m of objects) {
        builder.clause(text.verbatim.slice(m.index, m.index + m[0].length), each);
        text.substitute(m.index, m.index + m[0].length, "it");
      }
      return {
        block: body,
        context: {
          ...context,
          item: { ...listed.item, step: each },
          list: { id: list, item: { ...listed.item, step: list }, said: listed.said },
        },
        main: list,
        loop: {
          outer: frame.block,
          start,
          scope: [each],
          each,
          end: Math.max(...[...eachOne, ...objects].map((e) => e.index + e[0].length), check.index + check[0].length),
        },
      };
    }
    builder.clause(said, list);
    // "look for X and page … about them": only when there are some (counting them says a number either way).
    const guard = /^count/.test(check[0]) ? undefined : list;
    return {
      ...frame,
      context: { ...context, list: { id: list, item: { ...listed.item, step: list }, said: listed.said } },
      main: list,
      ...(guard ? { guard } : {}),
    };
  }
  if (!context.takesInput) return forEachList(text, catalog, builder, frame);
  const incident = text.takeOne(
    rx()`
      \b(?:the|an?|a given)\s+(?<noun>incident|ticket)\s+(?:with\s+the\s+given\s+(?:id|number)|
      (?:given\s+)?by\s+(?:its\s+)?(?:id|number)|(?:that\s+)?the\s+caller\s+names|(?:from|
      in)\s+the\s+input)\b|\bthe\s+given\s+(?<noun2>incident|ticket)\b|\b(?:given|for|from|with|
      takes?|taking)\s+(?:an?|the)\s+(?:incident|ticket)\s+(?:number|id)(?:\s+(?:as\s+input|
      in\s+the\s+input|from\s+the\s+caller))?\b`,
    "subject",
  );
  if (incident) {
    const getter = catalog.getter("incidents");
    const said = text.originalOf(incident);
    if (!getter?.tool.outputSchema)
      throw new PlannerDeclined("refused", said, "no read-only tool of this tenant reads one incident by its id");
    const id = readIncidentByInput(frame.block, builder, getter);
    builder.clause(said, id);
    text.substitute(incident.index, incident.index + incident[0].length, " it ");
    return { ...frame, context: { ...context, item: incidentItem(id, getter.tool.outputSchema) } };
  }
  const byEmail = text.takeOne(
    rx()`
      \b(?:the|a)\s+(?:user|person|
      employee)\s+(?:with\s+the\s+(?:given\s+)?email(?:\s+address)?(?:\s+(?:in|from)\s+the\s+input)?|
      (?:given\s+)?by\s+(?:their\s+)?email(?:\s+address)?|
      whose\s+email(?:\s+address)?\s+(?:is\s+given|i\s+(?:give|pass|provide)|
      is\s+passed(?:\s+in)?))\b|\b(?:given|for|from|with|takes?|taking)\s+(?:an?|the|their|
      a\s+user's|the\s+user's|someone's|an\s+employee's)\s+email(?:\s+address)?(?:\s+(?:as\s+input|
      in\s+the\s+input|from\s+the\s+caller))?\b`,
    "subject",
  );
  const byId = byEmail
    ? undefined
    : text.takeOne(
        rx()`
          (?<!\b(?:create|onboard|add|up|new)\s+)\b(?:offboard\s+)?(?:the|
          a)\s+(?:given\s+)?user(?!'s\b|\s+account\b)(?:\s+(?:with\s+the\s+given\s+id|by\s+id|
          the\s+caller\s+names|(?:in|from)\s+the\s+input))?\b:?`,
        "subject",
      );
  const userMatch = byEmail ?? byId;
  // No phrase names the subject, and the request names an input that is a user's email or id, or an incident's id:
  // that is it.
  const spoken = {
    incident_id: /\b(?:it|its|(?:the|an|this|that) (?:incident|ticket))\b/,
    email: /\b(?:them|their|the user|him|her|his|the person|the employee|the account)\b/,
    user_id: /\b(?:them|their|the user|him|her|his|the person|the employee|the account)\b/,
  };
  // A request that creates the user ("create their account") names the new user's email, not one to look up.
  const creates = text.has(/\b(?:create|set up|make|onboard)\b[^.;]*?\b(?:account|user)\b/);
  const role =
    userMatch || incident
      ? undefined
      : (["incident_id", "email", "user_id"] as const).find(
          (r) => builder.declared.byRole.has(r) && text.has(spoken[r]) && !(creates && r !== "incident_id"),
        );
  if (role === "incident_id") {
    const getter = catalog.getter("incidents");
    if (getter?.tool.outputSchema) {
      const id = readIncidentByInput(frame.block, builder, getter);
      builder.clause(builder.declared.said.join(" "), id);
      return { ...frame, context: { ...context, item: incidentItem(id, getter.tool.outputSchema) } };
    }
  }
  if (role === "email" || role === "user_id") {
    const reader = catalog.personBy(role === "email" ? "email" : "id");
    if (reader?.tool.outputSchema) {
      const id = readUserByInput(frame.block, builder, reader, role === "email");
      builder.clause(builder.declared.said.join(" "), id);
      return { ...frame, context: { ...context, person: personOf(id, reader.tool.outputSchema) } };
    }
  }
  if (userMatch) {
    // "Given an email, disable the user": the user is the one with that email.
    const viaEmail =
      byEmail !== undefined || (builder.declared.byRole.has("email") && !builder.declared.byRole.has("user_id"));
    const reader = catalog.personBy(viaEmail ? "email" : "id");
    const said = text.originalOf(userMatch);
    if (!reader?.tool.outputSchema)
      throw new PlannerDeclined(
        "refused",
        said,
        `no read-only tool of this tenant reads a user by ${viaEmail ? "email" : "id"}`,
      );
    const id = readUserByInput(frame.block, builder, reader, viaEmail);
    builder.clause(said, id);
    text.substitute(userMatch.index, userMatch.index + userMatch[0].length, " them ");
    return { ...frame, context: { ...context, person: personOf(id, reader.tool.outputSchema) } };
  }
  return forEachList(text, catalog, builder, frame);
}

/** The groups list and the group of that name in it (a list of at most one; "0" is the group). */
function groupByName(
  builder: PlanBuilder,
  groups: ListSource,
  name: string | PlanValue,
): { listGroups: string; group: string; steps: PlanStep[] } {
  const listGroups = builder.id("listGroups");
  const group = builder.id("group");
  const byName: Condition =
    typeof name === "string"
      ? { value: { kind: "ref", step: group, path: ["name"] }, op: "eq", operand: name }
      : { value: { kind: "ref", step: group, path: ["name"] }, op: "eq", against: name };
  const steps: PlanStep[] = [
    { kind: "call", id: listGroups, tool: groups.tool.key, args: {} },
    {
      kind: "list",
      id: group,
      from: { kind: "ref", step: listGroups, path: [groups.field] },
      where: [byName],
      noun: "groups",
    },
  ];
  // A name the caller passes is checked at each run: no such group is a failed run, not a loop over nobody.
  if (typeof name !== "string")
    steps.push({
      kind: "if",
      id: builder.id("groupFound"),
      condition: { value: { kind: "count", list: group }, op: "lt", operand: 1 },
      then: [{ kind: "fail", id: builder.id("noGroup"), message: "no group of that name was found" }],
      otherwise: [],
    });
  return { listGroups, group, steps };
}

/** "for each open P1 incident, …": the list, and a loop whose item is "it". */
function forEachList(text: RequestText, catalog: CatalogView, builder: PlanBuilder, frame: Frame): Frame {
  const loop =
    text.takeOne(
      /\b(?:for|to)\s+(?:each|every|all(?:\s+the)?)\s+(?<phrase>[a-z0-9 _'-]+?)(?=\s*(?:,|:|$|\bolder\b))/,
      "subject",
    ) ??
    // "any P1 that is still new and has nobody assigned should be assigned to …": each of them, in the passive.
    text.takeOne(
      rx()`
        (?<=^|[:.;]\s{0,3})\s*(?:any|every|each|all)\s+(?<phrase>[a-z0-9 _-]+?)(?=\s+(?:should|must|
        shall|will|needs? to|is to)\s+be\s+[a-z]+ed\b)`,
      "subject",
    ) ??
    // "close all resolved incidents older than 7 days": each of them, the object of the action.
    text.takeOne(
      rx()`
        (?<=\b(?:close|resolve|escalate|assign)\s+)(?:all|every|each|
        any)(?:\s+(?:of\s+)?the)?\s+(?<phrase>[a-z0-9 _'-]+?)(?=\s*(?:,|:|;|\.|$|\bolder\b|\b(?:with|
        using|as|to)\b|\band\b(?!\s+(?:are|is|were|was|has|have|still|that)\b)))`,
      "subject",
    ) ??
    // "page the on-call engineer about each unassigned P1 incident": one page for each of them.
    text.takeOne(
      rx()`
        (?<=\b(?:page|post|send|dm|message|notify|alert|ping)\b[^,.;]{0,60}?\b(?:about|for|on|
        with)\s+)(?:each|every)\s+(?<phrase>[a-z0-9 _'-]+?)(?=\s*(?:,|:|;|\.|$|\bolder\b|\b(?:to|in|
        with|and|then|if|but)\b))`,
      "subject",
    ) ??
    // "DM the assignee of each P2 incident that's in progress": each of them, and its assignee.
    text.takeOne(
      rx()`
        \b(?<role>(?:the\s+)?(?:assignee|owner|reporter))\s+of\s+(?:each|every|
        all(?:\s+the)?)\s+(?<phrase>[a-z0-9 _'-]+?)(?=\s*(?:,|:|;|\.|$|\band\b(?!\s+(?:are|is|were|
        was|has|have|still|that)\b)|\bolder\b|\bwith\s+(?:its|their)\b|\b(?:reminding|asking|telling|
        saying)\b))`,
      "subject",
    );
  if (!loop) return frame;
  let phrase = text.groupAsWritten(loop, "phrase") ?? "";
  const age = /^\s*older than\s+\d+\s*\w+/.exec(text.lower.slice(loop.index + loop[0].length));
  if (age) {
    text.mark(loop.index + loop[0].length, loop.index + loop[0].length + age[0].length, "subject");
    phrase += age[0];
  }
  const listed = readSubjectList(phrase, catalog, builder, frame.context);
  if (!listed)
    throw new PlannerDeclined(
      "refused",
      text.originalOf(loop),
      `"${phrase.trim()}" is not a list this tenant's tools give`,
    );
  const start = frame.block.length;
  const list = listed.push(frame.block);
  const each = builder.id(singular(listed.item.noun));
  const body: PlanStep[] = [];
  frame.block.push({ kind: "for-each", id: each, list, steps: body });
  builder.clause(`${text.originalOf(loop)}${age ? age[0] : ""}`, list, each);
  const role = loop.groups?.["role"];
  text.substitute(
    loop.index,
    loop.index + loop[0].length,
    role ? (/reporter/.test(role) ? " the reporter " : " its assignee ") : " it ",
  );
  return {
    block: body,
    context: {
      ...frame.context,
      item: { ...listed.item, step: each },
      list: { id: list, item: { ...listed.item, step: list }, said: listed.said },
    },
    main: list,
    loop: { outer: frame.block, start, scope: [each], each, end: loop.index + loop[0].length },
  };
}

/**
 * Whether a condition leads the actions after it ("…, and if it's a P1, page …", "if it is P1 page …")
 * rather than governing the action before it ("page … if it is a P1", "page …, if it is a P1, otherwise …").
 * It leads when an action follows it directly (or after a comma that is not "otherwise"), and it
 * starts a clause: at the start, after the trigger or subject, or after ",", ";", ".", "and", "then".
 */
function leads(text: RequestText, m: RegExpExecArray): boolean {
  const end = m.index + m[0].length;
  const follows =
    m.groups?.["verb"] !== undefined ||
    (m.groups?.["comma"] !== undefined && !/^\s*(?:otherwise|else|if not)\b/.test(text.lower.slice(end)));
  if (!follows) return false;
  const before = text.lower.slice(0, m.index);
  if (/^,/.test(m[0]) || /(?:^|[,;.:]|\b(?:and|then|also|but|so))\s*$/.test(before)) return true;
  const prior = text.spans
    .filter((span) => span.end <= m.index)
    .sort((a, b) => a.end - b.end)
    .pop();
  return (
    prior !== undefined &&
    ["trigger", "schedule", "subject", "inputs", "header"].includes(prior.by) &&
    /^[\s,;:]*$/.test(text.lower.slice(prior.end, m.index))
  );
}

/**
 * A condition as read; "it" is resolved when its branch is placed, after the actions before it (which may make "it").
 */
type ConditionRead = {
  resolve: (context: Context) => Condition;
  before: PlanStep[];
  start: number;
  end: number;
  said: string;
  leading: boolean;
};

/** "if there are more than 3 open P1 incidents, …" and "… if it is a P1" / "if the incident is P1, …". */
function readConditions(text: RequestText, catalog: CatalogView, builder: PlanBuilder, frame: Frame): ConditionRead[] {
  const out: ConditionRead[] = [];
  const more = rx()`
      ,?\s*\bif\s+there\s+(?:are|is)\s+(?!none\b|nothing\b|no\s+such\b)(?:(?<cmp>more|fewer|
      less)\s+than\s+(?<n>\d+)\s+|(?<any>any)\b\s*|(?<none>no)\s+)?`.exec(text.lower);
  if (more && text.has(/\bif\s+there\s+(?:are|is)\s+(?!none\b|nothing\b|no\s+such\b)/)) {
    const rest = text.lower.slice(more.index + more[0].length);
    const phrase = /^([a-z0-9 _'-]*?)(?=\s*(?:,|\.|;|$))/.exec(rest)?.[1] ?? "";
    const end = more.index + more[0].length + phrase.length;
    // As written, over any phrase rewritten into it ("look for P1s. If there are any," became one phrase).
    const said = text.originalSpan(more.index, end).replace(/^,?\s*/, "");
    const before: PlanStep[] = [];
    let list: string;
    if (phrase.trim() === "" && more.groups?.["any"] && frame.context.list) list = frame.context.list.id;
    else {
      const written = text.verbatim.slice(more.index + more[0].length, end);
      const listed = readSubjectList(
        written.toLowerCase() === phrase ? written : phrase,
        catalog,
        builder,
        frame.context,
      );
      if (!listed)
        throw new PlannerDeclined("refused", said, `"${phrase || said}" is not a list this tenant's tools give`);
      list = listed.push(before);
      frame.context.list = { id: list, item: { ...listed.item, step: list }, said: listed.said };
    }
    text.mark(more.index, end, "condition");
    const cmp = more.groups?.["cmp"];
    // "if there are no open P1s": none of them.
    const condition: Condition = more.groups?.["none"]
      ? { value: { kind: "count", list }, op: "lt", operand: 1 }
      : {
          value: { kind: "count", list },
          op: cmp === "more" ? "gt" : cmp ? "lt" : "gt",
          operand: cmp ? Number(more.groups?.["n"]) : 0,
        };
    const comma = /^\s*,/.exec(text.lower.slice(end));
    const leading = comma !== null;
    if (comma) text.mark(end, end + comma[0].length, "condition");
    out.push({ resolve: () => condition, before, start: more.index, end, said, leading });
  }
  // "if more than 3 P1 incidents are open, …": a count of such items.
  // "… P1 incidents are still unassigned": the items the words before and after the verb say, listed before the branch.
  const listed = (m: RegExpExecArray): { list: string; before: PlanStep[]; said: string } => {
    const phrase = `${m.groups?.["post"] ?? ""} ${m.groups?.["pre"] ?? ""} ${m.groups?.["noun"] ?? ""}`
      .replace(/\s+/g, " ")
      .trim();
    const said = text.originalOf(m).replace(/^,?\s*/, "");
    // "if any incident has been in status new for more than 2 hours": the items said that way round.
    const verb = /^ha/.test(m.groups?.["verb"] ?? "") ? "have been" : "are";
    const asClause = `${m.groups?.["pre"] ?? ""} ${m.groups?.["noun"] ?? ""}s that ${verb} ${m.groups?.["post"] ?? ""}`
      .replace(/\s+/g, " ")
      .trim();
    const read =
      readSubjectList(phrase, catalog, builder, frame.context) ??
      readSubjectList(asClause, catalog, builder, frame.context);
    if (!read) throw new PlannerDeclined("refused", said, `"${phrase}" is not a list this tenant's tools give`);
    const before: PlanStep[] = [];
    const list = read.push(before);
    frame.context.list = { id: list, item: { ...read.item, step: list }, said: read.said };
    return { list, before, said };
  };
  /** A condition known as it is read (nothing left to resolve against the context). */
  const fixed = (m: RegExpExecArray, said: string, condition: Condition, leading: boolean, before: PlanStep[] = []) =>
    out.push({ resolve: () => condition, before, start: m.index, end: m.index + m[0].length, said, leading });
  /** A condition on how many items a list holds, leading the actions after it when a comma follows. */
  const counted = (m: RegExpExecArray, before: PlanStep[], said: string, condition: Condition) =>
    fixed(m, said, condition, /,\s*$/.test(m[0]), before);
  for (const m of text.take(
    rx()`
      ,?\s*\bif\s+(?:(?<cmp>more|fewer|less)\s+than|
      (?<least>at\s+least))\s+(?<n>\d+)\s+(?<pre>[a-z0-9 _-]*?)\s*(?<noun>[a-z0-9]+?)s?\s+(?:are|
      is)\s+(?:still\s+|currently\s+|now\s+)*(?<post>[a-z0-9_ -]+?)(?<comma>\s*,|(?=\s*(?:$|\.|;)))`,
    "condition",
  )) {
    const { list, before, said } = listed(m);
    const n = Number(m.groups?.["n"]);
    counted(
      m,
      before,
      said,
      m.groups?.["least"]
        ? { value: { kind: "count", list }, op: "gt", operand: n - 1 }
        : { value: { kind: "count", list }, op: m.groups?.["cmp"] === "more" ? "gt" : "lt", operand: n },
    );
  }
  // "if any P1 incident is unassigned, …": the list of such items, and whether it has any.
  for (const m of text.take(
    rx()`
      ,?\s*\bif\s+(?:any|some|an?)\s+(?<pre>[a-z0-9 _-]*?)\s*(?<noun>[a-z0-9]+?)s?\s+(?<verb>is|are|
      has\s+been|have\s+been)\s+(?:still\s+|sitting\s+|currently\s+|
      left\s+)*(?<post>[a-z0-9_ -]+?)(?<comma>\s*,|(?=\s*(?:$|\.|;)))`,
    "condition",
  )) {
    const { list, before, said } = listed(m);
    counted(m, before, said, { value: { kind: "count", list }, op: "gt", operand: 0 });
  }
  // "if it's for the vpn service", "if it has the security tag": a text field's value, or a value a list field holds.
  for (const m of text.take(
    rx()`
      (?:,?\s*\bif\s+(?:it(?:'s|\s+is)|the\s+(?:incident|ticket)\s+is)\s+(?:for|about|on|against|
      in)\s+(?:the\s+)?"?(?<value>[a-z0-9][\w.-]*)"?\s+(?<field>[a-z_]+)\b|,?\s*\bif\s+(?:it|
      the\s+(?:incident|ticket))\s+(?:has|carries)\s+(?:the\s+|a\s+)?(?:tag\s+"?(?<tag1>[\w-]+)"?|
      "?(?<tag2>[\w-]+)"?\s+tag)\b|,?\s*\bif\s+(?:it(?:'s|\s+is)|the\s+(?:incident|
      ticket)\s+is)\s+tagged\s+(?:with\s+)?"?(?<tag3>[\w-]+)"?)(?:(?<comma>\s*,)|
      (?<verb>(?=\s+(?:then\s+|also\s+)*(?:page|post|send|notify|assign|add|dm|message|close|create|
      open|tell|alert|escalate|disable|remove|set|comment)\b)))?`,
    "condition",
  )) {
    const said = text.originalOf(m);
    const tag = m.groups?.["tag1"] ?? m.groups?.["tag2"] ?? m.groups?.["tag3"];
    const resolve = (context: Context): Condition => {
      const item = itemSpokenOf(context, said);
      const properties = (item.schema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
      if (tag) {
        const tags = Object.entries(properties).find(
          ([name, s]) => s["type"] === "array" && /^(?:tags|labels)$/.test(name),
        )?.[0];
        if (!tags) throw new PlannerDeclined("refused", said, `the ${item.noun} have no tags to look at`);
        return { value: { kind: "ref", step: item.step, path: [tags] }, op: "has", operand: tag };
      }
      const field = m.groups?.["field"] ?? "";
      const schema = properties[field];
      if (schema?.["type"] !== "string")
        throw new PlannerDeclined("refused", said, `the ${item.noun} have no text field "${field}"`);
      return { value: { kind: "ref", step: item.step, path: [field] }, op: "eq", operand: m.groups?.["value"] ?? "" };
    };
    out.push({ resolve, before: [], start: m.index, end: m.index + m[0].length, said, leading: leads(text, m) });
  }
  for (const m of text.take(
    rx()`
      ,?\s*\bif\s+(?:(?:it|the incident|the ticket|its priority|the priority|the incident's priority|
      its status)\s+is|it's|(?<nobody>(?:nobody|no one)\s+is\s+assigned(?:\s+to\s+it)?(?:\s+yet)?|
      it\s+has\s+no\s+(?:assignee|owner)(?:\s+yet)?))\s*(?:a\s+|an\s+|still\s+)?(?:(?<=\bis\s+|
      it's\s+|\ban?\s+|still\s+)(?<value>[a-z0-9_]+(?:\s+or\s+(?:a\s+|
      an\s+)?[a-z0-9_]+)*)\b)?(?:(?<comma>\s*,)|(?<verb>(?=\s+(?:then\s+|also\s+)*(?:page|post|send|
      notify|assign|add|dm|message|close|create|open|tell|alert|escalate|disable|remove|set|
      comment)\b))|)`,
    "condition",
  )) {
    const said = text.originalOf(m);
    const values = m.groups?.["nobody"] ? ["unassigned"] : (m.groups?.["value"] ?? "").split(/\s+or\s+(?:an?\s+)?/);
    if (!m.groups?.["nobody"] && !m.groups?.["value"])
      throw new PlannerDeclined("refused", text.originalOf(m), "it does not say what the condition is");
    const resolve = (context: Context): Condition => {
      const item = itemSpokenOf(context, said);
      const conditions = values.map((value) => wordCondition(item.schema, value, item.step));
      const missing = values.filter((_, i) => !conditions[i]);
      if (missing.length > 0)
        throw new PlannerDeclined(
          "refused",
          said,
          `no field of the ${item.noun} takes the value "${missing.join('", "')}"`,
        );
      const first = conditions[0] as Condition;
      if (conditions.length === 1) return first;
      // "P1 or P2": one field, either value.
      const same = conditions.every((c) => c?.op === "eq" && JSON.stringify(c.value) === JSON.stringify(first.value));
      if (!same)
        throw new PlannerDeclined(
          "refused",
          said,
          "the values belong to different fields; say each condition on its own",
        );
      return { value: first.value, op: "in", operand: conditions.map((c) => String(c?.operand)) };
    };
    out.push({ resolve, before: [], start: m.index, end: m.index + m[0].length, said, leading: leads(text, m) });
  }
  // "For critical ones, also page …": the input whose values include that word.
  if (builder.declared.names.length > 0 && frame.context.takesInput) {
    for (const m of text.take(
      rx()`
        ,?\s*\b(?:and\s+)?(?:only\s+)?for\s+(?<value>[a-z0-9_-]+)\s+(?:ones|alerts|events|calls|
        updates|incidents|requests|messages)\b,?(?:\s+also\b)?`,
      "condition",
    )) {
      const value = m.groups?.["value"] ?? "";
      const on = builder.declared.names.filter((n) =>
        new RegExp(
          `["']?${n}["']?\\s*(?::|is|=)\\s*(?:either\\s+)?["']?(?:[a-z0-9_-]+["']?\\s*(?:,|or)\\s*["']?)*${value}\\b`,
          "i",
        ).test(text.verbatim),
      );
      const said = text.originalOf(m);
      if (on.length !== 1 || !on[0])
        throw new PlannerDeclined(
          "needs-input",
          said,
          `which field says "${value}"? Say "if <field> is ${value}"`,
          builder.declared.names,
        );
      const field = on[0];
      const condition: Condition = { value: { kind: "input", field }, op: "eq", operand: value };
      builder.input(field, { type: "string" }, true, `${field} (the condition "${said}" reads it)`);
      fixed(m, said, condition, true);
    }
  }
  // "For leavers: …": a value of a field the payload shows ("action": "leaver"), made plural.
  if (builder.declared.names.length > 0 && frame.context.takesInput) {
    const candidate = /(?<=^|[.;:]\s{0,3})\s*for\s+(?<value>[a-z0-9_-]+?)s?\s*:/g;
    for (let m = candidate.exec(text.lower); m; m = candidate.exec(text.lower)) {
      if (!text.free(m.index, m.index + m[0].length)) continue;
      const value = m.groups?.["value"] ?? "";
      const on = builder.declared.names.filter((n) =>
        new RegExp(`["']${n}["']\\s*:\\s*["']${value}["']`, "i").test(text.verbatim),
      );
      if (on.length !== 1 || !on[0]) continue;
      text.mark(m.index, m.index + m[0].length, "condition");
      const condition: Condition = { value: { kind: "input", field: on[0] }, op: "eq", operand: value };
      builder.input(on[0], { type: "string" }, true, `${on[0]} (the condition "${text.originalOf(m)}" reads it)`);
      fixed(m, text.originalOf(m), condition, true);
    }
  }
  // "if the severity is critical, …": a field the caller (or the webhook's payload) passes.
  const declared = builder.declared.names;
  if (declared.length > 0 && frame.context.takesInput) {
    const fields = declared.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    const pattern = new RegExp(
      `,?\\s*\\b(?:if|when)\\s+(?:the\\s+)?(?:(?:payload|alert|input|request|event|` +
        `body)(?:'s)?\\s+)?\`?(?<field>${fields})\`?\\s+(?:is|equals|=|` +
        `==)\\s+(?<neg>not\\s+)?(?<value>"[^"]*"|[a-z0-9_.-]+)(?:(?<comma>\\s*,)|` +
        `(?<verb>(?=\\s+(?:then\\s+|also\\s+)*(?:page|post|send|notify|assign|add|dm|message|close|` +
        `create|open|tell|alert|escalate|disable|remove|set|comment)\\b))|)`,
    );
    for (const m of text.take(pattern, "condition")) {
      const said = text.originalOf(m);
      const field = m.groups?.["field"] ?? "";
      const value = (text.groupAsWritten(m, "value") ?? "").replace(/^"|"$/g, "");
      const condition: Condition = {
        value: { kind: "input", field },
        op: m.groups?.["neg"] ? "ne" : "eq",
        operand: value,
      };
      fixed(m, said, condition, leads(text, m));
      // The field is an input the workflow takes.
      builder.input(field, { type: "string" }, true, `${field} (the condition "${said}" reads it)`);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The resource's items are the lister's items; a sample read shows whether they really are. */
async function eventShape(
  live: LiveReads,
  integration: string,
  uri: string,
  itemSchema: Record<string, unknown>,
  builder: PlanBuilder,
  said: string,
): Promise<Record<string, unknown>> {
  const sample = eventItems(await live.readResource(integration, uri));
  const known = new Set(Object.keys((itemSchema["properties"] as Record<string, unknown> | undefined) ?? {}));
  const strange = sample.flatMap((item) => Object.keys(item)).filter((key) => !known.has(key));
  if (strange.length > 0)
    throw new PlannerDeclined(
      "refused",
      said,
      `${uri} carries fields (${[...new Set(strange)].join(", ")}) that the tenant's list tool ` +
        `does not describe, so its items' shape is unknown`,
    );
  builder.checks.push(
    sample.length
      ? `read ${uri} once (read-only): ${sample.length} item(s), shaped as the tool that lists them says`
      : `read ${uri} once (read-only): empty now; its items are taken to be shaped as the tool that lists them says`,
  );
  return itemSchema;
}

function inferSchema(items: Record<string, unknown>[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const item of items)
    for (const [key, value] of Object.entries(item))
      properties[key] ??= { type: value === null ? "null" : Array.isArray(value) ? "array" : typeof value };
  return { type: "object", properties };
}

/** The creation time of an item schema's items: created_at, else at, else the first date-time field. */
function timeFieldOf(shape: Record<string, unknown>): string | undefined {
  const properties = (shape["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  if (properties["created_at"]) return "created_at";
  if (properties["at"]) return "at";
  return Object.entries(properties).find(([, s]) => s["format"] === "date-time")?.[0];
}

function scalarFields(shape: Record<string, unknown>): string[] {
  const properties = (shape["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  const out = Object.entries(properties)
    .filter(([, s]) => ["string", "number", "integer", "boolean"].includes(String(s["type"])))
    .map(([k]) => k);
  return out.length ? out : Object.keys(properties).slice(0, 1);
}

function nameOf(request: string): string {
  const words = request
    .toLowerCase()
    .replace(/#[\w-]+/g, "")
    .match(/[a-z][a-z0-9]+/g) ?? ["workflow"];
  const skip = new Set([
    "the",
    "a",
    "an",
    "and",
    "to",
    "of",
    "is",
    "when",
    "every",
    "at",
    "then",
    "them",
    "it",
    "there",
    "post",
    "with",
  ]);
  return (
    words
      .filter((w) => !skip.has(w))
      .slice(0, 5)
      .join("-")
      .slice(0, 60) || "workflow"
  );
}

type LiteralItem = {
  pattern: RegExp;
  reader: { tool: PlanTool; inputField: string } | undefined;
  /** Why there is no plan when no tool reads such an item. */
  missing: string;
  idName: string;
  id: (match: RegExpExecArray) => string;
  /** What the words become once read, for the clauses after them. */
  pronoun: string;
  context: (step: string, schema: Record<string, unknown>) => Context;
};

/** The first of `kinds` the text names by id: a call that reads it, and the context it gives. */
function readLiteralItem(
  text: RequestText,
  block: PlanStep[],
  builder: PlanBuilder,
  kinds: LiteralItem[],
): Context | undefined {
  for (const kind of kinds) {
    const match = text.takeOne(kind.pattern, "subject");
    if (!match) continue;
    const said = text.originalOf(match);
    if (!kind.reader?.tool.outputSchema) throw new PlannerDeclined("refused", said, kind.missing);
    const id = builder.id(kind.idName);
    block.push({
      kind: "call",
      id,
      tool: kind.reader.tool.key,
      args: { [kind.reader.inputField]: { kind: "const", value: kind.id(match) } },
    });
    builder.clause(said, id);
    text.substitute(match.index, match.index + match[0].length, kind.pronoun);
    return kind.context(id, kind.reader.tool.outputSchema);
  }
  return undefined;
}

/** A call that reads the incident whose id the caller passes, as an input of the workflow. */
function readIncidentByInput(
  block: PlanStep[],
  builder: PlanBuilder,
  getter: { tool: PlanTool; inputField: string },
): string {
  const id = builder.id("incident");
  const schema = propertyOf(getter.tool.inputSchema, getter.inputField) ?? { type: "string" };
  const input = builder.input("incident_id", schema, true, "the incident's id");
  block.push({ kind: "call", id, tool: getter.tool.key, args: { [getter.inputField]: input } });
  return id;
}

/** The incident a step read, as the item the clauses after it are about. */
function incidentItem(step: string, schema: Record<string, unknown>): Item {
  return { step, schema, noun: "incidents", typed: true };
}

/** The item "it" stands for in a condition: the trigger's, the input's or an earlier step's. */
function itemSpokenOf(context: Context, said: string): Item {
  if (context.item) return context.item;
  throw new PlannerDeclined(
    "refused",
    said,
    'it does not say what "it" is (no incident in the trigger, the input or an earlier step)',
  );
}
