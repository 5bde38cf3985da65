import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { call, type Api, type MeAnswer } from "../api/client";
import { Field } from "../components/Field";
import { inApp } from "../components/Header";
import { ProblemNotice } from "../components/Notices";
import { useResource } from "../lib/useResource";
import { browserTimeZone, MONTHS, timeZoneOptions } from "../lib/settings";
import "./settings.css";

type Patch = { timeZone?: string; suppressedProjects?: string[]; fiscalYearStartMonth?: number };

/**
 * The person's settings: time zone, suppressed projects, the tenant's fiscal year (tenant
 * admins change it), who they are, and Sign out. Each part saves on its own; after a save
 * the shared `me` is loaded again, so every page sees the new settings.
 */
export function SettingsPage({
  api,
  me,
  reloadMe,
  onSignOut,
}: {
  api: Api;
  me: MeAnswer;
  reloadMe: () => Promise<void>;
  onSignOut: () => void;
}) {
  const save = async (patch: Patch) => {
    await call(api.PATCH("/v1/me", { body: patch }));
    await reloadMe();
  };
  return (
    <main id="main" className="settings">
      <h1>Settings</h1>
      <TimeZoneCard me={me} save={save} />
      <SuppressedCard api={api} me={me} save={save} />
      <FiscalYearCard me={me} save={save} />
      <section className="card" aria-labelledby="who-heading">
        <h2 id="who-heading">You</h2>
        <dl className="settings-who">
          <div>
            <dt>Name</dt>
            <dd>{me.name ?? "—"}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{me.email ?? "—"}</dd>
          </div>
          <div>
            <dt>Tenant</dt>
            <dd>
              <code>{me.tenant}</code>
              {me.isTenantAdmin && <span className="badge">admin</span>}
            </dd>
          </div>
        </dl>
        <div className="form-actions">
          <button type="button" className="button-secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </section>
    </main>
  );
}

/** Saves `patch` while busy, keeping the service's refusal to show. */
function useSaving() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const [done, setDone] = useState("");
  async function run(fn: () => Promise<void>, message: string) {
    setBusy(true);
    setProblem(null);
    setDone("");
    try {
      await fn();
      setDone(message);
      return true;
    } catch (e) {
      setProblem(e as Error);
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, done, run };
}

function TimeZoneCard({ me, save }: { me: MeAnswer; save: (p: Patch) => Promise<void> }) {
  const [zone, setZone] = useState(me.timeZone);
  const { busy, problem, done, run } = useSaving();
  const listId = useId();
  const browser = browserTimeZone();
  const options = timeZoneOptions();
  useEffect(() => setZone(me.timeZone), [me.timeZone]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const z = zone.trim();
    void run(() => save({ timeZone: z }), `Saved: your time zone is ${z}.`);
  }

  return (
    <section className="card" aria-labelledby="tz-heading">
      <h2 id="tz-heading">Time zone</h2>
      <form className="settings-form" onSubmit={submit} aria-labelledby="tz-heading">
        <Field
          label="Time zone"
          value={zone}
          onChange={setZone}
          list={listId}
          name="timeZone"
          invalid={!!problem}
          hint={
            <>
              What “today” and “now” mean for you, in every page and report. Now: <strong>{me.timeZone}</strong>. Type to
              search the list (e.g. Berlin).
            </>
          }
        />
        <datalist id={listId}>
          {options.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy || zone.trim() === me.timeZone}>
            {busy ? "Saving…" : "Save time zone"}
          </button>
          {browser && browser !== zone && (
            <button type="button" className="button-secondary" onClick={() => setZone(browser)}>
              Use this browser’s zone ({browser})
            </button>
          )}
        </div>
        {problem && <ProblemNotice title="The time zone was not saved." problem={problem} />}
        <p className="settings-done" role="status">
          {done}
        </p>
      </form>
    </section>
  );
}

