import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { call, type Api, type MeAnswer } from "../api/client";
import { Field, SelectField } from "../components/Field";
import { inApp } from "../components/Header";
import { ProblemNotice } from "../components/Notices";
import { useDirectory, type Directory } from "../lib/directory";
import { useAction } from "../lib/useAction";
import { useResource } from "../lib/useResource";
import { browserTimeZone, MONTHS, timeZoneOptions } from "../lib/settings";
import "./settings.css";

type Patch = { timeZone?: string; suppressedProjects?: string[]; fiscalYearStartMonth?: number };
type Save = (patch: Patch | ((fresh: MeAnswer) => Patch)) => Promise<void>;

/**
 * The person's settings: time zone, suppressed projects, the tenant's fiscal year (tenant
 * admins change it), who they are, and Sign out. Each part saves on its own; the service's
 * answer becomes the shared `me` (`onMe`), so every page sees the new settings.
 */
export function SettingsPage({
  api,
  me,
  onMe,
  onSignOut,
}: {
  api: Api;
  me: MeAnswer;
  /** The person's settings as the service answered them. */
  onMe: (me: MeAnswer) => void;
  onSignOut: () => void;
}) {
  // A patch made from the settings (a list) is made from the service's current ones, read
  // first: a change made meanwhile elsewhere (another tab) is kept.
  const save: Save = async (patch) => {
    let body: Patch;
    if (typeof patch === "function") {
      const fresh = await call(api.GET("/v1/me"));
      onMe(fresh);
      body = patch(fresh);
    } else {
      body = patch;
    }
    onMe(await call(api.PATCH("/v1/me", { body })));
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
            <dd>{me.name || "—"}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{me.email || "—"}</dd>
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

function TimeZoneCard({ me, save }: { me: MeAnswer; save: Save }) {
  const [zone, setZone] = useState(me.timeZone);
  const { busy, problem, done, run } = useAction();
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

/**
 * What a suppressed name is called here: a shared project's `logAs` (`OWNER_ID/Name`) as
 * "Name (Owner’s)", by the directory's name of its owner; other names as they are.
 */
export function suppressedLabel(logAs: string, directory: Pick<Directory, "name" | "byId">): string {
  const slash = logAs.indexOf("/");
  if (slash <= 0) return logAs;
  const owner = logAs.slice(0, slash);
  const name = logAs.slice(slash + 1);
  return directory.byId(owner) ? `${name} (${directory.name(owner)}’s)` : `${name} (a colleague’s)`;
}

function SuppressedCard({ api, me, save }: { api: Api; me: MeAnswer; save: Save }) {
  const projects = useResource("projects", async () => (await call(api.GET("/v1/projects"))).projects);
  const directory = useDirectory(api);
  const [choice, setChoice] = useState("");
  const { busy, problem, done, run } = useAction();
  const select = useRef<HTMLSelectElement>(null);
  const suppressed = me.suppressedProjects;
  const lower = new Set(suppressed.map((p) => p.toLowerCase()));
  const label = (name: string) => suppressedLabel(name, directory);
  const names = [...new Set((projects.data ?? []).map((p) => p.shared?.logAs ?? p.name))];
  const choices = names
    .filter((n) => !lower.has(n.toLowerCase()))
    .map((n) => ({ value: n, label: label(n) }))
    .sort((a, b) => a.label.localeCompare(b.label));

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!choice) return;
    const added = choice;
    const ok = await run(
      () =>
        save((fresh) => ({
          suppressedProjects: fresh.suppressedProjects.some((p) => p.toLowerCase() === added.toLowerCase())
            ? fresh.suppressedProjects
            : [...fresh.suppressedProjects, added],
        })),
      `${label(added)} is now left out of reports.`,
    );
    if (ok) setChoice("");
    // Back to the list to suppress another; when none is left (it is disabled), to the new chip.
    requestAnimationFrame(() => {
      if (select.current && !select.current.disabled) select.current.focus();
      else document.querySelector<HTMLButtonElement>(`button[aria-label="Stop suppressing ${CSS.escape(label(added))}"]`)?.focus();
    });
  }

  async function remove(name: string) {
    await run(
      () => save((fresh) => ({ suppressedProjects: fresh.suppressedProjects.filter((p) => p !== name) })),
      `${label(name)} is counted in reports again.`,
    );
    select.current?.focus();
  }

  return (
    <section className="card" aria-labelledby="suppressed-heading">
      <h2 id="suppressed-heading">Suppressed projects</h2>
      <p className="hint">
        Suppressed projects are left out of your fiscal-year and “since” reports unless a report asks for them (on the
        Reports page: Leave out projects); weeks, months and ranges count everything. Their entries stay, and the Today,
        Week and Log pages still show them.
      </p>
      {suppressed.length === 0 ? (
        <p className="empty">No project is suppressed.</p>
      ) : (
        <ul className="chips" aria-label="Suppressed projects">
          {suppressed.map((name) => (
            <li key={name} className="chip">
              <span>{label(name)}</span>
              <button
                type="button"
                className="chip-remove"
                onClick={() => void remove(name)}
                disabled={busy}
                aria-label={`Stop suppressing ${label(name)}`}
                title={`Stop suppressing ${label(name)}`}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="settings-inline" onSubmit={(e) => void add(e)} aria-label="Suppress a project">
        <SelectField
          label="Project to suppress"
          selectRef={select}
          value={choice}
          onChange={setChoice}
          disabled={projects.status !== "ready" || choices.length === 0}
        >
          <option value="">
            {projects.status === "loading"
              ? "Loading your projects…"
              : choices.length === 0
                ? "No other projects"
                : "Choose a project…"}
          </option>
          {choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </SelectField>
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

function FiscalYearCard({ me, save }: { me: MeAnswer; save: Save }) {
  const [month, setMonth] = useState(me.fiscalYearStartMonth);
  const { busy, problem, done, run } = useAction();
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
          <SelectField label="Starts in" value={month} onChange={(v) => setMonth(Number(v))} describedBy={`${selectId}-hint`}>
            {MONTHS.map((m, i) => (
              <option key={m} value={i + 1}>
                {m}
              </option>
            ))}
          </SelectField>
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

