import { Fragment } from "react";
import { Duration } from "../../components/Duration";
import { groupName, type PeriodReport } from "../../lib/reportChart";
import { GROUP_LABEL, type GroupBy } from "../../lib/reportQuery";

/** Hours as `h:mm` with the decimal hours below (what the CSV and spreadsheets use). */
function HoursCell({ minutes, hours }: { minutes: number; hours: number }) {
  return (
    <td className="col-hours">
      <Duration minutes={minutes} />{" "}
      <span className="report-hours-decimal">{hours.toFixed(2)} h</span>
    </td>
  );
}
const percent = (share: number) => `${share.toFixed(1)}%`;

/** The report's figures: groups with their projects, hours, share, entries and top tasks, and the total. */
export function ReportTable({ report, caption }: { report: PeriodReport; caption: string }) {
  const groupBy = report.groupBy as GroupBy;
  // Grouped by project (or not at all), a group is its project: one row says it.
  const flat = groupBy === "project" || groupBy === "none";
  return (
    <div className="report-scroll">
      <table className="report-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-name">
              {flat ? "Project" : `${GROUP_LABEL[groupBy] ?? "Group"} and project`}
            </th>
            <th scope="col">Hours</th>
            <th scope="col">Share</th>
            <th scope="col">Entries</th>
          </tr>
        </thead>
        {report.groups.map((g) => (
          <tbody key={g.key} data-group={g.key}>
            {!flat && (
              <tr className="report-group">
                <th scope="rowgroup" className="col-name">
                  {groupName(g)}
                </th>
                <HoursCell minutes={g.totalMinutes} hours={g.totalHours} />
                <td>{percent(g.share)}</td>
                <td>{g.projects.reduce((n, p) => n + p.entryCount, 0)}</td>
              </tr>
            )}
            {g.projects.map((p) => (
              <Fragment key={p.name}>
                <tr className={`report-project ${p.topTasks.length ? "has-tasks" : ""}`} data-project={p.name}>
                  <th scope="row" className={`col-name ${flat ? "" : "is-nested"}`}>
                    {p.name}
                  </th>
                  <HoursCell minutes={p.totalMinutes} hours={p.totalHours} />
                  <td>{percent(p.share)}</td>
                  <td>{p.entryCount}</td>
                </tr>
                {p.topTasks.length > 0 && (
                  // Below the project's row, the width of the table: readable on a phone too.
                  <tr className="report-tasks-row">
                    <td colSpan={4} className={flat ? "" : "is-nested"}>
                      <span className="visually-hidden">Top tasks of {p.name}:</span>
                      <ul className="report-tasks">
                        {p.topTasks.map((t) => (
                          <li key={t.task}>
                            <span className="report-task">{t.task}</span>{" "}
                            <span className="report-task-meta">
                              <Duration minutes={t.minutes} /> · {t.count}×
                            </span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        ))}
        <tfoot>
          <tr>
            <th scope="row" className="col-name">
              Total
            </th>
            <HoursCell minutes={report.summary.totalMinutes} hours={report.summary.totalHours} />
            <td>{report.summary.totalMinutes > 0 ? "100%" : "—"}</td>
            <td>{report.summary.totalEntries}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
