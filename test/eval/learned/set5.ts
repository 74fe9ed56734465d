/**
 * An independent evaluation set for Charter's planner: 36 plain-language requests for the demo
 * tenant, written without reading the planner or its own cases. 26 are things the demo servers can
 * do (a draft whose end state is checked after the triggers fire), 10 deserve a question or a
 * refusal (no tool or event for a part, a name the demo tenant does not have, or too vague).
 *
 * Demo seed data the checks rely on (tenants/demo/servers/*.ts):
 * - tickets: INC0001 "VPN drops every 10 minutes for the Berlin office", P2, in_progress, service
 *   vpn, assigned to Sam Okafor, created 2026-11-20; new incidents are numbered INC0002, INC0003, …
 * - directory: u-1001 Mara Keller (finance), u-1002 Sam Okafor (it, manager u-1003),
 *   u-1003 Li Wen (it, IT manager), u-1004 Ana Costa (engineering, manager u-1003); groups
 *   g-vpn "vpn-users" (empty), g-admins "it-admins" [u-1002], g-oncall "sre-oncall" [u-1004, u-1002];
 *   the on-call engineer is a member of the rotation chosen by the UTC date.
 * - chat: channels it-ops, incidents, general; no messages, pages or direct messages.
 */
import type { Demo, EvalCase, Json } from "../harness.ts";

const SAM = { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" };
const ANA = { id: "u-1004", name: "Ana Costa", email: "ana.costa@example.com" };

// ---- setup helpers -------------------------------------------------------------------------

async function open(
  demo: Demo,
  title: string,
  priority: "P1" | "P2" | "P3" | "P4",
  extra: Record<string, unknown> = {},
): Promise<string> {
  const created = await demo.call("tickets.create_incident", {
    title,
    priority,
    reporter_email: "mara.keller@example.com",
    ...extra,
  });
  return String(created["id"]);
}

// ---- read helpers --------------------------------------------------------------------------

/** A channel's messages without their timestamps, one string per message. */
async function messages(demo: Demo, channel: string): Promise<string[]> {
  const text = await demo.history(channel);
  if (text === "(no messages)") return [];
  return text.split(/^\[\d+\.\d+\] /m).filter((part) => part.length > 0);
}
async function channelText(demo: Demo, channel: string): Promise<string> {
  return (await messages(demo, channel)).join("\n");
}
async function incident(demo: Demo, id: string): Promise<Json> {
  return demo.call("tickets.get_incident", { id });
}
async function incidents(demo: Demo): Promise<Json[]> {
  return (await demo.call("tickets.list_incidents", { limit: 100 }))["incidents"];
}
async function user(demo: Demo, id: string): Promise<Json> {
  return demo.call("directory.get_user", { user_id: id });
}
async function members(demo: Demo, groupName: string): Promise<string[]> {
  const groups: Json[] = (await demo.call("directory.list_groups", {}))["groups"];
  return groups.find((g) => g["name"] === groupName)?.["member_ids"] ?? [];
}
async function channels(demo: Demo): Promise<Json[]> {
  return (await demo.call("chat.list_channels", { include_archived: true }))["channels"];
}
async function dmsTo(demo: Demo, email: string): Promise<string> {
  return (await demo.directMessages())
    .filter((m) => m.user_email === email)
    .map((m) => m.text)
    .join("\n");
}
async function onCall(demo: Demo): Promise<{ email: string; name: string; id: string }> {
  const found = (await demo.call("directory.get_on_call", {}))["user"];
  return { email: String(found["email"]), name: String(found["name"]), id: String(found["id"]) };
}

/** Collects problems: `want(label, text, /re/)` needs a match, `avoid` needs none. */
function checker() {
  const problems: string[] = [];
  const show = (text: string) => JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);
  return {
    problems,
    want(label: string, text: string, pattern: RegExp) {
      if (!pattern.test(text)) problems.push(`${label} lacks ${pattern} (has ${show(text)})`);
    },
    avoid(label: string, text: string, pattern: RegExp) {
      if (pattern.test(text)) problems.push(`${label} should not match ${pattern} (has ${show(text)})`);
    },
    ok(condition: boolean, problem: string) {
      if (!condition) problems.push(problem);
    },
  };
}

