import { useCallback, useState } from "react";
import {
  call,
  listEntries,
  warningsOf,
  type Api,
  type EntryAnswer,
  type ListedEntry,
  type MeAnswer,
  type Notice,
  type TimerStartBody,
} from "../api/client";
import { ProblemNotice } from "../components/Notices";
import { recentTasks, type RecentTask } from "../lib/recent";
import { navigate, useLocation } from "../lib/router";
import { addDays, clockIn, dateIn, isIsoDate, isValidTimeZone } from "../lib/time";
import { useNow } from "../lib/useNow";
import { useResource } from "../lib/useResource";
import { touchesEntries, touchesProjects, useLive } from "../lib/live";
import { DayView, type Day } from "./today/DayView";
import { newEntryBody, patchBody, PROJECTS_LIST_ID, type EntryDraft } from "./today/EntryForm";
import { RecentTasks, TimerPanel } from "./today/TimerPanel";
import { suggestedProjects } from "../lib/projectNames";

export function TodayPage({ api, me }: { api: Api; me: MeAnswer }) {
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";
  // "Today" is the person's day in their zone; looked at again every 30 s so it rolls over at midnight.
  const now = useNow(30_000);
  const today = dateIn(timeZone, now);
  const { pathname, search } = useLocation();
  const asked = new URLSearchParams(search).get("date");
  const date = isIsoDate(asked) ? asked : today;

  const timer = useResource("timer", async () => (await call(api.GET("/v1/timer"))).running ?? null);
  const day = useResource(`day:${date}`, async (): Promise<Day> => {
    // The report also comes as Markdown, CSV or text; this asks for JSON.
    const report = await call(
      api.GET("/v1/daily/{date}", { params: { path: { date } }, headers: { Accept: "application/json" } }),
    );
    if (typeof report !== "object") throw new Error("The daily report did not come as JSON.");
    return { report };
  });
  const recent = useResource(`recent:${today}`, async () => recentTasks(await listEntries(api, addDays(today, -7), today), 8));
  const projects = useResource("projects", async () => (await call(api.GET("/v1/projects"))).projects);

  const [warnings, setWarnings] = useState<Record<string, Notice[]>>({});
  const noted = useCallback((answer: EntryAnswer) => {
    setWarnings((w) => ({ ...w, [answer.id]: warningsOf(answer) }));
  }, []);

  const refresh = async (opts: { projects?: boolean } = {}) => {
    await Promise.all([timer.reload(), day.reload(), recent.reload(), opts.projects ? projects.reload() : null]);
  };
  // A change made elsewhere (`tm`, another tab, a log upload) shows here without a reload.
  useLive((changes) => {
    if (touchesEntries(changes)) void refresh({ projects: touchesProjects(changes) });
    else if (touchesProjects(changes)) void projects.reload();
  });
  const createsProject = (answer: EntryAnswer) => warningsOf(answer).some((w) => w.code === "project-created");

  async function start(body: TimerStartBody) {
    const answer = await call(api.POST("/v1/timer/start", { body }));
    noted(answer);
    await refresh({ projects: createsProject(answer) });
  }

  async function stop() {
    const answer = await call(api.POST("/v1/timer/finish", {}));
    noted(answer);
    await refresh();
  }

  async function startAgain(t: RecentTask) {
    if (timer.data) noted(await call(api.POST("/v1/timer/finish", {})));
    await start({ task: t.task, project: t.project || null, tags: t.tags.length ? t.tags : null });
  }

  async function add(d: EntryDraft) {
    const answer = await call(api.POST("/v1/entries", { body: newEntryBody(d, date) }));
    noted(answer);
    await refresh({ projects: createsProject(answer) });
  }

  async function edit(id: string, before: ListedEntry, d: EntryDraft) {
    const patch = patchBody(before, d);
    if (Object.keys(patch).length === 0) return;
    const answer = await call(api.PATCH("/v1/entries/{id}", { params: { path: { id } }, body: patch }));
    noted(answer);
    await refresh({ projects: createsProject(answer) });
  }

  async function remove(id: string) {
    await call(api.DELETE("/v1/entries/{id}", { params: { path: { id } } }));
    setWarnings(({ [id]: _, ...rest }) => rest);
    await refresh();
  }

  function goTo(d: string) {
    navigate(d === today ? pathname : `${pathname}?date=${d}`, { replace: true });
  }

  const projectNames = suggestedProjects(projects.data ?? []);

  return (
    <main id="main" className="today">
      <h1 className="visually-hidden">Today</h1>
      <datalist id={PROJECTS_LIST_ID}>
        {projectNames.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <div className="today-top">
        <TimerPanel
          timer={timer}
          timeZone={timeZone}
          warnings={(timer.data && warnings[timer.data.id]) || []}
          onStart={start}
          onStop={stop}
          onDiscard={remove}
        />
        <RecentTasks
          recent={recent}
          running={timer.data ? { task: timer.data.task, project: timer.data.project, tags: timer.data.tags } : null}
          onStartAgain={startAgain}
        />
      </div>
      {projects.status === "error" && (
        <ProblemNotice title="Project suggestions could not be loaded." problem={projects.error} onRetry={() => void projects.reload()} />
      )}
      <DayView
        date={date}
        today={today}
        nowClock={clockIn(timeZone, now)}
        day={day}
        warnings={warnings}
        onDate={goTo}
        onAdd={add}
        onEdit={edit}
        onDelete={remove}
      />
    </main>
  );
}
