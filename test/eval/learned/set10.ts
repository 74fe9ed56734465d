/**
 * Unseen evaluation set 10 for Charter's offline planner: 36 plain-language requests (26 that a
 * demo tool can do, 10 that deserve a question or a refusal), judged on the demo servers' end state.
 *
 * Written WITHOUT reading the planner (src/planner/**), the existing cases, learned data, probes,
 * README or docs. Sources read: tenants/demo/** (tenant.json, servers/*.ts, the two example
 * workflows), test/eval/harness.ts, and src/core/workflow.ts + src/core/plan.ts for trigger shapes.
 *
 * Seed facts relied on (fresh demo tenant):
 * - tickets: one incident, INC0001 "VPN drops every 10 minutes for the Berlin office", P2,
 *   in_progress, service vpn, reporter mara.keller@example.com, assigned to Sam Okafor (u-1002),
 *   tags [network], no comments, created 2026-11-20T08:15Z (so it is days old). New incidents get
 *   INC0002, INC0003, … in creation order, status new, no assignee. Change requests start at
 *   CHG0001; there is no tool to read changes back. close_incident works from any status but
 *   closed; update_incident cannot set closed.
 * - tickets resource tickets://incidents/new (subscribable, notified on create_incident): the
 *   incidents in status new, newest first, as a JSON array.
 * - directory users: u-1001 Mara Keller (finance), u-1002 Sam Okafor (it), u-1003 Li Wen (it,
 *   IT manager), u-1004 Ana Costa (engineering); all active. Groups: g-vpn "vpn-users" (empty),
 *   g-admins "it-admins" (Sam), g-oncall "sre-oncall" (Ana, Sam). get_on_call picks a member of
 *   the rotation by the UTC day of month (checks ask demo.onCallEmail() rather than assume who),
 *   and fails when the rotation has no members. New users get u-1005, … .
 * - directory resource directory://events/membership (notified on add/remove): the last 50
 *   membership events {user_id, group_id, change: added|removed, at}; the log starts with three
 *   old "added" events from 2026-10 (Sam→g-admins, Ana→g-oncall, Sam→g-oncall).
 * - chat channels: it-ops, incidents, general (ids C-<name>), no messages; posting to an
 *   archived or unknown channel fails. There are no channels, groups, people or rotations named
 *   network-team, contractors, db-oncall or Jordan Pike, no password, calendar, device or
 *   chat-message tools, and no trigger for "incident closed" or "message posted".
 *
 * A run's status is "succeeded" when it worked (harness.ts). Resource-triggered cases create all
 * their data inside the trigger's change function, so that only the intended items are new.
 */
import type { Demo, EvalCase, Json } from "../harness.ts";

type Run = { status: string; output: unknown; error: unknown };

const MARA = "mara.keller@example.com";
const SAM = "sam.okafor@example.com";
const LI = "li.wen@example.com";
const ANA = "ana.costa@example.com";

const SAM_PERSON = { id: "u-1002", name: "Sam Okafor", email: SAM };
const ANA_PERSON = { id: "u-1004", name: "Ana Costa", email: ANA };
const LI_PERSON = { id: "u-1003", name: "Li Wen", email: LI };

/** Opens an incident and makes sure it got the number the case relies on. */
async function open(
  demo: Demo,
  expected: string,
  args: {
    title: string;
    priority: string;
    reporter_email?: string;
    service?: string;
    tags?: string[];
    description?: string;
  },
): Promise<void> {
  const created = await demo.call("tickets.create_incident", { reporter_email: "helpdesk.user@example.com", ...args });
  if (created["id"] !== expected)
    throw new Error(`setup expected ${expected}, the server made ${String(created["id"])}`);
}

const incident = (demo: Demo, id: string): Promise<Json> => demo.call("tickets.get_incident", { id });
const user = (demo: Demo, userId: string): Promise<Json> => demo.call("directory.get_user", { user_id: userId });

/** Every run happened and succeeded. */
function succeeded(runs: Run[], count: number): string[] {
  const problems: string[] = [];
  if (runs.length !== count) problems.push(`expected ${count} run(s), saw ${runs.length}`);
  runs.forEach((run, index) => {
    if (run.status !== "succeeded")
      problems.push(`run ${index + 1} ended ${run.status}: ${JSON.stringify(run.error ?? null).slice(0, 200)}`);
  });
  return problems;
}

/** The messages of a channel history as get_channel_history renders it, without their timestamps. */
function messagesOf(history: string): string[] {
  if (history.trim() === "(no messages)" || history.trim() === "") return [];
  return history.split(/\n(?=\[\d+\.\d+\] )/).map((line) => line.replace(/^\[\d+\.\d+\] /, ""));
}

/** An incident number as a whole token (INC0002, inc-inc0002 and "INC0002:" all count). */
const idRe = (id: string): RegExp => new RegExp(`${id}(?!\\d)`, "i");
const mentionsId = (text: string, id: string): boolean => idRe(id).test(text);
const mentionsAny = (text: string, needles: string[]): boolean =>
  needles.some((needle) => text.toLowerCase().includes(needle.toLowerCase()));

