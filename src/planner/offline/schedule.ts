/**
 * Everyday schedule phrasing → a schedule trigger: "every 15 minutes", "hourly", "every weekday at
 * 9am", "every Friday at 17:00 Europe/Berlin", "on the first of every month at 8:00 Berlin time".
 * Times of day are read by chrono (am/pm, noon, 24-hour); time zones by IANA name or by the city
 * of one. A day schedule with no time of day is a question, not a guess.
 */
import * as chrono from "chrono-node";
import { PlannerDeclined } from "../../core/errors.ts";
import type { RequestText } from "./request-text.ts";

export type ScheduleTrigger = { type: "schedule"; cron?: string; timezone?: string; every?: string };
export type ScheduleRead = { trigger: ScheduleTrigger; said: string } | { question: string; said: string; options: string[] } | undefined;

const DAYS: Record<string, string> = { mon: "1", tue: "2", wed: "3", thu: "4", fri: "5", sat: "6", sun: "0" };
const DAY = "(?:mon|tues|wednes|thurs|fri|satur|sun)day";
const NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, eight: 8, ten: 10, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, "forty-five": 45, "forty five": 45 };
const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, tenth: 10, fifteenth: 15, twentieth: 20 };

export function readSchedule(text: RequestText): ScheduleRead {
  const interval = text.takeOne(new RegExp(`\\b(?:every|each)\\s+(?<count>\\d{1,4}|${Object.keys(NUMBERS).join("|")})\\s*(?<unit>minutes?|mins?|hours?|hrs?|days?)\\b|\\b(?:every|each)\\s+(?<half>half(?:\\s+an)?|quarter(?:\\s+of\\s+an)?)\\s+hour\\b|\\b(?:every|each)\\s+(?<single>minute|hour)\\b|\\b(?<hourly>hourly)\\b`), "schedule");
  if (interval) {
    const g = interval.groups ?? {};
    const word = g["count"] ?? "1";
    let count = NUMBERS[word] ?? Number(word);
    let unitWord = g["unit"] ?? g["single"] ?? "hour";
    if (g["half"]) [count, unitWord] = g["half"].startsWith("quarter") ? [15, "minutes"] : [30, "minutes"];
    const unit = unitWord.startsWith("m") ? "m" : unitWord.startsWith("h") ? "h" : "d";
    if (count < 1) return { question: "How often should it run? An interval must be at least one minute.", said: interval[0], options: ["every 15 minutes", "hourly", "every day at 9:00"] };
    return { trigger: { type: "schedule", every: `${count}${unit}` }, said: interval[0] };
  }
  const weekdays = text.takeOne(/\b(?:every|each|on)\s+(?:weekday|workday|business day|working day)s?\b|\b(?:on\s+)?(?:weekdays|workdays|business days)\b|\bmonday (?:to|through|-) friday\b/, "schedule");
  const named = weekdays ? undefined : text.takeOne(new RegExp(`\\b(?:every|each|on)\\s+(${DAY})s?((?:\\s*(?:,|and|&)\\s*(?:${DAY})s?)*)\\b|\\b(${DAY})s((?:\\s*(?:,|and|&)\\s*(?:${DAY})s?)*)\\b`), "schedule");
  const daily = weekdays || named ? undefined : text.takeOne(/\b(?:every|each)\s+(?:day|morning|evening|night)\b|\bdaily\b|\bonce a day\b/, "schedule");
  const monthly =
    weekdays || named || daily
      ? undefined
      : text.takeOne(/\b(?:on\s+)?the\s+(first|second|third|fourth|fifth|tenth|fifteenth|twentieth|\d{1,2}(?:st|nd|rd|th)?)\s+(?:day\s+)?of\s+(?:every|each|the)\s+month\b|\b(?:every|each)\s+month\s+on\s+the\s+(first|\d{1,2}(?:st|nd|rd|th)?)\b|\bmonthly\b/, "schedule");
  if (!weekdays && !named && !daily && !monthly) return undefined;
  const said = [weekdays, named, daily, monthly].find(Boolean)?.[0] ?? "";

  let dayOfWeek = "*";
  let dayOfMonth = "*";
  if (weekdays) dayOfWeek = "1-5";
  if (named) {
    const list = `${named[1] ?? named[3] ?? ""} ${named[2] ?? ""} ${named[4] ?? ""}`.match(new RegExp(DAY, "g")) ?? [];
    dayOfWeek = [...new Set(list.map((day) => DAYS[day.slice(0, 3)] ?? "*"))].join(",");
  }
  if (monthly) {
    const ordinal = monthly[1] ?? monthly[2];
    const day = ordinal === undefined ? 1 : (ORDINALS[ordinal] ?? Number.parseInt(ordinal, 10));
    if (!(day >= 1 && day <= 28)) return { question: `Which day of the month should it run on? Day ${day} does not exist in every month.`, said, options: ["the 1st", "the 15th", "the 28th"] };
    dayOfMonth = String(day);
  }
  const time = text.takeOne(/\b(?:at|@)\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midnight)(?![\w:])|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b/, "schedule");
  // "at 8:00 and 16:00": more hours at the same minute.
  const more = time ? text.take(new RegExp(`(?<=${escapeRegExp(time[0])})\\s*(?:,|and|&)\\s*(\\d{1,2}(?::\\d{2})?\\s*(?:am|pm)?)`), "schedule") : [];
  if (!time) return { question: `At what time of day should it run ${said}? (and in which time zone; UTC if none is given)`, said, options: ["at 9:00", "at 17:00 Europe/Berlin", "at 8am America/New_York"] };
  const parsed = chrono.parse(time[0].replace(/^@/, "at "), new Date(Date.UTC(2026, 0, 1)))[0];
  const hour = parsed?.start.get("hour");
  const minute = parsed?.start.get("minute") ?? 0;
  if (hour === null || hour === undefined) return { question: `What time is "${time[0]}"? Say it like 9:00, 9am or 17:30.`, said: time[0], options: ["at 9:00", "at 17:00"] };
  const hours = [hour];
  for (const extra of more) {
    const other = chrono.parse(`at ${extra[1] ?? ""}`, new Date(Date.UTC(2026, 0, 1)))[0];
    if (other?.start.get("hour") === null || other?.start.get("hour") === undefined || (other.start.get("minute") ?? 0) !== minute) return { question: `At which times should it run? "${extra[0].trim()}" is not at the same minute past the hour as ${time[0]}; name times with the same minutes, or make two workflows.`, said: `${time[0]}${extra[0]}`, options: [] };
    hours.push(other.start.get("hour") ?? 0);
  }
  const zone = readTimeZone(text);
  const timezone = zone?.zone;
  return { trigger: { type: "schedule", cron: `${minute} ${[...new Set(hours)].sort((a, b) => a - b).join(",")} ${dayOfMonth} * ${dayOfWeek}`, ...(timezone ? { timezone } : {}) }, said: `${said} ${time[0]}${more.map((m) => m[0]).join("")}${zone ? ` ${zone.said}` : ""}` };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A time zone named in the request: an IANA name ("Europe/Berlin"), or a zone's city ("Berlin time", "in New York"). */
