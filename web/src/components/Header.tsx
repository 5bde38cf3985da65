import type { MouseEvent } from "react";
import { navigate } from "../lib/router";

export type Page = "today" | "week" | "reports" | "log" | "projects" | "team" | "settings" | "admin";

const PAGES: { page: Page; href: string; label: string; adminOnly?: boolean }[] = [
  { page: "today", href: "/", label: "Today" },
  { page: "week", href: "/week", label: "Week" },
  { page: "reports", href: "/reports", label: "Reports" },
  { page: "log", href: "/log", label: "Log" },
  { page: "projects", href: "/projects", label: "Projects" },
  { page: "team", href: "/team", label: "Team" },
  { page: "admin", href: "/admin", label: "Admin", adminOnly: true },
  { page: "settings", href: "/settings", label: "Settings" },
];

/** A click that stays in the page: a reload would forget the (in-memory) sign-in. */
export function inApp(href: string) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      navigate(href);
    }
  };
}

export function Header({
  name,
  onSignOut,
  current,
  isAdmin,
}: {
  name: string | null;
  onSignOut?: () => void;
  /** The page shown; with `onSignOut` (signed in), the pages are linked. */
  current?: Page | null;
  /** Tenant admins also see the Admin page's link. */
  isAdmin?: boolean;
}) {
  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="app-header-inner">
        <a className="brand" href="/" onClick={inApp("/")}>
          <span className="brand-mark" aria-hidden="true" />
          Temporal Mark
        </a>
        {onSignOut && (
          <nav className="app-nav" aria-label="Pages">
            <ul>
              {PAGES.filter((p) => isAdmin || !p.adminOnly).map((p) => (
                <li key={p.page}>
                  <a href={p.href} onClick={inApp(p.href)} aria-current={p.page === current ? "page" : undefined}>
                    {p.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {onSignOut && (
          <div className="who">
            {name && <span className="who-name">{name}</span>}
            <button type="button" className="button-quiet" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}
