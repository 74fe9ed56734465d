/**
 * Independent evaluation set 8: 36 plain-language requests for Charter's planner (26 a demo tool
 * can do, 10 that deserve a question or a refusal), written without reading the planner, the
 * project's own cases, the learned sets or the probes. Run with
 *   npm run eval:planner -- --set learned --only set8/<id>
 *
 * Seed facts of the demo tenant (tenants/demo/servers/*.ts) the cases rely on:
 *  - directory users: u-1001 Mara Keller <mara.keller@example.com> finance, Controller, no manager;
 *    u-1002 Sam Okafor <sam.okafor@example.com> it, Network engineer, manager u-1003;
 *    u-1003 Li Wen <li.wen@example.com> it, IT manager, no manager;
 *    u-1004 Ana Costa <ana.costa@example.com> engineering, SRE, manager u-1003. All active.
 *    New users get ids u-1005, u-1006, … (u-${1001 + count}).
 *  - groups: g-vpn "vpn-users" (empty), g-admins "it-admins" [u-1002], g-oncall "sre-oncall"
 *    [u-1004, u-1002]. get_on_call picks member_ids[UTC day of month % members] of the rotation
 *    (default sre-oncall) and fails with "nobody is on call" when the rotation is empty.
 *    There is no list-users tool (find_users searches by name/email; list_groups lists members).
 *  - membership events (resource directory://events/membership, last 50): seed events
 *    u-1002→g-admins (2026-10-01), u-1004→g-oncall (2026-10-02), u-1002→g-oncall (2026-10-03), all
 *    "added"; add_user_to_group and remove_user_from_group append events and notify.
 *  - tickets: INC0001 "VPN drops every 10 minutes for the Berlin office", P2, in_progress, service
 *    vpn, reporter mara.keller@example.com, assignee Sam Okafor, tags [network], created
 *    2026-11-20T08:15Z (the only incident older than "now"). New incidents are INC0002, INC0003, …
 *    in order, status new, unassigned, created now. Resource tickets://incidents/new holds every
 *    incident in status new (newest first); create_incident notifies it. No tool lists change
 *    requests; create_change's window takes UTC datetimes (…Z). update_incident cannot close;
 *    close_incident takes resolution_code fixed|workaround|duplicate|not_reproducible|cancelled.
 *  - chat: channels it-ops, incidents, general (empty, public). Pages, DMs and channel history are
 *    readable. No email, SMS, file, password or purchasing tool exists anywhere (the "everything"
 *    reference server has only echo/sum/sampling-style test tools).
 *  - triggers that exist: manual, schedule (cron + timezone | every | at), webhook, resource
 *    (tickets://incidents/new, directory://events/membership). No chat-message, incident-closed or
 *    user-disabled events.
 *
 * Each doable case creates distinguishing data in setup (a P3 beside a P1, an assigned beside an
 * unassigned, a removal beside an addition, a closed beside an open one) and checks the end state.
 */
import type { Demo, EvalCase, Json } from "../harness.ts";

type Runs = { status: string; output: unknown; error: unknown }[];
type Person = { id: string; name: string; email: string };

const MARA: Person = { id: "u-1001", name: "Mara Keller", email: "mara.keller@example.com" };
const SAM: Person = { id: "u-1002", name: "Sam Okafor", email: "sam.okafor@example.com" };
const LI: Person = { id: "u-1003", name: "Li Wen", email: "li.wen@example.com" };
const ANA: Person = { id: "u-1004", name: "Ana Costa", email: "ana.costa@example.com" };
const PEOPLE = [MARA, SAM, LI, ANA];

const ticketsUri = { integration: "tickets", uri: "tickets://incidents/new" } as const;
const membershipUri = { integration: "directory", uri: "directory://events/membership" } as const;

// ---- helpers -------------------------------------------------------------------------------

/** Opens an incident and makes sure it got the id the checks expect (fresh servers number from INC0002). */
async function open(
  demo: Demo,
  expectId: string,
  args: {
    title: string;
    priority: "P1" | "P2" | "P3" | "P4";
    service?: string;
    tags?: string[];
    reporter_email?: string;
    description?: string;
  },
): Promise<void> {
  const created = await demo.call("tickets.create_incident", { reporter_email: "helpdesk@example.com", ...args });
  if (created["id"] !== expectId) throw new Error(`setup expected ${expectId}, got ${created["id"]}`);
}
const assign = (demo: Demo, id: string, who: Person) => demo.call("tickets.update_incident", { id, assignee: who });
const setStatus = (demo: Demo, id: string, status: string) => demo.call("tickets.update_incident", { id, status });
const close = (demo: Demo, id: string) =>
  demo.call("tickets.close_incident", { id, resolution_code: "fixed", notes: "fixed in setup" });
const incident = (demo: Demo, id: string) => demo.call("tickets.get_incident", { id });
const user = (demo: Demo, id: string) => demo.call("directory.get_user", { user_id: id });

const idRe = (id: string) => new RegExp(`\\b${id}\\b`);
const has = (text: string, id: string) => idRe(id).test(text);
const lower = (s: unknown) => String(s ?? "").toLowerCase();
const mentions = (text: string, who: Person) =>
  lower(text).includes(who.name.toLowerCase()) || lower(text).includes(who.email);

/** The messages of a channel history (each "[ts] text", texts may span lines). */
function messagesOf(history: string): string[] {
  if (history.trim() === "(no messages)" || history.trim() === "") return [];
  return history.split(/\n(?=\[\d+\.\d+\] )/);
}

function ranOk(runs: Runs): string[] {
  return runs.flatMap((run, i) =>
    run.status === "succeeded" ? [] : [`run ${i + 1} ended ${run.status}: ${JSON.stringify(run.error).slice(0, 160)}`],
  );
}

