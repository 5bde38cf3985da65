import { useEffect, useState } from "react";
import type { Auth } from "../auth/auth";
import { Header } from "../components/Header";
import { ProblemNotice } from "../components/Notices";
import { navigate } from "../lib/router";

/** `/callback`: trades the hosted login's code for tokens, then goes back where the person was. */
export function Callback({ auth, search }: { auth: Auth; search: string }) {
  const [problem, setProblem] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    auth.completeSignIn(search).then(
      (returnTo) => live && navigate(returnTo, { replace: true }),
      (e: Error) => live && setProblem(e),
    );
    return () => {
      live = false;
    };
  }, [auth, search]);
  return (
    <>
      <Header name={null} />
      <main id="main" className="narrow">
        {problem ? (
          <>
            <h1>Sign-in did not complete</h1>
            <ProblemNotice problem={problem} />
            <p>
              <button type="button" className="button-primary" onClick={() => void auth.signIn("/")}>
                Sign in again
              </button>
            </p>
          </>
        ) : (
          <p className="loading" role="status">
            Signing you in…
          </p>
        )}
      </main>
    </>
  );
}

/** Not signed in: off to the hosted login, to come back to `returnTo`. */
export function SigningIn({ auth, returnTo }: { auth: Auth; returnTo: string }) {
  const [problem, setProblem] = useState<Error | null>(null);
  useEffect(() => {
    auth.signIn(returnTo).catch((e: Error) => setProblem(e));
  }, [auth, returnTo]);
  return (
    <>
      <Header name={null} />
      <main id="main" className="narrow">
        {problem ? (
          <ProblemNotice title="Could not start the sign-in." problem={problem} />
        ) : (
          <p className="loading" role="status">
            Taking you to sign-in…
          </p>
        )}
        <p>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              auth.returned();
              auth.signIn(returnTo).catch((e: Error) => setProblem(e));
            }}
          >
            Sign in
          </button>
        </p>
      </main>
    </>
  );
}

export function SignedOut({ auth }: { auth: Auth }) {
  return (
    <>
      <Header name={null} />
      <main id="main" className="narrow signed-out">
        <h1>You are signed out</h1>
        <p>Sign in again to track your time.</p>
        <p>
          <button type="button" className="button-primary" onClick={() => void auth.signIn("/")}>
            Sign in
          </button>
        </p>
      </main>
    </>
  );
}
