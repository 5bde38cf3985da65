import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Field, SelectField } from "../../components/Field";
import {
  addFiscalYears,
  addMonths,
  defaultGroupBy,
  groupChoices,
  GROUP_LABEL,
  KINDS,
  parseProjectList,
  SORT_LABEL,
  TOP_TASKS,
  type GroupBy,
  type Kind,
  type ReportQuery,
  type Scope,
  type Sort,
  type TopTasks,
} from "../../lib/reportQuery";
import { addDays, isIsoDate, longDate, mondayOf } from "../../lib/time";

function Select<T extends string>({
  label,
  value,
  options,
  onChange,
  name,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (v: T) => void;
  name: string;
}) {
  return (
    <SelectField label={label} name={name} value={value} onChange={(v) => onChange(v as T)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </SelectField>
  );
}

const TOP_LABEL: Record<TopTasks, string> = { "0": "None", "3": "3", "5": "5", "10": "10", all: "All" };

type Drafts = { start: string; end: string; date: string; month: string; text: string; suppress: string | null };
const draftsOf = (q: ReportQuery): Drafts => ({
  start: q.start,
  end: q.end,
  date: q.date,
  month: q.month,
  text: q.text,
  suppress: null,
});

/**
 * The report's kind, period and options. Choices from a list apply at once; typed ones
 * (dates, the text, the projects to leave out) apply with "Show report" (or Enter).
 */
export function ReportControls({
  query,
  scope,
  years,
  suppressedShown,
  onApply,
}: {
  query: ReportQuery;
  scope: Scope;
  /** Fiscal years to offer, newest first. */
  years: string[];
  /** What the report shown left out (the default when none was asked for). */
  suppressedShown: string[] | null;
  onApply: (q: ReportQuery) => void;
}) {
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(query));
  const form = useRef<HTMLFormElement>(null);
  const key = JSON.stringify(query);
  useEffect(() => setDrafts(draftsOf(JSON.parse(key) as ReportQuery)), [key]);
  const set = (patch: Partial<Drafts>) => setDrafts((d) => ({ ...d, ...patch }));

  const suppressText = drafts.suppress ?? (query.suppress ?? suppressedShown ?? []).join(", ");

  /** The query with the typed drafts (where they make sense) and `patch` applied. */
  function withDrafts(patch: Partial<ReportQuery> = {}): ReportQuery {
    return {
      ...query,
      start: isIsoDate(drafts.start) ? drafts.start : query.start,
      end: isIsoDate(drafts.end) ? drafts.end : query.end,
      date: isIsoDate(drafts.date) ? drafts.date : query.date,
      month: /^\d{4}-\d{2}$/.test(drafts.month) ? drafts.month : query.month,
      text: drafts.text,
      suppress: drafts.suppress === null ? query.suppress : parseProjectList(drafts.suppress),
      ...patch,
    };
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(withDrafts());
  }

  function chooseKind(kind: Kind) {
    // A grouping left at the old kind's default follows the new kind's default.
    const groupBy = query.groupBy === defaultGroupBy(scope, query.kind) ? defaultGroupBy(scope, kind) : query.groupBy;
    onApply(withDrafts({ kind, groupBy }));
  }

  const yearOptions = (years.includes(query.fy) ? years : [query.fy, ...years]).map((y) => ({ value: y, label: y }));
  const weekOf = mondayOf(isIsoDate(drafts.date) ? drafts.date : query.date);

  let period: ReactNode;
  switch (query.kind) {
    case "fiscal-year":
      period = (
        <div className="report-period">
          <Select
            name="fy"
            label="Year"
            value={query.fy}
            options={yearOptions}
            onChange={(fy) => onApply(withDrafts({ fy }))}
          />
          <div className="report-steps">
            <button type="button" className="button-secondary" onClick={() => onApply(withDrafts({ fy: addFiscalYears(query.fy, -1) }))}>
              <span aria-hidden="true">←</span> Previous<span className="visually-hidden"> fiscal year</span>
            </button>
            <button type="button" className="button-secondary" onClick={() => onApply(withDrafts({ fy: addFiscalYears(query.fy, 1) }))}>
              Next<span className="visually-hidden"> fiscal year</span> <span aria-hidden="true">→</span>
            </button>
          </div>
        </div>
      );
      break;
    case "range":
      period = (
        <div className="report-period">
          <Field type="date" name="start" label="From" value={drafts.start} onChange={(start) => set({ start })} required />
          <Field type="date" name="end" label="To" value={drafts.end} onChange={(end) => set({ end })} required />
        </div>
      );
      break;
    case "week":
      period = (
        <div className="report-period">
          <Field
            type="date"
            name="date"
            label="A day of the week"
            value={drafts.date}
            onChange={(date) => set({ date })}
            hint={`${longDate(weekOf)} to the Sunday after`}
            required
          />
          <div className="report-steps">
            <button type="button" className="button-secondary" onClick={() => onApply(withDrafts({ date: addDays(query.date, -7) }))}>
              <span aria-hidden="true">←</span> Previous<span className="visually-hidden"> week</span>
            </button>
            <button type="button" className="button-secondary" onClick={() => onApply(withDrafts({ date: addDays(query.date, 7) }))}>
              Next<span className="visually-hidden"> week</span> <span aria-hidden="true">→</span>
            </button>
          </div>
        </div>
      );
      break;
    case "month":
      period = (
        <div className="report-period">
          <MonthField value={drafts.month} onChange={(month) => set({ month })} />
          <div className="report-steps">
            <button type="button" className="button-secondary" onClick={() => onApply(withDrafts({ month: addMonths(query.month, -1) }))}>
              <span aria-hidden="true">←</span> Previous<span className="visually-hidden"> month</span>
            </button>
            <button type="button" className="button-secondary" onClick={() => onApply(withDrafts({ month: addMonths(query.month, 1) }))}>
              Next<span className="visually-hidden"> month</span> <span aria-hidden="true">→</span>
            </button>
          </div>
        </div>
      );
      break;
    case "since":
      period = (
        <div className="report-period">
          <Field
            name="text"
            label="Since the last task containing"
            value={drafts.text}
            onChange={(text) => set({ text })}
            placeholder="e.g. deploy"
            hint="From the last entry whose task contains this text, to today."
            className="report-text"
          />
        </div>
      );
      break;
  }

  return (
    <form ref={form} className="card report-controls" aria-label="Report options" onSubmit={submit}>
      <fieldset className="report-kinds">
        <legend>Period</legend>
        <div className="segmented">
          {KINDS.map((k) => (
            <label key={k.kind} className={k.kind === query.kind ? "is-checked" : undefined}>
              <input
                type="radio"
                name="kind"
                value={k.kind}
                checked={k.kind === query.kind}
                onChange={() => chooseKind(k.kind)}
              />
              {k.label}
            </label>
          ))}
        </div>
      </fieldset>
      {period}
      <div className="report-options">
        <Select<GroupBy>
          name="groupBy"
          label="Group by"
          value={query.groupBy}
          options={groupChoices(scope).map((g) => ({ value: g, label: GROUP_LABEL[g] }))}
          onChange={(groupBy) => onApply(withDrafts({ groupBy }))}
        />
        <Select<Sort>
          name="sort"
          label="Sort"
          value={query.sort}
          options={(["hours", "alpha", "date"] as const).map((s) => ({ value: s, label: SORT_LABEL[s] }))}
          onChange={(sort) => onApply(withDrafts({ sort }))}
        />
        <Select<TopTasks>
          name="topTasks"
          label="Top tasks"
          value={query.topTasks}
          options={TOP_TASKS.map((t) => ({ value: t, label: TOP_LABEL[t] }))}
          onChange={(topTasks) => onApply(withDrafts({ topTasks }))}
        />
        <Field
          name="suppress"
          label="Leave out projects"
          value={suppressText}
          onChange={(suppress) => set({ suppress })}
          placeholder="none"
          hint={
            query.suppress === null ? "Comma-separated; the service's default." : "Comma-separated; empty leaves nothing out."
          }
          className="report-suppress"
        />
      </div>
      <div className="report-actions">
        <button type="submit" className="button-primary">
          Show report
        </button>
        {query.suppress !== null && (
          <button
            type="button"
            className="button-quiet"
            onClick={() => {
              onApply({ ...withDrafts(), suppress: null });
              // The button goes with the explicit list: the field it reset takes the focus.
              requestAnimationFrame(() => form.current?.querySelector<HTMLInputElement>('input[name="suppress"]')?.focus());
            }}
          >
            Default projects left out
          </button>
        )}
      </div>
    </form>
  );
}

/** A month (`YYYY-MM`): the browser's month picker, or a text input where there is none. */
function MonthField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return <Field label="Which month" name="month" type="month" value={value} placeholder="YYYY-MM" required onChange={onChange} />;
}
