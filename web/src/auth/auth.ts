import type { Config } from "../config";
import { challengeFor, randomToken } from "./pkce";

export type Tokens = {
  idToken: string;
  accessToken: string;
  refreshToken: string | null;
  /** When the ID token expires (ms since epoch). */
  expiresAt: number;
};

export type Claims = { sub?: string; name?: string; email?: string; "cognito:username"?: string };

type Pending = { state: string; verifier: string; returnTo: string };

export type AuthDeps = {
  fetch: typeof fetch;
  storage: Storage; // sessionStorage: only for the sign-in round trip
  origin: string;
  assign: (url: string) => void; // leave for the hosted login (replacing this history entry)
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

export const PENDING_KEY = "tm.signin";
/** Refresh this long before the ID token expires. */
export const REFRESH_EARLY_MS = 60_000;

export class AuthError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

function decodeClaims(jwt: string): Claims {
  try {
    const part = jwt.split(".")[1] ?? "";
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    return {};
  }
}

/**
 * Sign-in with the authorization code flow and PKCE against the hosted login
 * (tm-local's, or Cognito's). Tokens live in memory only.
 */
export class Auth {
  private tokens: Tokens | null = null;
  private refreshTimer: unknown = null;
  private refreshing: Promise<boolean> | null = null;
  private exchanges = new Map<string, Promise<string>>();
  private listeners = new Set<() => void>();
  private leaving = false;
  readonly config: Config;
  private deps: AuthDeps;

  constructor(config: Config, deps: AuthDeps) {
    this.config = config;
    this.deps = deps;
  }

  get redirectUri(): string {
    return `${this.deps.origin}/callback`;
  }

  private endpoint(path: string): string {
    return `${this.config.authUrl.replace(/\/+$/, "")}${path}`;
  }

  signedIn(): boolean {
    return this.tokens !== null;
  }

  claims(): Claims {
    return this.tokens ? decodeClaims(this.tokens.idToken) : {};
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit() {
    for (const fn of this.listeners) fn();
  }

  /** The hosted login's URL for a new sign-in; remembers verifier and state for the callback. */
  async signInUrl(returnTo: string): Promise<string> {
    const verifier = randomToken();
    const state = randomToken(16);
    const pending: Pending = { state, verifier, returnTo: safeReturn(returnTo) };
    this.deps.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const q = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: this.redirectUri,
      code_challenge: await challengeFor(verifier),
      code_challenge_method: "S256",
      state,
      scope: "openid",
    });
    return `${this.endpoint("/oauth2/authorize")}?${q}`;
  }

  /** The page is shown again (e.g. from the back/forward cache) after leaving for the hosted login. */
  returned() {
    this.leaving = false;
  }

  /** Leaves for the hosted login (once: a second call while leaving does nothing). */
  async signIn(returnTo: string): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    this.deps.assign(await this.signInUrl(returnTo));
  }

  /** At `/callback`: trades the code for tokens; answers where to go back to. */
  completeSignIn(search: string): Promise<string> {
    // React may run the callback's effect twice; the code is traded once.
    let p = this.exchanges.get(search);
    if (!p) {
      p = this.exchange(search);
      this.exchanges.set(search, p);
    }
    return p;
  }

  private async exchange(search: string): Promise<string> {
    const q = new URLSearchParams(search);
    const raw = this.deps.storage.getItem(PENDING_KEY);
    this.deps.storage.removeItem(PENDING_KEY);
    const err = q.get("error");
    if (err) {
      throw new AuthError(err, q.get("error_description") ?? `The sign-in was not completed (${err}).`);
    }
    const code = q.get("code");
    if (!code) throw new AuthError("no-code", "The sign-in answer has no code.");
    let pending: Pending | null = null;
    try {
      pending = raw ? (JSON.parse(raw) as Pending) : null;
    } catch {
      pending = null;
    }
    if (!pending || pending.state !== q.get("state")) {
      throw new AuthError("state-mismatch", "This sign-in was not started here (or was already used); sign in again.");
    }
    await this.tokenRequest({
      grant_type: "authorization_code",
      client_id: this.config.clientId,
      code,
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    return pending.returnTo;
  }

  private async tokenRequest(form: Record<string, string>): Promise<void> {
    let res: Response;
    try {
      res = await this.deps.fetch(this.endpoint("/oauth2/token"), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      });
    } catch (e) {
      throw new AuthError("network", `Could not reach the sign-in service: ${(e as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok || !body || typeof body.id_token !== "string") {
      const code = typeof body?.error === "string" ? body.error : `http-${res.status}`;
      const message =
        typeof body?.error_description === "string" ? body.error_description : `The sign-in service answered ${res.status}.`;
      throw new AuthError(code, message);
    }
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
    this.setTokens({
      idToken: body.id_token,
      accessToken: typeof body.access_token === "string" ? body.access_token : "",
      // A refresh answer may leave the refresh token out (Cognito does): keep the one we have.
      refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : (this.tokens?.refreshToken ?? null),
      expiresAt: this.deps.now() + expiresIn * 1000,
    });
  }

  private setTokens(t: Tokens | null) {
    this.tokens = t;
    if (this.refreshTimer !== null) this.deps.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    if (t) {
      const wait = Math.max(0, t.expiresAt - REFRESH_EARLY_MS - this.deps.now());
      this.refreshTimer = this.deps.setTimeout(() => void this.refreshOrSignIn(), wait);
    }
    this.emit();
  }

  /** Trades the refresh token for new tokens; false (and signed out) when that fails. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const rt = this.tokens?.refreshToken;
        if (!rt) {
          this.setTokens(null);
          return false;
        }
        try {
          await this.tokenRequest({ grant_type: "refresh_token", refresh_token: rt, client_id: this.config.clientId });
          return true;
        } catch {
          this.setTokens(null);
          return false;
        }
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** Refreshes; when that fails, goes to the hosted login, to come back to the current page. */
  async refreshOrSignIn(returnTo = currentPath()): Promise<void> {
    if (!(await this.refresh())) await this.signIn(returnTo);
  }

  /** A usable ID token: refreshed first when it is about to expire. */
  async idToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.tokens.expiresAt - this.deps.now() < REFRESH_EARLY_MS / 2) {
      if (!(await this.refresh())) {
        void this.signIn(currentPath());
        return null;
      }
    }
    return this.tokens?.idToken ?? null;
  }

  /**
   * Forgets the tokens and goes to the hosted login's logout (Cognito's and
   * tm-local's), which ends its remembered sign-in and comes back to /signed-out.
   */
  signOut(): void {
    this.setTokens(null);
    this.deps.storage.removeItem(PENDING_KEY);
    this.deps.assign(this.logoutUrl());
  }

  logoutUrl(): string {
    const q = new URLSearchParams({ client_id: this.config.clientId, logout_uri: `${this.deps.origin}/signed-out` });
    return `${this.endpoint("/logout")}?${q}`;
  }
}

function currentPath(): string {
  return typeof location === "undefined" ? "/" : location.pathname + location.search;
}

/** Only paths of this app: never an absolute URL elsewhere, nor the callback itself. */
export function safeReturn(path: string): string {
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/callback") || path.startsWith("/signed-out")) {
    return "/";
  }
  return path;
}

export function browserAuth(config: Config): Auth {
  const auth = new Auth(config, {
    fetch: (...a) => fetch(...a),
    storage: sessionStorage,
    origin: location.origin,
    // Replace, not push: the round trip through the hosted login and /callback comes back
    // as the one entry it left, so Back after a reload goes where it went before.
    assign: (url) => location.replace(url),
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) auth.returned();
  });
  return auth;
}
