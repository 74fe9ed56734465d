/**
 * The planner evaluation's requests: the project's own (none is one of the README's examples),
 * each with what must be true of the demo servers after the approved version ran, or, for a
 * request no tool can carry out or that names something that does not exist, the part a correct
 * question or refusal is about. The demo starts with INC0001 (P2, in progress, assigned, created
 * days ago); incidents the setup opens are numbered from INC0002 on.
 */
import type { Demo, EvalCase } from "./harness.ts";

const REPORTER = "mara.keller@example.com";
const SAM = { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" };

async function open(demo: Demo, title: string, priority: string): Promise<string> {
  return String((await demo.call("tickets.create_incident", { title, priority, reporter_email: REPORTER }))["id"]);
}

/** Problems when `text` lacks any of `present` or has any of `absent`. */
function has(what: string, text: string, present: string[], absent: string[] = []): string[] {
  return [
    ...present.filter((p) => !text.includes(p)).map((p) => `${what} lacks "${p}"`),
    ...absent.filter((a) => text.includes(a)).map((a) => `${what} has "${a}", which it must not`),
  ];
}

const tickets = { integration: "tickets", uri: "tickets://incidents/new" };
const membership = { integration: "directory", uri: "directory://events/membership" };
const LONG = `Database failover in progress. ${"Details follow in the bridge. ".repeat(20)}`;

export const CASES: EvalCase[] = [
  {
    id: "friday-open-p2",
    ci: true,
    request: "Every Friday at 17:00 Europe/Berlin, post the open P2 incidents to #it-ops",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 17 * * 5", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "Printer queue stuck on floor 3", "P2");
          await open(demo, "Payments API down", "P1");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["INC0001", "INC0002"], ["INC0003"]),
      },
    },
  },
  {
    id: "weekday-summary-p1-p2",
    request: "Every weekday at 8:30am, post a summary of open P1 and P2 incidents to #it-ops",
    expect: {
      draft: {
        declares: { cron: "30 8 * * 1-5" },
        setup: async (demo) => {
          await open(demo, "Checkout errors", "P1");
          await open(demo, "Wrong font in the intranet", "P4");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) =>
          has("#it-ops", await demo.history("it-ops"), ["INC0001", "INC0002", "Checkout errors"], ["INC0003"]),
      },
    },
  },
  {
    id: "count-unassigned-p1",
    ci: true,
    request: "Every 15 minutes, post the number of unassigned P1 incidents to #incidents",
    expect: {
      draft: {
        declares: { every: "15m" },
        setup: async (demo) => {
          await open(demo, "Core switch down", "P1");
          await open(demo, "Email bounces", "P1");
          const taken = await open(demo, "SSO loop", "P1");
          await demo.call("tickets.update_incident", { id: taken, assignee: SAM });
          await open(demo, "Slow wiki", "P2");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const text = await demo.history("incidents");
          return /: 2\b/.test(text) ? [] : [`#incidents should say 2 unassigned P1 incidents; it has: ${text}`];
        },
      },
    },
  },
  {
    id: "hourly-older-than-24h",
    request: "Every hour, post open incidents older than 24 hours to #it-ops",
    expect: {
      draft: {
        declares: { every: "1h" },
        setup: async (demo) => void (await open(demo, "New laptop will not boot", "P3")),
        triggers: [{ kind: "schedule" }],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["INC0001"], ["INC0002"]),
      },
    },
  },
  {
    id: "monthly-count-open",
    request: "On the first of every month at 8:00, post the number of open incidents to #general",
    expect: {
      draft: {
        declares: { cron: "0 8 1 * *" },
        setup: async (demo) => {
          await open(demo, "VPN certificate expires", "P3");
          const done = await open(demo, "Old ticket", "P4");
          await demo.call("tickets.update_incident", { id: done, status: "resolved" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const text = await demo.history("general");
          return /: 2\b/.test(text) ? [] : [`#general should count 2 open incidents; it has: ${text}`];
        },
      },
    },
  },
  {
    id: "monday-berlin-count-p2",
    request: "Every Monday at 8am Berlin time, post the number of open P2 incidents to #it-ops",
    expect: {
      draft: {
        declares: { cron: "0 8 * * 1", timezone: "Europe/Berlin" },
        setup: async (demo) => void (await open(demo, "Teams calls drop", "P2")),
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const text = await demo.history("it-ops");
          return /: 2\b/.test(text) ? [] : [`#it-ops should count 2 open P2 incidents; it has: ${text}`];
        },
      },
    },
  },
  {
    id: "daily-count-new-utc",
    request: "Every day at 18:00 UTC, post the number of new incidents to #it-ops",
    expect: {
      draft: {
        declares: { cron: "0 18 * * *" },
        setup: async (demo) => {
          await open(demo, "Badge reader offline", "P3");
          const started = await open(demo, "Disk almost full", "P2");
          await demo.call("tickets.update_incident", { id: started, status: "in_progress" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const text = await demo.history("it-ops");
          return /: 1\b/.test(text) ? [] : [`#it-ops should count 1 new incident; it has: ${text}`];
        },
      },
    },
  },
  {
    id: "p1-page-and-post",
    ci: true,
    request: "Whenever a P1 incident is raised, page the on-call engineer and post it to #incidents",
    expect: {
      draft: {
        declares: { type: "resource", uri: "tickets://incidents/new" },
        triggers: [
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => {
              await open(demo, "Mouse is broken", "P3");
              await open(demo, "Payments API down", "P1");
            },
          },
        ],
        check: async (demo) => {
          const pages = await demo.pages();
          const onCall = await demo.onCallEmail();
          return [
            ...has("#incidents", await demo.history("incidents"), ["INC0003", "Payments API down"], ["INC0002"]),
            ...(pages.length === 1 && pages[0]?.user_email === onCall && pages[0].message.includes("INC0003")
              ? []
              : [`expected one page to ${onCall} about INC0003, got ${JSON.stringify(pages)}`]),
          ];
        },
      },
    },
  },
  {
    id: "p1-bridge-there",
    request:
      "When a P1 incident is opened, open a bridge channel, page the on-call engineer and post the incident summary there",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => void (await open(demo, "Datacenter power loss", "P1")),
          },
        ],
        check: async (demo) => {
          const channels = (await demo.call("chat.list_channels", {}))["channels"] as { name: string }[];
          if (!channels.some((c) => c.name === "inc-inc0002"))
            return [`no bridge channel inc-inc0002 among ${channels.map((c) => c.name).join(", ")}`];
          return [
            ...has("#inc-inc0002", await demo.history("inc-inc0002"), ["INC0002", "Datacenter power loss"]),
            ...((await demo.pages()).length === 1 ? [] : ["expected one page"]),
          ];
        },
      },
    },
  },
  {
    id: "any-incident-twice",
    ci: true,
    request: "When an incident is created, post it to #it-ops",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => void (await open(demo, "Projector in room 4 flickers", "P4")),
          },
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => void (await open(demo, "Shared drive read-only", "P2")),
          },
        ],
        check: async (demo) => {
          const text = await demo.history("it-ops");
          const first = text.split("INC0002").length - 1;
          return [
            ...has("#it-ops", text, ["INC0002", "INC0003"]),
            ...(first === 1 ? [] : [`INC0002 was posted ${first} times, not once`]),
          ];
        },
      },
    },
  },
  {
    id: "once-per-day",
    request: "When an incident is opened, post it to #it-ops, at most once per day",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => void (await open(demo, "Coffee machine API 500s", "P4")),
          },
          { kind: "resource", ...tickets, change: async (demo) => void (await open(demo, "Guest wifi down", "P3")) },
        ],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["INC0002"], ["INC0003"]),
      },
    },
  },
  {
    id: "p2-unassigned-branch",
    request: "When a P2 incident is opened, post it to #it-ops and page the on-call engineer if it is unassigned",
    expect: {
      draft: {
        triggers: [
          { kind: "resource", ...tickets, change: async (demo) => void (await open(demo, "Jira is slow", "P2")) },
        ],
        check: async (demo) => [
          ...has("#it-ops", await demo.history("it-ops"), ["INC0002"]),
          ...((await demo.pages()).some((p) => p.message.includes("INC0002")) ? [] : ["no page about INC0002"]),
        ],
      },
    },
  },
  {
    id: "p1-comment-and-page",
    request:
      'When a P1 incident is opened, add an internal comment to it saying "On-call engineer paged" and page the on-call engineer',
    expect: {
      draft: {
        triggers: [
          { kind: "resource", ...tickets, change: async (demo) => void (await open(demo, "ERP unreachable", "P1")) },
        ],
        check: async (demo) => {
          const incident = await demo.call("tickets.get_incident", { id: "INC0002" });
          const comments = (incident["comments"] as { body: string; visibility: string }[]) ?? [];
          return [
            ...(comments.some((c) => c.body === "On-call engineer paged" && c.visibility === "internal")
              ? []
              : [`INC0002 has no internal comment "On-call engineer paged": ${JSON.stringify(comments)}`]),
            ...((await demo.pages()).length === 1 ? [] : ["expected one page"]),
          ];
        },
      },
    },
  },
  {
    id: "welcome-sre-oncall",
    ci: true,
    request: "When someone is added to group sre-oncall, send them a welcome message",
    expect: {
      draft: {
        declares: { type: "resource", uri: "directory://events/membership" },
        triggers: [
          {
            kind: "resource",
            ...membership,
            change: async (demo) => {
              await demo.call("directory.add_user_to_group", { user_id: "u-1003", group: "vpn-users" });
              await demo.call("directory.add_user_to_group", { user_id: "u-1001", group: "sre-oncall" });
            },
          },
        ],
        check: async (demo) => {
          const sent = await demo.directMessages();
          return sent.length === 1 && sent[0]?.user_email === "mara.keller@example.com" && /welcome/i.test(sent[0].text)
            ? []
            : [`expected one welcome to mara.keller@example.com only, got ${JSON.stringify(sent)}`];
        },
      },
    },
  },
  {
    id: "vpn-member-post-name",
    request: "When a user is added to group vpn-users, post their name to #it-ops",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...membership,
            change: async (demo) =>
              void (await demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "vpn-users" })),
          },
        ],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["Ana Costa"], ["Sam Okafor"]),
      },
    },
  },
  {
    id: "dm-every-admin",
    request: "For every member of group it-admins, send them a direct message with the input message",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { message: "Patch night tonight at 22:00" } }],
        check: async (demo) => {
          const sent = await demo.directMessages();
          return sent.length === 1 &&
            sent[0]?.user_email === "sam.okafor@example.com" &&
            sent[0].text.includes("Patch night")
            ? []
            : [`expected one message to sam.okafor@example.com, got ${JSON.stringify(sent)}`];
        },
      },
    },
  },
  {
    id: "page-fallback-unused",
    ci: true,
    request: "Page the on-call engineer with the input message; if paging fails, post it in #it-ops instead",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { message: "Backup job failed twice" } }],
        check: async (demo) => [
          ...((await demo.pages()).some((p) => p.message === "Backup job failed twice")
            ? []
            : ["no page with the message"]),
          ...has("#it-ops", await demo.history("it-ops"), [], ["Backup job failed twice"]),
        ],
      },
    },
  },
  {
    id: "page-fallback-used",
    ci: true,
    request: "Page the on-call engineer with the input message; if paging fails, post it in #it-ops instead",
    expect: {
      draft: {
        // A page carries at most 500 characters: this one fails, so the fallback must post it.
        triggers: [{ kind: "manual", input: { message: LONG } }],
        check: async (demo) => [
          ...((await demo.pages()).length === 0 ? [] : ["a page went out"]),
          ...has("#it-ops", await demo.history("it-ops"), ["Database failover in progress"]),
        ],
      },
    },
  },
  {
    id: "offboard",
    ci: true,
    request: "Offboard a user: disable their account and remove them from every group",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { user_id: "u-1002", reason: "Left the company" } }],
        check: async (demo) => {
          const user = await demo.call("directory.get_user", { user_id: "u-1002" });
          const others = await demo.call("directory.get_user", { user_id: "u-1004" });
          return [
            ...(user["status"] === "disabled" ? [] : [`u-1002 is ${String(user["status"])}`]),
            ...((user["groups"] as string[]).length === 0
              ? []
              : [`u-1002 is still in ${(user["groups"] as string[]).join(", ")}`]),
            ...(others["status"] === "active" && (others["groups"] as string[]).includes("g-oncall")
              ? []
              : ["another user was changed"]),
          ];
        },
      },
    },
  },
  {
    id: "disable-by-email",
    request: "Disable the user with the given email",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { email: "ana.costa@example.com", reason: "Laptop stolen" } }],
        check: async (demo) =>
          (await demo.call("directory.get_user", { user_id: "u-1004" }))["status"] === "disabled" &&
          (await demo.call("directory.get_user", { user_id: "u-1001" }))["status"] === "active"
            ? []
            : ["u-1004 (ana.costa) is not disabled, or someone else is"],
      },
    },
  },
  {
    id: "if-many-p1-quiet",
    request:
      'If there are more than 3 open P1 incidents, page the on-call engineer with the input message, otherwise post "All quiet" to #it-ops',
    expect: {
      draft: {
        setup: async (demo) => void (await open(demo, "One P1 only", "P1")),
        triggers: [{ kind: "manual", input: { message: "Too many P1 incidents" } }],
        check: async (demo) => [
          ...has("#it-ops", await demo.history("it-ops"), ["All quiet"]),
          ...((await demo.pages()).length === 0 ? [] : ["paged although there is one P1"]),
        ],
      },
    },
  },
  {
    id: "if-many-p1-page",
    request:
      'If there are more than 3 open P1 incidents, page the on-call engineer with the input message, otherwise post "All quiet" to #it-ops',
    expect: {
      draft: {
        setup: async (demo) => {
          for (const title of ["A down", "B down", "C down", "D down"]) await open(demo, title, "P1");
        },
        triggers: [{ kind: "manual", input: { message: "Too many P1 incidents" } }],
        check: async (demo) => [
          ...has("#it-ops", await demo.history("it-ops"), [], ["All quiet"]),
          ...((await demo.pages()).some((p) => p.message === "Too many P1 incidents")
            ? []
            : ["no page although there are four P1s"]),
        ],
      },
    },
  },
  {
    id: "comment-given-incident",
    request: 'Add a comment to the incident with the given id saying "We are looking into it"',
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) =>
          ((await demo.call("tickets.get_incident", { id: "INC0001" }))["comments"] as { body: string }[]).some(
            (c) => c.body === "We are looking into it",
          )
            ? []
            : ["INC0001 has no such comment"],
      },
    },
  },
  {
    id: "onboard-vpn",
    request: "Create a user from the input and add them to group vpn-users",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { email: "kim.lee@example.com", name: "Kim Lee", department: "sales" } }],
        check: async (demo) => {
          const found = (
            (await demo.call("directory.find_users", { query: "kim.lee" }))["users"] as { groups: string[] }[]
          )[0];
          return found?.groups.includes("g-vpn") ? [] : [`kim.lee is not in vpn-users: ${JSON.stringify(found)}`];
        },
      },
    },
  },
  {
    id: "post-given-incident",
    request: "Post the incident with the given id to #incidents",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) =>
          has("#incidents", await demo.history("incidents"), ["INC0001", "VPN drops every 10 minutes"]),
      },
    },
  },
  {
    id: "dm-on-call",
    request: "Send the on-call engineer a direct message with the input message",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { message: "Please check the backup dashboard" } }],
        check: async (demo) => {
          const onCall = await demo.onCallEmail();
          const sent = await demo.directMessages();
          return sent.length === 1 &&
            sent[0]?.user_email === onCall &&
            sent[0].text === "Please check the backup dashboard"
            ? []
            : [`expected one message to ${onCall}, got ${JSON.stringify(sent)}`];
        },
      },
    },
  },
  {
    id: "raise-priority-page",
    request: "Set the priority of the incident with the given id to P1 and page the on-call engineer",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) => [
          ...((await demo.call("tickets.get_incident", { id: "INC0001" }))["priority"] === "P1"
            ? []
            : ["INC0001 is not P1"]),
          ...((await demo.pages()).some((p) => p.message.includes("INC0001") && p.message.includes("P1"))
            ? []
            : ["no page about INC0001 as a P1"]),
        ],
      },
    },
  },
  {
    id: "webhook-open-post",
    ci: true,
    request: "From a webhook, open an incident and post it to #it-ops",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { title: "Payroll export fails", priority: "P2", reporter_email: REPORTER } },
        ],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["INC0002", "Payroll export fails"]),
      },
    },
  },
  {
    id: "webhook-page-if-p1",
    request: "When a webhook arrives, create an incident and page the on-call engineer if it is P1",
    expect: {
      draft: {
        triggers: [
          { kind: "webhook", body: { title: "Storage array degraded", priority: "P1", reporter_email: REPORTER } },
          { kind: "webhook", body: { title: "Toner low", priority: "P4", reporter_email: REPORTER } },
        ],
        check: async (demo) => {
          const pages = await demo.pages();
          return pages.length === 1 && pages[0]?.message.includes("INC0002")
            ? []
            : [`expected one page, about INC0002 only: ${JSON.stringify(pages)}`];
        },
      },
    },
  },
  {
    id: "lines-named-fields",
    request: "Every weekday at 7am Chicago time, post the open P2 incidents in #general (number, title and priority)",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 7 * * 1-5", timezone: "America/Chicago" },
        setup: async (demo) => {
          await open(demo, "Shared drive slow", "P2");
          await open(demo, "Core router down", "P1");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) =>
          has(
            "#general",
            await demo.history("general"),
            ["INC0001", "INC0002", "Shared drive slow", "P2"],
            ["INC0003"],
          ),
      },
    },
  },
  {
    id: "note-after-channel",
    request:
      "Whenever a ticket is opened for the vpn service, drop a note in #it-ops with the ticket number and who reported it.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => {
              await demo.call("tickets.create_incident", {
                title: "VPN client crashes",
                priority: "P3",
                service: "vpn",
                reporter_email: "ana.costa@example.com",
              });
              await demo.call("tickets.create_incident", {
                title: "Mail delayed",
                priority: "P3",
                service: "email",
                reporter_email: REPORTER,
              });
            },
          },
        ],
        check: async (demo) =>
          has("#it-ops", await demo.history("it-ops"), ["INC0002", "ana.costa@example.com"], ["INC0003"]),
      },
    },
  },
  {
    id: "event-property-ignore-rest",
    request:
      "When a new incident comes in and it's a P2, post it in #it-ops saying someone will look at it today. Ignore everything else.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...tickets,
            change: async (demo) => {
              await open(demo, "Laptop dock flickers", "P2");
              await open(demo, "Data centre power alarm", "P1");
            },
          },
        ],
        check: async (demo) =>
          has("#it-ops", await demo.history("it-ops"), ["INC0002", "will look at it today"], ["INC0003"]),
      },
    },
  },
  {
    id: "none-do-nothing",
    ci: true,
    request: "Every hour, post the unassigned P1 incidents to #incidents; if there are none, do nothing",
    expect: {
      draft: {
        declares: { type: "schedule", every: "1h" },
        setup: async (demo) => {
          const taken = await open(demo, "Firewall rule broken", "P1");
          await demo.call("tickets.update_incident", { id: taken, assignee: SAM });
          await open(demo, "Kiosk offline", "P3");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const history = await demo.history("incidents");
          return history.trim() === "(no messages)" || history.trim() === ""
            ? []
            : [`#incidents got a post with nothing to report: ${history.slice(0, 200)}`];
        },
      },
    },
  },
  {
    id: "comment-saying-words",
    request: "Run by hand with an incident_id: add an internal comment on it saying the vendor has been contacted",
    expect: {
      draft: {
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) => {
          const comments = ((await demo.call("tickets.get_incident", { id: "INC0001" }))["comments"] ?? []) as {
            body: string;
            visibility: string;
          }[];
          return comments.some((c) => /vendor has been contacted/i.test(c.body) && c.visibility === "internal")
            ? []
            : [`no internal comment about the vendor: ${JSON.stringify(comments)}`];
        },
      },
    },
  },
  {
    id: "dm-assignee-of-each",
    request: "Every day at 9, DM the assignee of each P2 incident that's in progress with its number and title",
    expect: {
      draft: {
        setup: async (demo) => {
          const other = await open(demo, "Scanner jams", "P3");
          await demo.call("tickets.update_incident", {
            id: other,
            assignee: { id: "u-1003", name: "Li Wen", email: "li.wen@example.com" },
            status: "in_progress",
          });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo) => {
          const dms = await demo.directMessages();
          const toSam = dms.filter((m) => m.user_email === SAM.email && m.text.includes("INC0001"));
          const toLi = dms.filter((m) => m.user_email === "li.wen@example.com");
          return [
            ...(toSam.length === 1 ? [] : [`expected one DM to Sam about INC0001: ${JSON.stringify(dms)}`]),
            ...(toLi.length === 0 ? [] : ["Li Wen got a DM about a P3"]),
          ];
        },
      },
    },
  },
  {
    id: "webhook-it-sends",
    request:
      "Set up a webhook for our monitoring tool. It sends service, severity and summary. If severity is critical, page the on-call engineer with the summary; otherwise post the summary in #it-ops.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { service: "vpn", severity: "critical", summary: "VPN concentrator down" } },
          { kind: "webhook", body: { service: "wiki", severity: "warning", summary: "Wiki search slow" } },
        ],
        check: async (demo) => {
          const pages = await demo.pages();
          const paged =
            pages.length === 1 &&
            pages[0]?.message.includes("VPN concentrator down") &&
            pages[0]?.user_email === (await demo.onCallEmail());
          return [
            ...(paged
              ? []
              : [`expected one page about the VPN alert to the on-call engineer: ${JSON.stringify(pages)}`]),
            ...has("#it-ops", await demo.history("it-ops"), ["Wiki search slow"], ["VPN concentrator down"]),
          ];
        },
      },
    },
  },
  {
    id: "opened-last-day",
    request: "Every morning at 8, post the incidents opened in the last 24 hours to #it-ops",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 8 * * *" },
        setup: async (demo) => void (await open(demo, "Conference room display dead", "P3")),
        triggers: [{ kind: "schedule" }],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["INC0002"], ["INC0001"]),
      },
    },
  },
  {
    id: "page-fallback-nobody-on-call",
    ci: true,
    request:
      "By hand, given an incident_id: page the on-call engineer for it-admins with it; if paging fails, post it in #it-ops instead.",
    expect: {
      draft: {
        setup: async (demo) =>
          void (await demo.call("directory.remove_user_from_group", { user_id: "u-1002", group: "it-admins" })),
        triggers: [{ kind: "manual", input: { incident_id: "INC0001" } }],
        check: async (demo) => {
          const pages = await demo.pages();
          return [
            ...(pages.length === 0
              ? []
              : [`nobody is on call for it-admins, yet someone was paged: ${JSON.stringify(pages)}`]),
            ...has("#it-ops", await demo.history("it-ops"), ["INC0001"]),
          ];
        },
      },
    },
  },
  {
    id: "include-department",
    request: "When someone is added to it-admins, post their name in #it-ops. Include their department.",
    expect: {
      draft: {
        triggers: [
          {
            kind: "resource",
            ...membership,
            change: async (demo) =>
              void (await demo.call("directory.add_user_to_group", { user_id: "u-1004", group: "it-admins" })),
          },
        ],
        check: async (demo) => has("#it-ops", await demo.history("it-ops"), ["Ana Costa", "engineering"]),
      },
    },
  },

  // Requests a correct planner declines: no tool, no such trigger, a name that does not exist, a missing time.
  {
    id: "no-tool-laptop",
    ci: true,
    request: "Order a new laptop for the user",
    expect: { declined: "refused", about: /laptop/i },
  },
  {
    id: "no-tool-password",
    request: "Every Monday at 9:00, reset the passwords of all users in group vpn-users",
    expect: { declined: "either", about: /reset|password/i },
  },
  {
    id: "missing-channel",
    ci: true,
    request: "Every weekday at 9:00, post a summary of open incidents to #triage",
    expect: { declined: "either", about: /#triage/ },
  },
  {
    id: "no-trigger-change",
    request: "When a change request is approved, notify #it-ops",
    expect: { declined: "refused", about: /change request is approved/i },
  },
  {
    id: "missing-rotation",
    request: "Page the on-call engineer of rotation db-oncall with the input message",
    expect: { declined: "either", about: /db-oncall/ },
  },
  {
    id: "no-time",
    request: "Every weekday, post open P1 incidents to #it-ops",
    expect: { declined: "needs-input", about: /time/i },
  },
  {
    id: "close-resolved",
    request: "Close all resolved incidents older than 7 days",
    expect: { declined: "either", about: /close/i },
  },
  {
    id: "missing-channel-event",
    request: "When a user is added to group it-admins, post their name to #security",
    expect: { declined: "either", about: /#security/ },
  },
];
