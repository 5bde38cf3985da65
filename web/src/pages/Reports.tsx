import { lazy, Suspense, useMemo, useState } from "react";
import { call, type Api, type MeAnswer } from "../api/client";
import { Duration } from "../components/Duration";
import { Loading, ProblemNotice } from "../components/Notices";
import { chartModel, type PeriodReport } from "../lib/reportChart";
import {
  addFiscalYears,
  fileName,
  GROUP_LABEL,
  parseQuery,
  reportParams,
  reportPath,
  toSearch,
  type Context,
  type GroupBy,
  type ReportQuery,
  type Scope,
} from "../lib/reportQuery";
import { navigate, useLocation } from "../lib/router";
import { dateIn, isValidTimeZone, longDate } from "../lib/time";
import { useResource } from "../lib/useResource";
import { saveText } from "../lib/download";
import { getReport, getReportText } from "./reports/reportApi";
import { ReportControls } from "./reports/ReportControls";
import { ReportTable } from "./reports/ReportTable";
import "./reports.css";

// The chart library (Chart.js) comes in its own chunk, when a report with hours is first shown.
const ReportChart = lazy(() => import("./reports/ReportChart"));

/** What a report covers, in words: "Wednesday, 1 July 2026 – Wednesday, 30 June 2027". */
function periodText(r: PeriodReport): string {
  if (!r.period) return "No period";
  return r.period.start === r.period.end ? longDate(r.period.start) : `${longDate(r.period.start)} – ${longDate(r.period.end)}`;
}

function titleOf(q: ReportQuery, r: PeriodReport | undefined): string {
  switch (q.kind) {
    case "fiscal-year":
      return `Fiscal year ${r?.label ?? q.fy}`;
    case "range":
      return "Range";
    case "week":
      return "Week";
    case "month":
      return `Month ${r?.label ?? q.month}`;
    case "since":
      return `Since “${q.text.trim()}”`;
  }
}

const grouping = (g: GroupBy) => (g === "none" ? "in total" : `per ${GROUP_LABEL[g].toLowerCase()}`);

/**
 * The Reports page (`scope="mine"`, `/reports`): the person's period reports; and the Team
 * page (`scope="team"`, `/team`): the same over everyone's entries on the shared projects
 * they have a role on (tenant admins: the whole tenant), grouped by person by default.
 */
export default function ReportsPage({ api, me, scope }: { api: Api; me: MeAnswer; scope: Scope }) {
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";
  const today = dateIn(timeZone);
  const ctx: Context = { scope, today, fiscalYearStartMonth: me.fiscalYearStartMonth };
  const { search } = useLocation();
  const query = parseQuery(search, ctx);
  const base = scope === "team" ? "/team" : "/reports";
  const asked = query.kind !== "since" || query.text !== "";
  const url = `${reportPath(query, scope)}?${reportParams(query)}`;

  const report = useResource(`report:${asked ? url : "none"}`, () => (asked ? getReport(api, url) : Promise.resolve(null)));
  const logs = useResource("logs", async () => (await call(api.GET("/v1/logs"))).logs.map((l) => l.fiscalYear));
  const data = report.data ?? undefined;
  const empty = !!data && data.summary.totalEntries === 0;
  // Team: someone without shared projects sees nothing; say why, and how it fills.
  const shared = useResource(`shared:${scope === "team" && empty && !me.isTenantAdmin}`, async () =>
    scope === "team" && empty && !me.isTenantAdmin ? (await call(api.GET("/v1/projects"))).projects.some((p) => p.shared) : true,
  );

  // The years with a log, and the current and the previous one.
  const currentYear = parseQuery("", ctx).fy;
  const years = [...new Set([...(logs.data ?? []), currentYear, addFiscalYears(currentYear, -1)])].sort().reverse();

  function apply(next: ReportQuery) {
    navigate(base + toSearch(next, ctx));
  }

  const heading = scope === "team" ? "Team" : "Reports";
  return (
    <main id="main" className="reports">
      <div className="reports-top">
        <h1>{heading}</h1>
        <p className="hint">
          {scope === "team"
            ? "Everyone's hours on the projects shared with you (tenant admins: the whole team's), by person or as you group them."
            : "Your hours over a period, grouped as you choose; download them as CSV or Markdown."}
        </p>
      </div>
      <ReportControls
        query={query}
        scope={scope}
        years={years}
        suppressedShown={data?.suppressed ?? null}
        onApply={apply}
      />
      {!asked ? (
        <section className="card report" aria-labelledby="report-title">
          <h2 id="report-title">Since a task</h2>
          <p className="empty">Type some text of a task and choose Show report: the report runs from the last entry whose task contains it to today.</p>
        </section>
      ) : report.status === "loading" ? (
        <section className="card report" aria-label="Report">
          <Loading what="the report" />
        </section>
      ) : report.status === "error" ? (
        <section className="card report" aria-label="Report">
          <ProblemNotice title="The report could not be made." problem={report.error} onRetry={() => void report.reload()} />
        </section>
      ) : data ? (
        <ReportView
          api={api}
          report={data}
          query={query}
          scope={scope}
          url={url}
          title={titleOf(query, data)}
          noShared={shared.data === false}
          isAdmin={me.isTenantAdmin}
        />
      ) : null}
    </main>
  );
}

