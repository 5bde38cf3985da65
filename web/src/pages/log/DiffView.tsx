import { useMemo } from "react";
import { diffStats, lineDiff, type DiffLine } from "../../lib/lineDiff";

type Block = { kind: "lines"; lines: DiffLine[] } | { kind: "skip"; count: number };

/** Long runs of unchanged lines are folded, keeping `context` lines around each change. */
function fold(diff: DiffLine[], context: number): Block[] {
  const keep = diff.map(() => false);
  diff.forEach((d, i) => {
    if (d.kind === "same") return;
    for (let k = Math.max(0, i - context); k <= Math.min(diff.length - 1, i + context); k++) keep[k] = true;
  });
  const blocks: Block[] = [];
  let i = 0;
  while (i < diff.length) {
    if (keep[i]) {
      const lines: DiffLine[] = [];
      while (i < diff.length && keep[i]) lines.push(diff[i++]);
      blocks.push({ kind: "lines", lines });
    } else {
      let count = 0;
      while (i < diff.length && !keep[i]) (count++, i++);
      blocks.push({ kind: "skip", count });
    }
  }
  return blocks;
}

const SIGN = { same: " ", add: "+", del: "−" } as const;
const SAID = { same: "", add: "added: ", del: "removed: " } as const;

/** A line diff of two texts: removed lines (−) from `beforeLabel`, added ones (+) in `afterLabel`. */
export function DiffView({
  before,
  after,
  beforeLabel,
  afterLabel,
  label,
  context = 3,
}: {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
  label: string;
  context?: number;
}) {
  const diff = useMemo(() => lineDiff(before, after), [before, after]);
  const { added, removed } = diffStats(diff);
  const blocks = useMemo(() => fold(diff, context), [diff, context]);
  return (
    <figure className="diff" aria-label={label}>
      <figcaption className="diff-caption">
        <span className="diff-legend diff-legend-del">− {beforeLabel}</span>
        <span className="diff-legend diff-legend-add">+ {afterLabel}</span>
        <span className="diff-stats">
          {added === 0 && removed === 0 ? "no differences" : `${added} added, ${removed} removed`}
        </span>
      </figcaption>
      {(added > 0 || removed > 0) && (
        <div className="diff-body" role="list">
          {blocks.map((b, i) =>
            b.kind === "skip" ? (
              <div key={i} role="listitem" className="diff-skip">
                … {b.count} unchanged {b.count === 1 ? "line" : "lines"}
              </div>
            ) : (
              b.lines.map((d, j) => (
                <div key={`${i}-${j}`} role="listitem" className={`diff-line diff-${d.kind}`}>
                  <span className="diff-no" aria-hidden="true">
                    {d.kind === "add" ? "" : d.before}
                  </span>
                  <span className="diff-no" aria-hidden="true">
                    {d.kind === "del" ? "" : d.after}
                  </span>
                  <span className="diff-sign" aria-hidden="true">
                    {SIGN[d.kind]}
                  </span>
                  <span className="diff-text">
                    {SAID[d.kind] && <span className="visually-hidden">{SAID[d.kind]}</span>}
                    {d.text || " "}
                  </span>
                </div>
              ))
            ),
          )}
        </div>
      )}
    </figure>
  );
}
