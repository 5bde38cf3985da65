import { useRef, useState, type FormEvent, type RefObject } from "react";
import { call, type Api, type MeAnswer } from "../../api/client";
import { Confirm } from "../../components/Confirm";
import { Field, SelectField } from "../../components/Field";
import { Loading, ProblemNotice } from "../../components/Notices";
import { personLabel, type Person } from "../../lib/directory";
import { count } from "../../lib/plural";
import { formatInstant, isValidTimeZone } from "../../lib/time";
import { useAction } from "../../lib/useAction";
import type { LoadedResource } from "../../lib/useResource";

type Status = Person["status"];

const STATUSES: { value: Status | ""; label: string }[] = [
  { value: "", label: "Everyone" },
  { value: "active", label: "Active" },
  { value: "invited", label: "Invited" },
  { value: "disabled", label: "Disabled" },
  { value: "removed", label: "Removed" },
];

const people = (n: number) => count(n, "person", "people");

export function PeopleList({
  api,
  me,
  people: list,
  onChanged,
  onMeChanged,
}: {
  api: Api;
  me: MeAnswer;
  people: LoadedResource<Person[]>;
  /** After a change to someone (their answer is in). */
  onChanged?: () => void;
  /** After a change to the signed-in person's own account: their `me` is read again. */
  onMeChanged?: () => Promise<void>;
}) {
  const [status, setStatus] = useState<Status | "">("");
  const [query, setQuery] = useState("");
  const [said, setSaid] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const timeZone = isValidTimeZone(me.timeZone) ? me.timeZone : "UTC";

  const all = list.data ?? [];
  const q = query.trim().toLowerCase();
  const shown = all.filter(
    (p) => (!status || p.status === status) && (!q || `${p.name ?? ""} ${p.email ?? ""}`.toLowerCase().includes(q)),
  );

  return (
    <section className="card" aria-labelledby="people-heading">
      <div className="people-head">
        <h2 id="people-heading" ref={heading} tabIndex={-1}>
          People
        </h2>
        <button type="button" className="button-quiet" onClick={() => void list.reload()} disabled={list.reloading}>
          {list.reloading ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      <div className="people-filters" role="search" aria-label="People">
        <Field label="Search by name or email" value={query} onChange={setQuery} name="search" className="f-search" />
        <SelectField label="Status" value={status} onChange={(v) => setStatus(v as Status | "")}>
          {STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
      </div>
      {list.status === "loading" ? (
        <Loading what="the people of your tenant" />
      ) : list.status === "error" && !list.data ? (
        <ProblemNotice title="The people could not be loaded." problem={list.error} onRetry={() => void list.reload()} />
      ) : (
        <>
          {list.status === "error" && (
            <ProblemNotice
              title="The people could not be refreshed: this is the list as it was."
              problem={list.error}
              onRetry={() => void list.reload()}
            />
          )}
          <p className="hint people-count" aria-live="polite">
            {shown.length === all.length ? people(all.length) : `${shown.length} of ${people(all.length)}`}
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
                  listHeading={heading}
                  onChanged={async (message) => {
                    await list.reload();
                    setSaid(message);
                    onChanged?.();
                    if (p.id === me.user) await onMeChanged?.();
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
  listHeading,
  onChanged,
}: {
  api: Api;
  person: Person;
  isMe: boolean;
  timeZone: string;
  /** Where focus goes when the changed row is no longer listed (filtered out). */
  listHeading: RefObject<HTMLHeadingElement | null>;
  onChanged: (message: string) => Promise<void>;
}) {
  const [mode, setMode] = useState<Mode>("view");
  const { busy, problem, run, clear } = useAction();
  const [name, setName] = useState(p.name ?? "");
  const heading = useRef<HTMLHeadingElement>(null);
  const who = personLabel(p);

  /** Back to the row's heading, or to the list's when the row is gone (a filter no longer lists it). */
  function focusAfterChange() {
    heading.current?.focus();
    requestAnimationFrame(() => {
      if (heading.current?.isConnected) heading.current.focus();
      else if (!document.activeElement || document.activeElement === document.body) listHeading.current?.focus();
    });
  }

  async function act(change: () => Promise<unknown>, message: string) {
    const ok = await run(async () => {
      await change();
      setMode("view");
      await onChanged(message);
    });
    if (ok) focusAfterChange();
  }

  const patch = (body: { name?: string; admin?: boolean; disabled?: boolean }, message: string) =>
    act(() => call(api.PATCH("/v1/admin/users/{id}", { params: { path: { id: p.id } }, body })), message);

  function rename(e: FormEvent) {
    e.preventDefault();
    void patch({ name: name.trim() }, `Renamed to ${name.trim()}.`);
  }

  function cancel() {
    setMode("view");
    clear();
    requestAnimationFrame(() => heading.current?.focus());
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
            <dd>{p.lastSeen ? formatInstant(p.lastSeen, timeZone) : "never"}</dd>
          </div>
          <div>
            <dt>Since</dt>
            <dd>{formatInstant(p.since, timeZone)}</dd>
          </div>
        </dl>
      </div>
      {!removed && mode === "view" && (
        <div className="person-actions" role="group" aria-label={isMe ? "Change your account" : `Change ${who}`}>
          <button type="button" className="button-quiet" onClick={() => setMode("rename")} disabled={busy}>
            Rename<span className="visually-hidden"> {who}</span>
          </button>
          <button
            type="button"
            className="button-quiet"
            disabled={busy}
            onClick={() =>
              void patch(
                { admin: !p.admin },
                isMe
                  ? p.admin
                    ? "You are no longer an admin."
                    : "You are now an admin."
                  : p.admin
                    ? `${who} is no longer an admin.`
                    : `${who} is now an admin.`,
              )
            }
          >
            {p.admin ? "Remove admin" : "Make admin"}
            <span className="visually-hidden"> ({who})</span>
          </button>
          {isMe ? (
            <p className="hint person-self">Another admin disables or removes your own account.</p>
          ) : (
            <>
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
            </>
          )}
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
      {mode === "disable" && (
        <Confirm
          className="person-confirm"
          title={`Disable ${who}?`}
          confirmLabel={`Disable ${who}`}
          busyLabel="Disabling…"
          cancelLabel="Keep them enabled"
          busy={busy}
          onConfirm={() => void patch({ disabled: true }, `${who} is disabled and signed out everywhere.`)}
          onCancel={() => {
            setMode("view");
            clear();
          }}
          fallbackFocus={() => heading.current}
        >
          <p>
            This signs them out everywhere at once, and they cannot sign in until they are enabled again. Their entries and
            projects stay.
          </p>
        </Confirm>
      )}
      {mode === "remove" && (
        <Confirm
          className="person-confirm"
          title={`Remove ${who} from the tenant?`}
          confirmLabel={`Remove ${who}`}
          busyLabel="Removing…"
          cancelLabel="Keep them"
          busy={busy}
          onConfirm={() =>
            void act(() => call(api.DELETE("/v1/admin/users/{id}", { params: { path: { id: p.id } } })), `${who} is removed.`)
          }
          onCancel={() => {
            setMode("view");
            clear();
          }}
          fallbackFocus={() => heading.current}
        >
          <p>
            Their account is deleted and they leave every shared project. Their entries stay, under their name, and still count
            in the projects’ reports. This cannot be undone (export their data first).
          </p>
        </Confirm>
      )}
      {problem && (
        <div className="person-problem">
          <ProblemNotice problem={problem} title={isMe ? "Your account was not changed." : `${who} was not changed.`} />
        </div>
      )}
    </li>
  );
}
