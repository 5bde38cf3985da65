import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MeAnswer } from "../api/client";
import type { PeriodReport } from "../lib/reportChart";
import { longDate } from "../lib/time";
import { fakeService, ME } from "../test/fakeService";
import ReportsPage from "./Reports";

// Chart.js draws on a canvas, which happy-dom lacks: a stand-in that records only whether
// each chart was taken down (what people get from the chart is its name, and the table).
const charts = vi.hoisted(() => [] as { destroyed: boolean }[]);
vi.mock("chart.js", () => {
  class Chart {
    static register() {}
    static defaults = { font: {} as Record<string, unknown> };
    record: (typeof charts)[number];
    constructor() {
      this.record = { destroyed: false };
      charts.push(this.record);
    }
    destroy() {
      this.record.destroyed = true;
    }
  }
  const part = {};
  return { Chart, BarController: part, BarElement: part, CategoryScale: part, LinearScale: part, Tooltip: part, Legend: part };
});

const NOW = new Date("2026-12-03T14:00:00Z");
const YEAR = `${longDate("2026-07-01")} – ${longDate("2027-06-30")}`;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  charts.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

const task = (name: string, minutes: number) => ({ task: name, minutes, hours: minutes / 60, count: 2, dates: ["2026-12-01"] });
const block = (name: string, minutes: number, share: number, tasks = [task(`${name} work`, minutes)]) => ({
  name,
  totalMinutes: minutes,
  totalHours: Math.round((minutes / 60) * 100) / 100,
  share,
  entryCount: 2,
  description: "",
  status: "Active" as const,
  startDate: null,
  departmentalGoals: ["General"],
  strategicDirections: ["General"],
  topTasks: tasks,
});

function answer(over: Partial<PeriodReport> = {}): PeriodReport {
  return {
    kind: "fiscal-year",
    label: "2026-2027",
    period: { start: "2026-07-01", end: "2027-06-30" },
    groupBy: "departmentalGoal",
    sort: "hours",
    suppressed: ["Unproductive"],
    groupsOverlap: false,
    summary: { totalMinutes: 105, totalHours: 1.75, totalEntries: 4, projectCount: 2, daysWithEntries: 2 },
    groups: [
      {
        key: "General",
        name: null,
        totalMinutes: 105,
        totalHours: 1.75,
        share: 100,
        projects: [block("Web App", 75, 71.4), block("Research", 30, 28.6)],
      },
    ],
    ...over,
  } as PeriodReport;
}

const EMPTY = { totalMinutes: 0, totalHours: 0, totalEntries: 0, projectCount: 0, daysWithEntries: 0 };

function reportService(reply: (path: string, q: URLSearchParams) => { status?: number; body: unknown } | Response) {
  const route = (r: { path: string; query: URLSearchParams }) => reply(r.path, r.query);
  return fakeService({
    "GET /v1/logs": { body: { logs: [{ fiscalYear: "2025-2026", version: 3, entryCount: 9, lastIngest: null }] } },
    "GET /v1/reports/fiscal-year/:fy": route,
    "GET /v1/reports/range/:start/:end": route,
    "GET /v1/reports/weekly/:date": route,
    "GET /v1/reports/monthly/:month": route,
    "GET /v1/reports/since": route,
    "GET /v1/team/reports/fiscal-year/:fy": route,
  });
}

function show(service: ReturnType<typeof fakeService>, scope: "mine" | "team" = "mine", at = "/reports", me: MeAnswer = ME) {
  window.history.replaceState(null, "", at);
  const user = userEvent.setup();
  render(<ReportsPage api={service.api} me={me} scope={scope} />);
  return user;
}

const reportCalls = (s: ReturnType<typeof fakeService>) =>
  s.calls.filter((c) => c.path.includes("/reports/")).map((c) => `${c.path}?${c.query.toString()}`);
