/**
 * The actions the offline planner reads, each as a phrase pattern and what it adds to a block of
 * steps: post to a channel, page the on-call engineer, send someone a message, open a bridge
 * channel, open an incident, disable a user, add to or remove from groups, create a user, comment
 * on an incident, set its priority or status. Each finds its tool in the catalog by verb, noun and
 * input fields; the words of a phrase it cannot give meaning to are refused, never dropped.
 */
import { rx } from "../../core/rx.ts";
import { PlannerDeclined } from "../../core/errors.ts";
import type { PlanStep, PlanValue } from "../../core/plan.ts";
import { type PlanTool, propertyOf } from "../plan/tools.ts";
import { bindArgs, type PlanBuilder } from "./builder.ts";
import { type CatalogView, personPath, plural, singular } from "./catalog.ts";
import { itemFields, lineFields, personFields, splitLineFormat } from "./fields.ts";
import { readListPhrase } from "./filters.ts";
import { RequestText } from "./request-text.ts";

export type Item = { step: string; schema: Record<string, unknown>; noun: string; typed: boolean };
export type Person = {
  email: PlanValue;
  id?: PlanValue;
  name?: PlanValue;
  groups?: PlanValue;
  schema?: Record<string, unknown>;
};
export type Context = {
  item?: Item;
  person?: Person;
  groupName?: PlanValue;
  /** A message the caller passes ("with a message"): the input field, once asked for. */
  takesInput: boolean;
  /** The channel an earlier step opened ("post … there"). */
  channelVar?: PlanValue;
  /** Who the last page went to ("a note saying who was paged"). */
  paged?: Person;
  /** What the step a fallback replaces would have said: a fallback that says nothing says that. */
  insteadText?: PlanValue | undefined;
  /** The channel the last post went to ("if that fails, post "…" instead"). */
  lastChannel?: PlanValue;
  /** The text the last message or post sent ("post the same note in #it-ops"). */
  lastText?: PlanValue;
  /**
   * Who the message being read goes to: "incidents assigned to him" in a DM to Sam Okafor, when the
   * workflow is about nobody else.
   */
  recipient?: Person;
  /** What the trigger's event did to the person, said of the group ("was added to"): what "let them know" tells. */
  happened?: string;
  /** The list the request spoke of last ("if there are any", "a summary of them"). */
  list?: { id: string; item: Item; said: string };
};

export type ActionSpec = {
  kind: string;
  start: number;
  end: number;
  said: string;
  build: (context: Context, block: PlanStep[]) => string[];
};

/** Words that end a group's name rather than being one: "add them to it-admins and …". */
const CONNECTIVES = "and|or|then|if|but|with|so|when";
const TARGET_THEM =
  "them|him|her|the user|the new user|the new member|the member|each member|every member|" +
  "each of them|the employee|the person";
const REMOVE_THEM_FROM = `\\bremove\\s+(?:${TARGET_THEM})\\s+from|\\btake\\s+(?:${TARGET_THEM})\\s+out\\s+of`;
/**
 * A field of an item said by name in a message ("with its title, priority and service"): a list of
 * these goes on past "," and "and".
 */
const FIELD_NAME =
  "(?:title|summary|priority|status|number|id|assignee|reporter|service|severity|description|department|email|name)";
const STOP =
  `(?=\\s*(?:;|[?!](?=\\s|$)|,(?!\\s*(?:and\\s+)?(?:its\\s+|the\\s+|` +
  `their\\s+)?${FIELD_NAME}\\b(?=\\s*(?:,|\\band\\b|&|\\)|\\.|;|$)))|\\.(?![a-z0-9/])|` +
  `\\band\\b(?!\\s+(?:its\\s+|the\\s+|their\\s+)?${FIELD_NAME}\\b|\\s+who\\b|\\s+[a-z]*\\d[\\w-]*\\b|` +
  `\\s+(?:are|is|were|was|have|has|had|still|aren't|isn't|haven't|hasn't|that|which|whose|nobody|` +
  `no one|older|created|opened|unassigned|not)\\b)|\\bthen\\b|\\bif\\b|\\botherwise\\b|\\binstead\\b|` +
  `\\bunless\\b|$))`;

