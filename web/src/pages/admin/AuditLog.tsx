import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { call, type Api, type MeAnswer } from "../../api/client";
import { Field, SelectField } from "../../components/Field";
import { Loading, ProblemNotice } from "../../components/Notices";
import { actionLabel, actionPhrase, changeSummary, defaultAuditRange, loadAuditBackwards, type AuditRecord, type FetchAudit } from "../../lib/audit";
import { personLabel, type Person } from "../../lib/directory";
import { count } from "../../lib/plural";
import { addDays, formatInstant, isIsoDate, isValidTimeZone } from "../../lib/time";

const records = (n: number) => count(n, "record", "records");

type State = {
  status: "loading" | "ready" | "error";
  records: AuditRecord[];
  olderThan: string | null;
  error?: Error;
  more: boolean;
};

/**
 * `changes` counts the changes made on the page: each one reads the log again. `nameOf`
 * finds a person in the directory, for a record that does not name its actor or subject.
 */
export function AuditLog({
  api,
  me,
  changes = 0,
  nameOf,
}: {
  api: Api;
  me: MeAnswer;
  changes?: number;
  nameOf?: (id: string) => Person | undefined;
}) {
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";
  // `asked` counts the times the dates were asked for: the same dates again read the log again.
  const [range, setRange] = useState(() => ({ ...defaultAuditRange(timeZone), asked: 0 }));
  const [draft, setDraft] = useState({ from: range.from, to: range.to });
  const [rangeProblem, setRangeProblem] = useState("");
  const [action, setAction] = useState("");
  const [person, setPerson] = useState("");
  const [state, setState] = useState<State>({ status: "loading", records: [], olderThan: null, more: false });
  const seq = useRef(0);
  const list = useRef<HTMLOListElement>(null);
  const countLine = useRef<HTMLParagraphElement>(null);
  // The records read before Load more: focus goes to the first shown one not among them.
  const [before, setBefore] = useState<Set<string> | null>(null);

  const fetchPage: FetchAudit = useCallback(
    ({ from, to, cursor }) => call(api.GET("/v1/audit", { params: { query: { from, to, limit: 500, cursor } } })),
    [api],
  );

  const load = useCallback(
    async (before: string, keep: AuditRecord[]) => {
      const mine = ++seq.current;
      setState((s) => ({ ...s, status: keep.length ? "ready" : "loading", more: keep.length > 0, error: undefined }));
      try {
        const chunk = await loadAuditBackwards(fetchPage, { from: range.from, before, timeZone });
        if (mine !== seq.current) return;
        setState({ status: "ready", records: [...keep, ...chunk.records], olderThan: chunk.olderThan, more: false });
      } catch (e) {
        if (mine !== seq.current) return;
        setState((s) => ({ ...s, status: keep.length ? "ready" : "error", error: e as Error, more: false }));
      }
    },
    [fetchPage, range.from, timeZone],
  );

  useEffect(() => {
    void load(addDays(range.to, 1), []);
  }, [load, range.to, range.asked, changes]);

  function apply(e: FormEvent) {
    e.preventDefault();
    if (!isIsoDate(draft.from) || !isIsoDate(draft.to)) return setRangeProblem("Choose both dates.");
    if (draft.from > draft.to) return setRangeProblem("“From” is after “To”.");
    setRangeProblem("");
    setRange((r) => ({ ...draft, asked: r.asked + 1 }));
  }

  async function loadMore() {
    if (!state.olderThan) return;
    setBefore(new Set(state.records.map((r) => r.id)));
    await load(state.olderThan, state.records);
  }

  const nameFor = (id: string, said: string | null | undefined) => {
    const known = nameOf?.(id);
    return said?.trim() || (known ? personLabel(known) : id);
  };
  const actions = [...new Set(state.records.map((r) => r.action))].sort();
  const names = new Map<string, string>();
  for (const r of state.records) {
    names.set(r.actor, nameFor(r.actor, r.actorName));
    names.set(r.subject, nameFor(r.subject, r.subjectName));
  }
  const people = [...names].sort((a, b) => a[1].localeCompare(b[1]));
  const filtered = !!action || !!person;
  const shown = state.records.filter(
    (r) => (!action || r.action === action) && (!person || r.actor === person || r.subject === person),
  );

  // After Load more: focus the first shown record that came in, else the count (none of them is shown).
  const firstNew = before && !state.more ? (shown.find((r) => !before.has(r.id))?.id ?? "") : null;
  useEffect(() => {
    if (firstNew === null) return;
    setBefore(null);
    const item = firstNew ? list.current?.querySelector<HTMLElement>(`[data-record="${CSS.escape(firstNew)}"]`) : null;
    (item ?? countLine.current)?.focus();
  }, [firstNew]);

  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <p className="hint">Every change in your tenant, newest first: who made it, to whose data, and what it was before and after.</p>
      <form className="audit-dates" onSubmit={apply} aria-label="Audit log dates">
        <Field label="From" type="date" value={draft.from} onChange={(v) => setDraft((d) => ({ ...d, from: v }))} name="from" />
        <Field label="To" type="date" value={draft.to} onChange={(v) => setDraft((d) => ({ ...d, to: v }))} name="to" />
        <button type="submit" className="button-secondary">
          Show these dates
        </button>
        {rangeProblem && (
          <p className="notice notice-error audit-range-problem" role="alert">
            {rangeProblem}
          </p>
        )}
      </form>
      <div className="audit-filters">
        <SelectField label="Action" value={action} onChange={setAction}>
          <option value="">Every action</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {actionLabel(a)}
            </option>
          ))}
        </SelectField>
        <SelectField label="Person" value={person} onChange={setPerson}>
          <option value="">Everyone</option>
          {people.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </SelectField>
      </div>
      {state.status === "loading" ? (
        <Loading what="the audit log" />
      ) : state.status === "error" && state.error ? (
        <ProblemNotice title="The audit log could not be loaded." problem={state.error} onRetry={() => void load(addDays(range.to, 1), [])} />
      ) : (
        <>
          <p className="hint" aria-live="polite" ref={countLine} tabIndex={-1}>
            {describeShown(shown.length, state.records.length, range, state.olderThan, filtered)}
          </p>
          {shown.length === 0 ? (
            <p className="empty">
              {!state.records.length
                ? "No changes in these days."
                : state.olderThan
                  ? `No changes match among the ${records(state.records.length)} loaded — Load more reads older weeks.`
                  : "No changes match."}
            </p>
          ) : (
            <ol className="audit" ref={list}>
              {shown.map((r) => (
                <AuditItem
                  key={r.id}
                  record={r}
                  timeZone={timeZone}
                  actor={nameFor(r.actor, r.actorName)}
                  subject={nameFor(r.subject, r.subjectName)}
                />
              ))}
            </ol>
          )}
          {state.error && <ProblemNotice title="Older records could not be loaded." problem={state.error} />}
          {state.olderThan && (
            <button type="button" className="button-secondary" onClick={() => void loadMore()} disabled={state.more}>
              {state.more ? "Loading…" : "Load more"}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function describeShown(
  shown: number,
  loaded: number,
  range: { from: string; to: string },
  olderThan: string | null,
  filtered: boolean,
) {
  if (filtered && olderThan) {
    return `${shown} of ${records(loaded)} match, among those loaded (${olderThan} to ${range.to}) — Load more reads older weeks, back to ${range.from}.`;
  }
  const of = filtered || shown !== loaded ? `${shown} of ${records(loaded)}` : records(loaded);
  return olderThan
    ? `${of} from ${olderThan} to ${range.to}; older ones back to ${range.from} with Load more.`
    : `${of} from ${range.from} to ${range.to}.`;
}

function AuditItem({ record: r, timeZone, actor, subject }: { record: AuditRecord; timeZone: string; actor: string; subject: string }) {
  const hasDetails = (r.before !== null && r.before !== undefined) || (r.after !== null && r.after !== undefined);
  const summary = changeSummary(r);
  const { verb, subjectIsObject } = actionPhrase(r.action);
  return (
    <li className="audit-record" tabIndex={-1} data-action={r.action} data-record={r.id}>
      <time className="audit-time" dateTime={r.at}>
        {formatInstant(r.at, timeZone)}
      </time>
      <div className="audit-body">
        <p className="audit-what">
          <span className="audit-actor">{actor}</span> <span className="audit-action">{verb}</span>
          {subjectIsObject ? (
            <>
              {" "}
              <span className="audit-subject">{r.subject === r.actor ? "their own account" : subject}</span>
            </>
          ) : (
            r.subject !== r.actor && (
              <>
                {" "}
                <span className="audit-for">for</span> <span className="audit-subject">{subject}</span>
              </>
            )
          )}
        </p>
        {summary.length > 0 && <p className="audit-summary">{summary.slice(0, 4).join("; ")}{summary.length > 4 && "; …"}</p>}
        <p className="audit-target">
          <code>{r.action}</code> · <span className="audit-target-name">{r.target}</span>
        </p>
        {hasDetails && (
          <details className="audit-details">
            <summary>Before and after</summary>
            <div className="audit-diff">
              <div>
                <p className="audit-diff-label">Before</p>
                <pre>{r.before == null ? "—" : JSON.stringify(r.before, null, 2)}</pre>
              </div>
              <div>
                <p className="audit-diff-label">After</p>
                <pre>{r.after == null ? "—" : JSON.stringify(r.after, null, 2)}</pre>
              </div>
            </div>
          </details>
        )}
      </div>
    </li>
  );
}
