/**
 * Unseen evaluation set 9 for Charter's offline planner: 36 plain-language requests (26 that the
 * demo tools can do, 10 that deserve a question or a refusal).
 *
 * Written WITHOUT reading the planner (src/planner/**), the existing cases, learned data, probes,
 * README or docs. Sources read: tenants/demo/** (tenant.json, servers/*.ts, workflows/*),
 * test/eval/harness.ts, and src/core/workflow.ts + src/core/plan.ts for trigger shapes only.
 *
 * Seed facts relied on (fresh demo tenant per case):
 * - Integrations: tickets (ticketing), directory, chat, everything.
 * - Incidents: only INC0001 (P2, in_progress, service "vpn", reporter mara.keller@example.com,
 *   assignee Sam Okafor u-1002, created 2026-11-20T08:15Z, no comments). New incidents get
 *   INC0002, INC0003, ... in creation order, status "new", assignee null, created_at = now.
 *   Change requests start at CHG0001. There is no tool to list change requests.
 * - list_incidents filters by status and priority only (newest first, default limit 20).
 *   update_incident cannot set "closed"; close_incident takes resolution_code + notes.
 * - Users: u-1001 Mara Keller (finance, no manager), u-1002 Sam Okafor (it, manager u-1003),
 *   u-1003 Li Wen (it, IT manager, no manager), u-1004 Ana Costa (engineering, manager u-1003);
 *   all @example.com as first.last. A created user gets id u-1005 (next: u-1006).
 * - Groups: g-vpn "vpn-users" (empty), g-admins "it-admins" [u-1002], g-oncall "sre-oncall"
 *   [u-1004, u-1002]. get_on_call picks member_ids[UTC day-of-month % members]; a rotation with
 *   no members makes get_on_call fail ("nobody is on call"). Default rotation: sre-oncall.
 * - Membership events resource directory://events/membership holds {user_id, group_id (the id,
 *   e.g. g-vpn), change, at}; three seeded "added" events from October 2026 (old).
 *   add_user_to_group / remove_user_from_group notify it.
 * - Resource tickets://incidents/new lists incidents in status "new", newest first; create_incident
 *   notifies it. No resource exists for chat messages, closed incidents, account changes or
 *   change-request approvals.
 * - Channels: it-ops, incidents, general (no #helpdesk). Chat has no email / SMS tool; directory
 *   has no password or delete tool; nothing can purchase anything.
 * - Schedule runs get input {}; resource runs get {uri, text}; webhook and manual runs get the body.
 */
import type { Demo, EvalCase, Json } from "../harness.ts";

type Run = { status: string; output: unknown; error: unknown };

