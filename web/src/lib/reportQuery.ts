// What report the Reports and Team pages show, as it lives in the address
// (`/reports?kind=range&start=…&end=…&groupBy=tag`), and the service call that answers it.

import { fiscalYearOf, isFiscalYear } from "./fiscalYear";
import { addDays, isIsoDate, mondayOf } from "./time";

export type Scope = "mine" | "team";
export type Kind = "fiscal-year" | "range" | "week" | "month" | "since";
export type GroupBy = "project" | "departmentalGoal" | "strategicDirection" | "tag" | "user" | "none";
export type Sort = "hours" | "alpha" | "date";

export const KINDS: { kind: Kind; label: string }[] = [
  { kind: "fiscal-year", label: "Fiscal year" },
  { kind: "range", label: "Range" },
  { kind: "week", label: "Week" },
  { kind: "month", label: "Month" },
  { kind: "since", label: "Since" },
];

export const GROUP_LABEL: Record<GroupBy, string> = {
  user: "Person",
  project: "Project",
  departmentalGoal: "Departmental goal",
  strategicDirection: "Strategic direction",
  tag: "Tag",
  none: "No grouping",
};

export const SORT_LABEL: Record<Sort, string> = { hours: "Most hours first", alpha: "A to Z", date: "By date" };
export const TOP_TASKS = ["0", "3", "5", "10", "all"] as const;
export type TopTasks = (typeof TOP_TASKS)[number];

/** The group-by choices of a scope (only team reports group by person). */
export function groupChoices(scope: Scope): GroupBy[] {
  const mine: GroupBy[] = ["project", "departmentalGoal", "strategicDirection", "tag", "none"];
  return scope === "team" ? ["user", ...mine] : mine;
}

/**
 * A report as asked for. Every field has a value; `suppress` is `null` for the service's
 * default (Unproductive is left out of a fiscal year), else the projects to leave out
 * (empty: none).
 */
export type ReportQuery = {
  kind: Kind;
  fy: string;
  start: string;
  end: string;
  /** Any day of the week shown. */
  date: string;
  /** `YYYY-MM`. */
  month: string;
  text: string;
  groupBy: GroupBy;
  sort: Sort;
  topTasks: TopTasks;
  suppress: string[] | null;
};

export type Context = { scope: Scope; today: string; fiscalYearStartMonth: number };

const isMonth = (s: string | null | undefined): s is string => !!s && /^\d{4}-(0[1-9]|1[0-2])$/.test(s);

/** The service's default grouping of a report kind (what it answers without `groupBy`). */
export function defaultGroupBy(scope: Scope, kind: Kind): GroupBy {
  if (scope === "team") return "user";
  return kind === "fiscal-year" ? "departmentalGoal" : "project";
}

export function defaults(ctx: Context, kind: Kind = "fiscal-year"): ReportQuery {
  return {
    kind,
    fy: fiscalYearOf(ctx.today, ctx.fiscalYearStartMonth),
    start: addDays(ctx.today, -6),
    end: ctx.today,
    date: ctx.today,
    month: ctx.today.slice(0, 7),
    text: "",
    groupBy: defaultGroupBy(ctx.scope, kind),
    sort: "hours",
    topTasks: "3",
    suppress: null,
  };
}

/** The report an address asks for; what it leaves out or gets wrong takes the default. */
export function parseQuery(search: string, ctx: Context): ReportQuery {
  const p = new URLSearchParams(search);
  const kindParam = p.get("kind");
  const kind: Kind = KINDS.some((k) => k.kind === kindParam) ? (kindParam as Kind) : "fiscal-year";
  const d = defaults(ctx, kind);
  const groupBy = p.get("groupBy");
  const sort = p.get("sort");
  const top = p.get("topTasks");
  const suppress = p.getAll("suppress");
  return {
    kind,
    fy: isFiscalYear(p.get("fy")) ? p.get("fy")! : d.fy,
    start: isIsoDate(p.get("start")) ? p.get("start")! : d.start,
    end: isIsoDate(p.get("end")) ? p.get("end")! : d.end,
    date: isIsoDate(p.get("date")) ? p.get("date")! : d.date,
    month: isMonth(p.get("month")) ? p.get("month")! : d.month,
    text: p.get("text") ?? "",
    groupBy: groupChoices(ctx.scope).includes(groupBy as GroupBy) ? (groupBy as GroupBy) : d.groupBy,
    sort: sort === "hours" || sort === "alpha" || sort === "date" ? sort : d.sort,
    topTasks: TOP_TASKS.includes(top as TopTasks) ? (top as TopTasks) : d.topTasks,
    suppress: p.has("suppress") ? suppress.filter((s) => s.trim() !== "") : null,
  };
}

