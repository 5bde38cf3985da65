import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { call, type Api, type MeAnswer } from "../../api/client";
import { Field } from "../../components/Field";
import { Loading, ProblemNotice } from "../../components/Notices";
import { actionLabel, actionPhrase, auditTime, changeSummary, defaultAuditRange, loadAuditBackwards, type AuditRecord, type FetchAudit } from "../../lib/audit";
import { addDays, isIsoDate, isValidTimeZone } from "../../lib/time";

type State = {
  status: "loading" | "ready" | "error";
  records: AuditRecord[];
  olderThan: string | null;
  error?: Error;
  more: boolean;
};

/** `changes` counts the changes made on the page: each one reads the log again. */
export function AuditLog({ api, me, changes = 0 }: { api: Api; me: MeAnswer; changes?: number }) {
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";
  // `asked` counts the times the dates were asked for: the same dates again read the log again.
  const [range, setRange] = useState(() => ({ ...defaultAuditRange(timeZone), asked: 0 }));
  const [draft, setDraft] = useState({ from: range.from, to: range.to });
  const [rangeProblem, setRangeProblem] = useState("");
  const [action, setAction] = useState("");
  const [person, setPerson] = useState("");
  const [state, setState] = useState<State>({ status: "loading", records: [], olderThan: null, more: false });
  const seq = useRef(0);
  const actionId = useId();
  const personId = useId();
  const list = useRef<HTMLOListElement>(null);

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
    const before = state.records.length;
    await load(state.olderThan, state.records);
    // Focus goes to the first record that came in.
    requestAnimationFrame(() => list.current?.querySelectorAll<HTMLElement>("li.audit-record")[before]?.focus());
  }

  const actions = [...new Set(state.records.map((r) => r.action))].sort();
  const names = new Map<string, string>();
  for (const r of state.records) {
    names.set(r.actor, r.actorName ?? r.actor);
    names.set(r.subject, r.subjectName ?? r.subject);
  }
  const people = [...names].sort((a, b) => a[1].localeCompare(b[1]));
  const shown = state.records.filter(
    (r) => (!action || r.action === action) && (!person || r.actor === person || r.subject === person),
  );

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
        <div className="field">
          <label htmlFor={actionId}>Action</label>
          <select id={actionId} value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">Every action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={personId}>Person</label>
          <select id={personId} value={person} onChange={(e) => setPerson(e.target.value)}>
            <option value="">Everyone</option>
            {people.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {state.status === "loading" ? (
        <Loading what="the audit log" />
      ) : state.status === "error" && state.error ? (
        <ProblemNotice title="The audit log could not be loaded." problem={state.error} onRetry={() => void load(addDays(range.to, 1), [])} />
      ) : (
        <>
          <p className="hint" aria-live="polite">
            {describeShown(shown.length, state.records.length, range, state.olderThan)}
          </p>
          {shown.length === 0 ? (
            <p className="empty">No changes {state.records.length ? "match" : "in these days"}.</p>
          ) : (
            <ol className="audit" ref={list}>
              {shown.map((r) => (
                <AuditItem key={r.id} record={r} timeZone={timeZone} />
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

function describeShown(shown: number, loaded: number, range: { from: string; to: string }, olderThan: string | null) {
  const of = shown === loaded ? `${loaded} records` : `${shown} of ${loaded} records`;
  return olderThan
    ? `${of} from ${olderThan} to ${range.to}; older ones back to ${range.from} with Load more.`
    : `${of} from ${range.from} to ${range.to}.`;
}

function AuditItem({ record: r, timeZone }: { record: AuditRecord; timeZone: string }) {
  const hasDetails = (r.before !== null && r.before !== undefined) || (r.after !== null && r.after !== undefined);
  const actor = r.actorName ?? r.actor;
  const subject = r.subjectName ?? r.subject;
  const summary = changeSummary(r);
  const { verb, subjectIsObject } = actionPhrase(r.action);
  return (
    <li className="audit-record" tabIndex={-1} data-action={r.action}>
      <time className="audit-time" dateTime={r.at}>
        {auditTime(r.at, timeZone)}
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
