import type { DailyReport, EntryAnswer, Gap, ListedEntry } from "../api/client";
import { clockMinutes } from "./time";

/** A row of the day: an entry (with its id when the listing has it) or a gap. */
export type TimelineItem =
  | { kind: "entry"; key: string; entry: ListedEntry; id: string | null; running: boolean }
  | { kind: "gap"; key: string; gap: Gap };

const entryKey = (e: Pick<ListedEntry, "date" | "startTime" | "endTime" | "task" | "project">) =>
  [e.date, e.startTime, e.endTime ?? "", e.task, e.project].join("\u0000");

/**
 * The daily report's entries and gaps in the order of the day: each gap sits between the
 * entry it follows and the one it precedes. The report's entries carry no id, so each is
 * matched with an entry of `GET /v1/entries` for that day (same date, times, task and
 * project; duplicates are paired in order).
 */
export function buildTimeline(
  report: Pick<DailyReport, "entries" | "gaps">,
  listed: readonly EntryAnswer[],
): TimelineItem[] {
  const pool = new Map<string, string[]>();
  for (const e of listed) {
    const k = entryKey(e);
    const ids = pool.get(k) ?? [];
    ids.push(e.id);
    pool.set(k, ids);
  }

  const entries = report.entries.map((entry, i) => {
    const id = pool.get(entryKey(entry))?.shift() ?? null;
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