/** The address's query of a report: only what the kind uses, and only what differs from the defaults. */
export function toSearch(q: ReportQuery, ctx: Context): string {
  const d = defaults(ctx, q.kind);
  const p = new URLSearchParams();
  if (q.kind !== "fiscal-year") p.set("kind", q.kind);
  if (q.kind === "fiscal-year" && q.fy !== d.fy) p.set("fy", q.fy);
  if (q.kind === "range") {
    p.set("start", q.start);
    p.set("end", q.end);
  }
  if (q.kind === "week" && mondayOf(q.date) !== mondayOf(d.date)) p.set("date", q.date);
  if (q.kind === "month" && q.month !== d.month) p.set("month", q.month);
  if (q.kind === "since") p.set("text", q.text);
  if (q.groupBy !== d.groupBy) p.set("groupBy", q.groupBy);
  if (q.sort !== d.sort) p.set("sort", q.sort);
  if (q.topTasks !== d.topTasks) p.set("topTasks", q.topTasks);
  if (q.suppress) {
    if (q.suppress.length === 0) p.append("suppress", "");
    else for (const s of q.suppress) p.append("suppress", s);
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The service's path of a report (team reports under `/v1/team`). */
export function reportPath(q: ReportQuery, scope: Scope): string {
  const base = scope === "team" ? "/v1/team/reports" : "/v1/reports";
  const seg = encodeURIComponent;
  switch (q.kind) {
    case "fiscal-year":
      return `${base}/fiscal-year/${seg(q.fy)}`;
    case "range":
      return `${base}/range/${seg(q.start)}/${seg(q.end)}`;
    case "week":
      return `${base}/weekly/${seg(q.date)}`;
    case "month":
      return `${base}/monthly/${seg(q.month)}`;
    case "since":
      return `${base}/since`;
  }
}

/** The query parameters of a report call (`format` for a download). */
export function reportParams(q: ReportQuery, format?: "csv" | "markdown"): URLSearchParams {
  const p = new URLSearchParams();
  if (q.kind === "since") p.set("text", q.text);
  p.set("groupBy", q.groupBy);
  p.set("sort", q.sort);
  p.set("topTasks", q.topTasks);
  if (q.suppress) {
    if (q.suppress.length === 0) p.append("suppress", "");
    else for (const s of q.suppress) p.append("suppress", s);
  }
  if (format) p.set("format", format);
  return p;
}

/** `"Web App, Research"` → the project names, trimmed, without blanks or repeats. */
export function parseProjectList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(",")) {
    const name = part.trim();
    if (name && !out.some((o) => o.toLowerCase() === name.toLowerCase())) out.push(name);
  }
  return out;
}

const slug = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "text";

/** A download's file name, e.g. `report-2026-2027-by-project.csv`, `team-report-week-2026-11-30-by-user.md`. */
export function fileName(q: ReportQuery, scope: Scope, format: "csv" | "markdown"): string {
  const period =
    q.kind === "fiscal-year"
      ? q.fy
      : q.kind === "range"
        ? `${q.start}-to-${q.end}`
        : q.kind === "week"
          ? `week-${mondayOf(q.date)}`
          : q.kind === "month"
            ? q.month
            : `since-${slug(q.text)}`;
  const group = q.groupBy === "none" ? "" : `-by-${slug(q.groupBy.replace(/[A-Z]/g, (c) => `-${c}`))}`;
  return `${scope === "team" ? "team-report" : "report"}-${period}${group}.${format === "csv" ? "csv" : "md"}`;
}

/** `2026-11` → `2026-12` (`by` months later, or earlier when negative). */
export function addMonths(month: string, by: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + by;
  const year = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${String(year).padStart(4, "0")}-${String(mm + 1).padStart(2, "0")}`;
}

/** `2026-2027` → `2025-2026` (`by` years later, or earlier when negative). */
export function addFiscalYears(fy: string, by: number): string {
  const a = Number(fy.slice(0, 4)) + by;
  const b = Number(fy.slice(5, 9)) + by;
  return `${a}-${b}`;
}