function ReportView({
  api,
  report,
  query,
  scope,
  url,
  title,
  noShared,
  isAdmin,
}: {
  api: Api;
  report: PeriodReport;
  query: ReportQuery;
  scope: Scope;
  url: string;
  title: string;
  noShared: boolean;
  isAdmin: boolean;
}) {
  const model = useMemo(() => chartModel(report), [report]);
  const [saving, setSaving] = useState<"csv" | "markdown" | null>(null);
  const [saved, setSaved] = useState("");
  const [failed, setFailed] = useState<Error | null>(null);
  const groupBy = report.groupBy as GroupBy;
  const s = report.summary;
  const period = periodText(report);
  const empty = s.totalEntries === 0;
  const what =
    groupBy === "project" || groupBy === "none"
      ? `hours per project, ${period}`
      : `hours ${grouping(groupBy)}, split by project, ${period}`;

  async function download(format: "csv" | "markdown") {
    setSaving(format);
    setFailed(null);
    setSaved("");
    try {
      const text = await getReportText(api, `${url}&format=${format}`);
      const name = fileName(query, scope, format);
      saveText(text, name, format === "csv" ? "text/csv;charset=utf-8" : "text/markdown;charset=utf-8");
      setSaved(`Saved ${name}.`);
    } catch (e) {
      setFailed(e as Error);
    } finally {
      setSaving(null);
    }
  }

  const since = report.kind === "since" ? report.lastOccurrence : null;
  return (
    <section className="card report" aria-labelledby="report-title" data-kind={report.kind}>
      <div className="report-head">
        <div>
          <h2 id="report-title">{title}</h2>
          <p className="day-date">
            {period}
            {since && ` · from “${since.task}” on ${longDate(since.date)} at ${since.startTime}`}
          </p>
        </div>
        <div className="report-downloads">
          <button type="button" className="button-secondary" disabled={saving !== null} onClick={() => void download("csv")}>
            {saving === "csv" ? "Downloading…" : "Download CSV"}
          </button>
          <button
            type="button"
            className="button-secondary"
            disabled={saving !== null}
            onClick={() => void download("markdown")}
          >
            {saving === "markdown" ? "Downloading…" : "Download Markdown"}
          </button>
        </div>
      </div>
      <p className="report-saved" role="status">
        {saved}
      </p>
      {failed && <ProblemNotice title="The download failed." problem={failed} />}

      <dl className="day-summary report-summary">
        <div>
          <dt>Total</dt>
          <dd>
            <Duration minutes={s.totalMinutes} /> <span className="report-decimal">({s.totalHours.toFixed(2)} h)</span>
          </dd>
        </div>
        <div>
          <dt>Entries</dt>
          <dd>{s.totalEntries}</dd>
        </div>
        <div>
          <dt>Projects</dt>
          <dd>{s.projectCount}</dd>
        </div>
        <div>
          <dt>Days with entries</dt>
          <dd>{s.daysWithEntries}</dd>
        </div>
      </dl>
      {report.suppressed.length > 0 && (
        <p className="hint report-suppressed">
          Left out: {report.suppressed.join(", ")}
          {query.suppress === null ? " (your suppressed projects, from Settings)" : ""}.
        </p>
      )}
      {report.groupsOverlap && (
        <p className="notice notice-info report-overlap">
          <span className="notice-label">Note</span> Some projects or entries belong to several groups and count in each, so
          the group totals add up to more than the total.
        </p>
      )}

      {empty ? (
        <div className="empty report-empty">
          {report.kind === "since" && !report.period ? (
            <p>No task contains “{query.text.trim()}”, so there is no period to report on.</p>
          ) : (
            <p>Nothing logged in this period: 0:00 in 0 entries.</p>
          )}
          {scope === "team" && !isAdmin && (
            <p>
              Team shows the hours everyone logs on the projects shared with you.{" "}
              {noShared ? "You have no shared projects yet. " : ""}
              It fills when a project's owner shares it with colleagues (as a contributor, viewer or admin) and they log
              time on it.
            </p>
          )}
        </div>
      ) : (
        <>
          <Suspense fallback={<Loading what="the chart" />}>
            <ReportChart
              model={model}
              what={what}
              caption={`Hours ${grouping(groupBy)}${groupBy === "project" || groupBy === "none" ? "" : " (each bar split by project)"}, ${period}. The table below has the same figures.`}
            />
          </Suspense>
          <ReportTable report={report} caption={`${title}: ${what}`} />
        </>
      )}
    </section>
  );
}
