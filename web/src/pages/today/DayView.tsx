import { useEffect, useRef, useState, type RefObject } from "react";
import { Confirm } from "../../components/Confirm";
import type { DailyReport, ListedEntry, Notice } from "../../api/client";
import { byField, FieldNotices, Loading, ProblemNotice } from "../../components/Notices";
import { buildTimeline, type TimelineItem } from "../../lib/timeline";
import { Duration } from "../../components/Duration";
import { addDays, clockMinutes, isIsoDate, longDate } from "../../lib/time";
import type { LoadedResource } from "../../lib/useResource";
import { draftOf, EntryForm, type EntryDraft } from "./EntryForm";
import { shownProject } from "../../lib/projectNames";

export type Day = { report: DailyReport };

type Props = {
  date: string;
  today: string;
  /** The clock now in the person's zone (`HH:MM`), for a new entry's default end. */
  nowClock: string;
  day: LoadedResource<Day>;
  warnings: Readonly<Record<string, Notice[]>>;
  onDate: (date: string) => void;
  onAdd: (d: EntryDraft) => Promise<void>;
  onEdit: (id: string, before: ListedEntry, d: EntryDraft) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
};

export function DayView({ date, today, nowClock, day, warnings, onDate, onAdd, onEdit, onDelete }: Props) {
  const [adding, setAdding] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const isToday = date === today;
  const report = day.data?.report;
  const items = day.data ? buildTimeline(day.data.report) : [];

  useEffect(() => setAdding(false), [date]);

  function closeAdd() {
    setAdding(false);
    requestAnimationFrame(() => addButton.current?.focus());
  }

  const defaultDraft = (): EntryDraft => {
    const start = report?.lastEnd && clockMinutes(report.lastEnd) < 24 * 60 ? report.lastEnd : "";
    const end = isToday && start && clockMinutes(nowClock) > clockMinutes(start) ? nowClock : "";
    return { startTime: start, endTime: end, task: "", project: "", tags: "", notes: "" };
  };

  return (
    <section className="card day" aria-labelledby="day-heading">
      <div className="day-head">
        <h2 id="day-heading">{isToday ? "Today" : longDate(date)}</h2>
        {isToday && <p className="day-date">{longDate(date)}</p>}
      </div>
      <div className="day-nav">
        <button type="button" className="button-secondary" onClick={() => onDate(addDays(date, -1))}>
          <span aria-hidden="true">←</span> Previous day
        </button>
        <label className="day-picker">
          <span className="visually-hidden">Day</span>
          <input
            type="date"
            value={date}
            onChange={(e) => {
              if (isIsoDate(e.target.value)) onDate(e.target.value);
            }}
          />
        </label>
        <button type="button" className="button-secondary" onClick={() => onDate(addDays(date, 1))}>
          Next day <span aria-hidden="true">→</span>
        </button>
        {!isToday && (
          <button type="button" className="button-link" onClick={() => onDate(today)}>
            Back to today
          </button>
        )}
      </div>

      {day.status === "loading" && <Loading what="the day" />}
      {day.status === "error" && (
        <ProblemNotice
          title={day.data ? "The day could not be refreshed." : "The day could not be loaded."}
          problem={day.error}
          onRetry={() => void day.reload()}
        />
      )}

      {report && (
        <>
          <dl className="day-summary">
            <div>
              <dt>Total</dt>
              <dd>
                <Duration minutes={report.totalMinutes} />
              </dd>
            </div>
            {report.firstStart && (
              <div>
                <dt>Span</dt>
                <dd>
                  {report.firstStart}–{report.lastEnd ?? "now"}
                </dd>
              </div>
            )}
            <div>
              <dt>Gaps</dt>
              <dd>
                <Duration minutes={report.gapMinutes} />
              </dd>
            </div>
          </dl>
          {items.length === 0 ? (
            <p className="empty">Nothing logged {isToday ? "yet today" : "on this day"}.</p>
          ) : (
            <ol className="timeline" aria-label="Entries and gaps">
              {items.map((item) =>
                item.kind === "gap" ? (
                  <GapRow key={item.key} item={item} />
                ) : (
                  <EntryRow
                    key={item.key}
                    item={item}
                    warnings={item.id ? warnings[item.id] : undefined}
                    onEdit={onEdit}
                    onDelete={onDelete}
                  />
                ),
              )}
            </ol>
          )}
          {adding ? (
            <div className="add-entry">
              <h3 className="form-title">New entry</h3>
              <EntryForm
                initial={defaultDraft()}
                title="New entry"
                submitLabel="Add entry"
                onSubmit={async (d) => {
                  await onAdd(d);
                  closeAdd();
                }}
                onCancel={closeAdd}
              />
            </div>
          ) : (
            <button type="button" ref={addButton} className="button-secondary add-button" onClick={() => setAdding(true)}>
              + Add entry
            </button>
          )}
        </>
      )}
    </section>
  );
}

