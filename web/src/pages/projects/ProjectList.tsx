import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { call, warningsOf, type Api, type ListedProject, type MeAnswer, type Notice } from "../../api/client";
import { followLink, navigate, useLocation } from "../../lib/router";
import { FieldNotices, Loading, ProblemNotice } from "../../components/Notices";
import { clearFlash, CONVENTIONAL, flashFor, people, projectHref, STANDING_LABEL, statusBadgeClass } from "../../lib/projects";
import { useResource } from "../../lib/useResource";
import { draftOf, newProjectBody, ProjectForm } from "./ProjectForm";
import type { Directory } from "./directory";

type Created = { name: string; warnings: Notice[] };

export function ProjectList({ api, me, directory }: { api: Api; me: MeAnswer; directory: Directory }) {
  const { search } = useLocation();
  const showArchived = new URLSearchParams(search).get("archived") === "true";
  const list = useResource(`projects:${showArchived}`, async () =>
    (await call(api.GET("/v1/projects", { params: { query: showArchived ? { archived: true } : {} } }))).projects,
  );
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [flash] = useState(() => flashFor("/projects"));
  const newButton = useRef<HTMLButtonElement>(null);
  const createdLink = useRef<HTMLAnchorElement>(null);

  // Arriving with a message (after a delete or a leave), focus starts on it.
  const flashRef = useRef<HTMLParagraphElement>(null);
  useLayoutEffect(() => {
    flashRef.current?.focus();
  }, []);
  useEffect(() => clearFlash(), []);

  useLayoutEffect(() => {
    if (created) createdLink.current?.focus();
  }, [created]);

  async function create(body: ReturnType<typeof newProjectBody>) {
    const answer = await call(api.POST("/v1/projects", { body }));
    await list.reload();
    setCreating(false);
    setCreated({ name: answer.name, warnings: warningsOf(answer) });
  }

  // Back on "New project" once the form has closed.
  const [closed, setClosed] = useState(0);
  useLayoutEffect(() => {
    if (closed) newButton.current?.focus();
  }, [closed]);

  function closeForm() {
    setCreating(false);
    setClosed((n) => n + 1);
  }

  const projects = list.data ?? [];
  const mine = projects.filter((p) => !p.shared || p.shared.role === "owner");
  const theirs = projects.filter((p) => p.shared && p.shared.role !== "owner");

  return (
    <main id="main" className="projects">
      <div className="projects-top">
        <h1>Projects</h1>
        {!creating && (
          <button
            type="button"
            ref={newButton}
            className="button-primary"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            New project
          </button>
        )}
      </div>

      <div role="status" className="status-slot">
        {flash && (
          <p className="project-flash" tabIndex={-1} ref={flashRef}>
            {flash}
          </p>
        )}
      </div>

      {creating && (
        <section className="card project-new" aria-labelledby="new-project-heading">
          <h2 id="new-project-heading">New project</h2>
          <ProjectForm
            mode="new"
            title="New project"
            initial={draftOf()}
            onSubmit={(d) => create(newProjectBody(d))}
            onCancel={closeForm}
          />
        </section>
      )}

      {created && (
        <div className="project-created" role="status">
          <p>
            Created <strong>{created.name}</strong>.{" "}
            <a href={projectHref(created.name)} ref={createdLink} onClick={(e) => followLink(e, projectHref(created.name))}>
              Open {created.name}
            </a>
          </p>
          <FieldNotices notices={created.warnings} withField />
        </div>
      )}

      <div className="projects-filter">
        <label className="check">
          <input
            type="checkbox"
            checked={showArchived}
            onChange={(e) => navigate(e.target.checked ? "/projects?archived=true" : "/projects", { replace: true })}
          />
          Show archived
        </label>
        {list.reloading && <span className="hint">Refreshing…</span>}
      </div>

      {list.status === "loading" && <Loading what="your projects" />}
      {list.status === "error" && (
        <ProblemNotice
          title={list.data ? "The projects could not be refreshed." : "The projects could not be loaded."}
          problem={list.error}
          onRetry={() => void list.reload()}
        />
      )}

      {list.data && (
        <>
          <section aria-labelledby="own-projects-heading" className="project-section">
            <h2 id="own-projects-heading">Your projects</h2>
            {mine.length === 0 ? (
              <p className="empty">
                {showArchived ? "You have no projects yet." : "No projects yet: create one, or log time to a new project’s name."}
              </p>
            ) : (
              <ul className="project-list">
                {mine.map((p) => (
                  <ProjectItem key={p.name} p={p} me={me} directory={directory} />
                ))}
              </ul>
            )}
          </section>
          {theirs.length > 0 && (
            <section aria-labelledby="shared-projects-heading" className="project-section">
              <h2 id="shared-projects-heading">Shared with you</h2>
              <ul className="project-list">
                {theirs.map((p) => (
                  <ProjectItem key={`${p.shared?.owner}/${p.name}`} p={p} me={me} directory={directory} />
                ))}
              </ul>
            </section>
          )}
          <p className="hint projects-conventional">
            Built in: time logged without a project counts as{" "}
            <a href={projectHref(CONVENTIONAL[0])} onClick={(e) => followLink(e, projectHref(CONVENTIONAL[0]))}>
              {CONVENTIONAL[0]}
            </a>
            , time not worked as{" "}
            <a href={projectHref(CONVENTIONAL[1])} onClick={(e) => followLink(e, projectHref(CONVENTIONAL[1]))}>
              {CONVENTIONAL[1]}
            </a>
            .
          </p>
        </>
      )}
    </main>
  );
}

function ProjectItem({ p, me, directory }: { p: ListedProject; me: MeAnswer; directory: Directory }) {
  const shared = p.shared ?? null;
  const theirs = shared && shared.role !== "owner" && shared.owner !== me.user;
  const href = projectHref(p.name, theirs ? shared.owner : null);
  return (
    <li className="project-item">
      <div className="project-item-head">
        <h3>
          <a href={href} onClick={(e) => followLink(e, href)}>
            {p.name}
          </a>
        </h3>
        <span className={statusBadgeClass(p.status)}>{p.status}</span>
        {p.archived && <span className="badge badge-muted">Archived</span>}
      </div>
      {theirs ? (
        <p className="project-share">
          {directory.name(shared.owner)}’s project · you are {shared.role === "admin" ? "an" : "a"} {STANDING_LABEL[shared.role].toLowerCase()}
        </p>
      ) : shared && shared.members > 0 ? (
        <p className="project-share">Shared with {people(shared.members)}</p>
      ) : null}
      <dl className="project-facts">
        <Fact label="Departmental goals" items={p.departmentalGoals} />
        <Fact label="Strategic directions" items={p.strategicDirections} />
        <Fact label="Tags" items={p.tags.map((t) => `#${t}`)} />
      </dl>
    </li>
  );
}

export function Fact({ label, items }: { label: string; items: readonly string[] }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{items.length ? items.join(", ") : <span className="none">none</span>}</dd>
    </div>
  );
}
