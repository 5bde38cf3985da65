import { describe, expect, it } from "vitest";
import type { EntryAnswer } from "../api/client";
import { parseTags, recentTasks } from "./recent";

let n = 0;
const e = (date: string, startTime: string, task: string, project = "P", tags: string[] = []): EntryAnswer => ({
  id: `e${++n}`,
  date,
  startTime,
  endTime: null,
  minutes: null,
  hours: null,
  task,
  project,
  tags,
  notes: null,
  createdAt: `${date}T${startTime}:00Z`,
  updatedAt: `${date}T${startTime}:00Z`,
});

describe("recentTasks", () => {
  it("lists distinct task, project and tags, most recent first", () => {
    const entries = [
      e("2026-12-01", "09:00", "Review", "Web", ["a", "b"]),
      e("2026-12-02", "09:00", "Write docs", "Web"),
      e("2026-12-03", "08:00", "Review", "Web", ["b", "a"]), // same as the first: tags in another order
      e("2026-12-03", "10:00", "Review", "API", ["a", "b"]), // another project
      e("2026-12-02", "11:00", "Review", "Web", ["a"]), // other tags
    ];
    expect(recentTasks(entries).map((t) => `${t.task}/${t.project}/${t.tags.join("+")}`)).toEqual([
      "Review/API/a+b",
      "Review/Web/b+a",
      "Review/Web/a",
      "Write docs/Web/",
    ]);
  });

  it("keeps at most eight", () => {
    const entries = Array.from({ length: 12 }, (_, i) => e("2026-12-03", `${String(8 + i).padStart(2, "0")}:00`, `task ${i}`));
    const out = recentTasks(entries);
    expect(out).toHaveLength(8);
    expect(out[0].task).toBe("task 11");
    expect(out[7].task).toBe("task 4");
  });
});

describe("parseTags", () => {
  it("splits on commas and drops empty pieces", () => {
    expect(parseTags(" Code Review, backend ,, ")).toEqual(["Code Review", "backend"]);
    expect(parseTags("")).toEqual([]);
  });
});
