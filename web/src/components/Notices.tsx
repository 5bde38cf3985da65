import { ApiProblem, type Notice } from "../api/client";

export const SEVERITY_LABEL: Record<Notice["severity"], string> = { error: "Error", warning: "Warning", info: "Note" };
const LABEL = SEVERITY_LABEL;

/** How the fields the service names are labelled here. */
export const FIELD_LABEL: Record<string, string> = {
  date: "Date",
  startTime: "Start",
  endTime: "End",
  task: "Task",
  project: "Project",
  tags: "Tags",
  notes: "Notes",
};

/**
 * The service's findings about one field, shown next to it; with `withField`, each
 * says which field it is about (where several fields share one place).
 */
export function FieldNotices({
  notices,
  id,
  withField,
  className,
}: {
  notices: readonly Notice[] | undefined;
  id?: string;
  withField?: boolean;
  className?: string;
}) {
  if (!notices || notices.length === 0) return null;
  return (
    <ul className={`notices ${className ?? ""}`} id={id}>
      {notices.map((n, i) => (
        <li key={`${n.code}-${i}`} className={`notice notice-${n.severity}`} data-code={n.code}>
          <span className="notice-label">
            {LABEL[n.severity]}
            {withField && ` · ${FIELD_LABEL[n.field] ?? n.field}`}
          </span>{" "}
          {n.message}
        </li>
      ))}
    </ul>
  );
}

/** A failed call, with the service's message as it said it. */
export function ProblemNotice({
  problem,
  onRetry,
  title,
}: {
  problem: Error | ApiProblem;
  onRetry?: () => void;
  title?: string;
}) {
  const code = "code" in problem ? problem.code : undefined;
  return (
    <div className="problem" role="alert">
      {title && <p className="problem-title">{title}</p>}
      <p className="problem-message">{problem.message}</p>
      {code && <p className="problem-code">{code}</p>}
      {onRetry && (
        <button type="button" className="button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** Groups notices by the field they concern. */
export function byField(notices: readonly Notice[]): Record<string, Notice[]> {
  const out: Record<string, Notice[]> = {};
  for (const n of notices) (out[n.field] ??= []).push(n);
  return out;
}

/**
 * How a form shows a refused write: the fields the service's findings mark invalid, the
 * findings about the form's `fields` (by field) and about anything else, each without
 * the one that only repeats the error's message (its field is still marked).
 */
export function findingsOf(problem: Error | null, fields: readonly string[]) {
  const issues = problem instanceof ApiProblem ? problem.issues : [];
  const shown = issues.filter((n) => n.message !== problem?.message);
  return {
    invalid: new Set(issues.filter((n) => n.severity === "error").map((n) => n.field)),
    byField: byField(shown.filter((n) => fields.includes(n.field))),
    elsewhere: shown.filter((n) => !fields.includes(n.field)),
  };
}
