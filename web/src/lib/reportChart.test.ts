import { describe, expect, it } from "vitest";
import { chartModel, chartSummary, OTHER, PALETTE, type PeriodReport } from "./reportChart";

const project = (name: string, totalMinutes: number) => ({
  name,
  totalMinutes,
  totalHours: totalMinutes / 60,
  share: 0,
  entryCount: 1,
  description: "",
  status: "Active" as const,
  startDate: null,
  departmentalGoals: [],
  strategicDirections: [],
  topTasks: [],
});

function report(groups: { key: string; name?: string; projects: [string, number][] }[]): PeriodReport {
  return {
    kind: "range",
    period: { start: "2026-12-01", end: "2026-12-03" },
    groupBy: "tag",
    sort: "hours",
    suppressed: [],
    groupsOverlap: false,
    summary: { totalMinutes: 0, totalHours: 0, totalEntries: 0, projectCount: 0, daysWithEntries: 0 },
    groups: groups.map((g) => {
      const projects = g.projects.map(([n, m]) => project(n, m));
      const total = projects.reduce((n, p) => n + p.totalMinutes, 0);
      return { key: g.key, name: g.name ?? null, totalMinutes: total, totalHours: total / 60, share: 0, projects };
    }),
  } as PeriodReport;
}

describe("the chart's bars", () => {
  it("has a bar per group split by project, the projects with most hours first", () => {
    const m = chartModel(
      report([
        { key: "u-1", name: "Ada", projects: [["Web", 60], ["Research", 30]] },
        { key: "u-2", name: "Linus", projects: [["Research", 90]] },
      ]),
    );
    expect(m.groups).toEqual(["Ada", "Linus"]);
    expect(m.groupMinutes).toEqual([90, 90]);
    expect(m.series).toEqual([
      { project: "Research", colour: PALETTE[0], minutes: [30, 90] },
      { project: "Web", colour: PALETTE[1], minutes: [60, 0] },
    ]);
    expect(chartSummary(m, "hours per person")).toBe(
      "Bar chart of hours per person: Ada 1:30 (Research 0:30, Web 1:00), Linus 1:30 (Research 1:30).",
    );
  });

  it("names a bar by its project alone when the groups are the projects", () => {
    const m = chartModel(report([{ key: "Web", projects: [["Web", 75]] }, { key: "Research", projects: [["Research", 30]] }]));
    expect(chartSummary(m, "hours per project")).toBe("Bar chart of hours per project: Web 1:15, Research 0:30.");
  });

  it("sums the projects beyond the colours as Other projects", () => {
    const m = chartModel(report([{ key: "All", projects: [["A", 50], ["B", 40], ["C", 30], ["D", 20]] }]), 3);
    expect(m.series.map((s) => [s.project, s.minutes[0]])).toEqual([
      ["A", 50],
      ["B", 40],
      [OTHER, 50],
    ]);
  });
});