export function readTimeZone(text: RequestText): { zone: string | undefined; said: string } | undefined {
  const zones = Intl.supportedValuesOf("timeZone");
  const iana = text.takeOne(/\b(?:in\s+|\()?([a-z]+\/[a-z_]+(?:\/[a-z_]+)?)\)?(?:\s+time)?\b/, "schedule");
  if (iana) {
    const found = zones.find((zone) => zone.toLowerCase() === iana[1]);
    if (found) return { zone: found, said: iana[0] };
    throw new PlannerDeclined("needs-input", iana[0], `"${iana[1]}" is not a time zone; name one like Europe/Berlin or America/New_York`, ["Europe/Berlin", "America/New_York", "UTC"]);
  }
  const utc = text.takeOne(/\b(?:utc|gmt)\b(?:\s+time)?/, "schedule");
  if (utc) return { zone: undefined, said: utc[0] };
  const cities = new Map(zones.map((zone) => [zone.split("/").pop()?.replace(/_/g, " ").toLowerCase() ?? zone, zone]));
  for (const [city, zone] of cities) {
    if (city.length < 4) continue;
    const escaped = city.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const found = text.takeOne(new RegExp(`\\bin\\s+${escaped}(?:\\s+time)?\\b|\\b${escaped}\\s+time\\b|\\(${escaped}\\)`), "schedule");
    if (found) return { zone, said: found[0] };
  }
  return undefined;
}
