/**
 * Everyday schedule phrasing → a schedule trigger: "every 15 minutes", "hourly", "every weekday at
 * 9am", "every Friday at 17:00 Europe/Berlin", "on the first of every month at 8:00 Berlin time".
 * Times of day are read by chrono (am/pm, noon, 24-hour); time zones by IANA name or by the city
 * of one. A day schedule with no time of day is a question, not a guess.
 */
import { rx } from "../../core/rx.ts";
import * as chrono from "chrono-node";
import { PlannerDeclined } from "../../core/errors.ts";
import type { RequestText } from "./request-text.ts";

export type ScheduleTrigger = { type: "schedule"; cron?: string; timezone?: string; every?: string; at?: string };
export type ScheduleRead =
  | { trigger: ScheduleTrigger; said: string }
  | { question: string; said: string; options: string[] }
  | undefined;

const DAYS: Record<string, string> = { mon: "1", tue: "2", wed: "3", thu: "4", fri: "5", sat: "6", sun: "0" };
const DAY = "(?:mon|tues|wednes|thurs|fri|satur|sun)day";
const NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  eight: 8,
  ten: 10,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  "forty-five": 45,
  "forty five": 45,
};
const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  tenth: 10,
  fifteenth: 15,
  twentieth: 20,
};

/** A time of day: "at 9", "9:30am", "17:00", "at noon". */
const TIME = rx()`
    \b(?:at|@)\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midnight)(?![\w:])|
    \b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b`;

