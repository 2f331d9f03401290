/**
 * The Twilio side of a bidirectional Media Stream (protocols.md §1), as Twilio itself behaves: `connected`,
 * `start`, then `media` frames with string sequence numbers, chunks and timestamps; outbound audio the server
 * sends is "played" in real time, and each `mark` is echoed when the audio queued before it has finished playing
 * (at once on `clear`, which also drops the unplayed audio). Call `pump()` often (every frame tick) so due mark
 * echoes go out.
 */
import { randomBytes } from "node:crypto";
import WebSocket from "ws";

export interface StreamIdentity {
  callSid: string;
  accountSid: string;
  customParameters: Record<string, string>;
  streamSid?: string;
}

export type ServerEvent =
  | { event: "media"; payload: Buffer; at: number }
  | { event: "mark"; name: string; at: number }
  | { event: "clear"; at: number }
  | { event: "other"; raw: unknown; at: number }
  | { event: "malformed"; text: string; at: number };

export interface MediaClientOptions {
  /** Keep what the caller would have heard (for the output WAV); off in the bench. */
  recordHeard?: boolean;
  headers?: Record<string, string>;
  /** The upgrade fails (an `error`) when it has not completed by then. */
  handshakeTimeoutMs?: number;
  onEvent?: (e: ServerEvent) => void;
}

interface PendingMark {
  name: string;
  due: number;
}

export class TwilioMediaClient {
  readonly streamSid: string;
  readonly ws: WebSocket;
  private seq = 0;
  private chunk = 0;
  private startedAt = 0;
  private playEnd = 0;
  private readonly pendingMarks: PendingMark[] = [];
  /** Heard audio as (start ms on the stream clock, bytes) pieces; clear truncates what was still unplayed. */
  readonly heard: { at: number; audio: Uint8Array }[] = [];
  readonly counts = { mediaIn: 0, bytesIn: 0, marksIn: 0, marksEchoed: 0, clears: 0, other: 0, malformed: 0 };

  constructor(
    url: string,
    private readonly id: StreamIdentity,
    private readonly opts: MediaClientOptions = {},
  ) {
    this.streamSid = id.streamSid ?? `MZ${randomBytes(16).toString("hex")}`;
    this.ws = new WebSocket(url, {
      perMessageDeflate: false,
      headers: opts.headers,
      handshakeTimeout: opts.handshakeTimeoutMs ?? 15_000,
    });
    this.ws.on("message", (data, isBinary) => this.onMessage(isBinary ? "" : data.toString()));
  }

  opened(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)),
      );
      this.ws.once("error", reject);
    });
  }

  private send(msg: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private nextSeq = () => String(++this.seq);

  /** `connected` then `start`: Twilio sends both as soon as the socket opens. */
  start(now = performance.now()): void {
    this.startedAt = now;
    this.playEnd = now;
    this.send({ event: "connected", protocol: "Call", version: "1.0.0" });
    this.send({
      event: "start",
      sequenceNumber: this.nextSeq(),
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: this.id.accountSid,
        callSid: this.id.callSid,
        tracks: ["inbound"],
        customParameters: this.id.customParameters,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
    });
  }

  /** One inbound frame; `timestampMs` is the stream clock (Twilio: ms since the stream started). */
  media(audio: Uint8Array, timestampMs: number): void {
    this.send({
      event: "media",
      sequenceNumber: this.nextSeq(),
      streamSid: this.streamSid,
      media: {
        track: "inbound",
        chunk: String(++this.chunk),
        timestamp: String(Math.round(timestampMs)),
        payload: Buffer.from(audio).toString("base64"),
      },
    });
  }

  dtmf(digit: string): void {
    this.send({
      event: "dtmf",
      sequenceNumber: this.nextSeq(),
      streamSid: this.streamSid,
      dtmf: { track: "inbound_track", digit },
    });
  }

  stop(): void {
    this.send({
      event: "stop",
      sequenceNumber: this.nextSeq(),
      streamSid: this.streamSid,
      stop: { accountSid: this.id.accountSid, callSid: this.id.callSid },
    });
  }

  /** Echoes the marks whose audio has finished playing by `now`. */
  pump(now = performance.now()): void {
    while (this.pendingMarks.length && this.pendingMarks[0]!.due <= now) this.echoMark(this.pendingMarks.shift()!.name);
  }

  /** Outbound audio still queued for playback, in ms. */
  queuedMs(now = performance.now()): number {
    return Math.max(0, this.playEnd - now);
  }

  private echoMark(name: string): void {
    this.counts.marksEchoed++;
    this.send({ event: "mark", sequenceNumber: this.nextSeq(), streamSid: this.streamSid, mark: { name } });
  }

  private onMessage(text: string): void {
    const at = performance.now();
    let msg: { event?: unknown; streamSid?: unknown; media?: { payload?: unknown }; mark?: { name?: unknown } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.counts.malformed++;
      this.opts.onEvent?.({ event: "malformed", text: text.slice(0, 200), at });
      return;
    }
    if (msg.event === "media" && typeof msg.media?.payload === "string") {
      const payload = Buffer.from(msg.media.payload, "base64");
      this.counts.mediaIn++;
      this.counts.bytesIn += payload.length;
      const startsAt = Math.max(this.playEnd, at);
      this.playEnd = startsAt + payload.length / 8;
      if (this.opts.recordHeard) this.heard.push({ at: startsAt - this.startedAt, audio: payload });
      this.opts.onEvent?.({ event: "media", payload, at });
    } else if (msg.event === "mark" && typeof msg.mark?.name === "string") {
      this.counts.marksIn++;
      this.pendingMarks.push({ name: msg.mark.name, due: Math.max(this.playEnd, at) });
      this.opts.onEvent?.({ event: "mark", name: msg.mark.name, at });
      this.pump(at);
    } else if (msg.event === "clear") {
      this.counts.clears++;
      this.dropUnplayed(at);
      this.opts.onEvent?.({ event: "clear", at });
    } else {
      this.counts.other++;
      this.opts.onEvent?.({ event: "other", raw: msg, at });
    }
  }

  private dropUnplayed(now: number): void {
    this.playEnd = now;
    if (this.opts.recordHeard) {
      const cut = now - this.startedAt;
      for (let i = this.heard.length - 1; i >= 0; i--) {
        const h = this.heard[i]!;
        if (h.at >= cut) this.heard.pop();
        else {
          const keep = Math.min(h.audio.length, Math.round((cut - h.at) * 8));
          h.audio = h.audio.subarray(0, keep);
          break;
        }
      }
    }
    for (const m of this.pendingMarks.splice(0)) this.echoMark(m.name);
  }

  /** What the caller heard, on the stream clock from `start`, gaps as silence. */
  heardTimeline(): Uint8Array {
    const end = this.heard.reduce((n, h) => Math.max(n, Math.round(h.at * 8) + h.audio.length), 0);
    const out = new Uint8Array(end).fill(0xff);
    for (const h of this.heard) out.set(h.audio, Math.max(0, Math.round(h.at * 8)));
    return out;
  }

  closed(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 1006, reason: "" });
    return new Promise((resolve) =>
      this.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }
}