function GapRow({ item }: { item: Extract<TimelineItem, { kind: "gap" }> }) {
  const { gap } = item;
  return (
    <li className="gap">
      <span className="gap-line" aria-hidden="true" />
      <span className="gap-text">
        Gap of <Duration minutes={gap.minutes} />
        <span className="gap-times">
          {" "}
          · {gap.start}–{gap.end}
        </span>
      </span>
    </li>
  );
}

function EntryRow({
  item,
  warnings,
  onEdit,
  onDelete,
}: {
  item: Extract<TimelineItem, { kind: "entry" }>;
  warnings?: Notice[];
  onEdit: Props["onEdit"];
  onDelete: Props["onDelete"];
}) {
  const { entry, id, running } = item;
  const [mode, setMode] = useState<"view" | "edit" | "confirm">("view");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const f = byField(warnings ?? []);

  const back = (focus: RefObject<HTMLButtonElement | null>) => {
    setMode("view");
    requestAnimationFrame(() => focus.current?.focus());
  };

  async function remove() {
    if (!id) return;
    setBusy(true);
    setProblem(null);
    try {
      await onDelete(id);
    } catch (e) {
      setProblem(e as Error);
      setBusy(false);
    }
  }

  if (mode === "edit" && id) {
    return (
      <li className="entry entry-editing">
        <EntryForm
          initial={draftOf(entry)}
          running={running}
          title={`Edit ${entry.task}`}
          submitLabel="Save"
          onSubmit={async (d) => {
            await onEdit(id, entry, d);
            back(editButton);
          }}
          onCancel={() => back(editButton)}
        />
      </li>
    );
  }

  return (
    <li className={`entry${running ? " entry-running" : ""}`}>
      <div className="entry-time">
        <span className="entry-range">
          {entry.startTime}–{entry.endTime ?? "now"}
        </span>
        <span className="entry-duration">
          {running ? (
            <span className="badge">running</span>
          ) : (
            entry.minutes != null && <Duration minutes={entry.minutes} />
          )}
        </span>
      </div>
      <div className="entry-body">
        <p className="entry-task">{entry.task}</p>
        <FieldNotices notices={f.task} />
        {(entry.project || entry.tags.length > 0) && (
          <p className="meta">
            {entry.project && <span className="project">{shownProject(entry.project)}</span>}
            {entry.tags.map((t) => (
              <span key={t} className="tag">
                #{t}
              </span>
            ))}
          </p>
        )}
        <FieldNotices notices={[...(f.project ?? []), ...(f.tags ?? [])]} withField />
        {entry.notes && <p className="entry-notes">{entry.notes}</p>}
        <FieldNotices notices={f.notes} />
        {mode === "confirm" && (
          <Confirm
            title="Delete this entry?"
            confirmLabel="Delete entry"
            busyLabel="Deleting…"
            cancelLabel="Keep it"
            busy={busy}
            onConfirm={() => void remove()}
            onCancel={() => setMode("view")}
            fallbackFocus={() => deleteButton.current}
          >
            <p>
              {entry.startTime}–{entry.endTime ?? "now"} {entry.task}. This cannot be undone.
            </p>
          </Confirm>
        )}
        {problem && <ProblemNotice problem={problem} />}
      </div>
      <FieldNotices notices={[...(f.date ?? []), ...(f.startTime ?? []), ...(f.endTime ?? [])]} withField className="entry-time-notices" />
      {id && mode === "view" && (
        <div className="entry-actions">
          <button type="button" ref={editButton} className="button-quiet" onClick={() => setMode("edit")} aria-label={`Edit ${entry.startTime} ${entry.task}`}>
            Edit
          </button>
          <button
            type="button"
            ref={deleteButton}
            className="button-quiet"
            onClick={() => setMode("confirm")}
            aria-label={`Delete ${entry.startTime} ${entry.task}`}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
