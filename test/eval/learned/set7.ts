/**
 * Independent evaluation set 7 for the planner: 26 requests the demo tools can do (checked on the
 * demo servers' end state) and 10 that deserve a question or a refusal.
 * Seed facts used: users u-1001 Mara Keller (finance, no manager), u-1002 Sam Okafor (it, mgr u-1003),
 * u-1003 Li Wen (it, IT manager), u-1004 Ana Costa (engineering, mgr u-1003); groups vpn-users (empty),
 * it-admins [Sam], sre-oncall [Ana, Sam]; channels #it-ops, #incidents, #general; INC0001 (P2,
 * in_progress, assigned Sam, created 2026-11-20). New incidents get INC0002, INC0003, ... in order.
 */
import type { Demo, EvalCase, Json } from "../harness.ts";

// ---------- helpers ----------

const SAM = { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" };
const LI = { id: "u-1003", name: "Li Wen", email: "li.wen@example.com" };
const ANA = { id: "u-1004", name: "Ana Costa", email: "ana.costa@example.com" };
const MARA = { id: "u-1001", name: "Mara Keller", email: "mara.keller@example.com" };

const NEW_INCIDENTS = { integration: "tickets", uri: "tickets://incidents/new" } as const;
const MEMBERSHIP = { integration: "directory", uri: "directory://events/membership" } as const;

/** A person named by name or email. */
const who = (p: { name: string; email: string }) =>
  new RegExp(`${p.name.replace(" ", "\\s+")}|${p.email.replace(/\./g, "\\.")}`, "i");
/** An incident named by number or by a distinctive part of its title. */
const inc = (id: string, title?: string) => new RegExp(`\\b${id}\\b${title ? `|${title}` : ""}`, "i");

/** The messages of a channel's history text, one string each (a message may span lines). */
function split(history: string): string[] {
  if (history.trim() === "(no messages)") return [];
  return history
    .split(/^\[\d+\.\d{6}\] /m)
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}
const posts = async (demo: Demo, channel: string) => split(await demo.history(channel));
const dmsTo = async (demo: Demo, email: string) =>
  (await demo.directMessages()).filter((m) => m.user_email === email).map((m) => m.text);
const incident = (demo: Demo, id: string) => demo.call("tickets.get_incident", { id });
const user = (demo: Demo, id: string) => demo.call("directory.get_user", { user_id: id });
async function group(demo: Demo, name: string): Promise<Json> {
  const found = ((await demo.call("directory.list_groups"))["groups"] as Json[]).find((g) => g["name"] === name);
  if (!found) throw new Error(`no group ${name}`);
  return found;
}
async function allIncidents(demo: Demo): Promise<Json[]> {
  return (await demo.call("tickets.list_incidents", { limit: 100 }))["incidents"] as Json[];
}
async function open(
  demo: Demo,
  title: string,
  priority: "P1" | "P2" | "P3" | "P4",
  reporter = MARA.email,
  service?: string,
): Promise<string> {
  return String(
    (
      await demo.call("tickets.create_incident", {
        title,
        priority,
        reporter_email: reporter,
        description: title,
        ...(service ? { service } : {}),
      })
    )["id"],
  );
}
async function assign(demo: Demo, id: string, person: { id: string; name: string; email: string }): Promise<void> {
  await demo.call("tickets.update_incident", { id, assignee: person });
}
const comments = async (demo: Demo, id: string, visibility?: "internal" | "public") =>
  ((await incident(demo, id))["comments"] as Json[]).filter((c) => !visibility || c["visibility"] === visibility);

/** Standalone numbers in a message, ignoring incident ids, priorities, dates, times and years. */
function numbersIn(text: string): number[] {
  const cleaned = text
    .replace(/\bINC\d+\b/gi, " ")
    .replace(/\bP[1-4]\b/g, " ")
    .replace(/\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/g, " ")
    .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, " ")
    .replace(/\b\d{1,2}\s*(am|pm)\b/gi, " ")
    .replace(/\b\d{4}\b/g, " ");
  const words: Record<string, number> = { zero: 0, none: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };
  const found = [...cleaned.matchAll(/\b\d+\b/g)].map((m) => Number(m[0]));
  for (const [word, n] of Object.entries(words)) if (new RegExp(`\\b${word}\\b`, "i").test(cleaned)) found.push(n);
  return found;
}

