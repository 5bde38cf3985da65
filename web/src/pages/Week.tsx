import { Fragment, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import {
  call,
  listEntries,
  warningsOf,
  type Api,
  type EntryAnswer,
  type MeAnswer,
  type NewEntry,
  type Notice,
} from "../api/client";
import { Duration } from "../components/Duration";
import { inApp } from "../components/Header";
import { Loading, ProblemNotice } from "../components/Notices";
import { navigate, useLocation } from "../lib/router";
import { addDays, clockIn, dateIn, formatDate, formatMinutes, isIsoDate, isValidTimeZone, mondayOf } from "../lib/time";
import { useNow } from "../lib/useNow";
import { useResource } from "../lib/useResource";
import { touchesEntries, touchesProjects, useLive } from "../lib/live";
import { buildWeek, defaultStart, defaultTask, weekDates, type WeekRow } from "../lib/week";
import { AddedNotice, QuickEntry } from "./week/QuickEntry";
import { shownProject } from "../lib/projectNames";

const WEEK_PROJECTS_ID = "week-project-options";
const COLUMNS = 9; // project, seven days, total

type Cell = { project: string; day: number };
type Added = Cell & { entry: EntryAnswer; warnings: Notice[] };

const short = (d: string) => formatDate(d, { weekday: "short", day: "numeric", month: "short" });
const spoken = (d: string) => formatDate(d, { weekday: "long", day: "numeric", month: "long" });

export function WeekPage({ api, me }: { api: Api; me: MeAnswer }) {
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";
  // Looked at every 30 s: "today" rolls over at midnight and a running timer counts up.
  const now = useNow(30_000);
  const today = dateIn(timeZone, now);
  const { search } = useLocation();
  const asked = new URLSearchParams(search).get("date");
  const monday = mondayOf(isIsoDate(asked) ? asked : today);
  const thisWeek = monday === mondayOf(today);
  const days = weekDates(monday);

  const week = useResource(`week:${monday}`, () => listEntries(api, days[0], days[6]));
  const projects = useResource("projects", async () => (await call(api.GET("/v1/projects"))).projects);
  // A change made elsewhere shows in the grid without a reload.
  useLive((changes) => {
    if (touchesEntries(changes)) void week.reload();
    if (touchesProjects(changes)) void projects.reload();
  });

  const [extra, setExtra] = useState<string[]>([]);
  const [open, setOpen] = useState<Cell | null>(null);
  const [added, setAdded] = useState<Added | null>(null);
  const [active, setActive] = useState<Cell | null>(null);
  const [status, setStatus] = useState("");
  const table = useRef<HTMLTableElement>(null);

  useEffect(() => {
    setExtra([]);
    setOpen(null);
    setAdded(null);
  }, [monday]);

  const entries = week.data ?? [];
  const grid = buildWeek(entries, days, { now, timeZone, extraProjects: extra });
  const todayCol = days.indexOf(today);
  const firstCol = todayCol >= 0 ? todayCol : 0;
  const activeCell: Cell | null =
    active && grid.rows.some((r) => r.project === active.project)
      ? active
      : grid.rows[0]
        ? { project: grid.rows[0].project, day: firstCol }
        : null;

  function focusCell(c: Cell) {
    setActive(c);
    requestAnimationFrame(() => {
      const buttons = table.current?.querySelectorAll<HTMLButtonElement>("button[data-day]") ?? [];
      for (const b of buttons) {
        if (b.dataset.project === c.project && b.dataset.day === String(c.day)) b.focus();
      }
    });
  }

  function openCell(c: Cell) {
    setAdded(null);
    setActive(c);
    setOpen(c);
  }

  function closeForm() {
    const c = open;
    setOpen(null);
    if (c) focusCell(c);
  }

  function onCellKey(e: KeyboardEvent<HTMLButtonElement>, row: number, day: number) {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [row, day - 1],
      ArrowRight: [row, day + 1],
      ArrowUp: [row - 1, day],
      ArrowDown: [row + 1, day],
      Home: [row, 0],
      End: [row, 6],
    };
    const to = moves[e.key];
    if (!to) return;
    e.preventDefault();
    const r = Math.min(Math.max(to[0], 0), grid.rows.length - 1);
    const d = Math.min(Math.max(to[1], 0), 6);
    focusCell({ project: grid.rows[r].project, day: d });
  }

  async function add(cell: Cell, body: NewEntry) {
    const answer = await call(api.POST("/v1/entries", { body }));
    const warnings = warningsOf(answer);
    await Promise.all([
      week.reload(),
      warnings.some((w) => w.code === "project-created") ? projects.reload() : null,
    ]);
    setOpen(null);
    setAdded({ ...cell, entry: answer, warnings });
    setStatus(
      `Added ${formatMinutes(answer.minutes ?? 0)} to ${shownProject(answer.project)} on ${spoken(answer.date)}` +
        (warnings.length ? `, with ${warnings.length} note${warnings.length > 1 ? "s" : ""}.` : "."),
    );
    focusCell(cell);
  }

  function addProject(name: string) {
    const existing = grid.rows.find((r) => r.project.toLowerCase() === name.toLowerCase());
    const project = existing?.project ?? name;
    if (!existing) setExtra((x) => [...x, name]);
    openCell({ project, day: firstCol });
  }

  function goTo(m: string) {
    navigate(m === mondayOf(today) ? "/week" : `/week?date=${m}`, { replace: true });
  }

  const inWeek = new Set(grid.rows.map((r) => r.project.toLowerCase()));
  const suggestions = (projects.data ?? [])
    .map((p) => p.shared?.logAs ?? p.name)
    .filter((n) => !inWeek.has(n.toLowerCase()));
  const range = `${formatDate(days[0], { day: "numeric", month: "long" })} – ${formatDate(days[6], { day: "numeric", month: "long", year: "numeric" })}`;

  return (
    <main id="main" className="week">
      <section className="card week-card" aria-labelledby="week-heading">
        <div className="day-head">
          <h1 id="week-heading">{thisWeek ? "This week" : `Week of ${formatDate(days[0], { day: "numeric", month: "long", year: "numeric" })}`}</h1>
          <p className="day-date">{range}</p>
        </div>
        <div className="day-nav">
          <button type="button" className="button-secondary" onClick={() => goTo(addDays(monday, -7))}>
            <span aria-hidden="true">←</span> Previous<span className="wide-only"> week</span>
          </button>
          <button type="button" className="button-secondary" onClick={() => goTo(addDays(monday, 7))}>
            Next<span className="wide-only"> week</span> <span aria-hidden="true">→</span>
          </button>
          {!thisWeek && (
            <button type="button" className="button-link" onClick={() => goTo(mondayOf(today))}>
              This week
            </button>
          )}
        </div>

        {week.status === "loading" && <Loading what="the week" />}
        {week.status === "error" && (
          <ProblemNotice
            title={week.data ? "The week could not be refreshed." : "The week could not be loaded."}
            problem={week.error}
            onRetry={() => void week.reload()}
          />
        )}
        {projects.status === "error" && (
          <ProblemNotice title="Project suggestions could not be loaded." problem={projects.error} onRetry={() => void projects.reload()} />
        )}

        {week.data && (
          <>
            <p className="hint week-hint" id="week-hint">
              Choose a cell to add time to that project on that day; arrow keys move between cells.
            </p>
            <div className="week-scroll">
              <table className="week-grid" ref={table} aria-describedby="week-hint">
                <caption className="visually-hidden">Hours by project and day, {range}</caption>
                <thead>
                  <tr>
                    <th scope="col" className="col-project">
                      Project
                    </th>
                    {days.map((d, i) => (
                      <th scope="col" key={d} className={i === todayCol ? "is-today" : undefined}>
                        {/* Named by what it shows (then what it does), so voice control finds it by its text. */}
                        <a href={`/?date=${d}`} onClick={inApp(`/?date=${d}`)} title={`Open ${spoken(d)} in Today`}>
                          <span className="wd">{formatDate(d, { weekday: "short" })}</span>{" "}
                          <span className="dm">{formatDate(d, { day: "numeric", month: "short" })}</span>
                          <span className="visually-hidden">{i === todayCol ? ", today" : ""}, open in Today</span>
                        </a>
                      </th>
                    ))}
                    <th scope="col" className="col-total">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {grid.rows.length === 0 && (
                    <tr>
                      <td colSpan={COLUMNS} className="empty">
                        Nothing logged this week. Add a project below to log time.
                      </td>
                    </tr>
                  )}
                  {grid.rows.map((row, r) => (
                    <Fragment key={row.project}>
                      <tr>
                        <th scope="row" className="col-project">
                          {shownProject(row.project)}
                        </th>
                        {row.minutes.map((m, d) => (
                          <GridCell
                            key={days[d]}
                            row={row}
                            day={d}
                            date={days[d]}
                            isToday={d === todayCol}
                            expanded={open?.project === row.project && open.day === d}
                            tabbable={activeCell?.project === row.project && activeCell.day === d}
                            minutes={m}
                            onOpen={() => openCell({ project: row.project, day: d })}
                            onFocus={() => setActive({ project: row.project, day: d })}
                            onKeyDown={(e) => onCellKey(e, r, d)}
                          />
                        ))}
                        <td className="col-total">
                          <Duration minutes={row.total} />
                        </td>
                      </tr>
                      {open?.project === row.project && (
                        <tr className="quick-row">
                          <td colSpan={COLUMNS}>
                            <QuickEntry
                              key={`${row.project}|${open.day}`}
                              id="quick-entry"
                              project={row.project}
                              date={days[open.day]}
                              initialTask={defaultTask(row)}
                              initialStart={defaultStart(entries, { date: days[open.day], today, nowClock: clockIn(timeZone, now) })}
                              dayEntries={entries.filter((e) => e.date === days[open.day])}
                              onSubmit={(body) => add(open, body)}
                              onClose={closeForm}
                            />
                          </td>
                        </tr>
                      )}
                      {added?.project === row.project && !open && (
                        <tr className="quick-row">
                          <td colSpan={COLUMNS}>
                            <AddedNotice entry={added.entry} warnings={added.warnings} onDismiss={() => {
                              setAdded(null);
                              focusCell(added);
                            }} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                  <tr className="add-project-row">
                    <td colSpan={COLUMNS}>
                      <AddProject onAdd={addProject} />
                    </td>
                  </tr>
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" className="col-project">
                      Total
                    </th>
                    {grid.dayTotals.map((m, d) => (
                      <td key={days[d]} className={d === todayCol ? "is-today" : undefined}>
                        <Duration minutes={m} />
                      </td>
                    ))}
                    <td className="col-total grand-total">
                      <Duration minutes={grid.total} />
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
            {grid.running && (
              <p className="hint week-running">
                <span className="running-dot" aria-hidden="true" /> The totals include the running timer ({grid.running.task}, since{" "}
                {grid.running.startTime} on {short(grid.running.date)}), counted up to now.
              </p>
            )}
            <datalist id={WEEK_PROJECTS_ID}>
              {suggestions.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          </>
        )}
        <p className="visually-hidden" role="status">
          {status}
        </p>
      </section>
    </main>
  );
}

function GridCell({
  row,
  day,
  date,
  isToday,
  expanded,
  tabbable,
  minutes,
  onOpen,
  onFocus,
  onKeyDown,
}: {
  row: WeekRow;
  day: number;
  date: string;
  isToday: boolean;
  expanded: boolean;
  tabbable: boolean;
  minutes: number;
  onOpen: () => void;
  onFocus: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLButtonElement>) => void;
}) {
  const running = row.running[day];
  const where = `${shownProject(row.project)}, ${spoken(date)}`;
  const label = minutes > 0 || running ? `${formatMinutes(minutes)} on ${where}${running ? " (timer running)" : ""}: add time` : `Add time to ${where}`;
  return (
    <td className={`cell${isToday ? " is-today" : ""}${minutes > 0 ? " has-time" : ""}`}>
      <button
        type="button"
        className="cell-button"
        data-project={row.project}
        data-day={day}
        tabIndex={tabbable ? 0 : -1}
        aria-label={label}
        aria-expanded={expanded}
        aria-controls={expanded ? "quick-entry" : undefined}
        onClick={onOpen}
        onFocus={onFocus}
        onKeyDown={onKeyDown}
      >
        {minutes > 0 || running ? formatMinutes(minutes) : <span aria-hidden="true">–</span>}
        {running && <span className="running-dot" aria-hidden="true" />}
      </button>
    </td>
  );
}

function AddProject({ onAdd }: { onAdd: (name: string) => void }) {
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);

  function close() {
    setAdding(false);
    setName("");
    setError(null);
    requestAnimationFrame(() => button.current?.focus());
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const n = name.trim();
    if (!n) {
      setError("Enter a project's name.");
      return;
    }
    setAdding(false);
    setName("");
    setError(null);
    onAdd(n);
  }

  if (!adding) {
    return (
      <button type="button" ref={button} className="button-quiet add-project" onClick={() => setAdding(true)}>
        + Add project
      </button>
    );
  }
  return (
    <form
      className="add-project-form"
      aria-label="Add a project to this week"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          close();
        }
      }}
      noValidate
    >
      <div className="field">
        <label htmlFor="add-project-name">Project</label>
        <input
          id="add-project-name"
          value={name}
          list={WEEK_PROJECTS_ID}
          autoComplete="off"
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "add-project-error" : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
        />
        {error && (
          <ul className="notices" id="add-project-error">
            <li className="notice notice-error">{error}</li>
          </ul>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="button-primary">
          Add row
        </button>
        <button type="button" className="button-secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
