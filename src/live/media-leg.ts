import { clearOut, outgoingFrames } from "../carriers/twilio/media-wire";

/**
 * Our side of one Twilio media stream (a call leg). Audio produced before the stream has started — the
 * welcome message generated while the call was still being connected — waits here and goes out on `start`.
 */
export class TwilioLeg {
  ws: WebSocket | null = null;
  streamSid: string | null = null;
  /** Where this stream's `media.timestamp` 0 sits on the call's timeline (ms since the call's first stream). */
  offsetMs = 0;
  private pending: { payload: string; mark: string | null }[] = [];
  private frames = outgoingFrames("");

  attach(ws: WebSocket, streamSid: string, offsetMs: number): void {
    this.ws = ws;
    this.streamSid = streamSid;
    this.frames = outgoingFrames(streamSid);
    this.offsetMs = offsetMs;
    for (const p of this.pending.splice(0)) this.sendMedia(p.payload, p.mark);
  }

  get started(): boolean {
    return this.ws !== null && this.streamSid !== null;
  }

  sendMedia(payload: string, mark: string | null = null): void {
    if (!this.ws || !this.streamSid) {
      this.pending.push({ payload, mark });
      return;
    }
    this.trySend(this.frames.media(payload));
    if (mark) this.trySend(this.frames.mark(mark));
  }

  /** Twilio drops its buffered playback and echoes every pending mark. */
  clear(): void {
    this.pending = [];
    if (this.ws && this.streamSid) this.trySend(clearOut(this.streamSid));
  }

  close(code = 1000, reason = "call ended"): void {
    const ws = this.ws;
    this.ws = null;
    try {
      ws?.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  private trySend(text: string) {
    try {
      this.ws?.send(text);
    } catch {
      /* the socket is closing; its close handler ends the leg */
    }
  }
}
