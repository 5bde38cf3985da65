import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

type Schemas = components["schemas"];
export type DailyReport = Schemas["DailyReport"];
export type EntryAnswer = Schemas["EntryAnswer"];
export type EntryPatch = Schemas["EntryPatch"];
export type NewEntry = Schemas["NewEntry"];
export type Gap = Schemas["Gap"];
export type ListedEntry = Schemas["ListedEntry"];
export type ListedProject = Schemas["ListedProject"];
export type MeAnswer = Schemas["MeAnswer"];
export type TimerAnswer = Schemas["TimerAnswer"];
export type TimerStartBody = Schemas["TimerStartBody"];
export type Issue = Schemas["Issue"];
export type ErrorBody = Schemas["Error"];
export type Diagnostic = Schemas["Diagnostic"];
export type IngestSummary = Schemas["IngestSummary"];
export type LogCheck = Schemas["LogCheck"];
export type LogList = Schemas["LogList"];
export type LogVersions = Schemas["LogVersions"];
export type UploadReport = Schemas["UploadReport"];

export type Api = ReturnType<typeof createClient<paths>>;

/** A failed call, as the service said it (`{"error": {code, message, details}}`) or as the network failed. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiProblem";
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }

  /** `details.issues` of a validation error: findings about fields of the input. */
  get issues(): Notice[] {
    const d = this.details as { issues?: unknown } | null;
    return Array.isArray(d?.issues) ? d.issues.filter(isNotice) : [];
  }
}

/** A warning, note or error about one field (the service's `Issue`, or a write's `warnings` item). */
export type Notice = {
  field: string;
  code: string;
  message: string;
  severity: "error" | "warning" | "info";
};

export function isNotice(x: unknown): x is Notice {
  if (!x || typeof x !== "object") return false;
  const o = x as Record<string, unknown>;
  return typeof o.message === "string" && typeof o.field === "string";
}

/** The `warnings` of a write's answer (typed loosely in the schema). */
export function warningsOf(answer: { warnings?: Array<Record<string, unknown>> | null }): Notice[] {
  return (answer.warnings ?? []).filter(isNotice).map((w) => ({
    ...w,
    code: typeof w.code === "string" ? w.code : "",
    severity: w.severity === "error" || w.severity === "info" ? w.severity : "warning",
  }));
}

export function toProblem(error: unknown, response: Response | undefined): ApiProblem {
  const status = response?.status ?? 0;
  if (error && typeof error === "object" && "error" in error) {
    const e = (error as { error: unknown }).error;
    if (e && typeof e === "object") {
      const { code, message, details } = e as Record<string, unknown>;
      if (typeof message === "string") {
        return new ApiProblem(status, typeof code === "string" ? code : "error", message, details);
      }
    }
  }
  if (error instanceof ApiProblem) return error;
  if (typeof error === "string" && error.trim()) {
    return new ApiProblem(status, `http-${status}`, error.trim().slice(0, 500));
  }
  if (error instanceof Error) {
    return new ApiProblem(status, "network", `Could not reach the service: ${error.message}`);
  }
  return new ApiProblem(status, `http-${status}`, `The service answered ${status} ${response?.statusText ?? ""}`.trim());
}

/** `data` of an openapi-fetch result, or throws its error as an `ApiProblem`. */
export async function call<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  return (await callWithResponse(p)).data;
}

/** As `call`, with the response too (for its status or headers). */
export async function callWithResponse<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; response: Response }> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await p;
  } catch (e) {
    throw toProblem(e, undefined);
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toProblem(result.error, result.response);
  }
  return { data: result.data as T, response: result.response };
}

export type TokenSource = {
  /** A current ID token (refreshed first when about to expire), or null when signed out. */
  idToken(): Promise<string | null>;
  /** The service refused the token (401). */
  unauthorized(): void;
};

const newKey = () => crypto.randomUUID();

export function createApi(opts: {
  baseUrl: string;
  tokens: TokenSource;
  fetch?: (input: Request) => Promise<Response>;
}): Api {
  const client = createClient<paths>({
    baseUrl: opts.baseUrl,
    fetch: opts.fetch ?? ((r: Request) => globalThis.fetch(r)),
  });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await opts.tokens.idToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      // Every write carries its own idempotency key, so a retried request is answered once.
      if (request.method !== "GET" && request.method !== "HEAD" && !request.headers.has("Idempotency-Key")) {
        request.headers.set("Idempotency-Key", newKey());
      }
      return request;
    },
    async onResponse({ response }) {
      if (response.status === 401) opts.tokens.unauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** All entries from `from` to `to`, following `nextCursor` (at most `maxPages` pages). */
export async function listEntries(api: Api, from: string, to: string, maxPages = 20): Promise<EntryAnswer[]> {
  const out: EntryAnswer[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const data = await call(api.GET("/v1/entries", { params: { query: { from, to, limit: 200, cursor } } }));
    out.push(...data.entries);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return out;
}

// Logs: one Markdown file per fiscal year, sent and received as text.

const markdown = { "content-type": "text/markdown" };
const asText = (body: string) => body;

/** A year's log as Markdown with its version (`x-log-version`); `version` asks for an older one. */
export async function getLog(api: Api, fy: string, version?: number): Promise<{ text: string; version: number }> {
  const p = api.GET("/v1/logs/{fy}", {
    params: { path: { fy }, query: version === undefined ? {} : { version } },
    parseAs: "text",
  });
  let response: Response | undefined;
  const text = await call(
    p.then((r) => {
      response = r.response;
      return r;
    }),
  );
  const header = Number(response?.headers.get("x-log-version"));
  return { text: String(text ?? ""), version: Number.isFinite(header) && header >= 0 ? header : (version ?? 0) };
}

/** What uploading `text` would do (`POST /v1/logs/{fy}/check`); nothing is stored. */
export function checkLog(api: Api, fy: string, text: string, baseVersion: number, signal?: AbortSignal): Promise<LogCheck> {
  return call(
    api.POST("/v1/logs/{fy}/check", {
      params: { path: { fy }, query: { baseVersion } },
      body: text,
      bodySerializer: asText,
      headers: markdown,
      signal,
    }),
  );
}

/** The answer of `PUT /v1/logs/{fy}`: applied (200), rejected (422) or a stale base (409), each with its report. */
export type SaveOutcome = { status: 200 | 409 | 422; report: UploadReport };

export async function putLog(
  api: Api,
  fy: string,
  text: string,
  baseVersion: number,
  opts: { allowDeletes?: boolean } = {},
): Promise<SaveOutcome> {
  let result: { data?: UploadReport; error?: unknown; response: Response };
  try {
    result = await api.PUT("/v1/logs/{fy}", {
      params: { path: { fy }, query: { baseVersion, ...(opts.allowDeletes ? { allowDeletes: true } : {}) } },
      body: text,
      bodySerializer: asText,
      headers: markdown,
    });
  } catch (e) {
    throw toProblem(e, undefined);
  }
  const status = result.response.status;
  if (status === 200 && result.data) return { status, report: result.data };
  if ((status === 409 || status === 422) && isReport(result.error)) return { status, report: result.error };
  throw toProblem(result.error, result.response);
}

function isReport(x: unknown): x is UploadReport {
  return !!x && typeof x === "object" && "status" in x && Array.isArray((x as { diagnostics?: unknown }).diagnostics);
}