const SAM = { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" };
const LI = { id: "u-1003", name: "Li Wen", email: "li.wen@example.com" };
const ANA = { id: "u-1004", name: "Ana Costa", email: "ana.costa@example.com" };
const MARA = { id: "u-1001", name: "Mara Keller", email: "mara.keller@example.com" };

const FAILED = /fail|error|timed|timeout|cancel|http|reject|denied|abort|crash|pending|queued|running|waiting/i;

/** Problems with the runs: each must have succeeded, and there must be `expected` of them. */
function runProblems(runs: Run[], expected: number): string[] {
  const problems: string[] = [];
  if (runs.length !== expected) problems.push(`expected ${expected} runs, got ${runs.length}`);
  runs.forEach((run, i) => {
    if (FAILED.test(run.status) || (run.error !== null && run.error !== undefined)) {
      problems.push(`run ${i + 1} did not succeed: ${run.status} ${JSON.stringify(run.error ?? null).slice(0, 200)}`);
    }
  });
  return problems;
}

const has = (text: string, needle: string): boolean => text.toLowerCase().includes(needle.toLowerCase());
const hasAny = (text: string, needles: string[]): boolean => needles.some((n) => has(text, n));

/** A channel's history as text; "" when the channel does not exist. */
async function history(demo: Demo, channel: string): Promise<string> {
  try {
    const text = await demo.history(channel);
    return text === "(no messages)" ? "" : text;
  } catch {
    return "";
  }
}

/** The number of messages in a history text ("[ts] text" per message). */
function messageCount(text: string): number {
  return (text.match(/^\[\d+\.\d+\] /gm) ?? []).length;
}

/** The messages of a history text, one string each. */
function messages(text: string): string[] {
  return text.split(/^(?=\[\d+\.\d+\] )/m).filter((m) => m.trim().length > 0);
}

async function openIncident(demo: Demo, expectedId: string, args: Record<string, unknown>): Promise<Json> {
  const incident = await demo.call("tickets.create_incident", { reporter_email: MARA.email, ...args });
  if (incident["id"] !== expectedId)
    throw new Error(`setup: expected the new incident to be ${expectedId}, got ${incident["id"]}`);
  return incident;
}

async function getIncident(demo: Demo, id: string): Promise<Json> {
  return demo.call("tickets.get_incident", { id });
}

async function setIncident(demo: Demo, id: string, fields: Record<string, unknown>): Promise<void> {
  await demo.call("tickets.update_incident", { id, ...fields });
}

async function getUser(demo: Demo, query: { user_id?: string; email?: string }): Promise<Json | undefined> {
  try {
    return await demo.call("directory.get_user", query);
  } catch {
    return undefined;
  }
}

async function groupMembers(demo: Demo, groupId: string): Promise<string[]> {
  const groups = (await demo.call("directory.list_groups", {}))["groups"] as Json[];
  return (groups.find((g) => g["id"] === groupId)?.["member_ids"] as string[] | undefined) ?? [];
}

async function dmsTo(demo: Demo, email: string): Promise<string[]> {
  return (await demo.directMessages()).filter((m) => m.user_email === email).map((m) => m.text);
}

async function addMember(demo: Demo, userId: string, group: string): Promise<void> {
  const result = await demo.call("directory.add_user_to_group", { user_id: userId, group });
  if (result["added"] !== true) throw new Error(`setup: ${userId} was already in ${group}`);
}

const NEW_INCIDENTS = { kind: "resource" as const, integration: "tickets", uri: "tickets://incidents/new" };
const MEMBERSHIP = { kind: "resource" as const, integration: "directory", uri: "directory://events/membership" };

export const CASES: EvalCase[] = [
  // ───────────────────────────── doable: schedules ─────────────────────────────
  {
    id: "s9-open-p1-berlin",
    request: "Every weekday at 8:30am Berlin time, post the open P1 incidents (number and title) in #it-ops.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "30 8 * * 1-5", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Payroll export failing", priority: "P1" });
          await openIncident(demo, "INC0003", { title: "Label printer offline", priority: "P3" });
          await openIncident(demo, "INC0004", { title: "Old storage outage", priority: "P1" });
          await demo.call("tickets.close_incident", {
            id: "INC0004",
            resolution_code: "fixed",
            notes: "Storage controller replaced.",
          });
          await openIncident(demo, "INC0005", { title: "Core switch flapping", priority: "P1" });
          await setIncident(demo, "INC0005", { status: "in_progress" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const text = await history(demo, "it-ops");
          if (!has(text, "INC0002")) problems.push("#it-ops does not list the new P1 INC0002");
          if (!has(text, "INC0005")) problems.push("#it-ops does not list the in-progress P1 INC0005");
          if (has(text, "INC0003") || has(text, "Label printer")) problems.push("#it-ops lists the P3 INC0003");
          if (has(text, "INC0004") || has(text, "Old storage outage"))
            problems.push("#it-ops lists the closed P1 INC0004");
          if (has(text, "INC0001")) problems.push("#it-ops lists the P2 INC0001");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-hourly-unassigned-count",
    request: "Hourly, post in #incidents how many incidents are sitting in status new with no assignee.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Monitor flickering", priority: "P3" });
          await openIncident(demo, "INC0003", { title: "Shared mailbox missing", priority: "P2" });
          await setIncident(demo, "INC0003", { assignee: SAM });
          await openIncident(demo, "INC0004", { title: "New keyboard please", priority: "P4" });
          await openIncident(demo, "INC0005", { title: "Laptop fan noisy", priority: "P3" });
          await setIncident(demo, "INC0005", { status: "on_hold" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const text = await history(demo, "incidents");
          if (messageCount(text) < 1) problems.push("nothing was posted in #incidents");
          if (!/\b2\b/.test(text)) problems.push(`#incidents does not give the count 2: ${text.slice(0, 200)}`);
          if (/\b[345]\b/.test(text))
            problems.push(`#incidents gives a wrong count (3, 4 or 5): ${text.slice(0, 200)}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s9-stale-in-progress-ny",
    request:
      "Every Monday at 9am New York time, list in #it-ops the incidents that are in progress and were opened more than 48 hours ago.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 * * 1", timezone: "America/New_York" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "CRM sync stuck", priority: "P2" });
          await setIncident(demo, "INC0002", { status: "in_progress" });
          await openIncident(demo, "INC0003", { title: "Guest Wi-Fi password", priority: "P4" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const text = await history(demo, "it-ops");
          if (!has(text, "INC0001")) problems.push("#it-ops does not list INC0001 (in progress since 2026-11-20)");
          if (has(text, "INC0002")) problems.push("#it-ops lists INC0002, opened just now");
          if (has(text, "INC0003")) problems.push("#it-ops lists INC0003, which is not in progress");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-unassigned-p1-once-a-day",
    request:
      "Every 10 minutes, look for P1 incidents that nobody is assigned to. If there are any, post them in #incidents, but no more than once a day.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Email delivery halted", priority: "P1" });
          await openIncident(demo, "INC0003", { title: "DNS lookups failing", priority: "P1" });
          await setIncident(demo, "INC0003", { assignee: ANA });
          await openIncident(demo, "INC0004", { title: "Intranet slow", priority: "P2" });
        },
        triggers: [{ kind: "schedule" }, { kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const text = await history(demo, "incidents");
          const count = messageCount(text);
          if (count !== 1) problems.push(`expected exactly 1 post in #incidents after two runs, found ${count}`);
          if (!has(text, "INC0002")) problems.push("#incidents does not list the unassigned P1 INC0002");
          if (has(text, "INC0003")) problems.push("#incidents lists the assigned P1 INC0003");
          if (has(text, "INC0004")) problems.push("#incidents lists the P2 INC0004");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-daily-new-count-london",
    request: "Every day at 7:00 London time, post in #general how many incidents are still in status new.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 7 * * *", timezone: "Europe/London" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Docking station dead", priority: "P3" });
          await openIncident(demo, "INC0003", { title: "Calendar invites delayed", priority: "P2" });
          await openIncident(demo, "INC0004", { title: "Scanner driver", priority: "P4" });
          await setIncident(demo, "INC0004", { status: "on_hold" });
          await openIncident(demo, "INC0005", { title: "Password manager sync", priority: "P3" });
          await setIncident(demo, "INC0005", { status: "resolved" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const text = await history(demo, "general");
          if (messageCount(text) < 1) problems.push("nothing was posted in #general");
          if (!/\b2\b/.test(text)) problems.push(`#general does not give the count 2: ${text.slice(0, 200)}`);
          if (/\b[345]\b/.test(text)) problems.push(`#general gives a wrong count: ${text.slice(0, 200)}`);
          if ((await history(demo, "it-ops")) !== "" || (await history(demo, "incidents")) !== "")
            problems.push("posted in another channel too");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-p2-reminders-tokyo",
    request:
      "At 6pm Tokyo time on weekdays, DM the assignee of each P2 incident that's in progress and remind them to update the ticket. Put the incident number in the message.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 18 * * 1-5", timezone: "Asia/Tokyo" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "SAP login loop", priority: "P2" });
          await setIncident(demo, "INC0002", { status: "in_progress", assignee: ANA });
          await openIncident(demo, "INC0003", { title: "Expense tool timeout", priority: "P2" });
          await setIncident(demo, "INC0003", { assignee: LI });
          await openIncident(demo, "INC0004", { title: "Headset crackling", priority: "P3" });
          await setIncident(demo, "INC0004", { status: "in_progress", assignee: MARA });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const sam = await dmsTo(demo, SAM.email);
          const ana = await dmsTo(demo, ANA.email);
          if (!sam.some((t) => has(t, "INC0001"))) problems.push("Sam Okafor got no reminder about INC0001");
          if (!ana.some((t) => has(t, "INC0002"))) problems.push("Ana Costa got no reminder about INC0002");
          if (ana.some((t) => has(t, "INC0001")) || sam.some((t) => has(t, "INC0002")))
            problems.push("a reminder went to the wrong assignee");
          if ((await dmsTo(demo, LI.email)).length > 0)
            problems.push("Li Wen was DMed, but INC0003 is not in progress");
          if ((await dmsTo(demo, MARA.email)).length > 0) problems.push("Mara Keller was DMed, but INC0004 is a P3");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-close-resolved-sydney",
    request:
      "Every night at 11pm Sydney time, close every incident that is in resolved status, with resolution code fixed and a note saying it was closed automatically.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 23 * * *", timezone: "Australia/Sydney" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Outlook add-in crash", priority: "P3" });
          await setIncident(demo, "INC0002", { status: "resolved" });
          await openIncident(demo, "INC0003", { title: "Teams status wrong", priority: "P4" });
          await setIncident(demo, "INC0003", { status: "resolved" });
          await openIncident(demo, "INC0004", { title: "Badge not working", priority: "P3" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          for (const id of ["INC0002", "INC0003"]) {
            const incident = await getIncident(demo, id);
            if (incident["status"] !== "closed") problems.push(`${id} is ${incident["status"]}, expected closed`);
            else if (incident["resolution"]?.["code"] !== "fixed")
              problems.push(`${id} closed with code ${incident["resolution"]?.["code"]}, expected fixed`);
          }
          if ((await getIncident(demo, "INC0004"))["status"] !== "new") problems.push("INC0004 (new) was changed");
          if ((await getIncident(demo, "INC0001"))["status"] !== "in_progress")
            problems.push("INC0001 (in progress) was changed");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-new-p1-each-once",
    request:
      "Every 5 minutes, check for P1 incidents in status new and post each one to #incidents. Don't post the same incident twice.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Core router down in Madrid", priority: "P1" });
          await openIncident(demo, "INC0003", { title: "Slow printer on floor 5", priority: "P2" });
        },
        triggers: [{ kind: "schedule" }, { kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const posts = messages(await history(demo, "incidents"));
          const about = posts.filter((m) => has(m, "INC0002") || has(m, "Core router down")).length;
          if (about !== 1) problems.push(`INC0002 was posted ${about} times, expected once`);
          if (posts.some((m) => has(m, "INC0003") || has(m, "Slow printer")))
            problems.push("the P2 INC0003 was posted");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-oncall-announce-berlin",
    request:
      "Each morning at 8 Berlin time, announce in #it-ops who is on call today for sre-oncall, and send that person a DM as a heads-up.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 8 * * *", timezone: "Europe/Berlin" },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const onCall = await demo.onCallEmail();
          const person = onCall === ANA.email ? ANA : SAM;
          const other = onCall === ANA.email ? SAM : ANA;
          const text = await history(demo, "it-ops");
          if (!hasAny(text, [person.name, person.email]))
            problems.push(`#it-ops does not name the on-call engineer ${person.name}`);
          if ((await dmsTo(demo, person.email)).length === 0) problems.push(`${person.name} (on call) got no DM`);
          if ((await dmsTo(demo, other.email)).length > 0) problems.push(`${other.name} (not on call) got a DM`);
          return problems;
        },
      },
    },
  },

  // ───────────────────────────── doable: resource events ─────────────────────────────
  {
    id: "s9-new-p1-page",
    request:
      "When a new incident comes in and it's a P1, page the on-call engineer with the incident number and title. Ignore everything else.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) =>
              void (await openIncident(demo, "INC0002", { title: "Projector broken in room 4", priority: "P3" })),
          },
          {
            ...NEW_INCIDENTS,
            change: async (demo) =>
              void (await openIncident(demo, "INC0003", {
                title: "Checkout API down",
                priority: "P1",
                service: "shop",
              })),
          },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (!pages.some((p) => p.user_email === onCall && hasAny(p.message, ["INC0003", "Checkout API down"])))
            problems.push(`no page to the on-call ${onCall} about INC0003`);
          if (pages.some((p) => hasAny(p.message, ["INC0002", "Projector"]))) problems.push("the P3 INC0002 was paged");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-email-service-note",
    request:
      "Whenever a ticket is opened against the email service, drop a note in #it-ops with the ticket number and who reported it.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) =>
              void (await openIncident(demo, "INC0002", {
                title: "Outlook can't sync",
                priority: "P3",
                service: "email",
                reporter_email: ANA.email,
              })),
          },
          {
            ...NEW_INCIDENTS,
            change: async (demo) =>
              void (await openIncident(demo, "INC0003", {
                title: "VPN certificate expired",
                priority: "P2",
                service: "vpn",
                reporter_email: LI.email,
              })),
          },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const text = await history(demo, "it-ops");
          if (!has(text, "INC0002")) problems.push("#it-ops has no note about INC0002 (service email)");
          if (!hasAny(text, [ANA.email, ANA.name])) problems.push("the note does not name the reporter Ana Costa");
          if (has(text, "INC0003") || hasAny(text, [LI.email, LI.name]))
            problems.push("#it-ops has a note about INC0003 (service vpn)");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-network-tag-assign",
    request: "When a new incident arrives with the network tag, assign it to Sam Okafor and set it to in progress.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) =>
              void (await openIncident(demo, "INC0002", {
                title: "Wi-Fi slow on floor 3",
                priority: "P3",
                tags: ["network", "wifi"],
              })),
          },
          {
            ...NEW_INCIDENTS,
            change: async (demo) =>
              void (await openIncident(demo, "INC0003", { title: "Broken mouse", priority: "P4", tags: ["hardware"] })),
          },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const tagged = await getIncident(demo, "INC0002");
          if (tagged["assignee"]?.["id"] !== SAM.id)
            problems.push(`INC0002 is assigned to ${JSON.stringify(tagged["assignee"])}, expected Sam Okafor`);
          if (tagged["status"] !== "in_progress") problems.push(`INC0002 is ${tagged["status"]}, expected in_progress`);
          const other = await getIncident(demo, "INC0003");
          if (other["assignee"] !== null || other["status"] !== "new")
            problems.push("INC0003 (hardware tag) was changed");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-vpn-added-dm",
    request: "When somebody gets added to vpn-users, DM them the setup guide: https://wiki.example.com/vpn-setup",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        triggers: [
          { ...MEMBERSHIP, change: async (demo) => addMember(demo, MARA.id, "vpn-users") },
          { ...MEMBERSHIP, change: async (demo) => addMember(demo, LI.id, "it-admins") },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          if (!(await dmsTo(demo, MARA.email)).some((t) => has(t, "https://wiki.example.com/vpn-setup")))
            problems.push("Mara Keller got no DM with the VPN guide");
          if ((await dmsTo(demo, LI.email)).length > 0)
            problems.push("Li Wen (added to it-admins, not vpn-users) was DMed");
          for (const p of [SAM, ANA]) if ((await dmsTo(demo, p.email)).length > 0) problems.push(`${p.name} was DMed`);
          return problems;
        },
      },
    },
  },
  {
    id: "s9-oncall-join-welcome",
    request:
      "Whenever someone is added to the sre-oncall group, post a welcome in #it-ops with their name, and DM their manager to let them know.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        setup: async (demo) => {
          const user = await demo.call("directory.create_user", {
            email: "jo.brandt@example.com",
            name: "Jo Brandt",
            department: "engineering",
            title: "SRE",
            manager_id: LI.id,
          });
          if (user["id"] !== "u-1005") throw new Error(`setup: expected u-1005, got ${user["id"]}`);
        },
        triggers: [
          { ...MEMBERSHIP, change: async (demo) => addMember(demo, "u-1005", "sre-oncall") },
          { ...MEMBERSHIP, change: async (demo) => addMember(demo, MARA.id, "vpn-users") },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const text = await history(demo, "it-ops");
          if (!has(text, "Jo Brandt")) problems.push("#it-ops has no welcome naming Jo Brandt");
          if (has(text, "Mara")) problems.push("#it-ops welcomes Mara Keller, who joined vpn-users");
          if (has(text, "Ana Costa") || has(text, "Sam Okafor"))
            problems.push("#it-ops welcomes a member added long ago");
          if (!(await dmsTo(demo, LI.email)).some((t) => hasAny(t, ["Jo Brandt", "jo.brandt@example.com"])))
            problems.push("Li Wen (Jo's manager) got no DM about Jo Brandt");
          if ((await dmsTo(demo, "jo.brandt@example.com")).length > 0)
            problems.push("Jo Brandt was DMed instead of the manager");
          return problems;
        },
      },
    },
  },

  // ───────────────────────────── doable: webhooks ─────────────────────────────
  {
    id: "s9-monitoring-webhook",
    request:
      "Set up a webhook for our monitoring system. It sends JSON with service, severity and summary. Open an incident for each alert (summary as the title, the service, reporter monitoring@example.com): P1 if severity is critical, P3 if it's warning. For critical alerts also page whoever is on call.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { service: "payments", severity: "critical", summary: "Payments API returning 500s" },
          },
          { kind: "webhook", body: { service: "wiki", severity: "warning", summary: "Wiki disk at 85 percent" } },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const critical = await getIncident(demo, "INC0002").catch(() => undefined);
          const warning = await getIncident(demo, "INC0003").catch(() => undefined);
          if (critical?.["priority"] !== "P1" || critical["service"] !== "payments")
            problems.push(`INC0002 should be a P1 for payments: ${JSON.stringify(critical ?? null).slice(0, 200)}`);
          else if (
            critical["reporter_email"] !== "monitoring@example.com" ||
            !has(String(critical["title"]), "Payments API")
          )
            problems.push("INC0002 has the wrong reporter or title");
          if (warning?.["priority"] !== "P3" || warning["service"] !== "wiki")
            problems.push(`INC0003 should be a P3 for wiki: ${JSON.stringify(warning ?? null).slice(0, 200)}`);
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (!pages.some((p) => p.user_email === onCall && hasAny(p.message, ["INC0002", "Payments", "payments"])))
            problems.push("the on-call engineer was not paged about the critical alert");
          if (pages.some((p) => hasAny(p.message, ["INC0003", "wiki"]))) problems.push("the warning alert was paged");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-hr-leaver-webhook",
    request:
      "HR's system will call a webhook when someone leaves, with their email. Disable the account (reason: left the company), take them out of every group they're in, and post a note in #it-ops saying who was offboarded.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [{ kind: "webhook", body: { email: SAM.email } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const sam = await getUser(demo, { user_id: SAM.id });
          if (sam?.["status"] !== "disabled") problems.push("Sam Okafor's account is not disabled");
          if ((sam?.["groups"] as string[] | undefined)?.length)
            problems.push(`Sam Okafor is still in ${JSON.stringify(sam?.["groups"])}`);
          for (const group of ["g-admins", "g-oncall"])
            if ((await groupMembers(demo, group)).includes(SAM.id))
              problems.push(`Sam Okafor is still a member of ${group}`);
          if (!(await groupMembers(demo, "g-oncall")).includes(ANA.id))
            problems.push("Ana Costa was removed from sre-oncall");
          for (const p of [MARA, LI, ANA])
            if ((await getUser(demo, { user_id: p.id }))?.["status"] !== "active")
              problems.push(`${p.name} was disabled`);
          if (!hasAny(await history(demo, "it-ops"), [SAM.name, SAM.email]))
            problems.push("#it-ops has no note naming Sam Okafor");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-ci-change-webhook",
    request:
      "Our CI pipeline will hit a webhook before each production deploy with title, start and end (ISO timestamps). Create a low-risk change request for that window and post the change number and title in #it-ops.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { title: "Deploy billing-service v2.14", start: "2026-12-03T22:00:00Z", end: "2026-12-03T23:00:00Z" },
          },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const text = await history(demo, "it-ops");
          if (!has(text, "CHG0001")) problems.push("#it-ops does not give the change number CHG0001");
          if (!has(text, "billing-service")) problems.push("#it-ops does not give the change title");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-access-request-webhook",
    request:
      "Our access-request form posts to a webhook with email and group. Add that user to the group and DM them that access has been granted.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [{ kind: "webhook", body: { email: ANA.email, group: "vpn-users" } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const members = await groupMembers(demo, "g-vpn");
          if (!members.includes(ANA.id)) problems.push("Ana Costa is not in vpn-users");
          if (members.some((id) => id !== ANA.id)) problems.push(`vpn-users has other members: ${members.join(", ")}`);
          if ((await dmsTo(demo, ANA.email)).length === 0) problems.push("Ana Costa got no DM");
          for (const p of [SAM, LI, MARA])
            if ((await dmsTo(demo, p.email)).length > 0) problems.push(`${p.name} was DMed`);
          return problems;
        },
      },
    },
  },

  // ───────────────────────────── doable: manual runs ─────────────────────────────
  {
    id: "s9-manual-onboard",
    request:
      "Onboarding, run by hand with name, email, department and manager_email: create the account with that person as manager, put them in vpn-users, and DM the manager that the account is ready.",
    expect: {
      draft: {
        declares: { type: "manual" },
        triggers: [
          {
            kind: "manual",
            input: {
              name: "Priya Nair",
              email: "priya.nair@example.com",
              department: "sales",
              manager_email: LI.email,
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const user = await getUser(demo, { email: "priya.nair@example.com" });
          if (!user) return [...problems, "no account for priya.nair@example.com"];
          if (user["name"] !== "Priya Nair" || user["department"] !== "sales")
            problems.push(`the account has ${user["name"]} / ${user["department"]}`);
          if (user["manager_id"] !== LI.id)
            problems.push(`the account's manager is ${user["manager_id"]}, expected ${LI.id}`);
          if (!(await groupMembers(demo, "g-vpn")).includes(String(user["id"])))
            problems.push("Priya Nair is not in vpn-users");
          if (!(await dmsTo(demo, LI.email)).some((t) => hasAny(t, ["Priya", "priya.nair"])))
            problems.push("Li Wen got no DM about Priya's account");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-close-duplicate",
    request:
      "I need a manual workflow for duplicates, with inputs incident_id and duplicate_of. Close incident_id with resolution code duplicate and a note that names duplicate_of, then leave an internal comment on duplicate_of pointing back to the one that was closed.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Teams calls drop after 5 minutes", priority: "P3" });
          await openIncident(demo, "INC0003", {
            title: "Teams calls dropping again",
            priority: "P3",
            reporter_email: ANA.email,
          });
        },
        triggers: [{ kind: "manual", input: { incident_id: "INC0003", duplicate_of: "INC0002" } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const dup = await getIncident(demo, "INC0003");
          if (dup["status"] !== "closed") problems.push(`INC0003 is ${dup["status"]}, expected closed`);
          if (dup["resolution"]?.["code"] !== "duplicate")
            problems.push(`INC0003's resolution code is ${dup["resolution"]?.["code"]}`);
          if (!has(String(dup["resolution"]?.["notes"] ?? ""), "INC0002"))
            problems.push("INC0003's closing note does not name INC0002");
          const original = await getIncident(demo, "INC0002");
          if (original["status"] !== "new") problems.push(`INC0002 is ${original["status"]}, expected it left open`);
          const comments = original["comments"] as Json[];
          if (!comments.some((c) => c["visibility"] === "internal" && has(String(c["body"]), "INC0003")))
            problems.push("INC0002 has no internal comment naming INC0003");
          const seed = await getIncident(demo, "INC0001");
          if (seed["status"] !== "in_progress" || (seed["comments"] as Json[]).length > 0)
            problems.push("INC0001 was touched");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-assign-by-email",
    request:
      "Manual workflow with incident_id and assignee_email: look the person up in the directory, assign the incident to them and set it to in progress, then add an internal note saying who picked it up.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "VPN client crashes on macOS", priority: "P3" });
          await openIncident(demo, "INC0003", { title: "Teams background blur missing", priority: "P4" });
        },
        triggers: [{ kind: "manual", input: { incident_id: "INC0002", assignee_email: ANA.email } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const incident = await getIncident(demo, "INC0002");
          if (incident["assignee"]?.["id"] !== ANA.id || incident["assignee"]?.["email"] !== ANA.email)
            problems.push(`INC0002's assignee is ${JSON.stringify(incident["assignee"])}`);
          if (incident["status"] !== "in_progress")
            problems.push(`INC0002 is ${incident["status"]}, expected in_progress`);
          const comments = incident["comments"] as Json[];
          if (!comments.some((c) => c["visibility"] === "internal" && hasAny(String(c["body"]), ["Ana", ANA.email])))
            problems.push("INC0002 has no internal note naming Ana Costa");
          const other = await getIncident(demo, "INC0003");
          if (other["assignee"] !== null || other["status"] !== "new") problems.push("INC0003 was changed");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-escalate-fallback",
    request:
      "By hand, given an incident_id: page the on-call person of the it-admins rotation with the incident's number and title. If that fails (say nobody is on call), post the same thing in #it-ops instead.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Badge readers offline at HQ", priority: "P2" });
          await demo.call("directory.remove_user_from_group", { user_id: SAM.id, group: "it-admins" });
          if ((await groupMembers(demo, "g-admins")).length !== 0) throw new Error("setup: it-admins should be empty");
        },
        triggers: [{ kind: "manual", input: { incident_id: "INC0002" } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const pages = await demo.pages();
          if (pages.length > 0)
            problems.push(
              `someone was paged though it-admins has nobody on call: ${pages.map((p) => p.user_email).join(", ")}`,
            );
          if (!hasAny(await history(demo, "it-ops"), ["INC0002", "Badge readers"]))
            problems.push("#it-ops has no post about INC0002");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-war-room",
    request:
      "Open a war room for an incident; I'll run it by hand with incident_id. Create a channel called war- followed by the incident number in lower case (e.g. war-inc0042), invite the on-call engineer and the incident's assignee, post the incident title in it, and add an internal comment on the incident with the channel name.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Warehouse scanners can't reach WMS", priority: "P2" });
          await setIncident(demo, "INC0002", { assignee: LI });
          await openIncident(demo, "INC0003", { title: "Kiosk screen frozen", priority: "P3" });
        },
        triggers: [{ kind: "manual", input: { incident_id: "INC0002" } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const channels = (await demo.call("chat.list_channels", { include_archived: true }))["channels"] as Json[];
          const room = channels.find((c) => c["name"] === "war-inc0002");
          if (!room)
            return [...problems, `no channel war-inc0002 (channels: ${channels.map((c) => c["name"]).join(", ")})`];
          const members = room["members"] as string[];
          const onCall = await demo.onCallEmail();
          if (!members.includes(onCall)) problems.push(`the on-call ${onCall} is not in war-inc0002`);
          if (!members.includes(LI.email)) problems.push("the assignee Li Wen is not in war-inc0002");
          if (!has(await history(demo, "war-inc0002"), "Warehouse scanners"))
            problems.push("war-inc0002 has no post with the incident title");
          const comments = (await getIncident(demo, "INC0002"))["comments"] as Json[];
          if (!comments.some((c) => c["visibility"] === "internal" && has(String(c["body"]), "war-inc0002")))
            problems.push("INC0002 has no internal comment naming war-inc0002");
          if (channels.some((c) => c["name"] === "war-inc0003")) problems.push("a war room was opened for INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-triage-if",
    request:
      "Manual run with an incident_id: if it's a P1 or P2, page the on-call engineer about it; otherwise just add an internal comment on it saying it'll be picked up during business hours.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Finance share unreachable", priority: "P2" });
          await openIncident(demo, "INC0003", { title: "Request for a second monitor", priority: "P4" });
        },
        triggers: [
          { kind: "manual", input: { incident_id: "INC0002" } },
          { kind: "manual", input: { incident_id: "INC0003" } },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 2);
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (!pages.some((p) => p.user_email === onCall && hasAny(p.message, ["INC0002", "Finance share"])))
            problems.push("the on-call engineer was not paged about the P2 INC0002");
          if (pages.some((p) => hasAny(p.message, ["INC0003", "second monitor"])))
            problems.push("the P4 INC0003 was paged");
          const low = (await getIncident(demo, "INC0003"))["comments"] as Json[];
          if (!low.some((c) => c["visibility"] === "internal")) problems.push("INC0003 has no internal comment");
          const high = (await getIncident(demo, "INC0002"))["comments"] as Json[];
          if (high.length > 0) problems.push("INC0002 got a comment though it was paged");
          return problems;
        },
      },
    },
  },
  {
    id: "s9-dm-it-admins",
    request:
      "Let me broadcast a note to the it-admins group: I run it with a message, and every member of the group gets it as a DM.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => addMember(demo, LI.id, "it-admins"),
        triggers: [
          { kind: "manual", input: { message: "Firewall maintenance tonight at 22:00, expect short VPN drops." } },
        ],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          for (const p of [SAM, LI])
            if (!(await dmsTo(demo, p.email)).some((t) => has(t, "Firewall maintenance")))
              problems.push(`${p.name} (it-admins) did not get the note`);
          for (const p of [ANA, MARA])
            if ((await dmsTo(demo, p.email)).length > 0) problems.push(`${p.name} (not in it-admins) was DMed`);
          return problems;
        },
      },
    },
  },
  {
    id: "s9-announce-incident",
    request:
      "Post an incident's number, title and priority in #incidents. I'll trigger it myself with the incident_id.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await openIncident(demo, "INC0002", { title: "Shared drive slow for finance", priority: "P3" });
          await openIncident(demo, "INC0003", { title: "Citrix gateway unreachable", priority: "P1" });
        },
        triggers: [{ kind: "manual", input: { incident_id: "INC0002" } }],
        check: async (demo, runs) => {
          const problems = runProblems(runs, 1);
          const text = await history(demo, "incidents");
          if (!has(text, "INC0002")) problems.push("#incidents does not give the number INC0002");
          if (!has(text, "Shared drive slow")) problems.push("#incidents does not give the title");
          if (!has(text, "P3")) problems.push("#incidents does not give the priority P3");
          if (hasAny(text, ["INC0003", "Citrix"])) problems.push("#incidents mentions INC0003");
          return problems;
        },
      },
    },
  },

  // ───────────────────────────── declined ─────────────────────────────
  {
    id: "s9-no-email",
    request: "When a new P1 incident comes in, email the details to cio@example.com.",
    expect: { declined: "either", about: /e-?mail|cio@/i },
  },
  {
    id: "s9-no-sms",
    request: "Every hour, send an SMS to the on-call engineer with the number of unassigned P1s.",
    expect: { declined: "either", about: /sms|text message/i },
  },
  {
    id: "s9-no-password-reset",
    request: "When someone is added to it-admins, reset their password and DM them the temporary one.",
    expect: { declined: "either", about: /password|reset/i },
  },
  {
    id: "s9-no-chat-trigger",
    request: "Whenever somebody posts a message in #it-ops containing the word outage, open a P1 incident from it.",
    expect: { declined: "either", about: /message|posts?\b|it-ops|chat/i },
  },
  {
    id: "s9-no-helpdesk-channel",
    request: "Every weekday at 9am Berlin time, post the number of new incidents in #helpdesk.",
    expect: { declined: "either", about: /helpdesk/i },
  },
  {
    id: "s9-no-contractors-group",
    request:
      "When someone is added to the contractors group, DM them our acceptable-use policy: https://wiki.example.com/aup",
    expect: { declined: "either", about: /contractor/i },
  },
  {
    id: "s9-no-time-given",
    request: "Post a summary of the open P2 incidents in #it-ops on a regular basis.",
    expect: { declined: "either", about: /regular|how often|schedul|frequen|interval|when|time/i },
  },
  {
    id: "s9-no-purchase",
    request:
      "When a new incident tagged laptop-request comes in, order the laptop from our Dell portal and put the order number on the ticket.",
    expect: { declined: "either", about: /order|dell|purchas|buy/i },
  },
  {
    id: "s9-no-change-approval-trigger",
    request: "As soon as a change request gets approved, post it in #it-ops with its maintenance window.",
    expect: { declined: "either", about: /approv|change request/i },
  },
  {
    id: "s9-no-such-person",
    request: "Whenever a new P1 comes in, DM Jordan Miles from facilities with the incident title.",
    expect: { declined: "either", about: /jordan|miles|facilities/i },
  },
];
