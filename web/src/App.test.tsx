import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { Auth, PENDING_KEY } from "./auth/auth";
import { fakeService, ME } from "./test/fakeService";

vi.mock("./pages/log/CodeEditor", () => import("./test/fakeEditor"));

const jwt = (claims: object) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.s`;

function makeAuth(authUrl = "") {
  const assign = vi.fn();
  const tokenFetch = vi.fn(async () =>
    Response.json({ id_token: jwt({ name: "Ada Lovelace", email: "ada@example.com" }), access_token: "a", refresh_token: "r", expires_in: 3600 }),
  );
  const auth = new Auth(
    { apiUrl: "", authUrl, clientId: "tm-local-client", liveUrl: null },
    {
      fetch: tokenFetch as unknown as typeof fetch,
      storage: sessionStorage,
      origin: window.location.origin,
      assign,
      now: () => Date.now(),
      setTimeout: () => 0,
      clearTimeout: () => {},
    },
  );
  return { auth, assign, tokenFetch };
}

/** Signs in through the callback, as the hosted login's redirect would, and answers the page shown. */
async function signInThroughCallback(auth: Auth, returnTo: string) {
  const url = new URL(await auth.signInUrl(returnTo), window.location.origin);
  window.history.replaceState(null, "", `/callback?code=abc&state=${url.searchParams.get("state")}`);
}

describe("the app", () => {
  it("sends a visitor who is not signed in to the hosted login", async () => {
    const { auth, assign } = makeAuth();
    window.history.replaceState(null, "", "/today?date=2026-12-01");
    render(<App auth={auth} api={fakeService().api} />);
    expect(screen.getByText("Taking you to sign-in…")).toBeInTheDocument();
    await vi.waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    expect(assign.mock.calls[0][0]).toMatch(/^\/oauth2\/authorize\?response_type=code&client_id=tm-local-client&/);
    expect(JSON.parse(sessionStorage.getItem(PENDING_KEY)!).returnTo).toBe("/today?date=2026-12-01");
  });

  it("comes back from the callback to the page the person was on, and greets them by name", async () => {
    const { auth, tokenFetch } = makeAuth();
    await signInThroughCallback(auth, "/today?date=2026-12-01");
    const service = fakeService({ "GET /v1/me": { body: ME } });
    render(<App auth={auth} api={service.api} />);
    expect(await screen.findByText("Nothing logged on this day.")).toBeInTheDocument();
    expect(window.location.pathname + window.location.search).toBe("/today?date=2026-12-01");
    expect(tokenFetch).toHaveBeenCalledTimes(1);
    expect(within(screen.getByRole("banner")).getByText("Ada Lovelace")).toBeInTheDocument();
  });

  it("links Today and Week in the header, marking the page shown", async () => {
    const { auth } = makeAuth();
    await signInThroughCallback(auth, "/week");
    const user = userEvent.setup();
    render(<App auth={auth} api={fakeService({ "GET /v1/me": { body: ME } }).api} />);
    expect(await screen.findByRole("heading", { level: 1, name: "This week" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Pages" });
    expect(within(nav).getByRole("link", { name: "Week" })).toHaveAttribute("aria-current", "page");
    expect(within(nav).getByRole("link", { name: "Today" })).not.toHaveAttribute("aria-current");
    await user.click(within(nav).getByRole("link", { name: "Today" }));
    expect(await screen.findByText("Nothing logged yet today.")).toBeInTheDocument();
    expect(window.location.pathname).toBe("/");
    expect(within(nav).getByRole("link", { name: "Today" })).toHaveAttribute("aria-current", "page");
  });

  it("signs out to a signed-out page with a Sign in button", async () => {
    const { auth, assign } = makeAuth();
    await signInThroughCallback(auth, "/");
    const user = userEvent.setup();
    render(<App auth={auth} api={fakeService({ "GET /v1/me": { body: ME } }).api} />);
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "You are signed out" })).toBeInTheDocument();
    expect(auth.signedIn()).toBe(false);
    // The hosted login forgets this browser too, then sends it back to /signed-out.
    expect(assign).toHaveBeenCalledWith(expect.stringContaining("/logout?client_id=tm-local-client"));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith(expect.stringContaining("/oauth2/authorize?")));
  });

  it("shows why a sign-in did not complete", async () => {
    const { auth } = makeAuth();
    window.history.replaceState(null, "", "/callback?code=abc&state=not-ours");
    render(<App auth={auth} api={fakeService().api} />);
    expect(await screen.findByRole("heading", { name: "Sign-in did not complete" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("This sign-in was not started here");
    expect(screen.getByRole("button", { name: "Sign in again" })).toBeInTheDocument();
  });

  it("shows an error, and Try again, when the person's settings cannot be loaded", async () => {
    const { auth } = makeAuth();
    await signInThroughCallback(auth, "/");
    const service = fakeService({ "GET /v1/me": { status: 500, body: { error: { code: "internal", message: "something broke" } } } });
    render(<App auth={auth} api={service.api} />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("something broke");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("opens Log from the header, and asks before leaving it with unsaved edits", async () => {
    const { auth } = makeAuth();
    await signInThroughCallback(auth, "/");
    const text = "# Time Log 2026-2027\n";
    const service = fakeService({
      "GET /v1/me": { body: ME },
      "GET /v1/logs": { body: { logs: [] } },
      "GET /v1/logs/:fy": () => new Response(text, { headers: { "content-type": "text/markdown", "x-log-version": "2" } }),
      "GET /v1/logs/:fy/versions": { body: { fiscalYear: "2026-2027", currentVersion: 2, versions: [] } },
      "POST /v1/logs/:fy/check": {
        body: { fiscalYear: "2026-2027", status: "ok", logVersion: 2, summary: { unchanged: 0, updated: 0, inserted: 0, deleted: 0 }, diagnostics: [], message: null },
      },
    });
    const user = userEvent.setup();
    render(<App auth={auth} api={service.api} />);
    expect(within(screen.getByRole("banner")).queryByRole("link", { name: "Log" })).not.toBeInTheDocument(); // not while signing in
    await screen.findByText("Ada Lovelace");
    await user.click(within(screen.getByRole("banner")).getByRole("link", { name: "Log" }));
    expect(window.location.pathname).toBe("/log");
    const editor = await screen.findByRole("textbox", { name: "The time log of 2026-2027 (Markdown)" }, { timeout: 3000 }); // a lazy chunk
    await user.type(editor, "x");
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal("confirm", confirm); // happy-dom has no window.confirm
    // Back, refused: the address comes back and the edits stay.
    act(() => {
      window.history.pushState(null, "", "/");
      window.dispatchEvent(new PopStateEvent("popstate"));
    });
    expect(window.location.pathname).toBe("/log");
    expect(screen.getByRole("textbox", { name: "The time log of 2026-2027 (Markdown)" })).toHaveValue(text + "x");
    await user.click(screen.getByRole("link", { name: /Temporal Mark/ }));
    expect(confirm).toHaveBeenCalledWith("You have unsaved edits to the log. Leave the page and lose them?");
    expect(window.location.pathname).toBe("/log");
    expect(editor).toHaveValue(text + "x");
    await user.click(screen.getByRole("link", { name: /Temporal Mark/ }));
    expect(window.location.pathname).toBe("/");
    expect(confirm).toHaveBeenCalledTimes(3);
    vi.unstubAllGlobals();
  });
});
