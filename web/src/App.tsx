import { useSyncExternalStore } from "react";
import type { Api } from "./api/client";
import type { Auth } from "./auth/auth";
import { Callback, SignedOut, SigningIn } from "./pages/AuthPages";
import { Shell } from "./pages/Shell";
import { useLocation } from "./lib/router";

export function App({ auth, api }: { auth: Auth; api: Api }) {
  const { pathname, search, href } = useLocation();
  const signedIn = useSyncExternalStore(
    (fn) => auth.subscribe(fn),
    () => auth.signedIn(),
  );
  if (pathname === "/callback") return <Callback auth={auth} search={search} />;
  if (pathname === "/signed-out") return <SignedOut auth={auth} />;
  if (!signedIn) return <SigningIn auth={auth} returnTo={href} />;
  const page =
    pathname === "/" || pathname === "/today" ? "today" : pathname === "/week" ? "week" : pathname === "/log" ? "log" : pathname === "/reports" ? "reports" : pathname === "/team" ? "team" : pathname === "/projects" || pathname.startsWith("/projects/") ? "projects" : pathname === "/settings" ? "settings" : pathname === "/admin" ? "admin" : "not-found";
  return <Shell api={api} auth={auth} page={page} />;
}
