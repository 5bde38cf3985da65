import { useId, useState, type FormEvent } from "react";
import type { ApiProblem, EntryPatch, ListedEntry, NewEntry } from "../../api/client";
import { Field } from "../../components/Field";
import { FIELD_LABEL, FieldNotices, findingsOf, ProblemNotice } from "../../components/Notices";
import { parseTags } from "../../lib/recent";

export const PROJECTS_LIST_ID = "project-options";

export type EntryDraft = {
  startTime: string;
  endTime: string;
  task: string;
  project: string;
  tags: string;
  notes: string;
};

export function draftOf(e: ListedEntry): EntryDraft {
  return {
    startTime: e.startTime,
    endTime: e.endTime ?? "",
    task: e.task,
    project: e.project,
    tags: e.tags.join(", "),
    notes: e.notes ?? "",
  };
}

/** The body of `POST /v1/entries` for a draft on `date`. */
export function newEntryBody(d: EntryDraft, date: string): NewEntry {
  const tags = parseTags(d.tags);
  return {
    date,
    startTime: d.startTime,
    endTime: d.endTime,
    task: d.task.trim(),
    project: d.project.trim() || null,
    tags: tags.length ? tags : null,
    notes: d.notes.trim() || null,
  };
}

/** The fields of `PATCH /v1/entries/{id}` that changed (cleared ones as `null`). */
export function patchBody(before: ListedEntry, d: EntryDraft): EntryPatch {
  const patch: EntryPatch = {};
  if (d.startTime !== before.startTime) patch.startTime = d.startTime;
  if (before.endTime != null && d.endTime !== before.endTime) patch.endTime = d.endTime;
  if (d.task.trim() !== before.task) patch.task = d.task.trim();
  const project = d.project.trim();
  if (project !== before.project) patch.project = project || null;
  const tags = parseTags(d.tags);
  if (tags.join("\u0000") !== before.tags.join("\u0000")) patch.tags = tags.length ? tags : null;
  const notes = d.notes.trim();
  if (notes !== (before.notes ?? "")) patch.notes = notes || null;
  return patch;
}

const FORM_FIELDS = ["startTime", "endTime", "task", "project", "tags", "notes"];

/** Add or edit an entry inline. `onSubmit` throws the service's problem, which is shown here. */
export function EntryForm({
  initial,
  running = false,
  submitLabel,
  title,
  onSubmit,
  onCancel,
}: {
  initial: EntryDraft;
  running?: boolean;
  submitLabel: string;
  title: string;
  onSubmit: (d: EntryDraft) => Promise<void>;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | Error | null>(null);
  // A finding that only repeats the error's message is not said twice: its field is marked.
  const { invalid, byField: f, elsewhere } = findingsOf(
    problem,
    running ? FORM_FIELDS.filter((k) => k !== "endTime") : FORM_FIELDS,
  );
  const timeNotices = [...(f.startTime ?? []), ...(f.endTime ?? [])];
  const timeNoticesId = useId();
  const problemId = useId();
  const describe = (field: string) =>
    [field === "startTime" || field === "endTime" ? timeNoticesId : "", invalid.has(field) ? problemId : ""]
      .filter(Boolean)
      .join(" ") || undefined;
  const set = (k: keyof EntryDraft) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit(draft);
    } catch (err) {
      setProblem(err as Error);
      setBusy(false);
    }
  }

  return (
    <form className="entry-form" onSubmit={submit} aria-label={title}>
      <div className="entry-form-grid">
        <Field
          label="Start"
          type="time"
          value={draft.startTime}
          onChange={set("startTime")}
          invalid={invalid.has("startTime")}
          describedBy={describe("startTime")}
          required
          className="f-time"
          autoFocus
        />
        {running ? (
          <div className="field f-time">
            <span className="label">End</span>
            <p className="static">running</p>
          </div>
        ) : (
          <Field
            label="End"
            type="time"
            value={draft.endTime}
            onChange={set("endTime")}
            invalid={invalid.has("endTime")}
            describedBy={describe("endTime")}
            required
            className="f-time"
          />
        )}
        <Field label="Task" value={draft.task} onChange={set("task")} notices={f.task} invalid={invalid.has("task")} describedBy={describe("task")} required className="f-task" />
        {timeNotices.length > 0 && <FieldNotices notices={timeNotices} id={timeNoticesId} withField className="f-time-notices" />}
        <Field label="Project" value={draft.project} onChange={set("project")} notices={f.project} invalid={invalid.has("project")} describedBy={describe("project")} list={PROJECTS_LIST_ID} className="f-project" />
        <Field label="Tags" value={draft.tags} onChange={set("tags")} notices={f.tags} invalid={invalid.has("tags")} describedBy={describe("tags")} hint="Comma-separated" className="f-tags" />
        <Field label="Notes" value={draft.notes} onChange={set("notes")} notices={f.notes} invalid={invalid.has("notes")} describedBy={describe("notes")} multiline className="f-notes" />
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
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
