import { useId, useLayoutEffect, useRef, useState, type FormEvent } from "react";
import { ApiProblem, call, type Api } from "../../api/client";
import { Field, SelectField } from "../../components/Field";
import { findingsOf, ProblemNotice } from "../../components/Notices";
import { entries } from "../../lib/projects";
import { Confirm } from "../../components/Confirm";

export type Merged = { into: string; entriesMoved: number };

/**
 * What a project's owner (or, for archiving, an admin) does to it as a whole: archive or
 * unarchive, rename, merge into another project, delete. Merge and delete ask first.
 */
export function ProjectActions({
  api,
  name,
  owner,
  archived,
  entryCount,
  shared,
  canRestructure,
  mergeTargets,
  onArchived,
  onRenamed,
  onMerged,
  onDeleted,
  onStale,
}: {
  api: Api;
  name: string;
  owner: string | null;
  archived: boolean;
  entryCount: number;
  shared: boolean;
  canRestructure: boolean;
  mergeTargets: { name: string; note?: string }[];
  onArchived: (archived: boolean) => Promise<void>;
  onRenamed: (to: string) => void;
  onMerged: (m: Merged) => void;
  onDeleted: () => void;
  /** The service says the project is not as shown (a refused delete): load it again. */
  onStale: () => Promise<void>;
}) {
  const [problem, setProblem] = useState<{ action: string; error: Error } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [newName, setNewName] = useState(name);
  const [into, setInto] = useState("");
  const [confirm, setConfirm] = useState<"merge" | "delete" | null>(null);
  const deleteProblem = useRef<HTMLDivElement>(null);
  const focusDeleteProblem = useRef(false);
  const mergeButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  // Where focus goes back to when a question is answered "no".
  const [backTo, setBackTo] = useState<{ to: "merge" | "delete" } | null>(null);
  const renameHintId = useId();
  const query = owner ? { owner } : {};

  // A refused delete: on its notice, once it shows (the question it replaces had the focus).
  useLayoutEffect(() => {
    if (focusDeleteProblem.current && deleteProblem.current) {
      focusDeleteProblem.current = false;
      deleteProblem.current.focus();
    }
  });

  useLayoutEffect(() => {
    if (backTo) (backTo.to === "merge" ? mergeButton : deleteButton).current?.focus();
  }, [backTo]);

  const keep = (to: "merge" | "delete") => {
    setConfirm(null);
    setBackTo({ to });
  };

  async function run(action: string, fn: () => Promise<void>) {
    setBusy(action);
    setProblem(null);
    try {
      await fn();
    } catch (e) {
      setProblem({ action, error: e as Error });
    } finally {
      setBusy(null);
    }
  }

  const archive = (to: boolean) =>
    run("archive", async () => {
      await call(api.PATCH("/v1/projects/{name}", { params: { path: { name }, query }, body: { archived: to } }));
      await onArchived(to);
    });

  function rename(e: FormEvent) {
    e.preventDefault();
    const to = newName.trim();
    if (!to || to === name) return;
    void run("rename", async () => {
      const answer = await call(api.PATCH("/v1/projects/{name}", { params: { path: { name } }, body: { name: to } }));
      onRenamed(answer.name);
    });
  }

  const merge = () =>
    run("merge", async () => {
      const answer = await call(api.POST("/v1/projects/{name}/merge", { params: { path: { name } }, body: { into } }));
      setConfirm(null);
      onMerged({ into: answer.into, entriesMoved: answer.entriesMoved });
    });

  const remove = () =>
    run("delete", async () => {
      try {
        await call(api.DELETE("/v1/projects/{name}", { params: { path: { name } } }));
      } catch (e) {
        // Refused (it got entries meanwhile, say): the question is gone, the page says what
        // the project is now, and focus is on why.
        setConfirm(null);
        focusDeleteProblem.current = true;
        void onStale();
        throw e;
      }
      setConfirm(null);
      onDeleted();
    });

  const failed = (action: string) => (problem?.action === action ? problem.error : null);
  const renameFindings = findingsOf(failed("rename"), ["name"]);
  const hasEntries = (e: Error | null) => e instanceof ApiProblem && e.code === "project-has-entries";

  return (
    <section className="card project-actions" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Manage</h2>

      <div className="action">
        <h3>{archived ? "Archived" : "Archive"}</h3>
        <p className="hint">
          {archived
            ? "Left out of the project list (Show archived lists it). Its entries and reports stay."
            : "Puts it away: left out of the project list; its entries and reports stay."}
        </p>
        <div className="form-actions">
          <button type="button" className="button-secondary" onClick={() => void archive(!archived)} disabled={!!busy}>
            {busy === "archive" ? (archived ? "Unarchiving…" : "Archiving…") : archived ? "Unarchive" : "Archive"}
          </button>
        </div>
        {failed("archive") && <ProblemNotice problem={failed("archive")!} />}
      </div>

      {canRestructure && (
        <>
          <form className="action" onSubmit={rename} aria-labelledby="rename-heading" noValidate>
            <h3 id="rename-heading">Rename</h3>
            <div className="action-row">
              <Field
                label="New name"
                value={newName}
                onChange={setNewName}
                notices={renameFindings.byField.name}
                invalid={!!failed("rename")}
                describedBy={renameHintId}
              />
              <button type="submit" className="button-secondary" disabled={!!busy || !newName.trim() || newName.trim() === name}>
                {busy === "rename" ? "Renaming…" : "Rename"}
              </button>
            </div>
            <p className="hint" id={renameHintId}>
              {shared
                ? "Its entries move to the new name. While it is shared, the service refuses: its members log time under this name."
                : "Its entries move to the new name, and your logs follow."}
            </p>
            {failed("rename") && <ProblemNotice problem={failed("rename")!} />}
          </form>

          <div className="action">
            <h3>Merge into another project</h3>
            <p className="hint">Moves all its entries to the other project, and removes this one.</p>
            <div className="action-row">
              <SelectField
                label="Merge into"
                value={into}
                onChange={(v) => {
                  setInto(v);
                  setConfirm(null);
                }}
              >
                <option value="">Choose a project…</option>
                {mergeTargets.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.note ? `${t.name} (${t.note})` : t.name}
                  </option>
                ))}
              </SelectField>
              <button type="button" ref={mergeButton} className="button-secondary" onClick={() => setConfirm("merge")} disabled={!into || !!busy || confirm === "merge"}>
                Merge…
              </button>
            </div>
            {confirm === "merge" && (
              <Confirm
                title={`Merge ${name} into ${into}?`}
                confirmLabel={busy === "merge" ? "Merging…" : `Merge into ${into}`}
                cancelLabel="Keep it apart"
                onConfirm={() => void merge()}
                onCancel={() => keep("merge")}
                busy={!!busy}
              >
                {
                  entryCount === 0
                    ? `${name} has no entries: merging it into ${into} removes it. This cannot be undone.`
                    : `Move ${entryCount === 1 ? "the 1 entry" : `all ${entries(entryCount)}`} of ${name} into ${into}, and remove ${name}? This cannot be undone.`
                }
              </Confirm>
            )}
            {failed("merge") && <ProblemNotice problem={failed("merge")!} />}
          </div>

          <div className="action">
            <h3>Delete</h3>
            {entryCount > 0 ? (
              <p className="hint">
                It has {entries(entryCount)}, so it cannot be deleted: archive it to put it away, or merge it into another project.
              </p>
            ) : shared ? (
              <p className="hint">It is shared: remove its members first (under Members), then it can be deleted.</p>
            ) : (
              <>
                <p className="hint">It has no entries, so it can be deleted.</p>
                {confirm !== "delete" && (
                  <div className="form-actions">
                    <button type="button" ref={deleteButton} className="button-secondary button-danger-outline" onClick={() => setConfirm("delete")} disabled={!!busy}>
                      Delete project…
                    </button>
                  </div>
                )}
                {confirm === "delete" && (
                  <Confirm
                    title={`Delete ${name}?`}
                    confirmLabel={busy === "delete" ? "Deleting…" : `Delete ${name}`}
                    cancelLabel="Keep it"
                    onConfirm={() => void remove()}
                    onCancel={() => keep("delete")}
                    busy={!!busy}
                  >
                    {`Delete ${name}? This cannot be undone.`}
                  </Confirm>
                )}
              </>
            )}
            {failed("delete") && (
              <div className="form-problem" ref={deleteProblem} tabIndex={-1}>
                <ProblemNotice problem={failed("delete")!} />
                {hasEntries(failed("delete")) && !archived && (
                  <div className="form-actions">
                    <button type="button" className="button-secondary" onClick={() => void archive(true)} disabled={!!busy}>
                      Archive it instead
                    </button>
                  </div>
                )}
              </div>
            )}
          </div>
        </>
      )}
    </section>
  );
}
