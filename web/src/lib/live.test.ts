import { describe, expect, it, vi } from "vitest";
import { LiveFeed, liveAddress, REFUSED, TOKEN_EXPIRED, touchesEntries, touchesProjects, type Change } from "./live";

class FakeSocket {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onopen: (() => void) | null = null;
  closed = false;
  constructor(public url: string) {}
  close() {
    this.closed = true;
  }
  sent: string[] = [];
  send(text: string) {
    this.sent.push(text);
  }
  deliver(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop(code: number) {
    this.onclose?.({ code } as CloseEvent);
  }
}

const change = (type: Change["type"], id: string): Change => ({ id, type, at: "2026-12-04T10:00:00Z", entryId: "e1" });

function feed() {
  const sockets: FakeSocket[] = [];
  const live = new LiveFeed("ws://tm.test/live", async () => "tok", (url) => {
    const s = new FakeSocket(url);
    sockets.push(s);
    return s as unknown as WebSocket;
  });
  return { live, sockets };
}

describe("the live feed", () => {
  it("asks where it stands when it opens and every five minutes, to stay open in API Gateway", async () => {
    vi.useFakeTimers();
    try {
      const { live, sockets } = feed();
      await live.start();
      sockets[0].onopen?.();
      expect(sockets[0].sent).toEqual(['{"action":"ready"}']);
      vi.advanceTimersByTime(5 * 60_000);
      expect(sockets[0].sent).toHaveLength(2);
      live.stop();
      vi.advanceTimersByTime(10 * 60_000);
      expect(sockets[0].sent).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("opens one connection however often it is started", async () => {
    const { live, sockets } = feed();
    await Promise.all([live.start(), live.start()]);
    await live.start();
    expect(sockets).toHaveLength(1);
    live.stop();
  });

  it("passes changes on and resumes from the last cursor after a drop, with back-off", async () => {
    vi.useFakeTimers();
    const { live, sockets } = feed();
    const seen: string[][] = [];
    live.subscribe((cs) => seen.push(cs.map((c) => c.type)));
    await live.start();
    expect(sockets[0].url).toBe("ws://tm.test/live?token=tok");
    sockets[0].deliver({ type: "ready", cursor: "c0" });
    sockets[0].deliver({ type: "changes", changes: [change("timer.started", "1")], cursor: "c1" });
    expect(seen).toEqual([["timer.started"]]);
    sockets[0].drop(1006);
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets[1].url).toBe("ws://tm.test/live?token=tok&since=c1");
    sockets[1].drop(1006);
    await vi.advanceTimersByTimeAsync(1999);
    expect(sockets).toHaveLength(2); // the second retry waits twice as long
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    vi.useRealTimers();
  });

  it("reconnects at once with a fresh token when its token expired, and not at all when refused", async () => {
    vi.useFakeTimers();
    const { live, sockets } = feed();
    await live.start();
    sockets[0].drop(TOKEN_EXPIRED);
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets).toHaveLength(2);
    sockets[1].drop(REFUSED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
    await live.start();
    expect(sockets).toHaveLength(2); // refused: not again
    live.stop();
    vi.useRealTimers();
  });

  it("knows its address and which changes a page reloads for", () => {
    expect(liveAddress("", { protocol: "http:", host: "127.0.0.1:8080" })).toBe("ws://127.0.0.1:8080/live");
    expect(liveAddress("", { protocol: "https:", host: "tm.example.com" })).toBe("wss://tm.example.com/live");
    expect(liveAddress("wss://ws.example.com/prod", { protocol: "https:", host: "x" })).toBe("wss://ws.example.com/prod");
    expect(touchesEntries([change("project.saved", "1")])).toBe(false);
    expect(touchesEntries([change("entry.deleted", "1")])).toBe(true);
    expect(touchesEntries([{ ...change("entry.created", "2"), user: "colleague" }])).toBe(false);
    expect(touchesEntries([change("settings.updated", "3"), change("person.saved", "tenant:4")])).toBe(false);
    // Added to (or removed from) a shared project: the project pickers change.
    expect(touchesProjects([change("share.saved", "tenant:5")])).toBe(true);
    expect(touchesProjects([change("tenant.updated", "tenant:6")])).toBe(false);
  });
});
