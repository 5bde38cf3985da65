import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MeAnswer } from "../api/client";
import { daily, entry, fakeService, ME, UUID } from "../test/fakeService";
import { TodayPage } from "./Today";

const NOW = new Date("2026-12-03T14:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

function show(service: ReturnType<typeof fakeService>, me: MeAnswer = ME) {
  const user = userEvent.setup();
  render(<TodayPage api={service.api} me={me} />);
  return user;
}

const dayCard = () => screen.getByRole("region", { name: /^(Today|\w+day, .*\d{4})$/ });
const timerCard = () => screen.getByRole("region", { name: "Timer" });

describe("the day", () => {
  it("shows a loading state, then the entries in order with the gaps between them and the total", async () => {
    const a = entry({ startTime: "09:00", endTime: "09:10", minutes: 10, task: "Standup" });
    const b = entry({ startTime: "11:00", endTime: "12:30", minutes: 90, task: "Review the parser" });
    const service = fakeService({
      "GET /v1/daily/:date": { body: daily("2026-12-03", [a, b]) },
      "GET /v1/entries": { body: { entries: [a, b], nextCursor: null } },
    });
    show(service);
    expect(screen.getByText("Loading the day…")).toBeInTheDocument();

    const list = await screen.findByRole("list", { name: "Entries and gaps" });
    const rows = within(list).getAllByRole("listitem");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("Standup"),
      expect.stringMatching(/Gap of 1:50.*09:10–11:00/),
      expect.stringContaining("Review the parser"),
    ]);
    expect(within(dayCard()).getByText("Total").parentElement).toHaveTextContent(/^Total\s*1:40$/);
    expect(within(dayCard()).getByText("Gaps").parentElement).toHaveTextContent(/^Gaps\s*1:50$/);
    expect(screen.queryByText("Loading the day…")).not.toBeInTheDocument();
  });

  it("shows the service's error as it said it, and loads again on Try again", async () => {
    let fail = true;
    const service = fakeService({
      "GET /v1/daily/:date": (_r, [date]) =>
        fail
          ? { status: 503, body: { error: { code: "unavailable", message: "the store is not reachable; try again" } } }
          : { body: daily(date, []) },
    });
    const user = show(service);
    const alert = await within(dayCard()).findByRole("alert");
    expect(alert).toHaveTextContent("the store is not reachable; try again");
    expect(alert).toHaveTextContent("unavailable");
    fail = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Nothing logged yet today.")).toBeInTheDocument();
  });

  it("takes today in the person's time zone, not the browser's", async () => {
    const service = fakeService();
    // 14:00 UTC on 3 December is already 03:00 on 4 December in Auckland.
    show(service, { ...ME, timeZone: "Pacific/Auckland", today: "2026-12-04" });
    await screen.findByText("Nothing logged yet today.");
    const paths = service.calls.map((c) => `${c.path}${c.query.size ? `?${c.query}` : ""}`);
    expect(paths).toContain("/v1/daily/2026-12-04");
    expect(paths).toContainEqual(expect.stringMatching(/^\/v1\/entries\?from=2026-11-27&to=2026-12-04/));
    expect(within(dayCard()).getByText(/Friday,? (4 December|December 4,) 2026/)).toBeInTheDocument();
  });

  it("moves to the previous and next day", async () => {
    const service = fakeService();
    const user = show(service);
    await screen.findByText("Nothing logged yet today.");
    await user.click(screen.getByRole("button", { name: /Previous day/ }));
    expect(await screen.findByText("Nothing logged on this day.")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: /Wednesday,? (2 December|December 2,) 2026/ })).toBeInTheDocument();
    expect(service.calls.some((c) => c.path === "/v1/daily/2026-12-02")).toBe(true);
    expect(window.location.search).toBe("?date=2026-12-02");
    await user.click(screen.getByRole("button", { name: /Next day/ }));
    expect(await screen.findByText("Nothing logged yet today.")).toBeInTheDocument();
    expect(window.location.search).toBe("");
  });
});

