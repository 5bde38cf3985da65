// Time and date helpers. Dates are plain `YYYY-MM-DD` strings and clock times `HH:MM`,
// as the service speaks them; "today" and "now" are taken in the person's time zone
// (from `GET /v1/me`), never the browser's.

const pad = (n: number) => String(n).padStart(2, "0");

/** Elapsed milliseconds as `h:mm:ss` (or `h:mm` without seconds); negative counts as 0. */
export function formatElapsed(ms: number, withSeconds = true): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return withSeconds ? `${h}:${pad(m)}:${pad(s)}` : `${h}:${pad(m)}`;
}

/** Whole minutes as `h:mm`. */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  return `${Math.floor(m / 60)}:${pad(m % 60)}`;
}

/** Minutes for people reading aloud, e.g. `1 h 5 min`. */
export function spokenMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return `${rest} min`;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `instant`. Throws RangeError for an unknown zone. */
export function wallClock(instant: Date | number, timeZone: string): Parts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour === 24 ? 0 : parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The date (`YYYY-MM-DD`) in `timeZone` at `instant`. */
export function dateIn(timeZone: string, instant: Date | number = Date.now()): string {
  const p = wallClock(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The clock time (`HH:MM`) in `timeZone` at `instant`. */
export function clockIn(timeZone: string, instant: Date | number = Date.now()): string {
  const p = wallClock(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant (ms since epoch) at which the wall clock in `timeZone` shows `date` `time`. */
export function zonedInstant(date: string, time: string, timeZone: string): number {
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (t: number) => {
    const p = wallClock(t, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
  };
  // Two rounds settle the offset, also next to a daylight-saving change.
  let guess = asUtc - offsetAt(asUtc);
  guess = asUtc - offsetAt(guess);
  return guess;
}

/** `date` moved by `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

export function isIsoDate(s: string | null | undefined): s is string {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  return addDays(s, 0) === s;
}

/** A calendar date written out with `Intl` options (the same whatever the browser's zone). */
export function formatDate(date: string, options: Intl.DateTimeFormatOptions, locale?: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A long form of a date for headings, e.g. `Wednesday, 3 December 2026`. */
export function longDate(date: string, locale?: string): string {
  return formatDate(date, { weekday: "long", day: "numeric", month: "long", year: "numeric" }, locale);
}

/** The ISO weekday of a date: 1 for Monday … 7 for Sunday. */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** The Monday of the (Monday–Sunday) week that `date` is in. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

/** Minutes since midnight as `HH:MM` (wrapping past midnight). */
export function clockOf(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** Minutes since midnight of `HH:MM`. */
export function clockMinutes(time: string): number {
  const [h, m] = time.split(":").map(Number);
  return h * 60 + m;
}

/**
 * When a running entry started. The entry says `date` and `startTime` (to the minute)
 * in the person's zone; when it was created within that minute (a timer started "now"),
 * `createdAt` gives the second as well.
 */
export function runningSince(
  entry: { date: string; startTime: string; createdAt?: string },
  timeZone: string,
): number {
  const start = zonedInstant(entry.date, entry.startTime, timeZone);
  const created = entry.createdAt ? Date.parse(entry.createdAt) : NaN;
  if (Number.isFinite(created) && created >= start && created < start + 60_000) return created;
  return start;
}

/** An instant (ISO 8601) as a date and time in `timeZone`, e.g. `4 Dec 2026, 14:05`; unparsable input as given. */
export function formatInstant(at: string, timeZone: string, locale?: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(d);
}
