import { lazy, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import {
  call,
  checkLog,
  getLog,
  putLog,
  type Api,
  type Diagnostic,
  type IngestSummary,
  type LogCheck,
  type MeAnswer,
  type UploadReport,
} from "../api/client";
import { Confirm } from "../components/Confirm";
import { Loading, ProblemNotice, SEVERITY_LABEL } from "../components/Notices";
import { saveText } from "../lib/download";
import { fiscalYearOf, isFiscalYear } from "../lib/fiscalYear";
import { createChecker, errorsOf, onlyWouldDeleteMost, statusLine, WOULD_DELETE_MOST } from "../lib/logCheck";
import { addNavigationGuard, navigate, useLocation } from "../lib/router";
import { isValidTimeZone } from "../lib/time";
import { useResource } from "../lib/useResource";
import { DiffView } from "./log/DiffView";
import type { EditorHandle } from "./log/editorTypes";
import { History } from "./log/History";

// CodeMirror is most of this page's weight: it comes in its own chunk.
const CodeEditor = lazy(() => import("./log/CodeEditor"));

export const CHECK_DELAY_MS = 400;
const UNSAVED = "You have unsaved edits to the log. Leave the page and lose them?";

type Loaded = { text: string; version: number };

/** The Log page (`/log?fy=2026-2027`): a fiscal year's Markdown, checked as it is typed, saved with its base version. */
export default function LogPage({ api, me }: { api: Api; me: MeAnswer }) {
  const { search } = useLocation();
  const current = fiscalYearOf(me.today, me.fiscalYearStartMonth);
  const asked = new URLSearchParams(search).get("fy");
  const fy = isFiscalYear(asked) ? asked : current;

  const logs = useResource("logs", async () => (await call(api.GET("/v1/logs"))).logs);
  const years = useMemo(() => {
    const set = new Set([current, fy, ...(logs.data ?? []).map((l) => l.fiscalYear)]);
    return [...set].sort().reverse();
  }, [current, fy, logs.data]);

  const log = useResource(`log:${fy}`, () => getLog(api, fy));
  const pickerId = useId();

  return (
    <main id="main" className="log">
      <div className="log-top">
        <h1>Log {fy}</h1>
        <div className="field log-year">
          <label htmlFor={pickerId}>Fiscal year</label>
          <select
            id={pickerId}
            value={fy}
            onChange={(e) => navigate(e.target.value === current ? "/log" : `/log?fy=${e.target.value}`)}
          >
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
                {y === current ? " (this year)" : ""}
              </option>
            ))}
          </select>
        </div>
      </div>
      {log.status === "loading" ? (
        <Loading what={`the log of ${fy}`} />
      ) : log.status === "error" ? (
        <ProblemNotice title={`The log of ${fy} could not be loaded.`} problem={log.error} onRetry={() => void log.reload()} />
      ) : (
        <LogEditor
          key={fy}
          api={api}
          fy={fy}
          loaded={log.data}
          timeZone={isValidTimeZone(me.timeZone) ? me.timeZone : "UTC"}
          onSaved={() => void logs.reload()}
        />
      )}
    </main>
  );
}

type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; version: number; summary: IngestSummary | null }
  | { kind: "rejected"; report: UploadReport }
  | { kind: "confirm-deletes"; message: string }
  | { kind: "conflict"; theirs: Loaded | null; problem?: Error }
  | { kind: "failed"; problem: Error };

