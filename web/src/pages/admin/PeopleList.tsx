import { useId, useLayoutEffect, useRef, useState, type FormEvent } from "react";
import { call, type Api, type MeAnswer } from "../../api/client";
import type { components } from "../../api/schema";
import { Field } from "../../components/Field";
import { Loading, ProblemNotice } from "../../components/Notices";
import { auditTime } from "../../lib/audit";
import { isValidTimeZone } from "../../lib/time";
import type { LoadedResource } from "../../lib/useResource";

type Person = components["schemas"]["Person"];
type People = components["schemas"]["People"];
type Status = Person["status"];

const STATUSES: { value: Status | ""; label: string }[] = [
  { value: "", label: "Everyone" },
  { value: "active", label: "Active" },
  { value: "invited", label: "Invited" },
  { value: "disabled", label: "Disabled" },
  { value: "removed", label: "Removed" },
];

export function PeopleList({
  api,
  me,
  people,
  onChanged,
}: {
  api: Api;
  me: MeAnswer;
  people: LoadedResource<People>;
  /** After a change to someone (their answer is in). */
  onChanged?: () => void;
}) {
  const [status, setStatus] = useState<Status | "">("");
  const [query, setQuery] = useState("");
  const [said, setSaid] = useState("");
  const statusId = useId();
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";

  const all = people.data?.people ?? [];
  const q = query.trim().toLowerCase();
  const shown = all.filter(
    (p) => (!status || p.status === status) && (!q || `${p.name ?? ""} ${p.email ?? ""}`.toLowerCase().includes(q)),
  );

  return (
    <section className="card" aria-labelledby="people-heading">
      <div className="people-head">
        <h2 id="people-heading">People</h2>
        <button type="button" className="button-quiet" onClick={() => void people.reload()} disabled={people.reloading}>
          {people.reloading ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      <div className="people-filters" role="search" aria-label="People">
        <Field label="Search by name or email" value={query} onChange={setQuery} name="search" className="f-search" />
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select id={statusId} value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {people.status === "loading" ? (
        <Loading what="the people of your tenant" />
      ) : people.status === "error" && !people.data ? (
        <ProblemNotice title="The people could not be loaded." problem={people.error} onRetry={() => void people.reload()} />
      ) : (
        <>
          <p className="hint people-count" aria-live="polite">
            {shown.length === all.length ? `${all.length} people` : `${shown.length} of ${all.length} people`}
          </p>
          {shown.length === 0 ? (
            <p className="empty">Nobody matches.</p>
          ) : (
            <ul className="people">
              {shown.map((p) => (
                <PersonRow
                  key={p.id}
                  api={api}
                  person={p}
                  isMe={p.id === me.user}
                  timeZone={timeZone}
                  onChanged={async (message) => {
                    await people.reload();
                    setSaid(message);
                    onChanged?.();
                  }}
                />
              ))}
            </ul>
          )}
        </>
      )}
      <p className="visually-hidden" role="status">
        {said}
      </p>
    </section>
  );
}

type Mode = "view" | "rename" | "disable" | "remove";

function PersonRow({
  api,
  person: p,
  isMe,
  timeZone,
  onChanged,
}: {
  api: Api;
  person: Person;
  isMe: boolean;
  timeZone: string;
  onChanged: (message: string) => Promise<void>;
}) {
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const [name, setName] = useState(p.name ?? "");
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const who = p.name ?? p.email ?? p.id;

  useLayoutEffect(() => {
    if (mode === "disable" || mode === "remove") confirmButton.current?.focus();
  }, [mode]);

  async function act(change: () => Promise<unknown>, message: string) {
    setBusy(true);
    setProblem(null);
    try {
      await change();
      setMode("view");
      await onChanged(message);
      heading.current?.focus();
    } catch (e) {
      setProblem(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const patch = (body: { name?: string; admin?: boolean; disabled?: boolean }, message: string) =>
    act(() => call(api.PATCH("/v1/admin/users/{id}", { params: { path: { id: p.id } }, body })), message);

  function rename(e: FormEvent) {
    e.preventDefault();
    void patch({ name: name.trim() }, `Renamed to ${name.trim()}.`);
  }

  function cancel() {
    setMode("view");
    setProblem(null);
    heading.current?.focus();
  }

  const removed = p.status === "removed";
  return (
    <li className={`person person-${p.status}`}>
      <div className="person-main">
        <h3 ref={heading} tabIndex={-1} className="person-name">
          {who}
          {isMe && <span className="badge">you</span>}
          {p.admin && <span className="badge">admin</span>}
        </h3>
        {p.email && p.email !== who && <p className="person-email">{p.email}</p>}
        <dl className="person-facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span className={`status status-${p.status}`}>{p.status}</span>
            </dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>{p.lastSeen ? auditTime(p.lastSeen, timeZone) : "never"}</dd>
          </div>
          <div>
            <dt>Since</dt>
            <dd>{auditTime(p.since, timeZone)}</dd>
          </div>
        </dl>
      </div>
      {!removed && mode === "view" && (
        <div className="person-actions" role="group" aria-label={`Change ${who}`}>
          <button type="button" className="button-quiet" onClick={() => setMode("rename")} disabled={busy}>
            Rename<span className="visually-hidden"> {who}</span>
          </button>
          <button
            type="button"
            className="button-quiet"
            disabled={busy}
            onClick={() => void patch({ admin: !p.admin }, p.admin ? `${who} is no longer an admin.` : `${who} is now an admin.`)}
          >
            {p.admin ? "Remove admin" : "Make admin"}
            <span className="visually-hidden"> ({who})</span>
          </button>
          {p.status === "disabled" ? (
            <button type="button" className="button-quiet" disabled={busy} onClick={() => void patch({ disabled: false }, `${who} can sign in again.`)}>
              Enable<span className="visually-hidden"> {who}</span>
            </button>
          ) : (
            <button type="button" className="button-quiet" disabled={busy} onClick={() => setMode("disable")}>
              Disable<span className="visually-hidden"> {who}</span>
            </button>
          )}
          <button type="button" className="button-quiet button-quiet-danger" disabled={busy} onClick={() => setMode("remove")}>
            Remove<span className="visually-hidden"> {who}</span>
          </button>
        </div>
      )}
      {mode === "rename" && (
        <form className="person-rename" onSubmit={rename} aria-label={`Rename ${who}`}>
          <Field label="Name" value={name} onChange={setName} autoFocus invalid={!!problem} />
          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={busy || !name.trim() || name.trim() === p.name}>
              {busy ? "Saving…" : "Save name"}
            </button>
            <button type="button" className="button-secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {(mode === "disable" || mode === "remove") && (
        <div className="confirm person-confirm" role="group" aria-label={mode === "disable" ? `Confirm disabling ${who}` : `Confirm removing ${who}`}>
          {mode === "disable" ? (
            <p>
              Disable {who}? This signs them out everywhere at once, and they cannot sign in until they are enabled again.
              Their entries and projects stay.
            </p>
          ) : (
            <p>
              Remove {who} from the tenant? Their account is deleted and they leave every shared project. Their entries stay,
              under their name, and still count in the projects’ reports. This cannot be undone (export their data first).
            </p>
          )}
          <div className="form-actions">
            <button
              type="button"
              ref={confirmButton}
              className="button-danger"
              disabled={busy}
              onClick={() =>
                mode === "disable"
                  ? void patch({ disabled: true }, `${who} is disabled and signed out everywhere.`)
                  : void act(
                      () => call(api.DELETE("/v1/admin/users/{id}", { params: { path: { id: p.id } } })),
                      `${who} is removed.`,
                    )
              }
            >
              {busy ? "Working…" : mode === "disable" ? `Disable ${who}` : `Remove ${who}`}
            </button>
            <button type="button" className="button-secondary" onClick={cancel} disabled={busy}>
              Keep {mode === "disable" ? "them enabled" : "them"}
            </button>
          </div>
        </div>
      )}
      {problem && (
        <div className="person-problem">
          <ProblemNotice problem={problem} title={`${who} was not changed.`} />
        </div>
      )}
    </li>
  );
}
