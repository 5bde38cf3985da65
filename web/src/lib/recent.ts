import type { EntryAnswer } from "../api/client";

export type RecentTask = { task: string; project: string; tags: string[] };

export const sameTask = (a: RecentTask, b: RecentTask) => keyOf(a) === keyOf(b);

const keyOf = (t: RecentTask) =>
  JSON.stringify([t.task.trim().toLowerCase(), t.project, [...t.tags].sort()]);

/** Distinct task + project + tags, most recent first, at most `limit`. */
export function recentTasks(entries: readonly EntryAnswer[], limit = 8): RecentTask[] {
  const newestFirst = [...entries].sort((a, b) => {
    const ka = `${a.date}T${a.startTime}`;
    const kb = `${b.date}T${b.startTime}`;
    return ka < kb ? 1 : ka > kb ? -1 : b.createdAt.localeCompare(a.createdAt);
  });
  const seen = new Set<string>();
  const out: RecentTask[] = [];
  for (const e of newestFirst) {
    const t = { task: e.task, project: e.project, tags: [...e.tags] };
    const k = keyOf(t);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(t);
    if (out.length === limit) break;
  }
  return out;
}

/** `"a, b ,, c"` → `["a", "b", "c"]`. */
export function parseTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
