import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createApi } from "./api/client";
import { browserAuth } from "./auth/auth";
import { loadConfig } from "./config";
import { App } from "./App";
import { LiveContext, LiveFeed, liveAddress } from "./lib/live";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

async function boot() {
  try {
    const config = await loadConfig();
    const auth = browserAuth(config);
    const api = createApi({
      baseUrl: config.apiUrl || window.location.origin,
      tokens: {
        idToken: () => auth.idToken(),
        unauthorized: () => void auth.refreshOrSignIn(),
      },
    });
    // Live updates while signed in, where the deployment has the channel.
    const live = config.liveUrl === null ? null : new LiveFeed(liveAddress(config.liveUrl, window.location), () => auth.idToken());
    if (live) {
      const follow = () => (auth.signedIn() ? void live.start() : live.stop());
      auth.subscribe(follow);
      follow();
    }
    root.render(
      <StrictMode>
        <LiveContext.Provider value={live}>
          <App auth={auth} api={api} />
        </LiveContext.Provider>
      </StrictMode>,
    );
  } catch (e) {
    root.render(
      <main className="narrow boot-error">
        <h1>Temporal Mark could not start</h1>
        <div className="problem" role="alert">
          <p className="problem-message">{(e as Error).message}</p>
        </div>
        <p>
          <button type="button" className="button-primary" onClick={() => window.location.reload()}>
            Try again
          </button>
        </p>
      </main>,
    );
  }
}

void boot();
