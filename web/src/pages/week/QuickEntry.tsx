import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { EntryAnswer, NewEntry, Notice } from "../../api/client";
import { Field } from "../../components/Field";
import { inApp } from "../../components/Header";
import { FIELD_LABEL, FieldNotices, findingsOf, ProblemNotice } from "../../components/Notices";
import { clockMinutes, clockOf, formatDate } from "../../lib/time";
import { parseDuration, quickEntryBody } from "../../lib/week";
import { shownProject } from "../../lib/projectNames";

const FIELDS = ["startTime", "endTime", "task"];

export type QuickEntryProps = {
  id?: string;
  project: string;
  date: string;
  initialTask: string;
  initialStart: string;
  /** The day's entries (all projects), as a reminder of what is taken. */
  dayEntries: readonly EntryAnswer[];
  /** Posts the entry; throws the service's problem, which is shown here. */
  onSubmit: (body: NewEntry) => Promise<void>;
  onClose: () => void;
};

/** A cell's quick entry: how long, from when, and the task; Escape closes it. */
export function QuickEntry({ id, project, date, initialTask, initialStart, dayEntries, onSubmit, onClose }: QuickEntryProps) {
  const [duration, setDuration] = useState("");
  const [start, setStart] = useState(initialStart);
  const [task, setTask] = useState(initialTask);
  const [durationError, setDurationError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const durationBox = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const problemId = useId();
  const dayLabel = formatDate(date, { weekday: "long", day: "numeric", month: "long" });
  const parsed = duration.trim() ? parseDuration(duration) : null;

  const { invalid, byField: f, elsewhere } = findingsOf(problem, FIELDS);
  const durationNotices: Notice[] = [
    ...(durationError ? [{ field: "duration", code: "duration", message: durationError, severity: "error" as const }] : []),
    ...(f.endTime ?? []),
  ];
  const describe = (field: string) => (invalid.has(field) ? problemId : undefined);

  let until = "1:30, 90m or 1.5h";
  if (parsed && "minutes" in parsed && /^\d\d:\d\d$/.test(start)) {
    const end = clockMinutes(start) + parsed.minutes;
    until = `Until ${clockOf(end)}${end >= 1440 ? " the next day" : ""}`;
  }

  // A refusal moves focus to the field the service found wrong (the alert says why); else it stays on Add.
  useEffect(() => {
    if (problem) formRef.current?.querySelector<HTMLElement>('input[aria-invalid="true"]')?.focus();
  }, [problem]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const d = parseDuration(duration);
    if ("error" in d) {
      setDurationError(d.error);
      durationBox.current?.querySelector("input")?.focus();
      return;
    }
    setDurationError(null);
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit(quickEntryBody({ date, project, task, startTime: start, minutes: d.minutes }));
    } catch (err) {
      setProblem(err as Error);
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape" && !busy) {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  }

  const taken = [...dayEntries].sort((a, b) => a.startTime.localeCompare(b.startTime));

  return (
    <form ref={formRef} id={id} className="quick-entry" onSubmit={submit} onKeyDown={onKeyDown} aria-label={`Add time to ${shownProject(project)} on ${dayLabel}`} noValidate>
      <div className="quick-head">
        <p className="quick-title">
          Add time to <strong>{shownProject(project)}</strong> on {dayLabel}
        </p>
        <a className="quick-day-link" href={`/?date=${date}`} onClick={inApp(`/?date=${date}`)}>
          Open {formatDate(date, { weekday: "short", day: "numeric", month: "short" })} in Today
        </a>
      </div>
      <div className="quick-grid">
        <div ref={durationBox} className="q-duration">
          <Field
            label="Duration"
            value={duration}
            onChange={(v) => {
              setDuration(v);
              setDurationError(null);
            }}
            notices={durationNotices}
            invalid={invalid.has("endTime") || !!durationError}
            describedBy={describe("endTime")}
            hint={until}
            required
            autoFocus
          />
        </div>
        <Field
          label="Start"
          type="time"
          value={start}
          onChange={setStart}
          notices={f.startTime}
          invalid={invalid.has("startTime")}
          describedBy={describe("startTime")}
          required
          className="q-start"
        />
        <Field
          label="Task"
          value={task}
          onChange={setTask}
          notices={f.task}
          invalid={invalid.has("task")}
          describedBy={describe("task")}
          required
          className="q-task"
        />
      </div>
      {problem && (
        <div className="form-problem" id={problemId}>
          <ProblemNotice problem={problem} />
          {elsewhere.length > 0 && (
            <ul className="notices">
              {elsewhere.map((n, i) => (
                <li key={i} className={`notice notice-${n.severity}`}>
                  <span className="notice-label">{FIELD_LABEL[n.field] ?? n.field}</span> {n.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="quick-foot">
        <div className="form-actions">
          {/* Not disabled while busy: a disabled button drops the focus, and Escape with it. */}
          <button type="submit" className="button-primary" aria-disabled={busy || undefined}>
            {busy ? "Adding…" : "Add"}
          </button>
          <button type="button" className="button-secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
        {taken.length > 0 && (
          <p className="quick-taken hint">
            Logged that day:{" "}
            {taken.map((e, i) => (
              <span key={e.id}>
                {i > 0 && ", "}
                {e.startTime}–{e.endTime ?? "now"}
              </span>
            ))}
          </p>
        )}
      </div>
    </form>
  );
}

/** What a successful quick entry says, with the service's notes about it. */
export function AddedNotice({ entry, warnings, onDismiss }: { entry: EntryAnswer; warnings: readonly Notice[]; onDismiss: () => void }) {
  return (
    <div className="quick-done">
      <p>
        Added {entry.startTime}–{entry.endTime} “{entry.task}” to {shownProject(entry.project)} on{" "}
        {formatDate(entry.date, { weekday: "long", day: "numeric", month: "long" })}.
      </p>
      <FieldNotices notices={warnings} withField />
      <button type="button" className="button-quiet" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
