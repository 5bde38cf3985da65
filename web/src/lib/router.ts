import { useSyncExternalStore } from "react";

// A minimal router: the app has a handful of paths and needs no library for them.

const EVENT = "tm:navigate";

function subscribe(fn: () => void) {
  window.addEventListener("popstate", fn);
  window.addEventListener(EVENT, fn);
  return () => {
    window.removeEventListener("popstate", fn);
    window.removeEventListener(EVENT, fn);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path with its query, e.g. `/today?date=2026-12-02`. */
export function useLocation(): { pathname: string; search: string; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const i = href.indexOf("?");
  return i < 0 ? { pathname: href, search: "", href } : { pathname: href.slice(0, i), search: href.slice(i), href };
}

export function navigate(to: string, opts: { replace?: boolean; force?: boolean } = {}) {
  if (to === snapshot()) return;
  if (!opts.force && refusedBy()) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(EVENT));
}

// Pages with unsaved work ask before an in-app navigation, or Back and Forward, leave them.
type Guard = { message: () => string | null; href: string };
const guards = new Set<Guard>();

/**
 * While registered, `message()` returning a text makes `navigate` — and the browser's Back
 * and Forward — ask (window.confirm) first; refused, the page's address is put back.
 */
export function addNavigationGuard(message: () => string | null): () => void {
  const guard = { message, href: snapshot() };
  guards.add(guard);
  return () => void guards.delete(guard);
}

function refusedBy(): Guard | null {
  for (const g of guards) {
    const message = g.message();
    if (message && !window.confirm(message)) return g;
  }
  return null;
}

// Registered when this module loads, so before `useLocation`'s listeners: a refused Back
// restores the address before anything renders the page it went to.
if (typeof window !== "undefined") {
  window.addEventListener("popstate", () => {
    const g = refusedBy();
    if (g) window.history.pushState(null, "", g.href);
  });
}

/** An in-app link's click: stays in the page (a reload would forget the in-memory sign-in). */
export function followLink(e: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; preventDefault(): void }, to: string) {
  if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey) {
    e.preventDefault();
    navigate(to);
  }
}