/** #channel must mention each of `want` and none of `not`. */
async function channelHas(demo: Demo, channel: string, want: string[], not: string[]): Promise<string[]> {
  const text = await demo.history(channel);
  return [
    ...want.filter((id) => !has(text, id)).map((id) => `#${channel} does not mention ${id}`),
    ...not.filter((id) => has(text, id)).map((id) => `#${channel} mentions ${id}, which it should not`),
  ];
}

/** Exactly `n` messages of #channel mention `id`. */
async function channelCount(demo: Demo, channel: string, id: string, n: number): Promise<string[]> {
  const count = messagesOf(await demo.history(channel)).filter((m) => has(m, id)).length;
  return count === n ? [] : [`#${channel} has ${count} messages about ${id}, expected ${n}`];
}

const dmsTo = async (demo: Demo, email: string) => (await demo.directMessages()).filter((m) => m.user_email === email);
const _pagesTo = async (demo: Demo, email: string) => (await demo.pages()).filter((p) => p.user_email === email);

function comments(inc: Json): Json[] {
  return (inc["comments"] as Json[]) ?? [];
}

/** A number stated for a label in a message: "P1: 3", "P1 incidents - 3", "3 × P1", "vpn-users (3 members)". */
function saysCount(text: string, labels: string[], n: number): boolean {
  return labels.some((label) => {
    const l = label.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
    return (
      new RegExp(`${l}[^\\dP\\n]{0,30}?(?<!\\d)${n}(?!\\d)`, "i").test(text) ||
      new RegExp(`(?<![\\d.])${n}(?!\\d)[^\\dP\\n]{0,14}${l}`, "i").test(text)
    );
  });
}

// ---- the doable requests -------------------------------------------------------------------