const NEW_INCIDENTS = { kind: "resource", integration: "tickets", uri: "tickets://incidents/new" } as const;
const MEMBERSHIP = { kind: "resource", integration: "directory", uri: "directory://events/membership" } as const;

export const CASES: EvalCase[] = [
  {
    id: "weekday-open-p1p2",
    request:
      "Every weekday at 9am Berlin time, post the open P1 and P2 incidents to #it-ops (number and title for each).",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "Payroll database unreachable", "P1"); // INC0002
          await open(demo, "Printer jam on the 3rd floor", "P3"); // INC0003
          const closed = await open(demo, "SSO login loop", "P2"); // INC0004, closed
          await demo.call("tickets.close_incident", {
            id: closed,
            resolution_code: "fixed",
            notes: "Cleared the IdP cache",
          });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          const text = await channelText(demo, "it-ops");
          c.want("#it-ops", text, /INC0001/);
          c.want("#it-ops", text, /INC0002/);
          c.avoid("#it-ops", text, /INC0003|Printer jam/i);
          c.avoid("#it-ops (closed incident)", text, /INC0004|SSO login loop/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "vpn-password-reset",
    request: "When someone's added to vpn-users, reset their password and DM them the temporary one.",
    expect: { declined: "either", about: /password|reset/i },
  },
  {
    id: "p1-bridge-channel",
    request:
      "Whenever a new P1 incident is opened, create a bridge channel named after the incident number in lower case (e.g. inc0042), invite whoever is on call for sre-oncall, and post the incident title in it.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Slow wifi in the lobby", "P3"); // INC0002
              await open(demo, "Payments API returning 500s", "P1"); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const all = await channels(demo);
          const bridge = all.find((ch) => String(ch["name"]).includes("inc0003"));
          c.ok(
            bridge !== undefined,
            `no channel named after INC0003 (channels: ${all.map((ch) => ch["name"]).join(", ")})`,
          );
          c.ok(
            !all.some((ch) => String(ch["name"]).includes("inc0002")),
            "a channel was made for the P3 incident INC0002",
          );
          if (bridge) {
            const who = await onCall(demo);
            c.ok(
              (bridge["members"] as string[]).includes(who.email),
              `the bridge channel's members ${JSON.stringify(bridge["members"])} lack the on-call ${who.email}`,
            );
            c.want(`#${bridge["name"]}`, await channelText(demo, String(bridge["name"])), /Payments API/i);
          }
          return c.problems;
        },
      },
    },
  },
  {
    id: "vpn-service-routing",
    request:
      "new incidents for the vpn service: add an internal work note that the network team is looking at it, and DM Sam Okafor the incident number. anything for other services just goes to #incidents",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "VPN client won't install on macOS", "P3", { service: "vpn" }); // INC0002
              await open(demo, "Outlook can't sync the shared calendar", "P2", { service: "email" }); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const vpn = await incident(demo, "INC0002");
          const notes = (vpn["comments"] as Json[])
            .filter((n) => n["visibility"] === "internal")
            .map((n) => String(n["body"]));
          c.want("INC0002's internal notes", notes.join("\n"), /network/i);
          const toSam = await dmsTo(demo, SAM.email);
          c.want("DMs to Sam", toSam, /INC0002/);
          c.avoid("DMs to Sam", toSam, /INC0003/);
          const posted = await channelText(demo, "incidents");
          c.want("#incidents", posted, /INC0003|Outlook/i);
          c.avoid("#incidents", posted, /INC0002|macOS/i);
          c.ok(
            ((await incident(demo, "INC0003"))["comments"] as Json[]).length === 0,
            "INC0003 (email service) got a note",
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "vpn-welcome-dm",
    request: "When someone gets added to vpn-users, DM them the setup guide: https://wiki.example.com/vpn-setup",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        triggers: [
          {
            ...MEMBERSHIP,
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "it-admins" });
              await demo.call("directory.add_user_to_group", { user_id: "u-1003", group: "vpn-users" });
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          c.want("DMs to Li Wen", await dmsTo(demo, "li.wen@example.com"), /wiki\.example\.com\/vpn-setup/);
          const others = (await demo.directMessages()).filter((m) => m.user_email !== "li.wen@example.com");
          c.ok(others.length === 0, `DMs went to others too: ${others.map((m) => m.user_email).join(", ")}`);
          return c.problems;
        },
      },
    },
  },
  {
    id: "noc-alerts-channel",
    request: "Every morning at 9 Madrid time post all open P1s to #noc-alerts",
    expect: { declined: "either", about: /noc-alerts/i },
  },
  {
    id: "it-admins-announce",
    request:
      "Post in #it-ops whenever somebody is added to the it-admins group. Include their full name and department so people know who has admin now.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        triggers: [
          {
            ...MEMBERSHIP,
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "vpn-users" });
              await demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "it-admins" });
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const text = await channelText(demo, "it-ops");
          c.want("#it-ops", text, /Ana Costa/i);
          c.want("#it-ops", text, /engineering/i);
          c.avoid("#it-ops (a vpn-users change)", text, /Mara|mara\.keller|u-1001/i);
          c.avoid("#it-ops (an old seed membership)", text, /Sam Okafor|sam\.okafor|u-1002/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "oncall-removal-notice",
    request: "let #it-ops know when anyone is taken off the sre-oncall rotation (group), and who",
    expect: {
      draft: {
        declares: { type: "resource", integration: "directory", uri: "directory://events/membership" },
        triggers: [
          {
            ...MEMBERSHIP,
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "vpn-users" });
              await demo.call("directory.remove_user_from_group", { user_id: "u-1004", group: "sre-oncall" });
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const text = await channelText(demo, "it-ops");
          c.want("#it-ops", text, /Ana Costa|ana\.costa|u-1004/i);
          c.avoid("#it-ops (an addition to vpn-users)", text, /Mara|mara\.keller|u-1001/i);
          c.avoid("#it-ops (an old seed addition)", text, /Sam Okafor|sam\.okafor|u-1002/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "monitoring-webhook",
    request:
      'We\'re hooking Grafana alerts up to a webhook. Payload: {"alert": "<text>", "severity": "critical" or "warning", "service": "<name>"}. For critical alerts, open a P1 incident (title = the alert text, service = the service, reporter monitoring@example.com) and page the on-call engineer with the new incident number. Warnings only need a post in #it-ops with the alert text.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { alert: "Disk 95% full on db-01", severity: "critical", service: "database" } },
          {
            kind: "webhook",
            body: { alert: "TLS certificate for intranet expires in 10 days", severity: "warning", service: "web" },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const all = await incidents(demo);
          const disk = all.find((i) => /Disk 95% full on db-01/.test(String(i["title"])));
          c.ok(disk !== undefined, "no incident titled with the critical alert");
          if (disk) {
            c.ok(disk["priority"] === "P1", `the critical alert's incident is ${disk["priority"]}, not P1`);
            c.ok(disk["reporter_email"] === "monitoring@example.com", `the reporter is ${disk["reporter_email"]}`);
          }
          c.ok(!all.some((i) => /certificate/i.test(String(i["title"]))), "an incident was opened for the warning");
          const pages = await demo.pages();
          const who = await onCall(demo);
          c.ok(pages.length === 1, `expected one page, got ${pages.length}`);
          c.ok(
            pages.some((p) => p.user_email === who.email && (!disk || p.message.includes(String(disk["id"])))),
            `no page to ${who.email} naming the new incident: ${JSON.stringify(pages)}`,
          );
          const posted = await channelText(demo, "it-ops");
          c.want("#it-ops", posted, /certificate/i);
          c.avoid("#it-ops", posted, /Disk 95%/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "onboard-new-hire",
    request:
      "Onboarding for new starters. I'll give you name, email, department and title as inputs. Create their directory account, add them to vpn-users, and post a welcome message mentioning them in #general.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "manual",
            input: {
              name: "Priya Nair",
              email: "priya.nair@example.com",
              department: "engineering",
              title: "Backend developer",
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const found: Json[] = (await demo.call("directory.find_users", { query: "priya" }))["users"];
          const priya = found.find((u) => u["email"] === "priya.nair@example.com");
          c.ok(priya !== undefined, "no directory account for priya.nair@example.com");
          if (priya) {
            c.ok(priya["department"] === "engineering", `department is ${priya["department"]}`);
            c.ok(
              (priya["groups"] as string[]).includes("g-vpn"),
              `groups are ${JSON.stringify(priya["groups"])}, not vpn-users`,
            );
          }
          c.want("#general", await channelText(demo, "general"), /Priya/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "contractors-group",
    request:
      "Every Monday at 10:00 New York time DM everyone in the contractors group to remind them to renew their access.",
    expect: { declined: "either", about: /contractor/i },
  },
  {
    id: "offboard-leaver",
    request:
      'Offboarding: input is user_email. Disable the account with reason "left the company", remove them from every group they belong to, then post in #it-ops that they\'ve been offboarded.',
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { user_email: "sam.okafor@example.com" } }],
        check: async (demo) => {
          const c = checker();
          const sam = await user(demo, SAM.id);
          c.ok(sam["status"] === "disabled", `Sam is ${sam["status"]}`);
          c.ok((sam["groups"] as string[]).length === 0, `Sam is still in ${JSON.stringify(sam["groups"])}`);
          c.ok(!(await members(demo, "it-admins")).includes(SAM.id), "it-admins still lists Sam");
          c.ok(!(await members(demo, "sre-oncall")).includes(SAM.id), "sre-oncall still lists Sam");
          c.ok((await members(demo, "sre-oncall")).includes(ANA.id), "Ana was taken out of sre-oncall too");
          for (const other of ["u-1001", "u-1003", "u-1004"])
            c.ok((await user(demo, other))["status"] === "active", `${other} was disabled too`);
          c.want("#it-ops", await channelText(demo, "it-ops"), /Sam Okafor|sam\.okafor|u-1002/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "group-broadcast",
    request:
      "I need a way to DM everyone in a group at once. Inputs: group (the group name) and message. Send the message as a direct message to each member.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "manual",
            input: {
              group: "sre-oncall",
              message: "Maintenance on the bastion host tonight at 22:00, expect SSH drops.",
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          c.want("DMs to Ana", await dmsTo(demo, ANA.email), /bastion/i);
          c.want("DMs to Sam", await dmsTo(demo, SAM.email), /bastion/i);
          const others = (await demo.directMessages()).filter(
            (m) => m.user_email !== ANA.email && m.user_email !== SAM.email,
          );
          c.ok(others.length === 0, `DMs to non-members: ${others.map((m) => m.user_email).join(", ")}`);
          return c.problems;
        },
      },
    },
  },
  {
    id: "page-tom",
    request: "Page Tom Becker whenever a P1 comes in.",
    expect: { declined: "either", about: /tom|becker/i },
  },
  {
    id: "monday-p1-digest",
    request:
      "Mondays 08:00 London time: send each member of sre-oncall a DM listing the P1 incidents that are still open.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 8 * * 1", timezone: "Europe/London" },
        setup: async (demo) => {
          await open(demo, "Storage array degraded", "P1"); // INC0002
          await open(demo, "Keyboard missing keys", "P3"); // INC0003
          const old = await open(demo, "Mail relay down", "P1"); // INC0004, closed
          await demo.call("tickets.close_incident", {
            id: old,
            resolution_code: "fixed",
            notes: "Restarted the relay",
          });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          for (const person of [ANA, SAM]) c.want(`DMs to ${person.name}`, await dmsTo(demo, person.email), /INC0002/);
          const all = await demo.directMessages();
          c.ok(!all.some((m) => /INC0003|INC0004/.test(m.text)), "a DM lists the P3 or the closed P1");
          c.ok(
            all.every((m) => m.user_email === ANA.email || m.user_email === SAM.email),
            `DMs to non-members: ${all.map((m) => m.user_email).join(", ")}`,
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "p1-post-page-daily-cap",
    request:
      "When a P1 incident is opened, post it to #incidents. Also page the on-call engineer, but no more than once per day — we don't want to wake them up for every single P1.",
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Mouse broken", "P3"); // INC0002
              await open(demo, "Datacenter power failure in hall B", "P1"); // INC0003
            },
          },
          {
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Core router down", "P1"); // INC0004
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          const posted = await channelText(demo, "incidents");
          c.want("#incidents", posted, /INC0003/);
          c.want("#incidents", posted, /INC0004/);
          c.avoid("#incidents", posted, /INC0002|Mouse broken/i);
          const pages = await demo.pages();
          const who = await onCall(demo);
          c.ok(pages.length === 1, `expected exactly one page, got ${pages.length}`);
          c.ok(
            pages.every((p) => p.user_email === who.email),
            `pages to ${pages.map((p) => p.user_email).join(", ")}, not the on-call ${who.email}`,
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "on-resolve-event",
    request: "When an incident is resolved, post its resolution notes to #incidents.",
    expect: { declined: "either", about: /resolv|clos|event|trigger|notif|subscri/i },
  },
  {
    id: "page-rotation-fallback",
    request:
      "Manual run with two inputs: incident_id and rotation (name of the on-call group). Page whoever is currently on call for that rotation with the incident id. If nobody is on call there, post the incident id to #it-ops instead so someone picks it up.",
    expect: {
      draft: {
        triggers: [
          { kind: "manual", input: { incident_id: "INC0001", rotation: "vpn-users" } },
          { kind: "manual", input: { incident_id: "INC0001", rotation: "it-admins" } },
        ],
        check: async (demo) => {
          const c = checker();
          const pages = await demo.pages();
          c.ok(pages.length === 1, `expected one page (it-admins), got ${pages.length}`);
          c.ok(
            pages.some((p) => p.user_email === SAM.email && p.message.includes("INC0001")),
            `no page to Sam naming INC0001: ${JSON.stringify(pages)}`,
          );
          const posted = await messages(demo, "it-ops");
          c.ok(posted.length === 1, `expected one #it-ops post (the empty vpn-users rotation), got ${posted.length}`);
          c.want("#it-ops", posted.join("\n"), /INC0001/);
          return c.problems;
        },
      },
    },
  },
  {
    id: "sydney-oncall-fallback",
    request:
      'Each day at 7am Sydney time, post in #incidents who\'s on call for sre-oncall. If the on-call lookup fails, post "On-call unknown - check the rota" instead.',
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 7 * * *", timezone: "Australia/Sydney" },
        setup: async (demo) => {
          await demo.call("directory.remove_user_from_group", { user_id: "u-1004", group: "sre-oncall" });
          await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "sre-oncall" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          const posted = await channelText(demo, "incidents");
          c.want("#incidents", posted, /on-call unknown/i);
          c.avoid("#incidents", posted, /Ana Costa|Sam Okafor/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "vague-automation",
    request: "can you automate the incident stuff? the team is drowning",
    expect: { declined: "either", about: /automat|incident|stuff|drown|what|vague|specific|unclear|which/i },
  },
  {
    id: "stale-in-progress",
    request:
      'Every 4 hours, find incidents that are in progress and were opened more than 48 hours ago, and add an internal note to each: "Stale - please post an update".',
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          const fresh = await open(demo, "New laptop imaging fails", "P3"); // INC0002, in progress but new
          await demo.call("tickets.update_incident", { id: fresh, status: "in_progress" });
          await open(demo, "Badge reader offline", "P3"); // INC0003, new
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          const old = (await incident(demo, "INC0001"))["comments"] as Json[];
          c.ok(
            old.some((n) => n["visibility"] === "internal" && /stale/i.test(String(n["body"]))),
            `INC0001 has no internal "Stale" note: ${JSON.stringify(old)}`,
          );
          for (const id of ["INC0002", "INC0003"])
            c.ok(((await incident(demo, id))["comments"] as Json[]).length === 0, `${id} (opened just now) got a note`);
          return c.problems;
        },
      },
    },
  },
  {
    id: "channel-topic",
    request: "Every day at 8:00 Berlin time set the topic of #incidents to the name of the on-call engineer.",
    expect: { declined: "either", about: /topic/i },
  },
  {
    id: "sam-nightly-assigned",
    request:
      "nightly at 23:00 UTC DM Sam Okafor a list of the incidents assigned to him that aren't resolved or closed",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 23 * * *" },
        setup: async (demo) => {
          const mine = await open(demo, "Firewall rule request for the lab", "P3"); // INC0002
          await demo.call("tickets.update_incident", { id: mine, assignee: SAM });
          const anas = await open(demo, "Kubernetes node NotReady", "P2"); // INC0003
          await demo.call("tickets.update_incident", { id: anas, assignee: ANA });
          const done = await open(demo, "Switch firmware upgrade", "P4"); // INC0004, resolved
          await demo.call("tickets.update_incident", { id: done, assignee: SAM, status: "resolved" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          const toSam = await dmsTo(demo, SAM.email);
          c.want("DMs to Sam", toSam, /INC0001/);
          c.want("DMs to Sam", toSam, /INC0002/);
          c.avoid("DMs to Sam (Ana's incident)", toSam, /INC0003/);
          c.avoid("DMs to Sam (resolved)", toSam, /INC0004/);
          const others = (await demo.directMessages()).filter((m) => m.user_email !== SAM.email);
          c.ok(others.length === 0, `DMs to others: ${others.map((m) => m.user_email).join(", ")}`);
          return c.problems;
        },
      },
    },
  },
  {
    id: "close-with-notes",
    request:
      'Close an incident as fixed. Inputs: incident_id and notes (resolution notes). After closing, post "<incident id> closed" in #incidents.',
    expect: {
      draft: {
        triggers: [
          { kind: "manual", input: { incident_id: "INC0001", notes: "Replaced the faulty VPN gateway in Berlin" } },
        ],
        check: async (demo) => {
          const c = checker();
          const closed = await incident(demo, "INC0001");
          c.ok(closed["status"] === "closed", `INC0001 is ${closed["status"]}`);
          c.ok(closed["resolution"]?.["code"] === "fixed", `resolution code is ${closed["resolution"]?.["code"]}`);
          c.want("INC0001's resolution notes", String(closed["resolution"]?.["notes"] ?? ""), /faulty VPN gateway/i);
          c.want("#incidents", await channelText(demo, "incidents"), /INC0001/);
          return c.problems;
        },
      },
    },
  },
  {
    id: "escalate-incident",
    request:
      "Escalation button. Input: incident_id. Raise the incident to P1. If nobody is assigned, assign it to the current sre-oncall engineer; otherwise DM the existing assignee that it was escalated.",
    expect: {
      draft: {
        setup: async (demo) => {
          await open(demo, "Laptop won't boot after BIOS update", "P3"); // INC0002, unassigned
        },
        triggers: [
          { kind: "manual", input: { incident_id: "INC0002" } },
          { kind: "manual", input: { incident_id: "INC0001" } },
        ],
        check: async (demo) => {
          const c = checker();
          const who = await onCall(demo);
          const unassigned = await incident(demo, "INC0002");
          c.ok(unassigned["priority"] === "P1", `INC0002 is ${unassigned["priority"]}`);
          c.ok(
            unassigned["assignee"]?.["email"] === who.email,
            `INC0002 is assigned to ${JSON.stringify(unassigned["assignee"])}, not the on-call ${who.email}`,
          );
          const assigned = await incident(demo, "INC0001");
          c.ok(assigned["priority"] === "P1", `INC0001 is ${assigned["priority"]}`);
          c.ok(
            assigned["assignee"]?.["email"] === SAM.email,
            `INC0001's assignee changed to ${JSON.stringify(assigned["assignee"])}`,
          );
          c.want("DMs to Sam", await dmsTo(demo, SAM.email), /INC0001/);
          c.ok(
            !(await demo.directMessages()).some((m) => m.text.includes("INC0002")),
            "a DM went out about INC0002, which had no assignee",
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "offboard-drive-transfer",
    request:
      "Offboarding (input: user_email): disable their account, remove them from all their groups and transfer their Google Drive files to their manager.",
    expect: { declined: "either", about: /drive|files|transfer/i },
  },
  {
    id: "p1-pileup-page-manager",
    request:
      "Check hourly: if more than 3 P1 incidents are open, page Li Wen with how many there are. If 3 or fewer, do nothing.",
    expect: {
      draft: {
        declares: { type: "schedule" },
        setup: async (demo) => {
          for (const title of [
            "ERP login fails",
            "Warehouse scanners offline",
            "Main website down",
            "Phone system dead",
          ])
            await open(demo, title, "P1");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          const pages = await demo.pages();
          const toLi = pages.filter((p) => p.user_email === "li.wen@example.com");
          c.ok(toLi.length === 1, `expected one page to Li Wen, got ${toLi.length}`);
          c.want("the page to Li Wen", toLi.map((p) => p.message).join("\n"), /\b4\b|\bfour\b/i);
          c.ok(pages.length === toLi.length, `pages to others: ${pages.map((p) => p.user_email).join(", ")}`);
          return c.problems;
        },
      },
    },
  },
  {
    id: "network-tag-autoassign",
    request: 'Auto-assign new incidents tagged "network" to Sam Okafor and DM him the incident number and title.',
    expect: {
      draft: {
        declares: { type: "resource", integration: "tickets", uri: "tickets://incidents/new" },
        triggers: [
          {
            ...NEW_INCIDENTS,
            change: async (demo) => {
              await open(demo, "Switch port flapping in room 4.12", "P3", { tags: ["network"] }); // INC0002
              await open(demo, "Docking station dead", "P4", { tags: ["hardware"] }); // INC0003
            },
          },
        ],
        check: async (demo) => {
          const c = checker();
          c.ok(
            (await incident(demo, "INC0002"))["assignee"]?.["email"] === SAM.email,
            "INC0002 (network) is not assigned to Sam",
          );
          c.ok((await incident(demo, "INC0003"))["assignee"] === null, "INC0003 (hardware) got an assignee");
          const toSam = await dmsTo(demo, SAM.email);
          c.want("DMs to Sam", toSam, /INC0002/);
          c.want("DMs to Sam", toSam, /Switch port flapping/i);
          c.avoid("DMs to Sam", toSam, /INC0003|Docking station/i);
          return c.problems;
        },
      },
    },
  },
  {
    id: "digest-no-time",
    request: "Send the on-call engineer a digest of open incidents every so often.",
    expect: { declined: "either", about: /so often|often|when|time|schedule|frequen|interval|how/i },
  },
  {
    id: "change-freeze-once",
    request:
      'On 24 December at 15:00 Berlin time, post "Change freeze starts now - no production changes until January 2." in #general. Just once.',
    expect: {
      draft: {
        declares: { type: "schedule" },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          c.want("#general", await channelText(demo, "general"), /change freeze/i);
          c.ok(
            (await messages(demo, "it-ops")).length === 0 && (await messages(demo, "incidents")).length === 0,
            "posted to other channels too",
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "manager-access-review",
    request:
      "access review: given user_email, find that person's manager in the directory and DM the manager asking them to confirm the user's access is still needed (mention the user's name).",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { user_email: "ana.costa@example.com" } }],
        check: async (demo) => {
          const c = checker();
          c.want("DMs to Li Wen (Ana's manager)", await dmsTo(demo, "li.wen@example.com"), /Ana Costa/i);
          const others = (await demo.directMessages()).filter((m) => m.user_email !== "li.wen@example.com");
          c.ok(others.length === 0, `DMs to others: ${others.map((m) => m.user_email).join(", ")}`);
          return c.problems;
        },
      },
    },
  },
  {
    id: "statuspage-webhook",
    request:
      'Our status page will call a webhook with {"incident_id": "INC....", "state": "..."}. If state is "major_outage", create a channel called outage-<incident id in lower case> and post the incident\'s title in it. For any other state, add the state as an internal note on that incident.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await open(demo, "Intranet pages load slowly", "P2"); // INC0002
        },
        triggers: [
          { kind: "webhook", body: { incident_id: "INC0001", state: "major_outage" } },
          { kind: "webhook", body: { incident_id: "INC0002", state: "degraded_performance" } },
        ],
        check: async (demo) => {
          const c = checker();
          const all = await channels(demo);
          const outage = all.find((ch) => String(ch["name"]).includes("inc0001"));
          c.ok(outage !== undefined, `no channel for INC0001 (channels: ${all.map((ch) => ch["name"]).join(", ")})`);
          if (outage) c.want(`#${outage["name"]}`, await channelText(demo, String(outage["name"])), /VPN drops/i);
          c.ok(
            !all.some((ch) => String(ch["name"]).includes("inc0002")),
            "a channel was made for INC0002 (not a major outage)",
          );
          const notes = ((await incident(demo, "INC0002"))["comments"] as Json[]).filter(
            (n) => n["visibility"] === "internal",
          );
          c.want("INC0002's internal notes", notes.map((n) => String(n["body"])).join("\n"), /degraded/i);
          c.ok(
            ((await incident(demo, "INC0001"))["comments"] as Json[]).length === 0,
            "INC0001 (major outage) got a note",
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "chat-keyword-trigger",
    request: "Whenever someone posts the word 'outage' in #general, open a P1 incident for it.",
    expect: { declined: "either", about: /posts?|message|#?general|chat|keyword|word/i },
  },
  {
    id: "grant-group-access",
    request:
      "Access requests: inputs user_email and group (group name). If the user is already in that group, DM them that they already have access. Otherwise add them to it and post in #it-ops who was added to which group.",
    expect: {
      draft: {
        triggers: [
          { kind: "manual", input: { user_email: "mara.keller@example.com", group: "vpn-users" } },
          { kind: "manual", input: { user_email: "sam.okafor@example.com", group: "it-admins" } },
        ],
        check: async (demo) => {
          const c = checker();
          c.ok((await members(demo, "vpn-users")).includes("u-1001"), "Mara was not added to vpn-users");
          const posted = await channelText(demo, "it-ops");
          c.want("#it-ops", posted, /Mara|mara\.keller|u-1001/i);
          c.want("#it-ops", posted, /vpn-users|g-vpn/i);
          c.avoid("#it-ops (Sam was already a member)", posted, /Sam Okafor|sam\.okafor|u-1002/i);
          c.ok((await dmsTo(demo, SAM.email)).length > 0, "no DM to Sam, who already was in it-admins");
          c.ok((await dmsTo(demo, "mara.keller@example.com")).length === 0, "Mara got a DM though she was added");
          return c.problems;
        },
      },
    },
  },
  {
    id: "paris-noon-oncall",
    request: "post who's on call to #it-ops every day at noon, Paris time",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 12 * * *", timezone: "Europe/Paris" },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const c = checker();
          const who = await onCall(demo);
          c.want(
            "#it-ops",
            await channelText(demo, "it-ops"),
            new RegExp(`${who.name}|${who.email.replace(/\./g, "\\.")}`, "i"),
          );
          return c.problems;
        },
      },
    },
  },
  {
    id: "hr-leaver-webhook",
    request:
      'HR will POST {"email": "...", "last_day": "YYYY-MM-DD"} to a webhook when someone leaves. Disable that person\'s account (reason: "offboarded by HR") and DM their manager the person\'s name and last day.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [{ kind: "webhook", body: { email: "ana.costa@example.com", last_day: "2026-12-15" } }],
        check: async (demo) => {
          const c = checker();
          c.ok((await user(demo, ANA.id))["status"] === "disabled", "Ana's account is not disabled");
          for (const other of ["u-1001", "u-1002", "u-1003"])
            c.ok((await user(demo, other))["status"] === "active", `${other} was disabled too`);
          const toLi = await dmsTo(demo, "li.wen@example.com");
          c.want("DMs to Li Wen (Ana's manager)", toLi, /2026-12-15|15 Dec|Dec(ember)? 15/i);
          c.want("DMs to Li Wen (Ana's manager)", toLi, /Ana Costa/i);
          return c.problems;
        },
      },
    },
  },
];
