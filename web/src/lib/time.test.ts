import { describe, expect, it } from "vitest";
import {
  addDays,
  formatInstant,
  clockIn,
  dateIn,
  formatElapsed,
  formatMinutes,
  isIsoDate,
  isValidTimeZone,
  longDate,
  runningSince,
  zonedInstant,
} from "./time";

describe("formatElapsed", () => {
  it("shows h:mm:ss", () => {
    expect(formatElapsed(0)).toBe("0:00:00");
    expect(formatElapsed(59_999)).toBe("0:00:59");
    expect(formatElapsed(3_725_000)).toBe("1:02:05");
    expect(formatElapsed(10 * 3_600_000)).toBe("10:00:00");
  });
  it("shows h:mm without seconds", () => {
    expect(formatElapsed(3_725_000, false)).toBe("1:02");
  });
  it("never goes below zero (a clock a little behind the service's)", () => {
    expect(formatElapsed(-5_000)).toBe("0:00:00");
  });
});

describe("formatMinutes", () => {
  it("shows h:mm", () => {
    expect(formatMinutes(0)).toBe("0:00");
    expect(formatMinutes(5)).toBe("0:05");
    expect(formatMinutes(100)).toBe("1:40");
    expect(formatMinutes(600)).toBe("10:00");
  });
});

describe("dates in a time zone", () => {
  const lateEvening = Date.parse("2026-12-03T23:30:00Z");
  it("is the person's date, not UTC's", () => {
    expect(dateIn("UTC", lateEvening)).toBe("2026-12-03");
    expect(dateIn("Europe/Berlin", lateEvening)).toBe("2026-12-04");
    expect(dateIn("America/Los_Angeles", lateEvening)).toBe("2026-12-03");
    expect(dateIn("Pacific/Auckland", Date.parse("2026-12-03T12:00:00Z"))).toBe("2026-12-04");
    expect(dateIn("America/Los_Angeles", Date.parse("2026-12-04T07:59:00Z"))).toBe("2026-12-03");
  });
  it("gives the clock time there", () => {
    expect(clockIn("Europe/Berlin", lateEvening)).toBe("00:30");
    expect(clockIn("Asia/Kolkata", Date.parse("2026-12-03T10:00:00Z"))).toBe("15:30");
  });
  it("turns a wall-clock time back into an instant, across daylight saving changes", () => {
    expect(zonedInstant("2026-03-28", "12:00", "Europe/Berlin")).toBe(Date.parse("2026-03-28T11:00:00Z"));
    expect(zonedInstant("2026-03-29", "03:30", "Europe/Berlin")).toBe(Date.parse("2026-03-29T01:30:00Z"));
    expect(zonedInstant("2026-11-01", "12:00", "America/New_York")).toBe(Date.parse("2026-11-01T17:00:00Z"));
    expect(zonedInstant("2026-12-04", "00:15", "Pacific/Auckland")).toBe(Date.parse("2026-12-03T11:15:00Z"));
  });
  it("knows a zone from a typo", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Europe/Berlyn")).toBe(false);
  });
});

describe("calendar dates", () => {
  it("moves across months, years and leap days", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addDays("2026-12-03", -7)).toBe("2026-11-26");
  });
  it("accepts only real dates", () => {
    expect(isIsoDate("2026-02-28")).toBe(true);
    expect(isIsoDate("2026-02-30")).toBe(false);
    expect(isIsoDate("2026-2-3")).toBe(false);
    expect(isIsoDate(null)).toBe(false);
  });
  it("writes a date out in full, whatever the browser's zone", () => {
    expect(longDate("2026-12-03", "en-GB")).toMatch(/^Thursday,? 3 December 2026$/);
  });
});

describe("runningSince", () => {
  it("takes the second from createdAt when the timer was started within its start minute", () => {
    const since = runningSince({ date: "2026-12-03", startTime: "18:51", createdAt: "2026-12-03T18:51:40.5Z" }, "UTC");
    expect(since).toBe(Date.parse("2026-12-03T18:51:40.5Z"));
  });
  it("uses the start time when the timer was started at an earlier time", () => {
    const since = runningSince({ date: "2026-12-03", startTime: "09:00", createdAt: "2026-12-03T09:20:00Z" }, "Europe/Berlin");
    expect(since).toBe(Date.parse("2026-12-03T08:00:00Z"));
  });
});

describe("formatInstant", () => {
  it("writes an instant in the zone asked for, and leaves what is not one as given", () => {
    expect(formatInstant("2026-12-04T23:30:00Z", "Europe/Berlin", "en-GB")).toBe("5 Dec 2026, 00:30");
    expect(formatInstant("2026-12-04T23:30:00Z", "UTC", "en-GB")).toBe("4 Dec 2026, 23:30");
    expect(formatInstant("soon", "UTC", "en-GB")).toBe("soon");
  });
});
