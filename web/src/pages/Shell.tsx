import { lazy, Suspense, type ReactNode } from "react";
import { call, type Api, type MeAnswer } from "../api/client";
import type { Auth, Claims } from "../auth/auth";
import { Header, type Page } from "../components/Header";
import { Loading, ProblemNotice } from "../components/Notices";
import { navigate } from "../lib/router";
import { useResource } from "../lib/useResource";
import { SettingsPage } from "./Settings";
import { TodayPage } from "./Today";
import { WeekPage } from "./Week";

// Pages other than Today, Week and Settings are loaded when first opened, keeping the
// first load small (the Log page's editor and the Reports page's chart most of all).
const LogPage = lazy(() => import("./Log"));
const AdminPage = lazy(() => import("./Admin"));
const ProjectsPage = lazy(() => import("./Projects"));
// Reports and Team: one page, two scopes.
const ReportsPage = lazy(() => import("./Reports"));

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

/** A page loaded when first opened, with what it is loading said meanwhile. */
function Lazy({ what, children }: { what: string; children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <main id="main">
          <Loading what={what} />
        </main>
      }
    >
      {children}
    </Suspense>
  );
}

export function Shell({ api, auth, page }: { api: Api; auth: Auth; page: Page | "not-found" }) {
  const me = useResource("me", () => call(api.GET("/v1/me")));
  return (
    <>
      <Header
        name={displayName(me.data, auth.claims())}
        onSignOut={() => signOut(auth)}
        current={page === "not-found" ? null : page}
        isAdmin={me.data?.isTenantAdmin}
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
      ) : !me.data ? (
        <main id="main" className="narrow">
          <ProblemNotice title="Your settings could not be loaded." problem={me.error ?? new Error("No answer.")} onRetry={() => void me.reload()} />
        </main>
      ) : (
        <>
          {me.status === "error" && (
            // Shown above the page, which goes on with the settings read before.
            <div className="shell-notice">
              <ProblemNotice
                title="Your settings could not be read again: the page shows them as they were."
                problem={me.error}
                onRetry={() => void me.reload()}
              />
            </div>
          )}
          <ShellPage api={api} auth={auth} page={page} me={me.data} reloadMe={me.reload} setMe={me.set} />
        </>
      )}
    </>
  );
}

/** The page asked for, given the signed-in person's `me`. */
function ShellPage({
  api,
  auth,
  page,
  me,
  reloadMe,
  setMe,
}: {
  api: Api;
  auth: Auth;
  page: Page;
  me: MeAnswer;
  reloadMe: () => Promise<void>;
  setMe: (me: MeAnswer) => void;
}) {
  return page === "log" ? (
    <Lazy what="the log">
      <LogPage api={api} me={me} />
    </Lazy>
  ) : page === "reports" || page === "team" ? (
    <Lazy what="the reports">
      <ReportsPage key={page} api={api} me={me} scope={page === "team" ? "team" : "mine"} />
    </Lazy>
  ) : page === "projects" ? (
    <Lazy what="the projects">
      <ProjectsPage api={api} me={me} />
    </Lazy>
  ) : page === "admin" ? (
    <Lazy what="the admin page">
      <AdminPage api={api} me={me} reloadMe={reloadMe} />
    </Lazy>
  ) : page === "settings" ? (
    <SettingsPage api={api} me={me} onMe={setMe} onSignOut={() => signOut(auth)} />
  ) : page === "week" ? (
    <WeekPage api={api} me={me} />
  ) : (
    <TodayPage api={api} me={me} />
  );
}
