/** Runtime configuration, fetched from `/config.json` of the origin that serves the app. */
export type Config = {
  /** Where the API is; "" for this origin. */
  apiUrl: string;
  /** Where the hosted login is (`/oauth2/authorize`, `/oauth2/token`); "" for this origin. */
  authUrl: string;
  clientId: string;
  /** The real-time channel (a WebSocket URL; "" for this origin's `/live`), or null when the deployment has none. */
  liveUrl: string | null;
};

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<Config> {
  let res: Response;
  try {
    res = await fetcher("/config.json", { cache: "no-store", headers: { Accept: "application/json" } });
  } catch (e) {
    throw new Error(`Could not load /config.json: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`Could not load /config.json: the server answered ${res.status}.`);
  const raw = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!raw || typeof raw !== "object") throw new Error("/config.json is not a JSON object.");
  const str = (k: string, fallback?: string) => {
    const v = raw[k];
    if (typeof v === "string") return v.replace(/\/+$/, "");
    if (v == null && fallback !== undefined) return fallback;
    throw new Error(`/config.json: "${k}" must be a string.`);
  };
  const clientId = str("clientId");
  if (!clientId) throw new Error('/config.json: "clientId" is empty.');
  const live = raw.liveUrl;
  if (live != null && typeof live !== "string") throw new Error('/config.json: "liveUrl" must be a string or null.');
  const liveUrl = typeof live === "string" ? live.replace(/\/+$/, "") : null;
  return { apiUrl: str("apiUrl", ""), authUrl: str("authUrl", ""), clientId, liveUrl };
}
