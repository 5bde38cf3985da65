import { describe, expect, it } from "vitest";
import { entry } from "../test/fakeService";
import { isoWeekday, mondayOf } from "./time";
import { buildWeek, defaultStart, defaultTask, parseDuration, quickEntryBody, weekDates } from "./week";

const DAYS = weekDates("2026-11-30"); // Monday 30 November – Sunday 6 December 2026
const NOW = Date.parse("2026-12-03T14:00:00Z");

describe("weeks", () => {
  it("run Monday to Sunday, whichever day is asked for", () => {
    expect(mondayOf("2026-12-03")).toBe("2026-11-30");
    expect(mondayOf("2026-11-30")).toBe("2026-11-30");
    expect(mondayOf("2026-12-06")).toBe("2026-11-30"); // a Sunday belongs to the week before it
    expect(mondayOf("2027-01-01")).toBe("2026-12-28"); // across the new year
    expect(isoWeekday("2026-12-06")).toBe(7);
    expect(DAYS).toEqual(["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
  });
});

describe("buildWeek", () => {
  it("sums minutes per project and day, with row, column and grand totals", () => {
    const grid = buildWeek(
      [
        entry({ date: "2026-11-30", project: "Web", minutes: 90 }),
        entry({ date: "2026-11-30", startTime: "11:00", endTime: "11:45", project: "Web", minutes: 45 }),
        entry({ date: "2026-12-02", project: "API", minutes: 30 }),
        entry({ date: "2026-12-02", startTime: "13:00", endTime: "14:00", project: "Non-Project", minutes: 60 }),
        entry({ date: "2026-12-07", project: "Web", minutes: 600 }), // the next week: left out
      ],
      DAYS,
      { now: NOW, timeZone: "UTC" },
    );
    expect(grid.rows.map((r) => [r.project, r.minutes, r.total])).toEqual([
      ["API", [0, 0, 30, 0, 0, 0, 0], 30],
      ["Web", [135, 0, 0, 0, 0, 0, 0], 135],
      ["Non-Project", [0, 0, 60, 0, 0, 0, 0], 60], // the entries without a project come last
    ]);
    expect(grid.dayTotals).toEqual([135, 0, 90, 0, 0, 0, 0]);
    expect(grid.total).toBe(225);
    expect(grid.running).toBeNull();
  });

  it("counts an entry that crosses midnight in full on the day it starts", () => {
    const late = entry({ date: "2026-12-01", startTime: "23:00", endTime: "01:00", minutes: 120 });
    const noMinutes = entry({ date: "2026-12-06", startTime: "23:30", endTime: "00:15", minutes: null });
    const grid = buildWeek([late, noMinutes], DAYS, { now: NOW, timeZone: "UTC" });
    expect(grid.rows[0].minutes).toEqual([0, 120, 0, 0, 0, 0, 45]);
    expect(grid.dayTotals[2]).toBe(0);
    expect(grid.total).toBe(165);
  });

  it("counts the running timer up to now, and marks its cell", () => {
    const running = entry({ date: "2026-12-03", startTime: "12:30", endTime: null, minutes: null, createdAt: "2026-12-03T12:30:20Z" });
    const done = entry({ date: "2026-12-03", startTime: "09:00", endTime: "10:00", minutes: 60 });
    const grid = buildWeek([done, running], DAYS, { now: NOW, timeZone: "UTC" });
    expect(grid.rows[0].minutes[3]).toBe(60 + 89); // 12:30:20 to 14:00:00 is 89 whole minutes
    expect(grid.rows[0].running).toEqual([false, false, false, true, false, false, false]);
    expect(grid.running?.id).toBe(running.id);
    const later = buildWeek([done, running], DAYS, { now: NOW + 30 * 60_000, timeZone: "UTC" });
    expect(later.total).toBe(60 + 119);
  });

  it("takes the timer's start in the person's zone", () => {
    const running = entry({ date: "2026-12-03", startTime: "14:00", endTime: null, minutes: null, createdAt: "2026-12-03T13:00:00Z" });
    const grid = buildWeek([running], DAYS, { now: NOW, timeZone: "Europe/Berlin" }); // 14:00 in Berlin is 13:00 UTC
    expect(grid.total).toBe(60);
  });

  it("adds empty rows for projects not in the week yet, and knows each row's latest task", () => {
    const grid = buildWeek(
      [
        entry({ date: "2026-12-01", startTime: "09:00", task: "Older", project: "Web" }),
        entry({ date: "2026-12-02", startTime: "08:00", task: "Newest", project: "Web" }),
        entry({ date: "2026-12-02", startTime: "07:00", task: "Between", project: "Web" }),
      ],
      DAYS,
      { now: NOW, timeZone: "UTC", extraProjects: ["Research", "Web"] },
    );
    expect(grid.rows.map((r) => [r.project, r.total, r.lastTask])).toEqual([
      ["Research", 0, null],
      ["Web", 180, "Newest"],
    ]);
    expect(defaultTask(grid.rows[0])).toBe("Research");
    expect(defaultTask(grid.rows[1])).toBe("Newest");
  });
});

describe("parseDuration", () => {
  it.each([
    ["1:30", 90],
    ["90m", 90],
    ["90 min", 90],
    ["1.5h", 90],
    ["1,5h", 90],
    ["2h", 120],
    ["1h 30m", 90],
    ["1.5", 90],
    ["0:05", 5],
    ["23:59", 1439],
  ])("reads %s as %i minutes", (text, minutes) => {
    expect(parseDuration(text)).toEqual({ minutes });
  });

  it("refuses nothing, no time, a day or more, and words, saying why", () => {
    expect(parseDuration("0")).toEqual({ error: "The duration must be at least 1 minute." });
    expect(parseDuration("0:00")).toEqual({ error: "The duration must be at least 1 minute." });
    expect(parseDuration("25h")).toEqual({ error: "The duration must be under 24 hours." });
    expect(parseDuration("24:00")).toEqual({ error: "The duration must be under 24 hours." });
    expect(parseDuration("90")).toEqual({ error: "The duration must be under 24 hours (for minutes, write 90m)." });
    expect(parseDuration("abc")).toEqual({ error: "“abc” is not a duration; write it e.g. 1:30, 90m or 1.5h." });
    expect(parseDuration("1:75")).toHaveProperty("error");
    expect(parseDuration("  ")).toEqual({ error: "Enter how long, e.g. 1:30, 90m or 1.5h." });
  });
});

describe("defaultStart", () => {
  const opts = { date: "2026-12-02", today: "2026-12-03", nowClock: "14:00" };
  it("is right after the day's last entry ends, whatever the order", () => {
    const day = [
      entry({ date: "2026-12-02", startTime: "13:00", endTime: "14:15" }),
      entry({ date: "2026-12-02", startTime: "09:00", endTime: "10:00" }),
      entry({ date: "2026-12-01", startTime: "16:00", endTime: "18:00" }), // another day
    ];
    expect(defaultStart(day, opts)).toBe("14:15");
  });
  it("is 09:00 on an empty day, and when the day is taken up to midnight", () => {
    expect(defaultStart([], opts)).toBe("09:00");
    expect(defaultStart([entry({ date: "2026-12-02", startTime: "23:00", endTime: "01:00", minutes: 120 })], opts)).toBe("09:00");
  });
  it("is now after a timer running today", () => {
    const running = entry({ date: "2026-12-03", startTime: "11:00", endTime: null, minutes: null });
    expect(defaultStart([running], { ...opts, date: "2026-12-03" })).toBe("14:00");
  });
});

describe("quickEntryBody", () => {
  it("computes the end from the start and the duration", () => {
    expect(quickEntryBody({ date: "2026-12-02", project: "Web", task: " Review ", startTime: "14:15", minutes: 90 })).toEqual({
      date: "2026-12-02",
      startTime: "14:15",
      endTime: "15:45",
      task: "Review",
      project: "Web",
    });
  });
  it("sends no project for the row of entries without one, and wraps past midnight", () => {
    expect(quickEntryBody({ date: "2026-12-02", project: "Non-Project", task: "Reading", startTime: "23:30", minutes: 60 })).toEqual({
      date: "2026-12-02",
      startTime: "23:30",
      endTime: "00:30",
      task: "Reading",
      project: null,
    });
  });
});