/** Collects problems: `need(cond, msg)` records msg when cond is false. */
function collector() {
  const problems: string[] = [];
  return { problems, need: (ok: boolean, message: string) => void (ok || problems.push(message)) };
}

// ---------- the cases ----------

export const CASES: EvalCase[] = [
  // ===== drafts =====
  {
    id: "s7-p1-page-oncall",
    request:
      "When a new P1 incident is opened, page whoever is on call for sre-oncall with the incident number and title.",
    expect: {
      draft: {
        declares: { type: "resource", ...NEW_INCIDENTS },
        triggers: [
          {
            kind: "resource",
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Printer on floor 2 jammed", "P3"); // INC0002
              await open(demo, "Payroll database unreachable", "P1"); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(
            pages.some((p) => p.user_email === onCall && inc("INC0003", "payroll").test(p.message)),
            `no page to the on-call ${onCall} about INC0003 (the P1)`,
          );
          need(!pages.some((p) => inc("INC0002", "printer").test(p.message)), "paged about INC0002, a P3");
          need(
            pages.every((p) => p.user_email === onCall),
            `paged someone other than the on-call ${onCall}`,
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-daily-open-p1p2",
    request:
      "Every morning at 8:00 Berlin time, post to #it-ops a list of all open P1 and P2 incidents (open meaning not resolved or closed).",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 8 * * *", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "Email outage for sales", "P1"); // INC0002 open
          const wifi = await open(demo, "Wi-Fi flaky on 3rd floor", "P2"); // INC0003 closed
          await demo.call("tickets.close_incident", { id: wifi, resolution_code: "fixed", notes: "AP replaced" });
          await open(demo, "Monitor flickers at desk 12", "P3"); // INC0004 wrong priority
          const sso = await open(demo, "SSO login errors", "P2"); // INC0005 resolved
          await demo.call("tickets.update_incident", { id: sso, status: "resolved" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          const text = (await posts(demo, "it-ops")).join("\n");
          need(text.length > 0, "nothing posted in #it-ops");
          need(inc("INC0001", "VPN drops").test(text), "open P2 INC0001 missing");
          need(inc("INC0002", "email outage").test(text), "open P1 INC0002 missing");
          need(!inc("INC0003", "wi-?fi").test(text), "closed INC0003 listed");
          need(!inc("INC0004", "monitor flicker").test(text), "P3 INC0004 listed");
          need(!inc("INC0005", "SSO").test(text), "resolved INC0005 listed");
          for (const other of ["incidents", "general"])
            need((await posts(demo, other)).length === 0, `posted in #${other} too`);
          return problems;
        },
      },
    },
  },
  {
    id: "s7-weekly-unassigned-count",
    request:
      "Mondays 9am New York time: post in #general how many open incidents have nobody assigned. Just the number is fine.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "America/New_York" },
        setup: async (demo) => {
          const keyboard = await open(demo, "Keyboard missing keys", "P3"); // INC0002 open (on hold), unassigned
          await demo.call("tickets.update_incident", { id: keyboard, status: "on_hold" });
          const outlook = await open(demo, "Outlook crashes on start", "P2"); // INC0003 assigned, in progress
          await demo.call("tickets.update_incident", { id: outlook, status: "in_progress", assignee: LI });
          const monitor = await open(demo, "Need a second monitor", "P4"); // INC0004 closed, unassigned
          await demo.call("tickets.close_incident", { id: monitor, resolution_code: "cancelled", notes: "withdrawn" });
          await open(demo, "Badge readers offline", "P1"); // INC0005 open (new), unassigned
          await open(demo, "Teams calls drop", "P3"); // INC0006 open (new), unassigned
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          const messages = await posts(demo, "general");
          need(messages.length > 0, "nothing posted in #general");
          const numbers = numbersIn(messages.join("\n"));
          // open + unassigned: INC0002, INC0005, INC0006 = 3. Plausible wrong counts: status "new" only = 2, closed included = 4.
          need(
            numbers.includes(3),
            `the count should be 3 (INC0002, INC0005, INC0006), numbers said: ${JSON.stringify(numbers)}`,
          );
          need(!numbers.some((n) => n === 2 || n === 4), `a wrong count appears: ${JSON.stringify(numbers)}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s7-stale-assignee-nudge",
    request:
      "Every weekday at 10:00 London time, DM the assignee of each open incident that's older than a week, reminding them of the incident number. Skip incidents nobody is assigned to.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "Europe/London" },
        setup: async (demo) => {
          const projector = await open(demo, "Projector in room 4B flickers", "P3"); // INC0002 fresh, assigned Ana
          await assign(demo, projector, ANA);
          await open(demo, "Shared mailbox permissions", "P2"); // INC0003 fresh, unassigned
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          need(
            (await dmsTo(demo, SAM.email)).some((t) => /\bINC0001\b/.test(t)),
            "Sam (assignee of the 10-day-old INC0001) got no DM naming INC0001",
          );
          need((await dmsTo(demo, ANA.email)).length === 0, "Ana was nudged about a fresh incident");
          need(
            !(await demo.directMessages()).some((m) => /\bINC000[23]\b/.test(m.text)),
            "a DM names a fresh incident",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-oncall-morning-dm",
    request: "each day at 7:30 (Europe/Berlin) DM the sre-oncall person to tell them they're on call today",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "30 7 * * *", timezone: "Europe/Berlin" },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          const onCall = await demo.onCallEmail();
          const dms = await demo.directMessages();
          need(
            dms.some((m) => m.user_email === onCall),
            `no DM to the on-call ${onCall}`,
          );
          need(
            dms.every((m) => m.user_email === onCall),
            "DMs went to someone not on call",
          );
          need((await demo.pages()).length === 0, "paged instead of a DM");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-p1-headsup-once-a-day",
    request:
      "Every 15 minutes check for P1 incidents that aren't resolved or closed. If there are any, post a heads-up in #incidents listing them — but only once per day, don't repeat it on every check.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, "ERP unreachable from all sites", "P1"); // INC0002
          await open(demo, "Slow Wi-Fi in canteen", "P3"); // INC0003
        },
        triggers: [{ kind: "schedule" }, { kind: "schedule" }, { kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          const messages = await posts(demo, "incidents");
          need(
            messages.length === 1,
            `expected exactly one heads-up in #incidents after three checks, found ${messages.length}`,
          );
          need(
            messages.some((m) => inc("INC0002", "ERP").test(m)),
            "the heads-up does not name the P1 INC0002",
          );
          need(!messages.some((m) => inc("INC0003", "canteen").test(m)), "the heads-up names the P3 INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-p1-page-or-itops",
    request:
      "When a P1 incident is opened, page whoever is on call in sre-oncall. If we can't page anyone (for example nobody is on the rotation), post the incident in #it-ops instead.",
    expect: {
      draft: {
        declares: { type: "resource", ...NEW_INCIDENTS },
        setup: async (demo) => {
          await demo.call("directory.remove_user_from_group", { user_id: ANA.id, group: "sre-oncall" });
          await demo.call("directory.remove_user_from_group", { user_id: SAM.id, group: "sre-oncall" });
        },
        triggers: [
          {
            kind: "resource",
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Core switch down in Berlin", "P1"); // INC0002
              await open(demo, "Label printer offline", "P3"); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const text = (await posts(demo, "it-ops")).join("\n");
          need(
            inc("INC0002", "core switch").test(text),
            "the P1 INC0002 was not posted in #it-ops when nobody could be paged",
          );
          need(!inc("INC0003", "label printer").test(text), "the P3 INC0003 was posted");
          need((await demo.pages()).length === 0, "a page was sent although nobody is on call");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-monitoring-webhook",
    request:
      'Set up a webhook for our monitoring. It sends JSON like {"host": "db-01", "check": "disk", "state": "CRITICAL"}. For CRITICAL alerts page the sre-oncall engineer with the host and check name; if the page fails, post the alert to #it-ops instead. Ignore WARNING and OK.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { host: "db-01", check: "disk_usage", state: "CRITICAL" } },
          { kind: "webhook", body: { host: "web-02", check: "http_200", state: "OK" } },
          { kind: "webhook", body: { host: "app-03", check: "cpu_load", state: "WARNING" } },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          need(pages.length === 1, `expected one page, found ${pages.length}`);
          need(
            pages.some((p) => p.user_email === onCall && /db-01/.test(p.message) && /disk/i.test(p.message)),
            `no page to ${onCall} naming db-01 and the disk check`,
          );
          need(!pages.some((p) => /web-02|app-03/.test(p.message)), "paged for an OK or WARNING alert");
          need((await posts(demo, "it-ops")).length === 0, "posted the fallback in #it-ops although the page worked");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-laptop-webhook",
    request:
      "Our HR portal will call a webhook when someone reports a broken laptop. The payload has `email`, `summary` and `urgent` (true/false). Open an incident for each one with that email as the reporter: P2 if urgent, otherwise P4.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { email: MARA.email, summary: "Laptop screen cracked", urgent: true } },
          { kind: "webhook", body: { email: ANA.email, summary: "Laptop battery drains fast", urgent: false } },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const created = (await allIncidents(demo)).filter((i) => i["id"] !== "INC0001");
          need(created.length === 2, `expected 2 new incidents, found ${created.length}`);
          const text = (i: Json) => `${i["title"]} ${i["description"]}`;
          const screen = created.find((i) => /screen/i.test(text(i)));
          const battery = created.find((i) => /battery/i.test(text(i)));
          need(
            screen?.["reporter_email"] === MARA.email && screen?.["priority"] === "P2",
            `the urgent screen report should be P2 reported by Mara: ${JSON.stringify(screen ?? null)?.slice(0, 200)}`,
          );
          need(
            battery?.["reporter_email"] === ANA.email && battery?.["priority"] === "P4",
            `the non-urgent battery report should be P4 reported by Ana: ${JSON.stringify(battery ?? null)?.slice(0, 200)}`,
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-onboard-manual",
    request:
      "I need an onboarding helper I can run by hand with `name`, `email` and `department`: create the account, add the person to vpn-users, and send them a welcome DM.",
    expect: {
      draft: {
        declares: { type: "manual" },
        triggers: [
          { kind: "manual", input: { name: "Jonas Berg", email: "jonas.berg@example.com", department: "sales" } },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const found = ((await demo.call("directory.find_users", { query: "jonas.berg" }))["users"] as Json[])[0];
          need(found !== undefined, "no account for jonas.berg@example.com");
          need(
            found?.["department"] === "sales" && /jonas berg/i.test(String(found?.["name"])),
            `the account is wrong: ${JSON.stringify(found ?? null)}`,
          );
          need(
            found !== undefined && ((await group(demo, "vpn-users"))["member_ids"] as string[]).includes(found["id"]),
            "Jonas is not in vpn-users",
          );
          need((await dmsTo(demo, "jonas.berg@example.com")).length > 0, "no welcome DM to Jonas");
          need(((await group(demo, "it-admins"))["member_ids"] as string[]).length === 1, "it-admins changed");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-offboard-manual",
    request:
      "Offboarding, run manually with a `user_email`: disable the account, take them out of every group they're in, and tell #it-ops who was offboarded.",
    expect: {
      draft: {
        declares: { type: "manual" },
        triggers: [{ kind: "manual", input: { user_email: SAM.email } }],
        check: async (demo) => {
          const { problems, need } = collector();
          const sam = await user(demo, SAM.id);
          need(sam["status"] === "disabled", "Sam is not disabled");
          need((sam["groups"] as string[]).length === 0, `Sam is still in ${JSON.stringify(sam["groups"])}`);
          need(
            !((await group(demo, "sre-oncall"))["member_ids"] as string[]).includes(SAM.id),
            "Sam still in sre-oncall",
          );
          need(
            !((await group(demo, "it-admins"))["member_ids"] as string[]).includes(SAM.id),
            "Sam still in it-admins",
          );
          need(
            ((await group(demo, "sre-oncall"))["member_ids"] as string[]).includes(ANA.id),
            "Ana was removed from sre-oncall",
          );
          for (const other of [ANA, LI, MARA])
            need((await user(demo, other.id))["status"] === "active", `${other.name} was disabled`);
          need(
            (await posts(demo, "it-ops")).some((m) => who(SAM).test(m)),
            "#it-ops was not told Sam was offboarded",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-oncall-group-dm",
    request:
      "DM everyone in sre-oncall asking them to update their phone number in the paging tool. I'll trigger it myself when needed.",
    expect: {
      draft: {
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: LI.id, group: "sre-oncall" });
        },
        triggers: [{ kind: "manual", input: {} }],
        check: async (demo) => {
          const { problems, need } = collector();
          need((await dmsTo(demo, ANA.email)).length > 0, "Ana (sre-oncall) got no DM");
          need((await dmsTo(demo, SAM.email)).length > 0, "Sam (sre-oncall) got no DM");
          need((await dmsTo(demo, LI.email)).length > 0, "Li Wen (joined sre-oncall before the run) got no DM");
          need((await dmsTo(demo, MARA.email)).length === 0, "Mara (not in sre-oncall) got a DM");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-it-dept-maintenance-dm",
    request:
      "Let everyone in the IT department know by DM that the VPN will be down this Saturday 22:00–23:00 CET for maintenance. I'll run it by hand.",
    expect: {
      draft: {
        setup: async (demo) => {
          await demo.call("directory.create_user", {
            email: "priya.nair@example.com",
            name: "Priya Nair",
            department: "it",
            title: "Service desk analyst",
            manager_id: LI.id,
          });
        },
        triggers: [{ kind: "manual", input: {} }],
        check: async (demo) => {
          const { problems, need } = collector();
          for (const p of [SAM, LI, { name: "Priya Nair", email: "priya.nair@example.com" }]) {
            need(
              (await dmsTo(demo, p.email)).some((t) => /VPN/i.test(t)),
              `${p.name} (IT department) got no DM about the VPN maintenance`,
            );
          }
          need(
            (await dmsTo(demo, ANA.email)).length + (await dmsTo(demo, MARA.email)).length === 0,
            "someone outside IT got a DM",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-admins-roster-friday",
    request:
      "Fridays at 4pm Berlin time, post the names of everyone currently in it-admins to #it-ops so we can review admin access.",
    expect: {
      draft: {
        declares: { type: "schedule", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: LI.id, group: "it-admins" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          const text = (await posts(demo, "it-ops")).join("\n");
          need(who(SAM).test(text), "Sam (it-admins) missing from the roster");
          need(who(LI).test(text), "Li Wen (it-admins) missing from the roster");
          need(!who(ANA).test(text), "Ana (not an admin) listed");
          need(!who(MARA).test(text), "Mara (not an admin) listed");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-assign-by-priority",
    request:
      "Manual workflow taking an `incident_id`. If the incident is P1 or P2, assign it to Li Wen; otherwise assign it to Sam Okafor. Either way leave an internal note saying who it was assigned to.",
    expect: {
      draft: {
        setup: async (demo) => {
          await open(demo, "Storage array degraded", "P1"); // INC0002
          await open(demo, "Mouse double-clicks", "P4"); // INC0003
        },
        triggers: [
          { kind: "manual", input: { incident_id: "INC0002" } },
          { kind: "manual", input: { incident_id: "INC0003" } },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const high = await incident(demo, "INC0002");
          const low = await incident(demo, "INC0003");
          need(
            high["assignee"]?.["email"] === LI.email,
            `P1 INC0002 should go to Li Wen, is ${JSON.stringify(high["assignee"])}`,
          );
          need(
            low["assignee"]?.["email"] === SAM.email,
            `P4 INC0003 should go to Sam, is ${JSON.stringify(low["assignee"])}`,
          );
          need((await comments(demo, "INC0002", "internal")).length > 0, "no internal note on INC0002");
          need((await comments(demo, "INC0003", "internal")).length > 0, "no internal note on INC0003");
          need((await comments(demo, "INC0001")).length === 0, "INC0001 was touched");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-vpn-welcome",
    request: "Whenever somebody is added to vpn-users, DM them our VPN setup guide: https://wiki.example.com/vpn",
    expect: {
      draft: {
        declares: { type: "resource", ...MEMBERSHIP },
        triggers: [
          {
            kind: "resource",
            ...MEMBERSHIP,
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: ANA.id, group: "vpn-users" });
              await demo.call("directory.add_user_to_group", { user_id: MARA.id, group: "it-admins" });
            },
          },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          need(
            (await dmsTo(demo, ANA.email)).some((t) => t.includes("wiki.example.com/vpn")),
            "Ana (added to vpn-users) got no DM with the guide link",
          );
          for (const other of [MARA, SAM, LI])
            need((await dmsTo(demo, other.email)).length === 0, `${other.name} (not added to vpn-users) got a DM`);
          return problems;
        },
      },
    },
  },
  {
    id: "s7-admin-grant-alert",
    request:
      "Security wants to hear about admin grants: whenever someone is added to it-admins, post in #it-ops who it was, and DM Li Wen about it too.",
    expect: {
      draft: {
        declares: { type: "resource", ...MEMBERSHIP },
        triggers: [
          {
            kind: "resource",
            ...MEMBERSHIP,
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: ANA.id, group: "vpn-users" });
              await demo.call("directory.add_user_to_group", { user_id: MARA.id, group: "it-admins" });
            },
          },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const text = (await posts(demo, "it-ops")).join("\n");
          need(who(MARA).test(text), "#it-ops does not name Mara, who was added to it-admins");
          need(!who(ANA).test(text), "#it-ops names Ana, who was added to vpn-users, not it-admins");
          need(
            (await dmsTo(demo, LI.email)).some((t) => who(MARA).test(t)),
            "Li Wen got no DM naming Mara",
          );
          need(
            (await demo.directMessages()).every((m) => m.user_email === LI.email),
            "DMs went to someone other than Li Wen",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-escalate-old-p2",
    request:
      "Daily at 18:00 UTC: any P2 that has been open for more than 5 days gets raised to P1, with an internal note on the ticket saying it was escalated automatically.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 18 * * *" },
        setup: async (demo) => {
          await open(demo, "Laptop imaging is slow", "P2"); // INC0002 fresh
          await open(demo, "Conference room display dead", "P3"); // INC0003 fresh
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          need(
            (await incident(demo, "INC0001"))["priority"] === "P1",
            "INC0001 (P2, open 10 days) was not raised to P1",
          );
          need((await comments(demo, "INC0001", "internal")).length > 0, "no internal note on INC0001");
          need((await incident(demo, "INC0002"))["priority"] === "P2", "the fresh P2 INC0002 was escalated");
          need((await comments(demo, "INC0002")).length === 0, "INC0002 got a note");
          need((await incident(demo, "INC0003"))["priority"] === "P3", "the P3 INC0003 changed");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-close-duplicate",
    request:
      "Run by hand with `duplicate_id` and `original_id`: close the duplicate incident with resolution 'duplicate' and a note pointing at the original, then add a public comment on the original saying the duplicate was merged into it.",
    expect: {
      draft: {
        setup: async (demo) => {
          await open(demo, "Printer in Lisbon office offline", "P3", MARA.email); // INC0002
          await open(demo, "Lisbon printer not printing", "P3", ANA.email); // INC0003
        },
        triggers: [{ kind: "manual", input: { duplicate_id: "INC0003", original_id: "INC0002" } }],
        check: async (demo) => {
          const { problems, need } = collector();
          const dup = await incident(demo, "INC0003");
          const orig = await incident(demo, "INC0002");
          need(
            dup["status"] === "closed" && dup["resolution"]?.["code"] === "duplicate",
            `INC0003 should be closed as duplicate: ${dup["status"]} ${JSON.stringify(dup["resolution"] ?? null)}`,
          );
          need(/INC0002/.test(String(dup["resolution"]?.["notes"] ?? "")), "the duplicate's notes do not name INC0002");
          need(orig["status"] !== "closed", "the original INC0002 was closed");
          need(
            (await comments(demo, "INC0002", "public")).some((c) => /INC0003/.test(String(c["body"]))),
            "no public comment on INC0002 naming INC0003",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-bridge-channel",
    request:
      "Given an `incident_id`, create a chat channel called inc-<incident number in lower case> (so INC0001 → inc-inc0001), invite the incident's assignee and whoever is on call for sre-oncall, and post the incident title there. Manual run.",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) => {
          const { problems, need } = collector();
          const onCall = await demo.onCallEmail();
          const channel = ((await demo.call("chat.list_channels", {}))["channels"] as Json[]).find(
            (c) => c["name"] === "inc-inc0001",
          );
          need(channel !== undefined, "no channel #inc-inc0001");
          const members = (channel?.["members"] ?? []) as string[];
          need(members.includes(SAM.email), "the assignee Sam is not a member");
          need(members.includes(onCall), `the on-call ${onCall} is not a member`);
          need(
            channel !== undefined && /VPN drops/i.test(await demo.history("inc-inc0001")),
            "the incident title was not posted in #inc-inc0001",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-badge-webhook",
    request:
      'Make a webhook for the badge system. It posts {"email": ..., "door": ...} whenever someone badges in. If the email isn\'t an active user in the directory (unknown or disabled), post an alert in #it-ops with the email and the door. Active users: do nothing.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await demo.call("directory.disable_user", { user_id: ANA.id, reason: "left the company" });
        },
        triggers: [
          { kind: "webhook", body: { email: MARA.email, door: "finance-floor" } },
          { kind: "webhook", body: { email: "ghost.user@example.com", door: "server-room" } },
          { kind: "webhook", body: { email: ANA.email, door: "loading-dock" } },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const messages = await posts(demo, "it-ops");
          need(
            messages.some((m) => /ghost\.user@example\.com/i.test(m) && /server-room/i.test(m)),
            "no alert for the unknown ghost.user at server-room",
          );
          need(
            messages.some((m) => who(ANA).test(m) && /loading-dock/i.test(m)),
            "no alert for the disabled Ana at loading-dock",
          );
          need(
            !messages.some((m) => who(MARA).test(m) || /finance-floor/i.test(m)),
            "alerted about Mara, an active user",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-p1-reporter-manager",
    request:
      "When a new incident comes in at P1, look up the reporter in the directory and DM their manager the incident number and title.",
    expect: {
      draft: {
        declares: { type: "resource", ...NEW_INCIDENTS },
        triggers: [
          {
            kind: "resource",
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "CRM login fails for everyone", "P1", ANA.email); // INC0002, Ana's manager is Li Wen
              await open(demo, "VPN slow from home", "P2", SAM.email); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          need(
            (await dmsTo(demo, LI.email)).some((t) => inc("INC0002", "CRM").test(t)),
            "Li Wen (Ana's manager) got no DM about the P1 INC0002",
          );
          need(
            !(await demo.directMessages()).some((m) => inc("INC0003", "VPN slow").test(m.text)),
            "a DM about the P2 INC0003 was sent",
          );
          need(
            (await demo.directMessages()).every((m) => m.user_email === LI.email),
            "a DM went to someone other than the manager",
          );
          return problems;
        },
      },
    },
  },
  {
    id: "s7-ack-new-incidents",
    request:
      "For every new incident, add a public comment thanking the reporter and telling them when to expect a response: within 4 hours for P1 and P2, within 2 business days for P3 and P4.",
    expect: {
      draft: {
        declares: { type: "resource", ...NEW_INCIDENTS },
        triggers: [
          {
            kind: "resource",
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Email delivery delayed", "P1"); // INC0002
              await open(demo, "Request: new headset", "P4"); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const { problems, need } = collector();
          const high = (await comments(demo, "INC0002", "public")).map((c) => String(c["body"])).join("\n");
          const low = (await comments(demo, "INC0003", "public")).map((c) => String(c["body"])).join("\n");
          need(/\b(4|four)\s*(h\b|hours?)/i.test(high), "the P1 INC0002 has no public comment promising 4 hours");
          need(!/business days?/i.test(high), "the P1 INC0002 was promised business days");
          need(
            /\b(2|two)\s*business\s*days?/i.test(low),
            "the P4 INC0003 has no public comment promising 2 business days",
          );
          need(!/\b(4|four)\s*(h\b|hours?)/i.test(low), "the P4 INC0003 was promised 4 hours");
          need((await comments(demo, "INC0001")).length === 0, "INC0001 (not new) got a comment");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-reassign-on-leave",
    request:
      "Sam is going on leave. Give me something to run by hand with `from_email` and `to_email` that moves every open incident assigned to from_email over to to_email, with an internal note on each one.",
    expect: {
      draft: {
        setup: async (demo) => {
          const dock = await open(demo, "Docking station not detected", "P3"); // INC0002 Sam, open
          await assign(demo, dock, SAM);
          const toner = await open(demo, "Toner low on 1st floor", "P4"); // INC0003 Sam, closed
          await assign(demo, toner, SAM);
          await demo.call("tickets.close_incident", { id: toner, resolution_code: "fixed", notes: "replaced" });
          const jira = await open(demo, "Jira is slow", "P2"); // INC0004 Ana
          await assign(demo, jira, ANA);
        },
        triggers: [{ kind: "manual", input: { from_email: SAM.email, to_email: LI.email } }],
        check: async (demo) => {
          const { problems, need } = collector();
          for (const id of ["INC0001", "INC0002"]) {
            need(
              (await incident(demo, id))["assignee"]?.["email"] === LI.email,
              `${id} (open, Sam's) was not moved to Li Wen`,
            );
            need((await comments(demo, id, "internal")).length > 0, `no internal note on ${id}`);
          }
          need(
            (await incident(demo, "INC0003"))["assignee"]?.["email"] === SAM.email,
            "the closed INC0003 was reassigned",
          );
          need((await incident(demo, "INC0004"))["assignee"]?.["email"] === ANA.email, "Ana's INC0004 was reassigned");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-deploy-webhook-close",
    request:
      "Our deploy pipeline will hit a webhook with `incident` (the number) and `fixed_by` when a fix ships. Close that incident as fixed, with notes saying who fixed it, and post in #incidents that it's resolved.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await open(demo, "Checkout returns 500 errors", "P2"); // INC0002
        },
        triggers: [{ kind: "webhook", body: { incident: "INC0002", fixed_by: "Ana Costa" } }],
        check: async (demo) => {
          const { problems, need } = collector();
          const fixed = await incident(demo, "INC0002");
          need(
            fixed["status"] === "closed" && fixed["resolution"]?.["code"] === "fixed",
            `INC0002 should be closed as fixed: ${fixed["status"]} ${JSON.stringify(fixed["resolution"] ?? null)}`,
          );
          need(
            /Ana/i.test(String(fixed["resolution"]?.["notes"] ?? "")),
            "the resolution notes do not say Ana fixed it",
          );
          need(
            (await posts(demo, "incidents")).some((m) => inc("INC0002", "checkout").test(m)),
            "#incidents was not told INC0002 is resolved",
          );
          need((await incident(demo, "INC0001"))["status"] === "in_progress", "INC0001 changed");
          return problems;
        },
      },
    },
  },
  {
    id: "s7-hourly-unassigned-p1",
    request:
      "Every hour, look for P1 incidents that are still open and have nobody assigned. If there are any, page Li Wen with their numbers; if there are none, don't page anyone.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          await open(demo, "Warehouse scanners offline", "P1"); // INC0002 open, unassigned
          const phones = await open(demo, "Phone system down", "P1"); // INC0003 assigned
          await assign(demo, phones, SAM);
          await open(demo, "File server slow", "P2"); // INC0004 P2
          const old = await open(demo, "Build farm outage", "P1"); // INC0005 resolved
          await demo.call("tickets.update_incident", { id: old, status: "resolved" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const { problems, need } = collector();
          const pages = await demo.pages();
          need(
            pages.some((p) => p.user_email === LI.email && /\bINC0002\b/.test(p.message)),
            "Li Wen was not paged about INC0002",
          );
          need(
            !pages.some((p) => /\bINC000[345]\b/.test(p.message)),
            "a page names an assigned, P2 or resolved incident",
          );
          need(
            pages.every((p) => p.user_email === LI.email),
            "someone other than Li Wen was paged",
          );
          return problems;
        },
      },
    },
  },

  // ===== declined =====
  {
    id: "s7-no-helpdesk-channel",
    request: "Every morning at 9 Berlin time, post the list of open P1 and P2 incidents to #helpdesk.",
    expect: { declined: "either", about: /helpdesk/i },
  },
  {
    id: "s7-no-contractors-group",
    request: "Whenever someone is added to the contractors group, DM them the contractor IT policy.",
    expect: { declined: "either", about: /contractor/i },
  },
  {
    id: "s7-no-password-tool",
    request: "Reset Mara Keller's password and send her the temporary one by DM.",
    expect: { declined: "refused", about: /password|reset/i },
  },
  {
    id: "s7-no-time-regularly",
    request: "Post the open incidents to #it-ops regularly.",
    expect: { declined: "needs-input", about: /regular|how often|when|frequen|schedule|interval|time/i },
  },
  {
    id: "s7-no-resolved-event",
    request: "As soon as any incident gets marked resolved, post a note in #incidents with the resolution.",
    expect: { declined: "either", about: /resolv|status|as soon as|marked/i },
  },
  {
    id: "s7-no-change-listing",
    request: "Every Monday at 8:00 Europe/Berlin, post this week's scheduled change requests in #it-ops.",
    expect: { declined: "either", about: /change/i },
  },
  {
    id: "s7-unknown-person",
    request: "When a new P1 comes in, page Oliver from the network team.",
    expect: { declined: "either", about: /oliver/i },
  },
  {
    id: "s7-no-email",
    request: "Every Friday at 3pm London time, email the weekly incident report to finance@example.com.",
    expect: { declined: "either", about: /e-?mail|finance@example\.com/i },
  },
  {
    id: "s7-who-left",
    request: "Every night at 1am UTC, disable the accounts of everyone who has left the company.",
    expect: { declined: "either", about: /left|leav|leaver|depart|terminat|offboard|HR/i },
  },
  {
    id: "s7-no-chat-trigger",
    request: "When someone writes 'help' in #general, open a P4 incident for them.",
    expect: { declined: "either", about: /general|message|writes|chat|help|post/i },
  },
];
