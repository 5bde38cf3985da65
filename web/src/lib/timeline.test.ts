import { describe, expect, it } from "vitest";
import type { ListedEntry } from "../api/client";
import { buildTimeline } from "./timeline";

const listed = (e: Partial<ListedEntry>): ListedEntry => ({
  date: "2026-12-03",
  startTime: "09:00",
  endTime: "10:00",
  minutes: 60,
  hours: 1,
  task: "t",
  project: "P",
  tags: [],
  notes: null,
  ...e,
});

describe("buildTimeline", () => {
  const a = listed({ startTime: "09:00", endTime: "09:10", minutes: 10, task: "standup" });
  const b = listed({ startTime: "11:00", endTime: "12:30", minutes: 90, task: "review" });
  const c = listed({ startTime: "13:00", endTime: null, minutes: null, task: "timer" });
  const gaps = [
    { start: "09:10", end: "11:00", minutes: 110 },
    { start: "12:30", end: "13:00", minutes: 30 },
  ];

  it("puts each gap between the entries it separates, in the order of the day", () => {
    // Given out of order, as a report could: the day is still in order.
    const items = buildTimeline({ entries: [c, a, b], gaps: [...gaps].reverse() });
    expect(items.map((i) => (i.kind === "gap" ? `gap ${i.gap.start}-${i.gap.end}` : i.entry.task))).toEqual([
      "standup",
      "gap 09:10-11:00",
      "review",
      "gap 12:30-13:00",
      "timer",
    ]);
  });

  it("marks the running entry", () => {
    const items = buildTimeline({ entries: [a, c], gaps: [] });
    expect(items.map((i) => i.kind === "entry" && i.running)).toEqual([false, true]);
  });

  it("keeps each entry's id, also for twins of the same times and task", () => {
    const twin1 = listed({ id: "id-s1", startTime: "14:00", endTime: "14:30", task: "same" });
    const twin2 = listed({ id: "id-s2", startTime: "14:00", endTime: "14:30", task: "same" });
    const items = buildTimeline({ entries: [{ ...b, id: "id-b" }, twin2, { ...a, id: "id-a" }, twin1], gaps: [] });
    expect(items.map((i) => i.kind === "entry" && i.id)).toEqual(["id-a", "id-b", "id-s2", "id-s1"]);
  });

  it("leaves an entry listed without an id (an offline report's) not editable", () => {
    const items = buildTimeline({ entries: [{ ...a, id: "id-a" }, b], gaps: [] });
    expect(items.map((i) => i.kind === "entry" && i.id)).toEqual(["id-a", null]);
  });
});