function SuppressedCard({ api, me, save }: { api: Api; me: MeAnswer; save: (p: Patch) => Promise<void> }) {
  const projects = useResource("projects", async () => (await call(api.GET("/v1/projects"))).projects);
  const [choice, setChoice] = useState("");
  const { busy, problem, done, run } = useSaving();
  const select = useRef<HTMLSelectElement>(null);
  const selectId = useId();
  const suppressed = me.suppressedProjects;
  const lower = new Set(suppressed.map((p) => p.toLowerCase()));
  const names = [...new Set((projects.data ?? []).map((p) => p.shared?.logAs ?? p.name))];
  const choices = names.filter((n) => !lower.has(n.toLowerCase())).sort((a, b) => a.localeCompare(b));

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!choice) return;
    const ok = await run(() => save({ suppressedProjects: [...suppressed, choice] }), `${choice} is now left out of reports.`);
    if (ok) setChoice("");
    // Back to the list to suppress another; when none is left (it is disabled), to the new chip.
    const added = choice;
    requestAnimationFrame(() => {
      if (select.current && !select.current.disabled) select.current.focus();
      else document.querySelector<HTMLButtonElement>(`button[aria-label="Stop suppressing ${CSS.escape(added)}"]`)?.focus();
    });
  }

  async function remove(name: string) {
    await run(
      () => save({ suppressedProjects: suppressed.filter((p) => p !== name) }),
      `${name} is counted in reports again.`,
    );
    select.current?.focus();
  }

  return (
    <section className="card" aria-labelledby="suppressed-heading">
      <h2 id="suppressed-heading">Suppressed projects</h2>
      <p className="hint">
        Suppressed projects are left out of your reports (weekly, monthly, fiscal year and the scheduled ones) unless a
        report asks for them. Their entries stay, and the Today, Week and Log pages still show them.
      </p>
      {suppressed.length === 0 ? (
        <p className="empty">No project is suppressed.</p>
      ) : (
        <ul className="chips" aria-label="Suppressed projects">
          {suppressed.map((name) => (
            <li key={name} className="chip">
              <span>{name}</span>
              <button
                type="button"
                className="chip-remove"
                onClick={() => void remove(name)}
                disabled={busy}
                aria-label={`Stop suppressing ${name}`}
                title={`Stop suppressing ${name}`}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="settings-inline" onSubmit={(e) => void add(e)} aria-label="Suppress a project">
        <div className="field">
          <label htmlFor={selectId}>Project to suppress</label>
          <select
            id={selectId}
            ref={select}
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            disabled={projects.status !== "ready" || choices.length === 0}
          >
            <option value="">
              {projects.status === "loading"
                ? "Loading your projects…"
                : choices.length === 0
                  ? "No other projects"
                  : "Choose a project…"}
            </option>
            {choices.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button-secondary" disabled={busy || !choice}>
          Suppress
        </button>
      </form>
      {projects.status === "error" && (
        <ProblemNotice title="Your projects could not be loaded." problem={projects.error} onRetry={() => void projects.reload()} />
      )}
      {problem && <ProblemNotice title="The suppressed projects were not saved." problem={problem} />}
      <p className="settings-done" role="status">
        {busy ? "Saving…" : done}
      </p>
    </section>
  );
}

function FiscalYearCard({ me, save }: { me: MeAnswer; save: (p: Patch) => Promise<void> }) {
  const [month, setMonth] = useState(me.fiscalYearStartMonth);
  const { busy, problem, done, run } = useSaving();
  const selectId = useId();
  useEffect(() => setMonth(me.fiscalYearStartMonth), [me.fiscalYearStartMonth]);
  const current = MONTHS[me.fiscalYearStartMonth - 1] ?? String(me.fiscalYearStartMonth);

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(() => save({ fiscalYearStartMonth: month }), `Saved: the fiscal year starts on 1 ${MONTHS[month - 1]}.`);
  }

  return (
    <section className="card" aria-labelledby="fy-heading">
      <h2 id="fy-heading">Fiscal year</h2>
      {me.isTenantAdmin ? (
        <form className="settings-inline" onSubmit={submit} aria-labelledby="fy-heading">
          <div className="field">
            <label htmlFor={selectId}>Starts in</label>
            <select id={selectId} value={month} onChange={(e) => setMonth(Number(e.target.value))} aria-describedby={`${selectId}-hint`}>
              {MONTHS.map((m, i) => (
                <option key={m} value={i + 1}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button-primary" disabled={busy || month === me.fiscalYearStartMonth}>
            {busy ? "Saving…" : "Save"}
          </button>
          <p className="hint settings-inline-hint" id={`${selectId}-hint`}>
            A setting of your whole tenant: every person’s logs and fiscal-year reports run from the 1st of this month.
          </p>
        </form>
      ) : (
        <>
          <p>
            Your tenant’s fiscal year starts on <strong>1 {current}</strong>.
          </p>
          <p className="hint">It is a setting of the whole tenant: only your tenant’s admins can change it.</p>
        </>
      )}
      {problem && <ProblemNotice title="The fiscal year was not saved." problem={problem} />}
      <p className="settings-done" role="status">
        {done}
      </p>
      {me.isTenantAdmin && (
        <p className="hint">
          People and the audit log are on the{" "}
          <a href="/admin" onClick={inApp("/admin")}>
            Admin page
          </a>
          .
        </p>
      )}
    </section>
  );
}

