import { createApi, type Api, type DailyReport, type EntryAnswer, type MeAnswer } from "../api/client";

export type Recorded = { method: string; path: string; query: URLSearchParams; headers: Headers; body: unknown };
type Answer = { status?: number; body?: unknown } | Response;
type Handler = (req: Recorded, params: string[]) => Answer | Promise<Answer>;

/**
 * A stand-in for the service: routes like `"GET /v1/daily/:date"` answer canned or computed
 * JSON, and every request is recorded. Unrouted requests answer the service's 404.
 */
export function fakeService(routes: Record<string, Handler | Answer> = {}) {
  const calls: Recorded[] = [];
  const table = { ...defaults(), ...routes };
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
    const rec: Recorded = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      // JSON bodies parsed; others (the log's Markdown) kept as text
      body: text ? (/json/.test(request.headers.get("content-type") ?? "json") ? JSON.parse(text) : text) : undefined,
    };
    calls.push(rec);
    for (const [route, handler] of Object.entries(table)) {
      const [method, pattern] = route.split(" ");
      if (method !== rec.method) continue;
      const re = new RegExp(`^${pattern.replace(/:[a-z]+/g, "([^/]+)")}$`);
      const m = re.exec(rec.path);
      if (!m) continue;
      const answer = typeof handler === "function" ? await handler(rec, m.slice(1).map(decodeURIComponent)) : handler;
      if (answer instanceof Response) return answer;
      const status = answer.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(answer.body ?? {}), {
        status,
        headers: { "content-type": "application/json" },
      });
    }
    return new Response(JSON.stringify({ error: { code: "not-found", message: `no route ${rec.method} ${rec.path}` } }), {
      status: 404,
      headers: { "content-type": "application/json" },
    });
  };
  const api: Api = createApi({
    baseUrl: "http://tm.test",
    tokens: { idToken: async () => "the-id-token", unauthorized: () => {} },
    fetch,
  });
  const writes = () => calls.filter((c) => c.method !== "GET");
  return { api, calls, writes, route: (k: string, h: Handler | Answer) => (table[k] = h) };
}

function defaults(): Record<string, Handler | Answer> {
  return {
    "GET /v1/timer": { body: { running: null, elapsedMinutes: null } },
    "GET /v1/daily/:date": (_r, [date]) => ({ body: daily(date, []) }),
    "GET /v1/entries": { body: { entries: [], nextCursor: null } },
    "GET /v1/projects": { body: { projects: [] } },
  };
}

export const ME: MeAnswer = {
  user: "u-1",
  name: null,
  email: null,
  tenant: "t-1",
  groups: [],
  isTenantAdmin: false,
  timeZone: "UTC",
  suppressedProjects: [],
  fiscalYearStartMonth: 7,
  today: "2026-12-03",
};

let seq = 0;
export function entry(e: Partial<EntryAnswer>): EntryAnswer {
  return {
    id: `id-${++seq}`,
    date: "2026-12-03",
    startTime: "09:00",
    endTime: "10:00",
    minutes: 60,
    hours: 1,
    task: "Some task",
    project: "Web",
    tags: [],
    notes: null,
    createdAt: "2026-12-03T09:00:00Z",
    updatedAt: "2026-12-03T09:00:00Z",
    ...e,
  };
}

/** A daily report for `entries`, with its gaps between them (as the service computes them). */
export function daily(date: string, entries: EntryAnswer[]): DailyReport {
  const sorted = [...entries].sort((a, b) => a.startTime.localeCompare(b.startTime));
  const gaps = [];
  for (let i = 1; i < sorted.length; i++) {
    const end = sorted[i - 1].endTime;
    if (end && end < sorted[i].startTime) {
      const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
      gaps.push({ start: end, end: sorted[i].startTime, minutes: m(sorted[i].startTime) - m(end) });
    }
  }
  const finished = sorted.filter((e) => e.endTime);
  const total = finished.reduce((n, e) => n + (e.minutes ?? 0), 0);
  return {
    kind: "daily",
    date,
    entries: sorted.map(({ createdAt: _c, updatedAt: _u, warnings: _w, ...rest }) => rest),
    gaps,
    totalMinutes: total,
    totalHours: Math.round((total / 60) * 100) / 100,
    gapMinutes: gaps.reduce((n, g) => n + g.minutes, 0),
    firstStart: sorted[0]?.startTime ?? null,
    lastEnd: finished.at(-1)?.endTime ?? null,
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
