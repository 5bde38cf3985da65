import { useState } from "react";
import { call, getLog, type Api } from "../../api/client";
import { Loading, ProblemNotice } from "../../components/Notices";
import { formatInstant } from "../../lib/time";
import { useResource } from "../../lib/useResource";
import { DiffView } from "./DiffView";

/** The year's stored versions, newest first; choosing one shows its diff against the current version. */
export function History({
  api,
  fy,
  current,
  timeZone,
}: {
  api: Api;
  fy: string;
  current: { text: string; version: number };
  /** The person's zone, for when each version was saved. */
  timeZone: string;
}) {
  const versions = useResource(`versions:${fy}:${current.version}`, () =>
    call(api.GET("/v1/logs/{fy}/versions", { params: { path: { fy } } })),
  );
  const [chosen, setChosen] = useState<number | null>(null);
  const old = useResource(`old:${fy}:${chosen}`, async () => (chosen === null ? null : getLog(api, fy, chosen)));

  return (
    <section className="card log-history" aria-labelledby="log-history-title">
      <h2 id="log-history-title">History</h2>
      {versions.status === "loading" ? (
        <Loading what="the versions" />
      ) : versions.status === "error" ? (
        <ProblemNotice title="The versions could not be loaded." problem={versions.error} onRetry={() => void versions.reload()} />
      ) : versions.data.versions.length === 0 ? (
        <p className="empty">No versions yet: the first save makes one.</p>
      ) : (
        <ol className="versions">
          {versions.data.versions.map((v) => (
            <li key={v.version}>
              <button
                type="button"
                className={`version-button ${chosen === v.version ? "version-chosen" : ""}`}
                aria-pressed={chosen === v.version}
                onClick={() => setChosen(chosen === v.version ? null : v.version)}
              >
                <span className="version-no">Version {v.version}</span>
                <span className="version-when">{formatInstant(v.createdAt, timeZone)}</span>
                {v.version === versions.data.currentVersion && <span className="badge">current</span>}
              </button>
            </li>
          ))}
        </ol>
      )}
      {chosen !== null &&
        (old.status === "loading" ? (
          <Loading what={`version ${chosen}`} />
        ) : old.status === "error" ? (
          <ProblemNotice title={`Version ${chosen} could not be loaded.`} problem={old.error} onRetry={() => void old.reload()} />
        ) : old.data ? (
          <DiffView
            label={`Version ${chosen} against the current version ${current.version}`}
            before={old.data.text}
            after={current.text}
            beforeLabel={`version ${chosen}`}
            afterLabel={`current (version ${current.version})`}
          />
        ) : null)}
    </section>
  );
}
