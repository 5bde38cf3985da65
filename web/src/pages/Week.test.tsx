import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EntryAnswer, MeAnswer } from "../api/client";
import { entry, fakeService, ME, UUID } from "../test/fakeService";
import { WeekPage } from "./Week";

// Thursday 3 December 2026, 14:00 UTC: the week is Monday 30 November – Sunday 6 December.
const NOW = new Date("2026-12-03T14:00:00Z");
const DAYS = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

function show(service: ReturnType<typeof fakeService>, me: MeAnswer = ME) {
  const user = userEvent.setup();
  render(<WeekPage api={service.api} me={me} />);
  return user;
}

const grid = () => screen.getByRole("table");
/** The cells of a row (header first), as their text. */
const rowText = (name: string) =>
  Array.from(within(grid()).getByRole("rowheader", { name }).closest("tr")!.querySelectorAll("th, td"), (c) => c.textContent);

/** A service whose `GET /v1/entries` answers `entries` in pages of two, and takes posts. */
function weekService(initial: EntryAnswer[]) {
  const stored = [...initial];
  const service = fakeService({
    "GET /v1/entries": (r) => {
      const from = r.query.get("from")!;
      const to = r.query.get("to")!;
      const all = stored.filter((e) => e.date >= from && e.date <= to);
      const at = Number(r.query.get("cursor") ?? 0);
      return { body: { entries: all.slice(at, at + 2), nextCursor: at + 2 < all.length ? String(at + 2) : null } };
    },
    "POST /v1/entries": (r) => {
      const b = r.body as { date: string; startTime: string; endTime: string; task: string; project: string | null };
      const [h1, m1] = b.startTime.split(":").map(Number);
      const [h2, m2] = b.endTime.split(":").map(Number);
      const created = entry({ ...b, project: b.project ?? "Non-Project", minutes: h2 * 60 + m2 - (h1 * 60 + m1) });
      stored.push(created);
      return {
        status: 201,
        body: { ...created, warnings: [{ code: "short-task", field: "task", message: 'task "Fix" is under 5 characters', severity: "warning" }] },
      };
    },
  });
  return service;
}

const MONDAY = [
  entry({ date: "2026-11-30", startTime: "09:00", endTime: "10:30", minutes: 90, task: "Planning", project: "Web" }),
  entry({ date: "2026-11-30", startTime: "11:00", endTime: "12:00", minutes: 60, task: "Reading", project: "Research" }),
];
const TUESDAY = [
  entry({ date: "2026-12-01", startTime: "09:00", endTime: "13:00", minutes: 240, task: "Parser", project: "Web" }),
  entry({ date: "2026-12-01", startTime: "23:00", endTime: "01:00", minutes: 120, task: "Late deploy", project: "Non-Project" }),
];

