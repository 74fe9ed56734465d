/**
 * A version's triggers as the console says them, and when a schedule fires next, computed as the
 * dispatcher fires them (src/triggers/dispatcher.ts): cron in its time zone (UTC without one);
 * intervals counted from the epoch, none before the version was made; a one-off time once.
 */
import { CronExpressionParser } from "cron-parser";
import cronstrue from "cronstrue";
import { describeSchedule, intervalMs, type WorkflowTrigger } from "../core/workflow.ts";

type Schedule = Extract<WorkflowTrigger, { type: "schedule" }>;

/** When a schedule of a version made at `since` fires next after `now`; undefined when it never fires again. */
export function nextFire(trigger: Schedule, now: Date, since: Date): Date | undefined {
  if (trigger.cron) {
    try {
      const options = { currentDate: now, ...(trigger.timezone ? { tz: trigger.timezone } : {}) };
      return CronExpressionParser.parse(trigger.cron, options).next().toDate();
    } catch {
      return undefined; // checked when the version was made; a time zone the runtime dropped since fires never
    }
  }
  if (trigger.every) {
    const every = intervalMs(trigger.every);
    return new Date(Math.ceil(Math.max(now.getTime(), since.getTime()) / every) * every);
  }
  if (trigger.at) {
    const at = Date.parse(trigger.at);
    return at >= now.getTime() && at >= since.getTime() ? new Date(at) : undefined;
  }
  return undefined;
}

/** A trigger in words: `cron "0 9 * * 1-5" Europe/Berlin (At 09:00, Monday through Friday)`, `webhook`, … */
export function triggerText(trigger: WorkflowTrigger): string {
  switch (trigger.type) {
    case "manual":
      return "by hand (console, API, CLI) or as a tool";
    case "webhook":
      return "webhook";
    case "resource":
      return `when ${trigger.uri} of ${trigger.integration} changes`;
    case "schedule": {
      const said = describeSchedule(trigger);
      if (!trigger.cron) return said;
      try {
        return `${said} (${cronstrue.toString(trigger.cron, { use24HourTimeFormat: true, verbose: false })})`;
      } catch {
        return said;
      }
    }
  }
}

/** A time as it reads in a time zone ("Mon 9 Mar 2026, 09:00"), for a cron schedule with one. */
export function inZone(date: Date, timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    }).format(date);
  } catch {
    return undefined;
  }
}
