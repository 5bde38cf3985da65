// The week page's arithmetic: a project × day grid of minutes from `GET /v1/entries`,
// the quick entry's duration, default start and request body.

import type { EntryAnswer, NewEntry } from "../api/client";
import { addDays, clockMinutes, clockOf, runningSince } from "./time";

/** What the service calls the project of an entry that names none. */
export const NO_PROJECT = "Non-Project";

/** The seven dates (Monday to Sunday) of the week starting `monday`. */
export function weekDates(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/**
 * How long an entry counts: its `minutes`; for the running timer, from its start up to
 * `now` (whole minutes). An entry crossing midnight counts in full on its start date.
 */
export function entryMinutes(e: EntryAnswer, now: number, timeZone: string): number {
  if (e.endTime == null) return Math.max(0, Math.floor((now - runningSince(e, timeZone)) / 60_000));
  if (e.minutes != null) return e.minutes;
  const length = clockMinutes(e.endTime) - clockMinutes(e.startTime);
  return length < 0 ? length + 1440 : length;
}

export type WeekRow = {
  project: string;
  /** Minutes per day, Monday first. */
  minutes: number[];
  /** Whether the running timer is in that day's cell. */
  running: boolean[];
  total: number;
  /** The task of the project's most recent entry in the week. */
  lastTask: string | null;
};

export type WeekGrid = {
  days: string[];
  rows: WeekRow[];
  dayTotals: number[];
  total: number;
  /** The running timer, when it is in the week. */
  running: EntryAnswer | null;
};

const newestFirst = (a: EntryAnswer, b: EntryAnswer) =>
  `${b.date}T${b.startTime}`.localeCompare(`${a.date}T${a.startTime}`) || b.createdAt.localeCompare(a.createdAt);

/**
 * The grid of a week: one row per project (alphabetical, the entries without a project
 * last), plus empty rows for `extraProjects` not in the week yet.
 */
export function buildWeek(
  entries: readonly EntryAnswer[],
  days: readonly string[],
  opts: { now: number; timeZone: string; extraProjects?: readonly string[] },
): WeekGrid {
  const rows = new Map<string, WeekRow & { newest?: EntryAnswer }>();
  const rowOf = (project: string) => {
    let r = rows.get(project);
    if (!r) {
      r = { project, minutes: days.map(() => 0), running: days.map(() => false), total: 0, lastTask: null };
      rows.set(project, r);
    }
    return r;
  };
  let running: EntryAnswer | null = null;
  for (const e of entries) {
    const i = days.indexOf(e.date);
    if (i < 0) continue;
    const r = rowOf(e.project);
    const m = entryMinutes(e, opts.now, opts.timeZone);
    r.minutes[i] += m;
    r.total += m;
    if (e.endTime == null) {
      r.running[i] = true;
      running = e;
    }
    if (!r.newest || newestFirst(e, r.newest) < 0) r.newest = e;
  }
  for (const p of opts.extraProjects ?? []) if (p.trim()) rowOf(p.trim());

  const sorted = [...rows.values()]
    .map(({ newest, ...r }) => ({ ...r, lastTask: newest?.task ?? null }))
    .sort(
      (a, b) =>
        Number(a.project === NO_PROJECT) - Number(b.project === NO_PROJECT) ||
        a.project.localeCompare(b.project, undefined, { sensitivity: "base" }),
    );
  const dayTotals = days.map((_, i) => sorted.reduce((n, r) => n + r.minutes[i], 0));
  return { days: [...days], rows: sorted, dayTotals, total: dayTotals.reduce((n, m) => n + m, 0), running };
}

const EXAMPLES = "e.g. 1:30, 90m or 1.5h";

/**
 * A duration as people write it: `1:30`, `90m`, `1.5h`, `2h`, `1h 30m`, or a bare number
 * of hours (`1.5`). Under 24 hours and at least a minute.
 */
export function parseDuration(text: string): { minutes: number } | { error: string } {
  const t = text.trim().toLowerCase().replace(",", ".");
  if (!t) return { error: `Enter how long, ${EXAMPLES}.` };
  let minutes: number | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2}):([0-5]\d)$/.exec(t))) minutes = Number(m[1]) * 60 + Number(m[2]);
  else if ((m = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:h|hr|hrs|hour|hours)?$/.exec(t))) minutes = Number(m[1]) * 60;
  else if ((m = /^(\d+)\s*(?:m|min|mins|minute|minutes)$/.exec(t))) minutes = Number(m[1]);
  else if ((m = /^(\d+)\s*h\s*(\d+)\s*(?:m|min|mins)?$/.exec(t))) minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes == null || !Number.isFinite(minutes)) return { error: `“${text.trim()}” is not a duration; write it ${EXAMPLES}.` };
  minutes = Math.round(minutes);
  if (minutes < 1) return { error: "The duration must be at least 1 minute." };
  if (minutes >= 24 * 60) {
    const bare = /^\d+$/.test(t) ? ` (for minutes, write ${t}m)` : "";
    return { error: `The duration must be under 24 hours${bare}.` };
  }
  return { minutes };
}

/**
 * Where a new entry on `date` starts by default: right after the day's last entry ends
 * (a running timer ends now, or at midnight on an earlier day), else 09:00. When the day
 * is taken up to midnight, 09:00 as well (the service will say what overlaps).
 */
export function defaultStart(
  dayEntries: readonly EntryAnswer[],
  opts: { date: string; today: string; nowClock: string },
): string {
  let last = -1;
  for (const e of dayEntries) {
    if (e.date !== opts.date) continue;
    let end: number;
    if (e.endTime == null) end = opts.date === opts.today ? clockMinutes(opts.nowClock) : 1440;
    else {
      end = clockMinutes(e.endTime);
      if (end <= clockMinutes(e.startTime)) end += 1440;
    }
    last = Math.max(last, end);
  }
  return last < 0 || last >= 1440 ? "09:00" : clockOf(last);
}

/** The task a new entry of `row` starts with: its most recent in the week, else the project's name. */
export function defaultTask(row: Pick<WeekRow, "project" | "lastTask">): string {
  return row.lastTask ?? row.project;
}

/** The body of `POST /v1/entries` for a quick entry of `minutes` from `startTime`. */
export function quickEntryBody(q: {
  date: string;
  project: string;
  task: string;
  startTime: string;
  minutes: number;
}): NewEntry {
  const project = q.project.trim();
  return {
    date: q.date,
    startTime: q.startTime,
    // Past midnight the end wraps; the service takes that as an entry crossing midnight.
    endTime: clockOf(clockMinutes(q.startTime) + q.minutes),
    task: q.task.trim(),
    project: project && project !== NO_PROJECT ? project : null,
  };
}