describe("the week", () => {
  it("shows hours by project and day from every page of entries, with row, day and grand totals", async () => {
    const running = entry({ date: "2026-12-03", startTime: "13:30", endTime: null, minutes: null, task: "Writing", project: "Web", createdAt: "2026-12-03T13:30:00Z" });
    const service = weekService([...MONDAY, ...TUESDAY, running]);
    show(service);
    expect(screen.getByText("Loading the week…")).toBeInTheDocument();
    await screen.findByRole("table");

    const queries = service.calls.filter((c) => c.path === "/v1/entries").map((c) => c.query.toString());
    expect(queries).toEqual([
      "from=2026-11-30&to=2026-12-06&limit=200",
      "from=2026-11-30&to=2026-12-06&limit=200&cursor=2",
      "from=2026-11-30&to=2026-12-06&limit=200&cursor=4",
    ]);
    expect(screen.getByRole("heading", { level: 1, name: "This week" })).toBeInTheDocument();
    const heads = within(grid()).getAllByRole("columnheader").map((h) => h.textContent);
    // The browser's locale writes the dates (en-US here: "Mon Nov 30").
    const shown = heads.map((h) => h?.replace(/(, today)?, open in Today$/, "").replace(/^(\w+) (\w+) (\d+)$/, "$1 $3 $2"));
    expect(shown).toEqual([
      "Project", "Mon 30 Nov", "Tue 1 Dec", "Wed 2 Dec", "Thu 3 Dec", "Fri 4 Dec", "Sat 5 Dec", "Sun 6 Dec", "Total",
    ]);
    expect(rowText("Research")).toEqual(["Research", "1:00", "–", "–", "–", "–", "–", "–", "1:00"]);
    // The running timer counts up to now: 13:30 to 14:00.
    expect(rowText("Web")).toEqual(["Web", "1:30", "4:00", "–", "0:30", "–", "–", "–", "6:00"]);
    // The midnight-crossing entry counts on its start day; the entries without a project are last.
    expect(rowText("Non-Project")).toEqual(["Non-Project", "–", "2:00", "–", "–", "–", "–", "–", "2:00"]);
    expect(rowText("Total")).toEqual(["Total", "2:30", "6:00", "0:00", "0:30", "0:00", "0:00", "0:00", "9:00"]);
    expect(screen.getByText(/include the running timer \(Writing, since 13:30/)).toBeInTheDocument();
    // Each day's header opens that day on Today.
    const links = within(grid()).getAllByRole("link", { name: /, open in Today$/ });
    expect(links.map((a) => a.getAttribute("href"))).toEqual(DAYS.map((d) => `/?date=${d}`));
    expect(links[3]).toHaveAccessibleName(/^Thu (3 Dec|Dec 3)\s*, today, open in Today$/);
  });

  it("takes the week in the person's time zone, and moves to the previous week and back", async () => {
    const service = weekService([]);
    // 14:00 UTC on Thursday is already Friday in Auckland; on Sunday 6 December at 12:00 UTC it is Monday 7 there.
    vi.setSystemTime(new Date("2026-12-06T12:00:00Z"));
    const user = show(service, { ...ME, timeZone: "Pacific/Auckland", today: "2026-12-07" });
    await screen.findByText("Nothing logged this week. Add a project below to log time.");
    expect(service.calls.filter((c) => c.path === "/v1/entries").at(-1)!.query.get("from")).toBe("2026-12-07");
    await user.click(screen.getByRole("button", { name: "Previous week" }));
    expect(await screen.findByRole("heading", { level: 1, name: /^Week of (30 November|November 30,) 2026$/ })).toBeInTheDocument();
    expect(window.location.pathname + window.location.search).toBe("/week?date=2026-11-30");
    await user.click(screen.getByRole("button", { name: "This week" }));
    expect(await screen.findByRole("heading", { level: 1, name: "This week" })).toBeInTheDocument();
    expect(window.location.search).toBe("");
  });

  it("opens a week from any of its days in ?date=", async () => {
    window.history.replaceState(null, "", "/week?date=2026-11-26");
    const service = weekService([]);
    show(service);
    expect(await screen.findByRole("heading", { level: 1, name: /^Week of (23 November|November 23,) 2026$/ })).toBeInTheDocument();
    expect(service.calls.find((c) => c.path === "/v1/entries")!.query.get("to")).toBe("2026-11-29");
  });
});

describe("quick entry", () => {
  it("adds time to a cell: the row's latest task, after the day's last entry, and the totals change", async () => {
    const service = weekService([...MONDAY, ...TUESDAY]);
    const user = show(service);
    const cell = await screen.findByRole("button", { name: /^4:00 on Web, Tuesday,? (1 December|December 1)/ });
    await user.click(cell);
    const form = screen.getByRole("form", { name: /Add time to Web on Tuesday/ });
    expect(within(form).getByLabelText("Duration")).toHaveFocus();
    expect(within(form).getByLabelText("Task")).toHaveValue("Parser");
    // Tuesday's last entry (of any project) ends at 01:00 the next day: no room after it, so 09:00 … and refused below.
    expect(within(form).getByLabelText("Start")).toHaveValue("09:00");
    await user.clear(within(form).getByLabelText("Start"));
    await user.type(within(form).getByLabelText("Start"), "13:00");
    await user.type(within(form).getByLabelText("Duration"), "1.5h");
    expect(within(form).getByText("Until 14:30")).toBeInTheDocument();
    await user.clear(within(form).getByLabelText("Task"));
    await user.type(within(form).getByLabelText("Task"), "Fix");
    await user.click(within(form).getByRole("button", { name: "Add" }));

    await waitFor(() => expect(screen.queryByRole("form", { name: /Add time/ })).not.toBeInTheDocument());
    const post = service.writes()[0];
    expect(post.path).toBe("/v1/entries");
    expect(post.body).toEqual({ date: "2026-12-01", startTime: "13:00", endTime: "14:30", task: "Fix", project: "Web" });
    expect(post.headers.get("Idempotency-Key")).toMatch(UUID);
    expect(rowText("Web")).toEqual(["Web", "1:30", "5:30", "–", "–", "–", "–", "–", "7:00"]);
    expect(rowText("Total").at(-1)).toBe("10:00"); // 2:30 + 6:00 + 1:30
    // The service's notes about the new entry stay in view, and focus is back on the cell.
    expect(screen.getByText(/Added 13:00–14:30 “Fix” to Web/)).toBeInTheDocument();
    expect(screen.getByText('task "Fix" is under 5 characters')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: /^5:30 on Web, Tuesday/ })).toHaveFocus());
  });

  it("starts right after the day's last entry on an ordinary day", async () => {
    const service = weekService(MONDAY);
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: /^1:00 on Research, Monday/ }));
    const form = screen.getByRole("form", { name: /Add time to Research on Monday/ });
    expect(within(form).getByLabelText("Start")).toHaveValue("12:00");
    expect(within(form).getByLabelText("Task")).toHaveValue("Reading");
  });

  it("says what is wrong with a duration before sending anything", async () => {
    const service = weekService(MONDAY);
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: /^1:00 on Research/ }));
    const form = screen.getByRole("form", { name: /Add time to Research/ });
    await user.type(within(form).getByLabelText("Duration"), "25h");
    await user.click(within(form).getByRole("button", { name: "Add" }));
    expect(within(form).getByLabelText("Duration")).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByLabelText("Duration")).toHaveAccessibleDescription(/The duration must be under 24 hours/);
    expect(service.writes()).toHaveLength(0);
  });

  it("shows the service's refusal as it said it, next to the fields, and keeps the form", async () => {
    const message = "10:00-11:00 on 2026-11-30 overlaps 09:00-10:30 on 2026-11-30 (Planning); change the times so they do not overlap";
    const service = weekService(MONDAY);
    service.route("POST /v1/entries", {
      status: 409,
      body: {
        error: {
          code: "overlap",
          message,
          details: {
            issues: [
              { code: "overlap", field: "startTime", message, severity: "error" },
              { code: "outside-working-hours", field: "endTime", message: "endTime 23:30 is outside 06:00-22:00; check it is right", severity: "warning" },
            ],
          },
        },
      },
    });
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: /^1:30 on Web, Monday/ }));
    const form = screen.getByRole("form", { name: /Add time to Web on Monday/ });
    await user.clear(within(form).getByLabelText("Start"));
    await user.type(within(form).getByLabelText("Start"), "10:00");
    await user.type(within(form).getByLabelText("Duration"), "60m");
    await user.click(within(form).getByRole("button", { name: "Add" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(message);
    expect(within(form).getByLabelText("Start")).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(within(form).getByLabelText("Start")).toHaveFocus());
    expect(within(form).getByLabelText("Duration")).toHaveAccessibleDescription(/outside 06:00-22:00/);
    expect(rowText("Web").at(-1)).toBe("1:30");
  });

  it("closes on Escape, returning focus to the cell; arrow keys move between cells", async () => {
    const service = weekService(MONDAY);
    const user = show(service);
    const cell = await screen.findByRole("button", { name: /^1:00 on Research, Monday/ });
    await user.click(cell);
    expect(cell).toHaveAttribute("aria-expanded", "true");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("form", { name: /Add time/ })).not.toBeInTheDocument();
    await waitFor(() => expect(cell).toHaveFocus());
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("button", { name: /^Add time to Research, Tuesday/ })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("button", { name: /^Add time to Web, Tuesday/ })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("form", { name: /Add time to Web on Tuesday/ })).toBeInTheDocument();
    // One cell of the grid is in the tab order: the one last focused.
    expect(within(grid()).getAllByRole("button").filter((b) => b.tabIndex === 0 && b.dataset.day)).toHaveLength(1);
  });

  it("adds a row for a project not in the week yet, suggesting the person's projects", async () => {
    const service = weekService(MONDAY);
    service.route("GET /v1/projects", { body: { projects: [{ name: "Ops", departmentalGoals: [], strategicDirections: [], tags: [], status: "active", startDate: null, summary: "", archived: false }, { name: "Web", departmentalGoals: [], strategicDirections: [], tags: [], status: "active", startDate: null, summary: "", archived: false }] } });
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "+ Add project" }));
    const input = screen.getByLabelText("Project");
    const options = [...document.querySelectorAll(`#${input.getAttribute("list")} option`)].map((o) => o.getAttribute("value"));
    expect(options).toEqual(["Ops"]); // Web is in the week already
    await user.type(input, "Ops{Enter}");
    expect(rowText("Ops")).toEqual(["Ops", "–", "–", "–", "–", "–", "–", "–", "0:00"]);
    const form = screen.getByRole("form", { name: /Add time to Ops on Thursday/ });
    expect(within(form).getByLabelText("Task")).toHaveValue("Ops");
    await user.type(within(form).getByLabelText("Duration"), "45m{Enter}");
    await waitFor(() => expect(rowText("Ops")).toEqual(["Ops", "–", "–", "–", "0:45", "–", "–", "–", "0:45"]));
    expect(service.writes()[0].body).toMatchObject({ date: "2026-12-03", startTime: "09:00", endTime: "09:45", project: "Ops", task: "Ops" });
  });
});
