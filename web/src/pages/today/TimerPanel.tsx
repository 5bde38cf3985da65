import { Fragment, useRef, useState, type FormEvent } from "react";
import { Confirm } from "../../components/Confirm";
import { ApiProblem, type EntryAnswer, type Notice, type TimerStartBody } from "../../api/client";
import { Field } from "../../components/Field";
import { byField, FieldNotices, Loading, ProblemNotice } from "../../components/Notices";
import { parseTags, sameTask, type RecentTask } from "../../lib/recent";
import { formatElapsed, runningSince } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import type { LoadedResource } from "../../lib/useResource";
import { PROJECTS_LIST_ID } from "./EntryForm";
import { shownProject } from "../../lib/projectNames";

export function Elapsed({ since }: { since: number }) {
  const now = useNow(1000);
  const text = formatElapsed(now - since);
  const [hm, s] = [text.slice(0, -3), text.slice(-3)];
  return (
    <p className="elapsed" role="timer" aria-label={`Elapsed ${text}`}>
      {hm}
      <span className="elapsed-seconds">{s}</span>
    </p>
  );
}

function Meta({ project, tags }: { project: string; tags: readonly string[] }) {
  return (
    <>
      {project && <span className="project">{shownProject(project)}</span>}
      {tags.map((t) => (
        // The space separates them for screen readers; the layout spaces them anyway.
        <Fragment key={t}>
          {" "}
          <span className="tag">#{t}</span>
        </Fragment>
      ))}
    </>
  );
}

export function TimerPanel({
  timer,
  timeZone,
  warnings,
  onStart,
  onStop,
  onDiscard,
}: {
  timer: LoadedResource<EntryAnswer | null>;
  timeZone: string;
  warnings: readonly Notice[];
  onStart: (body: TimerStartBody) => Promise<void>;
  onStop: () => Promise<void>;
  onDiscard: (id: string) => Promise<void>;
}) {
  return (
    <section className="card timer" aria-labelledby="timer-heading">
      <h2 id="timer-heading">Timer</h2>
      {timer.status === "loading" && <Loading what="the timer" />}
      {timer.status === "error" && !timer.data && (
        <ProblemNotice title="The timer could not be loaded." problem={timer.error} onRetry={() => void timer.reload()} />
      )}
      {timer.data ? (
        <Running entry={timer.data} timeZone={timeZone} warnings={warnings} onStop={onStop} onDiscard={onDiscard} />
      ) : (
        timer.status === "ready" && <StartForm onStart={onStart} />
      )}
    </section>
  );
}

