import type { Diagnostic, LogCheck } from "../api/client";

export const WOULD_DELETE_MOST = "would-delete-most";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const errorsOf = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");

/** True when the only errors are `would-delete-most`: saving is allowed once the person confirms. */
export const onlyWouldDeleteMost = (ds: readonly Diagnostic[]) => {
  const errors = errorsOf(ds);
  return errors.length > 0 && errors.every((d) => d.code === WOULD_DELETE_MOST);
};

/** The one-line verdict of a check, for the status line under the editor. */
export function statusLine(check: LogCheck): string {
  if (check.status === "conflict") {
    return `The log has changed since you started editing (it is at version ${check.logVersion} now): saving will show both versions.`;
  }
  const errors = errorsOf(check.diagnostics);
  if (check.status === "rejected" || errors.length > 0) {
    if (onlyWouldDeleteMost(check.diagnostics)) {
      return "Saving would delete most of this year's entries: you will be asked to confirm.";
    }
    const n = errors.length || 1;
    return `${plural(n, "error", "errors")}: fix ${n === 1 ? "it" : "them"} to save`;
  }
  const s = check.summary ?? { inserted: 0, updated: 0, deleted: 0, unchanged: 0 };
  const warnings = check.diagnostics.length;
  return (
    `No errors — saving would add ${s.inserted}, change ${s.updated}, delete ${s.deleted} ${s.deleted === 1 ? "entry" : "entries"}` +
    (warnings ? ` (${plural(warnings, "note", "notes")} below)` : "")
  );
}

/**
 * Checks text some time after the last edit (`schedule`), or at once (`now`). Only the
 * answer to the latest request is passed on: a slow answer to an older text is dropped.
 */
export function createChecker<T>(opts: {
  delay: number;
  run: (text: string) => Promise<T>;
  onResult: (result: T, text: string) => void;
  onError: (error: Error, text: string) => void;
  onPending?: (pending: boolean) => void;
}) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  let stopped = false;

  async function go(text: string, mine: number) {
    try {
      const result = await opts.run(text);
      if (mine === seq && !stopped) opts.onResult(result, text);
    } catch (e) {
      if (mine === seq && !stopped) opts.onError(e as Error, text);
    } finally {
      if (mine === seq && !stopped) opts.onPending?.(false);
    }
  }

  return {
    schedule(text: string) {
      clearTimeout(timer);
      const mine = ++seq;
      opts.onPending?.(true);
      timer = setTimeout(() => void go(text, mine), opts.delay);
    },
    now(text: string) {
      clearTimeout(timer);
      const mine = ++seq;
      opts.onPending?.(true);
      return go(text, mine);
    },
    /** Drops the pending check and any answer still to come. */
    cancel() {
      clearTimeout(timer);
      seq++;
    },
    stop() {
      clearTimeout(timer);
      stopped = true;
    },
  };
}
