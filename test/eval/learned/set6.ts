/**
 * An independent set of plain-language requests for the demo tenant, written without looking at
 * the planner or its own evaluation cases. About 26 can be done with the demo tools (checked on the
 * demo servers' end state after the triggers) and 10 deserve a question or a refusal.
 *
 * Seed data these cases rely on (tenants/demo/servers/*.ts):
 *   users u-1001 Mara Keller (finance), u-1002 Sam Okafor (it, manager u-1003), u-1003 Li Wen (it),
 *         u-1004 Ana Costa (engineering, manager u-1003); the next created user is u-1005
 *   groups g-vpn vpn-users (empty), g-admins it-admins [u-1002], g-oncall sre-oncall [u-1004, u-1002]
 *   channels #it-ops, #incidents, #general (empty); incident INC0001 (P2, in_progress, vpn,
 *   assigned to Sam, created 2026-11-20); each new incident takes the next number (INC0002, …).
 */
import type { Demo, EvalCase, Json } from "../harness.ts";

// ---------------------------------------------------------------- helpers for setups and checks

const PEOPLE = {
  mara: { id: "u-1001", name: "Mara Keller", email: "mara.keller@example.com" },
  sam: { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" },
  li: { id: "u-1003", name: "Li Wen", email: "li.wen@example.com" },
  ana: { id: "u-1004", name: "Ana Costa", email: "ana.costa@example.com" },
} as const;
type Person = { id: string; name: string; email: string };

/** Whether `text` names the incident (INC0002 but not INC00021). */
export const names = (text: string, id: string): boolean => new RegExp(`${id}(?!\\d)`, "i").test(text);
/** Whether `text` names the person by name, email or directory id. */
export const namesPerson = (text: string, person: Person): boolean =>
  text.toLowerCase().includes(person.name.toLowerCase()) ||
  text.toLowerCase().includes(person.email) ||
  names(text, person.id);

/** Opens an incident in setup and makes sure it got the number the case expects. */
async function open(
  demo: Demo,
  expected: string,
  args: {
    title: string;
    priority: string;
    service?: string;
    tags?: string[];
    description?: string;
    reporter_email?: string;
  },
): Promise<string> {
  const created = await demo.call("tickets.create_incident", { reporter_email: PEOPLE.mara.email, ...args });
  if (created["id"] !== expected)
    throw new Error(`setup expected ${expected}, the ticketing server made ${created["id"]}`);
  return expected;
}
const setStatus = (demo: Demo, id: string, status: string) => demo.call("tickets.update_incident", { id, status });
const assign = (demo: Demo, id: string, person: Person) =>
  demo.call("tickets.update_incident", { id, assignee: { id: person.id, name: person.name, email: person.email } });
const close = (demo: Demo, id: string, code = "fixed") =>
  demo.call("tickets.close_incident", { id, resolution_code: code, notes: "Closed in setup." });
export const incident = (demo: Demo, id: string): Promise<Json> => demo.call("tickets.get_incident", { id });
const user = (demo: Demo, id: string): Promise<Json> => demo.call("directory.get_user", { user_id: id });
const groupMembers = async (demo: Demo, name: string): Promise<string[]> =>
  ((await demo.call("directory.list_groups"))["groups"] as Json[]).find((g) => g["name"] === name)?.["member_ids"] ??
  [];
const dmsTo = async (demo: Demo, email: string): Promise<string[]> =>
  (await demo.directMessages()).filter((m) => m.user_email === email).map((m) => m.text);
const history = async (demo: Demo, channel: string): Promise<string> => {
  const text = await demo.history(channel);
  return text === "(no messages)" ? "" : text;
};

/** The text without dates and times (so a count can be read from it): 2026-11-30T07:00Z, 07:00, Dec 4, 4 Dec, [ts]. */
export const withoutDates = (text: string): string =>
  text
    .replace(/^\[[\d.]+\] /gm, "")
    .replace(/\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?/g, " ")
    .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, " ")
    .replace(
      /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/gi,
      " ",
    )
    .replace(/\b\d{1,2}\/\d{1,2}(\/\d{2,4})?\b/g, " ");

/** Collects problems: `need(ok, "what is wrong otherwise")`. */
function collector(): { need: (ok: boolean, problem: string) => void; problems: string[] } {
  const problems: string[] = [];
  return { problems, need: (ok, problem) => void (ok || problems.push(problem)) };
}

