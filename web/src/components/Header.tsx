import { followLink, navigate } from "../lib/router";

export function Header({ name, onSignOut }: { name: string | null; onSignOut?: () => void }) {
  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="app-header-inner">
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            // Stay in the page: a reload would forget the (in-memory) sign-in.
            if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey) {
              e.preventDefault();
              navigate("/");
            }
          }}
        >
          <span className="brand-mark" aria-hidden="true" />
          Temporal Mark
        </a>
        {onSignOut && <a className="header-link" href="/log" onClick={(e) => followLink(e, "/log")}>Log</a>}
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
