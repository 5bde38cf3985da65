import { useId, useLayoutEffect, useRef, useState, type FormEvent } from "react";
import { ApiProblem } from "../../api/client";
import type { components } from "../../api/schema";
import { Field, SelectField } from "../../components/Field";
import { FieldNotices, findingsOf, ProblemNotice } from "../../components/Notices";
import { sameList, STATUSES } from "../../lib/projects";
import { parseTags } from "../../lib/recent";
import { itemsOf, ListEditor, type ListDraft } from "./ListEditor";
import { useAction } from "../../lib/useAction";

export type ProjectFields = components["schemas"]["ProjectFields"];
export type ProjectMeta = components["schemas"]["Project"];

export type ProjectDraft = {
  name: string;
  goals: ListDraft;
  directions: ListDraft;
  tags: string;
  status: string;
  startDate: string;
  summary: string;
};

const FIELDS = ["name", "departmentalGoals", "strategicDirections", "tags", "status", "startDate", "summary"];

export function draftOf(p?: ProjectMeta): ProjectDraft {
  return {
    name: p?.name ?? "",
    goals: { items: [...(p?.departmentalGoals ?? [])], draft: "" },
    directions: { items: [...(p?.strategicDirections ?? [])], draft: "" },
    tags: (p?.tags ?? []).join(", "),
    status: p?.status ?? "Active",
    startDate: p?.startDate ?? "",
    summary: p?.summary ?? "",
  };
}

/** `POST /v1/projects`: what the person filled in (an empty start date lets the service choose today). */
export function newProjectBody(d: ProjectDraft): ProjectFields {
  const body: ProjectFields = {
    name: d.name.trim(),
    departmentalGoals: itemsOf(d.goals),
    strategicDirections: itemsOf(d.directions),
    tags: parseTags(d.tags),
    status: d.status,
    summary: d.summary,
  };
  if (d.startDate) body.startDate = d.startDate;
  return body;
}

/** `PATCH /v1/projects/{name}`: only what changed (an emptied start date clears it). */
export function projectPatch(before: ProjectMeta, d: ProjectDraft): ProjectFields {
  const patch: ProjectFields = {};
  const goals = itemsOf(d.goals);
  const directions = itemsOf(d.directions);
  const tags = parseTags(d.tags);
  if (!sameList(goals, before.departmentalGoals)) patch.departmentalGoals = goals;
  if (!sameList(directions, before.strategicDirections)) patch.strategicDirections = directions;
  if (!sameList(tags, before.tags)) patch.tags = tags;
  if (d.status !== before.status) patch.status = d.status;
  if ((d.startDate || null) !== (before.startDate ?? null)) patch.startDate = d.startDate || null;
  if (d.summary !== before.summary) patch.summary = d.summary;
  return patch;
}

/**
 * A project's details: a new project's (with its name) or an existing one's. `onSubmit`
 * throws the service's refusal, which is shown here as worded, by the fields it concerns.
 */
export function ProjectForm({
  mode,
  initial,
  onSubmit,
  onCancel,
  title,
}: {
  mode: "new" | "edit";
  initial: ProjectDraft;
  onSubmit: (d: ProjectDraft) => Promise<void>;
  onCancel: () => void;
  title: string;
}) {
  const [draft, setDraft] = useState(initial);
  const { busy, problem, run } = useAction();
  const problemId = useId();
  const dupName = problem instanceof ApiProblem && problem.code === "project-exists";
  const { invalid, byField: f, elsewhere } = findingsOf(problem, FIELDS);
  if (dupName) invalid.add("name");
  const describe = (field: string) => (invalid.has(field) ? problemId : undefined);
  const set = <K extends keyof ProjectDraft>(k: K) => (v: ProjectDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const form = useRef<HTMLFormElement>(null);

  // After a refusal, focus goes to the first field it marks (else to the message).
  useLayoutEffect(() => {
    if (!problem || !form.current) return;
    const target = form.current.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current.querySelector<HTMLElement>(".problem");
    target?.focus();
  }, [problem]);

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(() => onSubmit(draft));
  }

  return (
    <form className="project-form" onSubmit={submit} aria-label={title} ref={form} noValidate>
      <div className="project-form-grid">
        {mode === "new" && (
          <Field
            label="Name"
            value={draft.name}
            onChange={set("name")}
            notices={f.name}
            invalid={invalid.has("name")}
            describedBy={describe("name")}
            required
            autoFocus
            hint="Letters, digits, spaces, - _ and ."
            className="pf-name"
          />
        )}
        <ListEditor
          legend="Departmental goals"
          noun="goal"
          value={draft.goals}
          onChange={set("goals")}
          notices={f.departmentalGoals}
          invalid={invalid.has("departmentalGoals")}
        />
        <ListEditor
          legend="Strategic directions"
          noun="direction"
          value={draft.directions}
          onChange={set("directions")}
          notices={f.strategicDirections}
          invalid={invalid.has("strategicDirections")}
        />
        <Field
          label="Tags"
          value={draft.tags}
          onChange={set("tags")}
          notices={f.tags}
          invalid={invalid.has("tags")}
          describedBy={describe("tags")}
          hint="Comma-separated"
          className="pf-tags"
        />
        <SelectField
          label="Status"
          value={draft.status}
          onChange={set("status")}
          notices={f.status}
          invalid={invalid.has("status")}
          describedBy={describe("status")}
          className="pf-status"
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <Field
          label="Start date"
          type="date"
          value={draft.startDate}
          onChange={set("startDate")}
          notices={f.startDate}
          invalid={invalid.has("startDate")}
          describedBy={describe("startDate")}
          hint={mode === "new" ? "Empty: today" : "Empty: none"}
          className="pf-date"
        />
        <Field
          label="Summary"
          value={draft.summary}
          onChange={set("summary")}
          notices={f.summary}
          invalid={invalid.has("summary")}
          describedBy={describe("summary")}
          multiline
          className="pf-summary"
        />
      </div>
      {problem && (
        <div className="form-problem" id={problemId}>
          <ProblemNotice problem={problem} />
          <FieldNotices notices={elsewhere} withField />
        </div>
      )}
      <div className="form-actions project-form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? (mode === "new" ? "Creating…" : "Saving…") : mode === "new" ? "Create project" : "Save details"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