const NEW_INCIDENTS = { type: "resource", integration: "tickets", uri: "tickets://incidents/new" };
const MEMBERSHIP = { type: "resource", integration: "directory", uri: "directory://events/membership" };
const newIncident = (
  args: { title: string; priority: string; service?: string; tags?: string[]; description?: string },
  expected: string,
) =>
  ({
    kind: "resource",
    integration: "tickets",
    uri: "tickets://incidents/new",
    change: async (demo: Demo) => void (await open(demo, expected, args)),
  }) as const;
const membership = (change: (demo: Demo) => Promise<unknown>) =>
  ({
    kind: "resource",
    integration: "directory",
    uri: "directory://events/membership",
    change: async (demo: Demo) => void (await change(demo)),
  }) as const;

// ---------------------------------------------------------------- the requests

export const CASES: EvalCase[] = [
  // ------------------------------------------------------------ schedules
  {
    id: "u7-standup-p1p2-berlin",
    request:
      "Every weekday at 8:30 in Berlin, post the open P1 and P2 incidents to #it-ops so the morning standup has them.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "30 8 * * 1-5", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Payroll export failing", priority: "P1" });
          await open(demo, "INC0003", { title: "Laptop fan noisy", priority: "P3" });
          await open(demo, "INC0004", { title: "Old storage outage", priority: "P1" });
          await close(demo, "INC0004");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const posted = await history(demo, "it-ops");
          need(names(posted, "INC0001"), "#it-ops does not list the open P2 INC0001");
          need(names(posted, "INC0002"), "#it-ops does not list the open P1 INC0002");
          need(!names(posted, "INC0003"), "#it-ops lists the P3 INC0003");
          need(!names(posted, "INC0004"), "#it-ops lists the closed P1 INC0004");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-unassigned-dm-nyc",
    request:
      "Could you DM Li Wen every morning at 9 New York time with the incidents nobody has picked up yet (no assignee)? Skip closed ones.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 * * *", timezone: "America/New_York" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Shared drive slow", priority: "P3" });
          await open(demo, "INC0003", { title: "SSO login loop", priority: "P2" });
          await assign(demo, "INC0003", PEOPLE.ana);
          await open(demo, "INC0004", { title: "Monitor flickers", priority: "P4" });
          await close(demo, "INC0004", "not_reproducible");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const dms = (await dmsTo(demo, PEOPLE.li.email)).join("\n");
          need(names(dms, "INC0002"), "Li Wen got no DM naming the unassigned INC0002");
          for (const id of ["INC0001", "INC0003"]) need(!names(dms, id), `the DM names ${id}, which has an assignee`);
          need(!names(dms, "INC0004"), "the DM names the closed INC0004");
          const others = (await demo.directMessages()).filter((m) => m.user_email !== PEOPLE.li.email);
          need(others.length === 0, `DMs went to others too: ${others.map((m) => m.user_email).join(", ")}`);
          return problems;
        },
      },
    },
  },
  {
    id: "u7-stale-inprogress-notes",
    request:
      "Hourly: for any incident that's still in progress and was opened more than 3 days ago, add an internal work note asking the assignee for a status update.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Teams calls drop", priority: "P3" });
          await setStatus(demo, "INC0002", "in_progress");
          await open(demo, "INC0003", { title: "New starter laptop", priority: "P4" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const old = (await incident(demo, "INC0001"))["comments"] as Json[];
          need(
            old.some((c) => c["visibility"] === "internal"),
            "INC0001 (in progress since 2026-11-20) got no internal note",
          );
          need(
            old.every((c) => c["visibility"] === "internal"),
            "INC0001 got a public comment, not a work note",
          );
          for (const id of ["INC0002", "INC0003"])
            need(
              ((await incident(demo, id))["comments"] as Json[]).length === 0,
              `${id} was opened just now but got a note`,
            );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-p1-count-tokyo",
    request:
      "Mondays at 7am Tokyo time, post in #general how many P1 incidents are currently open (anything not resolved or closed).",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 7 * * 1", timezone: "Asia/Tokyo" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Checkout down", priority: "P1" });
          await open(demo, "INC0003", { title: "ERP unreachable", priority: "P1" });
          await setStatus(demo, "INC0003", "in_progress");
          await open(demo, "INC0004", { title: "Badge readers offline", priority: "P1" });
          await setStatus(demo, "INC0004", "on_hold");
          await open(demo, "INC0005", { title: "DNS outage", priority: "P1" });
          await setStatus(demo, "INC0005", "resolved");
          await open(demo, "INC0006", { title: "Storage array failure", priority: "P1" });
          await close(demo, "INC0006");
          await open(demo, "INC0007", { title: "Mouse broken", priority: "P3" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const posted = await history(demo, "general");
          need(posted !== "", "nothing was posted in #general");
          const numbers = withoutDates(posted);
          need(/\b3\b/.test(numbers), "the post does not give 3 (INC0002, INC0003, INC0004 are the open P1s)");
          need(!/\b[45]\b/.test(numbers), "the post gives 4 or 5: it counts resolved/closed P1s or other priorities");
          const elsewhere = (await history(demo, "it-ops")) + (await history(demo, "incidents"));
          need(elsewhere === "", "it also posted in other channels");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-closed-list-fallback-london",
    request:
      "Fridays 18:00 London: post the list of resolved and closed incidents to #it-ops. If posting to the channel fails for any reason, send the list to Li Wen as a DM instead.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 18 * * 5", timezone: "Europe/London" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Printer queue stuck", priority: "P3" });
          await close(demo, "INC0002");
          await open(demo, "INC0003", { title: "Wi-Fi in lobby", priority: "P3" });
          await setStatus(demo, "INC0003", "resolved");
          await open(demo, "INC0004", { title: "Phone system echo", priority: "P2" });
          // The channel is archived after approval, so posting fails and the fallback must be taken.
          await demo.call("chat.archive_channel", { channel: "it-ops" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const dms = (await dmsTo(demo, PEOPLE.li.email)).join("\n");
          need(names(dms, "INC0002"), "Li Wen's DM does not list the closed INC0002");
          need(names(dms, "INC0003"), "Li Wen's DM does not list the resolved INC0003");
          need(!names(dms, "INC0001") && !names(dms, "INC0004"), "Li Wen's DM lists incidents that are still open");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-once-sydney-reminder",
    request:
      "One-off: on 15 January 2027 at 10:00 Sydney time, post in #general that the VPN maintenance window starts at noon and people should save their work.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const posted = await history(demo, "general");
          need(/vpn/i.test(posted) && /mainten/i.test(posted), "#general has no VPN maintenance reminder");
          need(
            (await history(demo, "it-ops")) === "" && (await history(demo, "incidents")) === "",
            "it posted in other channels too",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-unassigned-p1-every15",
    request:
      "every 15 min check for P1s that don't have an assignee and page whoever is on call about them (with the incident numbers)",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Core router down", priority: "P1" });
          await open(demo, "INC0003", { title: "Payments API errors", priority: "P1" });
          await assign(demo, "INC0003", PEOPLE.ana);
          await open(demo, "INC0004", { title: "Slow intranet", priority: "P2" });
          await open(demo, "INC0005", { title: "Old P1 already handled", priority: "P1" });
          await close(demo, "INC0005");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(
            pages.some((p) => p.user_email === onCall && names(p.message, "INC0002")),
            `no page to the on-call engineer (${onCall}) names INC0002`,
          );
          need(
            pages.every((p) => p.user_email === onCall),
            "pages went to someone who is not on call",
          );
          for (const id of ["INC0003", "INC0004", "INC0005"])
            need(!pages.some((p) => names(p.message, id)), `a page names ${id} (assigned, not P1 or closed)`);
          return problems;
        },
      },
    },
  },
  {
    id: "u7-evening-p1-if-chicago",
    request:
      'At 5pm Chicago time every day: if there are no open P1s, post "All clear - no open P1s" in #incidents. Otherwise page the on-call engineer with the P1 numbers instead.',
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 17 * * *", timezone: "America/Chicago" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Warehouse scanners offline", priority: "P1" });
          await open(demo, "INC0003", { title: "Yesterday's P1", priority: "P1" });
          await close(demo, "INC0003");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(
            pages.some((p) => p.user_email === onCall && names(p.message, "INC0002")),
            `the on-call engineer (${onCall}) was not paged about INC0002`,
          );
          need(!pages.some((p) => names(p.message, "INC0003")), "a page names the closed INC0003");
          need(!/all clear/i.test(await history(demo, "incidents")), "#incidents says all clear although a P1 is open");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-weekly-own-incidents-madrid",
    request:
      "Every Monday at 9:00 Europe/Madrid, send each member of sre-oncall a DM listing the open incidents assigned to them.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 * * 1", timezone: "Europe/Madrid" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Kubernetes node pressure", priority: "P2" });
          await assign(demo, "INC0002", PEOPLE.ana);
          await open(demo, "INC0003", { title: "Fixed cert rotation", priority: "P3" });
          await assign(demo, "INC0003", PEOPLE.ana);
          await close(demo, "INC0003");
          await open(demo, "INC0004", { title: "Unowned backlog item", priority: "P4" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          const ana = (await dmsTo(demo, PEOPLE.ana.email)).join("\n");
          const sam = (await dmsTo(demo, PEOPLE.sam.email)).join("\n");
          need(names(ana, "INC0002"), "Ana's DM does not list her INC0002");
          need(
            !names(ana, "INC0001") && !names(ana, "INC0003") && !names(ana, "INC0004"),
            "Ana's DM lists incidents that are not her open ones",
          );
          need(names(sam, "INC0001"), "Sam's DM does not list his INC0001");
          need(
            !names(sam, "INC0002") && !names(sam, "INC0003") && !names(sam, "INC0004"),
            "Sam's DM lists incidents that are not his open ones",
          );
          const others = (await demo.directMessages()).filter(
            (m) => m.user_email !== PEOPLE.ana.email && m.user_email !== PEOPLE.sam.email,
          );
          need(
            others.length === 0,
            `DMs went to people outside sre-oncall: ${others.map((m) => m.user_email).join(", ")}`,
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-nightly-disabled-cleanup",
    request:
      "Nightly at 02:00 UTC: remove disabled accounts from any groups they're still in, and post each removal to #it-ops.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 2 * * *" },
        setup: async (demo) =>
          void (await demo.call("directory.disable_user", { user_id: PEOPLE.sam.id, reason: "left the company" })),
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { need, problems } = collector();
          need(
            ((await user(demo, PEOPLE.sam.id))["groups"] as string[]).length === 0,
            "the disabled Sam is still in a group",
          );
          need(
            (await groupMembers(demo, "sre-oncall")).includes(PEOPLE.ana.id),
            "Ana (active) was removed from sre-oncall",
          );
          const posted = await history(demo, "it-ops");
          need(namesPerson(posted, PEOPLE.sam), "#it-ops does not say Sam was removed");
          need(!namesPerson(posted, PEOPLE.ana), "#it-ops mentions Ana, who was not removed");
          return problems;
        },
      },
    },
  },

  // ------------------------------------------------------------ new incidents
  {
    id: "u7-new-p1p2-to-incidents",
    request: "Whenever a new incident is opened at P1 or P2, post the number and title in #incidents. Ignore P3/P4.",
    expect: {
      draft: {
        declares: NEW_INCIDENTS,
        triggers: [
          newIncident({ title: "Printer on 3rd floor offline", priority: "P3" }, "INC0002"),
          newIncident({ title: "Outlook not syncing for sales", priority: "P2" }, "INC0003"),
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const posted = await history(demo, "incidents");
          need(
            names(posted, "INC0003") && /outlook not syncing/i.test(posted),
            "#incidents does not show the P2 INC0003 with its title",
          );
          need(!names(posted, "INC0002") && !/printer/i.test(posted), "#incidents shows the P3 INC0002");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-route-network-tag",
    request:
      "New tickets tagged 'network' should go straight to Sam Okafor: assign them to him and leave an internal note that it was auto-routed. Leave everything else alone.",
    expect: {
      draft: {
        declares: NEW_INCIDENTS,
        triggers: [
          newIncident({ title: "Switch port down in room 4.12", priority: "P3", tags: ["network"] }, "INC0002"),
          newIncident({ title: "Broken keyboard", priority: "P4", tags: ["hardware"] }, "INC0003"),
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const routed = await incident(demo, "INC0002");
          need(
            routed["assignee"]?.["email"] === PEOPLE.sam.email,
            `INC0002 (network) is assigned to ${routed["assignee"]?.["email"] ?? "nobody"}, not Sam`,
          );
          need(
            (routed["comments"] as Json[]).some((c) => c["visibility"] === "internal"),
            "INC0002 has no internal note",
          );
          const other = await incident(demo, "INC0003");
          need(
            other["assignee"] === null && (other["comments"] as Json[]).length === 0,
            "INC0003 (hardware) was touched",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-p1-page-once-per-hour",
    request:
      "When a new P1 comes in, page the on-call engineer — but at most one page per hour. If someone was already paged within the hour, post the incident in #incidents instead of paging again.",
    expect: {
      draft: {
        declares: NEW_INCIDENTS,
        triggers: [
          newIncident({ title: "Core switch down", priority: "P1" }, "INC0002"),
          newIncident({ title: "Payroll DB unreachable", priority: "P1" }, "INC0003"),
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(pages.length === 1, `${pages.length} pages were sent, expected exactly 1 within the hour`);
          need(
            pages.some((p) => p.user_email === onCall && names(p.message, "INC0002")),
            `the first P1 INC0002 did not page the on-call engineer (${onCall})`,
          );
          need(
            !pages.some((p) => names(p.message, "INC0003")),
            "INC0003 was paged although a page went out minutes before",
          );
          need(names(await history(demo, "incidents"), "INC0003"), "INC0003 was not posted in #incidents instead");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-email-incident-dm-group",
    request:
      "When a new incident comes in for the email service, DM every member of the sre-oncall group with the ticket number and title.",
    expect: {
      draft: {
        declares: NEW_INCIDENTS,
        triggers: [
          newIncident({ title: "Mail queue backing up", priority: "P2", service: "email" }, "INC0002"),
          newIncident({ title: "VPN certificate expiring", priority: "P2", service: "vpn" }, "INC0003"),
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          for (const person of [PEOPLE.ana, PEOPLE.sam])
            need(
              (await dmsTo(demo, person.email)).some((t) => names(t, "INC0002")),
              `${person.name} got no DM about INC0002`,
            );
          const dms = await demo.directMessages();
          need(!dms.some((m) => names(m.text, "INC0003")), "a DM names the vpn incident INC0003");
          need(
            dms.every((m) => m.user_email === PEOPLE.ana.email || m.user_email === PEOPLE.sam.email),
            "DMs went to people outside sre-oncall",
          );
          return problems;
        },
      },
    },
  },

  // ------------------------------------------------------------ directory membership
  {
    id: "u7-vpn-access-welcome",
    request:
      "When somebody is added to the vpn-users group, DM them instructions for installing the VPN client, and post a note in #it-ops saying who got access.",
    expect: {
      draft: {
        declares: MEMBERSHIP,
        triggers: [
          membership((demo) =>
            demo.call("directory.add_user_to_group", { user_id: PEOPLE.mara.id, group: "vpn-users" }),
          ),
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          need(
            (await dmsTo(demo, PEOPLE.mara.email)).some((t) => /vpn/i.test(t)),
            "Mara got no DM about the VPN client",
          );
          const others = (await demo.directMessages()).filter((m) => m.user_email !== PEOPLE.mara.email);
          need(
            others.length === 0,
            `DMs went to people who were not added to vpn-users: ${others.map((m) => m.user_email).join(", ")}`,
          );
          const posted = await history(demo, "it-ops");
          need(namesPerson(posted, PEOPLE.mara), "#it-ops does not say Mara got VPN access");
          need(
            !namesPerson(posted, PEOPLE.sam) && !namesPerson(posted, PEOPLE.ana),
            "#it-ops mentions people from older, unrelated membership changes",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-group-removal-audit",
    request: "log group removals to #it-ops (who + which group)",
    expect: {
      draft: {
        declares: MEMBERSHIP,
        triggers: [
          membership((demo) =>
            demo.call("directory.remove_user_from_group", { user_id: PEOPLE.sam.id, group: "it-admins" }),
          ),
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const posted = await history(demo, "it-ops");
          need(namesPerson(posted, PEOPLE.sam), "#it-ops does not name Sam");
          need(/it-admins|g-admins/i.test(posted), "#it-ops does not name the group it-admins");
          need(!namesPerson(posted, PEOPLE.ana), "#it-ops reports Ana, whose only change was being added");
          return problems;
        },
      },
    },
  },

  // ------------------------------------------------------------ webhooks
  {
    id: "u7-webhook-monitoring-alerts",
    request:
      'Give me a webhook for our monitoring system. It sends JSON like {"service": "payments", "severity": "critical" or "warning", "summary": "..."}. Open an incident for each alert (critical = P1, warning = P3, reporter monitoring@example.com, summary as the title, the service as the service) and page on-call only for critical ones.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { service: "payments", severity: "critical", summary: "Card payments failing at checkout" },
          },
          { kind: "webhook", body: { service: "wiki", severity: "warning", summary: "Wiki search index lagging" } },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const all = (await demo.call("tickets.list_incidents", { limit: 100 }))["incidents"] as Json[];
          const critical = all.find((i) => /card payments failing/i.test(i["title"]));
          const warning = all.find((i) => /wiki search index/i.test(i["title"]));
          need(
            critical?.["priority"] === "P1",
            `the critical alert's incident is ${critical ? critical["priority"] : "missing"}, expected P1`,
          );
          need(
            warning?.["priority"] === "P3",
            `the warning alert's incident is ${warning ? warning["priority"] : "missing"}, expected P3`,
          );
          need(
            [critical, warning].every((i) => i?.["reporter_email"] === "monitoring@example.com"),
            "the reporter is not monitoring@example.com",
          );
          need(
            critical?.["service"] === "payments" && warning?.["service"] === "wiki",
            "the incidents do not carry the alert's service",
          );
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(
            pages.some(
              (p) =>
                p.user_email === onCall &&
                ((critical && names(p.message, critical["id"])) || /card payments/i.test(p.message)),
            ),
            `the on-call engineer (${onCall}) was not paged for the critical alert`,
          );
          need(
            !pages.some((p) => (warning && names(p.message, warning["id"])) || /wiki/i.test(p.message)),
            "the warning was paged",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-webhook-hr-leaver",
    request:
      'HR will hit a webhook when someone leaves, with body {"email": "...", "last_day": "YYYY-MM-DD"}. Disable that person\'s account, remove them from all their groups, and post a note in #it-ops that they\'ve been offboarded.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [{ kind: "webhook", body: { email: PEOPLE.sam.email, last_day: "2026-12-04" } }],
        check: async (demo) => {
          const { need, problems } = collector();
          const sam = await user(demo, PEOPLE.sam.id);
          need(sam["status"] === "disabled", "Sam's account is not disabled");
          need((sam["groups"] as string[]).length === 0, `Sam is still in ${(sam["groups"] as string[]).join(", ")}`);
          need((await groupMembers(demo, "sre-oncall")).includes(PEOPLE.ana.id), "Ana was removed from sre-oncall");
          for (const other of [PEOPLE.mara, PEOPLE.li, PEOPLE.ana])
            need((await user(demo, other.id))["status"] === "active", `${other.name} was disabled`);
          need(namesPerson(await history(demo, "it-ops"), PEOPLE.sam), "#it-ops has no offboarding note naming Sam");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-webhook-deploy-notes",
    request:
      'Webhook for the deploy pipeline: payload {"incident_id": "INC…", "note": "text"}. Add the note as an internal work note on that incident. If the incident is already closed, post the note in #it-ops instead (with the incident number).',
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Gateway timeouts", priority: "P2" });
          await close(demo, "INC0002");
        },
        triggers: [
          { kind: "webhook", body: { incident_id: "INC0001", note: "Rolled back gateway config 4.2.1" } },
          { kind: "webhook", body: { incident_id: "INC0002", note: "Hotfix 7 deployed to prod" } },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const notes = (await incident(demo, "INC0001"))["comments"] as Json[];
          need(
            notes.some((c) => c["visibility"] === "internal" && /rolled back gateway config 4\.2\.1/i.test(c["body"])),
            "INC0001 has no internal note with the deploy note",
          );
          need(
            ((await incident(demo, "INC0002"))["comments"] as Json[]).length === 0,
            "the closed INC0002 got a comment",
          );
          const posted = await history(demo, "it-ops");
          need(
            /hotfix 7/i.test(posted) && names(posted, "INC0002"),
            "#it-ops does not carry the note for the closed INC0002",
          );
          need(!/rolled back/i.test(posted), "#it-ops carries the note meant for the open INC0001");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-webhook-statuspage",
    request:
      'Our status page can call a webhook with {"component": "...", "status": "operational" | "degraded" | "outage"}. Post every update in #general; when the status is outage, also post it in #incidents.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { component: "Mailflow", status: "degraded" } },
          { kind: "webhook", body: { component: "VPN gateway", status: "outage" } },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const general = await history(demo, "general");
          need(/mailflow/i.test(general) && /vpn gateway/i.test(general), "#general does not carry both updates");
          const incidents = await history(demo, "incidents");
          need(/vpn gateway/i.test(incidents), "#incidents does not carry the outage");
          need(!/mailflow/i.test(incidents), "#incidents carries the degraded (not outage) update");
          return problems;
        },
      },
    },
  },

  // ------------------------------------------------------------ manual runs
  {
    id: "u7-manual-handover",
    request:
      "I need a workflow I can run by hand to hand over an incident. Inputs: incident_id and assignee_email. It should reassign the incident to that person, add an internal note saying who it was handed to, and DM them the incident number and title.",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001", assignee_email: PEOPLE.ana.email } }],
        check: async (demo) => {
          const { need, problems } = collector();
          const handed = await incident(demo, "INC0001");
          need(
            handed["assignee"]?.["email"] === PEOPLE.ana.email,
            `INC0001 is assigned to ${handed["assignee"]?.["email"]}, not Ana`,
          );
          need(
            (handed["comments"] as Json[]).some(
              (c) => c["visibility"] === "internal" && namesPerson(c["body"], PEOPLE.ana),
            ),
            "INC0001 has no internal note naming Ana",
          );
          need(
            (await dmsTo(demo, PEOPLE.ana.email)).some((t) => names(t, "INC0001")),
            "Ana got no DM naming INC0001",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-manual-contractor-onboard",
    request:
      "Onboarding for contractors, run manually with name, email, department and manager_email. Create the account with that manager, put them in vpn-users (nothing else), and send them a welcome DM.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "manual",
            input: {
              name: "Tomás Ruiz",
              email: "tomas.ruiz@example.com",
              department: "engineering",
              manager_email: PEOPLE.li.email,
            },
          },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const found = ((await demo.call("directory.find_users", { query: "tomas.ruiz" }))["users"] as Json[])[0];
          need(found !== undefined, "no account for tomas.ruiz@example.com");
          if (!found) return problems;
          need(
            found["name"] === "Tomás Ruiz" && found["department"] === "engineering",
            "the account's name or department is wrong",
          );
          need(found["manager_id"] === PEOPLE.li.id, `the manager is ${found["manager_id"]}, not Li Wen (u-1003)`);
          need(
            JSON.stringify(found["groups"]) === JSON.stringify(["g-vpn"]),
            `the groups are ${JSON.stringify(found["groups"])}, expected only vpn-users`,
          );
          need((await dmsTo(demo, "tomas.ruiz@example.com")).length > 0, "Tomás got no welcome DM");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-manual-close-duplicates",
    request:
      "Workflow to close duplicates in bulk. Inputs: ids (a list of incident numbers) and original (the incident they duplicate). Close each one with resolution 'duplicate' and a note pointing at the original, then add a comment on the original listing the ones that were closed.",
    expect: {
      draft: {
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "VPN keeps disconnecting (Berlin)", priority: "P3" });
          await open(demo, "INC0003", { title: "Berlin VPN unstable", priority: "P3" });
          await open(demo, "INC0004", { title: "Berlin printer jam", priority: "P4" });
        },
        triggers: [{ kind: "manual", input: { ids: ["INC0002", "INC0003"], original: "INC0001" } }],
        check: async (demo) => {
          const { need, problems } = collector();
          for (const id of ["INC0002", "INC0003"]) {
            const dup = await incident(demo, id);
            need(
              dup["status"] === "closed" && dup["resolution"]?.["code"] === "duplicate",
              `${id} is not closed as a duplicate`,
            );
            need(
              names(String(dup["resolution"]?.["notes"] ?? ""), "INC0001"),
              `${id}'s closing note does not point at INC0001`,
            );
          }
          need((await incident(demo, "INC0004"))["status"] === "new", "INC0004, not in the list, was changed");
          const original = await incident(demo, "INC0001");
          need(original["status"] !== "closed", "the original INC0001 was closed");
          const text = (original["comments"] as Json[]).map((c) => c["body"]).join("\n");
          need(names(text, "INC0002") && names(text, "INC0003"), "INC0001 has no comment listing INC0002 and INC0003");
          need(!names(text, "INC0004"), "INC0001's comment lists INC0004");
          return problems;
        },
      },
    },
  },
  {
    id: "u7-manual-page-group-low",
    request:
      "Manual run with two inputs, group and message: page everyone in that group with the message at low urgency.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "manual",
            input: { group: "sre-oncall", message: "Generator test at 14:00 UTC, expect a short blip" },
          },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const pages = await demo.pages();
          for (const person of [PEOPLE.ana, PEOPLE.sam])
            need(
              pages.some((p) => p.user_email === person.email && /generator test/i.test(p.message)),
              `${person.name} (in sre-oncall) was not paged with the message`,
            );
          need(
            pages.every((p) => p.user_email === PEOPLE.ana.email || p.user_email === PEOPLE.sam.email),
            "people outside sre-oncall were paged",
          );
          need(
            pages.every((p) => (p as { urgency?: string }).urgency === "low"),
            "a page is not low urgency",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-manual-nudge-or-page",
    request:
      "Run by hand with an incident_id: DM the assignee asking for an update on it. If it has no assignee, page the on-call engineer about it instead.",
    expect: {
      draft: {
        setup: async (demo) =>
          void (await open(demo, "INC0002", { title: "File server disk 95% full", priority: "P2" })),
        triggers: [
          { kind: "manual", input: { incident_id: "INC0001" } },
          { kind: "manual", input: { incident_id: "INC0002" } },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          need(
            (await dmsTo(demo, PEOPLE.sam.email)).some((t) => names(t, "INC0001")),
            "Sam (assignee of INC0001) got no DM about it",
          );
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(
            pages.some((p) => p.user_email === onCall && names(p.message, "INC0002")),
            `the on-call engineer (${onCall}) was not paged about the unassigned INC0002`,
          );
          need(!pages.some((p) => names(p.message, "INC0001")), "INC0001 has an assignee but was paged");
          need(
            !(await demo.directMessages()).some((m) => names(m.text, "INC0002")),
            "a DM was sent about the unassigned INC0002",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "u7-manual-escalate",
    request:
      "Escalation button, input incident_id. P3 or P4: raise it to P2. P2: raise it to P1 and page the on-call engineer. Already P1: just page on-call. Always leave an internal note on the ticket saying what was done.",
    expect: {
      draft: {
        setup: async (demo) =>
          void (await open(demo, "INC0002", { title: "Conference room display dead", priority: "P4" })),
        triggers: [
          { kind: "manual", input: { incident_id: "INC0002" } },
          { kind: "manual", input: { incident_id: "INC0001" } },
        ],
        check: async (demo) => {
          const { need, problems } = collector();
          const low = await incident(demo, "INC0002");
          const high = await incident(demo, "INC0001");
          need(low["priority"] === "P2", `INC0002 (was P4) is ${low["priority"]}, expected P2`);
          need(high["priority"] === "P1", `INC0001 (was P2) is ${high["priority"]}, expected P1`);
          for (const [id, found] of [
            ["INC0002", low],
            ["INC0001", high],
          ] as const)
            need(
              (found["comments"] as Json[]).some((c) => c["visibility"] === "internal"),
              `${id} has no internal note about the escalation`,
            );
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(
            pages.some((p) => p.user_email === onCall && names(p.message, "INC0001")),
            `the on-call engineer (${onCall}) was not paged about INC0001`,
          );
          need(!pages.some((p) => names(p.message, "INC0002")), "INC0002 (P4 → P2) was paged");
          return problems;
        },
      },
    },
  },

  // ------------------------------------------------------------ requests to decline
  {
    id: "u7-no-tool-backup",
    request: "Every night at 1am back up the incident database to our S3 bucket.",
    expect: { declined: "either", about: /back.?up|s3|bucket|storage|export/i },
  },
  {
    id: "u7-no-channel-noc",
    request: "When a new P1 is opened, post it to #noc-alerts.",
    expect: { declined: "either", about: /noc-alerts|channel/i },
  },
  {
    id: "u7-no-group-contractors",
    request: "Whenever someone joins the contractors group, DM Li Wen so she can review their access.",
    expect: { declined: "either", about: /contractors|group/i },
  },
  {
    id: "u7-no-user-jordan",
    request: "Every Friday at 16:00 Berlin time, DM Jordan Blake the list of open P1 incidents.",
    expect: { declined: "either", about: /jordan|blake/i },
  },
  {
    id: "u7-vague-oncall",
    request: "can you automate the on-call stuff",
    expect: { declined: "either", about: /on.?call|automat|stuff|vague|unclear|specific/i },
  },
  {
    id: "u7-vague-when",
    request: "Post a summary of the open incidents to #it-ops regularly.",
    expect: { declined: "either", about: /regular|when|how often|schedule|frequen|time/i },
  },
  {
    id: "u7-no-tool-password",
    request: "Reset Ana Costa's password and email her the temporary one.",
    expect: { declined: "either", about: /password|e-?mail/i },
  },
  {
    id: "u7-no-tool-restart-gateway",
    request: "Every weekday at 07:00 Berlin time, restart the VPN gateway.",
    expect: { declined: "either", about: /restart|reboot|gateway/i },
  },
  {
    id: "u7-no-trigger-change-approved",
    request: "As soon as a change request is approved, announce it in #it-ops.",
    expect: { declined: "either", about: /change|approv/i },
  },
  {
    id: "u7-no-trigger-chat-keyword",
    request: "Whenever someone writes 'outage' in #general, open a P2 incident automatically.",
    expect: { declined: "either", about: /writes|message|mention|keyword|outage|#?general|chat/i },
  },
];