function Running({
  entry,
  timeZone,
  warnings,
  onStop,
  onDiscard,
}: {
  entry: EntryAnswer;
  timeZone: string;
  warnings: readonly Notice[];
  onStop: () => Promise<void>;
  onDiscard: (id: string) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const discardButton = useRef<HTMLButtonElement>(null);
  const issues = problem instanceof ApiProblem ? problem.issues.filter((n) => n.message !== problem.message) : [];
  const f = byField(warnings);
  async function act(what: () => Promise<void>) {
    setBusy(true);
    setProblem(null);
    try {
      await what();
    } catch (e) {
      setProblem(e as Error);
      setBusy(false);
    }
  }
  return (
    <div className="running">
      <div className="running-clock">
        <Elapsed since={runningSince(entry, timeZone)} />
        <p className="since">since {entry.startTime}</p>
      </div>
      <div className="running-what">
        <p className="running-task">{entry.task}</p>
        <FieldNotices notices={f.task} />
        <p className="meta">
          <Meta project={entry.project} tags={entry.tags} />
        </p>
        <FieldNotices notices={[...(f.project ?? []), ...(f.tags ?? []), ...(f.startTime ?? []), ...(f.date ?? [])]} withField />
      </div>
      <div className="running-actions">
        <button type="button" className="button-primary button-stop" onClick={() => void act(onStop)} disabled={busy || confirming}>
          {busy && !confirming ? "Stopping…" : "Stop"}
        </button>
        {!confirming && (
          <button type="button" ref={discardButton} className="button-quiet" onClick={() => setConfirming(true)} disabled={busy}>
            Discard
          </button>
        )}
      </div>
      {confirming && (
        <Confirm
          className="running-confirm"
          title="Discard this timer?"
          confirmLabel="Discard timer"
          busyLabel="Discarding…"
          cancelLabel="Keep it running"
          busy={busy}
          onConfirm={() => void act(() => onDiscard(entry.id))}
          onCancel={() => setConfirming(false)}
          fallbackFocus={() => discardButton.current}
        >
          <p>Its time will not be logged.</p>
        </Confirm>
      )}
      {problem && (
        <div className="running-problem">
          <ProblemNotice problem={problem} />
          <FieldNotices notices={issues} />
        </div>
      )}
    </div>
  );
}

function StartForm({ onStart }: { onStart: (body: TimerStartBody) => Promise<void> }) {
  const [task, setTask] = useState("");
  const [project, setProject] = useState("");
  const [tags, setTags] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const issues = problem instanceof ApiProblem ? problem.issues : [];
  const shown = issues.filter((n) => n.message !== problem?.message);
  const f = byField(shown);
  const invalid = new Set(issues.filter((n) => n.severity === "error").map((n) => n.field));
  const elsewhere = shown.filter((n) => !["task", "project", "tags"].includes(n.field));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const t = parseTags(tags);
    try {
      await onStart({ task: task.trim(), project: project.trim() || null, tags: t.length ? t : null });
    } catch (err) {
      setProblem(err as Error);
      setBusy(false);
    }
  }

  return (
    <form className="start-form" onSubmit={submit} aria-label="Start a timer">
      <Field label="Task" value={task} onChange={setTask} notices={f.task} invalid={invalid.has("task")} required className="f-task" placeholder="What are you working on?" />
      <Field label="Project" value={project} onChange={setProject} notices={f.project} invalid={invalid.has("project")} list={PROJECTS_LIST_ID} className="f-project" />
      <Field label="Tags" value={tags} onChange={setTags} notices={f.tags} invalid={invalid.has("tags")} className="f-tags" placeholder="e.g. review, backend" hint="Comma-separated" />
      <div className="start-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? "Starting…" : "Start"}
        </button>
      </div>
      {problem && (
        <div className="form-problem">
          <ProblemNotice problem={problem} />
          <FieldNotices notices={elsewhere} withField />
        </div>
      )}
    </form>
  );
}

export function RecentTasks({
  recent,
  running,
  onStartAgain,
}: {
  recent: LoadedResource<RecentTask[]>;
  /** The running timer's task, left out of the list. */
  running: RecentTask | null;
  onStartAgain: (t: RecentTask) => Promise<void>;
}) {
  const [busy, setBusy] = useState<number | null>(null);
  const [problem, setProblem] = useState<Error | null>(null);
  async function start(t: RecentTask, i: number) {
    setBusy(i);
    setProblem(null);
    try {
      await onStartAgain(t);
    } catch (e) {
      setProblem(e as Error);
    } finally {
      setBusy(null);
    }
  }
  const tasks = recent.data?.filter((t) => !running || !sameTask(t, running));
  if (recent.status === "ready" && tasks?.length === 0) return null;
  return (
    <section className="card recent" aria-labelledby="recent-heading">
      <h2 id="recent-heading">Start again</h2>
      {recent.status === "loading" && <Loading what="recent tasks" />}
      {recent.status === "error" && !recent.data && (
        <ProblemNotice title="Recent tasks could not be loaded." problem={recent.error} onRetry={() => void recent.reload()} />
      )}
      {tasks && (
        <>
          {running && <p className="hint">Starting one stops the running timer.</p>}
          <ul className="recent-list">
            {tasks.map((t, i) => (
              <li key={`${t.task}|${t.project}|${t.tags.join(",")}`}>
                <button
                  type="button"
                  className="recent-button"
                  disabled={busy !== null}
                  onClick={() => void start(t, i)}
                >
                  <span className="recent-play" aria-hidden="true">
                    ▶
                  </span>
                  {/* The name is the visible text, after a spoken "Start again:" (no aria-label that hides it). */}
                  <span className="recent-text">
                    <span className="recent-task">
                      <span className="visually-hidden">Start again: </span>
                      {busy === i ? "Starting…" : t.task}
                    </span>
                    <span className="meta">
                      <Meta project={t.project} tags={t.tags} />
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}