const row = (name: string) => screen.getByRole("rowheader", { name }).closest("tr")!;
const cells = (tr: Element) => Array.from(tr.querySelectorAll("th, td"), (c) => c.textContent);

describe("the Reports page", () => {
  it("shows the current fiscal year: the chart of its groups and projects, the table, what it left out", async () => {
    const service = reportService(() => ({ body: answer() }));
    show(service);
    expect(screen.getByText("Loading the report…")).toBeInTheDocument();
    await screen.findByRole("heading", { name: "Fiscal year 2026-2027" });
    expect(reportCalls(service)).toEqual(["/v1/reports/fiscal-year/2026-2027?groupBy=departmentalGoal&sort=hours&topTasks=3"]);
    expect(screen.getByText(YEAR)).toBeInTheDocument();
    expect(screen.getByText("Left out: Unproductive (your suppressed projects, from Settings).")).toBeInTheDocument();

    // The chart: one bar per goal, split by project, named and described for people who cannot see it.
    const chart = await screen.findByRole("img", { name: /^Bar chart of hours per departmental goal, split by project/ });
    expect(chart).toHaveAccessibleName(
      `Bar chart of hours per departmental goal, split by project, ${YEAR}: General 1:45 (Web App 1:15, Research 0:30).`,
    );
    expect(screen.getByRole("figure", { name: `Chart: hours per departmental goal, split by project, ${YEAR}` })).toBeInTheDocument();

    // The table: the goal, its projects with hours, decimal, share, entries and top tasks, and the total.
    expect(cells(row("General"))).toEqual(["General", "1:45 1.75 h", "100.0%", "4"]);
    expect(cells(row("Web App"))).toEqual(["Web App", "1:15 1.25 h", "71.4%", "2"]);
    expect(screen.getByText("Web App work").closest("li")).toHaveTextContent("Web App work 1:15 · 2×");
    expect(cells(row("Total"))).toEqual(["Total", "1:45 1.75 h", "100%", "4"]);
    // The fiscal years offered: the current one, the one before, and those with a log.
    const years = within(screen.getByLabelText("Year")).getAllByRole("option").map((o) => o.textContent);
    expect(years).toEqual(["2026-2027", "2025-2026"]);
  });

  it("keeps its choices in the address: grouping by tag asks for it and says the groups overlap", async () => {
    const service = reportService((_p, q) =>
      ({
        body: answer({
          groupBy: (q.get("groupBy") ?? "project") as PeriodReport["groupBy"],
          groupsOverlap: q.get("groupBy") === "tag",
          groups:
            q.get("groupBy") === "tag"
              ? [
                  { key: "planning", name: null, totalMinutes: 75, totalHours: 1.25, share: 71.4, projects: [block("Web App", 75, 71.4)] },
                  { key: "frontend", name: null, totalMinutes: 75, totalHours: 1.25, share: 71.4, projects: [block("Web App", 75, 71.4)] },
                ]
              : answer().groups,
        }),
      }),
    );
    const user = show(service);
    await screen.findByRole("rowheader", { name: "General" });
    await user.selectOptions(screen.getByLabelText("Group by"), "Tag");
    expect(window.location.search).toBe("?groupBy=tag");
    await screen.findByRole("rowheader", { name: "planning" });
    expect(screen.getByRole("rowheader", { name: "frontend" })).toBeInTheDocument();
    expect(screen.getByText(/belong to several groups and count in each/)).toBeInTheDocument();
    expect(reportCalls(service).at(-1)).toBe("/v1/reports/fiscal-year/2026-2027?groupBy=tag&sort=hours&topTasks=3");
    expect(await screen.findByRole("img", { name: /^Bar chart of hours per tag, split by project/ })).toHaveAccessibleName(
      `Bar chart of hours per tag, split by project, ${YEAR}: planning 1:15 (Web App 1:15), frontend 1:15 (Web App 1:15).`,
    );
    // The first chart was taken down.
    expect(charts[0].destroyed).toBe(true);

    await user.selectOptions(screen.getByLabelText("Top tasks"), "All");
    await user.selectOptions(screen.getByLabelText("Sort"), "A to Z");
    expect(window.location.search).toBe("?groupBy=tag&sort=alpha&topTasks=all");
  });

  it("reads the report from the address, and asks for a range with the dates typed", async () => {
    const service = reportService((path) =>
      path.includes("/range/2026-12-05/")
        ? { status: 400, body: { error: { code: "invalid-range", message: "range start 2026-12-05 is after its end 2026-12-01; give the earlier date first" } } }
        : { body: answer({ kind: "range", label: null, period: { start: "2026-11-01", end: "2026-11-02" }, groupBy: "project", suppressed: [] }) },
    );
    const user = show(service, "mine", "/reports?kind=range&start=2026-11-01&end=2026-11-02&suppress=");
    await screen.findByRole("heading", { name: "Range" });
    expect(reportCalls(service)).toEqual(["/v1/reports/range/2026-11-01/2026-11-02?groupBy=project&sort=hours&topTasks=3&suppress="]);
    expect(screen.getByRole("radio", { name: "Range" })).toBeChecked();
    expect(screen.getByLabelText("From")).toHaveValue("2026-11-01");
    // Grouped by project, a project is its own group: one row each.
    expect(screen.queryByRole("rowheader", { name: "General" })).not.toBeInTheDocument();
    expect(cells(row("Research"))).toEqual(["Research", "0:30 0.50 h", "28.6%", "2"]);

    await user.clear(screen.getByLabelText("From"));
    await user.type(screen.getByLabelText("From"), "2026-12-05");
    await user.clear(screen.getByLabelText("To"));
    await user.type(screen.getByLabelText("To"), "2026-12-01");
    await user.click(screen.getByRole("button", { name: "Show report" }));
    expect(window.location.search).toBe("?kind=range&start=2026-12-05&end=2026-12-01&suppress=");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The report could not be made.");
    expect(alert).toHaveTextContent("range start 2026-12-05 is after its end 2026-12-01; give the earlier date first");
  });

  it("says plainly when a period has nothing, with zero totals", async () => {
    const service = reportService(() => ({
      body: answer({ kind: "weekly", label: null, period: { start: "2026-11-23", end: "2026-11-29" }, groupBy: "project", suppressed: [], summary: EMPTY, groups: [] }),
    }));
    const user = show(service, "mine", "/reports?kind=week&date=2026-11-25");
    await screen.findByText("Nothing logged in this period: 0:00 in 0 entries.");
    expect(reportCalls(service)).toEqual(["/v1/reports/weekly/2026-11-25?groupBy=project&sort=hours&topTasks=3"]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
    // Next week moves the date on by seven days.
    await user.click(screen.getByRole("button", { name: "Next week" }));
    expect(window.location.search).toBe("?kind=week");
    await waitFor(() => expect(reportCalls(service).at(-1)).toBe("/v1/reports/weekly/2026-12-03?groupBy=project&sort=hours&topTasks=3"));
  });

  it("switching the kind of period quickly, a slow answer for an earlier kind does not replace the later one", async () => {
    const late: (() => void)[] = [];
    const slowly = (body: PeriodReport) => async () => {
      await new Promise<void>((r) => late.push(r)); // the earlier kinds' answers come late
      return { body };
    };
    const WEEK = { start: "2026-11-30", end: "2026-12-06" };
    const service = reportService(() => ({ body: answer() }));
    service.route("GET /v1/reports/fiscal-year/:fy", slowly(answer()));
    service.route("GET /v1/reports/monthly/:month", slowly(answer({ kind: "monthly", label: "2026-12", period: { start: "2026-12-01", end: "2026-12-31" } })));
    service.route("GET /v1/reports/weekly/:date", {
      body: answer({ kind: "weekly", label: null, period: WEEK, groupBy: "project", groups: [{ key: "Web App", name: null, totalMinutes: 75, totalHours: 1.25, share: 100, projects: [block("Web App", 75, 100)] }] }),
    });
    const user = show(service);
    expect(screen.getByText("Loading the report…")).toBeInTheDocument();
    await user.click(screen.getByRole("radio", { name: "Month" }));
    await user.click(screen.getByRole("radio", { name: "Week" }));
    await screen.findByRole("heading", { name: "Week" });
    await waitFor(() => expect(late).toHaveLength(2));
    for (const answerNow of late) answerNow();
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getByRole("heading", { name: "Week" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: /^(Fiscal year|Month)/ })).not.toBeInTheDocument();
    expect(screen.getByText(`${longDate(WEEK.start)} – ${longDate(WEEK.end)}`)).toBeInTheDocument();
    expect(await screen.findByRole("img", { name: /^Bar chart of hours per project/ })).toHaveAccessibleName(
      `Bar chart of hours per project, ${longDate(WEEK.start)} – ${longDate(WEEK.end)}: Web App 1:15.`,
    );
    expect(reportCalls(service).map((c) => c.split("?")[0])).toEqual([
      "/v1/reports/fiscal-year/2026-2027",
      "/v1/reports/monthly/2026-12",
      "/v1/reports/weekly/2026-12-03",
    ]);
  });

  it("since: asks for a text first, then shows the service's answer or its refusal", async () => {
    const service = reportService((_p, q) =>
      q.get("text")!.trim() === ""
        ? { status: 400, body: { error: { code: "missing-text", message: "give the task text to search for: /v1/reports/since?text=deploy" } } }
        : { body: answer({ kind: "since", label: null, period: null, groupBy: "project", summary: EMPTY, groups: [], text: q.get("text") }) },
    );
    const user = show(service, "mine", "/reports?kind=since");
    expect(screen.getByText(/Type some text of a task/)).toBeInTheDocument();
    expect(reportCalls(service)).toEqual([]);
    await user.type(screen.getByLabelText("Since the last task containing"), "deploy");
    await user.keyboard("{Enter}");
    expect(window.location.search).toBe("?kind=since&text=deploy");
    await screen.findByText("No task contains “deploy”, so there is no period to report on.");
    await user.clear(screen.getByLabelText("Since the last task containing"));
    await user.type(screen.getByLabelText("Since the last task containing"), "  ");
    await user.click(screen.getByRole("button", { name: "Show report" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("give the task text to search for: /v1/reports/since?text=deploy");
  });

  it("leaves out the projects typed, and back to the default", async () => {
    const service = reportService((_p, q) => ({ body: answer({ suppressed: q.has("suppress") ? q.getAll("suppress").filter(Boolean) : ["Unproductive"] }) }));
    const user = show(service);
    const field = await screen.findByLabelText("Leave out projects");
    await waitFor(() => expect(field).toHaveValue("Unproductive"));
    await user.clear(field);
    await user.type(field, "Research, Unproductive{Enter}");
    expect(window.location.search).toBe("?suppress=Research&suppress=Unproductive");
    await screen.findByText("Left out: Research, Unproductive.");
    await user.clear(screen.getByLabelText("Leave out projects"));
    await user.click(screen.getByRole("button", { name: "Show report" }));
    expect(window.location.search).toBe("?suppress=");
    await waitFor(() => expect(screen.queryByText(/^Left out:/)).not.toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Default projects left out" }));
    expect(window.location.search).toBe("");
    await waitFor(() => expect(screen.getByLabelText("Leave out projects")).toHaveFocus());
    expect(screen.queryByRole("button", { name: "Default projects left out" })).not.toBeInTheDocument();
  });

  it("downloads the report shown as CSV and Markdown, with the token, under a name that says what it is", async () => {
    const service = reportService((_p, q) =>
      q.get("format") === "csv"
        ? new Response("date,startTime\n2026-12-01,09:00\n", { status: 200, headers: { "content-type": "text/csv" } })
        : q.get("format") === "markdown"
          ? new Response("# 2026-2027\n", { status: 200, headers: { "content-type": "text/markdown" } })
          : { body: answer({ groupBy: "tag" }) },
    );
    const blobs: Blob[] = [];
    const names: string[] = [];
    const create = vi.spyOn(URL, "createObjectURL").mockImplementation((b) => (blobs.push(b as Blob), "blob:report"));
    const revoke = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    try {
      const user = show(service, "mine", "/reports?groupBy=tag&topTasks=5");
      await user.click(await screen.findByRole("button", { name: "Download CSV" }));
      await screen.findByText("Saved report-2026-2027-by-tag.csv.");
      await user.click(screen.getByRole("button", { name: "Download Markdown" }));
      await screen.findByText("Saved report-2026-2027-by-tag.md.");
      expect(names).toEqual(["report-2026-2027-by-tag.csv", "report-2026-2027-by-tag.md"]);
      expect(await blobs[0].text()).toBe("date,startTime\n2026-12-01,09:00\n");
      expect(blobs[0].type).toBe("text/csv;charset=utf-8");
      expect(await blobs[1].text()).toBe("# 2026-2027\n");
      const downloads = service.calls.filter((c) => c.query.has("format"));
      expect(downloads.map((c) => c.query.toString())).toEqual([
        "groupBy=tag&sort=hours&topTasks=5&format=csv",
        "groupBy=tag&sort=hours&topTasks=5&format=markdown",
      ]);
      expect(downloads.every((c) => c.headers.get("authorization") === "Bearer the-id-token")).toBe(true);
    } finally {
      create.mockRestore();
      revoke.mockRestore();
      click.mockRestore();
    }
  });
});

describe("the Team page", () => {
  it("groups by person, showing names, over the team's routes", async () => {
    const service = reportService(() => ({
      body: answer({
        team: true,
        groupBy: "user",
        groups: [
          { key: "u-2", name: "Linus Reporter", totalMinutes: 90, totalHours: 1.5, share: 54.5, projects: [block("Team Reports Demo", 90, 54.5)] },
          { key: "u-1", name: "Ada Tester", totalMinutes: 75, totalHours: 1.25, share: 45.5, projects: [block("Web App", 75, 45.5)] },
        ],
      }),
    }));
    show(service, "team", "/team", { ...ME, isTenantAdmin: true });
    expect(screen.getByRole("heading", { level: 1, name: "Team" })).toBeInTheDocument();
    await screen.findByRole("rowheader", { name: "Linus Reporter" });
    expect(reportCalls(service)).toEqual(["/v1/team/reports/fiscal-year/2026-2027?groupBy=user&sort=hours&topTasks=3"]);
    expect(screen.queryByText("u-2")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Group by")).toHaveValue("user");
    expect(within(screen.getByLabelText("Group by")).getByRole("option", { name: "Person" })).toBeInTheDocument();
    expect(await screen.findByRole("img", { name: /^Bar chart of hours per person/ })).toHaveAccessibleName(
      `Bar chart of hours per person, split by project, ${YEAR}: Linus Reporter 1:30 (Team Reports Demo 1:30), Ada Tester 1:15 (Web App 1:15).`,
    );
  });

  it("without shared projects, says what Team shows and how it fills", async () => {
    const service = reportService(() => ({ body: answer({ team: true, groupBy: "user", summary: EMPTY, groups: [] }) }));
    service.route("GET /v1/projects", { body: { projects: [{ name: "Own", shared: null }] } });
    show(service, "team", "/team");
    await screen.findByText(/You have no shared projects yet\./);
    expect(screen.getByText(/Team shows the hours everyone logs on the projects shared with you/)).toBeInTheDocument();
    expect(screen.getByText(/when a project's owner shares it with colleagues/)).toBeInTheDocument();
  });
});
