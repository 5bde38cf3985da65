import { useId, useLayoutEffect, useRef, useState, type FormEvent } from "react";
import { call, type Api, type MeAnswer } from "../../api/client";
import type { components } from "../../api/schema";
import { Loading, ProblemNotice } from "../../components/Notices";
import { personLabel, ROLES, STANDING_LABEL, type Role } from "../../lib/projects";
import type { LoadedResource } from "../../lib/useResource";
import type { Directory, Person } from "./directory";
import { Confirm } from "../../components/Confirm";
import { PersonPicker } from "./PersonPicker";

export type MembersAnswer = components["schemas"]["MembersAnswer"];
type Member = MembersAnswer["members"][number];

/**
 * Who is on a project, by name: the owner, then each member with their role. Its owner
 * and admins add people (chosen by name from the directory), change roles and remove
 * members; a member may leave.
 */
export function Members({
  api,
  me,
  name,
  owner,
  members,
  directory,
  canManage,
  canLeave,
  onLeft,
  announce,
}: {
  api: Api;
  me: MeAnswer;
  name: string;
  owner: string | null;
  members: LoadedResource<MembersAnswer | null>;
  directory: Directory;
  canManage: boolean;
  canLeave: boolean;
  onLeft: () => void;
  announce: (message: string) => void;
}) {
  const path = { name };
  const query = owner ? { owner } : {};
  const [problem, setProblem] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [kept, setKept] = useState<{ user: string } | null>(null);

  // "Keep them" / "Stay": back on the member's Remove (or Leave) button.
  useLayoutEffect(() => {
    if (kept) listRef.current?.querySelector<HTMLElement>(`[data-remove="${CSS.escape(kept.user)}"]`)?.focus();
  }, [kept]);

  const list = members.data?.members ?? [];
  const label = (m: Member) => m.name || directory.people.find((p) => p.id === m.user)?.email || directory.name(m.user);

  async function act(fn: () => Promise<void>) {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
    } catch (e) {
      setProblem(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const changeRole = (m: Member, role: Role) =>
    act(async () => {
      await call(api.PUT("/v1/projects/{name}/members/{user}", { params: { path: { ...path, user: m.user }, query }, body: { role } }));
      await members.reload();
      announce(`${label(m)} is now ${role === "admin" ? "an" : "a"} ${role}.`);
    });

  const remove = (m: Member) =>
    act(async () => {
      await call(api.DELETE("/v1/projects/{name}/members/{user}", { params: { path: { ...path, user: m.user }, query } }));
      setConfirming(null);
      if (m.user === me.user) {
        onLeft();
        return;
      }
      await members.reload();
      announce(`${label(m)} is no longer on ${name}.`);
      requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>("select, button")?.focus());
    });

  const onProject = new Set(list.map((m) => m.user));
  const shared = list.length > 1;

  return (
    <section className="card project-members" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {members.status === "loading" && <Loading what="the members" />}
      {members.status === "error" && (
        <ProblemNotice title="The members could not be loaded." problem={members.error} onRetry={() => void members.reload()} />
      )}
      {members.data && (
        <>
          {!shared && <p className="hint">Not shared: only you see it. Add someone to share it.</p>}
          <ul className="member-list" ref={listRef} aria-labelledby="members-heading">
            {list.map((m) => {
              const you = m.user === me.user;
              const who = label(m);
              return (
                <li key={m.user} className="member">
                  <div className="member-who">
                    <span className="member-name">{who}</span>
                    {you && <span className="hint"> (you)</span>}
                  </div>
                  {m.role === "owner" || !canManage ? (
                    <span className="member-role">{STANDING_LABEL[m.role]}</span>
                  ) : (
                    <RoleSelect who={who} role={m.role as Role} disabled={busy} onChange={(r) => void changeRole(m, r)} />
                  )}
                  {m.role !== "owner" && (canManage || (you && canLeave)) && confirming !== m.user && (
                    <button
                      type="button"
                      className="button-quiet"
                      data-remove={m.user}
                      onClick={() => setConfirming(m.user)}
                      aria-label={you ? undefined : `Remove ${who}`}
                      disabled={busy}
                    >
                      {you ? "Leave" : "Remove"}
                    </button>
                  )}
                  {confirming === m.user && (
                    <Confirm
                      className="member-confirm"
                      title={you ? `Leave ${name}?` : `Remove ${who}?`}
                      confirmLabel={you ? "Leave project" : `Remove ${who}`}
                      cancelLabel={you ? "Stay" : "Keep them"}
                      onConfirm={() => void remove(m)}
                      onCancel={() => {
                        setConfirming(null);
                        setKept({ user: m.user });
                      }}
                      busy={busy}
                    >
                      {
                        you
                          ? `Leave ${name}? You will no longer see it or log time to it, unless its owner adds you again.`
                          : `Remove ${who} from ${name}? They will no longer see it or log time to it; what they logged stays.`
                      }
                    </Confirm>
                  )}
                </li>
              );
            })}
          </ul>
          {problem && <ProblemNotice problem={problem} />}
          {canManage && (
            <AddMember
              api={api}
              name={name}
              owner={owner}
              people={directory.people}
              directory={directory}
              onProject={onProject}
              onAdded={async (who, role) => {
                await members.reload();
                announce(`Added ${who} as ${role === "admin" ? "an" : "a"} ${role}.`);
              }}
            />
          )}
        </>
      )}
    </section>
  );
}

function RoleSelect({ who, role, disabled, onChange }: { who: string; role: Role; disabled: boolean; onChange: (r: Role) => void }) {
  const id = useId();
  return (
    <span className="member-role-select">
      <label htmlFor={id} className="visually-hidden">
        Role of {who}
      </label>
      <select id={id} value={role} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
        {ROLES.map((r) => (
          <option key={r.role} value={r.role}>
            {r.label}
          </option>
        ))}
      </select>
    </span>
  );
}

function AddMember({
  api,
  name,
  owner,
  people,
  directory,
  onProject,
  onAdded,
}: {
  api: Api;
  name: string;
  owner: string | null;
  people: Person[];
  directory: Directory;
  onProject: ReadonlySet<string>;
  onAdded: (who: string, role: Role) => Promise<void>;
}) {
  const [chosen, setChosen] = useState<Person | null>(null);
  const [role, setRole] = useState<Role>("contributor");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const [missing, setMissing] = useState(false);
  const [pickerKey, setPickerKey] = useState(0);
  const picker = useRef<HTMLInputElement>(null);
  // Back in the (new, empty) picker after an add, ready for the next person.
  const [added, setAdded] = useState(0);
  useLayoutEffect(() => {
    if (added) picker.current?.focus();
  }, [added]);
  const roleName = useId();
  const missingId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    if (!chosen) {
      setMissing(true);
      picker.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await call(
        api.PUT("/v1/projects/{name}/members/{user}", {
          params: { path: { name, user: chosen.id }, query: owner ? { owner } : {} },
          body: { role },
        }),
      );
      const who = personLabel(chosen);
      setChosen(null);
      setPickerKey((k) => k + 1);
      await onAdded(who, role);
      setAdded((n) => n + 1);
    } catch (err) {
      setProblem(err as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="add-member" aria-labelledby="add-member-heading" onSubmit={submit} noValidate>
      <h3 id="add-member-heading">Add a person</h3>
      {directory.resource.status === "error" && (
        <ProblemNotice title="The people of your team could not be loaded." problem={directory.resource.error} onRetry={() => void directory.resource.reload()} />
      )}
      <PersonPicker
        key={pickerKey}
        ref={picker}
        people={people}
        exclude={onProject}
        chosen={chosen}
        onChoose={(p) => {
          setChosen(p);
          setMissing(false);
        }}
        invalid={missing}
        describedBy={missing ? missingId : undefined}
      />
      {missing && (
        <ul className="notices" id={missingId}>
          <li className="notice notice-error">Choose a person from the list first.</li>
        </ul>
      )}
      <fieldset className="roles">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r.role} className="role-option">
            <input type="radio" name={roleName} value={r.role} checked={role === r.role} onChange={() => setRole(r.role)} />
            <span>
              <span className="role-label">{r.label}</span>
              <span className="role-explanation">{r.explanation}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {problem && <ProblemNotice problem={problem} />}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? "Adding…" : "Add member"}
        </button>
      </div>
    </form>
  );
}