function LogEditor({
  api,
  fy,
  loaded,
  timeZone,
  onSaved,
}: {
  api: Api;
  fy: string;
  loaded: Loaded;
  timeZone: string;
  onSaved: () => void;
}) {
  // `base`: the service's version the editor's text was started from (and is saved onto).
  const [base, setBase] = useState<Loaded>(loaded);
  const [text, setText] = useState(loaded.text);
  const [textKey, setTextKey] = useState(`${fy}:${loaded.version}:0`);
  const [check, setCheck] = useState<{ answer: LogCheck; text: string } | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkProblem, setCheckProblem] = useState<Error | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: "idle" });
  const editor = useRef<EditorHandle>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  const statusId = useId();
  const dirty = text !== base.text;

  const baseRef = useRef(base.version);
  baseRef.current = base.version;
  const checker = useMemo(
    () =>
      createChecker<LogCheck>({
        delay: CHECK_DELAY_MS,
        run: (t) => checkLog(api, fy, t, baseRef.current),
        onResult: (answer, t) => {
          setCheck({ answer, text: t });
          setCheckProblem(null);
        },
        onError: (e) => setCheckProblem(e),
        onPending: setChecking,
      }),
    [api, fy],
  );
  useEffect(() => () => checker.stop(), [checker]);

  // Checked at once when opened and whenever the base changes; while typing, a moment after the last key.
  const textRef = useRef(text);
  textRef.current = text;
  useEffect(() => {
    void checker.now(textRef.current);
  }, [checker, base.version]);

  const onChange = useCallback(
    (t: string) => {
      setText(t);
      checker.schedule(t);
      setSave((s) => (s.kind === "saved" || s.kind === "rejected" || s.kind === "failed" ? { kind: "idle" } : s));
    },
    [checker],
  );

  // Unsaved edits: ask before leaving, in the app and out of it.
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  useEffect(() => {
    const remove = addNavigationGuard(() => (dirtyRef.current ? UNSAVED : null));
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (!dirtyRef.current) return;
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      remove();
      window.removeEventListener("beforeunload", beforeUnload);
    };
  }, []);

  /** Shows `next` in the editor as the service's current text. */
  function resetTo(next: Loaded) {
    setBase(next);
    setText(next.text);
    setTextKey(`${fy}:${next.version}:${Date.now()}`);
  }

  async function upload(mine: string, baseVersion: number, allowDeletes = false) {
    setSave({ kind: "saving" });
    try {
      const { status, report } = await putLog(api, fy, mine, baseVersion, { allowDeletes });
      if (status === 200) {
        const version = report.logVersion ?? baseVersion;
        onSaved();
        // The service keeps lines canonical: show what it stored, unless the person typed meanwhile.
        let stored: Loaded = { text: mine, version };
        try {
          const fetched = await getLog(api, fy);
          if (fetched.version >= version) stored = fetched;
        } catch {
          // the saved text is what was sent
        }
        if (textRef.current === mine && stored.text !== mine) resetTo(stored);
        else setBase(stored.text === mine ? stored : { text: mine, version });
        setSave({ kind: "saved", version, summary: report.summary ?? null });
      } else if (status === 409) {
        setSave({ kind: "conflict", theirs: null });
        try {
          setSave({ kind: "conflict", theirs: await getLog(api, fy) });
        } catch (e) {
          setSave({ kind: "conflict", theirs: null, problem: e as Error });
        }
      } else if (report.diagnostics.some((d) => d.code === WOULD_DELETE_MOST) && onlyWouldDeleteMost(report.diagnostics) && !allowDeletes) {
        const d = report.diagnostics.find((x) => x.code === WOULD_DELETE_MOST)!;
        setSave({ kind: "confirm-deletes", message: d.message });
      } else {
        setSave({ kind: "rejected", report });
        setCheck({ answer: { ...asCheck(report, fy), status: "rejected" }, text: mine });
      }
    } catch (e) {
      setSave({ kind: "failed", problem: e as Error });
    }
  }

  const shown = check?.answer;
  const diagnostics: Diagnostic[] = shown?.diagnostics ?? [];
  const errors = errorsOf(diagnostics);
  const blocked = errors.length > 0 && !onlyWouldDeleteMost(diagnostics);
  const busy = save.kind === "saving";

  const download = () => saveText(text, `time-log-${fy}.md`, "text/markdown;charset=utf-8");

  return (
    <div className="log-layout">
      <section className="card log-editor" aria-labelledby="log-editor-title">
        <div className="log-editor-head">
          <h2 id="log-editor-title">
            Markdown <span className="log-version">version {base.version}</span>
          </h2>
          {dirty && <span className="badge">unsaved edits</span>}
        </div>
        <Suspense fallback={<Loading what="the editor" />}>
          <CodeEditor
            ref={editor}
            text={text}
            textKey={textKey}
            onChange={onChange}
            diagnostics={diagnostics}
            label={`The time log of ${fy} (Markdown)`}
            describedBy={statusId}
          />
        </Suspense>

        <p id={statusId} className={`log-status ${blocked ? "log-status-error" : ""}`} role="status" aria-live="polite">
          {checkProblem ? (
            <>The check failed: {checkProblem.message}</>
          ) : shown ? (
            <>
              {statusLine(shown)}
              {checking && <span className="log-checking"> · checking…</span>}
            </>
          ) : (
            "Checking…"
          )}
        </p>
        {shown?.status === "conflict" && shown.message && <p className="hint">{shown.message}</p>}

        {diagnostics.length > 0 && (
          <ul className="notices diagnostics" aria-label="Findings in the log">
            {diagnostics.map((d, i) => (
              <li key={`${d.line}-${d.code}-${i}`} className={`notice notice-${d.severity}`} data-code={d.code}>
                <button type="button" className="button-link diagnostic-line" onClick={() => editor.current?.goToLine(d.line)}>
                  Line {d.line}
                </button>{" "}
                <span className="notice-label">{SEVERITY_LABEL[d.severity]}</span> <code className="diagnostic-code">{d.code}</code>{" "}
                {d.message}
              </li>
            ))}
          </ul>
        )}

        <div className="form-actions log-actions">
          <button
            type="button"
            ref={saveButton}
            className="button-primary"
            disabled={!dirty || blocked || busy || save.kind === "conflict" || save.kind === "confirm-deletes"}
            onClick={() => void upload(text, base.version)}
          >
            {busy ? "Saving…" : "Save"}
          </button>
          <button type="button" className="button-secondary" disabled={!dirty || busy} onClick={() => resetTo(base)}>
            Discard edits
          </button>
          <button type="button" className="button-secondary" onClick={download}>
            Download
          </button>
        </div>

        <SaveMessage
          save={save}
          fy={fy}
          mine={text}
          onConfirmDeletes={() => void upload(text, base.version, true)}
          onCancel={() => setSave({ kind: "idle" })}
          cancelFocus={() => saveButton.current}
          onTakeTheirs={(theirs) => {
            resetTo(theirs);
            setSave({ kind: "idle" });
          }}
          onKeepMine={(theirs) => {
            setBase((b) => ({ ...b, version: theirs.version, text: theirs.text }));
            void upload(text, theirs.version);
          }}
        />
      </section>
      <History api={api} fy={fy} current={base} timeZone={timeZone} />
    </div>
  );
}

