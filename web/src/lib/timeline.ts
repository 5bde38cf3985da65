import type { DailyReport, Gap, ListedEntry } from "../api/client";
import { clockMinutes } from "./time";

/** A row of the day: an entry (with its id, to edit it) or a gap. */
export type TimelineItem =
  | { kind: "entry"; key: string; entry: ListedEntry; id: string | null; running: boolean }
  | { kind: "gap"; key: string; gap: Gap };

/**
 * The daily report's entries and gaps in the order of the day: each gap sits between the
 * entry it follows and the one it precedes. The service lists each entry with its id.
 */
export function buildTimeline(report: Pick<DailyReport, "entries" | "gaps">): TimelineItem[] {
  const entries = report.entries.map((entry, i) => {
    const id = entry.id ?? null;
    return {
      sort: clockMinutes(entry.startTime),
      order: 0,
      item: {
        kind: "entry" as const,
        key: id ?? `entry-${i}`,
        entry,
        id,
        running: entry.endTime == null,
      },
    };
  });
  // A gap starts where an entry ends, so it sorts after any entry starting at that minute.
  const gaps = report.gaps.map((gap) => ({
    sort: clockMinutes(gap.start),
    order: 1,
    item: { kind: "gap" as const, key: `gap-${gap.start}-${gap.end}`, gap },
  }));

  return [...entries, ...gaps]
    .map((x, i) => ({ ...x, i }))
    .sort((a, b) => a.sort - b.sort || a.order - b.order || a.i - b.i)
    .map((x) => x.item);
}