const doable: EvalCase[] = [
  {
    id: "s8-p1-digest-berlin",
    request: "every weekday at 8:30am Berlin time post the list of open P1 incidents (number + title) in #it-ops",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "30 8 * * 1-5", timezone: "Europe/Berlin" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Payroll database unreachable", priority: "P1" });
          await open(demo, "INC0003", { title: "SSO login loop for all staff", priority: "P1" });
          await close(demo, "INC0003");
          await open(demo, "INC0004", { title: "Monitor flickering in meeting room", priority: "P3" });
          await open(demo, "INC0005", { title: "Outbound email delayed", priority: "P1" });
          await setStatus(demo, "INC0005", "in_progress");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => [
          ...ranOk(runs),
          ...(await channelHas(demo, "it-ops", ["INC0002", "INC0005"], ["INC0001", "INC0003", "INC0004"])),
        ],
      },
    },
  },
  {
    id: "s8-unassigned-p2-2h",
    request:
      "Could you set something up that runs every 2 hours and posts in #incidents any open P2 tickets that still don't have an assignee? People keep missing them.",
    expect: {
      draft: {
        declares: { type: "schedule", every: "2h" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Shared drive mapping fails", priority: "P2" });
          await open(demo, "INC0003", { title: "Badge reader offline at side door", priority: "P2" });
          await assign(demo, "INC0003", LI);
          await open(demo, "INC0004", { title: "Request for second monitor", priority: "P3" });
          await open(demo, "INC0005", { title: "Teams calls drop audio", priority: "P2" });
          await close(demo, "INC0005");
          await open(demo, "INC0006", { title: "Printer queue stuck on floor two", priority: "P2" });
          await setStatus(demo, "INC0006", "on_hold");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => [
          ...ranOk(runs),
          ...(await channelHas(
            demo,
            "incidents",
            ["INC0002", "INC0006"],
            ["INC0001", "INC0003", "INC0004", "INC0005"],
          )),
        ],
      },
    },
  },
  {
    id: "s8-new-p1-page-note",
    request:
      "whenever a new incident comes in and it's a P1, page whoever is on call in sre-oncall with the incident number and title, and put an internal work note on the ticket saying who got paged. obviously only once per ticket. ignore anything that isn't P1",
    expect: {
      draft: {
        declares: { type: "resource", ...ticketsUri },
        triggers: [
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) => open(demo, "INC0002", { title: "Core switch down in Berlin DC", priority: "P1" }),
          },
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) => open(demo, "INC0003", { title: "Laptop charger missing", priority: "P3" }),
          },
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) => open(demo, "INC0004", { title: "Payment gateway timeouts", priority: "P1" }),
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const onCall = await demo.onCallEmail();
          const who = PEOPLE.find((p) => p.email === onCall)!;
          const pages = await demo.pages();
          for (const id of ["INC0002", "INC0004"]) {
            const n = pages.filter((p) => p.user_email === onCall && has(p.message, id)).length;
            if (n !== 1) problems.push(`${n} pages to the on-call ${onCall} about ${id}, expected 1`);
            const notes = comments(await incident(demo, id)).filter(
              (c) => c["visibility"] === "internal" && mentions(String(c["body"]), who),
            );
            if (notes.length === 0) problems.push(`${id} has no internal note naming ${who.name}`);
          }
          if (pages.some((p) => has(p.message, "INC0003"))) problems.push("the P3 INC0003 was paged");
          if (pages.some((p) => p.user_email !== onCall))
            problems.push(`someone other than the on-call was paged: ${pages.map((p) => p.user_email).join(", ")}`);
          if (comments(await incident(demo, "INC0003")).length > 0) problems.push("the P3 INC0003 got a comment");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-security-tag-alert",
    request:
      "If a ticket gets opened with the security tag I want it in #it-ops straight away, and DM Li Wen about it too.",
    expect: {
      draft: {
        declares: { type: "resource", ...ticketsUri },
        triggers: [
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) =>
              open(demo, "INC0002", {
                title: "Suspicious login prompts reported",
                priority: "P3",
                tags: ["security", "phishing"],
              }),
          },
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) =>
              open(demo, "INC0003", { title: "Wi-Fi slow in the warehouse", priority: "P2", tags: ["network"] }),
          },
        ],
        check: async (demo, runs) => {
          const problems = [
            ...ranOk(runs),
            ...(await channelHas(demo, "it-ops", ["INC0002"], ["INC0003"])),
            ...(await channelCount(demo, "it-ops", "INC0002", 1)),
          ];
          const dms = await demo.directMessages();
          if (!dms.some((m) => m.user_email === LI.email && has(m.text, "INC0002")))
            problems.push("Li Wen got no DM about INC0002");
          if (dms.some((m) => has(m.text, "INC0003"))) problems.push("a DM mentions the untagged INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-vpn-welcome-dm",
    request:
      "New people in vpn-users should get a DM from us with the setup guide: https://wiki.example.com/vpn — can you automate that so it goes out when they're added to the group?",
    expect: {
      draft: {
        declares: { type: "resource", ...membershipUri },
        setup: async (demo) => {
          await demo.call("directory.add_user_to_group", { user_id: MARA.id, group: "it-admins" });
        },
        triggers: [
          {
            kind: "resource",
            ...membershipUri,
            change: async (demo) =>
              void (await demo.call("directory.add_user_to_group", { user_id: LI.id, group: "vpn-users" })),
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const dms = await demo.directMessages();
          if (!dms.some((m) => m.user_email === LI.email && m.text.includes("https://wiki.example.com/vpn")))
            problems.push("Li Wen (added to vpn-users) got no DM with the guide link");
          const others = dms.filter((m) => m.user_email !== LI.email);
          if (others.length > 0)
            problems.push(`DMs went to people not added to vpn-users: ${others.map((m) => m.user_email).join(", ")}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s8-admins-added-audit",
    request:
      "For the audit trail: any time someone is added to it-admins, post their name and email in #it-ops and send Li Wen a low-urgency page about it.",
    expect: {
      draft: {
        declares: { type: "resource", ...membershipUri },
        setup: async (demo) => {
          await demo.call("directory.remove_user_from_group", { user_id: SAM.id, group: "it-admins" });
        },
        triggers: [
          {
            kind: "resource",
            ...membershipUri,
            change: async (demo) =>
              void (await demo.call("directory.add_user_to_group", { user_id: ANA.id, group: "it-admins" })),
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const text = await demo.history("it-ops");
          if (!text.includes(ANA.name) || !text.includes(ANA.email))
            problems.push("#it-ops does not name Ana Costa with her email");
          if (mentions(text, SAM))
            problems.push(
              "#it-ops mentions Sam Okafor, who was removed from (or added long ago to) it-admins, not just added",
            );
          const pages = await demo.pages();
          const toLi = pages.filter((p) => p.user_email === LI.email);
          if (!toLi.some((p) => mentions(p.message, ANA) && (p as Json)["urgency"] === "low"))
            problems.push("no low-urgency page to Li Wen about Ana Costa");
          if (toLi.some((p) => (p as Json)["urgency"] !== "low")) problems.push("a page to Li Wen was not low urgency");
          if (pages.some((p) => mentions(p.message, SAM))) problems.push("a page mentions Sam Okafor");
          if (pages.some((p) => p.user_email !== LI.email)) problems.push("someone other than Li Wen was paged");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-offboarding-webhook",
    request:
      'HR is going to hit a webhook when someone leaves. Payload looks like {"email": "jane@example.com", "last_day": "2026-12-01"}. When it comes in, disable that person\'s account, take them out of every group they\'re in, and post in #it-ops that the offboarding is done.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [{ kind: "webhook", body: { email: SAM.email, last_day: "2026-11-30" } }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const sam = await user(demo, SAM.id);
          if (sam["status"] !== "disabled") problems.push("Sam Okafor is not disabled");
          if ((sam["groups"] as string[]).length > 0)
            problems.push(`Sam Okafor is still in ${(sam["groups"] as string[]).join(", ")}`);
          const groups = (await demo.call("directory.list_groups"))["groups"] as Json[];
          for (const g of groups)
            if ((g["member_ids"] as string[]).includes(SAM.id)) problems.push(`${g["name"]} still lists Sam Okafor`);
          const ana = await user(demo, ANA.id);
          if (ana["status"] !== "active" || !(ana["groups"] as string[]).includes("g-oncall"))
            problems.push("Ana Costa was touched (disabled or removed from sre-oncall)");
          if (!mentions(await demo.history("it-ops"), SAM))
            problems.push("#it-ops does not say Sam Okafor was offboarded");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-monitoring-webhook",
    request:
      "Our monitoring can POST alerts to a webhook as {service, summary, severity} with severity being critical, major or minor. Open an incident for every alert — critical = P1, major = P2, minor = P3 — with reporter monitoring@example.com and the tag 'monitoring'. Critical ones should also be posted in #incidents.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { service: "payments", summary: "Card payments failing with 502", severity: "critical" },
          },
          { kind: "webhook", body: { service: "wiki", summary: "Wiki search is slow", severity: "minor" } },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const all = (await demo.call("tickets.list_incidents", { limit: 100 }))["incidents"] as Json[];
          const ids: Record<string, string> = {};
          for (const [service, priority] of [
            ["payments", "P1"],
            ["wiki", "P3"],
          ] as const) {
            const found = all.filter((i) => i["service"] === service);
            if (found.length !== 1) {
              problems.push(`${found.length} incidents for service ${service}, expected 1`);
              continue;
            }
            const inc = found[0]!;
            ids[service] = String(inc["id"]);
            if (inc["priority"] !== priority)
              problems.push(`the ${service} incident is ${inc["priority"]}, expected ${priority}`);
            if (inc["reporter_email"] !== "monitoring@example.com")
              problems.push(`the ${service} incident's reporter is ${inc["reporter_email"]}`);
            if (!(inc["tags"] as string[]).includes("monitoring"))
              problems.push(`the ${service} incident lacks the monitoring tag`);
          }
          if (ids["payments"] && ids["wiki"])
            problems.push(...(await channelHas(demo, "incidents", [ids["payments"]], [ids["wiki"]])));
          return problems;
        },
      },
    },
  },
  {
    id: "s8-autoassign-p1-15m",
    request:
      "every 15 min: P1s that are still status new with no assignee → assign them to the current sre-oncall on-call person and add an internal note to the ticket that it was auto-assigned",
    expect: {
      draft: {
        declares: { type: "schedule", every: "15m" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Warehouse scanners cannot sync", priority: "P1" });
          await open(demo, "INC0003", { title: "Firewall cluster failover loop", priority: "P1" });
          await assign(demo, "INC0003", SAM);
          await open(demo, "INC0004", { title: "Expense tool is slow", priority: "P2" });
          await open(demo, "INC0005", { title: "Storage array degraded", priority: "P1" });
          await setStatus(demo, "INC0005", "in_progress");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const onCall = await demo.onCallEmail();
          const two = await incident(demo, "INC0002");
          if (two["assignee"]?.["email"] !== onCall)
            problems.push(
              `INC0002 is assigned to ${two["assignee"]?.["email"] ?? "nobody"}, expected the on-call ${onCall}`,
            );
          if (!comments(two).some((c) => c["visibility"] === "internal")) problems.push("INC0002 has no internal note");
          const three = await incident(demo, "INC0003");
          if (three["assignee"]?.["email"] !== SAM.email || comments(three).length > 0)
            problems.push("INC0003 (already assigned to Sam) was changed");
          for (const id of ["INC0004", "INC0005"]) {
            const inc = await incident(demo, id);
            if (inc["assignee"] !== null || comments(inc).length > 0)
              problems.push(`${id} (${inc["priority"]}, ${inc["status"]}) was assigned or commented`);
          }
          return problems;
        },
      },
    },
  },
  {
    id: "s8-open-counts-tokyo",
    request:
      "Once a day at 18:00 Tokyo time, post in #general how many incidents are currently open, broken down by priority (P1/P2/P3/P4).",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 18 * * *", timezone: "Asia/Tokyo" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "ERP unavailable", priority: "P1" });
          await open(demo, "INC0003", { title: "Phones down in Lisbon", priority: "P1" });
          await open(demo, "INC0004", { title: "Citrix gateway refusing logins", priority: "P1" });
          await setStatus(demo, "INC0004", "on_hold");
          await open(demo, "INC0005", { title: "New starter needs a headset", priority: "P3" });
          await open(demo, "INC0006", { title: "Projector remote missing", priority: "P3" });
          await open(demo, "INC0007", { title: "Shared calendar not syncing", priority: "P2" });
          await close(demo, "INC0007");
          await open(demo, "INC0008", { title: "Data center cooling alarm", priority: "P1" });
          await close(demo, "INC0008");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          // Open: P1 INC0002-0004 (3), P2 INC0001 (1), P3 INC0005-0006 (2), P4 none; closed INC0007 (P2) and INC0008 (P1) do not count.
          const problems = ranOk(runs);
          const text = await demo.history("general");
          if (messagesOf(text).length === 0) return [...problems, "nothing was posted in #general"];
          for (const [label, n] of [
            ["P1", 3],
            ["P2", 1],
            ["P3", 2],
          ] as const)
            if (!saysCount(text, [label], n)) problems.push(`#general does not say ${n} open ${label}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s8-stale-inprogress-ny",
    request:
      "On Mondays at 9am New York time, go through incidents that are in progress and were opened more than 7 days ago. For each one add a public comment asking the reporter whether the issue is still happening, and DM the assignee the ticket number so they chase it.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 * * 1", timezone: "America/New_York" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "CRM exports time out", priority: "P2" });
          await setStatus(demo, "INC0002", "in_progress");
          await assign(demo, "INC0002", LI);
          await open(demo, "INC0003", { title: "Docking station not detected", priority: "P3" });
          await assign(demo, "INC0003", ANA);
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          if (!comments(await incident(demo, "INC0001")).some((c) => c["visibility"] === "public"))
            problems.push("INC0001 (in progress since 2026-11-20) has no public comment");
          for (const id of ["INC0002", "INC0003"])
            if (comments(await incident(demo, id)).length > 0) problems.push(`${id} (opened today) got a comment`);
          const dms = await demo.directMessages();
          if (!dms.some((m) => m.user_email === SAM.email && has(m.text, "INC0001")))
            problems.push("Sam Okafor (INC0001's assignee) got no DM naming INC0001");
          if (dms.some((m) => m.user_email === LI.email || m.user_email === ANA.email))
            problems.push("assignees of fresh incidents were DMed");
          if (dms.some((m) => has(m.text, "INC0002") || has(m.text, "INC0003")))
            problems.push("a DM names a fresh incident");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-p1-page-fallback",
    request:
      "When a new P1 is raised, page the sre-oncall on-call engineer. If that fails for any reason (e.g. nobody is on the rota) page Li Wen instead and post a note in #it-ops that the on-call page didn't go through.",
    expect: {
      draft: {
        declares: { type: "resource", ...ticketsUri },
        setup: async (demo) => {
          await demo.call("directory.remove_user_from_group", { user_id: ANA.id, group: "sre-oncall" });
          await demo.call("directory.remove_user_from_group", { user_id: SAM.id, group: "sre-oncall" });
        },
        triggers: [
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) => open(demo, "INC0002", { title: "Customer portal returns 500", priority: "P1" }),
          },
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) => open(demo, "INC0003", { title: "Slow VPN in Madrid", priority: "P2" }),
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const pages = await demo.pages();
          const toLi = pages.filter((p) => p.user_email === LI.email && has(p.message, "INC0002")).length;
          if (toLi !== 1) problems.push(`${toLi} pages to Li Wen about INC0002, expected 1`);
          if (pages.some((p) => has(p.message, "INC0003"))) problems.push("the P2 INC0003 was paged");
          const notes = messagesOf(await demo.history("it-ops"));
          if (notes.length !== 1)
            problems.push(`#it-ops has ${notes.length} messages, expected one note about the failed page for INC0002`);
          if (notes.some((m) => has(m, "INC0003"))) problems.push("#it-ops mentions the P2 INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-escalate-webhook",
    request:
      'We\'ve got a pager integration that\'ll POST {"incident_id": "INC…"} to a webhook when someone clicks "escalate". When it fires: if the ticket has an assignee, DM them that it was escalated; otherwise shout in #incidents so someone grabs it.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => open(demo, "INC0002", { title: "Conference room display dead", priority: "P2" }),
        triggers: [
          { kind: "webhook", body: { incident_id: "INC0001" } },
          { kind: "webhook", body: { incident_id: "INC0002" } },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const dms = await demo.directMessages();
          if (!dms.some((m) => m.user_email === SAM.email && has(m.text, "INC0001")))
            problems.push("Sam Okafor (INC0001's assignee) got no DM about INC0001");
          if (dms.some((m) => has(m.text, "INC0002"))) problems.push("a DM names the unassigned INC0002");
          problems.push(...(await channelHas(demo, "incidents", ["INC0002"], ["INC0001"])));
          return problems;
        },
      },
    },
  },
  {
    id: "s8-duplicates-webhook",
    request:
      'Build me a webhook for dedup: it receives {duplicate_of: "INC…", ids: ["INC…", …]}. Close each incident in ids as a duplicate, with a resolution note pointing to the original, and then put one public comment on the original listing the tickets that were merged into it.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Outlook keeps asking for password", priority: "P3" });
          await open(demo, "INC0003", { title: "Outlook password prompt again", priority: "P3" });
          await open(demo, "INC0004", { title: "Password popup in Outlook", priority: "P4" });
          await open(demo, "INC0005", { title: "Outlook calendar missing", priority: "P3" });
        },
        triggers: [{ kind: "webhook", body: { duplicate_of: "INC0002", ids: ["INC0003", "INC0004"] } }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          for (const id of ["INC0003", "INC0004"]) {
            const inc = await incident(demo, id);
            if (inc["status"] !== "closed" || inc["resolution"]?.["code"] !== "duplicate")
              problems.push(`${id} is not closed as duplicate`);
            else if (!has(String(inc["resolution"]["notes"]), "INC0002"))
              problems.push(`${id}'s resolution notes do not point to INC0002`);
          }
          if ((await incident(demo, "INC0005"))["status"] === "closed")
            problems.push("INC0005 (not listed) was closed");
          const original = await incident(demo, "INC0002");
          if (original["status"] === "closed") problems.push("the original INC0002 was closed");
          const pub = comments(original).filter((c) => c["visibility"] === "public");
          if (!pub.some((c) => has(String(c["body"]), "INC0003") && has(String(c["body"]), "INC0004")))
            problems.push("INC0002 has no public comment listing INC0003 and INC0004");
          if (pub.some((c) => has(String(c["body"]), "INC0005"))) problems.push("INC0002's comment lists INC0005");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-onboarding-webhook",
    request:
      "When the HR system posts a new hire to our webhook (fields: name, email, department, manager_email) create their directory account with that manager, add them to vpn-users, and DM the manager that the account is ready.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: {
              name: "Priya Nair",
              email: "priya.nair@example.com",
              department: "engineering",
              manager_email: LI.email,
            },
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          let priya: Json;
          try {
            priya = await demo.call("directory.get_user", { email: "priya.nair@example.com" });
          } catch {
            return [...problems, "no account for priya.nair@example.com"];
          }
          if (priya["name"] !== "Priya Nair") problems.push(`the account's name is ${priya["name"]}`);
          if (priya["department"] !== "engineering") problems.push(`department is ${priya["department"]}`);
          if (priya["manager_id"] !== LI.id)
            problems.push(`manager_id is ${priya["manager_id"]}, expected ${LI.id} (Li Wen)`);
          if (JSON.stringify(priya["groups"]) !== JSON.stringify(["g-vpn"]))
            problems.push(`groups are ${JSON.stringify(priya["groups"])}, expected only vpn-users`);
          const dms = await dmsTo(demo, LI.email);
          if (!dms.some((m) => /priya/i.test(m.text))) problems.push("Li Wen (the manager) got no DM about Priya");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-shift-dm-sydney",
    request:
      "At the start of the early shift — 6am Sydney time, Monday to Friday — DM everyone in sre-oncall the list of new, unassigned P1 and P2 incidents.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 6 * * 1-5", timezone: "Australia/Sydney" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Kubernetes API unreachable", priority: "P1" });
          await open(demo, "INC0003", { title: "Backups failed overnight", priority: "P2" });
          await open(demo, "INC0004", { title: "Jira is slow", priority: "P2" });
          await assign(demo, "INC0004", LI);
          await open(demo, "INC0005", { title: "Keyboard replacement", priority: "P3" });
          await open(demo, "INC0006", { title: "DNS resolution intermittent", priority: "P1" });
          await setStatus(demo, "INC0006", "in_progress");
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          for (const who of [ANA, SAM]) {
            const text = (await dmsTo(demo, who.email)).map((m) => m.text).join("\n");
            for (const id of ["INC0002", "INC0003"])
              if (!has(text, id)) problems.push(`${who.name}'s DMs do not list ${id}`);
            for (const id of ["INC0001", "INC0004", "INC0005", "INC0006"])
              if (has(text, id)) problems.push(`${who.name}'s DMs list ${id}`);
          }
          const others = (await demo.directMessages()).filter(
            (m) => m.user_email !== ANA.email && m.user_email !== SAM.email,
          );
          if (others.length > 0)
            problems.push(`DMs to people outside sre-oncall: ${others.map((m) => m.user_email).join(", ")}`);
          return problems;
        },
      },
    },
  },
  {
    id: "s8-p1-reminder-30m",
    request:
      "every half hour, post a reminder in #incidents for any P1 still sitting in 'new' — but not more than once per incident per day, people will mute the channel otherwise",
    expect: {
      draft: {
        declares: { type: "schedule", every: "30m" },
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Point of sale terminals offline", priority: "P1" });
          await open(demo, "INC0003", { title: "Warehouse label printers down", priority: "P1" });
          await setStatus(demo, "INC0003", "in_progress");
          await open(demo, "INC0004", { title: "Intranet search broken", priority: "P2" });
        },
        triggers: [{ kind: "schedule" }, { kind: "schedule" }],
        check: async (demo, runs) => [
          ...ranOk(runs),
          ...(await channelCount(demo, "incidents", "INC0002", 1)),
          ...(await channelHas(demo, "incidents", [], ["INC0001", "INC0003", "INC0004"])),
        ],
      },
    },
  },
  {
    id: "s8-oncall-join-manager",
    request:
      "When someone joins the sre-oncall rotation, DM their manager to let them know (the person's name and that they're now on the rota). If the person has no manager, post it in #it-ops instead.",
    expect: {
      draft: {
        declares: { type: "resource", ...membershipUri },
        setup: async (demo) => {
          const tom = await demo.call("directory.create_user", {
            email: "tom.berg@example.com",
            name: "Tom Berg",
            department: "engineering",
            title: "SRE",
            manager_id: ANA.id,
          });
          if (tom["id"] !== "u-1005") throw new Error(`setup expected u-1005, got ${tom["id"]}`);
          await demo.call("directory.add_user_to_group", { user_id: SAM.id, group: "vpn-users" });
        },
        triggers: [
          {
            kind: "resource",
            ...membershipUri,
            change: async (demo) =>
              void (await demo.call("directory.add_user_to_group", { user_id: "u-1005", group: "sre-oncall" })),
          },
          {
            kind: "resource",
            ...membershipUri,
            change: async (demo) =>
              void (await demo.call("directory.add_user_to_group", { user_id: MARA.id, group: "sre-oncall" })),
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const dms = await demo.directMessages();
          const aboutTom = dms.filter((m) => /tom berg|tom\.berg/i.test(m.text));
          if (aboutTom.length !== 1 || aboutTom[0]!.user_email !== ANA.email)
            problems.push(
              `expected one DM about Tom Berg to his manager Ana Costa, got ${JSON.stringify(aboutTom.map((m) => m.user_email))}`,
            );
          if (dms.some((m) => mentions(m.text, MARA))) problems.push("a DM is about Mara Keller, who has no manager");
          const toLi = dms.filter((m) => m.user_email === LI.email);
          if (toLi.length > 0)
            problems.push("Li Wen was DMed (she manages Sam and Ana, who joined sre-oncall long ago, not now)");
          const text = await demo.history("it-ops");
          if (!mentions(text, MARA)) problems.push("#it-ops does not name Mara Keller (no manager)");
          if (/tom berg/i.test(text)) problems.push("#it-ops names Tom Berg, whose manager was DMed");
          if (mentions(text, SAM)) problems.push("#it-ops names Sam Okafor (added to vpn-users, not sre-oncall)");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-sam-out-sick-manual",
    request:
      "Sam is out sick today. Give me a workflow I can run by hand that moves all of his open incidents over to Li Wen and leaves an internal note on each one explaining why.",
    expect: {
      draft: {
        setup: async (demo) => {
          await open(demo, "INC0002", { title: "Site-to-site tunnel flapping", priority: "P2" });
          await assign(demo, "INC0002", SAM);
          await setStatus(demo, "INC0002", "in_progress");
          await open(demo, "INC0003", { title: "Old router decommission", priority: "P4" });
          await assign(demo, "INC0003", SAM);
          await close(demo, "INC0003");
          await open(demo, "INC0004", { title: "Load balancer certificate renewal", priority: "P3" });
          await assign(demo, "INC0004", ANA);
          await open(demo, "INC0005", { title: "Guest Wi-Fi captive portal", priority: "P4" });
          await assign(demo, "INC0005", SAM);
        },
        triggers: [{ kind: "manual", input: {} }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          for (const id of ["INC0001", "INC0002", "INC0005"]) {
            const inc = await incident(demo, id);
            if (inc["assignee"]?.["email"] !== LI.email)
              problems.push(`${id} is assigned to ${inc["assignee"]?.["email"] ?? "nobody"}, expected Li Wen`);
            if (!comments(inc).some((c) => c["visibility"] === "internal")) problems.push(`${id} has no internal note`);
          }
          const three = await incident(demo, "INC0003");
          if (three["assignee"]?.["email"] !== SAM.email || comments(three).length > 0)
            problems.push("the closed INC0003 was reassigned or commented");
          const four = await incident(demo, "INC0004");
          if (four["assignee"]?.["email"] !== ANA.email || comments(four).length > 0)
            problems.push("Ana's INC0004 was touched");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-compromised-webhook",
    request:
      "Our EDR tool will call a webhook with {user_id, reason} when it thinks an account is compromised. Disable that account using the reason it sends, open a P1 incident tagged security (reporter security@example.com) that names the account, and post the new incident number in #incidents.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          {
            kind: "webhook",
            body: { user_id: ANA.id, reason: "impossible travel: logins from Lisbon and Osaka within 10 minutes" },
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          if ((await user(demo, ANA.id))["status"] !== "disabled") problems.push("Ana Costa's account is not disabled");
          for (const other of [MARA, SAM, LI])
            if ((await user(demo, other.id))["status"] !== "active") problems.push(`${other.name} was disabled`);
          const all = ((await demo.call("tickets.list_incidents", { limit: 100 }))["incidents"] as Json[]).filter(
            (i) => i["id"] !== "INC0001",
          );
          if (all.length !== 1) return [...problems, `${all.length} new incidents, expected 1`];
          const inc = all[0]!;
          if (inc["priority"] !== "P1") problems.push(`the incident is ${inc["priority"]}`);
          if (!(inc["tags"] as string[]).includes("security")) problems.push("the incident is not tagged security");
          if (inc["reporter_email"] !== "security@example.com") problems.push(`reporter is ${inc["reporter_email"]}`);
          const words = `${inc["title"]} ${inc["description"]}`;
          if (!mentions(words, ANA) && !words.includes(ANA.id)) problems.push("the incident does not name the account");
          problems.push(...(await channelHas(demo, "incidents", [String(inc["id"])], [])));
          return problems;
        },
      },
    },
  },
  {
    id: "s8-p4-autoclose-london",
    request:
      "Sunday nights at 11pm London time, close any P4 that has been sitting in 'new' for more than 3 days. Resolution code cancelled, note \"auto-closed: no activity\".",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 23 * * 0", timezone: "Europe/London" },
        setup: async (demo) => {
          await demo.call("tickets.update_incident", { id: "INC0001", priority: "P4", status: "new" }); // opened 2026-11-20
          await open(demo, "INC0002", { title: "Request: extra mouse", priority: "P4" }); // opened now
          await open(demo, "INC0003", { title: "Label maker broken", priority: "P3" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const one = await incident(demo, "INC0001");
          if (one["status"] !== "closed") problems.push("INC0001 (P4, new since 2026-11-20) is not closed");
          else {
            if (one["resolution"]?.["code"] !== "cancelled")
              problems.push(`INC0001 resolution code is ${one["resolution"]?.["code"]}`);
            if (!/auto-closed/i.test(String(one["resolution"]?.["notes"])))
              problems.push("INC0001's resolution notes lack 'auto-closed'");
          }
          for (const id of ["INC0002", "INC0003"])
            if ((await incident(demo, id))["status"] === "closed") problems.push(`${id} (opened today) was closed`);
          return problems;
        },
      },
    },
  },
  {
    id: "s8-vpn-service-to-sam",
    request:
      "Sam owns the VPN. Whenever a new ticket is raised against the vpn service, assign it to him and DM him the ticket id. Don't touch anything else.",
    expect: {
      draft: {
        declares: { type: "resource", ...ticketsUri },
        triggers: [
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) =>
              open(demo, "INC0002", { title: "VPN client crashes on login", priority: "P3", service: "vpn" }),
          },
          {
            kind: "resource",
            ...ticketsUri,
            change: async (demo) => open(demo, "INC0003", { title: "Mailbox full", priority: "P2", service: "email" }),
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const two = await incident(demo, "INC0002");
          if (two["assignee"]?.["email"] !== SAM.email)
            problems.push(`INC0002 (vpn) is assigned to ${two["assignee"]?.["email"] ?? "nobody"}`);
          const three = await incident(demo, "INC0003");
          if (three["assignee"] !== null) problems.push("INC0003 (email) was assigned");
          const dms = await demo.directMessages();
          const aboutTwo = dms.filter((m) => m.user_email === SAM.email && has(m.text, "INC0002")).length;
          if (aboutTwo !== 1) problems.push(`${aboutTwo} DMs to Sam about INC0002, expected 1`);
          if (dms.some((m) => has(m.text, "INC0003"))) problems.push("a DM names INC0003");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-statuspage-webhook",
    request:
      'The status page sends us a webhook {incident_id, status, message} whenever an engineer posts an update. Add the message to the ticket as a public comment, set the ticket status to match but only if it\'s in_progress, on_hold or resolved, and post "<incident id>: <message>" in #incidents.',
    expect: {
      draft: {
        declares: { type: "webhook" },
        setup: async (demo) => open(demo, "INC0002", { title: "Payments degraded", priority: "P1" }),
        triggers: [
          {
            kind: "webhook",
            body: { incident_id: "INC0001", status: "on_hold", message: "Waiting on the ISP to replace the line card" },
          },
          {
            kind: "webhook",
            body: { incident_id: "INC0002", status: "closed", message: "Payments recovered after failover" },
          },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const one = await incident(demo, "INC0001");
          if (one["status"] !== "on_hold") problems.push(`INC0001 is ${one["status"]}, expected on_hold`);
          if (!comments(one).some((c) => c["visibility"] === "public" && String(c["body"]).includes("line card")))
            problems.push("INC0001 has no public comment with the message");
          const two = await incident(demo, "INC0002");
          if (two["status"] !== "new") problems.push(`INC0002 is ${two["status"]}; status "closed" is not one to copy`);
          if (!comments(two).some((c) => c["visibility"] === "public" && String(c["body"]).includes("failover")))
            problems.push("INC0002 has no public comment with the message");
          const posts = messagesOf(await demo.history("incidents"));
          if (!posts.some((m) => has(m, "INC0001") && m.includes("line card")))
            problems.push("#incidents has no post with INC0001 and its message");
          if (!posts.some((m) => has(m, "INC0002") && m.includes("failover")))
            problems.push("#incidents has no post with INC0002 and its message");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-group-sizes-chicago",
    request:
      "On the 1st of every month at 9:00 Chicago time, post in #it-ops how many members each directory group has.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 9 1 * *", timezone: "America/Chicago" },
        setup: async (demo) => {
          for (const who of [MARA, LI, ANA])
            await demo.call("directory.add_user_to_group", { user_id: who.id, group: "vpn-users" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          // vpn-users 3 (Mara, Li, Ana), it-admins 1 (Sam), sre-oncall 2 (Ana, Sam).
          const problems = ranOk(runs);
          const text = await demo.history("it-ops");
          for (const [labels, n] of [
            [["vpn-users", "g-vpn"], 3],
            [["it-admins", "g-admins"], 1],
            [["sre-oncall", "g-oncall"], 2],
          ] as const) {
            if (!saysCount(text, [...labels], n)) problems.push(`#it-ops does not say ${labels[0]} has ${n}`);
          }
          return problems;
        },
      },
    },
  },
  {
    id: "s8-disabled-cleanup-utc",
    request:
      "Nightly at 02:00 UTC: anyone whose account is disabled but who is still in a group gets removed from all their groups. Post a summary in #it-ops of who was removed from what.",
    expect: {
      draft: {
        declares: { type: "schedule", cron: "0 2 * * *" },
        setup: async (demo) => {
          await demo.call("directory.disable_user", { user_id: SAM.id, reason: "left the company" });
          await demo.call("directory.disable_user", { user_id: MARA.id, reason: "long leave" });
          await demo.call("directory.add_user_to_group", { user_id: LI.id, group: "it-admins" });
        },
        triggers: [{ kind: "schedule" }],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const sam = await user(demo, SAM.id);
          if ((sam["groups"] as string[]).length > 0)
            problems.push(`disabled Sam Okafor is still in ${(sam["groups"] as string[]).join(", ")}`);
          const ana = await user(demo, ANA.id);
          if (!(ana["groups"] as string[]).includes("g-oncall"))
            problems.push("active Ana Costa was removed from sre-oncall");
          const li = await user(demo, LI.id);
          if (!(li["groups"] as string[]).includes("g-admins"))
            problems.push("active Li Wen was removed from it-admins");
          const text = await demo.history("it-ops");
          if (!mentions(text, SAM) && !text.includes(SAM.id)) problems.push("#it-ops does not name Sam Okafor");
          if (mentions(text, MARA) || text.includes(MARA.id))
            problems.push("#it-ops names Mara Keller, who was in no group");
          if (mentions(text, ANA) || mentions(text, LI)) problems.push("#it-ops names an active user");
          return problems;
        },
      },
    },
  },
  {
    id: "s8-bms-page-lookup",
    request:
      "The datacenter BMS will send a webhook {site, alarm, contact_name}. Look the contact up in the directory by name and page them with the site and alarm. If there's no such person in the directory, page whoever is on call for sre-oncall instead.",
    expect: {
      draft: {
        declares: { type: "webhook" },
        triggers: [
          { kind: "webhook", body: { site: "FRA1", alarm: "CRAC unit high temperature", contact_name: "Li Wen" } },
          { kind: "webhook", body: { site: "AMS2", alarm: "UPS running on battery", contact_name: "Jordan Blake" } },
        ],
        check: async (demo, runs) => {
          const problems = ranOk(runs);
          const onCall = await demo.onCallEmail();
          const pages = await demo.pages();
          if (!pages.some((p) => p.user_email === LI.email && p.message.includes("CRAC") && p.message.includes("FRA1")))
            problems.push("Li Wen was not paged with FRA1's CRAC alarm");
          if (!pages.some((p) => p.user_email === onCall && p.message.includes("UPS") && p.message.includes("AMS2")))
            problems.push(`the on-call ${onCall} was not paged with AMS2's UPS alarm`);
          if (pages.some((p) => p.user_email !== onCall && p.message.includes("UPS")))
            problems.push("the UPS alarm was paged to someone other than the on-call");
          if (pages.some((p) => p.user_email !== LI.email && p.message.includes("CRAC")))
            problems.push("the CRAC alarm was paged to someone other than Li Wen");
          return problems;
        },
      },
    },
  },
];

// ---- the requests to decline ---------------------------------------------------------------

const declined: EvalCase[] = [
  {
    id: "s8-no-password-reset",
    request:
      "Every night at 1am Berlin time reset the passwords of everyone in vpn-users and email them their new password.",
    expect: { declined: "refused", about: /password|reset|e-?mail/i },
  },
  {
    id: "s8-no-channel-noc-alerts",
    request: "pls post every new P1 in #noc-alerts as soon as it's opened",
    expect: { declined: "either", about: /noc-alerts/i },
  },
  {
    id: "s8-no-group-db-admins",
    request: "When someone gets added to the db-admins group, DM Li Wen so she can double-check it.",
    expect: { declined: "either", about: /db-admins/i },
  },
  {
    id: "s8-no-user-jordan",
    request: "Every Monday 9am Berlin time, DM Jordan Blake a list of the open P2 incidents.",
    expect: { declined: "either", about: /jordan|blake/i },
  },
  {
    id: "s8-no-chat-message-trigger",
    request: "Whenever someone writes 'outage' in #general, open a P2 incident with their message as the description.",
    expect: { declined: "either", about: /message|chat|#?general|writes|outage/i },
  },
  {
    id: "s8-no-frequency",
    request: "can you set up a recurring post to #incidents with all the unassigned incidents? thx",
    expect: { declined: "needs-input", about: /recurr|often|frequen|schedule|when|time|interval/i },
  },
  {
    id: "s8-contradiction-close-p1",
    request:
      "At 17:00 every Friday (Berlin), close all P1 incidents that are still open as fixed — but make sure no P1 ever gets closed by automation.",
    expect: { declined: "either", about: /close|P1|contradict|automation/i },
  },
  {
    id: "s8-no-purchasing",
    request: "When an incident is opened for the printer service, order replacement toner from Staples automatically.",
    expect: { declined: "refused", about: /toner|order|staples|purchas|procure/i },
  },
  {
    id: "s8-no-sharepoint-export",
    request:
      "Every Monday at 07:00 UTC, export last week's incidents to a CSV and upload it to the finance SharePoint site.",
    expect: { declined: "refused", about: /sharepoint|csv|upload|export|file/i },
  },
  {
    id: "s8-no-disabled-event",
    request: "Whenever an account gets disabled in the directory, post the person's name in #it-ops.",
    expect: { declined: "either", about: /disabl/i },
  },
];

export const CASES: EvalCase[] = [...doable, ...declined];