export function readSchedule(text: RequestText): ScheduleRead {
  const interval = text.takeOne(
    new RegExp(
      `\\b(?:every|each)\\s+(?<count>\\d{1,4}|${Object.keys(NUMBERS).join("|")}|` +
        `other)\\s*(?<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)\\b|\\b(?:every|` +
        `each)\\s+(?<half>half(?:\\s+an)?|quarter(?:\\s+of\\s+an)?)\\s+hour\\b|\\b(?:every|` +
        `each)\\s+(?<single>minute|hour)\\b|(?<![-#])\\b(?<hourly>hourly)\\b(?!-)|\\b(?<times>twice|` +
        `three times|four times|(?:\\d{1,2})\\s+times)\\s+(?:an?|per|each|every)\\s+(?<per>hour|` +
        `day)\\b|\\bonce\\s+(?:an?|per|each|every)\\s+(?<oncePer>hour)\\b|` +
        `\\b(?<fortnightly>fortnightly|every\\s+(?:two|2)\\s+weeks)\\b`,
    ),
    "schedule",
  );
  if (interval) {
    const g = interval.groups ?? {};
    const word = g["count"] ?? "1";
    let count = word === "other" ? 2 : (NUMBERS[word] ?? Number(word));
    let unitWord = g["unit"] ?? g["single"] ?? "hour";
    if (g["half"]) [count, unitWord] = g["half"].startsWith("quarter") ? [15, "minutes"] : [30, "minutes"];
    if (g["fortnightly"]) [count, unitWord] = [14, "days"];
    if (unitWord.startsWith("w")) [count, unitWord] = [count * 7, "days"];
    // "twice a day": evenly spaced, every 12 hours; "three times an hour": every 20 minutes.
    if (g["times"]) {
      const times =
        g["times"] === "twice" ? 2 : (NUMBERS[g["times"].split(/\s+/)[0] ?? ""] ?? Number.parseInt(g["times"], 10));
      const minutes = (g["per"] === "hour" ? 60 : 24 * 60) / times;
      if (!Number.isInteger(minutes) || minutes < 1)
        return {
          question: `How often exactly should it run? ${g["times"]} a ${g["per"]} does not divide into whole minutes.`,
          said: interval[0],
          options: ["every 15 minutes", "hourly", "every day at 9:00"],
        };
      [count, unitWord] =
        minutes % (24 * 60) === 0
          ? [minutes / (24 * 60), "days"]
          : minutes % 60 === 0
            ? [minutes / 60, "hours"]
            : [minutes, "minutes"];
    }
    const unit = unitWord.startsWith("m") ? "m" : unitWord.startsWith("h") ? "h" : "d";
    if (count < 1)
      return {
        question: "How often should it run? An interval must be at least one minute.",
        said: interval[0],
        options: ["every 15 minutes", "hourly", "every day at 9:00"],
      };
    const at = text.takeOne(TIME, "schedule");
    if (at)
      return {
        question:
          `An interval ("${interval[0]}") counts from the epoch, not from a time of day ` +
          `("${at[0]}"); which should it be?`,
        said: `${interval[0]} ${at[0]}`,
        options: [interval[0], `every day ${at[0]}`, `every Monday and Thursday ${at[0]}`],
      };
    return { trigger: { type: "schedule", every: `${count}${unit}` }, said: interval[0] };
  }
  // "On 24 December at 15:00 Berlin time …, just once": one run at that moment.
  const MONTH =
    "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" +
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
  const date = text.takeOne(
    new RegExp(
      `\\b(?:(?:one-off|one off|once)\\s*[:,]?\\s*)?(?:on\\s+)?(?:(?<day>\\d{1,2})(?:st|nd|rd|` +
        `th)?\\s+(?<month>${MONTH})|(?<month2>${MONTH})\\s+(?<day2>\\d{1,2})(?:st|nd|rd|` +
        `th)?)(?:,?\\s+(?<year>20\\d\\d))?\\b|\\b(?:on\\s+)?(?<iso>20\\d\\d-\\d\\d-\\d\\d)\\b`,
    ),
    "schedule",
  );
  if (date) {
    const time = text.takeOne(TIME, "schedule");
    if (!time)
      return {
        question: `At what time on ${date[0].trim()} should it run (and in which time zone)?`,
        said: date[0],
        options: ["at 9:00 Europe/Berlin", "at 17:00 UTC"],
      };
    const zone = readTimeZone(text);
    const once = text.takeOne(
      /[.,;]?\s*\b(?:just\s+|only\s+)?once(?:\s+only)?\b|\bone[- ]off\b|\bnot\s+again\b/,
      "schedule",
    );
    const g = date.groups ?? {};
    const day = g["iso"] ?? `${g["day"] ?? g["day2"]} ${g["month"] ?? g["month2"]} ${g["year"] ?? ""}`;
    const parsed = chrono.parse(`${day} ${time[0].replace(/^@/, "at ")}`, new Date(), { forwardDate: true })[0];
    const y = parsed?.start.get("year");
    const mo = parsed?.start.get("month");
    const d = parsed?.start.get("day");
    const h = parsed?.start.get("hour");
    if (!y || !mo || !d || h === null || h === undefined)
      return {
        question: `What date and time is "${date[0]} ${time[0]}"? Say it like 24 December 2026 at 15:00.`,
        said: `${date[0]} ${time[0]}`,
        options: [],
      };
    const mi = parsed?.start.get("minute") ?? 0;
    const two = (n: number) => String(n).padStart(2, "0");
    const local = `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:00`;
    return {
      trigger: { type: "schedule", at: `${local}${offsetOf(zone?.zone ?? "UTC", local)}` },
      said: `${date[0]} ${time[0]}${zone ? ` ${zone.said}` : ""}${once ? once[0] : ""}`,
    };
  }
  // "now and then", "every so often": a schedule with no frequency is a question.
  const vague = text.takeOne(
    rx()`
      \b(?:now and then|every (?:so )?often|from time to time|once in a while|occasionally|
      periodically|regularly|at regular intervals|(?:a\s+|the\s+)?(?:recurring|repeating|regular|
      periodic|scheduled)(?=\s+(?:post|message|report|digest|summary|check|reminder|job|run|dm|page|
      update)s?\b))\b`,
    "schedule",
  );
  if (vague)
    return {
      question: `How often should it run ("${vague[0]}")?`,
      said: vague[0],
      options: ["every hour", "every weekday at 9:00", "every Monday at 9:00 Europe/Berlin"],
    };
  const twiceWeekly = text.takeOne(
    /\b(?:twice|two times|three times|\d+\s+times)\s+(?:a|per|each|every)\s+(?:week|month)\b/,
    "schedule",
  );
  if (twiceWeekly)
    return {
      question: `On which days and at what time should it run ("${twiceWeekly[0]}")?`,
      said: twiceWeekly[0],
      options: ["every Monday and Thursday at 9:00", "every Tuesday and Friday at 17:00 Europe/Berlin"],
    };
  const weekdays = text.takeOne(
    rx()`
      \b(?:every|each|on)\s+(?:weekday|workday|business day|working day)s?\b|\b(?:on\s+)?(?:weekdays|
      workdays|business days)\b|\b(?:weekday|workday)(?=\s+(?:morning|afternoon|evening)s?\b)|
      \bmonday (?:to|through|-) friday\b`,
    "schedule",
  );
  const named = weekdays
    ? undefined
    : text.takeOne(
        new RegExp(
          `\\b(?:every|each|on)\\s+(${DAY})s?((?:\\s*(?:,|and|&)\\s*(?:${DAY})s?)*)\\b|` +
            `\\b(${DAY})s((?:\\s*(?:,|and|&)\\s*(?:${DAY})s?)*)\\b`,
        ),
        "schedule",
      );
  const daily =
    weekdays || named
      ? undefined
      : text.takeOne(
          rx()`
            \b(?:every|each)\s+(?<part>day|morning|afternoon|evening|night)\b|(?<![-#])\b(?:daily|
            nightly|every\s+single\s+day)\b(?!-)|\bonce a day\b`,
          "schedule",
        );
  const weekly =
    weekdays || named || daily
      ? undefined
      : text.takeOne(/\b(?:every|each|once a)\s+week\b|(?<![-#])\bweekly\b(?!-)/, "schedule");
  if (weekly)
    return {
      question: `On which day and at what time should it run ("${weekly[0]}")?`,
      said: weekly[0],
      options: ["every Monday at 9:00", "every Friday at 17:00 Europe/Berlin"],
    };
  // "every Monday morning", "weekday mornings": the part of the day a bare hour is in.
  const dayMatch = weekdays ?? named ?? daily;
  let part = daily?.groups?.["part"];
  let partSaid = "";
  if (dayMatch) {
    const end = dayMatch.index + dayMatch[0].length;
    const after = /^\s+(morning|afternoon|evening|night)s?\b/.exec(text.lower.slice(end));
    if (after && text.free(end, end + after[0].length)) {
      text.mark(end, end + after[0].length, "schedule");
      part = after[1];
      partSaid = after[0];
    }
  }

  const monthly =
    weekdays || named || daily
      ? undefined
      : text.takeOne(
          rx()`
            \b(?:on\s+)?the\s+(first|second|third|fourth|fifth|tenth|fifteenth|twentieth|
            \d{1,2}(?:st|nd|rd|th)?)\s+(?:day\s+)?of\s+(?:every|each|the)\s+month\b|\b(?:every|
            each)\s+month\s+on\s+the\s+(first|\d{1,2}(?:st|nd|rd|th)?)\b|\bmonthly\b`,
          "schedule",
        );
  if (!weekdays && !named && !daily && !monthly) return undefined;
  const said = `${[weekdays, named, daily, monthly].find(Boolean)?.[0] ?? ""}${partSaid}`;

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
    if (!(day >= 1 && day <= 28))
      return {
        question: `Which day of the month should it run on? Day ${day} does not exist in every month.`,
        said,
        options: ["the 1st", "the 15th", "the 28th"],
      };
    dayOfMonth = String(day);
  }
  const time = text.takeOne(TIME, "schedule");
  // "at 8:00 and 16:00": more hours at the same minute.
  const more = time
    ? text.take(
        new RegExp(`(?<=${escapeRegExp(time[0])})\\s*(?:,|and|&)\\s*(\\d{1,2}(?::\\d{2})?\\s*(?:am|pm)?)`),
        "schedule",
      )
    : [];
  // "every day" / "daily" with no time of day: once a day, counted from the epoch (UTC midnight).
  if (!time && daily && !part?.match(/morning|afternoon|evening|night/)) {
    const zone = readTimeZone(text);
    if (!zone) return { trigger: { type: "schedule", every: "1d" }, said };
  }
  if (!time)
    return {
      question: `At what time of day should it run ${said}? (and in which time zone; UTC if none is given)`,
      said,
      options: ["at 9:00", "at 17:00 Europe/Berlin", "at 8am America/New_York"],
    };
  // "at 6 in the evening".
  const afterTime = time.index + time[0].length;
  const partWords = /^\s+in\s+the\s+(morning|afternoon|evening)\b|^\s+(?:at|in\s+the)\s+night\b/.exec(
    text.lower.slice(afterTime),
  );
  const partAfter = partWords && text.free(afterTime, afterTime + partWords[0].length) ? partWords : undefined;
  if (partAfter) {
    text.mark(afterTime, afterTime + partAfter[0].length, "schedule");
    part = partAfter[1] ?? "night";
  }
  const parsed = chrono.parse(time[0].replace(/^@/, "at "), new Date(Date.UTC(2026, 0, 1)))[0];
  const bareHour = !/am|pm|a\.m\.|p\.m\.|noon|midnight/.test(time[0]);
  const shift = (h: number) =>
    bareHour && h < 12 && /afternoon|evening|night/.test(part ?? "") && !(part === "night" && h < 5) ? h + 12 : h;
  const rawHour = parsed?.start.get("hour");
  const hour = rawHour === null || rawHour === undefined ? rawHour : shift(rawHour);
  const minute = parsed?.start.get("minute") ?? 0;
  if (hour === null || hour === undefined)
    return {
      question: `What time is "${time[0]}"? Say it like 9:00, 9am or 17:30.`,
      said: time[0],
      options: ["at 9:00", "at 17:00"],
    };
  const hours = [hour];
  for (const extra of more) {
    const other = chrono.parse(`at ${extra[1] ?? ""}`, new Date(Date.UTC(2026, 0, 1)))[0];
    if (
      other?.start.get("hour") === null ||
      other?.start.get("hour") === undefined ||
      (other.start.get("minute") ?? 0) !== minute
    )
      return {
        question:
          `At which times should it run? "${extra[0].trim()}" is not at the same minute past the ` +
          `hour as ${time[0]}; name times with the same minutes, or make two workflows.`,
        said: `${time[0]}${extra[0]}`,
        options: [],
      };
    hours.push(shift(other.start.get("hour") ?? 0));
  }
  const zone = readTimeZone(text);
  const timezone = zone?.zone;
  return {
    trigger: {
      type: "schedule",
      cron: `${minute} ${[...new Set(hours)].sort((a, b) => a - b).join(",")} ${dayOfMonth} * ${dayOfWeek}`,
      ...(timezone ? { timezone } : {}),
    },
    said:
      `${said} ${time[0]}${more.map((m) => m[0]).join("")}` +
      `${partAfter ? partAfter[0] : ""}${zone ? ` ${zone.said}` : ""}`,
  };
}

/** The UTC offset ("+01:00") of a time zone at a local date and time. */
function offsetOf(zone: string, local: string): string {
  const guess = new Date(`${local}Z`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    })
      .formatToParts(guess)
      .map((p) => [p.type, p.value]),
  );
  const seen = Date.UTC(
    Number(parts["year"]),
    Number(parts["month"]) - 1,
    Number(parts["day"]),
    Number(parts["hour"]),
    Number(parts["minute"]),
  );
  const minutes = Math.round((seen - guess.getTime()) / 60_000);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Everyday names of time zones, to the zone most people mean by them: spelled out only with "time"
 * ("Central European time", "Pacific time"), abbreviations only right after a time of day ("9am ET").
 * "central european" is tried before "central".
 */
const NAMED_ZONES: [string, string][] = [
  [
    "central european(?: summer| standard)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:cet|cest)",
    "Europe/Berlin",
  ],
  [
    "eastern european(?: summer| standard)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:eet|eest)",
    "Europe/Helsinki",
  ],
  [
    "(?:us\\s+)?eastern(?: standard| daylight)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:et|est|edt)",
    "America/New_York",
  ],
  [
    "(?:us\\s+)?central(?: standard| daylight)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:ct|cst|cdt)",
    "America/Chicago",
  ],
  [
    "(?:us\\s+)?mountain(?: standard| daylight)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:mt|mst|mdt)",
    "America/Denver",
  ],
  [
    "(?:us\\s+)?pacific(?: standard| daylight)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:pt|pst|pdt)",
    "America/Los_Angeles",
  ],
  ["(?:uk|british(?: summer)?)\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})bst", "Europe/London"],
  ["india(?:n)?(?: standard)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})ist", "Asia/Kolkata"],
  ["japan(?:ese)?(?: standard)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})jst", "Asia/Tokyo"],
  [
    "australian eastern(?: standard| daylight)?\\s+time|(?<=(?:\\d|am|pm|noon|midnight)\\s{0,2})(?:aest|aedt)",
    "Australia/Sydney",
  ],
];

/** Cities people name that are not the city of a zone's name. */
const CITY_ZONES: [string, string][] = [
  ["san francisco", "America/Los_Angeles"],
  ["seattle", "America/Los_Angeles"],
  ["boston", "America/New_York"],
  ["washington", "America/New_York"],
  ["atlanta", "America/New_York"],
  ["miami", "America/New_York"],
  ["dallas", "America/Chicago"],
  ["austin", "America/Chicago"],
  ["houston", "America/Chicago"],
  ["munich", "Europe/Berlin"],
  ["frankfurt", "Europe/Berlin"],
  ["hamburg", "Europe/Berlin"],
  ["milan", "Europe/Rome"],
  ["barcelona", "Europe/Madrid"],
  ["manchester", "Europe/London"],
  ["edinburgh", "Europe/London"],
  ["geneva", "Europe/Zurich"],
  ["bangalore", "Asia/Kolkata"],
  ["bengaluru", "Asia/Kolkata"],
  ["mumbai", "Asia/Kolkata"],
  ["delhi", "Asia/Kolkata"],
  ["new delhi", "Asia/Kolkata"],
  ["beijing", "Asia/Shanghai"],
  ["osaka", "Asia/Tokyo"],
];

/**
 * A time zone named in the request: an IANA name ("Europe/Berlin"), or a zone's city ("Berlin time", "in New York").
 */
export function readTimeZone(text: RequestText): { zone: string | undefined; said: string } | undefined {
  const zones = Intl.supportedValuesOf("timeZone");
  const iana = text.takeOne(/\b(?:in\s+|\()?([a-z]+\/[a-z_]+(?:\/[a-z_]+)?)\)?(?:\s+time)?\b/, "schedule");
  if (iana) {
    const found = zones.find((zone) => zone.toLowerCase() === iana[1]);
    if (found) return { zone: found, said: iana[0] };
    throw new PlannerDeclined(
      "needs-input",
      iana[0],
      `"${iana[1]}" is not a time zone; name one like Europe/Berlin or America/New_York`,
      ["Europe/Berlin", "America/New_York", "UTC"],
      { replaces: iana[1] },
    );
  }
  // "Central European time", "ET", "Pacific time": a zone's everyday name, to the zone most people mean by it.
  for (const [words, zone] of NAMED_ZONES) {
    const found = text.takeOne(new RegExp(`\\b(?:in\\s+)?(?:${words})(?:\\s+zone)?\\b|\\((?:${words})\\)`), "schedule");
    if (found) return { zone, said: found[0] };
  }
  const utc = text.takeOne(/\b(?:utc|gmt)\b(?:\s+time)?/, "schedule");
  if (utc) return { zone: undefined, said: utc[0] };
  const cities = new Map(zones.map((zone) => [zone.split("/").pop()?.replace(/_/g, " ").toLowerCase() ?? zone, zone]));
  for (const [city, zone] of CITY_ZONES) cities.set(city, zone);
  for (const [city, zone] of cities) {
    if (city.length < 4) continue;
    const escaped = city.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const found = text.takeOne(
      new RegExp(`\\bin\\s+${escaped}(?:\\s+time)?\\b|\\b${escaped}\\s+time\\b|\\(${escaped}\\)`),
      "schedule",
    );
    if (found) return { zone, said: found[0] };
  }
  return undefined;
}