const MARA_NAMES = ["Mara", "mara.keller", "u-1001"];
const SAM_NAMES = ["Sam Okafor", "Okafor", "sam.okafor", "u-1002"];
const ANA_NAMES = ["Ana Costa", "Costa", "ana.costa", "u-1004"];

async function dmsTo(demo: Demo, email: string): Promise<string[]> {
  return (await demo.directMessages()).filter((m) => m.user_email === email).map((m) => m.text);
}

async function channelNamed(demo: Demo, name: string): Promise<Json | undefined> {
  const channels = (await demo.call("chat.list_channels", { include_archived: true }))["channels"] as Json[];
  return channels.find((channel) => channel["name"] === name);
}

function commentsOf(found: Json): { body: string; visibility: string }[] {
  return (found["comments"] ?? []) as { body: string; visibility: string }[];
}

export const CASES: EvalCase[] = [
  // ───────────────────────────── doable ─────────────────────────────
  {
    id: "s10-p1-page-oncall",
    request: "when a new P1 ticket lands, page whoever is on call and put the incident number and title in the page",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) => {
              await open(demo, "INC0002", { title: "Shared drive slow for marketing", priority: "P3" });
              await open(demo, "INC0003", { title: "Payroll system unreachable", priority: "P1", service: "payroll" });
            },
          },
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) => open(demo, "INC0004", { title: "Badge reader at door 3 flaky", priority: "P2" }),
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          const p1 = pages.filter((p) => mentionsId(p.message, "INC0003"));
          if (p1.length !== 1) problems.push(`expected exactly one page about INC0003, saw ${p1.length}`);
          if (p1.some((p) => p.user_email !== onCall))
            problems.push(`INC0003 page went to ${p1.map((p) => p.user_email).join(",")}, not the on-call ${onCall}`);
          if (pages.some((p) => mentionsId(p.message, "INC0002") || mentionsId(p.message, "INC0004")))
            problems.push("a P3 or P2 incident was paged");
          if (pages.length !== 1) problems.push(`expected 1 page in all, saw ${pages.length}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s10-vpn-autoassign",
    request:
      "New incidents for the vpn service should go straight to Sam Okafor. Assign them to him and set them to in progress as soon as they're opened; tickets for other services stay as they are.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) => {
              await open(demo, "INC0002", {
                title: "Cannot connect to VPN from hotel wifi",
                priority: "P3",
                service: "vpn",
                reporter_email: MARA,
              });
              await open(demo, "INC0003", {
                title: "Outlook keeps asking for password",
                priority: "P2",
                service: "email",
              });
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const vpn = await incident(demo, "INC0002");
          if (vpn["assignee"]?.["email"] !== SAM && vpn["assignee"]?.["id"] !== "u-1002")
            problems.push(`INC0002 (vpn) is assigned to ${JSON.stringify(vpn["assignee"])}, not Sam`);
          if (vpn["status"] !== "in_progress") problems.push(`INC0002 (vpn) is ${vpn["status"]}, not in_progress`);
          const mail = await incident(demo, "INC0003");
          if (mail["assignee"] !== null) problems.push("INC0003 (email service) got an assignee");
          if (mail["status"] !== "new")
            problems.push(`INC0003 (email service) is ${mail["status"]}, should still be new`);
          return problems;
        },
      },
    },
  },
  {
    id: "s10-zabbix-webhook",
    request:
      "Zabbix is going to POST alerts to a webhook with three fields: host, severity and message. Open an incident for each one, titled with the host and the message, reporter noc@example.com, tagged monitoring. Severity disaster means P1, high means P2, warning means P3. For disaster alerts also drop the new incident number into #incidents.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { host: "db01", severity: "disaster", message: "PostgreSQL is not accepting connections" },
          },
          { kind: "webhook", body: { host: "web02", severity: "warning", message: "Disk /var is 85% full" } },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          const { incidents } = await demo.call("tickets.list_incidents", { limit: 100 });
          const db = (incidents as Json[]).find((i) => String(i["title"]).includes("db01"));
          const web = (incidents as Json[]).find((i) => String(i["title"]).includes("web02"));
          if (!db) problems.push("no incident titled with db01");
          if (!web) problems.push("no incident titled with web02");
          if (db && db["priority"] !== "P1") problems.push(`the disaster alert became ${db["priority"]}, not P1`);
          if (web && web["priority"] !== "P3") problems.push(`the warning alert became ${web["priority"]}, not P3`);
          for (const found of [db, web]) {
            if (!found) continue;
            if (found["reporter_email"] !== "noc@example.com")
              problems.push(`${found["id"]} reporter is ${found["reporter_email"]}`);
            if (!(found["tags"] as string[]).includes("monitoring"))
              problems.push(`${found["id"]} is not tagged monitoring`);
          }
          if ((incidents as Json[]).length !== 3)
            problems.push(`expected 3 incidents in all (INC0001 and two new), saw ${(incidents as Json[]).length}`);
          const history = await demo.history("incidents");
          if (db && !mentionsId(history, String(db["id"])))
            problems.push(`#incidents does not mention the disaster incident ${db["id"]}`);
          if (web && mentionsId(history, String(web["id"])))
            problems.push(`#incidents mentions the warning incident ${web["id"]}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s10-unassigned-morning",
    request:
      "Every weekday at 8:30 in the morning Berlin time, post in #it-ops the open incidents that don't have anyone assigned.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Laptop will not boot after update", priority: "P2" });
          await open(demo, "INC0003", { title: "Monitor flickers", priority: "P3" });
          await demo.call("tickets.update_incident", { id: "INC0003", assignee: ANA_PERSON });
          await open(demo, "INC0004", { title: "Old printer request", priority: "P4" });
          await demo.call("tickets.close_incident", {
            id: "INC0004",
            resolution_code: "cancelled",
            notes: "No longer needed",
          });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const history = await demo.history("it-ops");
          if (!mentionsId(history, "INC0002")) problems.push("#it-ops does not list the unassigned open INC0002");
          if (mentionsId(history, "INC0003")) problems.push("#it-ops lists INC0003, which is assigned");
          if (mentionsId(history, "INC0004")) problems.push("#it-ops lists INC0004, which is closed");
          if (mentionsId(history, "INC0001")) problems.push("#it-ops lists INC0001, which is assigned");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-p1-threshold",
    request:
      "Every 30 min check how many P1 incidents are still sitting in status new. If it's 3 or more, page the on-call engineer. Otherwise just post the current number in #it-ops.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Checkout returns 500", priority: "P1" });
          await open(demo, "INC0003", { title: "SSO login loop", priority: "P1" });
          await open(demo, "INC0004", { title: "Warehouse scanners offline", priority: "P1" });
          await demo.call("tickets.update_incident", { id: "INC0004", status: "in_progress" });
          await open(demo, "INC0005", { title: "Wiki search slow", priority: "P2" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const pages = await demo.pages();
          if (pages.length > 0) problems.push(`paged ${pages.length} time(s) although only 2 P1s are new`);
          const posts = messagesOf(await demo.history("it-ops"));
          if (posts.length === 0) problems.push("nothing posted in #it-ops");
          else if (!posts.some((text) => /\b2\b/.test(text) || /\btwo\b/i.test(text)))
            problems.push(`#it-ops does not give the count 2: ${posts.join(" | ").slice(0, 200)}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s10-stale-inprogress",
    request:
      "Mondays at 9am UK time: go through incidents that are still in progress and were opened more than 5 days ago, leave an internal work note on each asking for a status update, and DM the assignee a nudge.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "Europe/London" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Teams calls drop audio", priority: "P3" });
          await demo.call("tickets.update_incident", { id: "INC0002", status: "in_progress", assignee: ANA_PERSON });
          await open(demo, "INC0003", { title: "New starter needs a headset", priority: "P4" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const old = commentsOf(await incident(demo, "INC0001"));
          if (!old.some((c) => c.visibility === "internal"))
            problems.push("INC0001 (in progress for days) got no internal note");
          if (commentsOf(await incident(demo, "INC0002")).length > 0)
            problems.push("INC0002 (opened today) got a note");
          if (commentsOf(await incident(demo, "INC0003")).length > 0)
            problems.push("INC0003 (new, not in progress) got a note");
          if ((await dmsTo(demo, SAM)).length === 0) problems.push("Sam (assignee of INC0001) got no DM");
          if ((await dmsTo(demo, ANA)).length > 0) problems.push("Ana (assignee of the fresh INC0002) got a DM");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-onboard-manual",
    request:
      "I want an onboarding workflow I can run by hand with email, name and department. It should create the account, add the person to vpn-users, send them a welcome DM and announce them in #general.",
    expect: {
      draft: {
        declares: { type: "manual" },
        triggers: [
          { kind: "manual", input: { email: "priya.nair@example.com", name: "Priya Nair", department: "sales" } },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          let created: Json | undefined;
          try {
            created = await demo.call("directory.get_user", { email: "priya.nair@example.com" });
          } catch {
            problems.push("no account for priya.nair@example.com");
          }
          if (created) {
            if (created["name"] !== "Priya Nair") problems.push(`the account's name is ${created["name"]}`);
            if (created["department"] !== "sales")
              problems.push(`the account's department is ${created["department"]}`);
            const groups = created["groups"] as string[];
            if (!groups.includes("g-vpn")) problems.push("the new user is not in vpn-users");
            if (groups.some((g) => g !== "g-vpn")) problems.push(`the new user is also in ${groups.join(",")}`);
          }
          if ((await dmsTo(demo, "priya.nair@example.com")).length === 0)
            problems.push("no welcome DM to the new user");
          if (!mentionsAny(await demo.history("general"), ["Priya"])) problems.push("#general does not announce Priya");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-offboard-manual",
    request:
      "offboarding, run manually with the leaver's email: disable their account, remove them from every group they're a member of, then post in #it-ops that they've been offboarded",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "vpn-users" });
        },
        triggers: [{ kind: "manual", input: { email: SAM } }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const sam = await user(demo, "u-1002");
          if (sam["status"] !== "disabled") problems.push("Sam's account is not disabled");
          if ((sam["groups"] as string[]).length > 0)
            problems.push(`Sam is still in ${(sam["groups"] as string[]).join(",")}`);
          for (const other of ["u-1001", "u-1003", "u-1004"]) {
            if ((await user(demo, other))["status"] !== "active") problems.push(`${other} was disabled too`);
          }
          const { groups } = await demo.call("directory.list_groups", {});
          const byId = new Map((groups as Json[]).map((g) => [g["id"], g["member_ids"] as string[]]));
          if (!byId.get("g-oncall")?.includes("u-1004")) problems.push("Ana was taken out of sre-oncall");
          if (!byId.get("g-vpn")?.includes("u-1001")) problems.push("Mara was taken out of vpn-users");
          if (!mentionsAny(await demo.history("it-ops"), SAM_NAMES))
            problems.push("#it-ops does not say Sam was offboarded");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-admins-watch",
    request: "Anyone who gets added to it-admins: post who it was in #it-ops and DM Li Wen about it as well.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        triggers: [
          {
            kind: "resource",
            integration: "directory",
            uri: "directory://events/membership",
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "vpn-users" });
              await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "it-admins" });
            },
          },
          {
            kind: "resource",
            integration: "directory",
            uri: "directory://events/membership",
            change: async (demo) => {
              await demo.call("directory.remove_user_from_group", { user_id: "u-1001", group: "it-admins" });
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          const history = await demo.history("it-ops");
          if (!mentionsAny(history, MARA_NAMES))
            problems.push("#it-ops does not name Mara, who was added to it-admins");
          if (mentionsAny(history, ANA_NAMES)) problems.push("#it-ops names Ana, who was added to vpn-users only");
          if (mentionsAny(history, SAM_NAMES)) problems.push("#it-ops names Sam, whose it-admins membership is old");
          const toLi = await dmsTo(demo, LI);
          if (toLi.length !== 1) problems.push(`expected one DM to Li Wen, saw ${toLi.length}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s10-vpn-revoked-dm",
    request: "If someone is removed from vpn-users, DM them to say their VPN access has been revoked.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "vpn-users" });
          await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "vpn-users" });
        },
        triggers: [
          {
            kind: "resource",
            integration: "directory",
            uri: "directory://events/membership",
            change: async (demo) => {
              await demo.call("directory.remove_user_from_group", { user_id: "u-1004", group: "vpn-users" });
              await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "it-admins" });
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const toAna = await dmsTo(demo, ANA);
          if (toAna.length !== 1) problems.push(`expected one DM to Ana (removed from vpn-users), saw ${toAna.length}`);
          if ((await dmsTo(demo, SAM)).length > 0) problems.push("Sam got a DM, but he left it-admins, not vpn-users");
          if ((await dmsTo(demo, MARA)).length > 0) problems.push("Mara got a DM, but she is still in vpn-users");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-hr-newhire-webhook",
    request:
      "Workday will hit a webhook for every new hire with email, full_name, department and manager_email. Create the directory account with the manager set correctly, add them to vpn-users, then DM the manager that the account is ready.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: {
              email: "tomas.berg@example.com",
              full_name: "Tomas Berg",
              department: "engineering",
              manager_email: LI,
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          let created: Json | undefined;
          try {
            created = await demo.call("directory.get_user", { email: "tomas.berg@example.com" });
          } catch {
            problems.push("no account for tomas.berg@example.com");
          }
          if (created) {
            if (created["name"] !== "Tomas Berg") problems.push(`the account's name is ${created["name"]}`);
            if (created["department"] !== "engineering")
              problems.push(`the account's department is ${created["department"]}`);
            if (created["manager_id"] !== "u-1003")
              problems.push(`the account's manager is ${created["manager_id"]}, not Li Wen (u-1003)`);
            if (!(created["groups"] as string[]).includes("g-vpn")) problems.push("the new hire is not in vpn-users");
          }
          if ((await dmsTo(demo, LI)).length === 0) problems.push("the manager (Li Wen) got no DM");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-hr-leaver-webhook",
    request:
      "HR calls a webhook when someone leaves; the payload has their work address in employee_email. Find that user and disable their account. If nobody in the directory has that email, don't fail, post the address in #it-ops so someone can check by hand.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { employee_email: ANA } },
          { kind: "webhook", body: { employee_email: "ghost.user@example.com" } },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          if ((await user(demo, "u-1004"))["status"] !== "disabled") problems.push("Ana's account is not disabled");
          for (const other of ["u-1001", "u-1002", "u-1003"]) {
            if ((await user(demo, other))["status"] !== "active") problems.push(`${other} was disabled`);
          }
          if (!mentionsAny(await demo.history("it-ops"), ["ghost.user@example.com"]))
            problems.push("#it-ops does not mention the unknown address");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-nightly-close-resolved",
    request:
      "Each night at 23:00 UTC close out every incident that's in resolved status: resolution code fixed, with a note saying it was closed automatically.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 23 * * *" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Mailbox quota exceeded", priority: "P3" });
          await demo.call("tickets.update_incident", { id: "INC0002", status: "resolved" });
          await open(demo, "INC0003", { title: "Docking station not detected", priority: "P3" });
          await demo.call("tickets.update_incident", { id: "INC0003", status: "in_progress" });
          await open(demo, "INC0004", { title: "Guest wifi password expired", priority: "P4" });
          await demo.call("tickets.update_incident", { id: "INC0004", status: "resolved" });
          await open(demo, "INC0005", { title: "Waiting on vendor for toner", priority: "P4" });
          await demo.call("tickets.update_incident", { id: "INC0005", status: "on_hold" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          for (const id of ["INC0002", "INC0004"]) {
            const found = await incident(demo, id);
            if (found["status"] !== "closed") problems.push(`${id} (resolved) is ${found["status"]}, not closed`);
            else if (found["resolution"]?.["code"] !== "fixed")
              problems.push(`${id} closed with code ${found["resolution"]?.["code"]}, not fixed`);
          }
          for (const [id, status] of [
            ["INC0001", "in_progress"],
            ["INC0003", "in_progress"],
            ["INC0005", "on_hold"],
          ] as const) {
            const found = await incident(demo, id);
            if (found["status"] !== status) problems.push(`${id} is ${found["status"]}, should have stayed ${status}`);
          }
          return problems;
        },
      },
    },
  },
  {
    id: "s10-escalate-manual",
    request:
      "Give me an escalation button: takes an incident_id, bumps the incident to P1, adds a public comment so the reporter knows it's been escalated, and pages the on-call engineer with the incident number.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await open(demo, "INC0002", {
            title: "Invoices stuck in approval queue",
            priority: "P3",
            reporter_email: MARA,
            service: "erp",
          });
          await open(demo, "INC0003", { title: "Conference room screen dead", priority: "P3" });
        },
        triggers: [{ kind: "manual", input: { incident_id: "INC0002" } }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const target = await incident(demo, "INC0002");
          if (target["priority"] !== "P1") problems.push(`INC0002 is ${target["priority"]}, not P1`);
          if (!commentsOf(target).some((c) => c.visibility === "public"))
            problems.push("INC0002 has no public comment");
          const other = await incident(demo, "INC0003");
          if (other["priority"] !== "P3" || commentsOf(other).length > 0) problems.push("INC0003 was touched");
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (!pages.some((p) => p.user_email === onCall && mentionsId(p.message, "INC0002")))
            problems.push(`no page to the on-call ${onCall} naming INC0002`);
          if (pages.some((p) => mentionsId(p.message, "INC0003"))) problems.push("a page names INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-security-channel",
    request:
      "For new P1 or P2 incidents tagged security, spin up a private channel called sec- plus the incident number in lowercase (like sec-inc0042), with Li Wen and whoever is on call as members, and post the incident title in there.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) => {
              await open(demo, "INC0002", {
                title: "Phishing campaign targeting finance",
                priority: "P2",
                tags: ["security", "email"],
              });
              await open(demo, "INC0003", {
                title: "Core switch down in building B",
                priority: "P1",
                tags: ["network"],
              });
              await open(demo, "INC0004", {
                title: "Suspicious USB stick found in lobby",
                priority: "P4",
                tags: ["security"],
              });
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const onCall = await demo.onCallEmail();
          const channel = await channelNamed(demo, "sec-inc0002");
          if (!channel) problems.push("no channel sec-inc0002");
          else {
            if (channel["private"] !== true) problems.push("sec-inc0002 is not private");
            const members = channel["members"] as string[];
            if (!members.includes(LI)) problems.push("Li Wen is not in sec-inc0002");
            if (!members.includes(onCall)) problems.push(`the on-call ${onCall} is not in sec-inc0002`);
            if (!mentionsAny(await demo.history("sec-inc0002"), ["Phishing campaign targeting finance"]))
              problems.push("the title is not posted in sec-inc0002");
          }
          if (await channelNamed(demo, "sec-inc0003"))
            problems.push("a channel was made for INC0003, which is not tagged security");
          if (await channelNamed(demo, "sec-inc0004")) problems.push("a channel was made for INC0004, a P4");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-close-and-archive",
    request:
      "Wrap-up workflow, run by hand with incident_id and notes: close the incident as fixed using those notes, archive its bridge channel (inc- followed by the lowercase incident number, e.g. inc-inc0007), and post in #incidents that it's been closed.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Load balancer dropping sessions", priority: "P1" });
          await open(demo, "INC0003", { title: "Storage array degraded", priority: "P1" });
          await demo.call("chat.create_channel", { name: "inc-inc0002", topic: "Bridge for INC0002" });
          await demo.call("chat.create_channel", { name: "inc-inc0003", topic: "Bridge for INC0003" });
        },
        triggers: [
          {
            kind: "manual",
            input: { incident_id: "INC0002", notes: "Restarted the load balancer pair and pinned the firmware" },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const closed = await incident(demo, "INC0002");
          if (closed["status"] !== "closed") problems.push(`INC0002 is ${closed["status"]}, not closed`);
          else {
            if (closed["resolution"]?.["code"] !== "fixed")
              problems.push(`INC0002 closed as ${closed["resolution"]?.["code"]}`);
            if (!String(closed["resolution"]?.["notes"] ?? "").includes("load balancer"))
              problems.push("INC0002's resolution notes are not the given notes");
          }
          if ((await incident(demo, "INC0003"))["status"] === "closed") problems.push("INC0003 was closed");
          if ((await channelNamed(demo, "inc-inc0002"))?.["archived"] !== true)
            problems.push("inc-inc0002 is not archived");
          if ((await channelNamed(demo, "inc-inc0003"))?.["archived"] !== false)
            problems.push("inc-inc0003 was archived");
          const history = await demo.history("incidents");
          if (!mentionsId(history, "INC0002")) problems.push("#incidents does not mention INC0002");
          if (mentionsId(history, "INC0003")) problems.push("#incidents mentions INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-p1-once-per-hour",
    request:
      "Post every new P1 incident in #incidents. Also page the on-call engineer about them, but no more than once an hour; during an incident storm they shouldn't get paged over and over.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) =>
              open(demo, "INC0002", { title: "Website returns 503", priority: "P1", service: "web" }),
          },
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) => {
              await open(demo, "INC0003", { title: "API gateway timeouts", priority: "P1", service: "api" });
              await open(demo, "INC0004", { title: "Keyboard missing keys", priority: "P3" });
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          const posts = messagesOf(await demo.history("incidents"));
          const about = (id: string) => posts.filter((text) => mentionsId(text, id)).length;
          if (about("INC0002") !== 1)
            problems.push(`expected INC0002 posted once in #incidents, saw ${about("INC0002")}`);
          if (about("INC0003") !== 1)
            problems.push(`expected INC0003 posted once in #incidents, saw ${about("INC0003")}`);
          if (about("INC0004") > 0) problems.push("the P3 INC0004 was posted");
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (pages.length !== 1) problems.push(`expected exactly one page across both runs, saw ${pages.length}`);
          if (pages.some((p) => p.user_email !== onCall))
            problems.push(`a page went to someone other than the on-call ${onCall}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s10-change-request",
    request:
      "Manual workflow with inputs title, start, end (ISO timestamps) and incident_ids (a list). Create a high-risk change request for that window linked to those incidents, add an internal comment with the change number on each of those incidents, and post the change number in #it-ops.",
    expect: {
      draft: {
        declares: { type: "manual" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Intermittent packet loss rack B", priority: "P2", tags: ["network"] });
          await open(demo, "INC0003", { title: "Printer driver rollout", priority: "P4" });
          await open(demo, "INC0004", { title: "Rack B switch fan alarm", priority: "P3", tags: ["network"] });
        },
        triggers: [
          {
            kind: "manual",
            input: {
              title: "Replace core switch in rack B",
              start: "2026-12-05T22:00:00Z",
              end: "2026-12-06T02:00:00Z",
              incident_ids: ["INC0002", "INC0004"],
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          if (!mentionsId(await demo.history("it-ops"), "CHG0001"))
            problems.push("#it-ops does not give the change number CHG0001");
          for (const id of ["INC0002", "INC0004"]) {
            const notes = commentsOf(await incident(demo, id));
            if (!notes.some((c) => c.visibility === "internal" && mentionsId(c.body, "CHG0001")))
              problems.push(`${id} has no internal comment naming CHG0001`);
          }
          for (const id of ["INC0001", "INC0003"]) {
            if (commentsOf(await incident(demo, id)).length > 0) problems.push(`${id}, not linked, got a comment`);
          }
          return problems;
        },
      },
    },
  },
  {
    id: "s10-mfa-reminder-by-name",
    request:
      "Something I can run with a person's name (field: name) that looks them up in the directory and DMs them a reminder to set up MFA. If no one matches the name, post in #it-ops that nobody by that name was found.",
    expect: {
      draft: {
        declares: { type: "manual" },
        triggers: [
          { kind: "manual", input: { name: "Ana Costa" } },
          { kind: "manual", input: { name: "Zed Quinn" } },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          const dms = await demo.directMessages();
          if (dms.filter((m) => m.user_email === ANA).length !== 1)
            problems.push(`expected one DM to Ana, saw ${dms.filter((m) => m.user_email === ANA).length}`);
          if (dms.some((m) => m.user_email !== ANA))
            problems.push(
              `DMs went to ${dms
                .filter((m) => m.user_email !== ANA)
                .map((m) => m.user_email)
                .join(",")}`,
            );
          const history = await demo.history("it-ops");
          if (!mentionsAny(history, ["Zed Quinn"])) problems.push("#it-ops does not say Zed Quinn was not found");
          if (mentionsAny(history, ["Ana Costa"])) problems.push("#it-ops reports Ana, who was found");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-empty-groups",
    request: "Every Friday at 4pm Berlin time, post in #it-ops the names of any groups that have no members at all.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "it-admins" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const history = await demo.history("it-ops");
          if (!mentionsAny(history, ["vpn-users", "g-vpn"])) problems.push("#it-ops does not list the empty vpn-users");
          if (!mentionsAny(history, ["it-admins", "g-admins"]))
            problems.push("#it-ops does not list the now empty it-admins");
          if (mentionsAny(history, ["sre-oncall", "g-oncall"]))
            problems.push("#it-ops lists sre-oncall, which has members");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-oncall-handoff",
    request:
      "Daily at 18:00 Berlin time: post in #it-ops who is on call for sre-oncall and until when, then DM that person a list of the open P1 and P2 incidents.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 18 * * *", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Customer portal login fails", priority: "P1" });
          await open(demo, "INC0003", { title: "Label printer misaligned", priority: "P3" });
          await open(demo, "INC0004", { title: "Backup job failed last night", priority: "P2" });
          await demo.call("tickets.close_incident", {
            id: "INC0004",
            resolution_code: "fixed",
            notes: "Re-ran the job",
          });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const onCall = await demo.onCallEmail();
          const names = onCall === ANA ? ANA_NAMES : SAM_NAMES;
          if (!mentionsAny(await demo.history("it-ops"), names))
            problems.push(`#it-ops does not name the on-call ${onCall}`);
          const text = (await dmsTo(demo, onCall)).join("\n");
          if (!text) problems.push(`no DM to the on-call ${onCall}`);
          else {
            if (!mentionsId(text, "INC0002")) problems.push("the DM does not list the open P1 INC0002");
            if (!mentionsId(text, "INC0001")) problems.push("the DM does not list the open P2 INC0001");
            if (mentionsId(text, "INC0003")) problems.push("the DM lists the P3 INC0003");
            if (mentionsId(text, "INC0004")) problems.push("the DM lists the closed INC0004");
          }
          return problems;
        },
      },
    },
  },
  {
    id: "s10-rotation-reminder",
    request:
      "Every Monday 10am London time, DM each member of sre-oncall a reminder to read the handover notes before their shift.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "Europe/London" },
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "vpn-users" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          if ((await dmsTo(demo, ANA)).length === 0) problems.push("Ana (sre-oncall) got no DM");
          if ((await dmsTo(demo, SAM)).length === 0) problems.push("Sam (sre-oncall) got no DM");
          if ((await dmsTo(demo, MARA)).length > 0) problems.push("Mara (not in sre-oncall) got a DM");
          if ((await dmsTo(demo, LI)).length > 0) problems.push("Li Wen (not in sre-oncall) got a DM");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-grafana-fallback",
    request:
      "Grafana alert webhook, fields alert_name and dashboard_url. Page the current sre-oncall engineer with the alert name and the dashboard link. If the on-call lookup fails, page Li Wen instead.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await demo.call("directory.remove_user_from_group", { user_id: "u-1004", group: "sre-oncall" });
          await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "sre-oncall" });
        },
        triggers: [
          {
            kind: "webhook",
            body: {
              alert_name: "API latency p99 above 2s",
              dashboard_url: "https://grafana.example.com/d/api-latency",
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const pages = await demo.pages();
          const toLi = pages.filter((p) => p.user_email === LI);
          if (toLi.length !== 1) problems.push(`expected one page to Li Wen (nobody on call), saw ${toLi.length}`);
          if (toLi.length > 0 && !toLi.some((p) => p.message.includes("API latency")))
            problems.push("the page does not carry the alert name");
          if (pages.length !== toLi.length)
            problems.push(
              `pages went to ${pages
                .filter((p) => p.user_email !== LI)
                .map((p) => p.user_email)
                .join(",")}`,
            );
          return problems;
        },
      },
    },
  },
  {
    id: "s10-onhold-reassign",
    request:
      "Weekdays at 9am Eastern, take every on-hold incident assigned to Sam Okafor, reassign it to Ana Costa, and leave an internal note that it was reassigned.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "America/New_York" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Firewall rule request for vendor", priority: "P3" });
          await demo.call("tickets.update_incident", { id: "INC0002", status: "on_hold", assignee: SAM_PERSON });
          await open(demo, "INC0003", { title: "License renewal for CAD tool", priority: "P4" });
          await demo.call("tickets.update_incident", { id: "INC0003", status: "on_hold", assignee: LI_PERSON });
          await open(demo, "INC0004", { title: "Switch port flapping", priority: "P3" });
          await demo.call("tickets.update_incident", { id: "INC0004", status: "in_progress", assignee: SAM_PERSON });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const moved = await incident(demo, "INC0002");
          if (moved["assignee"]?.["email"] !== ANA && moved["assignee"]?.["id"] !== "u-1004")
            problems.push(`INC0002 is assigned to ${JSON.stringify(moved["assignee"])}, not Ana`);
          if (!commentsOf(moved).some((c) => c.visibility === "internal"))
            problems.push("INC0002 has no internal note");
          for (const [id, email] of [
            ["INC0003", LI],
            ["INC0004", SAM],
            ["INC0001", SAM],
          ] as const) {
            const found = await incident(demo, id);
            if (found["assignee"]?.["email"] !== email)
              problems.push(`${id} was reassigned to ${JSON.stringify(found["assignee"])}`);
            if (commentsOf(found).length > 0) problems.push(`${id} got a note`);
          }
          return problems;
        },
      },
    },
  },
  {
    id: "s10-hardware-tag",
    request:
      "new incidents tagged hardware: set them on hold and add a public comment telling the reporter a technician will contact them within one business day",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            kind: "resource",
            integration: "tickets",
            uri: "tickets://incidents/new",
            change: async (demo) => {
              await open(demo, "INC0002", {
                title: "Laptop hinge cracked",
                priority: "P3",
                tags: ["hardware", "laptop"],
                reporter_email: MARA,
              });
              await open(demo, "INC0003", { title: "Excel add-in crashes", priority: "P3", tags: ["software"] });
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 1);
          const hw = await incident(demo, "INC0002");
          if (hw["status"] !== "on_hold") problems.push(`INC0002 (hardware) is ${hw["status"]}, not on_hold`);
          if (!commentsOf(hw).some((c) => c.visibility === "public")) problems.push("INC0002 has no public comment");
          const sw = await incident(demo, "INC0003");
          if (sw["status"] !== "new") problems.push(`INC0003 (software) is ${sw["status"]}`);
          if (commentsOf(sw).length > 0) problems.push("INC0003 (software) got a comment");
          return problems;
        },
      },
    },
  },
  {
    id: "s10-priority-sync-webhook",
    request:
      "The customer portal posts to a webhook whenever a ticket's priority changes, with incident_id and priority. Set that priority on our incident, and if it's P1 now, page the on-call engineer with the incident number.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Orders not syncing to warehouse", priority: "P3" });
          await open(demo, "INC0003", { title: "Intranet banner outdated", priority: "P2" });
        },
        triggers: [
          { kind: "webhook", body: { incident_id: "INC0002", priority: "P1" } },
          { kind: "webhook", body: { incident_id: "INC0003", priority: "P4" } },
        ],
        check: async (demo, runs) => {
          const problems = succeeded(runs, 2);
          if ((await incident(demo, "INC0002"))["priority"] !== "P1") problems.push("INC0002 is not P1");
          if ((await incident(demo, "INC0003"))["priority"] !== "P4") problems.push("INC0003 is not P4");
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (!pages.some((p) => p.user_email === onCall && mentionsId(p.message, "INC0002")))
            problems.push(`no page to the on-call ${onCall} naming INC0002`);
          if (pages.some((p) => mentionsId(p.message, "INC0003"))) problems.push("INC0003 (now P4) was paged");
          if (pages.length !== 1) problems.push(`expected one page, saw ${pages.length}`);
          return problems;
        },
      },
    },
  },

  // ───────────────────────────── declined ─────────────────────────────
  {
    id: "s10-x-unknown-channel",
    request: "Every morning at 9 Berlin time post the new P2 incidents to #network-team.",
    expect: { declined: "either", about: /network-team/i },
  },
  {
    id: "s10-x-closed-trigger",
    request: "Whenever an incident gets closed, DM the reporter asking them to rate the support they got.",
    expect: { declined: "either", about: /clos/i },
  },
  {
    id: "s10-x-password-reset",
    request: "Reset the password of the user whose email I pass in and DM them the temporary password.",
    expect: { declined: "either", about: /password|reset/i },
  },
  {
    id: "s10-x-unknown-rotation",
    request: "When a new P1 comes in for the database service, page whoever is on call for the db-oncall rotation.",
    expect: { declined: "either", about: /db-oncall|rotation/i },
  },
  {
    id: "s10-x-daily-no-time",
    request: "Send a daily roundup of the on-hold incidents to #it-ops.",
    expect: { declined: "either", about: /daily|roundup|time/i },
  },
  {
    id: "s10-x-unknown-person",
    request: "Add Jordan Pike to vpn-users and DM him that his VPN access is ready.",
    expect: { declined: "either", about: /Jordan|Pike/i },
  },
  {
    id: "s10-x-chat-message-trigger",
    request:
      "Whenever someone posts a message in #general mentioning an outage, open a P2 incident with their message as the description.",
    expect: { declined: "either", about: /posts? a message|#general|mention/i },
  },
  {
    id: "s10-x-calendar",
    request:
      "When a new P1 is opened, book a post-mortem meeting in the calendars of Li Wen and the on-call engineer for the next business day.",
    expect: { declined: "either", about: /calendar|meeting|post-mortem|book/i },
  },
  {
    id: "s10-x-unknown-group",
    request:
      "Contractor onboarding, by hand with email and name: create the account in the finance department and add them to the contractors group.",
    expect: { declined: "either", about: /contractors/i },
  },
  {
    id: "s10-x-remote-wipe",
    request: "Offboard the person whose email I give: disable their account and remotely wipe their laptop.",
    expect: { declined: "either", about: /wipe|laptop/i },
  },
];
