// Settings helpers: the time zones to offer and the names of months.

export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** The browser's own IANA zone, or null when it does not say. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

let zones: string[] | null = null;

/** Every IANA zone the browser knows, UTC first (some browsers leave it out of the list). */
export function timeZoneOptions(): string[] {
  if (!zones) {
    let list: string[] = [];
    try {
      list = Intl.supportedValuesOf("timeZone");
    } catch {
      list = [];
    }
    zones = ["UTC", ...list.filter((z) => z !== "UTC")];
  }
  return zones;
}
