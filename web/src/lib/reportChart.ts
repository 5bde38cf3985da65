// What the report chart draws: one bar per group, split by the projects in it.

import type { components } from "../api/schema";
import { formatMinutes } from "./time";

export type PeriodReport = components["schemas"]["PeriodReport"];
export type ReportGroup = components["schemas"]["Group"];

/** Readable on white and told apart from each other (the app's teal first). */
export const PALETTE = ["#0f6f66", "#1f4f8f", "#b26a00", "#7b3fa0", "#b3261e", "#3d7a2a", "#a23d73", "#2a7f9e"];
export const OTHER_COLOUR = "#8a9199";
export const OTHER = "Other projects";

export type Series = { project: string; colour: string; minutes: number[] };
export type ChartModel = { groups: string[]; groupMinutes: number[]; series: Series[] };

/** A group's name as people read it: the person's name in team reports, else its key. */
export const groupName = (g: ReportGroup) => g.name || g.key;

/**
 * The bars of a report: its groups in the report's order, each split into the projects
 * in it; the `maxProjects` projects with most hours overall get their own colour, the
 * rest are summed as "Other projects".
 */
export function chartModel(report: PeriodReport, maxProjects = PALETTE.length): ChartModel {
  const totals = new Map<string, number>();
  for (const g of report.groups) for (const p of g.projects) totals.set(p.name, (totals.get(p.name) ?? 0) + p.totalMinutes);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const kept = ranked.length > maxProjects ? ranked.slice(0, maxProjects - 1) : ranked;
  const rest = ranked.length > kept.length;
  const series: Series[] = kept.map((project, i) => ({
    project,
    colour: PALETTE[i % PALETTE.length],
    minutes: report.groups.map((g) => g.projects.find((p) => p.name === project)?.totalMinutes ?? 0),
  }));
  if (rest) {
    const keptSet = new Set(kept);
    series.push({
      project: OTHER,
      colour: OTHER_COLOUR,
      minutes: report.groups.map((g) =>
        g.projects.filter((p) => !keptSet.has(p.name)).reduce((n, p) => n + p.totalMinutes, 0),
      ),
    });
  }
  return { groups: report.groups.map(groupName), groupMinutes: report.groups.map((g) => g.totalMinutes), series };
}

/**
 * The chart's text alternative: what it shows, group by group, with the projects each bar
 * is split into (the table has it all): "General 1:45 (Web App 1:15, Research 0:30)".
 */
export function chartSummary(model: ChartModel, what: string, limit = 12): string {
  const parts = model.groups.slice(0, limit).map((g, i) => {
    const split = model.series.filter((s) => s.minutes[i] > 0);
    const whole = `${g} ${formatMinutes(model.groupMinutes[i])}`;
    if (split.length === 0 || (split.length === 1 && split[0].project === g)) return whole;
    return `${whole} (${split.map((s) => `${s.project} ${formatMinutes(s.minutes[i])}`).join(", ")})`;
  });
  const more = model.groups.length > limit ? `, and ${model.groups.length - limit} more` : "";
  return `Bar chart of ${what}: ${parts.join(", ")}${more}.`;
}
