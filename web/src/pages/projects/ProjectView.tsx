import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { ApiProblem, call, warningsOf, type Api, type ListedEntry, type MeAnswer, type Notice } from "../../api/client";
import type { components } from "../../api/schema";
import { Duration } from "../../components/Duration";
import { FieldNotices, Loading, ProblemNotice } from "../../components/Notices";
import {
  abilities,
  CONVENTIONAL,
  entries as entriesText,
  isConventional,
  people,
  projectHref,
  readOnlyReason,
  clearFlash,
  flashFor,
  setFlash,
  STANDING_LABEL,
  statusBadgeClass,
  type Standing,
} from "../../lib/projects";
import { followLink, navigate } from "../../lib/router";
import { longDate } from "../../lib/time";
import { useResource } from "../../lib/useResource";
import type { Directory } from "./directory";
import { Members } from "./Members";
import { ProjectActions, type Merged } from "./ProjectActions";
import { draftOf, ProjectForm, projectPatch } from "./ProjectForm";
import { Fact } from "./ProjectList";

type Summary = components["schemas"]["ProjectSummaryAnswer"];
const PAGE = 20;

export function ProjectView({
  api,
  me,
  name,
  owner: ownerParam,
  directory,
}: {
  api: Api;
  me: MeAnswer;
  name: string;
  owner: string | null;
  directory: Directory;
}) {
  // `?owner=` naming oneself is one's own project.
  const owner = ownerParam && ownerParam !== me.user ? ownerParam : null;
  const conventional = isConventional(name);
  const key = `${owner ?? ""}/${name}`;

  const summary = useResource(`project:${key}`, async (): Promise<Summary | null> => {
    try {
      const answer = await call(
        api.GET("/v1/projects/{name}", {
          params: { path: { name }, query: { limit: PAGE, ...(owner ? { owner } : {}) } },
          headers: { Accept: "application/json" },
        }),
      );
      if (typeof answer !== "object") throw new Error("The project summary did not come as JSON.");
      return answer;
    } catch (e) {
      // A built-in project nothing was logged to yet has no summary.
      if (conventional && e instanceof ApiProblem && e.code === "unknown-project") return null;
      throw e;
    }
  });
  const listed = useResource("projects:all", async () => (await call(api.GET("/v1/projects", { params: { query: { archived: true } } }))).projects);
  const members = useResource(`members:${key}`, async () =>
    conventional
      ? null
      : call(api.GET("/v1/projects/{name}/members", { params: { path: { name }, query: owner ? { owner } : {} } })),
  );

  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<string | null>(() => flashFor(projectHref(name, ownerParam)));
  const [saved, setSaved] = useState<Notice[]>([]);
  const [merged, setMerged] = useState<Merged | null>(null);
  // Older pages of recent entries, for the first page they follow (a reload starts again).
  type More = { base: Summary | null | undefined; entries: ListedEntry[]; cursor: string | null; loading: boolean; error: Error | null };
  const [moreState, setMore] = useState<More | null>(null);
  const more: More =
    moreState && moreState.base === summary.data
      ? moreState
      : { base: summary.data, entries: [], cursor: summary.data?.nextCursor ?? null, loading: false, error: null };
  const editButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const mergedHeading = useRef<HTMLHeadingElement>(null);

  // Arriving with a message (after a rename), focus starts at the top of the new page.
  const arrivedWith = useRef(status);
  useLayoutEffect(() => {
    if (arrivedWith.current) heading.current?.focus();
  }, []);
  useEffect(() => clearFlash(), []);

  useLayoutEffect(() => {
    if (merged) mergedHeading.current?.focus();
  }, [merged]);

  // Back on "Edit details" once the form has closed (in the commit that shows the button).
  const [closedEdit, setClosedEdit] = useState(0);
  useLayoutEffect(() => {
    if (closedEdit) editButton.current?.focus();
  }, [closedEdit]);

  const mine = listed.data?.find(
    (p) => p.name.toLowerCase() === name.toLowerCase() && (owner ? p.shared?.owner === owner : !p.shared || p.shared.role === "owner"),
  );
  // A plain name that is not one's own finds the one shared with one.
  const entry = mine ?? (owner ? undefined : listed.data?.find((p) => p.name.toLowerCase() === name.toLowerCase() && p.shared));
  const effectiveOwner = owner ?? (entry?.shared && entry.shared.role !== "owner" ? entry.shared.owner : null);
  const standing: Standing = entry?.shared?.role ?? "owner";
  // Until the list says whose it is, nothing is offered that the caller may not do.
  const known = conventional || !!listed.data;
  const can = known ? abilities(standing, conventional) : abilities("viewer", true);
  const ownerName = effectiveOwner
    ? (members.data?.members.find((m) => m.role === "owner")?.name ?? directory.name(effectiveOwner))
    : null;
  const reason = known ? readOnlyReason(standing, conventional, name, ownerName) : null;
  const memberCount = (members.data?.members.length ?? 1) - 1;

  if (merged) {
    return (
      <main id="main" className="project-view narrow">
        <h1 ref={mergedHeading} tabIndex={-1}>
          {name} was merged into {merged.into}
        </h1>
        <p>
          {entriesText(merged.entriesMoved)} moved to {merged.into}; {name} is gone.
        </p>
        <p className="form-actions">
          <a className="button-link" href={projectHref(merged.into)} onClick={(e) => followLink(e, projectHref(merged.into))}>
            Open {merged.into}
          </a>
          <a className="button-link" href="/projects" onClick={(e) => followLink(e, "/projects")}>
            All projects
          </a>
        </p>
      </main>
    );
  }

  const project = summary.data?.project;
  const shownEntries = [...(summary.data?.recentEntries ?? []), ...more.entries];
  const shared = memberCount > 0 || (!!entry?.shared && entry.shared.role !== "owner");
  const mergeTargets = [
    ...(listed.data ?? [])
      .filter((p) => (!p.shared || p.shared.role === "owner") && p.name.toLowerCase() !== name.toLowerCase())
      .map((p) => (p.archived ? { name: p.name, note: "archived" } : { name: p.name })),
    ...CONVENTIONAL.map((c) => ({ name: c, note: "built in" })),
  ];

  async function loadMore() {
    if (!more.cursor) return;
    const from = more;
    setMore({ ...from, loading: true, error: null });
    try {
      const answer = await call(
        api.GET("/v1/projects/{name}", {
          params: { path: { name }, query: { limit: PAGE, cursor: more.cursor, ...(effectiveOwner ? { owner: effectiveOwner } : {}) } },
          headers: { Accept: "application/json" },
        }),
      );
      if (typeof answer !== "object") throw new Error("The project summary did not come as JSON.");
      setMore({ ...from, entries: [...from.entries, ...answer.recentEntries], cursor: answer.nextCursor, loading: false, error: null });
    } catch (e) {
      setMore({ ...from, loading: false, error: e as Error });
    }
  }

  async function saveDetails(patch: ReturnType<typeof projectPatch>) {
    if (Object.keys(patch).length === 0) {
      setEditing(false);
      setClosedEdit((n) => n + 1);
      return;
    }
    const answer = await call(
      api.PATCH("/v1/projects/{name}", { params: { path: { name }, query: effectiveOwner ? { owner: effectiveOwner } : {} }, body: patch }),
    );
    await Promise.all([summary.reload(), listed.reload()]);
    setSaved(warningsOf(answer));
    setEditing(false);
    setClosedEdit((n) => n + 1);
    setStatus("Saved the details.");
  }

  const badge = entry?.shared && entry.shared.role !== "owner" ? `${ownerName ?? "A colleague"}’s · you: ${STANDING_LABEL[standing].toLowerCase()}` : null;

  return (
    <main id="main" className="project-view">
      <p className="back">
        <a href="/projects" onClick={(e) => followLink(e, "/projects")}>
          <span aria-hidden="true">←</span> All projects
        </a>
      </p>
      <div className="project-head">
        <h1 ref={heading} tabIndex={-1}>
          {project?.name ?? name}
        </h1>
        {project && <span className={statusBadgeClass(project.status)}>{project.status}</span>}
        {entry?.archived && <span className="badge badge-muted">Archived</span>}
        {conventional && <span className="badge badge-muted">Built in</span>}
        {badge && <span className="badge badge-muted">{badge}</span>}
        {!badge && memberCount > 0 && <span className="badge badge-muted">Shared with {people(memberCount)}</span>}
      </div>
      <div role="status" className="status-slot">{status && <p className="project-flash">{status}</p>}</div>

      {summary.status === "loading" && <Loading what="the project" />}
      {summary.status === "error" && (
        <ProblemNotice
          title={summary.data ? "The project could not be refreshed." : "The project could not be loaded."}
          problem={summary.error}
          onRetry={() => void summary.reload()}
        />
      )}
      {listed.status === "error" && !listed.data && (
        <ProblemNotice title="Whose project it is could not be loaded." problem={listed.error} onRetry={() => void listed.reload()} />
      )}
      {summary.status === "ready" && summary.data === null && (
        <p className="empty">Nothing has been logged to {name} yet.</p>
      )}

      {summary.data && project && (
        <div className="project-layout">
          <div className="project-main">
            <section className="card" aria-labelledby="totals-heading">
              <h2 id="totals-heading">Hours</h2>
              <dl className="day-summary project-totals">
                <div>
                  <dt>Total</dt>
                  <dd>
                    <Duration minutes={summary.data.totalMinutes} /> <span className="hint">({summary.data.totalHours} h)</span>
                  </dd>
                </div>
                <div>
                  <dt>Entries</dt>
                  <dd>{summary.data.entryCount}</dd>
                </div>
                <div>
                  <dt>Average</dt>
                  <dd>
                    <Duration minutes={summary.data.averageMinutes} />
                  </dd>
                </div>
                <div>
                  <dt>First</dt>
                  <dd>{summary.data.firstDate ? longDate(summary.data.firstDate) : "–"}</dd>
                </div>
                <div>
                  <dt>Last</dt>
                  <dd>{summary.data.lastDate ? longDate(summary.data.lastDate) : "–"}</dd>
                </div>
              </dl>
              {(summary.data.hoursByTag.length > 0 || summary.data.untaggedMinutes > 0) && (
                <table className="tag-hours">
                  <caption>Hours per tag</caption>
                  <thead>
                    <tr>
                      <th scope="col">Tag</th>
                      <th scope="col">Hours</th>
                      <th scope="col">Entries</th>
                    </tr>
                  </thead>
                  <tbody>
                    {summary.data.hoursByTag.map((t) => (
                      <tr key={t.tag}>
                        <th scope="row">#{t.tag}</th>
                        <td>
                          <Duration minutes={t.minutes} />
                        </td>
                        <td>{t.entryCount}</td>
                      </tr>
                    ))}
                    {summary.data.untaggedMinutes > 0 && (
                      <tr>
                        <th scope="row" className="untagged">
                          no tag
                        </th>
                        <td>
                          <Duration minutes={summary.data.untaggedMinutes} />
                        </td>
                        <td />
                      </tr>
                    )}
                  </tbody>
                </table>
              )}
            </section>

            <section className="card" aria-labelledby="details-heading">
              <div className="card-head">
                <h2 id="details-heading">Details</h2>
                {can.edit && !editing && (
                  <button
                    type="button"
                    ref={editButton}
                    className="button-secondary"
                    onClick={() => {
                      setSaved([]);
                      setEditing(true);
                    }}
                  >
                    Edit details
                  </button>
                )}
              </div>
              {editing ? (
                <ProjectForm
                  mode="edit"
                  title={`Edit the details of ${project.name}`}
                  initial={draftOf(project)}
                  onSubmit={(d) => saveDetails(projectPatch(project, d))}
                  onCancel={() => {
                    setEditing(false);
                    setClosedEdit((n) => n + 1);
                  }}
                />
              ) : (
                <>
                  <dl className="project-facts project-details">
                    <Fact label="Departmental goals" items={project.departmentalGoals} />
                    <Fact label="Strategic directions" items={project.strategicDirections} />
                    <Fact label="Tags" items={project.tags.map((t) => `#${t}`)} />
                    <div>
                      <dt>Status</dt>
                      <dd>{project.status}</dd>
                    </div>
                    <div>
                      <dt>Start date</dt>
                      <dd>{project.startDate ? longDate(project.startDate) : <span className="none">none</span>}</dd>
                    </div>
                    <div className="project-summary-text">
                      <dt>Summary</dt>
                      <dd>{project.summary.trim() ? project.summary : <span className="none">none</span>}</dd>
                    </div>
                  </dl>
                  <FieldNotices notices={saved} withField />
                  {reason && <p className="hint read-only">{reason}</p>}
                </>
              )}
            </section>

            <section className="card" aria-labelledby="recent-heading">
              <h2 id="recent-heading">Recent entries</h2>
              {shownEntries.length === 0 ? (
                <p className="empty">No entries yet.</p>
              ) : (
                <ul className="project-entries">
                  {shownEntries.map((e, i) => (
                    <li key={e.id ?? `${e.user}-${e.date}-${e.startTime}-${i}`} className="project-entry">
                      <span className="pe-when">
                        <span className="pe-date">{longDate(e.date)}</span>{" "}
                        <span className="pe-range">
                          {e.startTime}–{e.endTime ?? "running"}
                        </span>
                      </span>
                      <span className="pe-task">{e.task}</span>
                      <span className="pe-meta">
                        {e.minutes != null && <Duration minutes={e.minutes} />}
                        {e.user && e.user !== me.user && <span className="pe-user">{directory.name(e.user)}</span>}
                        {e.tags.map((t) => (
                          <span key={t} className="tag">
                            #{t}
                          </span>
                        ))}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {more.error && <ProblemNotice title="More entries could not be loaded." problem={more.error} />}
              {more.cursor && (
                <button type="button" className="button-secondary more-entries" onClick={() => void loadMore()} disabled={more.loading}>
                  {more.loading ? "Loading…" : "Show older entries"}
                </button>
              )}
            </section>
          </div>

          <div className="project-side">
            {!conventional && (
              <Members
                api={api}
                me={me}
                name={project.name}
                owner={effectiveOwner}
                members={members}
                directory={directory}
                canManage={can.manageMembers}
                canLeave={can.leave}
                onLeft={() => {
                  setFlash("/projects", `You left ${project.name}.`);
                  navigate("/projects");
                }}
                announce={setStatus}
              />
            )}

            {can.edit && (
              <ProjectActions
                api={api}
                name={project.name}
                owner={effectiveOwner}
                archived={!!entry?.archived}
                entryCount={summary.data.entryCount}
                shared={shared}
                canRestructure={can.restructure}
                mergeTargets={mergeTargets}
                onArchived={async (to) => {
                  await listed.reload();
                  setStatus(
                    to
                      ? `Archived ${project.name}: it is left out of the project list; its entries and reports stay.`
                      : `Unarchived ${project.name}: it is in the project list again.`,
                  );
                }}
                onRenamed={(to) => {
                  setFlash(projectHref(to), `Renamed ${project.name} to ${to}.`);
                  navigate(projectHref(to), { replace: true });
                }}
                onMerged={setMerged}
                onStale={() => summary.reload()}
                onDeleted={() => {
                  setFlash("/projects", `Deleted ${project.name}.`);
                  navigate("/projects");
                }}
              />
            )}
          </div>
        </div>
      )}
    </main>
  );
}
