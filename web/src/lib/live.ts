import { createContext, useContext, useEffect, useRef } from "react";
import type { components } from "../api/schema";

export type Change = components["schemas"]["ChangeAnswer"];
type Message = { type: "ready"; cursor: string } | { type: "changes"; changes: Change[]; cursor: string };
type Socket = Pick<WebSocket, "close" | "send" | "onmessage" | "onclose" | "onopen">;

/** API Gateway closes a WebSocket idle for 10 minutes; a `ready` every 5 keeps it open. */
const KEEP_OPEN_MS = 5 * 60_000;
const READY = JSON.stringify({ action: "ready" });

/** Closed by the server because the token expired: connect again with a fresh one. */
export const TOKEN_EXPIRED = 4001;
/** Closed because the person may no longer read: do not come back. */
export const REFUSED = 4003;

/**
 * The real-time channel (docs/live.md): one WebSocket to `/live`, reconnected with
 * back-off and resumed from the last cursor, so a change made while it was down still
 * arrives. Pages subscribe and reload what a change touches.
 */
export class LiveFeed {
  private listeners = new Set<(changes: Change[]) => void>();
  private socket: Socket | null = null;
  private cursor: string | null = null;
  private retries = 0;
  private stopped = false;
  private refused = false;
  private starting = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private keepOpen: ReturnType<typeof setInterval> | undefined;

  constructor(
    private url: string,
    private token: () => Promise<string | null>,
    private open: (url: string) => Socket = (u) => new WebSocket(u),
  ) {}

  subscribe(fn: (changes: Change[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Connects, unless connected already. */
  async start(): Promise<void> {
    // One connection at a time (sign-in notifications may call this twice), and none
    // again once the server said the person may no longer read.
    if (this.socket || this.starting || this.refused) return;
    this.stopped = false;
    this.starting = true;
    let token: string | null;
    try {
      token = await this.token();
    } finally {
      this.starting = false;
    }
    if (!token || this.stopped || this.socket) return;
    const params = new URLSearchParams({ token });
    if (this.cursor) params.set("since", this.cursor);
    const socket = this.open(`${this.url}?${params}`);
    this.socket = socket;
    socket.onopen = () => {
      this.retries = 0;
      // Where the connection starts (in AWS nothing is sent until the client asks).
      socket.send(READY);
      clearInterval(this.keepOpen);
      this.keepOpen = setInterval(() => socket.send(READY), KEEP_OPEN_MS);
    };
    socket.onmessage = (event: MessageEvent) => {
      let message: Message;
      try {
        message = JSON.parse(String(event.data)) as Message;
      } catch {
        return;
      }
      // Anything else (a refused `ready` in AWS answers an error body) keeps the cursor.
      if (typeof message?.cursor !== "string") return;
      this.cursor = message.cursor;
      if (message.type === "changes" && message.changes.length) this.listeners.forEach((fn) => fn(message.changes));
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.keepOpen);
      if (event.code === REFUSED) this.refused = true;
      if (this.stopped || this.refused) return;
      const delay = event.code === TOKEN_EXPIRED ? 0 : Math.min(30_000, 1000 * 2 ** this.retries++);
      this.timer = setTimeout(() => void this.start(), delay);
    };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepOpen);
    this.socket?.close();
    this.socket = null;
  }
}

/** The `/live` address of `liveUrl` ("" for this origin's). */
export function liveAddress(liveUrl: string, location: Pick<Location, "protocol" | "host">): string {
  if (liveUrl) return liveUrl;
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/live`;
}

export const LiveContext = createContext<LiveFeed | null>(null);

/** Calls `onChanges` with each batch of live changes while the component is shown. */
export function useLive(onChanges: (changes: Change[]) => void) {
  const feed = useContext(LiveContext);
  const handler = useRef(onChanges);
  handler.current = onChanges;
  useEffect(() => feed?.subscribe((changes) => handler.current(changes)), [feed]);
}

/** Whether a batch touches the person's own entries or timer (what Today and Week show). */
export const touchesEntries = (changes: Change[]) =>
  changes.some((c) => !c.user && (c.type.startsWith("entry.") || c.type.startsWith("timer.") || c.type === "upload.saved"));

/** Whether a batch changes the projects the person may log to: their own, or a shared
 * project's members (someone added them to one, or removed them). */
export const touchesProjects = (changes: Change[]) =>
  changes.some((c) => c.type.startsWith("project.") || c.type === "share.saved");
