import { lazy, Suspense } from "react";
import { call, type Api, type MeAnswer } from "../api/client";
import type { Auth, Claims } from "../auth/auth";
import { Header, type Page } from "../components/Header";
import { Loading, ProblemNotice } from "../components/Notices";
import { navigate } from "../lib/router";
import { useResource } from "../lib/useResource";
import { ProjectsPage } from "./Projects";
import { TodayPage } from "./Today";
import { WeekPage } from "./Week";

// The Log page (with its editor) is loaded when first opened, keeping the first load small.
const LogPage = lazy(() => import("./Log"));

/** What to call the person: the directory's name, else the ID token's claims. */
export function displayName(me: MeAnswer | undefined, claims: Claims): string | null {
  return me?.name || claims.name || claims.email || claims["cognito:username"] || me?.user || null;
}

export function signOut(auth: Auth) {
  // Leave the page first, so the signed-out state does not start a new sign-in.
  navigate("/signed-out");
  if (window.location.pathname !== "/signed-out") return; // the page kept unsaved edits
  auth.signOut();
}

export function Shell({ api, auth, page }: { api: Api; auth: Auth; page: Page | "not-found" }) {
  const me = useResource("me", () => call(api.GET("/v1/me")));
  return (
    <>
      <Header
        name={displayName(me.data, auth.claims())}
        onSignOut={() => signOut(auth)}
        current={page === "not-found" ? null : page}
      />
      {page === "not-found" ? (
        <main id="main" className="narrow">
          <h1>Page not found</h1>
          <p>There is nothing at this address.</p>
          <p>
            <button type="button" className="button-primary" onClick={() => navigate("/")}>
              Go to Today
            </button>
          </p>
        </main>
      ) : me.status === "loading" ? (
        <main id="main" className="narrow">
          <Loading what="your settings" />
        </main>
      ) : me.status === "error" ? (
        <main id="main" className="narrow">
          <ProblemNotice title="Your settings could not be loaded." problem={me.error} onRetry={() => void me.reload()} />
        </main>
      ) : page === "log" ? (
        <Suspense
          fallback={
            <main id="main">
              <Loading what="the log" />
            </main>
          }
        >
          <LogPage api={api} me={me.data} />
        </Suspense>
      ) : page === "projects" ? (
        <ProjectsPage api={api} me={me.data} />
      ) : page === "week" ? (
        <WeekPage api={api} me={me.data} />
      ) : (
        <TodayPage api={api} me={me.data} />
      )}
    </>
  );
}
