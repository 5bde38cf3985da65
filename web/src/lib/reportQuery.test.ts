import { describe, expect, it } from "vitest";
import {
  addFiscalYears,
  addMonths,
  defaults,
  fileName,
  parseProjectList,
  parseQuery,
  reportParams,
  reportPath,
  toSearch,
  type Context,
} from "./reportQuery";

const MINE: Context = { scope: "mine", today: "2026-12-03", fiscalYearStartMonth: 7 };
const TEAM: Context = { ...MINE, scope: "team" };

describe("the report in the address", () => {
  it("defaults to the current fiscal year, with the service's grouping, and an empty address", () => {
    const q = parseQuery("", MINE);
    expect(q).toMatchObject({ kind: "fiscal-year", fy: "2026-2027", groupBy: "departmentalGoal", sort: "hours", topTasks: "3", suppress: null });
    expect(toSearch(q, MINE)).toBe("");
    expect(parseQuery("", TEAM).groupBy).toBe("user");
    expect(parseQuery("", { ...MINE, fiscalYearStartMonth: 1 }).fy).toBe("2026-2026");
  });

  it("round-trips every kind with its inputs and options", () => {
    const search = "?kind=range&start=2026-11-01&end=2026-11-30&groupBy=tag&sort=alpha&topTasks=all&suppress=Web+App&suppress=Research";
    const q = parseQuery(search, MINE);
    expect(q).toMatchObject({ kind: "range", start: "2026-11-01", end: "2026-11-30", groupBy: "tag", sort: "alpha", topTasks: "all", suppress: ["Web App", "Research"] });
    expect(toSearch(q, MINE)).toBe(search);
    expect(toSearch(parseQuery("?kind=since&text=deploy+v2", MINE), MINE)).toBe("?kind=since&text=deploy+v2");
    expect(toSearch(parseQuery("?kind=month&month=2026-10", MINE), MINE)).toBe("?kind=month&month=2026-10");
    // The current week and month need no date in the address.
    expect(toSearch(parseQuery("?kind=week&date=2026-12-01", MINE), MINE)).toBe("?kind=week");
    expect(toSearch(parseQuery("?kind=week&date=2026-11-25", MINE), MINE)).toBe("?kind=week&date=2026-11-25");
  });

  it("tells leaving nothing out (an empty suppress) from the service's default (none given)", () => {
    const none = parseQuery("?suppress=", MINE);
    expect(none.suppress).toEqual([]);
    expect(toSearch(none, MINE)).toBe("?suppress=");
    expect(reportParams(none).getAll("suppress")).toEqual([""]);
    expect(reportParams(parseQuery("", MINE)).has("suppress")).toBe(false);
  });

  it("replaces what it cannot read with the defaults", () => {
    const q = parseQuery("?kind=nope&fy=2026&groupBy=user&sort=x&topTasks=7&start=2026-02-30", MINE);
    expect(q).toEqual(defaults(MINE));
    // Grouping by person is for the team only.
    expect(parseQuery("?groupBy=user", TEAM).groupBy).toBe("user");
  });
});

describe("the service call", () => {
  it("names each kind's route, the team's under /v1/team", () => {
    const q = defaults(MINE);
    expect(reportPath(q, "mine")).toBe("/v1/reports/fiscal-year/2026-2027");
    expect(reportPath({ ...q, kind: "range", start: "2026-11-01", end: "2026-11-02" }, "team")).toBe("/v1/team/reports/range/2026-11-01/2026-11-02");
    expect(reportPath({ ...q, kind: "week" }, "mine")).toBe("/v1/reports/weekly/2026-12-03");
    expect(reportPath({ ...q, kind: "month" }, "mine")).toBe("/v1/reports/monthly/2026-12");
    expect(reportPath({ ...q, kind: "since", text: "a/b" }, "mine")).toBe("/v1/reports/since");
    expect(reportParams({ ...q, kind: "since", text: "a/b" }, "csv").toString()).toBe(
      "text=a%2Fb&groupBy=departmentalGoal&sort=hours&topTasks=3&format=csv",
    );
  });

  it("names downloads after the report", () => {
    const q = defaults(MINE);
    expect(fileName({ ...q, groupBy: "project" }, "mine", "csv")).toBe("report-2026-2027-by-project.csv");
    expect(fileName(q, "mine", "markdown")).toBe("report-2026-2027-by-departmental-goal.md");
    expect(fileName({ ...q, kind: "week", groupBy: "user" }, "team", "csv")).toBe("team-report-week-2026-11-30-by-user.csv");
    expect(fileName({ ...q, kind: "since", text: "Déploy the API!", groupBy: "none" }, "mine", "csv")).toBe("report-since-deploy-the-api.csv");
    expect(fileName({ ...q, kind: "range", start: "2026-11-01", end: "2026-11-30", groupBy: "tag" }, "mine", "csv")).toBe(
      "report-2026-11-01-to-2026-11-30-by-tag.csv",
    );
  });
});

describe("helpers", () => {
  it("reads a list of projects", () => {
    expect(parseProjectList(" Web App, ,research, Research ,Unproductive")).toEqual(["Web App", "research", "Unproductive"]);
    expect(parseProjectList("  ")).toEqual([]);
  });

  it("steps months and fiscal years", () => {
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-05", -17)).toBe("2024-12");
    expect(addFiscalYears("2026-2027", -1)).toBe("2025-2026");
    expect(addFiscalYears("2026-2026", 1)).toBe("2027-2027");
  });
});