describe("the timer", () => {
  it("shows the running timer's elapsed time ticking, and stops it", async () => {
    const running = entry({
      startTime: "13:55",
      endTime: null,
      minutes: null,
      task: "Writing tests",
      createdAt: "2026-12-03T13:55:00Z",
    });
    let isRunning = true;
    const service = fakeService({
      "GET /v1/timer": () => ({ body: { running: isRunning ? running : null, elapsedMinutes: 5 } }),
      "POST /v1/timer/finish": () => {
        isRunning = false;
        return { body: { ...running, endTime: "14:01", minutes: 6, warnings: [] } };
      },
    });
    const user = show(service);
    const clock = await screen.findByRole("timer");
    expect(clock).toHaveAccessibleName("Elapsed 0:05:00");
    vi.setSystemTime(new Date(NOW.getTime() + 61_000));
    await waitFor(() => expect(screen.getByRole("timer")).toHaveAccessibleName("Elapsed 0:06:01"), { timeout: 2500 });

    await user.click(within(timerCard()).getByRole("button", { name: "Stop" }));
    expect(await within(timerCard()).findByRole("button", { name: "Start" })).toBeInTheDocument();
    const finish = service.writes().find((c) => c.path === "/v1/timer/finish")!;
    expect(finish.headers.get("Idempotency-Key")).toMatch(UUID);
    expect(finish.headers.get("Authorization")).toBe("Bearer the-id-token");
  });

  it("starts a timer with task, project and comma-separated tags, and shows the service's notes by the fields", async () => {
    const started = entry({ task: "Review the parser", endTime: null, minutes: null, tags: ["code-review", "backend"] });
    const service = fakeService({
      "POST /v1/timer/start": () => ({
        status: 201,
        body: {
          ...started,
          warnings: [
            { code: "tag-normalized", field: "tags", message: 'tag "Code Review" was normalised to "code-review"', severity: "info" },
          ],
        },
      }),
    });
    const user = show(service);
    const card = timerCard();
    await user.type(await within(card).findByLabelText("Task"), "Review the parser");
    await user.type(within(card).getByLabelText("Project"), "Web");
    await user.type(within(card).getByLabelText("Tags"), "Code Review, backend");
    service.route("GET /v1/timer", { body: { running: started, elapsedMinutes: 0 } });
    await user.click(within(card).getByRole("button", { name: "Start" }));

    const start = service.writes().find((c) => c.path === "/v1/timer/start")!;
    expect(start.body).toEqual({ task: "Review the parser", project: "Web", tags: ["Code Review", "backend"] });
    expect(start.headers.get("Idempotency-Key")).toMatch(UUID);
    expect(await within(card).findByText(/was normalised to "code-review"/)).toBeInTheDocument();
    expect(within(card).getByRole("timer")).toBeInTheDocument();
  });

  it("shows a refused start's error as the service said it, and its findings next to the fields", async () => {
    const service = fakeService({
      "POST /v1/timer/start": {
        status: 400,
        body: {
          error: {
            code: "validation-failed",
            message: "the entry has 1 problem(s); see details.issues",
            details: {
              issues: [{ code: "empty-task", field: "task", message: "task is empty; describe what you worked on", severity: "error" }],
            },
          },
        },
      },
    });
    const user = show(service);
    const card = timerCard();
    await user.type(await within(card).findByLabelText("Task"), "   ");
    await user.click(within(card).getByRole("button", { name: "Start" }));
    expect(await within(card).findByRole("alert")).toHaveTextContent("the entry has 1 problem(s); see details.issues");
    const task = within(card).getByLabelText("Task");
    expect(task).toHaveAttribute("aria-invalid", "true");
    expect(task).toHaveAccessibleDescription(/task is empty; describe what you worked on/);
  });

  it("starts again from a recent task with one click (stopping the running one first)", async () => {
    const older = entry({ date: "2026-12-01", task: "Planning", project: "Ops", tags: ["meetings"] });
    const newer = entry({ date: "2026-12-02", task: "Review", project: "Web" });
    const running = entry({ startTime: "13:00", endTime: null, minutes: null, task: "Something else" });
    const service = fakeService({
      "GET /v1/entries": (r) => ({
        body: { entries: r.query.get("from") === "2026-11-26" ? [older, newer, older] : [], nextCursor: null },
      }),
      "GET /v1/timer": { body: { running, elapsedMinutes: 60 } },
      "POST /v1/timer/finish": { body: { ...running, endTime: "14:00", minutes: 60, warnings: [] } },
      "POST /v1/timer/start": (r) => ({ status: 201, body: { ...entry(r.body as object), endTime: null, warnings: [] } }),
    });
    const user = show(service);
    const recent = await screen.findByRole("region", { name: "Start again" });
    const buttons = await within(recent).findAllByRole("button");
    // Each is named by what it shows (axe: the visible text is part of the name).
    expect(buttons[0]).toHaveAccessibleName(/^Start again: Review\s*Web$/);
    expect(buttons[1]).toHaveAccessibleName(/^Start again: Planning\s*Ops\s+#meetings$/);
    expect(buttons.every((b) => !b.hasAttribute("aria-label"))).toBe(true);
    await user.click(buttons[1]);
    await waitFor(() => expect(service.writes().map((c) => c.path)).toEqual(["/v1/timer/finish", "/v1/timer/start"]));
    expect(service.writes()[1].body).toEqual({ task: "Planning", project: "Ops", tags: ["meetings"] });
  });
});

describe("entries", () => {
  it("adds an entry on the day shown and shows the service's notes by the new entry's fields", async () => {
    const created = entry({ startTime: "10:00", endTime: "11:15", minutes: 75, task: "Planning the week", tags: ["planning"] });
    let day = [] as ReturnType<typeof entry>[];
    const service = fakeService({
      "GET /v1/daily/:date": (_r, [date]) => ({ body: daily(date, day) }),
      "GET /v1/entries": { body: { entries: [], nextCursor: null } },
      "POST /v1/entries": () => {
        day = [created];
        service.route("GET /v1/entries", { body: { entries: day, nextCursor: null } });
        return {
          status: 201,
          body: { ...created, warnings: [{ code: "tag-normalized", field: "tags", message: 'tag "Planning" was normalised to "planning"', severity: "info" }] },
        };
      },
    });
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "+ Add entry" }));
    const form = screen.getByRole("form", { name: "New entry" });
    await user.type(within(form).getByLabelText("Start"), "10:00");
    await user.type(within(form).getByLabelText("End"), "11:15");
    await user.type(within(form).getByLabelText("Task"), "Planning the week");
    await user.type(within(form).getByLabelText("Tags"), "Planning");
    await user.type(within(form).getByLabelText("Notes"), "With the team");
    await user.click(within(form).getByRole("button", { name: "Add entry" }));

    const post = service.writes().find((c) => c.path === "/v1/entries")!;
    expect(post.body).toEqual({
      date: "2026-12-03",
      startTime: "10:00",
      endTime: "11:15",
      task: "Planning the week",
      project: null,
      tags: ["Planning"],
      notes: "With the team",
    });
    expect(post.headers.get("Idempotency-Key")).toMatch(UUID);
    const row = (await within(dayCard()).findByText("Planning the week")).closest("li")!;
    expect(within(row).getByText(/was normalised to "planning"/)).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New entry" })).not.toBeInTheDocument();
  });

  it("keeps the form open with the service's error when the entry is refused", async () => {
    const service = fakeService({
      "POST /v1/entries": {
        status: 409,
        body: {
          error: {
            code: "overlap",
            message: "10:00-11:00 on 2026-12-03 overlaps 09:00-10:30 on 2026-12-03 (Standup)",
            details: {
              issues: [
                { code: "overlap", field: "startTime", message: "10:00-11:00 on 2026-12-03 overlaps 09:00-10:30 on 2026-12-03 (Standup)", severity: "error" },
                { code: "short-task", field: "task", message: 'task "x" is under 5 characters', severity: "warning" },
              ],
            },
          },
        },
      },
    });
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "+ Add entry" }));
    const form = screen.getByRole("form", { name: "New entry" });
    await user.type(within(form).getByLabelText("Start"), "10:00");
    await user.type(within(form).getByLabelText("End"), "11:00");
    await user.type(within(form).getByLabelText("Task"), "x");
    await user.click(within(form).getByRole("button", { name: "Add entry" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("overlaps 09:00-10:30 on 2026-12-03 (Standup)");
    expect(within(form).getByLabelText("Start")).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByLabelText("Task")).toHaveAccessibleDescription(/task "x" is under 5 characters/);
    expect(within(form).getByLabelText("Task")).toHaveValue("x");
  });

  it("edits an entry inline, sending only what changed (a cleared project as null)", async () => {
    const e = entry({ startTime: "09:00", endTime: "10:00", task: "Standup", project: "Ops", tags: ["meetings"] });
    const service = fakeService({
      "GET /v1/daily/:date": (_r, [date]) => ({ body: daily(date, [e]) }),
      "GET /v1/entries": { body: { entries: [e], nextCursor: null } },
      "PATCH /v1/entries/:id": (r) => ({ body: { ...e, ...(r.body as object), warnings: [] } }),
    });
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "Edit 09:00 Standup" }));
    const form = screen.getByRole("form", { name: "Edit Standup" });
    await user.clear(within(form).getByLabelText("Task"));
    await user.type(within(form).getByLabelText("Task"), "Daily standup");
    await user.clear(within(form).getByLabelText("Project"));
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(service.writes()).toHaveLength(1));
    const [patch] = service.writes();
    expect(patch.method).toBe("PATCH");
    expect(patch.path).toBe(`/v1/entries/${e.id}`);
    expect(patch.body).toEqual({ task: "Daily standup", project: null });
    expect(patch.headers.get("Idempotency-Key")).toMatch(UUID);
  });

  it("deletes an entry only after it is confirmed", async () => {
    const e = entry({ task: "Mistake" });
    const service = fakeService({
      "GET /v1/daily/:date": (_r, [date]) => ({ body: daily(date, [e]) }),
      "GET /v1/entries": { body: { entries: [e], nextCursor: null } },
      "DELETE /v1/entries/:id": { status: 204 },
    });
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "Delete 09:00 Mistake" }));
    const dialog = screen.getByRole("alertdialog", { name: "Delete this entry?" });
    expect(dialog).toHaveAccessibleDescription("09:00–10:00 Mistake. This cannot be undone.");
    expect(within(dialog).getByRole("button", { name: "Delete entry" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Keep it" }));
    expect(service.writes()).toHaveLength(0);
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete 09:00 Mistake" })).toHaveFocus());
    // Escape keeps it too.
    await user.click(screen.getByRole("button", { name: "Delete 09:00 Mistake" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete 09:00 Mistake" })).toHaveFocus());
    expect(service.writes()).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Delete 09:00 Mistake" }));
    await user.click(screen.getByRole("button", { name: "Delete entry" }));
    await waitFor(() => expect(service.writes()).toHaveLength(1));
    expect(service.writes()[0]).toMatchObject({ method: "DELETE", path: `/v1/entries/${e.id}` });
    expect(service.writes()[0].headers.get("Idempotency-Key")).toMatch(UUID);
  });
});