function asCheck(report: UploadReport, fy: string): LogCheck {
  return {
    fiscalYear: report.fiscalYear ?? fy,
    status: "rejected",
    logVersion: report.logVersion ?? 0,
    summary: null,
    diagnostics: report.diagnostics,
    message: report.message ?? null,
  };
}

const changes = (s: IngestSummary) => `added ${s.inserted}, changed ${s.updated}, deleted ${s.deleted}`;

function SaveMessage({
  save,
  fy,
  mine,
  onConfirmDeletes,
  onCancel,
  cancelFocus,
  onTakeTheirs,
  onKeepMine,
}: {
  save: SaveState;
  fy: string;
  mine: string;
  onConfirmDeletes: () => void;
  onCancel: () => void;
  /** Where focus goes when the deletes are not confirmed. */
  cancelFocus: () => HTMLElement | null;
  onTakeTheirs: (theirs: Loaded) => void;
  onKeepMine: (theirs: Loaded) => void;
}) {
  switch (save.kind) {
    case "idle":
    case "saving":
      return null;
    case "saved":
      return (
        <p className="log-saved" role="status">
          Saved as version {save.version}
          {save.summary ? `: ${changes(save.summary)} ${save.summary.deleted === 1 ? "entry" : "entries"}.` : "."}
        </p>
      );
    case "failed":
      return <ProblemNotice title="The log could not be saved." problem={save.problem} />;
    case "rejected":
      return (
        <div className="problem" role="alert">
          <p className="problem-title">The log was not saved.</p>
          <p className="problem-message">{save.report.error?.message ?? save.report.message}</p>
        </div>
      );
    case "confirm-deletes":
      return (
        <Confirm
          className="log-confirm"
          title={`Delete most of the entries of ${fy}?`}
          confirmLabel="Delete them and save"
          onConfirm={onConfirmDeletes}
          onCancel={onCancel}
          fallbackFocus={cancelFocus}
        >
          <p>{save.message}</p>
        </Confirm>
      );
    case "conflict":
      return (
        <section className="log-conflict" role="alert" aria-labelledby="log-conflict-title">
          <h3 id="log-conflict-title">The log changed while you were editing</h3>
          <p>
            Someone (or a timer) saved the log of {fy} in the meantime. Your text is still in the editor; here is how it
            differs from the service's current version.
          </p>
          {save.problem ? (
            <ProblemNotice title="The current version could not be loaded." problem={save.problem} />
          ) : !save.theirs ? (
            <Loading what="the current version" />
          ) : (
            <>
              <DiffView
                label="The service's current version against yours"
                before={save.theirs.text}
                after={mine}
                beforeLabel={`theirs (version ${save.theirs.version})`}
                afterLabel="yours (in the editor)"
              />
              <div className="form-actions">
                <button type="button" className="button-secondary" onClick={() => onTakeTheirs(save.theirs!)}>
                  Take theirs
                </button>
                <button type="button" className="button-primary" onClick={() => onKeepMine(save.theirs!)}>
                  Keep mine and save over it
                </button>
              </div>
            </>
          )}
        </section>
      );
  }
}
