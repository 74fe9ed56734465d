/**
 * An independent evaluation set for Charter's planner (set 5): requests written without looking
 * at the planner or its own evaluation cases, against the demo tenant's servers as they are
 * seeded (tenants/demo/servers/*.ts):
 *
 *   users      u-1001 Mara Keller (finance, no manager), u-1002 Sam Okafor (it, manager u-1003),
 *              u-1003 Li Wen (it, IT manager, no manager), u-1004 Ana Costa (engineering, manager u-1003)
 *   groups     g-vpn vpn-users [], g-admins it-admins [u-1002], g-oncall sre-oncall [u-1004, u-1002]
 *   on call    sre-oncall: Ana on even UTC dates, Sam on odd ones; it-admins: Sam
 *   channels   #it-ops, #incidents, #general, all empty; no pages, no direct messages
 *   incidents  INC0001 (P2, in_progress, service vpn, reporter Mara, assigned to Sam); new ones are
 *              numbered INC0002, INC0003, … in the order they are created
 *
 * Every draft case's check fails when the workflow did nothing (each needs a message, page, DM or
 * state change that only the workflow makes). Declined cases name the part that cannot be done.
 */
import type { Demo, EvalCase, Json, Trigger } from "../harness.ts";

// ---- people, as a message may name them (name, first name, email or id) ----
const SAM = /okafor|\bsam\b|u-1002/i;
const ANA = /costa|\bana\b|u-1004/i;
const MARA = /keller|\bmara\b|u-1001/i;
const EMAIL = {
  mara: "mara.keller@example.com",
  sam: "sam.okafor@example.com",
  li: "li.wen@example.com",
  ana: "ana.costa@example.com",
};

// ---- reading the demo servers ----

/** A channel's messages, one string each (the history is `[ts] text` lines; a text may span lines). */
async function messages(demo: Demo, channel: string): Promise<string[]> {
  const history = await demo.history(channel);
  if (history.trim() === "" || history.trim() === "(no messages)") return [];
  return history.split(/\n(?=\[\d+\.\d+\] )/);
}

async function incident(demo: Demo, id: string): Promise<Json> {
  return demo.call("tickets.get_incident", { id });
}

async function allIncidents(demo: Demo): Promise<Json[]> {
  return (await demo.call("tickets.list_incidents", { limit: 100 }))["incidents"];
}

async function members(demo: Demo, group: string): Promise<string[]> {
  const groups: Json[] = (await demo.call("directory.list_groups", {}))["groups"];
  const found = groups.find((g) => g["name"] === group || g["id"] === group);
  return found ? [...found["member_ids"]].sort() : [];
}

async function user(demo: Demo, by: { user_id?: string; email?: string }): Promise<Json | undefined> {
  try {
    return await demo.call("directory.get_user", by);
  } catch {
    return undefined;
  }
}

async function dmsTo(demo: Demo, email: string): Promise<string[]> {
  return (await demo.directMessages()).filter((m) => m.user_email === email).map((m) => m.text);
}

// ---- changing the demo servers (setup and resource events) ----

async function open(
  demo: Demo,
  fields: {
    title: string;
    priority: "P1" | "P2" | "P3" | "P4";
    description?: string;
    service?: string;
    tags?: string[];
    reporter_email?: string;
  },
): Promise<string> {
  const created = await demo.call("tickets.create_incident", {
    reporter_email: EMAIL.mara,
    description: `${fields.title} (reported by phone)`,
    ...fields,
  });
  return String(created["id"]);
}

const NEW_INCIDENT = (change: (demo: Demo) => Promise<unknown>): Trigger => ({
  kind: "resource",
  integration: "tickets",
  uri: "tickets://incidents/new",
  change: async (demo) => {
    await change(demo);
  },
});
const MEMBERSHIP = (change: (demo: Demo) => Promise<unknown>): Trigger => ({
  kind: "resource",
  integration: "directory",
  uri: "directory://events/membership",
  change: async (demo) => {
    await change(demo);
  },
});
const ON_NEW_INCIDENT = { type: "resource", integration: "tickets", uri: "tickets://incidents/new" };
const ON_MEMBERSHIP = { type: "resource", integration: "directory", uri: "directory://events/membership" };

// ---- assertions ----

/** Collects problems: `expect(condition, what is wrong when it does not hold)`. */
function problems() {
  const list: string[] = [];
  return {
    list,
    expect(ok: boolean, problem: string) {
      if (!ok) list.push(problem);
    },
  };
}

const count = (texts: string[], pattern: RegExp) => texts.filter((t) => pattern.test(t)).length;
const short = (texts: string[]) => JSON.stringify(texts).slice(0, 200);
const lastName = (name: string) => name.split(/\s+/).pop()?.toLowerCase() ?? name.toLowerCase();

async function onCall(demo: Demo): Promise<Json> {
  return (await demo.call("directory.get_on_call", {}))["user"];
}

// State a case keeps between its triggers (reset by the case's setup).
const seenBetween: Record<string, string[]> = {};

