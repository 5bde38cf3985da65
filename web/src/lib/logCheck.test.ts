import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Diagnostic, LogCheck } from "../api/client";
import { createChecker, onlyWouldDeleteMost, statusLine } from "./logCheck";

const check = (c: Partial<LogCheck>): LogCheck => ({
  fiscalYear: "2026-2027",
  status: "ok",
  logVersion: 3,
  summary: { unchanged: 4, updated: 2, inserted: 1, deleted: 0 },
  diagnostics: [],
  message: null,
  ...c,
});
const diag = (d: Partial<Diagnostic>): Diagnostic => ({ line: 8, severity: "error", code: "invalid-time", message: "m", ...d });

describe("statusLine", () => {
  it("says what saving would change", () => {
    expect(statusLine(check({}))).toBe("No errors — saving would add 1, change 2, delete 0 entries");
    expect(statusLine(check({ summary: { unchanged: 0, updated: 0, inserted: 0, deleted: 1 } }))).toBe(
      "No errors — saving would add 0, change 0, delete 1 entry",
    );
  });

  it("mentions notes that are not errors", () => {
    expect(statusLine(check({ diagnostics: [diag({ severity: "warning" })] }))).toBe(
      "No errors — saving would add 1, change 2, delete 0 entries (1 note below)",
    );
  });

  it("counts errors", () => {
    const two = [diag({}), diag({ line: 9 }), diag({ severity: "warning" })];
    expect(statusLine(check({ status: "rejected", summary: null, diagnostics: two }))).toBe("2 errors: fix them to save");
    expect(statusLine(check({ status: "rejected", summary: null, diagnostics: [diag({})] }))).toBe("1 error: fix it to save");
  });

  it("tells a conflict and a mass deletion apart", () => {
    expect(statusLine(check({ status: "conflict", logVersion: 5 }))).toMatch(/changed since you started editing \(it is at version 5 now\)/);
    const most = [diag({ line: 1, code: "would-delete-most" })];
    expect(onlyWouldDeleteMost(most)).toBe(true);
    expect(onlyWouldDeleteMost([...most, diag({})])).toBe(false);
    expect(statusLine(check({ status: "rejected", summary: null, diagnostics: most }))).toMatch(/asked to confirm/);
  });
});

describe("createChecker", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("checks once, a delay after the last edit", async () => {
    const run = vi.fn(async (t: string) => t.toUpperCase());
    const onResult = vi.fn();
    const c = createChecker({ delay: 400, run, onResult, onError: vi.fn() });
    c.schedule("a");
    await vi.advanceTimersByTimeAsync(300);
    c.schedule("ab");
    await vi.advanceTimersByTimeAsync(399);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenCalledWith("ab");
    expect(onResult).toHaveBeenCalledWith("AB", "ab");
  });

  it("drops a slow answer to an older text when a newer one came first", async () => {
    const answers: Record<string, number> = { old: 1000, new: 50 };
    const run = (t: string) => new Promise<string>((r) => setTimeout(() => r(`checked ${t}`), answers[t]));
    const onResult = vi.fn();
    const onPending = vi.fn();
    const c = createChecker({ delay: 400, run, onResult, onError: vi.fn(), onPending });
    c.schedule("old");
    await vi.advanceTimersByTimeAsync(400); // the old check is under way
    c.schedule("new");
    await vi.advanceTimersByTimeAsync(450); // the new one is answered
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onResult).toHaveBeenLastCalledWith("checked new", "new");
    await vi.advanceTimersByTimeAsync(2000); // the old answer arrives late
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onPending).toHaveBeenLastCalledWith(false);
  });

  it("drops a late error too, and cancel drops what is pending", async () => {
    let fail!: (e: Error) => void;
    const run = vi.fn((t: string) => (t === "slow" ? new Promise<string>((_, rej) => (fail = rej)) : Promise.resolve(t)));
    const onResult = vi.fn();
    const onError = vi.fn();
    const c = createChecker({ delay: 10, run, onResult, onError });
    void c.now("slow");
    await c.now("fast");
    fail(new Error("late"));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).not.toHaveBeenCalled();
    expect(onResult).toHaveBeenCalledWith("fast", "fast");
    c.schedule("never");
    c.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).not.toHaveBeenCalledWith("never");
  });
});
