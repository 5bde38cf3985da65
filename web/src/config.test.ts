import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";

const serve = (status: number, body: string) => (async () => new Response(body, { status })) as unknown as typeof fetch;

describe("loadConfig", () => {
  it("reads /config.json", async () => {
    const config = await loadConfig(serve(200, '{"apiUrl": "", "authUrl": "https://auth.example.com/", "clientId": "abc"}'));
    expect(config).toEqual({ apiUrl: "", authUrl: "https://auth.example.com", clientId: "abc", liveUrl: null });
    const live = await loadConfig(serve(200, '{"clientId": "abc", "liveUrl": ""}'));
    expect(live.liveUrl).toBe("");
  });
  it("says what is wrong with it", async () => {
    await expect(loadConfig(serve(404, "nope"))).rejects.toThrow("the server answered 404");
    await expect(loadConfig(serve(200, '{"apiUrl": ""}'))).rejects.toThrow('"clientId" must be a string');
    await expect(loadConfig(serve(200, '{"clientId": "abc", "liveUrl": 1}'))).rejects.toThrow('"liveUrl" must be a string or null');
  });
});
