import { describe, expect, it } from "vitest";
import { diffStats, lineDiff, splitLines } from "./lineDiff";

const show = (before: string, after: string) =>
  lineDiff(before, after).map((d) => `${d.kind === "same" ? " " : d.kind === "add" ? "+" : "-"}${d.text}`);

describe("lineDiff", () => {
  it("keeps equal texts as they are", () => {
    expect(show("a\nb\n", "a\nb\n")).toEqual([" a", " b"]);
  });

  it("shows a changed line as removed and added, in place", () => {
    expect(show("a\nb\nc\n", "a\nB\nc\n")).toEqual([" a", "-b", "+B", " c"]);
  });

  it("finds the longest common lines between insertions and deletions", () => {
    expect(show("x\na\nb\nc\ny", "x\nb\nq\nc\nr\ny")).toEqual([" x", "-a", " b", "+q", " c", "+r", " y"]);
  });

  it("numbers lines on both sides", () => {
    const d = lineDiff("a\nb\nc", "a\nc\nd");
    expect(d).toEqual([
      { kind: "same", text: "a", before: 1, after: 1 },
      { kind: "del", text: "b", before: 2 },
      { kind: "same", text: "c", before: 3, after: 2 },
      { kind: "add", text: "d", after: 3 },
    ]);
    expect(diffStats(d)).toEqual({ added: 1, removed: 1 });
  });

  it("handles empty sides and a missing final newline", () => {
    expect(show("", "a\n")).toEqual(["+a"]);
    expect(show("a\n", "")).toEqual(["-a"]);
    expect(splitLines("a\r\nb")).toEqual(["a", "b"]);
    expect(show("a\nb", "a\nb\n")).toEqual([" a", " b"]);
  });
});
