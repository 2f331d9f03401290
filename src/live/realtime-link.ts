import {
  openRealtimeSocket,
  parseServerEvent,
  toolsUpdate,
  type FunctionTool,
  type RealtimeConfig,
  type RealtimeTarget,
  type ServerEvent,
} from "../ai/realtime";
import { jsonString } from "../lib/encoding";

export interface LinkOptions {
  target: RealtimeTarget;
  config: RealtimeConfig;
  /** Renew the session (new socket, same instructions, recent transcript carried) after this long. */
  maxSessionMs: number;
  onEvent(ev: ServerEvent): void;
  /** OpenAI refused, or dropped and could not be reopened: the call needs its fallback. */
  onFailure(reason: string): void;
  /** Recent transcript to carry into a renewed session's instructions. */
  carryOver(): string;
}

/** Unexpected drops we reopen from before giving up on OpenAI for this call. */
const REOPEN_BUDGET = 1;
/** How long a renewal waits for the model to finish speaking. */
const RENEW_GRACE_MS = 30_000;
/** Client events held while the socket opens; beyond this the oldest audio goes (≈ 60 s of 20 ms frames). */
const MAX_QUEUED = 3000;

/**
 * One realtime session that survives its own limits: events sent before the socket is open are queued (caller
 * audio that arrives early is never dropped), the session is renewed before its maximum duration — at a pause,
 * not mid-reply — and an unexpected drop is reopened once before the call falls back.
 */
export class RealtimeLink {
  private ws: WebSocket | null = null;
  private queue: string[] = [];
  private opening = false;
  private closed = false;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  private renewDue = false;
  private responding = false;
  private reopensLeft = REOPEN_BUDGET;
  private generation = 0;
  /** Sessions opened so far (1 = the first); renewals and reopens add one each. */
  sessions = 0;
  droppedQueued = 0;

  /** The session's configuration: a renewed or reopened session gets it as it is now. */
  private config: RealtimeConfig;

  constructor(private readonly o: LinkOptions) {
    this.config = o.config;
  }

  get isOpen() {
    return this.ws !== null;
  }

  start(): void {
    if (!this.opening && !this.ws && !this.closed) void this.open(false);
  }

  /** Changes the session's tools now and for any session opened after. */
  setTools(tools: FunctionTool[]): void {
    this.config = { ...this.config, tools };
    this.send(toolsUpdate(tools));
  }

  send(event: object): void {
    this.sendRaw(JSON.stringify(event));
  }

  /** Forwards a carrier's payload as is: μ-law in, μ-law to the model, no decoding. */
  appendAudio(b64: string): void {
    this.sendRaw(`{"type":"input_audio_buffer.append","audio":${jsonString(b64)}}`);
  }

  close(): void {
    this.closed = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.dropSocket();
    this.queue = [];
  }

  private sendRaw(text: string): void {
    if (this.closed) return;
    if (this.ws) {
      try {
        this.ws.send(text);
        return;
      } catch {
        /* the socket died under us: queue it for the reopen the close handler starts */
      }
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.droppedQueued++;
    }
    this.queue.push(text);
  }

  private async open(renewal: boolean): Promise<void> {
    this.opening = true;
    const gen = ++this.generation;
    const config = renewal
      ? { ...this.config, instructions: withCarryOver(this.config.instructions, this.o.carryOver()) }
      : this.config;
    let ws: WebSocket;
    try {
      ws = await openRealtimeSocket(this.o.target, config);
    } catch (e) {
      this.opening = false;
      if (!this.closed) this.fail(e instanceof Error ? e.message : "open failed");
      return;
    }
    this.opening = false;
    if (this.closed || gen !== this.generation) {
      ws.close(1000, "superseded");
      return;
    }
    this.ws = ws;
    this.sessions++;
    this.responding = false;
    ws.addEventListener("message", (m) => this.onMessage(m.data));
    ws.addEventListener("close", () => this.onSocketGone(ws));
    ws.addEventListener("error", () => this.onSocketGone(ws));
    for (const text of this.queue.splice(0)) ws.send(text);
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => this.requestRenewal(), this.o.maxSessionMs);
  }

  private onMessage(data: unknown) {
    const ev = parseServerEvent(data);
    if (!ev) return;
    if (ev.type === "response.created") this.responding = true;
    if (ev.type === "response.done") this.responding = false;
    this.o.onEvent(ev);
    if (ev.type === "response.done" && this.renewDue) this.renew();
  }

  private onSocketGone(ws: WebSocket) {
    if (ws !== this.ws) return; // an old socket we closed on purpose
    this.ws = null;
    if (this.closed) return;
    if (this.reopensLeft-- > 0) void this.open(true);
    else this.fail("OpenAI realtime connection dropped");
  }

  private requestRenewal() {
    this.renewDue = true;
    if (!this.responding) return this.renew();
    // Renew at the end of the reply, but never later than this: the session's hard limit is near.
    const gen = this.generation;
    this.renewTimer = setTimeout(() => {
      if (this.renewDue && gen === this.generation) this.renew();
    }, RENEW_GRACE_MS);
  }

  private renew() {
    this.renewDue = false;
    this.dropSocket();
    void this.open(true);
  }

  private dropSocket() {
    const ws = this.ws;
    this.ws = null;
    try {
      ws?.close(1000, "renewing");
    } catch {
      /* already closed */
    }
  }

  private fail(reason: string) {
    this.close();
    this.o.onFailure(reason);
  }
}

export function withCarryOver(instructions: string, transcript: string): string {
  if (!transcript.trim()) return instructions;
  return `${instructions}\n\nThis conversation is already under way; do not greet the caller again. The conversation so far:\n${transcript}`;
}