export function readActions(text: RequestText, catalog: CatalogView, builder: PlanBuilder): ActionSpec[] {
  const specs: ActionSpec[] = [];
  /** A phrase as written, for clauses and answers. */
  const said = (m: RegExpExecArray) => text.originalOf(m);
  const add = (kind: string, match: RegExpExecArray, build: ActionSpec["build"]) =>
    specs.push({ kind, start: match.index, end: match.index + match[0].length, said: text.originalOf(match), build });
  const need = (tool: PlanTool | undefined, said: string, what: string): PlanTool => {
    if (!tool) throw new PlannerDeclined("refused", said, `no tool of this tenant can ${what}`);
    return tool;
  };

  // Open a bridge channel (before "post", whose "open … channel" it is not).
  for (const m of text.take(
    rx()`
      \b(?:open|create|start|spin up|set up)\s+(?:a|an)\s+(?:new\s+)?(?:bridge|war[- ]room|incident|
      dedicated)\s+channel(?:\s+for\s+(?:it|the incident))?\b`,
    "bridge",
  )) {
    add("bridge", m, (context, block) => {
      const tool = need(catalog.action(["create"], "channel", [["name"]]), said(m), "create a channel");
      const id = builder.id("bridge");
      const item = context.item;
      const key = item ? field(item, ["id", "number", "key"]) : undefined;
      const name: PlanValue = key
        ? { kind: "text", parts: ["inc-", key], slug: true }
        : { kind: "const", value: "bridge" };
      const topic = item ? summaryOf(item) : undefined;
      const bound: Record<string, PlanValue> = { name };
      if (topic && propertyOf(tool.inputSchema, "topic")) bound["topic"] = topic;
      if (key) context.channelVar = { kind: "ref", step: id, path: ["name"] };
      pushCall(block, id, tool, bound, context, said(m));
      if (!key)
        throw new PlannerDeclined(
          "refused",
          said(m),
          "a bridge channel is named after an incident, and this workflow has none",
        );
      return [id];
    });
  }

  // Who an action names: them, the on-call engineer, the reporter, an email address, or (last) a person's name ("Li
  // Wen"), taken only when written capitalized.
  const WHO =
    `the\\s+(?:current\\s+)?[a-z0-9-]*on-?call\\s+(?:engineer|person|sre|responder|admin)|(?:(?:the|` +
    `its|their)\\s+)?(?:(?:existing|current|previous|old)\\s+)?assignee|(?:their|his|her|the user's|` +
    `the employee's|the member's|the new hire's|the)\\s+manager|${TARGET_THEM}|` +
    `(?:the on-?call(?: engineer| person| sre| responder| admin)?|whoever is on call)(?:\\s+(?:for|in|` +
    `of|on)\\s+(?:the\\s+)?(?:rotation\\s+)?(?!(?:each|every|it|them|this|that|` +
    `the)\\b(?!-))[a-z0-9][\\w-]*(?:\\s+rotation)?)?|the reporter(?:\\s+of\\s+(?:it|the incident))?|` +
    `[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+|(?!(?:them|him|her|it|us|me|the|a|an|each|every|` +
    `all)\\b)[a-z][a-z'-]+ (?!(?:with|about|saying|that|to|a|an|the|and|or|if|then)\\b)[a-z][a-z'-]+`;
  /** The person `who` (a WHO phrase of match `m`, as written at `at`) refers to; a refusal when nobody. */
  const personFor = (who: string, written: string, m: RegExpExecArray, context: Context, block: PlanStep[]): Person => {
    // "whoever is on call for sre-oncall", "the current sre-oncall engineer": the on-call person of that rotation.
    const rotation =
      rx()`
        on[- ]?call(?:\s+(?:engineer|person|sre|responder|admin))?\s+(?:for|in|of|
        on)\s+(?:the\s+)?(?:rotation\s+)?([a-z0-9][\w-]*)`.exec(who)?.[1] ??
      /^the\s+(?:current\s+)?([a-z0-9-]+-on-?call|[a-z0-9-]+oncall)\s+(?:engineer|person|sre|responder|admin)$/.exec(
        who,
      )?.[1];
    const assignee =
      /assignee$/.test(who) && context.item && propertyOf(context.item.schema, "assignee")
        ? ({
            email: { kind: "ref", step: context.item.step, path: ["assignee", "email"] },
            name: { kind: "ref", step: context.item.step, path: ["assignee", "name"] },
            id: { kind: "ref", step: context.item.step, path: ["assignee", "id"] },
          } satisfies Person)
        : undefined;
    if (/assignee$/.test(who) && !assignee)
      throw new PlannerDeclined(
        "refused",
        said(m),
        "it names an assignee, and this workflow has no incident that has one",
      );
    const person =
      assignee ??
      (/manager$/.test(who)
        ? managerOf(context, block, catalog, builder, said(m))
        : /@/.test(who)
          ? ({ email: { kind: "const", value: who } } satisfies Person)
          : /on-?call|on call/.test(who)
            ? onCallPerson(catalog, builder, context, block, rotation, said(m))
            : /reporter/.test(who)
              ? reporter(context, said(m))
              : new RegExp(`^(?:${TARGET_THEM})$`).test(who)
                ? context.person
                : namedPerson(written, context, block, catalog, builder, said(m)));
    if (!person)
      throw new PlannerDeclined(
        "refused",
        said(m),
        `"${who}" refers to nobody this workflow knows (no user in its trigger or input)`,
      );
    return person;
  };

  // Create a channel called x [private] [and invite …]; archive a channel.
  for (const m of text.take(
    new RegExp(
      `\\b(?:create|open|set up|make|start)\\s+(?:a|an)\\s+(?:new\\s+)?(?<private>private|` +
        `public)?\\s*(?:new\\s+)?(?:slack\\s+|chat\\s+)?channel\\s+(?:called|` +
        `named)\\s+#?(?<name>[a-z0-9][a-z0-9_-]*(?:<[^<>]{1,40}>[a-z0-9_-]*)?|` +
        `<[^<>]{1,40}>[a-z0-9_-]*)(?:\\s*\\((?:e\\.g\\.|for example|like|say|` +
        `i\\.e\\.)[^)]*\\))?(?:\\s+(?:with\\s+(?:the\\s+)?topic|` +
        `about)\\s+"(?<topic>[^"]+)")?(?:\\s*(?:,|and)?\\s*(?:invite|` +
        `add)\\s+(?<who>(?:${WHO})(?:\\s*(?:,|and)\\s*(?:${WHO}))*)(?:\\s+(?:to|into)\\s+it)?)?${STOP}`,
    ),
    "channel",
  )) {
    add("channel", m, (context, block) => {
      const tool = need(catalog.action(["create"], "channel", [["name"]]), said(m), "create a channel");
      // "war-room-<incident number in lower case>": the name with the item's id in it.
      const written = m.groups?.["name"] ?? "";
      const slot = /<([^<>]+)>/.exec(written);
      let name: PlanValue = { kind: "const", value: written };
      if (slot) {
        const key =
          context.item && /\b(?:id|number|key|incident|ticket)\b/.test(slot[1] ?? "")
            ? field(context.item, ["id", "number", "key"])
            : undefined;
        if (!key)
          throw new PlannerDeclined(
            "refused",
            said(m),
            `"<${slot[1] ?? ""}>" in the channel's name is nothing this workflow has (an incident's number is)`,
          );
        name = {
          kind: "text",
          parts: [written.slice(0, slot.index), key, written.slice(slot.index + slot[0].length)].filter(
            (p) => p !== "",
          ),
          slug: true,
        };
      }
      const bound: Record<string, PlanValue> = { name };
      const topic = text.groupAsWritten(m, "topic");
      if (topic) bound["topic"] = { kind: "const", value: topic };
      const privacy = m.groups?.["private"];
      if (privacy) {
        if (!propertyOf(tool.inputSchema, "private"))
          throw new PlannerDeclined("refused", said(m), `${tool.key} cannot make a ${privacy} channel`);
        bound["private"] = { kind: "const", value: privacy === "private" };
      }
      const whoText = m.groups?.["who"];
      if (whoText) {
        const membersField = ["members", "member_emails", "invitees"].find((f) => propertyOf(tool.inputSchema, f));
        if (!membersField) throw new PlannerDeclined("refused", said(m), `${tool.key} cannot invite anyone`);
        const writtenWho = text.groupAsWritten(m, "who") ?? whoText;
        const whos = whoText.split(/\s*(?:,|\band\b)\s*/).filter(Boolean);
        const writtenWhos = writtenWho.split(/\s*(?:,|\band\b)\s*/).filter(Boolean);
        bound[membersField] = {
          kind: "array",
          items: whos.map((who, i) => personFor(who, writtenWhos[i] ?? who, m, context, block).email),
        };
      }
      const id = builder.id(`channel ${written.replace(/<[^>]*>/g, "")}`);
      pushCall(block, id, tool, bound, context, said(m));
      context.channelVar = { kind: "ref", step: id, path: ["name"] };
      return [id];
    });
  }
  for (const m of text.take(
    /\barchive\s+(?:the\s+)?(?:channel\s+)?#(?<channel>[a-z0-9][a-z0-9_-]*)(?:\s+channel)?\b/,
    "archive",
  )) {
    add("archive", m, (context, block) => {
      const tool = need(
        catalog.action(["archive"], "channel", [["channel", "name", "id"]]),
        said(m),
        "archive a channel",
      );
      const fieldName = ["channel", "name", "id"].find((f) => propertyOf(tool.inputSchema, f)) ?? "channel";
      const id = builder.id("archive");
      pushCall(
        block,
        id,
        tool,
        { [fieldName]: { kind: "const", value: m.groups?.["channel"] ?? "" } },
        context,
        said(m),
      );
      return [id];
    });
  }

  // Post to #channel / notify #channel / post … there.
  const postVerb = "(?:post|send|share|announce|publish|write|report|put|list|drop)";
  const tellVerb =
    "(?:post|send|share|announce|publish|write|report|put|list|drop|tell|notify|inform|update|message|log)";
  const CHANNELS = "#(?<channel>[a-z0-9][a-z0-9_-]*)(?<more>(?:\\s*(?:,|and|&)\\s*#[a-z0-9][a-z0-9_-]*)*)";
  for (const m of text.take(
    new RegExp(
      `\\b${tellVerb}\\s+(?:(?:to|in|into|on)\\s+)?${CHANNELS}\\s+(?!about\\b|of\\b|and\\b|then\\b|` +
        `if\\b|otherwise\\b)(?<content>.+?)${STOP}`,
    ),
    "post",
  ))
    addPosts(m);
  // The words between the verb and the channel stay within one clause ("…, then post x to #c" is not one post).
  const CLAUSE = "(?:(?!\\bthen\\b|[;.]\\s|,\\s*(?:and\\s+)?(?:then|also)\\b).)*?";
  // "…: number, priority and title of each": what each line says.
  const FIELD = "(?:number|id|priority|title|status|assignee|owner|reporter|service|summary)";
  const FORMAT =
    `(?:\\s*:\\s*|\\s*\\(\\s*|\\s+(?:with|showing|including|` +
    `giving)\\s+(?:the\\s+)?)(?<format>${FIELD}(?:\\s*(?:,|and|&)\\s*(?:the\\s+|` +
    `its\\s+)?${FIELD})*\\s+(?:of|for)\\s+each(?:\\s+(?:one|of them|incident|ticket))?)(?:\\s*\\))?`;
  for (const m of text.take(
    new RegExp(
      `\\b${postVerb}\\b(?<content>${CLAUSE})\\s*\\b(?:to|in|into|` +
        `on)\\s+(?:the\\s+)?(?:channels?\\s+)?${CHANNELS}(?:\\s+channels?)?\\b(?:${FORMAT})` +
        `?(?:\\s*\\(\\s*(?<afterp>[a-z][a-z ,&+'-]*?)\\s*\\)|\\s*,?\\s+(?<after>(?:with|showing|` +
        `including|containing|listing|giving|naming|mentioning|saying)\\s+(?!")(?:[^,;.:"]|` +
        `,(?=\\s*(?:and\\s+)?(?:its\\s+|the\\s+|their\\s+)?${FIELD_NAME}\\b))+?)${STOP})?`,
    ),
    "post",
  ))
    addPosts(m);
  /** One post per channel named ("to #it-ops and #incidents"), each with the same text. */
  function addPosts(m: RegExpExecArray) {
    const channels = [
      m.groups?.["channel"] ?? "",
      ...(m.groups?.["more"] ?? "")
        .split(/[^a-z0-9_#-]+/)
        .filter((c) => c.startsWith("#"))
        .map((c) => c.slice(1)),
    ];
    // "drop a note in #it-ops with the ticket number": what the note holds, said after where it goes.
    const before = text.groupAsWritten(m, "content") ?? text.groupAsWritten(m, "content2") ?? "";
    const inParens = text.groupAsWritten(m, "afterp");
    const after = text.groupAsWritten(m, "after") ?? (inParens ? `(${inParens})` : undefined);
    const content = after
      ? rx("i")`
        ^\s*(?:(?:a|an|the)\s+)?(?:short\s+|brief\s+|quick\s+)?(?:note|message|update|line|post|
        notice|notification|heads-up|heads up|ping)?\s*$`.test(before)
        ? after
        : `${before.trim()} ${after}`
      : before;
    add("post", m, (context, block) => channels.flatMap((channel) => postBuilder(m, channel, content)(context, block)));
  }
  for (const m of text.take(
    rx()`
      \blet\s+#(?<channel>[a-z0-9][a-z0-9_-]*)(?<more>)\s+know(?:\s+about\s+(?<content>it|
      the incident|them))?\b(?:,?\s+and\s+(?<content2>who)\b)?`,
    "post",
  ))
    addPosts(m);
  for (const m of text.take(
    rx()`
      \b(?:notify|tell|alert|inform|
      ping)\s+(?:the\s+)?(?:channels?\s+)?#(?<channel>[a-z0-9][a-z0-9_-]*)(?<more>(?:\s*(?:,|and|
      &)\s*#[a-z0-9][a-z0-9_-]*)*)(?:\s+channels?)?(?:\s+(?:about|of)\s+(?<content>it|the incident|
      them))?\b`,
    "post",
  ))
    addPosts(m);
  // "…; if that fails, post "…" instead": to the channel of the post it replaces.
  for (const m of text.take(/\b(?:post|send|put)\s+(?<content>"[^"]*")(?=\s+instead\b)/, "post")) {
    add("post", m, (context, block) => {
      if (!context.lastChannel)
        throw new PlannerDeclined("refused", said(m), "it does not say which channel to post in");
      return postBuilder(m, undefined, text.groupAsWritten(m, "content") ?? "", context.lastChannel)(context, block);
    });
  }
  for (const m of text.take(
    new RegExp(
      `\\b${postVerb}\\b(?<content>${CLAUSE})\\s*(?:\\bthere\\b|\\b(?:in|into|to)\\s+(?:it|` +
        `that channel|the channel|the new channel)\\b)`,
    ),
    "post",
  )) {
    add("post", m, postBuilder(m, undefined, text.groupAsWritten(m, "content") ?? ""));
  }
  function postBuilder(
    m: RegExpExecArray,
    channel: string | undefined,
    content: string,
    sameAs?: PlanValue,
  ): ActionSpec["build"] {
    return (context, block) => {
      const tool = need(
        catalog.action(["post", "send"], undefined, [["channel"], ["text", "message", "body"]]),
        said(m),
        "post a message to a channel",
      );
      const textField = ["text", "message", "body"].find((f) => propertyOf(tool.inputSchema, f)) ?? "text";
      const target = channel ? ({ kind: "const", value: channel } satisfies PlanValue) : (sameAs ?? context.channelVar);
      if (!target) throw new PlannerDeclined("refused", said(m), '"there" names no channel an earlier step opened');
      const value = withLineFormat(
        readContent(content, context, said(m), catalog, builder, block),
        m.groups?.["format"],
        said(m),
      );
      context.lastText = value;
      context.lastChannel = target;
      const id = builder.id(`post${channel ? ` ${channel}` : ""}`);
      pushCall(block, id, tool, { channel: target, [textField]: value }, context, said(m));
      return [id];
    };
  }

  // Page the on-call engineer (of a rotation) [with …].
  for (const m of text.take(
    new RegExp(
      `\\b(?:page|call out|alert)\\s+(?:whoever is on call|` +
        `(?:the\\s+)?(?:current\\s+)?on[- ]?call(?:\\s+(?:engineer|person|sre|admin|` +
        `responder))?)(?:\\s+(?:for|of|on|in)\\s+(?:the\\s+)?(?:rotation\\s+)?(?!(?:each|every|it|` +
        `them|this|that|the)\\b(?!-))"?(?<rotation>[a-z0-9][\\w-]*)"?(?:\\s+rotation)?)` +
        `?(?:\\s*,?\\s+(?:with|about)\\s+(?<content>.+?))?${STOP}`,
    ),
    "page",
  )) {
    add(
      "page",
      m,
      pageBuilder(m, (context, block) =>
        onCallPerson(catalog, builder, context, block, m.groups?.["rotation"], said(m)),
      ),
    );
  }
  // Page them / the reporter / a person by name.
  for (const m of text.take(
    new RegExp(
      `\\bpage\\s+(?<who>${TARGET_THEM}|the reporter(?:\\s+of\\s+(?:it|the incident))?|(?!(?:them|` +
        `him|her|it|us|me|the|a|an|each|every|all)\\b)[a-z][a-z'-]+ (?!(?:with|about|saying|that|to|a|` +
        `an|the|and|or|if|then)\\b)[a-z][a-z'-]+)(?:\\s+(?:with|about)\\s+(?<content>.+?))?${STOP}`,
    ),
    "page",
  )) {
    add(
      "page",
      m,
      pageBuilder(m, (context, block) => {
        const who = m.groups?.["who"] ?? "";
        const person = /reporter/.test(who)
          ? reporter(context, said(m))
          : new RegExp(`^(?:${TARGET_THEM})$`).test(who)
            ? context.person
            : namedPerson(text.groupAsWritten(m, "who") ?? who, context, block, catalog, builder, said(m));
        if (!person) throw new PlannerDeclined("refused", said(m), `"${who}" refers to nobody this workflow knows`);
        return person;
      }),
    );
  }
  /** A page to whoever `target` finds, with the text the phrase gives. */
  function pageBuilder(
    m: RegExpExecArray,
    target: (context: Context, block: PlanStep[]) => Person,
  ): ActionSpec["build"] {
    return (context, block) => {
      const tool = need(catalog.action(["page"], undefined, [["user_email", "email"]]), said(m), "page a person");
      // What the page says is read first, then who gets it: the lookup of who is on call sits right before the page.
      const messageField = ["message", "text", "body"].find((f) => propertyOf(tool.inputSchema, f));
      const message = messageField
        ? readContent(text.groupAsWritten(m, "content") ?? "", context, said(m), catalog, builder, block)
        : undefined;
      const person = target(context, block);
      const bound: Record<string, PlanValue> = {
        [propertyOf(tool.inputSchema, "user_email") ? "user_email" : "email"]: person.email,
      };
      if (messageField && message) {
        bound[messageField] = message;
        context.lastText = message;
      }
      const id = builder.id("page");
      pushCall(block, id, tool, bound, context, said(m));
      // "…; if paging fails, send them a direct message": them is who was paged.
      context.person ??= person;
      context.paged = person;
      return [id];
    };
  }

  // Send them / the on-call engineer a (welcome|direct) message [with …].
  // "… a message reminding them to update their notes": the reminder, said to them.
  const INTRO =
    `(?:(?<=reminder)\\s+(?<rverb>to|about)\\s+(?<reminder2>(?![^,;.]*\\b(?:number|numbers|count|` +
    `list|how many|ids?|names?)\\b)[a-z][^,;.]*?)(?=\\s*(?:[,;.]|\\band\\b|\\bthen\\b|$))|` +
    `\\s+(?<purpose>as\\s+an?\\s+(?:heads[- ]up|reminder|fyi)|to\\s+let\\s+(?:them|him|her)\\s+know|` +
    `so\\s+(?:they|he|she)\\s+knows?|fyi)(?=\\s*(?:[,;.]|\\band\\b|\\bthen\\b|$))|\\s+(?:with|saying|` +
    `about|listing|containing|showing|summarizing|summarising|that lists|` +
    `that says)\\s+(?<content>.+?)|\\s+(?<content2>that\\s+(?!lists\\b|says\\b).+?)|` +
    `\\s+(?<remind>reminding|asking|telling|to remind|to ask|to tell)\\s+(?:them|him|her|everyone|` +
    `everybody|people)\\s+(?<verb>to|that|about)\\s+(?<reminder>.+?)|\\s+(?<tell>telling|to tell|` +
    `letting|to let)\\s+(?:them|him|her|everyone|everybody|` +
    `people)(?:(?<=let(?:ting)?\\s+\\w+)\\s+know)?\\s+(?:that\\s+)?(?<told>(?!to\\b|about\\b|of\\b|` +
    `how\\b|what\\b|which\\b|who\\b|when\\b|whether\\b|if\\b)(?![^,;.]*\\b(?:number|numbers|count|` +
    `list|ids?|names?|how many|total|which|who)\\b)(?:they|he|she|it|there|we|you)\\b.+?))?`;
  const dmPatterns = [
    // "DM the assignee and remind them to update the ticket": one message, the reminder.
    new RegExp(
      `\\b(?:dm|message)\\s+(?<who>${WHO})\\s+and\\s+(?<remind>remind|ask|tell)\\s+(?:them|him|` +
        `her)\\s+(?<verb>to|that|about)\\s+(?<reminder>(?![^,;.]*\\b(?:number|numbers|count|list|` +
        `how many|ids?|names?)\\b)[a-z][^,;.]*?)${STOP}`,
    ),
    new RegExp(
      `\\b(?:send|write|dm|message)\\s+(?<who>${WHO})\\s+(?:a|an)\\s+(?:(?<kind>welcome|direct|` +
        `private|short|reminder)?\\s*(?:message|dm|note|reminder)|(?<kind2>welcome)\\b)${INTRO}${STOP}`,
    ),
    new RegExp(
      `\\b(?:send|write)\\s+(?:a|an)\\s+(?:(?<kind>welcome|direct|private|reminder)\\s*(?:message|` +
        `dm|note)?|dm|message|note)\\s+to\\s+(?<who>${WHO})${INTRO}${STOP}`,
    ),
    new RegExp(`\\b(?<remind>remind)\\s+(?<who>${WHO})\\s+(?<verb>to|that|about)\\s+(?<reminder>.+?)${STOP}`),
    // "let the reporter know by DM that it's resolved"
    new RegExp(
      `\\blet\\s+(?<who>${WHO})\\s+know\\s+(?:(?:by|via|in|with|through)\\s+(?:a\\s+)?(?:dm|` +
        `direct message|private message|chat)\\s+)?(?<content>that\\s+.+?)(?:\\s+(?:by|via|` +
        `in)\\s+(?:a\\s+)?(?:dm|direct message|private message))?${STOP}`,
    ),
    // "for every member of x, send a direct message …": to them, said before.
    new RegExp(
      `\\b(?:send|write)\\s+(?:a|an)\\s+(?<kind>welcome|direct|private|short|` +
        `reminder)\\s*(?:message|dm|note)?(?<who>)(?!\\s+to\\b)${INTRO}${STOP}`,
    ),
    new RegExp(
      `\\b(?:dm|message|send|tell)\\s+(?<who>${WHO})(?:\\s*\\((?:as\\s+)?(?:recorded|listed|set|` +
        `stored|found|given)\\s+in\\s+the\\s+directory\\))?(?:\\s+directly)` +
        `?\\s+(?<content>that\\s+.+?|(?:a|an)\\s+(?:short\\s+|brief\\s+|` +
        `quick\\s+)?confirmation(?:\\s+message)?|(?:the|a|an) (?:number|count|list|summary|` +
        `digest) of .+?|(?:the|its) (?:new )?(?:ticket|incident) (?:number|` +
        `id)(?: and (?:its )?title)?|(?:the|its)\\s+(?:(?:new\\s+)?(?:incident|` +
        `ticket)(?:'s)?\\s+)?(?:title|summary|number|id|priority|status|details)(?:\\s*(?:,|` +
        `and)\\s*(?:its\\s+|the\\s+)?(?:title|summary|number|id|priority|status))*|(?:any|all|` +
        `every) .+?|how many .+?|who (?:was|got|has been) (?:added|removed)|"[^"]+")${STOP}`,
    ),
    // "DM them the setup guide: https://…": a link, with what it is.
    new RegExp(
      `\\b(?:dm|message|send)\\s+(?<who>${WHO})\\s+(?<content>(?:(?:the|a|an|` +
        `our)\\s+)?[a-z][a-z -]{0,40}?\\s*:\\s*https?:\\/\\/[^\\s"]+?|https?:\\/\\/[^\\s"]+?)${STOP}`,
    ),
    // "notify the on-call engineer by DM": a direct message about what the workflow handles.
    new RegExp(
      `\\b(?:notify|tell|alert|inform|ping)\\s+(?<who>${WHO})\\s+(?:by|via|with|in|` +
        `through)\\s+(?:a\\s+)?(?:dm|direct message|private message)(?:\\s+(?:about|` +
        `of)\\s+(?<content>it|the incident|them))?${STOP}`,
    ),
    // "tell the reporter it's resolved": those words, said to them.
    new RegExp(
      `(?<!\\bto\\s+)\\b(?:tell|inform)\\s+(?<who>${WHO})\\s+(?:that\\s+)?(?<told>(?:it|they|he|` +
        `she|we|(?:the|their|his|her)\\s+(?:incident|ticket|issue|account|request|access|laptop|` +
        `change|fix))(?:'s|'re|'ve|\\s+is|\\s+are|\\s+has|\\s+have|\\s+was|\\s+were|` +
        `\\s+will)\\b(?![^,;.]*\\b(?:number|numbers|count|list|ids?|names?|how many|total|which|` +
        `who)\\b)[^,;.]*?)${STOP}`,
    ),
    new RegExp(
      `\\b(?:send|forward)\\s+(?<content>it|this|that|the message|that message|the given message|` +
        `the list|the same list|them|the same (?:thing|text|note))\\s+to\\s+(?<who>${WHO})\\s+(?:as|` +
        `in|by|via)\\s+(?:a\\s+|an\\s+)?(?:(?:direct|private)\\s+message|dm)${STOP}`,
    ),
    new RegExp(
      `\\b(?:send|forward)\\s+(?<content>it|this|that|the message|that message|` +
        `the given message)\\s+(?:as|in|by)\\s+(?:a|an)\\s+(?:dm|direct message|` +
        `private message)\\s+to\\s+(?<who>${WHO})${STOP}`,
    ),
    new RegExp(`\\b(?:welcome|dm|message)\\s+(?<who>${WHO})(?:\\s+directly)?${INTRO}${STOP}`),
  ];
  for (const pattern of dmPatterns) {
    for (const m of text.take(pattern, "message")) {
      add("message", m, (context, block) => {
        const tool = need(
          catalog.action(["direct", "dm", "send"], undefined, [
            ["user_email", "email"],
            ["text", "message", "body"],
          ]),
          said(m),
          "send a person a direct message",
        );
        const who = m.groups?.["who"] || "them";
        const person = personFor(who, text.groupAsWritten(m, "who") || who, m, context, block);
        const textField = ["text", "message", "body"].find((f) => propertyOf(tool.inputSchema, f)) ?? "text";
        const welcome =
          m.groups?.["kind"] === "welcome" || m.groups?.["kind2"] === "welcome" || /^welcome\b/.test(m[0]);
        const content = text.groupAsWritten(m, "content") ?? text.groupAsWritten(m, "content2");
        // "telling them they're on call today": those words, said to them ("You're on call today.").
        const told = text.groupAsWritten(m, "told");
        const reminder = text.groupAsWritten(m, "reminder") ?? told ?? text.groupAsWritten(m, "reminder2");
        const value: PlanValue = reminder
          ? {
              kind: "const",
              value: spokenTo(
                reminder,
                told ? "that" : (m.groups?.["verb"] ?? m.groups?.["rverb"] ?? "to"),
                /ask/.test(m.groups?.["remind"] ?? ""),
              ),
            }
          : content
            ? readContent(content, { ...context, recipient: person }, said(m), catalog, builder, block)
            : welcome
              ? {
                  kind: "text",
                  parts: [
                    "Welcome",
                    ...(context.groupName ? [" to ", context.groupName] : []),
                    ...(person.name ? [", ", person.name] : []),
                    "!",
                  ],
                }
              : m.groups?.["purpose"] && context.lastText
                ? // "… and send them a DM as a heads-up": what was just announced, to them.
                  {
                    kind: "text",
                    parts: [
                      "Heads-up: ",
                      ...(context.lastText.kind === "text" && !context.lastText.slug
                        ? context.lastText.parts
                        : [context.lastText]),
                    ],
                  }
                : m.groups?.["purpose"] && context.happened && context.person && context.groupName
                  ? // "When someone is added to sre-oncall, DM their manager to let them know": what happened.
                    {
                      kind: "text",
                      parts: [
                        context.person.name ?? context.person.email,
                        " (",
                        context.person.email,
                        `) ${context.happened} `,
                        context.groupName,
                        ".",
                      ],
                    }
                  : readContent("", context, said(m), catalog, builder, block);
        context.lastText = value;
        const id = builder.id("message");
        pushCall(
          block,
          id,
          tool,
          { [propertyOf(tool.inputSchema, "user_email") ? "user_email" : "email"]: person.email, [textField]: value },
          context,
          said(m),
        );
        return [id];
      });
    }
  }

  // Open an incident (from the input / the webhook's payload) [: P1 for critical, the summary as the title, …].
  const ITEM =
    "(?:p[1-4]\\s+for\\s+[a-z0-9_-]+|p[1-4]\\s+(?:if|when)\\s+(?:(?:the\\s+)?[a-z_]+\\s+is|" +
    'it(?:\'s|\\s+is))\\s+"?[a-z0-9_-]+"?|' +
    "[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+\\s+as\\s+(?:the\\s+)?[a-z_]+(?:\\s+[a-z_]+)?|" +
    '"[^"]*"\\s+as\\s+(?:the\\s+)?[a-z_]+(?:\\s+[a-z_]+)?|' +
    "(?:the\\s+)?[a-z_]+\\s+as\\s+(?:the\\s+)?[a-z_]+(?:\\s+(?!and\\b)[a-z_]+)?|" +
    "(?:the\\s+)?[a-z_]+\\s+(?:filled in|included|copied over|passed through|carried over)|" +
    "(?:priority\\s+)?p[1-4](?:\\s+priority)?|the\\s+(?:service|description|reporter_email|" +
    "reporter)(?=\\s*(?::|,|\\.|;|$)|\\s+and\\b))";
  const SPECS =
    `(?<specs>(?:\\s*:\\s*|\\s*,\\s*|\\s+with\\s+)${ITEM}(?:\\s*,\\s*(?:and\\s+)?${ITEM}|` +
    `\\s+and\\s+${ITEM})*(?=\\s*(?:[.;]|$|,\\s*(?:and\\s+)?(?:then\\s+)?(?:post|page|send|notify|` +
    `assign|dm|message|tell|alert)\\b)))?`;
  for (const m of text.take(
    new RegExp(
      `\\b(?:open|create|raise|file|log)\\s+(?:a|an|` +
        `the)\\s+(?:new\\s+)?(?:(?<priority>p[1-4])\\s+)?(?<noun>incident|` +
        `ticket)\\b(?!\\s+to\\s+(?:p[1-4]|priority|high|critical|urgent)\\b)(?:\\s+(?:from|with|` +
        `out of|using)\\s+(?:the\\s+)?(?:payload|input|request|webhook|it|alert|body|` +
        `alert's details)(?:'s)?(?:\\s+(?:fields|data|details))?)?(?:\\s+(?:with|using)\\s+(?:that|` +
        `the|its|this|those|these|the\\s+given|the\\s+payload's|` +
        `the\\s+alert's)\\s+(?<fields>[a-z_]+(?:\\s*(?:,|and)\\s*(?!(?:post|page|send|notify|assign|` +
        `add|dm|message|close|create|open|tell|alert|then)\\b)[a-z_]+)*)(?:\\s+(?:from|of|` +
        `in)\\s+(?:the\\s+)?(?:payload|input|alert|body|request|webhook))?)?${SPECS}`,
    ),
    "create",
  )) {
    add("create", m, (context, block) => {
      const tool = need(catalog.action(["create", "open"], "incident", []), said(m), "create an incident");
      const bound: Record<string, PlanValue> = {};
      const priority = m.groups?.["priority"];
      if (priority) bound["priority"] = { kind: "const", value: priority.toUpperCase() };
      // "with that title and service": those fields from the caller's input (a webhook's payload).
      for (const name of (m.groups?.["fields"] ?? "").split(/\s*(?:,|\band\b)\s*/).filter(Boolean)) {
        const schema = propertyOf(tool.inputSchema, name);
        if (!schema) throw new PlannerDeclined("refused", said(m), `${tool.key} has no field "${name}"`);
        if (!context.takesInput)
          throw new PlannerDeclined(
            "refused",
            said(m),
            `"${name}" would come from the caller, and this trigger passes no input`,
          );
        bound[name] = builder.input(
          name,
          schema,
          ((tool.inputSchema["required"] as string[] | undefined) ?? []).includes(name),
          `${name} for ${tool.key}`,
        );
      }
      Object.assign(bound, argumentSpecs(text.groupAsWritten(m, "specs") ?? "", tool, context, said(m)));
      const id = builder.id("created");
      pushCall(block, id, tool, bound, context, said(m));
      if (tool.outputSchema) context.item = { step: id, schema: tool.outputSchema, noun: "incidents", typed: true };
      return [id];
    });
  }

  /**
   * "…: P1 for critical, P3 for warning, the summary as the title, the service filled in, and
   * monitoring@example.com as the reporter": each item binds one field of the tool.
   */
  function argumentSpecs(specs: string, tool: PlanTool, context: Context, clause: string): Record<string, PlanValue> {
    const out: Record<string, PlanValue> = {};
    const fieldNamed = (words: string): string => {
      const wanted = words.trim().toLowerCase().replace(/\s+/g, "_");
      const names = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {});
      const found =
        names.find((n) => n === wanted) ?? names.find((n) => n.startsWith(`${wanted}_`) || n.startsWith(wanted));
      if (!found) throw new PlannerDeclined("refused", clause, `${tool.key} has no field "${words.trim()}"`);
      return found;
    };
    const fromCaller = (name: string): PlanValue => {
      if (!context.takesInput)
        throw new PlannerDeclined(
          "refused",
          clause,
          `"${name}" would come from the caller, and this trigger passes no input`,
        );
      return builder.input(name, { type: "string" }, true, `${name} from the caller`);
    };
    const mapping: Record<string, string> = {};
    const items = specs
      .replace(/^\s*(?::|,|with)\s*/, "")
      .split(
        rx("i")`
          \s*,\s*(?:and\s+)?|\s+and\s+(?=(?:the\s+)?[\w"@.+-]+\s+(?:as|for|filled|included|copied|
          passed|carried)\b|(?:priority\s+)?p[1-4]\b)`,
      )
      .filter(Boolean);
    for (const item of items) {
      const lower = item.toLowerCase().trim();
      let found: RegExpExecArray | null;
      if ((found = /^(p[1-4])\s+for\s+([a-z0-9_-]+)$/.exec(lower)))
        mapping[found[2] ?? ""] = (found[1] ?? "").toUpperCase();
      // "P1 if severity is critical", "P3 if it's warning": the same, said as a condition.
      else if (
        (found = /^(p[1-4])\s+(?:if|when)\s+(?:(?:the\s+)?[a-z_]+\s+is|it(?:'s|\s+is))\s+"?([a-z0-9_-]+)"?$/.exec(
          lower,
        ))
      )
        mapping[found[2] ?? ""] = (found[1] ?? "").toUpperCase();
      else if ((found = /^(p[1-4])(?:\s+priority)?$|^priority\s+(p[1-4])$/.exec(lower)))
        out[fieldNamed("priority")] = { kind: "const", value: (found[1] ?? found[2] ?? "").toUpperCase() };
      else if ((found = /^([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s+as\s+(?:the\s+)?(.+)$/.exec(item.trim())))
        out[fieldNamed(found[2] ?? "")] = { kind: "const", value: found[1] ?? "" };
      else if ((found = /^"([^"]*)"\s+as\s+(?:the\s+)?(.+)$/.exec(item.trim())))
        out[fieldNamed(found[2] ?? "")] = { kind: "const", value: found[1] ?? "" };
      else if (
        (found = /^(?:the\s+)?([a-z_]+)\s+as\s+(?:the\s+)?(.+)$/.exec(lower)) &&
        builder.declared.names.includes(found[1] ?? "")
      )
        out[fieldNamed(found[2] ?? "")] = fromCaller(found[1] ?? "");
      else if (
        (found = /^(?:the\s+)?([a-z_]+)\s+(?:filled in|included|copied over|passed through|carried over)$/.exec(lower))
      )
        out[fieldNamed(found[1] ?? "")] = fromCaller(found[1] ?? "");
      // "… and the service": the field of the same name, from what the caller passes.
      else if ((found = /^the\s+([a-z_]+)$/.exec(lower)) && builder.declared.names.includes(found[1] ?? ""))
        out[fieldNamed(found[1] ?? "")] = fromCaller(found[1] ?? "");
      else
        throw new PlannerDeclined("refused", clause, `it does not know how to fill in a field from "${item.trim()}"`);
    }
    if (Object.keys(mapping).length > 0) {
      // "P1 for critical, P3 for warning": by the one input whose values those are.
      const keys = Object.keys(mapping);
      const on = builder.declared.names.filter((n) =>
        keys.some((k) =>
          new RegExp(`["']?${n}["']?\\s*(?::|is|=)\\s*["']?(?:[a-z_-]+\\s+or\\s+)?${k}\\b`, "i").test(text.verbatim),
        ),
      );
      if (on.length !== 1 || !on[0])
        throw new PlannerDeclined(
          "needs-input",
          clause,
          `which field says ${keys.map((k) => `"${k}"`).join(" or ")}? Name it, e.g. "P1 when severity is critical"`,
          builder.declared.names,
        );
      if (!context.takesInput)
        throw new PlannerDeclined(
          "refused",
          clause,
          `"${on[0]}" would come from the caller, and this trigger passes no input`,
        );
      out[fieldNamed("priority")] = {
        kind: "choose",
        value: builder.input(on[0], { type: "string", enum: keys }, true, `${on[0]}: one of ${keys.join(", ")}`),
        cases: mapping,
      };
    }
    return out;
  }

  // Disable the user's account.
  for (const m of text.take(
    rx()`
      \b(?:disable|deactivate|suspend|lock)\s+(?:the\s+)?(?:user's\s+account|user account|user|
      their (?:directory |user )?account|his (?:directory )?account|her (?:directory )?account|
      the account(?:\s+of\s+them)?|account(?:\s+of\s+them)?|them|him|her|it)\b(?:\s+(?:with|
      for)\s+(?:the\s+)?reason\s*:?\s*"(?<reason>[^"]+)"|
      \s*\(\s*(?:the\s+)?reason\s*:\s*(?<reason2>[^()"]+?)\s*\)|\s+(?:with|
      giving)\s+(?:the\s+)?reason\s*:?\s+(?<reason3>[a-z][a-z0-9' -]+?)(?=\s*(?:[,;.]|\band\b|
      \bthen\b|$)))?`,
    "disable",
  )) {
    add("disable", m, (context, block) => {
      const tool = need(
        catalog.action(["disable", "deactivate", "suspend"], "user", [["user_id", "id", "email"]]),
        said(m),
        "disable a user",
      );
      const person = subjectUser(context, block, catalog, builder, said(m));
      const bound: Record<string, PlanValue> = {
        [propertyOf(tool.inputSchema, "user_id") ? "user_id" : "id"]: person.id,
      };
      const reason =
        text.groupAsWritten(m, "reason") ?? text.groupAsWritten(m, "reason2") ?? text.groupAsWritten(m, "reason3");
      if (reason) bound["reason"] = { kind: "const", value: reason };
      const id = builder.id("disable");
      pushCall(block, id, tool, bound, context, said(m));
      return [id];
    });
  }

  /** The tenant's incident update tool and the incident a clause is about (refused when it names none). */
  const incidentToUpdate = (context: Context, clause: string) => {
    const tool = need(catalog.action(["update"], "incident", [["id"]]), clause, "update an incident");
    const item = context.item;
    const key = item ? field(item, ["id"]) : undefined;
    if (!key) throw new PlannerDeclined("refused", clause, "it does not say which incident");
    return { tool, item, key };
  };
  // Remove them from every group / from group X; add them to group X.
  const groupTool = (verb: "add" | "remove", clause: string) =>
    need(
      catalog.action([verb], "group", [["user_id"], ["group", "group_id"]]),
      clause,
      `${verb} a user ${verb === "add" ? "to" : "from"} a group`,
    );
  for (const m of text.take(
    new RegExp(
      `(?:${REMOVE_THEM_FROM})\\s+(?:(?:all|every|each|any)\\s+(?:of\\s+)?(?:(?:their|his|her|the)\\s+)?|` +
        `(?:their|his|her)\\s+)groups?(?:\\s+(?:they are|they're|he is|she is)\\s+(?:a member of|in)|` +
        `\\s+memberships?)?\\b|` +
        `(?:${REMOVE_THEM_FROM})\\s+(?:the\\s+)?(?:group\\s+(?!(?:${CONNECTIVES}|to)\\b))?` +
        `"?(?<group>(?!(?:${CONNECTIVES}|to)\\b)[a-z0-9][\\w-]*)"?(?:\\s+group)?\\b` +
        `(?<ifMember>\\s+if\\s+(?:they|he|she)\\s+(?:are|is)\\s+(?:still\\s+)?` +
        `(?:in\\s+it|a\\s+member(?:\\s+of\\s+it)?|in\\s+(?:that|the)\\s+group))?`,
    ),
    "remove",
  )) {
    add("remove", m, (context, block) => {
      const tool = groupTool("remove", said(m));
      // "… if they are in it": removing someone who is not in it changes nothing, when the tool says so.
      if (m.groups?.["ifMember"] && !tool.idempotent)
        throw new PlannerDeclined(
          "refused",
          said(m),
          `${tool.key} does not say that removing a non-member is harmless, and the planner cannot ` +
            `check membership first`,
        );
      const person = subjectUser(context, block, catalog, builder, said(m));
      const groupField = propertyOf(tool.inputSchema, "group") ? "group" : "group_id";
      const named = m.groups?.["group"];
      // "remove the user from that group": the group the caller names.
      if (named && /^(?:that|this|the|it|them|group|their)$/.test(named))
        return withCallersGroup(
          tool,
          person,
          context,
          block,
          "remove from group",
          "the group to remove them from",
          said(m),
        );
      if (named) {
        const id = builder.id(`remove from ${named}`);
        pushCall(
          block,
          id,
          tool,
          { user_id: person.id, [groupField]: { kind: "const", value: named } },
          context,
          said(m),
        );
        return [id];
      }
      if (!person.groups)
        throw new PlannerDeclined("refused", said(m), "this tenant's user records do not list their groups");
      const list = builder.id("groups");
      const each = builder.id("group");
      const id = builder.id("removeFromGroup");
      block.push({ kind: "list", id: list, from: person.groups, where: [], noun: "groups" });
      block.push({
        kind: "for-each",
        id: each,
        list,
        steps: [
          {
            kind: "call",
            id,
            tool: tool.key,
            args: bindArgs(
              tool,
              { user_id: person.id, [groupField]: { kind: "ref", step: each, path: [] } },
              { builder, takesInput: context.takesInput, clause: said(m) },
            ),
          },
        ],
      });
      return [list, each, id];
    });
  }
  for (const m of text.take(
    new RegExp(
      `\\b(?:(?:give|grant)\\s+(?:${TARGET_THEM}|the new user)\\s+[a-z0-9-]+\\s+access\\s+` +
        `(?:\\(\\s*(?=(?:the\\s+)?[a-z0-9][\\w-]*(?:\\s+group)?\\s*\\))|` +
        `(?:by\\s+adding\\s+(?:them|him|her)\\s+to|via|through|with)\\s+)|` +
        `add\\s+(?:${TARGET_THEM}|the new user)\\s+to|put\\s+(?:${TARGET_THEM})\\s+in(?:to)?)` +
        `\\s*(?:the\\s+)?(?:groups?\\s+(?!(?:${CONNECTIVES})\\b))?` +
        `(?<groups>(?!(?:${CONNECTIVES})\\b)"?[a-z0-9][\\w-]*"?` +
        `(?:\\s*(?:,|and|&)\\s*(?!(?:post|page|send|notify|assign|add|dm|message|close|create|open|tell|alert|` +
        `then|disable|remove|give|grant|welcome|set)\\b)"?[a-z0-9][\\w-]*"?)*)(?:\\s+groups?)?\\b(?:\\s*\\))?`,
    ),
    "add-to-group",
  )) {
    add("add-to-group", m, (context, block) => {
      const tool = groupTool("add", said(m));
      const person = subjectUser(context, block, catalog, builder, said(m));
      const groups = (m.groups?.["groups"] ?? "")
        .split(/\s*(?:,|\band\b|&)\s*/)
        .map((g) => g.replace(/"/g, "").trim())
        .filter(Boolean);
      // "add that user to the group": the group the caller names.
      if (groups.length === 0 || groups.some((g) => /^(?:group|groups|that|this|it|them)$/.test(g))) {
        if (groups.length > 1)
          throw new PlannerDeclined(
            "refused",
            said(m),
            "it names the caller's group beside others; say each group by name",
          );
        return withCallersGroup(tool, person, context, block, "add to group", "the group to add them to", said(m));
      }
      return groups.map((group) => {
        const id = builder.id(`add to ${group}`);
        pushCall(
          block,
          id,
          tool,
          {
            user_id: person.id,
            [propertyOf(tool.inputSchema, "group") ? "group" : "group_id"]: { kind: "const", value: group },
          },
          context,
          said(m),
        );
        return id;
      });
    });
  }

  /** A call of `tool` with the arguments bound, added to `block`. */
  function pushCall(
    block: PlanStep[],
    id: string,
    tool: PlanTool,
    bound: Record<string, PlanValue>,
    context: Context,
    clause: string,
  ): void {
    block.push({
      kind: "call",
      id,
      tool: tool.key,
      args: bindArgs(tool, bound, { builder, takesInput: context.takesInput, clause }),
    });
  }

  /**
   * One call on the group the caller names ("add that user to the group"), or a refusal when the request names none.
   */
  function withCallersGroup(
    tool: PlanTool,
    person: Person & { id: PlanValue },
    context: Context,
    block: PlanStep[],
    name: string,
    description: string,
    clause: string,
  ): string[] {
    const input = builder.declared.byRole.get("group");
    if (!input || !context.takesInput)
      throw new PlannerDeclined(
        "refused",
        clause,
        "it does not say which group (a group's name, or an input that names it)",
      );
    const groupField = propertyOf(tool.inputSchema, "group") ? "group" : "group_id";
    const id = builder.id(name);
    pushCall(
      block,
      id,
      tool,
      {
        user_id: person.id,
        [groupField]: builder.input(
          input,
          propertyOf(tool.inputSchema, groupField) ?? { type: "string" },
          true,
          description,
        ),
      },
      context,
      clause,
    );
    return [id];
  }

  // Create a user (onboarding) from the input.
  for (const m of text.take(
    rx()`
      \b(?:create|onboard|set up|add)\s+(?:a\s+|
      the\s+)?(?:new\s+)?user(?:\s+account)?(?:\s+from\s+the\s+input)?\b|\b(?:create|set up|
      make)\s+(?:their|his|her|an?|the)\s+(?:new\s+)?(?:directory\s+|
      user\s+)?account(?:\s+from\s+the\s+input)?(?<manager>\s+with\s+(?:that|the|
      their)\s+manager(?:\s+(?:set|recorded|filled in))?)?\b`,
    "create-user",
  )) {
    add("create-user", m, (context, block) => {
      const tool = need(catalog.action(["create"], "user", [["email"]]), said(m), "create a user");
      if (!context.takesInput)
        throw new PlannerDeclined(
          "refused",
          said(m),
          "a new user's details come from the caller, and this trigger passes none",
        );
      const bound: Record<string, PlanValue> = {};
      // "with that manager set": the manager the caller names by email, looked up for their id.
      if (m.groups?.["manager"]) {
        const managerInput = builder.declared.names.find((n) => /manager/.test(n));
        const managerField = ["manager_id", "manager"].find((f) => propertyOf(tool.inputSchema, f));
        const reader = catalog.personBy(/email/.test(managerInput ?? "") ? "email" : "id");
        if (!managerInput || !managerField || !reader)
          throw new PlannerDeclined("needs-input", said(m), "which manager? Name an input such as `manager_email`");
        const lookup = builder.id("manager");
        block.push({
          kind: "call",
          id: lookup,
          tool: reader.tool.key,
          args: {
            [reader.inputField]: builder.input(
              managerInput,
              propertyOf(reader.tool.inputSchema, reader.inputField) ?? { type: "string" },
              true,
              "the new user's manager",
            ),
          },
        });
        bound[managerField] = { kind: "ref", step: lookup, path: ["id"] };
      }
      const id = builder.id("user");
      block.push({
        kind: "call",
        id,
        tool: tool.key,
        args: bindArgs(tool, bound, { builder, takesInput: true, clause: said(m) }),
      });
      const schema = tool.outputSchema;
      if (schema) context.person = personOf(id, schema);
      return [id];
    });
  }

  // Comment on the incident; set its priority or status.
  for (const m of text.take(
    rx()`
      \b(?:(?:add|leave|post|write|put)\s+(?:a|an)\s+(?<visibility>internal|public)?\s*(?:comment|
      note|work note)|(?:reply|respond|answer)\s+(?<adverb>publicly|internally)|
      comment(?=\s+(?:on\s+it\s+)?")|(?:add|post|put|leave)\s+(?<what>the\s+(?:given\s+)?(?:note|
      message|text|comment)|it)\s+as\s+(?:a|an)\s+(?<visibility2>internal|public)?\s*(?:comment|note|
      work note))(?:\s+(?:to|on|in)\s+(?:it|the incident|the ticket|each of them|
      each one))?(?:(?:\s+(?:saying|that says|with the text|reading)\s+|\s*:\s*|\s+)"(?<body>[^"]+)"|
      \s+(?:saying|that says)\s+(?<says>(?!")[^,;.]+?)(?=\s*(?:[,;.]|\band\b|\bthen\b|$))|
      \s+(?:about|with)\s+(?<content>(?!")[^,;.]+?)(?=\s*(?:[,;.]|\band\b|\bthen\b|$))|\s+(?:telling|
      to tell|letting)\s+(?:the reporter|them|the user|the caller|
      the requester)\s+(?:know\s+)?(?:that\s+)?(?<told>[^;.]+?)(?=\s*(?:[;.]|$)))?`,
    "comment",
  )) {
    add("comment", m, (context, block) => {
      const tool = need(
        catalog.action(["comment", "note"], undefined, [["id"], ["body", "text"]]),
        said(m),
        "comment on an incident",
      );
      const item = context.item;
      const key = item ? field(item, ["id"]) : undefined;
      if (!key)
        throw new PlannerDeclined(
          "refused",
          said(m),
          "it does not say which incident (an id in the input, or the incident of the trigger)",
        );
      const bodyField = propertyOf(tool.inputSchema, "body") ? "body" : "text";
      const bound: Record<string, PlanValue> = { id: key };
      const body = text.groupAsWritten(m, "body");
      if (body) bound[bodyField] = { kind: "const", value: body };
      const content = text.groupAsWritten(m, "content");
      if (content) bound[bodyField] = readContent(content, context, said(m), catalog, builder, block);
      const says = text.groupAsWritten(m, "says");
      if (says) bound[bodyField] = readContent(`saying ${says}`, context, said(m), catalog, builder, block);
      // "telling the reporter we've got it": those words, to the reporter.
      const told = text.groupAsWritten(m, "told");
      if (told) bound[bodyField] = { kind: "const", value: spokenTo(told, "that", false) };
      // "add the note as an internal comment": the text the caller gives.
      const what = m.groups?.["what"];
      if (what) bound[bodyField] = readContent(what, context, said(m), catalog, builder, block);
      const visibility =
        m.groups?.["visibility"] ??
        m.groups?.["visibility2"] ??
        (m.groups?.["adverb"] === "publicly"
          ? "public"
          : m.groups?.["adverb"] === "internally"
            ? "internal"
            : undefined);
      if (visibility && propertyOf(tool.inputSchema, "visibility"))
        bound["visibility"] = { kind: "const", value: visibility };
      const id = builder.id("comment");
      pushCall(block, id, tool, bound, context, said(m));
      return [id];
    });
  }
  for (const m of text.take(
    rx()`
      \b(?:(?:set|change|raise|lower|mark|bump|move|escalate)\s+(?:(?:its\s+|the incident's\s+|
      the\s+)?(?<field>priority|status)(?:\s+of\s+(?:it|the incident))?|it|the incident)|
      (?<=\b(?:should|must|will|shall|to)\s+be\s+(?:[a-z]+\s+[a-z ]+?\s+and\s+)?|\band\s+)(?:set|
      changed|raised|lowered|marked|bumped|moved|escalated))\s+(?:to|as)\s+(?<value>p[1-4]|
      in progress|on hold|[a-z_]+)\b|\b(?:put|place|mark|move|set)\s+(?:it|the incident|
      the ticket)\s+(?:(?:as|in|into)\s+)?(?<value2>on hold|in progress|resolved|p[1-4])\b`,
    "update",
  )) {
    add("update", m, (context, block) => {
      const { tool, item, key } = incidentToUpdate(context, said(m));
      const wanted = (m.groups?.["value"] ?? m.groups?.["value2"] ?? "").replace(/\s+/g, "_");
      // "mark it as resolved": the field whose values include the word.
      const byValue = Object.entries(
        (tool.inputSchema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {},
      ).find(
        ([, p]) => Array.isArray(p["enum"]) && (p["enum"] as unknown[]).some((v) => String(v).toLowerCase() === wanted),
      )?.[0];
      const name = m.groups?.["field"] ?? byValue ?? "priority";
      const schema = propertyOf(tool.inputSchema, name);
      const allowed = Array.isArray(schema?.["enum"]) ? (schema["enum"] as string[]) : [];
      const value = allowed.find((v) => v.toLowerCase() === wanted);
      if (!value)
        throw new PlannerDeclined(
          "needs-input",
          said(m),
          `${tool.key} takes ${name} as one of: ${allowed.join(", ")}`,
          allowed,
        );
      const id = builder.id("update");
      pushCall(block, id, tool, { id: key, [name]: { kind: "const", value } }, context, said(m));
      // What follows speaks of the incident as updated.
      if (tool.outputSchema)
        context.item = { step: id, schema: tool.outputSchema, noun: item?.noun ?? "incidents", typed: true };
      return [id];
    });
  }
  // Assign it to the on-call engineer / a person by name / them.
  for (const m of text.take(
    new RegExp(
      `\\b(?:(?:assign|reassign|hand)\\s+(?:it|the incident|each of them|each one)(?:\\s+over)?|` +
        `(?:should|must|will|shall|needs? to|is to)\\s+be\\s+(?:re)?assigned|` +
        `gets?\\s+(?:re)?assigned)\\s+to\\s+(?<who>${WHO})${STOP}`,
    ),
    "assign",
  )) {
    add("assign", m, (context, block) => {
      const { tool, item, key } = incidentToUpdate(context, said(m));
      const who = m.groups?.["who"] ?? "";
      if (/@/.test(who))
        throw new PlannerDeclined(
          "refused",
          said(m),
          `"${who}" is not someone the planner can look up (say "the on-call engineer" or a person's name)`,
        );
      const person = personFor(who, text.groupAsWritten(m, "who") ?? who, m, context, block);
      // "… and DM him": him is who it was assigned to.
      context.person ??= person;
      const assigneeField = Object.keys(
        (tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {},
      ).find((f) => /assign|owner/.test(f));
      const schema = assigneeField ? propertyOf(tool.inputSchema, assigneeField) : undefined;
      if (!assigneeField || !schema) throw new PlannerDeclined("refused", said(m), `${tool.key} takes no assignee`);
      const wanted = Object.keys((schema["properties"] as Record<string, unknown> | undefined) ?? {});
      const from: Record<string, PlanValue | undefined> = { email: person.email, name: person.name, id: person.id };
      const required = (schema["required"] as string[] | undefined) ?? wanted;
      const missing = required.filter((f) => !from[f]);
      if (missing.length > 0)
        throw new PlannerDeclined(
          "refused",
          said(m),
          `an assignee needs ${missing.join(", ")}, which the planner does not have for ${who}`,
        );
      const value: PlanValue =
        schema["type"] === "object"
          ? {
              kind: "object",
              fields: Object.fromEntries(wanted.flatMap((f) => (from[f] ? [[f, from[f] as PlanValue]] : []))),
            }
          : person.email;
      const id = builder.id("assign");
      pushCall(block, id, tool, { id: key, [assigneeField]: value }, context, said(m));
      if (tool.outputSchema)
        context.item = { step: id, schema: tool.outputSchema, noun: item?.noun ?? "incidents", typed: true };
      return [id];
    });
  }

  // Close (resolve) the incident [as <resolution>].
  for (const m of text.take(
    rx()`
      \b(?:close|resolve)\s+(?:it|the incident|an incident|the ticket|each of them|
      each one)(?:\s+as\s+(?:a\s+|an\s+)?(?<code>[a-z_]+(?:\s+(?!with\b|using\b|and\b)[a-z_]+)?)|
      ,?\s+(?:with|using)\s+(?:the\s+)?(?:resolution\s+)?code\s+"?(?<code2>[a-z_]+)"?)
      ?(?:,?\s+(?:and|with)\s+(?:a|the)\s+(?:resolution\s+)?notes?\s+(?:saying|that says|
      reading)\s+(?!")(?<notesSaid>[^,;."]+?)(?=\s*(?:[,;.]|\band\b|\bthen\b|
      $)))?(?:\s+with\s+(?:the\s+)?notes?\s+"(?<notes>[^"]+)"|,?\s+(?:using|with)\s+(?:the|those|
      these)\s+(?:given\s+|provided\s+)?(?<notesInput>resolution notes|resolution note|notes|note|
      text|reason|explanation|message)(?:\s+(?:from|
      in)\s+the\s+input)?(?:\s+as\s+the\s+(?:resolution\s+)?notes?)?)?`,
    "close",
  )) {
    add("close", m, (context, block) => {
      const tool = need(catalog.action(["close", "resolve"], "incident", [["id"]]), said(m), "close an incident");
      const item = context.item;
      const key = item ? field(item, ["id"]) : undefined;
      if (!key) throw new PlannerDeclined("refused", said(m), "it does not say which incident");
      const bound: Record<string, PlanValue> = { id: key };
      const codeField = Object.keys((tool.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {}).find(
        (f) => /code|resolution/.test(f),
      );
      if (codeField) {
        const allowed = ((propertyOf(tool.inputSchema, codeField)?.["enum"] as string[] | undefined) ?? []).map(String);
        const written = m.groups?.["code"] ?? m.groups?.["code2"] ?? "";
        const code = written.replace(/\s+/g, "_");
        const value = allowed.find((v) => v === code || v.replace(/_/g, " ") === written);
        if (!value)
          throw new PlannerDeclined(
            "needs-input",
            said(m),
            `closing needs a ${codeField.replace(/_/g, " ")}; say "close it as …" with one of: ${allowed.join(", ")}`,
            allowed,
          );
        bound[codeField] = { kind: "const", value };
      }
      const saying = text.groupAsWritten(m, "notesSaid");
      if (saying && !isPlainSentence(saying))
        throw new PlannerDeclined("refused", said(m), `"${saying}" asks for data in the note; give the note in quotes`);
      const notes = text.groupAsWritten(m, "notes") ?? (saying ? `${capitalize(saying.trim())}.` : undefined);
      const notesSchema = propertyOf(tool.inputSchema, "notes");
      if (notes && notesSchema) bound["notes"] = { kind: "const", value: notes };
      // "using the note from the input": the caller's field is called what the request calls it.
      const notesInput = m.groups?.["notesInput"];
      if (notesInput && notesSchema)
        bound["notes"] = builder.input(notesInput, notesSchema, true, "the resolution notes");
      const id = builder.id("close");
      pushCall(block, id, tool, bound, context, said(m));
      return [id];
    });
  }
  return specs.sort((a, b) => a.start - b.start);
}

/** A user read by step `id`: email, id, name, and groups where its record (schema) has them. */
export function personOf(id: string, schema?: Record<string, unknown>): Person {
  return {
    email: { kind: "ref", step: id, path: ["email"] },
    id: { kind: "ref", step: id, path: ["id"] },
    name: { kind: "ref", step: id, path: ["name"] },
    ...(schema && propertyOf(schema, "groups") ? { groups: { kind: "ref", step: id, path: ["groups"] } } : {}),
    ...(schema ? { schema } : {}),
  };
}

/** Who is on call (of a rotation): the tool's call, asked once per block, and the person in its result. */
function onCallPerson(
  catalog: CatalogView,
  builder: PlanBuilder,
  context: Context,
  block: PlanStep[],
  rotation: string | undefined,
  said: string,
): Person {
  const found = catalog.onCall();
  if (!found) throw new PlannerDeclined("refused", said, "no read-only tool of this tenant says who is on call");
  const args: Record<string, PlanValue> =
    rotation && found.rotationField ? { [found.rotationField]: { kind: "const", value: rotation } } : {};
  const existing = block.find(
    (s) => s.kind === "call" && s.tool === found.tool.key && JSON.stringify(s.args) === JSON.stringify(args),
  );
  const id = existing?.id ?? builder.id("onCall");
  if (!existing) {
    if (rotation && !found.rotationField)
      throw new PlannerDeclined("refused", said, `${found.tool.key} takes no rotation`);
    block.push({
      kind: "call",
      id,
      tool: found.tool.key,
      args: bindArgs(found.tool, args, { builder, takesInput: context.takesInput, clause: said }),
    });
  }
  const base = found.personPath;
  return {
    email: { kind: "ref", step: id, path: [...base, "email"] },
    name: { kind: "ref", step: id, path: [...base, "name"] },
    id: { kind: "ref", step: id, path: [...base, "id"] },
  };
}

/**
 * The manager of the user the workflow is about, as the directory records it: read at each run by
 * the manager's id. A user with no manager makes that read fail (a fallback may say what then).
 */
function managerOf(
  context: Context,
  block: PlanStep[],
  catalog: CatalogView,
  builder: PlanBuilder,
  said: string,
): Person {
  const person = context.person;
  const record = person?.id?.kind === "ref" ? person.id : undefined;
  const reader = catalog.personBy("id");
  const field = person?.schema
    ? ["manager_id", "manager"].find((f) => propertyOf(person.schema, f))
    : record
      ? "manager_id"
      : undefined;
  if (!person || !record || !reader?.tool.outputSchema || !field)
    throw new PlannerDeclined(
      "refused",
      said,
      "it names a manager, and this workflow has no user whose record says who their manager is",
    );
  const id = builder.id("manager");
  block.push({
    kind: "call",
    id,
    tool: reader.tool.key,
    args: { [reader.inputField]: { kind: "ref", step: record.step, path: [...record.path.slice(0, -1), field] } },
  });
  return personOf(id, reader.tool.outputSchema);
}

/** A call that reads the user whose email (or id) the caller passes, as an input of the workflow. */
export function readUserByInput(
  block: PlanStep[],
  builder: PlanBuilder,
  reader: { tool: PlanTool; inputField: string },
  viaEmail: boolean,
): string {
  const id = builder.id("user");
  const schema = propertyOf(reader.tool.inputSchema, reader.inputField) ?? { type: "string" };
  const input = viaEmail
    ? builder.input("email", schema, true, "the user's email address")
    : builder.input("user_id", schema, true, "the user's id");
  block.push({ kind: "call", id, tool: reader.tool.key, args: { [reader.inputField]: input } });
  return id;
}

/**
 * The user an action is about: the one the trigger or an earlier step gave, or else (when the
 * caller passes input) the user whose id the caller passes, read once with the tenant's user tool.
 */
function subjectUser(
  context: Context,
  block: PlanStep[],
  catalog: CatalogView,
  builder: PlanBuilder,
  said: string,
): Person & { id: PlanValue } {
  const known = context.person;
  if (known?.id) return { ...known, id: known.id };
  // The request's inputs say how the user is named: by email when it names an email and no id.
  const viaEmail = builder.declared.byRole.has("email") && !builder.declared.byRole.has("user_id");
  const reader = catalog.personBy(viaEmail ? "email" : "id");
  if (!context.takesInput || !reader?.tool.outputSchema)
    throw new PlannerDeclined(
      "refused",
      said,
      "it does not say which user (a user id in the input, or the user of the trigger)",
    );
  const id = readUserByInput(block, builder, reader, viaEmail);
  const person = {
    ...personOf(id, reader.tool.outputSchema),
    id: { kind: "ref", step: id, path: ["id"] } as PlanValue,
  };
  context.person = person;
  return person;
}

/**
 * A person named in the request ("Li Wen"), looked up at each run with the tenant's read-only
 * user search, matched by exact name; that the name exists is checked live before the draft is
 * stored. Only a name written capitalized counts as one.
 */
function namedPerson(
  name: string,
  context: Context,
  block: PlanStep[],
  catalog: CatalogView,
  builder: PlanBuilder,
  said: string,
): Person {
  if (!/^[A-Z][\w'-]+ [A-Z][\w'-]+$/.test(name))
    throw new PlannerDeclined(
      "refused",
      said,
      `"${name}" refers to nobody this workflow knows (write a person's name capitalized, or say ` +
        `"the on-call engineer", "the reporter", "them")`,
    );
  const finder = catalog.tools.find(
    (t) =>
      t.readOnly &&
      propertyOf(t.inputSchema, "query") &&
      ((t.inputSchema["required"] as string[] | undefined) ?? []).every((r) => r === "query") &&
      personList(t) !== undefined,
  );
  const field = finder ? personList(finder) : undefined;
  if (!finder || !field)
    throw new PlannerDeclined(
      "refused",
      said,
      `no read-only tool of this tenant finds a person by name, so "${name}" cannot be looked up`,
    );
  const call = builder.id("find");
  const list = builder.id("person");
  block.push({ kind: "call", id: call, tool: finder.key, args: { query: { kind: "const", value: name } } });
  block.push({
    kind: "list",
    id: list,
    from: { kind: "ref", step: call, path: [field] },
    where: [{ value: { kind: "ref", step: list, path: ["name"] }, op: "eq", operand: name }],
    noun: "users",
  });
  // Someone who is no longer there is a failed run, not a message to nobody.
  block.push({
    kind: "if",
    id: builder.id("found"),
    condition: { value: { kind: "count", list }, op: "lt", operand: 1 },
    then: [{ kind: "fail", id: builder.id("notFound"), message: `no user named ${name} was found` }],
    otherwise: [],
  });
  void context;
  return {
    email: { kind: "ref", step: list, path: ["0", "email"] },
    name: { kind: "ref", step: list, path: ["0", "name"] },
    id: { kind: "ref", step: list, path: ["0", "id"] },
  };
}

/** The output field of a tool that lists people (objects with a name and an email). */
function personList(tool: PlanTool): string | undefined {
  const properties = (tool.outputSchema?.["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  return Object.keys(properties).find((k) => {
    const items = properties[k]?.["items"] as Record<string, unknown> | undefined;
    return properties[k]?.["type"] === "array" && propertyOf(items, "email") && propertyOf(items, "name");
  });
}

function reporter(context: Context, said: string): Person {
  const item = context.item;
  const email = item ? field(item, ["reporter_email", "reporter", "requester_email", "caller_email"]) : undefined;
  if (!email)
    throw new PlannerDeclined(
      "refused",
      said,
      "it names a reporter, and this workflow's incident has no reporter email",
    );
  return { email };
}

/** A field of the item, by the first of the names its schema has. */
export function field(item: Item, names: string[]): PlanValue | undefined {
  const name = names.find((n) => propertyOf(item.schema, n));
  return name ? { kind: "ref", step: item.step, path: [name] } : undefined;
}

/** "P1 INC0001: VPN down": the item's priority, id and title (or name), as far as it has them. */
export function summaryOf(item: Item): PlanValue {
  const parts: (string | PlanValue)[] = [];
  const priority = field(item, ["priority", "severity"]);
  const id = field(item, ["id", "number", "key"]);
  const title = field(item, ["title", "name", "summary", "subject"]);
  if (priority) parts.push(priority, " ");
  if (id) parts.push(id);
  if (title) parts.push(id ? ": " : "", title);
  return { kind: "text", parts: parts.length ? parts : [{ kind: "ref", step: item.step, path: [] }] };
}

/**
 * The text an action sends, from the words between its verb and its target: nothing or "it" (the
 * item's summary, or the caller's message), "a message" / "the input message" (the caller's),
 * "the number of …" or "a summary of …" / "the …" (a list, read by the list phrases), "their name",
 * or quoted text. The whole phrase must be understood; anything else is refused.
 */
export function readContent(
  content: string,
  context: Context,
  said: string,
  catalog: CatalogView,
  builder: PlanBuilder,
  block: PlanStep[],
): PlanValue {
  // "the incident number in the page": where it goes is the action's; what goes is the rest.
  if (
    context.insteadText &&
    rx("i")`
      ^(?:|it|this|that|them|the same|the same (?:message|text|note|list|thing)|the message|
      that message|the list)$`.test(content.trim())
  )
    return context.insteadText;
  // "with the host", "the payload's message": a field the caller passes.
  const passed = rx("i")`
    ^(?:the\s+)?(?:(?:payload|alert|input|request|event|body)(?:'s)?\s+)?
    \x60?([a-z_][a-z0-9_]*)\x60?(?:\s+(?:field|value))?$`.exec(content.trim());
  if (passed && builder.declared.names.includes(passed[1] ?? "") && context.takesInput)
    return {
      kind: "text",
      parts: [builder.input(passed[1] ?? "", { type: "string" }, true, `${passed[1] ?? ""} from the caller`)],
    };
  // "a weekly summary of …": how often is the trigger's to say; the message is the summary.
  const originalPhrase = content
    .trim()
    .replace(/^(?:with|about)\s+/i, "")
    .replace(
      rx("i")`
        ^((?:a|an|the)\s+)(?:daily|weekly|monthly|hourly|nightly)\s+(?=(?:summary|list|digest|report|
        overview|count|tally)\b)`,
      "$1",
    )
    .replace(/\s+(?:in|into)\s+(?:the|that|this)\s+(?:page|message|dm|post|note|alert|comment)$/i, "");
  const phrase = originalPhrase.toLowerCase();
  const quoted = rx()`
      ^(?:saying\s+|with the text\s+|the text\s+|(?:the|a)\s+(?:message|text|note)\s+|message\s+|
      text\s+)?"([^"]+)"$`.exec(content.trim().replace(/^(?:with|about)\s+/i, ""));
  if (quoted) return withPlaceholders(quoted[1] ?? "", context, said, builder);
  if (
    rx()`
      ^(?:a|the|an|that)?\s*(?:input\s+|given\s+|caller's\s+)?(?:message|text|note)(?:\s+(?:from|
      in)\s+the\s+input)?$|^(?:a|the|an)\s+[a-z]+\s+(?:message|text|note)\s+(?:from|
      in)\s+the\s+input$|^the\s+(?:alert|payload|webhook|alarm)(?:'s)?(?:\s+(?:message|text|
      details))?$|^the\s+(?:message|text|details)\s+(?:of|from|in)\s+the\s+(?:alert|payload|webhook|
      alarm)$`.test(phrase)
  ) {
    if (!context.takesInput)
      throw new PlannerDeclined(
        "needs-input",
        said,
        "a message from the caller, and nobody passes input to this trigger; give the text in quotes",
      );
    return builder.input("message", { type: "string", minLength: 1 }, true, "the message to send");
  }
  if (
    context.person &&
    rx()`
      ^(?:their|his|her|the user's|the member's)\s+(?:full\s+)?name(?:\s+and\s+email)?$|
      ^who\s+(?:was|got|has been)\s+(?:added|removed|taken out|taken off|offboarded|disabled|
      deactivated|onboarded|created|set up)$|^(?:and\s+)?who$`.test(phrase)
  ) {
    // "who was offboarded": "Offboarded: Mara Keller (mara.keller@example.com)".
    const done = /^who\s+(?:was|got|has been)\s+(offboarded|disabled|deactivated|onboarded|created|set up)$/.exec(
      phrase,
    )?.[1];
    return {
      kind: "text",
      parts: [
        ...(done ? [`${capitalize(done)}: `] : []),
        context.person.name ?? context.person.email,
        " (",
        context.person.email,
        ")",
      ],
    };
  }
  if (
    context.item &&
    rx()`
      ^(?:the\s+)?(?:ticket|incident)(?:'s)?\s+(?:number|id)\s+and\s+(?:its\s+)?(?:title|summary)$|
      ^(?:its|the)\s+(?:number|id)\s+and\s+(?:its\s+|the\s+)?(?:title|summary)$`.test(phrase)
  )
    return summaryOf(context.item);
  if (
    context.item &&
    /^(?:the\s+)?(?:new\s+)?(?:ticket|incident)(?:'s)?\s+(?:number|id)$|^its\s+(?:number|id)$/.test(phrase)
  ) {
    const id = field(context.item, ["id", "number", "key"]);
    if (id) return { kind: "text", parts: [id] };
  }
  // "the details", "all the incident's details": what identifies it, and its description when it has one.
  if (context.item && /^(?:the|its|all\s+(?:the|its))\s+(?:(?:incident|ticket)(?:'s)?\s+)?details$/.test(phrase)) {
    const description = field(context.item, ["description"]);
    const summary = summaryOf(context.item);
    return description && summary.kind === "text"
      ? { kind: "text", parts: [...summary.parts, "\n", description] }
      : summary;
  }
  // "the incident title", "its priority": one field of the item.
  const itemField = rx()`
      ^(?:the\s+)?(?:(?:new\s+)?(?:incident|ticket)(?:'s)?|its)\s+(?<f>title|name|id|number|priority|
      status|description)$`.exec(phrase);
  if (context.item && itemField) {
    const found = field(
      context.item,
      itemField.groups?.["f"] === "number" ? ["id", "number"] : [itemField.groups?.["f"] ?? ""],
    );
    if (found) return { kind: "text", parts: [found] };
  }
  // '"New admin: " and their name': quoted text, then what follows.
  const joined = /^"([^"]*)"\s*(?:and|with|followed by|\+|then)\s+(.+)$/.exec(originalPhrase);
  if (joined) {
    const rest = readContent(joined[2] ?? "", context, said, catalog, builder, block);
    const lead = joined[1] ?? "";
    // '"offboarded" with their email': a space between the words and what follows, unless the quote ends in one.
    return {
      kind: "text",
      parts: [
        /[\s]$/.test(lead) || lead === "" ? lead : `${lead} `,
        ...(rest.kind === "text" && !rest.slug ? rest.parts : [rest]),
      ],
    };
  }
  if (/^(?:the\s+)?same\s+(?:note|message|text|thing|update)$/.test(phrase)) {
    if (!context.lastText)
      throw new PlannerDeclined("refused", said, `"${content.trim()}" refers to no earlier message`);
    return context.lastText;
  }
  // "a line about it", "a heads-up listing them": the words around what is said.
  const wrapped = rx()`
      ^(?:a|an|the)\s+(?:short\s+|brief\s+|quick\s+|warm\s+)?(?<noun>line|note|message|update|notice|
      notification|heads-up|heads up|alert|post|ping|welcome(?:\s+message|\s+note)?)\s+(?:about|on|
      for|listing|with|showing|containing|of|naming|mentioning)\s+(.+)$`.exec(originalPhrase);
  const welcoming =
    /^welcome/i.test(wrapped?.groups?.["noun"] ?? "") &&
    !/^(?:them|him|her|the new (?:user|hire|starter))$/i.test(wrapped?.[2] ?? "");
  if (
    wrapped &&
    !/^welcome/i.test(wrapped.groups?.["noun"] ?? "") &&
    !/^(?:summary|list|number|count)\b/.test(wrapped[2] ?? "")
  )
    return readContent(wrapped[2] ?? "", context, said, catalog, builder, block);
  if (wrapped && welcoming) {
    // "a welcome with their name": a welcome, naming them.
    const inner = readContent(wrapped[2] ?? "", context, said, catalog, builder, block);
    return {
      kind: "text",
      parts: [
        "Welcome",
        ...(context.groupName ? [" to ", context.groupName] : []),
        ": ",
        ...(inner.kind === "text" && !inner.slug ? inner.parts : [inner]),
      ],
    };
  }
  if (context.paged && /^who\s+(?:was|got|has been)\s+paged$/.test(phrase))
    return {
      kind: "text",
      parts: [
        "Paged ",
        context.paged.name ?? context.paged.email,
        ...(context.paged.name ? [" (", context.paged.email, ")"] : []),
      ],
    };
  // "which ticket went to whom": the item and who it is assigned to now.
  if (
    context.item &&
    propertyOf(context.item.schema, "assignee") &&
    rx()`
      ^(?:which\s+(?:ticket|incident|one)\s+went\s+to\s+(?:whom|who)|(?:the\s+)?(?:ticket|
      incident)\s+and\s+(?:who|whom)\s+it\s+(?:went|was assigned)\s+to|who\s+(?:it|
      each one)\s+(?:went|was assigned)\s+to)$`.test(phrase)
  ) {
    const id = field(context.item, ["id", "number", "key"]);
    return {
      kind: "text",
      parts: [...(id ? [id] : []), " → ", { kind: "ref", step: context.item.step, path: ["assignee", "name"] }],
    };
  }
  // "the setup guide: https://wiki.example.com/vpn-setup": a link, with what it is.
  const link =
    /^(?:the\s+|a\s+|our\s+)?([a-z][a-z -]{0,40}?)\s*:\s*(https?:\/\/\S+?)[.,]?$/i.exec(originalPhrase) ??
    /^(https?:\/\/\S+?)[.,]?$/i.exec(originalPhrase);
  if (link)
    return {
      kind: "const",
      value: link.length === 3 && link[2] ? `${capitalize(link[1] ?? "")}: ${link[2]}` : (link[1] ?? ""),
    };
  // "a welcome for them": a welcome, to the person.
  if (
    context.person &&
    rx()`
      ^(?:a|an)\s+(?:short\s+|warm\s+)?welcome(?:\s+message)?(?:\s+(?:for|to|mentioning|naming|
      that mentions)\s+(?:them|him|her|the new (?:user|hire|starter)))?$`.test(phrase)
  )
    return { kind: "text", parts: ["Welcome, ", context.person.name ?? context.person.email, "!"] };
  // "a short confirmation": that it was done, for whom or what.
  if (
    /^(?:a|an|the)\s+(?:short\s+|brief\s+|quick\s+)?(?:confirmation|note that it(?:'s| is) done)(?:\s+message)?$/.test(
      phrase,
    )
  ) {
    const whom = context.person
      ? [context.person.name ?? context.person.email, ...(context.person.name ? [" (", context.person.email, ")"] : [])]
      : context.item
        ? [summaryOf(context.item)]
        : [];
    return { kind: "text", parts: ["Done", ...(whom.length ? [": ", ...whom] : [])] };
  }
  // "saying it'll be picked up during business hours": what it names, else those words as written.
  const saying = /^(?:saying|that says|to say)\s+(?!")(.+)$/i.exec(originalPhrase);
  if (saying) {
    try {
      return readContent(saying[1] ?? "", context, said, catalog, builder, block);
    } catch (error) {
      if (!(error instanceof PlannerDeclined) || !isPlainSentence(saying[1] ?? "")) throw error;
      return { kind: "const", value: `${capitalize((saying[1] ?? "").trim().replace(/[.!]+$/, ""))}.` };
    }
  }
  // "it saying the bridge is open": what it names, then what is said of it.
  const about = /^(.+?)\s+(saying|that says)\s+(?!")(.+)$/i.exec(originalPhrase);
  if (about) {
    const subject = readContent(about[1] ?? "", context, said, catalog, builder, block);
    const words = readContent(`saying ${about[3] ?? ""}`, context, said, catalog, builder, block);
    const partsOf = (v: PlanValue) => (v.kind === "text" && !v.slug ? v.parts : [v]);
    return { kind: "text", parts: [...partsOf(subject), " — ", ...partsOf(words)] };
  }
  // "… that it's resolved": the sentence, said as written, about the item when there is one.
  const statement = /^that\s+(.+)$/.exec(originalPhrase);
  if (statement && !/\b(?:the (?:number|count|list) of|how many)\b/i.test(statement[1] ?? "")) {
    // Said as written ("they've been offboarded"), about the item or person it concerns.
    const sentence = `${capitalize((statement[1] ?? "").trim().replace(/[.!]+$/, ""))}.`;
    const about = context.item ? summaryOf(context.item) : undefined;
    return {
      kind: "text",
      parts:
        about?.kind === "text"
          ? [...about.parts, ": ", sentence]
          : context.person
            ? [context.person.name ?? context.person.email, ": ", sentence]
            : [sentence],
    };
  }
  // "the count", "the total" of the list counted before.
  if (context.list && /^(?:the\s+)?(?:count|number|total|tally|result)$/.test(phrase))
    return {
      kind: "text",
      parts: [`${capitalize(context.list.said.trim())}: `, { kind: "count", list: context.list.id }],
    };
  const onCallField = rx()`
      ^(?:the\s+)?(?:(?<a>name|email)\s+of\s+(?:the\s+|whoever is\s+)?on-?\s?call(?:\s+engineer)?|
      on-?\s?call(?:\s+engineer)?'s\s+(?<b>name|email)|
      who(?:'s| is) on-?\s?call(?:\s+(?:(?:right\s+)?now|today|this\s+week|at\s+the\s+moment|
      currently))?)(?:\s+(?:for|of|
      in)\s+(?:the\s+)?(?:rotation\s+)?(?<rotation>[a-z0-9][\w-]*?)(?:\s+rotation)?)?$`.exec(phrase);
  if (onCallField) {
    const person = onCallPerson(catalog, builder, context, block, onCallField.groups?.["rotation"], said);
    // "… and send them a DM": them is who is on call.
    context.person ??= person;
    const which = onCallField.groups?.["a"] ?? onCallField.groups?.["b"] ?? "name";
    return {
      kind: "text",
      parts: [
        "On call: ",
        (which === "email" ? person.email : person.name) ?? person.email,
        ...(which === "email" ? [] : [" (", person.email, ")"]),
      ],
    };
  }
  const earlier = context.list;
  if (earlier && /^(?:the\s+)?(?:ticket|incident)\s+(?:numbers|ids)$|^their\s+(?:numbers|ids)$/.test(phrase)) {
    const ids = idLines(earlier);
    if (ids) return ids;
  }
  // "the open P1 numbers": the ids of the items a list phrase names, one per line.
  const numbers = /^(?:the\s+|all\s+(?:the\s+)?)?(.+?)\s+(?:numbers|ids)$/d.exec(phrase);
  const at = numbers?.indices?.[1];
  // "the P1 numbers" after "if there are open P1 incidents": the ids of the list already spoken of, when it is the
  // one meant.
  const head = at
    ? phrase
        .slice(at[0], at[1])
        .replace(/s$/, "")
        .split(/\s+/)
        .filter((w) => !["the", "all", "incident", "incidents", "ticket", "tickets"].includes(w))
    : [];
  const ofEarlier =
    earlier &&
    head.length > 0 &&
    head.every((w) => new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}s?\\b`, "i").test(earlier.said));
  if (earlier && ofEarlier) {
    const ids = idLines(earlier);
    if (ids) return ids;
  }
  const numbered =
    at && !earlier ? readSubjectList(originalPhrase.slice(at[0], at[1]), catalog, builder, context) : undefined;
  // The list's item refers to the list step push() adds, so its id field is the line as is.
  const ids = numbered && field(numbered.item, ["id", "number", "key"]);
  if (numbered && ids) {
    const list = numbered.push(block);
    return {
      kind: "text",
      parts: [`${capitalize(numbered.said.trim())}: `, { kind: "lines", list, line: ids, empty: "(none)" }],
    };
  }
  const pronoun = rx()`
      ^(?:them|those|these|all of them|the list|their ids and titles|(?:a|the)\s+(?:summary|list|
      digest)\s+of\s+(?:them|those|these))$`.test(phrase);
  const named = /^(?:(?:a|the)\s+(?:summary|list|digest)\s+of\s+)?(?:those|these|such)\s+([a-z0-9]+)$/.exec(phrase);
  if (earlier && (pronoun || (named && [earlier.item.noun, singular(earlier.item.noun)].includes(named[1] ?? "")))) {
    return {
      kind: "text",
      parts: [
        `${capitalize(earlier.said.trim())}:\n`,
        { kind: "lines", list: earlier.id, line: summaryOf({ ...earlier.item, step: earlier.id }), empty: "(none)" },
      ],
    };
  }
  if (earlier && /^(?:how many there are|the (?:number|count) of them|their (?:number|count))$/.test(phrase)) {
    return { kind: "text", parts: [`${capitalize(earlier.said.trim())}: `, { kind: "count", list: earlier.id }] };
  }
  // "the incident", "a summary of the new incident", "every incident" where the workflow handles one at a time:
  // that one.
  const itemWords = rx()`
      ^(?:(?:a|the)\s+(?:short\s+)?(?:summary|details|digest|list|overview)\s+of\s+)?(?:the|this|
      that|every|each|all|any|all the)?\s*(?:new\s+)?(?<noun>incident|ticket|issue|request|case|
      one)(?<plural>s)?$`.exec(phrase);
  if (context.item && itemWords && /incident/.test(context.item.noun) && (!earlier || !itemWords.groups?.["plural"]))
    return summaryOf(context.item);
  // In a workflow that handles one item at a time ("when P4 requests come in, post them"), "them" is each one.
  if (!earlier && context.item && /^(?:them|those|these|each of them|each one)$/.test(phrase))
    return summaryOf(context.item);
  if (
    rx()`
      ^(?:it|this|that|the incident|the incident(?:'s)? (?:summary|details|id and title)|
      its (?:id and title|summary|details)|an? (?:update|summary|notification|alert|
      message)(?: about it)?)?$`.test(phrase) ||
    (context.list && !context.item && /^an?\s+(?:warning|heads-up|notice)$/.test(phrase))
  ) {
    if (context.item) return summaryOf(context.item);
    // "page the on-call engineer if there are unassigned P1 incidents": the page lists them.
    if (
      (phrase === "" || /^an?\s+(?:update|notification|alert|message|warning|heads-up|notice)$/.test(phrase)) &&
      context.list
    )
      return {
        kind: "text",
        parts: [
          `${capitalize(context.list.said.trim())}:\n`,
          {
            kind: "lines",
            list: context.list.id,
            line: summaryOf({ ...context.list.item, step: context.list.id }),
            empty: "(none)",
          },
        ],
      };
    if (context.takesInput)
      return builder.input("message", { type: "string", minLength: 1 }, true, "the message to send");
    throw new PlannerDeclined(
      "needs-input",
      said || content,
      "it does not say what the message should say; give the text in quotes, or name what to report",
    );
  }
  // "how many incidents are in resolved status" / "how many P1s are still open": a count, said as a question.
  const howMany = /^how\s+many\s+(.+?)(?:\s+there\s+are)?$/.exec(phrase);
  if (howMany) {
    const asked = (howMany[1] ?? "").replace(/\s+(?:right\s+)?now$/, "");
    const listed = [
      asked.replace(/^(.+?)\s+(?:are|is)\s+(?:still\s+|currently\s+|now\s+)?(?:sitting\s+)?(.+?)$/, "$2 $1"),
      asked.replace(
        rx()`
          ^(.+?)\s+(?:are|is)\s+(?:still\s+|currently\s+|
          now\s+)?(?:sitting\s+)?(?:in\s+)?(?:the\s+)?(?:status\s+)?(.+?)(?:\s+status)?$`,
        "$2 $1",
      ),
      asked.replace(/^(.+?)\s+(?:are|is|were|was)\s+(?:still\s+|currently\s+|now\s+)?(?:sitting\s+)?/, "$1 that are "),
      asked,
    ]
      .map((candidate) => readSubjectList(candidate, catalog, builder, context))
      .find(Boolean);
    if (!listed) throw new PlannerDeclined("refused", said, `it does not know what to count in "${content.trim()}"`);
    const list = listed.push(block);
    return { kind: "text", parts: [`${capitalize(listed.said.trim())}: `, { kind: "count", list }] };
  }
  const count = /^(?:(?:a|the)\s+)?(?:total\s+)?(?:number|count|tally)\s+of\s+(.+)$/.exec(phrase);
  const summary = count
    ? undefined
    : /^(?:(?:a|the)\s+)?(?:summary|list|digest|report|overview)\s+of\s+(.+)$/.exec(phrase);
  const rest = originalPhrase.slice(phrase.length - (count?.[1] ?? summary?.[1] ?? phrase).length);
  const listed = readSubjectList(rest, catalog, builder, context);
  if (!listed) {
    const named = namedFields(originalPhrase, context, catalog, builder, block);
    if (named) return named;
    // "who was removed and who is on call now": two things it can say, one after the other.
    const halves = [...originalPhrase.matchAll(/\s+and\s+/g)];
    for (const half of halves) {
      const at = half.index ?? 0;
      const trial: PlanStep[] = [];
      try {
        const first = readContent(originalPhrase.slice(0, at), context, said, catalog, builder, trial);
        const second = readContent(originalPhrase.slice(at + half[0].length), context, said, catalog, builder, trial);
        block.push(...trial);
        const partsOf = (v: PlanValue) => (v.kind === "text" && !v.slug ? v.parts : [v]);
        return { kind: "text", parts: [...partsOf(first), "; ", ...partsOf(second)] };
      } catch (error) {
        if (!(error instanceof PlannerDeclined)) throw error;
      }
    }
    throw new PlannerDeclined("refused", said, `it does not know what to send as "${content.trim()}"`);
  }
  const list = listed.push(block);
  const title = capitalize(listed.said.trim());
  if (count) return { kind: "text", parts: [`${title}: `, { kind: "count", list }] };
  return {
    kind: "text",
    parts: [`${title}:\n`, { kind: "lines", list, line: summaryOf({ ...listed.item, step: list }), empty: "(none)" }],
  };
}

/**
 * Fields the request names instead of text: of the item ("the ticket number and who reported it"),
 * of the person ("their name and department"), or of each item of a list ("the open P1 incidents
 * (number and title)"). Undefined when the phrase is none of these.
 */
function namedFields(
  phrase: string,
  context: Context,
  catalog: CatalogView,
  builder: PlanBuilder,
  block: PlanStep[],
): PlanValue | undefined {
  const ofItem = context.item ? itemFields(phrase, context.item) : undefined;
  if (ofItem) return ofItem;
  const person = context.person;
  const ofPerson = person ? personFields(phrase, person.email, person.schema) : undefined;
  if (ofPerson) return ofPerson;
  const split = splitLineFormat(phrase);
  if (!split) return undefined;
  const head = split.head.toLowerCase().trim();
  // "it (number and title)", "the incident with its number and priority": the item's fields.
  if (
    context.item &&
    /^(?:it|this|that|the\s+(?:new\s+)?(?:incident|ticket|issue)|an?\s+(?:incident|ticket|issue))$/.test(head)
  )
    return itemFields(split.format, context.item);
  const earlier = context.list;
  if (earlier && /^(?:them|those|these|all of them|the list|each of them)$/.test(head)) {
    const line = lineFields(split.format, earlier.id, earlier.item.schema);
    return line
      ? {
          kind: "text",
          parts: [`${capitalize(earlier.said.trim())}:\n`, { kind: "lines", list: earlier.id, line, empty: "(none)" }],
        }
      : undefined;
  }
  const listed = readSubjectList(
    split.head
      .trim()
      .replace(/^(?:a|the)\s+(?:full\s+|short\s+)?(?:list|summary|rundown|digest|overview|report)\s+of\s+/i, ""),
    catalog,
    builder,
    context,
  );
  if (!listed) return undefined;
  const trial: PlanStep[] = [];
  const list = listed.push(trial);
  const line = lineFields(split.format, list, listed.item.schema);
  if (!line) return undefined;
  block.push(...trial);
  return {
    kind: "text",
    parts: [`${capitalize(listed.said.trim())}:\n`, { kind: "lines", list, line, empty: "(none)" }],
  };
}

/**
 * Quoted text with placeholders ("<incident id> closed", "<component> is now <status>"): each one a
 * field of the item, the person, or an input the request names; one nothing fills is refused.
 */
function withPlaceholders(quoted: string, context: Context, said: string, builder: PlanBuilder): PlanValue {
  if (!/<[^<>]+>/.test(quoted)) return { kind: "const", value: quoted };
  const parts: (string | PlanValue)[] = [];
  let last = 0;
  for (const slot of quoted.matchAll(/<([^<>]{1,40})>/g)) {
    const words = (slot[1] ?? "")
      .toLowerCase()
      .trim()
      .replace(/\s+in\s+lower\s*case$/, "");
    const name = words.replace(/^(?:the\s+)?(?:incident|ticket)(?:'s)?\s+/, "").replace(/\s+/g, "_");
    const input = builder.declared.names.find((n) => n === words.replace(/\s+/g, "_") || n === name);
    const item = context.item
      ? field(context.item, name === "number" || name === "id" ? ["id", "number", "key"] : [name])
      : undefined;
    const person =
      context.person && /^(?:name|full_name|user|person)$/.test(name)
        ? (context.person.name ?? context.person.email)
        : context.person && name === "email"
          ? context.person.email
          : undefined;
    const value =
      item ??
      person ??
      (input && context.takesInput
        ? builder.input(input, { type: "string" }, true, `${input} from the caller`)
        : undefined);
    if (!value)
      throw new PlannerDeclined(
        "refused",
        said,
        `"<${slot[1] ?? ""}>" in the text is nothing this workflow has (a field of the incident, ` +
          `the person, or a named input)`,
      );
    parts.push(quoted.slice(last, slot.index), value);
    last = (slot.index ?? 0) + slot[0].length;
  }
  parts.push(quoted.slice(last));
  return { kind: "text", parts: parts.filter((p) => p !== "") };
}

/** A list's lines saying the fields `format` names ("number, priority and title of each"), in that order. */
function withLineFormat(value: PlanValue, format: string | undefined, said: string): PlanValue {
  if (!format) return value;
  if (value.kind !== "text")
    throw new PlannerDeclined(
      "refused",
      said,
      `"${format}" says what each item's line holds, and this message is not a list`,
    );
  const parts = value.parts.map((part) => {
    if (typeof part === "string" || part.kind !== "lines") return part;
    const list = part.list;
    const names = format
      .replace(/\s+(?:of|for)\s+each.*$/, "")
      .split(/\s*(?:,|\band\b|&)\s*/)
      .map((w) => w.replace(/^(?:the|its)\s+/, "").trim())
      .filter(Boolean);
    const pieces: (string | PlanValue)[] = [];
    for (const name of names) {
      const path =
        name === "number" || name === "id"
          ? ["id"]
          : name === "assignee" || name === "owner"
            ? ["assignee", "name"]
            : name === "reporter"
              ? ["reporter_email"]
              : name === "summary"
                ? ["title"]
                : [name];
      if (pieces.length) pieces.push(" · ");
      pieces.push({ kind: "ref", step: list, path });
    }
    return { ...part, line: { kind: "text", parts: pieces } } satisfies PlanValue;
  });
  if (!parts.some((p, i) => p !== value.parts[i]))
    throw new PlannerDeclined(
      "refused",
      said,
      `"${format}" says what each item's line holds, and this message is not a list`,
    );
  return { ...value, parts };
}

/**
 * What "remind them to update their notes" says to them: "Reminder: please update your notes."
 * Only the pronouns change; the words are the request's.
 */
function spokenTo(rest: string, verb: string, asking: boolean): string {
  const swaps: Record<string, string> = {
    their: "your",
    they: "you",
    them: "you",
    themselves: "yourself",
    "they're": "you're",
    "they've": "you've",
    his: "your",
    her: "your",
    he: "you",
    she: "you",
    him: "you",
  };
  const said = rest
    .trim()
    .replace(/[.!]+$/, "")
    .replace(/\b[A-Za-z']+\b/g, (word) => swaps[word.toLowerCase()] ?? word);
  if (verb === "that") return `${capitalize(said)}.`;
  if (verb === "about") return `Reminder: ${said}.`;
  return asking ? `Please ${said}.` : `Reminder: please ${said}.`;
}

/**
 * Words said as they are ("it'll be picked up during business hours"): no word that asks for data
 * the workflow would have to fill in (a number, a list, a name, who or which), so nothing is lost
 * by sending them as written.
 */
function isPlainSentence(words: string): boolean {
  return (
    /^[a-z0-9' ,!-]+$/i.test(words.trim()) &&
    !rx("i")`
      \b(?:number|numbers|count|how\s+many|list|ids?|titles?|priority|priorities|status|names?|
      emails?|who|whom|whose|which|what|when|where|details|summary|assignee|reporter|total|link|url|
      date|time|today's|current|whoever|whatever|wherever|latest|last|next)\b`.test(words)
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A list a phrase names in full ("open P1 incidents", "unassigned incidents older than 24 hours"):
 * undefined unless every word of the phrase is understood. `push` adds its tool call and list step
 * to a block and returns the list step's id.
 */
export function readSubjectList(
  phrase: string,
  catalog: CatalogView,
  builder: PlanBuilder,
  context: Context,
): { item: Item; said: string; push: (block: PlanStep[]) => string } | undefined {
  for (const noun of catalog.listNouns()) {
    const source = catalog.lister(noun);
    if (!source) continue;
    // "P1s" is "P1 incidents": an enum value of the items, made plural, stands for the items with it.
    // "everything that's on hold" is "incidents that are on hold" for the noun whose items can be on hold.
    const bare = phrase
      .replace(/\b(that|which)'s\b/gi, "$1 is")
      .replace(/^(?:the|all(?:\s+the)?|any|every)\s+/, "")
      .replace(
        /^(?:everything|anything|all)\s+(?:that(?:'s|\s+is|\s+are)|which\s+(?:is|are))\s+/,
        `${plural(noun)} that are `,
      );
    const asNoun = /^(.*?)\b([a-z0-9_]+?)s?$/i.exec(bare);
    const hasNoun = new RegExp(`\\b(?:${plural(noun)}|${singular(noun)}|tickets?|issues?|cases?|requests?)\\b`).test(
      bare,
    );
    // "P1 that is still new": the value first, then what is said of it.
    const leading = /^([a-z0-9_]+?)s?(\s+(?:that|which|with|whose|where|older|created|opened)\b.*)$/i.exec(bare);
    const text = new RequestText(
      !hasNoun && asNoun && enumValues(source.itemSchema).includes((asNoun[2] ?? "").toLowerCase())
        ? `${asNoun[1] ?? ""}${asNoun[2] ?? ""} ${noun}`
        : !hasNoun && leading && enumValues(source.itemSchema).includes((leading[1] ?? "").toLowerCase())
          ? `${leading[1] ?? ""} ${noun}${leading[2] ?? ""}`
          : bare,
    );
    const list = builder.id(noun);
    const about = context.person ?? context.recipient;
    const read = readListPhrase(text, noun, source.itemSchema, list, about ? { person: about.email } : {});
    if (read) read.said = text.verbatim.slice(read.start, read.end);
    if (!read || text.leftover().length > 0 || read.start !== 0) {
      builder.release(list);
      continue;
    }
    const push = (block: PlanStep[]) => {
      const call = builder.id(`list ${noun}`);
      const bound: Record<string, PlanValue> = {};
      // Filters the tool takes itself are passed to it as well (the list step still checks them).
      for (const condition of read.conditions) {
        if (condition.op !== "eq" || condition.value.kind !== "ref" || condition.value.path.length !== 1) continue;
        const name = condition.value.path[0] as string;
        const property = propertyOf(source.tool.inputSchema, name);
        if (property && Array.isArray(property["enum"]) && (property["enum"] as unknown[]).includes(condition.operand))
          bound[name] = { kind: "const", value: condition.operand as string };
      }
      const limit = propertyOf(source.tool.inputSchema, "limit");
      if (limit && typeof limit["maximum"] === "number") {
        bound["limit"] = { kind: "const", value: limit["maximum"] };
        // Said in the plan: a list read in one call holds at most the tool's maximum.
        builder.checks.push(
          `${source.tool.key} returns at most ${limit["maximum"]} ${read.noun} a call (its ` +
            `maximum); a run sees no more than that`,
        );
      }
      block.push({
        kind: "call",
        id: call,
        tool: source.tool.key,
        args: bindArgs(source.tool, bound, { builder, takesInput: context.takesInput, clause: read.said }),
      });
      block.push({
        kind: "list",
        id: list,
        from: { kind: "ref", step: call, path: [source.field] },
        where: read.conditions,
        noun: read.noun,
      });
      return list;
    };
    return { item: { step: list, schema: source.itemSchema, noun: read.noun, typed: true }, said: read.said, push };
  }
  return undefined;
}

/** The lower-case values of every enum field of an item schema. */
export function enumValues(schema: Record<string, unknown>): string[] {
  const properties = (schema["properties"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  return Object.values(properties).flatMap((p) =>
    Array.isArray(p["enum"]) ? (p["enum"] as unknown[]).map((v) => String(v).toLowerCase()) : [],
  );
}

export { personPath };

/** "Open P1 incidents: " and the ids of that earlier list, one per line. */
function idLines(earlier: NonNullable<Context["list"]>): PlanValue | undefined {
  const ids = field({ ...earlier.item, step: earlier.id }, ["id", "number", "key"]);
  if (!ids) return undefined;
  return {
    kind: "text",
    parts: [`${capitalize(earlier.said.trim())}: `, { kind: "lines", list: earlier.id, line: ids, empty: "(none)" }],
  };
}
