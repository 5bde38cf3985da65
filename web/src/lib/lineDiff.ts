/** One line of a line diff: kept, removed from `before` or added in `after` (1-based line numbers). */
export type DiffLine =
  | { kind: "same"; text: string; before: number; after: number }
  | { kind: "del"; text: string; before: number }
  | { kind: "add"; text: string; after: number };

export const splitLines = (text: string): string[] => {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop(); // a final newline ends the last line, it starts none
  return lines;
};

/**
 * A line diff of `before` → `after` by longest common subsequence. The common head and
 * tail are taken off first, so a log with a few edits costs little however long it is.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;

  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: "same", text: a[i], before: i + 1, after: i + 1 });

  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  // lcs[i * (m + 1) + j]: the LCS length of am[i..] and bm[j..]
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        am[i] === bm[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      out.push({ kind: "same", text: am[i], before: head + i + 1, after: head + j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
      // removals before additions, as diffs are usually read
      out.push({ kind: "del", text: am[i], before: head + i + 1 });
      i++;
    } else {
      out.push({ kind: "add", text: bm[j], after: head + j + 1 });
      j++;
    }
  }
  for (let k = 0; k < tail; k++) {
    const ai = a.length - tail + k;
    const bi = b.length - tail + k;
    out.push({ kind: "same", text: a[ai], before: ai + 1, after: bi + 1 });
  }
  return out;
}

/** How many lines a diff adds and removes. */
export function diffStats(diff: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const d of diff) {
    if (d.kind === "add") added++;
    else if (d.kind === "del") removed++;
  }
  return { added, removed };
}
