import { describe, expect, it, vi } from "vitest";
import { Auth, AuthError, PENDING_KEY, type AuthDeps } from "./auth";
import { challengeFor } from "./pkce";

const jwt = (claims: object) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.s`;

function setup(opts: { authUrl?: string; tokenAnswers?: Array<{ status: number; body: object }> } = {}) {
  const answers = [...(opts.tokenAnswers ?? [])];
  const requests: Array<{ url: string; body: URLSearchParams; contentType: string | null }> = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let now = 1_000_000;
  const deps: AuthDeps = {
    fetch: vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      requests.push({
        url: String(url),
        body: new URLSearchParams(String(init?.body)),
        contentType: new Headers(init?.headers).get("content-type"),
      });
      const a = answers.shift() ?? { status: 400, body: { error: "invalid_grant" } };
      return new Response(JSON.stringify(a.body), { status: a.status, headers: { "content-type": "application/json" } });
    }) as unknown as typeof fetch,
    storage: sessionStorage,
    origin: "http://app.test",
    assign: vi.fn(),
    now: () => now,
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
    clearTimeout: () => {},
  };
  const auth = new Auth({ apiUrl: "", authUrl: opts.authUrl ?? "", clientId: "tm-local-client", liveUrl: null }, deps);
  return { auth, deps, requests, timers, advance: (ms: number) => (now += ms) };
}

const tokenAnswer = (name: string, extra: object = {}) => ({
  status: 200,
  body: { id_token: jwt({ name }), access_token: "at", refresh_token: "rt-1", expires_in: 3600, ...extra },
});

async function signedIn(s: ReturnType<typeof setup>, returnTo = "/today?date=2026-12-01") {
  const url = new URL(await s.auth.signInUrl(returnTo), "http://app.test");
  return s.auth.completeSignIn(`?code=the-code&state=${url.searchParams.get("state")}`);
}

describe("sign-in", () => {
  it("sends the browser to the hosted login with an S256 challenge of a verifier kept for the round trip", async () => {
    const { auth } = setup();
    const url = new URL(await auth.signInUrl("/today"), "http://app.test");
    expect(url.pathname).toBe("/oauth2/authorize");
    const q = url.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe("tm-local-client");
    expect(q.get("redirect_uri")).toBe("http://app.test/callback");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("scope")).toBe("openid");
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY)!);
    expect(pending.state).toBe(q.get("state"));
    expect(q.get("code_challenge")).toBe(await challengeFor(pending.verifier));
    expect(localStorage.length).toBe(0);
  });

  it("uses Cognito's hosted login when authUrl names one", async () => {
    const { auth } = setup({ authUrl: "https://tm.auth.eu-west-1.amazoncognito.com/" });
    expect(await auth.signInUrl("/")).toMatch(/^https:\/\/tm\.auth\.eu-west-1\.amazoncognito\.com\/oauth2\/authorize\?/);
  });

  it("trades the code for tokens, form-encoded, and answers the page to go back to", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada")] });
    const back = await signedIn(s);
    expect(back).toBe("/today?date=2026-12-01");
    expect(s.requests).toHaveLength(1);
    const [r] = s.requests;
    expect(r.url).toBe("/oauth2/token");
    expect(r.contentType).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(r.body)).toEqual({
      grant_type: "authorization_code",
      client_id: "tm-local-client",
      code: "the-code",
      redirect_uri: "http://app.test/callback",
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(s.auth.claims().name).toBe("Ada");
    expect(await s.auth.idToken()).toBe(jwt({ name: "Ada" }));
    // Tokens stay in memory: nothing in either storage after the round trip.
    expect(sessionStorage.length).toBe(0);
    expect(localStorage.length).toBe(0);
  });

  it("refuses an answer whose state it did not send", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada")] });
    await s.auth.signInUrl("/");
    await expect(s.auth.completeSignIn("?code=c&state=forged")).rejects.toMatchObject({ code: "state-mismatch" });
    expect(s.requests).toHaveLength(0);
    expect(s.auth.signedIn()).toBe(false);
  });

  it("reports the hosted login's error", async () => {
    const s = setup();
    await s.auth.signInUrl("/");
    const err = await s.auth.completeSignIn("?error=access_denied&error_description=Nope").catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toBe("Nope");
  });

  it("trades a code once even when the callback runs twice", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada")] });
    const url = new URL(await s.auth.signInUrl("/"), "http://app.test");
    const search = `?code=c&state=${url.searchParams.get("state")}`;
    await Promise.all([s.auth.completeSignIn(search), s.auth.completeSignIn(search)]);
    expect(s.requests).toHaveLength(1);
  });

  it("never sends the person back to another site", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada")] });
    expect(await signedIn(s, "https://evil.test/")).toBe("/");
  });
});

describe("refresh", () => {
  it("refreshes a minute before the ID token expires and uses the new one", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada"), { status: 200, body: { id_token: jwt({ name: "Ada 2" }), expires_in: 3600 } }] });
    await signedIn(s);
    expect(s.timers.at(-1)!.ms).toBe(3600_000 - 60_000);
    s.advance(3540_000);
    s.timers.at(-1)!.fn();
    await vi.waitFor(() => expect(s.auth.claims().name).toBe("Ada 2"));
    expect(Object.fromEntries(s.requests[1].body)).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt-1",
      client_id: "tm-local-client",
    });
    // Cognito's refresh answer has no refresh token: the first one is kept for the next time.
    s.timers.at(-1)!.fn();
    await vi.waitFor(() => expect(s.requests).toHaveLength(3));
    expect(s.requests[2].body.get("refresh_token")).toBe("rt-1");
  });

  it("goes to the sign-in again when the refresh is refused", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada"), { status: 400, body: { error: "invalid_grant" } }] });
    await signedIn(s);
    await s.auth.refreshOrSignIn("/today?date=2026-12-02");
    expect(s.auth.signedIn()).toBe(false);
    expect(s.deps.assign).toHaveBeenCalledWith(expect.stringContaining("/oauth2/authorize?"));
    expect(JSON.parse(sessionStorage.getItem(PENDING_KEY)!).returnTo).toBe("/today?date=2026-12-02");
  });

  it("refreshes before handing out a token that is about to expire", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada"), tokenAnswer("Fresh")] });
    await signedIn(s);
    s.advance(3600_000 - 10_000);
    expect(await s.auth.idToken()).toBe(jwt({ name: "Fresh" }));
  });
});

describe("sign-out", () => {
  it("forgets the tokens and ends the hosted login's session on this origin", async () => {
    const s = setup({ tokenAnswers: [tokenAnswer("Ada")] });
    await signedIn(s);
    s.auth.signOut();
    const url = new URL((s.deps.assign as ReturnType<typeof vi.fn>).mock.calls.at(-1)![0] as string, "http://app.test");
    expect(url.pathname).toBe("/logout");
    expect(url.searchParams.get("logout_uri")).toBe("http://app.test/signed-out");
    expect(s.auth.signedIn()).toBe(false);
    expect(await s.auth.idToken()).toBeNull();
  });

  it("answers Cognito's logout URL when authUrl names one", async () => {
    const s = setup({ authUrl: "https://tm.auth.example.com", tokenAnswers: [tokenAnswer("Ada")] });
    await signedIn(s);
    const url = new URL(s.auth.logoutUrl());
    expect(url.origin + url.pathname).toBe("https://tm.auth.example.com/logout");
    expect(url.searchParams.get("client_id")).toBe("tm-local-client");
    expect(url.searchParams.get("logout_uri")).toBe("http://app.test/signed-out");
  });
});
