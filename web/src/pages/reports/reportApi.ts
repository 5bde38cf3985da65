import { call, type Api } from "../../api/client";
import type { PeriodReport } from "../../lib/reportChart";

// The report routes differ only in their path (`/v1/reports/weekly/2026-12-03`,
// `/v1/team/reports/since?text=…`), built in lib/reportQuery; openapi-fetch takes a path
// already filled in as it takes a template, so the typed client is used with one cast.
type Get = (url: string, init?: { parseAs?: "json" | "text" }) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
const get = (api: Api): Get => api.GET.bind(api) as unknown as Get;

/** A period report as JSON: `url` is a report path with its query. */
export function getReport(api: Api, url: string): Promise<PeriodReport> {
  return call(get(api)(url)) as Promise<PeriodReport>;
}

/** The same report as text (`format=csv` or `format=markdown` in `url`). */
export async function getReportText(api: Api, url: string): Promise<string> {
  return String((await call(get(api)(url, { parseAs: "text" }))) ?? "");
}
