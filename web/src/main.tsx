import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createApi } from "./api/client";
import { browserAuth } from "./auth/auth";
import { loadConfig } from "./config";
import { App } from "./App";
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
    root.render(
      <StrictMode>
        <App auth={auth} api={api} />
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