export const CASES: EvalCase[] = [
  // ======================= schedules =======================
  {
    id: "u5-weekly-open-p1p2",
    request:
      "Every Monday morning at 9 Berlin time, post a rundown of all open P1 and P2 tickets to #it-ops: number, priority and title of each. Open means anything that isn't resolved or closed.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 * * 1", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, { title: "Payroll database unreachable", priority: "P1" }); // INC0002 open
          await open(demo, { title: "Printer on 3rd floor jammed", priority: "P3" }); // INC0003 wrong priority
          await open(demo, { title: "Outbound email delayed", priority: "P2" }); // INC0004 closed below
          await demo.call("tickets.close_incident", {
            id: "INC0004",
            resolution_code: "fixed",
            notes: "Queue drained",
          });
          await open(demo, { title: "Wifi down in Lisbon office", priority: "P1" }); // INC0005 resolved below
          await demo.call("tickets.update_incident", { id: "INC0005", status: "resolved" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const p = problems();
          const text = (await messages(demo, "it-ops")).join("\n");
          p.expect(/INC0001/i.test(text), "#it-ops does not list INC0001 (open P2, in progress)");
          p.expect(/INC0002/i.test(text), "#it-ops does not list INC0002 (open P1)");
          p.expect(!/INC0003/i.test(text), "#it-ops lists INC0003, a P3");
          p.expect(!/INC0004/i.test(text), "#it-ops lists INC0004, which is closed");
          p.expect(!/INC0005/i.test(text), "#it-ops lists INC0005, which is resolved");
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-p1-page-no-repeat",
    request:
      "Every 30 minutes, look for P1 incidents that are still in status new and page the on-call SRE about each one, with the incident number in the page. Never page twice for the same incident.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, { title: "Core switch failure in DC1", priority: "P1" }); // INC0002
          await open(demo, { title: "SAP login failing for all users", priority: "P1" }); // INC0003
          await open(demo, { title: "File share is slow", priority: "P2" }); // INC0004
          await open(demo, { title: "Badge readers offline", priority: "P1" }); // INC0005, in progress below
          await demo.call("tickets.update_incident", { id: "INC0005", status: "in_progress" });
        },
        triggers: [{ kind: "schedule" }, { kind: "schedule" }],
        check: async (demo) => {
          const p = problems();
          const pages = await demo.pages();
          const texts = pages.map((x) => x.message);
          const engineer = await demo.onCallEmail();
          p.expect(count(texts, /INC0002/i) === 1, `INC0002 should be paged exactly once, pages: ${short(texts)}`);
          p.expect(count(texts, /INC0003/i) === 1, `INC0003 should be paged exactly once, pages: ${short(texts)}`);
          p.expect(
            count(texts, /INC0004|INC0005|INC0001/i) === 0,
            `a page names an incident that is not a new P1: ${short(texts)}`,
          );
          p.expect(
            pages.length > 0 && pages.every((x) => x.user_email === engineer),
            `pages should go to the on-call ${engineer}: ${JSON.stringify(pages.map((x) => x.user_email))}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-monthly-admin-review",
    request:
      "On the 1st of every month at 07:00 UTC, DM each member of the it-admins group asking them to review who has admin rights, and include the names of everyone currently in it-admins in that message.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 7 1 * *" },
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: "u-1003", group: "it-admins" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const p = problems();
          const all = await demo.directMessages();
          for (const email of [EMAIL.sam, EMAIL.li]) {
            const texts = all.filter((m) => m.user_email === email).map((m) => m.text);
            p.expect(texts.length > 0, `no DM to ${email}, a member of it-admins`);
            p.expect(
              texts.length === 0 || texts.some((t) => /okafor/i.test(t) && /\bwen\b/i.test(t)),
              `the DM to ${email} does not list both members (Sam Okafor, Li Wen): ${short(texts)}`,
            );
          }
          const others = all.filter((m) => m.user_email !== EMAIL.sam && m.user_email !== EMAIL.li);
          p.expect(
            others.length === 0,
            `DMs to people outside it-admins: ${JSON.stringify(others.map((m) => m.user_email))}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-hourly-once-a-day",
    request:
      "Every hour, check whether any P1 incidents are open and if so post a heads-up listing them in #incidents. But don't post that heads-up more than once a day: if it already went out today, skip it.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, { title: "Citrix gateway down", priority: "P1" }); // INC0002
        },
        triggers: [{ kind: "schedule" }, { kind: "schedule" }, { kind: "schedule" }],
        check: async (demo) => {
          const p = problems();
          const posted = await messages(demo, "incidents");
          p.expect(
            posted.length === 1,
            `expected one heads-up in #incidents after three hourly runs on the same day, found ${posted.length}: ${short(posted)}`,
          );
          p.expect(
            posted.some((t) => /INC0002|citrix/i.test(t)),
            `the heads-up does not list INC0002: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-tokyo-page-fallback",
    request:
      "Every day at 6am Tokyo time, page whoever is on call for the it-admins rotation with the number of open P1 incidents. If nobody is on call for it-admins, page Li Wen instead.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 6 * * *", timezone: "Asia/Tokyo" },
        setup: async (demo) => {
          // it-admins loses its only member, so nobody is on call for it.
          await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "it-admins" });
          await open(demo, { title: "Active Directory replication broken", priority: "P1" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const p = problems();
          const pages = await demo.pages();
          p.expect(
            pages.some((x) => x.user_email === EMAIL.li),
            `Li Wen was not paged although nobody is on call for it-admins; pages: ${JSON.stringify(pages.map((x) => x.user_email))}`,
          );
          p.expect(
            pages.every((x) => x.user_email === EMAIL.li),
            `someone other than Li Wen was paged: ${JSON.stringify(pages.map((x) => x.user_email))}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-autoassign-new-p1",
    request:
      "Every 10 minutes: any P1 that is still new and has nobody assigned should be assigned to whoever is on call in sre-oncall and moved to in progress. Post in #incidents which ticket went to whom.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, { title: "Database cluster failover loop", priority: "P1" }); // INC0002: take it
          await open(demo, { title: "Edge firewall dropping traffic", priority: "P1" }); // INC0003: already assigned
          await demo.call("tickets.update_incident", {
            id: "INC0003",
            assignee: { id: "u-1003", name: "Li Wen", email: EMAIL.li },
          });
          await open(demo, { title: "Laptop imaging queue stuck", priority: "P2" }); // INC0004: not a P1
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const p = problems();
          const engineer = await demo.onCallEmail();
          const [two, three, four] = [
            await incident(demo, "INC0002"),
            await incident(demo, "INC0003"),
            await incident(demo, "INC0004"),
          ];
          p.expect(
            two["assignee"]?.["email"] === engineer,
            `INC0002 should be assigned to the on-call ${engineer}, is ${JSON.stringify(two["assignee"])}`,
          );
          p.expect(two["status"] === "in_progress", `INC0002 should be in progress, is ${two["status"]}`);
          p.expect(
            three["assignee"]?.["email"] === EMAIL.li && three["status"] === "new",
            `INC0003 (already assigned to Li Wen) was changed: ${JSON.stringify({ assignee: three["assignee"], status: three["status"] })}`,
          );
          p.expect(
            four["assignee"] === null && four["status"] === "new",
            `INC0004 (a P2) was changed: ${JSON.stringify({ assignee: four["assignee"], status: four["status"] })}`,
          );
          const text = (await messages(demo, "incidents")).join("\n");
          p.expect(/INC0002/i.test(text), "#incidents does not say INC0002 was assigned");
          p.expect(
            !/INC0003|INC0004/i.test(text),
            `#incidents mentions INC0003 or INC0004, which were not assigned: ${text.slice(0, 200)}`,
          );
          return p.list;
        },
      },
    },
  },

  // ======================= resource events =======================
  {
    id: "u5-new-p1-page-and-post",
    request:
      "When a new P1 comes in, page the on-call SRE and drop the incident number and title into #incidents. Leave other priorities alone.",
    expect: {
      draft: {
        declares: ON_NEW_INCIDENT,
        triggers: [
          NEW_INCIDENT((demo) => open(demo, { title: "Keyboard replacement for reception", priority: "P3" })), // INC0002
          NEW_INCIDENT((demo) => open(demo, { title: "Checkout site returning 503", priority: "P1" })), // INC0003
          NEW_INCIDENT((demo) => open(demo, { title: "Teams calls dropping", priority: "P2" })), // INC0004
        ],
        check: async (demo) => {
          const p = problems();
          const pages = await demo.pages();
          const texts = pages.map((x) => x.message);
          const engineer = await demo.onCallEmail();
          p.expect(
            count(texts, /INC0003|checkout/i) === 1,
            `the P1 INC0003 should be paged exactly once: ${short(texts)}`,
          );
          p.expect(
            count(texts, /INC0002|keyboard|INC0004|teams calls/i) === 0,
            `a page is about a P3 or P2: ${short(texts)}`,
          );
          p.expect(
            pages.every((x) => x.user_email === engineer),
            `pages should go to the on-call ${engineer}: ${JSON.stringify(pages.map((x) => x.user_email))}`,
          );
          const posted = await messages(demo, "incidents");
          p.expect(count(posted, /INC0003/i) === 1, `#incidents should carry INC0003 exactly once: ${short(posted)}`);
          p.expect(
            count(posted, /INC0002|keyboard|INC0004|teams calls/i) === 0,
            `#incidents mentions a P3 or P2: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-network-tag-assign",
    request:
      'Whenever a new ticket is opened with the tag "network", assign it to Sam Okafor and set it to in progress.',
    expect: {
      draft: {
        declares: ON_NEW_INCIDENT,
        triggers: [
          NEW_INCIDENT((demo) =>
            open(demo, { title: "Switch port flapping in room 2.14", priority: "P3", tags: ["network"] }),
          ), // INC0002
          NEW_INCIDENT((demo) =>
            open(demo, { title: "Projector bulb dead in boardroom", priority: "P3", tags: ["facilities"] }),
          ), // INC0003
        ],
        check: async (demo) => {
          const p = problems();
          const [two, three] = [await incident(demo, "INC0002"), await incident(demo, "INC0003")];
          p.expect(
            two["assignee"]?.["email"] === EMAIL.sam,
            `INC0002 (tag network) should be assigned to Sam Okafor, is ${JSON.stringify(two["assignee"])}`,
          );
          p.expect(two["status"] === "in_progress", `INC0002 should be in progress, is ${two["status"]}`);
          p.expect(
            three["assignee"] === null && three["status"] === "new",
            `INC0003 (tag facilities) was changed: ${JSON.stringify({ assignee: three["assignee"], status: three["status"] })}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-p1-war-room",
    request:
      "For every new P1 incident, create a private channel called war-room-<incident number in lower case> (for example war-room-inc0042), invite the on-call SRE and Li Wen, and post the incident's description in it.",
    expect: {
      draft: {
        declares: ON_NEW_INCIDENT,
        triggers: [
          NEW_INCIDENT((demo) =>
            open(demo, {
              title: "ERP unavailable",
              priority: "P1",
              description: "ERP returns HTTP 500 for every user since 09:12; suspected database failover.",
            }),
          ), // INC0002
          NEW_INCIDENT((demo) => open(demo, { title: "Need a second monitor", priority: "P4" })), // INC0003
        ],
        check: async (demo) => {
          const p = problems();
          const channels: Json[] = (await demo.call("chat.list_channels", { include_archived: true }))["channels"];
          const room = channels.find((c) => c["name"] === "war-room-inc0002");
          const engineer = await demo.onCallEmail();
          p.expect(
            room !== undefined,
            `no channel war-room-inc0002; channels: ${channels.map((c) => c["name"]).join(", ")}`,
          );
          if (room) {
            p.expect(room["private"] === true, "war-room-inc0002 is not private");
            p.expect(
              room["members"].includes(engineer),
              `the on-call ${engineer} is not a member of war-room-inc0002: ${JSON.stringify(room["members"])}`,
            );
            p.expect(
              room["members"].includes(EMAIL.li),
              `Li Wen is not a member of war-room-inc0002: ${JSON.stringify(room["members"])}`,
            );
            const text = (await messages(demo, "war-room-inc0002")).join("\n");
            p.expect(
              /failover/i.test(text),
              `the description was not posted in war-room-inc0002: ${text.slice(0, 200)}`,
            );
          }
          p.expect(!channels.some((c) => /inc0003/i.test(String(c["name"]))), "a channel was made for INC0003, a P4");
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-priority-routing",
    request:
      "When a new incident is opened: if it's a P1, page the on-call engineer; if it's a P2, post it in #incidents; for anything else, just add a public comment on the ticket telling the reporter we've got it and will look at it during business hours.",
    expect: {
      draft: {
        declares: ON_NEW_INCIDENT,
        triggers: [
          NEW_INCIDENT((demo) => open(demo, { title: "Storage array degraded", priority: "P1" })), // INC0002
          NEW_INCIDENT((demo) => open(demo, { title: "Print server slow", priority: "P2" })), // INC0003
          NEW_INCIDENT((demo) => open(demo, { title: "Request for a new mouse", priority: "P4" })), // INC0004
        ],
        check: async (demo) => {
          const p = problems();
          const pages = (await demo.pages()).map((x) => x.message);
          p.expect(
            count(pages, /INC0002|storage array/i) === 1,
            `the P1 INC0002 should be paged exactly once: ${short(pages)}`,
          );
          p.expect(
            count(pages, /INC0003|print server|INC0004|mouse/i) === 0,
            `a page is about the P2 or the P4: ${short(pages)}`,
          );
          const posted = await messages(demo, "incidents");
          p.expect(
            count(posted, /INC0003|print server/i) === 1,
            `#incidents should carry the P2 INC0003 exactly once: ${short(posted)}`,
          );
          p.expect(
            count(posted, /INC0002|storage array|INC0004|mouse/i) === 0,
            `#incidents mentions the P1 or the P4: ${short(posted)}`,
          );
          const publicComments = async (id: string) =>
            ((await incident(demo, id))["comments"] as Json[]).filter((c) => c["visibility"] === "public");
          p.expect(
            (await publicComments("INC0004")).length === 1,
            `INC0004 (P4) should get one public comment, has ${(await publicComments("INC0004")).length}`,
          );
          p.expect((await publicComments("INC0002")).length === 0, "INC0002 (P1) got a public comment");
          p.expect((await publicComments("INC0003")).length === 0, "INC0003 (P2) got a public comment");
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-admin-added-alert",
    request:
      "Whenever someone is added to the it-admins group, DM Li Wen who was added and post the same note in #it-ops. Changes to other groups, and removals, don't matter.",
    expect: {
      draft: {
        declares: ON_MEMBERSHIP,
        triggers: [
          MEMBERSHIP((demo) => demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "it-admins" })),
          MEMBERSHIP((demo) => demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "vpn-users" })),
          MEMBERSHIP((demo) =>
            demo.call("directory.remove_user_from_group", { user_id: "u-1004", group: "it-admins" }),
          ),
        ],
        check: async (demo) => {
          const p = problems();
          const all = await demo.directMessages();
          const toLi = all.filter((m) => m.user_email === EMAIL.li).map((m) => m.text);
          p.expect(
            count(toLi, ANA) === 1,
            `Li Wen should get exactly one DM about Ana Costa being added: ${short(toLi)}`,
          );
          p.expect(
            count(toLi, MARA) === 0,
            `Li Wen got a DM about Mara (added to vpn-users, not it-admins): ${short(toLi)}`,
          );
          p.expect(
            all.every((m) => m.user_email === EMAIL.li),
            `DMs went to others than Li Wen: ${JSON.stringify(all.map((m) => m.user_email))}`,
          );
          const posted = await messages(demo, "it-ops");
          p.expect(
            count(posted, ANA) === 1,
            `#it-ops should carry exactly one note about Ana Costa being added: ${short(posted)}`,
          );
          p.expect(
            count(posted, MARA) === 0,
            `#it-ops mentions Mara (added to vpn-users, not it-admins): ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-oncall-removal-notice",
    request:
      "If anyone gets taken out of the sre-oncall rotation, post in #incidents who was removed and who is on call now.",
    expect: {
      draft: {
        declares: ON_MEMBERSHIP,
        setup: async () => {
          seenBetween["u5-oncall-removal-notice"] = [];
        },
        triggers: [
          // First a removal from another group: nothing should be posted for it.
          MEMBERSHIP((demo) =>
            demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "it-admins" }),
          ),
          MEMBERSHIP(async (demo) => {
            seenBetween["u5-oncall-removal-notice"] = await messages(demo, "incidents");
            await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "sre-oncall" });
          }),
        ],
        check: async (demo) => {
          const p = problems();
          const early = seenBetween["u5-oncall-removal-notice"] ?? [];
          p.expect(early.length === 0, `#incidents got a post after a removal from it-admins: ${short(early)}`);
          const posted = await messages(demo, "incidents");
          p.expect(
            posted.some((t) => SAM.test(t)),
            `#incidents does not say Sam Okafor left sre-oncall: ${short(posted)}`,
          );
          p.expect(
            posted.some((t) => ANA.test(t)),
            `#incidents does not say Ana Costa (the only one left) is on call now: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },

  // ======================= by hand, with input =======================
  {
    id: "u5-offboard-by-email",
    request:
      "Offboarding: given an employee's email (input `email`), disable their account with the reason \"offboarding\", remove them from every group they're in, and post a short confirmation in #it-ops.",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { email: EMAIL.sam } }],
        check: async (demo) => {
          const p = problems();
          const sam = await user(demo, { user_id: "u-1002" });
          p.expect(sam?.["status"] === "disabled", `Sam's account is ${sam?.["status"]}, not disabled`);
          for (const group of ["it-admins", "sre-oncall"])
            p.expect(!(await members(demo, group)).includes("u-1002"), `Sam is still in ${group}`);
          p.expect((await members(demo, "sre-oncall")).includes("u-1004"), "Ana was removed from sre-oncall");
          for (const id of ["u-1001", "u-1003", "u-1004"])
            p.expect((await user(demo, { user_id: id }))?.["status"] === "active", `${id} is no longer active`);
          const posted = await messages(demo, "it-ops");
          p.expect(
            posted.some((t) => SAM.test(t)),
            `#it-ops has no confirmation about Sam: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-onboard-new-hire",
    request:
      "New starter onboarding. Inputs: `name`, `email`, `department` and `manager_email`. Create their directory account with that manager set, give them VPN access (the vpn-users group), DM the manager that the account is ready, and post a welcome for them in #general.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "manual",
            input: {
              name: "Priya Nair",
              email: "priya.nair@example.com",
              department: "engineering",
              manager_email: EMAIL.li,
            },
          },
        ],
        check: async (demo) => {
          const p = problems();
          const priya = await user(demo, { email: "priya.nair@example.com" });
          p.expect(priya !== undefined, "no directory account for priya.nair@example.com");
          if (priya) {
            p.expect(
              priya["manager_id"] === "u-1003",
              `Priya's manager should be Li Wen (u-1003), is ${priya["manager_id"]}`,
            );
            p.expect(priya["department"] === "engineering", `Priya's department is ${priya["department"]}`);
            p.expect((await members(demo, "vpn-users")).includes(String(priya["id"])), "Priya is not in vpn-users");
          }
          const toLi = await dmsTo(demo, EMAIL.li);
          p.expect(
            toLi.some((t) => /priya|nair/i.test(t)),
            `no DM to Li Wen (the manager) about Priya: ${short(toLi)}`,
          );
          const posted = await messages(demo, "general");
          p.expect(
            posted.some((t) => /priya|nair/i.test(t)),
            `no welcome for Priya in #general: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-escalate-incident",
    request:
      "Escalation button: given an incident number (`incident_id`), raise it to P1, page the on-call SRE with the incident's title, and add an internal work note on the ticket saying who was paged.",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) => {
          const p = problems();
          const engineer = await onCall(demo);
          const inc = await incident(demo, "INC0001");
          p.expect(inc["priority"] === "P1", `INC0001 is ${inc["priority"]}, not P1`);
          const pages = await demo.pages();
          p.expect(
            pages.some((x) => x.user_email === engineer["email"] && /vpn drops|INC0001/i.test(x.message)),
            `no page to the on-call ${engineer["email"]} with INC0001's title: ${JSON.stringify(pages).slice(0, 200)}`,
          );
          const notes = (inc["comments"] as Json[])
            .filter((c) => c["visibility"] === "internal")
            .map((c) => String(c["body"]).toLowerCase());
          p.expect(
            notes.some((b) => b.includes(lastName(String(engineer["name"]))) || b.includes(String(engineer["email"]))),
            `no internal note naming ${engineer["name"]}: ${short(notes)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-close-and-notify",
    request:
      "Given an `incident_id` and resolution `notes`, close the incident as fixed with those notes, let whoever reported it know by DM that it's resolved, and post a line about it in #incidents.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "manual",
            input: { incident_id: "INC0001", notes: "Replaced the faulty VPN concentrator in Berlin." },
          },
        ],
        check: async (demo) => {
          const p = problems();
          const inc = await incident(demo, "INC0001");
          p.expect(inc["status"] === "closed", `INC0001 is ${inc["status"]}, not closed`);
          p.expect(
            inc["resolution"]?.["code"] === "fixed",
            `INC0001's resolution code is ${inc["resolution"]?.["code"]}`,
          );
          p.expect(
            /concentrator/i.test(String(inc["resolution"]?.["notes"] ?? "")),
            "INC0001's resolution notes are not the given notes",
          );
          const all = await demo.directMessages();
          p.expect(
            all.some((m) => m.user_email === EMAIL.mara && /INC0001|vpn/i.test(m.text)),
            `no DM to the reporter Mara Keller about INC0001: ${JSON.stringify(all).slice(0, 200)}`,
          );
          p.expect(
            all.every((m) => m.user_email === EMAIL.mara),
            `DMs went to others than the reporter: ${JSON.stringify(all.map((m) => m.user_email))}`,
          );
          const posted = await messages(demo, "incidents");
          p.expect(
            posted.some((t) => /INC0001/i.test(t)),
            `#incidents has nothing about INC0001: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-dm-group-members",
    request: "Given a group name (`group`) and a `message`, send that message as a DM to every member of the group.",
    expect: {
      draft: {
        triggers: [
          { kind: "manual", input: { group: "sre-oncall", message: "Rotation handover moves to 15:00 today." } },
          { kind: "manual", input: { group: "it-admins", message: "Admin console maintenance tonight at 22:00." } },
        ],
        check: async (demo) => {
          const p = problems();
          const all = await demo.directMessages();
          const to = (email: string, pattern: RegExp) =>
            all.some((m) => m.user_email === email && pattern.test(m.text));
          p.expect(to(EMAIL.ana, /handover/i), "Ana (sre-oncall) did not get the handover message");
          p.expect(to(EMAIL.sam, /handover/i), "Sam (sre-oncall) did not get the handover message");
          p.expect(to(EMAIL.sam, /console/i), "Sam (it-admins) did not get the console message");
          p.expect(!to(EMAIL.ana, /console/i), "Ana got the it-admins message but is not in it-admins");
          p.expect(
            all.every((m) => m.user_email === EMAIL.ana || m.user_email === EMAIL.sam),
            `DMs to non-members: ${JSON.stringify(all.map((m) => m.user_email))}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-page-by-name",
    request:
      "Let me page someone by name: inputs `name` and `message`. Look the person up in the directory and page them with the message. If nobody matches the name, post in #it-ops that the page for that name couldn't be delivered.",
    expect: {
      draft: {
        triggers: [
          { kind: "manual", input: { name: "Ana", message: "Disk at 95% on db-2, please take a look" } },
          { kind: "manual", input: { name: "Zed Harlow", message: "Call me back about the firewall change" } },
        ],
        check: async (demo) => {
          const p = problems();
          const pages = await demo.pages();
          p.expect(
            pages.some((x) => x.user_email === EMAIL.ana && /db-2/.test(x.message)),
            `Ana Costa was not paged with the db-2 message: ${JSON.stringify(pages).slice(0, 200)}`,
          );
          p.expect(
            !pages.some((x) => /firewall/i.test(x.message)),
            "someone was paged for Zed Harlow, who is not in the directory",
          );
          const posted = await messages(demo, "it-ops");
          p.expect(
            posted.some((t) => /zed|harlow/i.test(t)),
            `#it-ops does not say the page for Zed Harlow failed: ${short(posted)}`,
          );
          p.expect(!posted.some((t) => /db-2/.test(t)), "#it-ops reports the page to Ana, which was delivered");
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-manager-pickup-dm",
    request:
      "Given an employee's `email`, DM their manager (as recorded in the directory) that the employee's new laptop is ready for pickup at the IT desk. If the employee has no manager on file, DM the employee directly instead.",
    expect: {
      draft: {
        triggers: [
          { kind: "manual", input: { email: EMAIL.ana } }, // manager: Li Wen
          { kind: "manual", input: { email: EMAIL.mara } }, // no manager
        ],
        check: async (demo) => {
          const p = problems();
          const all = await demo.directMessages();
          p.expect(
            all.some((m) => m.user_email === EMAIL.li && ANA.test(m.text)),
            `no DM to Li Wen (Ana's manager) about Ana: ${JSON.stringify(all).slice(0, 200)}`,
          );
          p.expect(
            all.some((m) => m.user_email === EMAIL.mara),
            "no DM to Mara Keller, who has no manager",
          );
          p.expect(!all.some((m) => m.user_email === EMAIL.ana), "Ana was DMed directly although she has a manager");
          p.expect(
            all.every((m) => m.user_email === EMAIL.li || m.user_email === EMAIL.mara),
            `DMs to others: ${JSON.stringify(all.map((m) => m.user_email))}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-admins-audit",
    request:
      "Audit it-admins: anyone in that group who isn't in the IT department gets removed from it and gets a DM explaining that admin access is limited to IT staff. Then post a summary of who was removed to #it-ops.",
    expect: {
      draft: {
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "it-admins" }); // engineering
          await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "it-admins" }); // finance
        },
        triggers: [{ kind: "manual", input: {} }],
        check: async (demo) => {
          const p = problems();
          const admins = await members(demo, "it-admins");
          p.expect(
            JSON.stringify(admins) === JSON.stringify(["u-1002"]),
            `it-admins should keep only Sam (u-1002, IT), has ${JSON.stringify(admins)}`,
          );
          p.expect((await members(demo, "sre-oncall")).includes("u-1004"), "Ana was removed from sre-oncall too");
          const all = await demo.directMessages();
          p.expect(
            all.some((m) => m.user_email === EMAIL.ana),
            "Ana (engineering) got no DM",
          );
          p.expect(
            all.some((m) => m.user_email === EMAIL.mara),
            "Mara (finance) got no DM",
          );
          p.expect(!all.some((m) => m.user_email === EMAIL.sam), "Sam (IT, kept) got a DM");
          const text = (await messages(demo, "it-ops")).join("\n");
          p.expect(
            ANA.test(text) && MARA.test(text),
            `#it-ops does not name both removed people: ${text.slice(0, 200)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-bulk-vpn-access",
    request:
      "Given a list of email addresses (`emails`), add each person to vpn-users. Skip anyone who isn't in the directory, and at the end post to #it-ops who got access and which addresses weren't found.",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { emails: [EMAIL.mara, "ghost.user@example.com", EMAIL.ana] } }],
        check: async (demo) => {
          const p = problems();
          const vpn = await members(demo, "vpn-users");
          p.expect(
            JSON.stringify(vpn) === JSON.stringify(["u-1001", "u-1004"]),
            `vpn-users should hold Mara and Ana (u-1001, u-1004), holds ${JSON.stringify(vpn)}`,
          );
          const text = (await messages(demo, "it-ops")).join("\n");
          p.expect(
            /ghost/i.test(text),
            `#it-ops does not report ghost.user@example.com as not found: ${text.slice(0, 200)}`,
          );
          p.expect(
            MARA.test(text) && ANA.test(text),
            `#it-ops does not say Mara and Ana got access: ${text.slice(0, 200)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-open-count-by-priority",
    request:
      "When I run this, post to #it-ops how many incidents are open (not resolved or closed) for each priority, P1 through P4.",
    expect: {
      draft: {
        setup: async (demo) => {
          for (const title of ["Mail relay down", "Core router loop", "Payroll batch failed"])
            await open(demo, { title, priority: "P1" }); // INC0002-4
          await open(demo, { title: "Old P1 already fixed", priority: "P1" }); // INC0005 resolved below
          await demo.call("tickets.update_incident", { id: "INC0005", status: "resolved" });
          for (const title of ["Monitor flickers", "Slow laptop"]) await open(demo, { title, priority: "P3" }); // INC0006-7
          await open(demo, { title: "Desk phone request", priority: "P4" }); // INC0008 closed below
          await demo.call("tickets.close_incident", { id: "INC0008", resolution_code: "fixed", notes: "Delivered" });
        },
        triggers: [{ kind: "manual", input: {} }],
        check: async (demo) => {
          // Open: P1 3, P2 1 (INC0001), P3 2, P4 0. Counting resolved/closed too would give P1 4, P4 1.
          const p = problems();
          const text = (await messages(demo, "it-ops")).join("\n");
          const says = (priority: string, n: string) =>
            new RegExp(
              `${priority}[^0-9\\n]{0,25}(?<![\\dP])${n}(?!\\d)|(?<![\\dP])${n}[^0-9\\n]{0,25}${priority}`,
              "i",
            ).test(text);
          p.expect(text.length > 0, "nothing was posted to #it-ops");
          p.expect(says("P1", "3"), `#it-ops does not say 3 open P1: ${text.slice(0, 200)}`);
          p.expect(says("P2", "1"), `#it-ops does not say 1 open P2: ${text.slice(0, 200)}`);
          p.expect(says("P3", "2"), `#it-ops does not say 2 open P3: ${text.slice(0, 200)}`);
          p.expect(!/P1[\s:=|*_()\-–—]{0,6}4(?!\d)/i.test(text), "#it-ops counts 4 P1 (includes the resolved one)");
          p.expect(!/P4[\s:=|*_()\-–—]{0,6}[1-9]/i.test(text), "#it-ops counts an open P4 (the only P4 is closed)");
          return p.list;
        },
      },
    },
  },

  // ======================= webhooks =======================
  {
    id: "u5-monitoring-alert-ticket",
    request:
      'Our monitoring system will call a webhook with JSON like {"service": "payments", "summary": "...", "severity": "critical"} (severity is critical or warning). For each call open an incident: P1 for critical, P3 for warning, the summary as the title, the service filled in, and monitoring@example.com as the reporter. For critical ones also page the on-call SRE.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { service: "payments", summary: "Payments API error rate above 20%", severity: "critical" },
          },
          { kind: "webhook", body: { service: "wiki", summary: "Wiki response times degraded", severity: "warning" } },
        ],
        check: async (demo) => {
          const p = problems();
          const incidents = await allIncidents(demo);
          const payments = incidents.find((i) => /payments api/i.test(String(i["title"])));
          const wiki = incidents.find((i) => /wiki response/i.test(String(i["title"])));
          p.expect(
            payments?.["priority"] === "P1" &&
              payments?.["service"] === "payments" &&
              payments?.["reporter_email"] === "monitoring@example.com",
            `the critical alert's incident is wrong or missing: ${JSON.stringify(payments ?? null).slice(0, 200)}`,
          );
          p.expect(
            wiki?.["priority"] === "P3" && wiki?.["service"] === "wiki",
            `the warning's incident is wrong or missing: ${JSON.stringify(wiki ?? null).slice(0, 200)}`,
          );
          p.expect(incidents.length === 3, `expected 2 new incidents, there are ${incidents.length - 1}`);
          const pages = await demo.pages();
          const engineer = await demo.onCallEmail();
          const about = (x: { message: string }, pattern: RegExp, incident?: Json) =>
            pattern.test(x.message) || (incident !== undefined && x.message.includes(String(incident["id"])));
          p.expect(
            pages.filter((x) => about(x, /payments/i, payments)).length === 1 &&
              pages.every((x) => x.user_email === engineer),
            `expected one page to the on-call ${engineer} about payments: ${JSON.stringify(pages).slice(0, 200)}`,
          );
          p.expect(!pages.some((x) => about(x, /wiki/i, wiki)), "the warning was paged");
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-hr-leaver-webhook",
    request:
      'The HR system will POST {"email": "...", "action": "leaver"} to a webhook when someone leaves; it also sends other actions such as "mover", which we ignore. For leavers: disable their directory account, take them out of it-admins if they are in it, and DM Li Wen a confirmation.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { email: EMAIL.sam, action: "leaver" } },
          { kind: "webhook", body: { email: EMAIL.ana, action: "mover" } },
        ],
        check: async (demo) => {
          const p = problems();
          p.expect(
            (await user(demo, { user_id: "u-1002" }))?.["status"] === "disabled",
            "Sam (leaver) is not disabled",
          );
          p.expect(!(await members(demo, "it-admins")).includes("u-1002"), "Sam (leaver) is still in it-admins");
          p.expect((await user(demo, { user_id: "u-1004" }))?.["status"] === "active", "Ana (mover) was disabled");
          p.expect((await members(demo, "sre-oncall")).includes("u-1004"), "Ana (mover) lost her groups");
          const all = await demo.directMessages();
          p.expect(
            all.some((m) => m.user_email === EMAIL.li && SAM.test(m.text)),
            `no DM to Li Wen confirming Sam's offboarding: ${JSON.stringify(all).slice(0, 200)}`,
          );
          p.expect(!all.some((m) => ANA.test(m.text)), "a DM is about Ana, whose call was a mover");
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-statuspage-routing",
    request:
      'Our status page vendor will call a webhook with {"component": "...", "status": "..."}. Post each update to #general as "<component> is now <status>", except updates whose status is "operational": those go to #it-ops only.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { component: "Email", status: "degraded_performance" } },
          { kind: "webhook", body: { component: "VPN", status: "operational" } },
        ],
        check: async (demo) => {
          const p = problems();
          const general = await messages(demo, "general");
          const itOps = await messages(demo, "it-ops");
          p.expect(
            general.some((t) => /email/i.test(t) && /degraded/i.test(t)),
            `#general does not carry the Email update: ${short(general)}`,
          );
          p.expect(
            !general.some((t) => /vpn/i.test(t)),
            `#general carries the VPN (operational) update: ${short(general)}`,
          );
          p.expect(
            itOps.some((t) => /vpn/i.test(t)),
            `#it-ops does not carry the VPN (operational) update: ${short(itOps)}`,
          );
          p.expect(
            !itOps.some((t) => /email/i.test(t)),
            `#it-ops carries the Email (degraded) update: ${short(itOps)}`,
          );
          return p.list;
        },
      },
    },
  },
  {
    id: "u5-alert-dedupe",
    request:
      'Monitoring sends a webhook {"alert_id": "...", "host": "...", "message": "..."} when an alert fires, and repeats the call every few minutes while it keeps firing. Page the on-call engineer the first time we see an alert_id; for repeats of the same alert_id don\'t page, just post "still firing" with the host in #it-ops.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { alert_id: "A-101", host: "db-1", message: "Replication lag 120s" } },
          { kind: "webhook", body: { alert_id: "A-101", host: "db-1", message: "Replication lag 180s" } },
          { kind: "webhook", body: { alert_id: "A-102", host: "web-3", message: "CPU at 99%" } },
        ],
        check: async (demo) => {
          const p = problems();
          const pages = await demo.pages();
          const texts = pages.map((x) => x.message);
          const engineer = await demo.onCallEmail();
          p.expect(
            count(texts, /db-1|A-101|replication/i) === 1,
            `alert A-101 should be paged exactly once: ${short(texts)}`,
          );
          p.expect(count(texts, /web-3|A-102|cpu/i) === 1, `alert A-102 should be paged exactly once: ${short(texts)}`);
          p.expect(
            pages.every((x) => x.user_email === engineer),
            `pages should go to the on-call ${engineer}: ${JSON.stringify(pages.map((x) => x.user_email))}`,
          );
          const posted = await messages(demo, "it-ops");
          p.expect(
            posted.some((t) => /db-1|A-101/i.test(t)),
            `#it-ops has no "still firing" for db-1: ${short(posted)}`,
          );
          p.expect(
            !posted.some((t) => /web-3|A-102/i.test(t)),
            `#it-ops has a "still firing" for web-3, which fired once: ${short(posted)}`,
          );
          return p.list;
        },
      },
    },
  },

  // ======================= to be declined: a question or a refusal =======================
  {
    id: "u5-no-password-reset",
    request: "When someone forgets their password, take their email, reset the password and DM them the temporary one.",
    expect: { declined: "either", about: /password|reset/i },
  },
  {
    id: "u5-no-laptop-order",
    request:
      "Onboard a new hire given `name`, `email` and `department`: create the account, add them to vpn-users, and order them a standard laptop from our hardware vendor.",
    expect: { declined: "either", about: /laptop|order|hardware|vendor/i },
  },
  {
    id: "u5-unknown-channel",
    request: "Every morning at 8 Amsterdam time, post the list of open P1 incidents to #noc-alerts.",
    expect: { declined: "either", about: /noc-alerts|channel/i },
  },
  {
    id: "u5-unknown-group",
    request: "When a new P1 is opened, DM everyone in the database-admins group the incident number and title.",
    expect: { declined: "either", about: /database-admins|dba|group/i },
  },
  {
    id: "u5-unknown-person",
    request: "Any new incident for the email service should be assigned to Jordan Blake automatically.",
    expect: { declined: "either", about: /jordan|blake/i },
  },
  {
    id: "u5-too-vague",
    request: "Can you set something up to make our incident handling less painful?",
    expect: {
      declined: "either",
      about: /incident|handling|painful|something|what|which|vague|unclear|specific|detail/i,
    },
  },
  {
    id: "u5-no-schedule-given",
    request: "Now and then, DM the on-call engineer a reminder to go through the queue of new incidents.",
    expect: { declined: "either", about: /now and then|how often|when|schedule|time|frequen|often|interval/i },
  },
  {
    id: "u5-no-chat-trigger",
    request: "Whenever somebody writes 'outage' in #general, open a P1 incident with their message as the title.",
    expect: { declined: "either", about: /general|outage|writes|message|post|chat|mention|trigger/i },
  },
  {
    id: "u5-no-reactivate",
    request:
      "Given an email, re-enable that person's account (they're back from parental leave) and put them back in vpn-users.",
    expect: { declined: "either", about: /re-?enabl|enable|reactivat|activat|account/i },
  },
  {
    id: "u5-no-video-bridge",
    request: "For every new P1, start a Zoom call for the responders and post the join link in #incidents.",
    expect: { declined: "either", about: /zoom|join link|meeting|video|conference/i },
  },
];
