import type { OutgoingFrames } from "./carrier";

/**
 * Our side of one carrier media stream (a call leg). Audio produced before the stream has started — the
 * welcome message generated while the call was still being connected — waits here and goes out on `start`.
 */
export class MediaLeg {
  ws: WebSocket | null = null;
  /** Where this stream's timestamp 0 sits on the call's timeline (ms since the call's first stream). */
  offsetMs = 0;
  private frames: OutgoingFrames | null = null;
  private pending: { payload: string; mark: string | null }[] = [];

  attach(ws: WebSocket, frames: OutgoingFrames, offsetMs: number): void {
    this.ws = ws;
    this.frames = frames;
    this.offsetMs = offsetMs;
    for (const p of this.pending.splice(0)) this.sendMedia(p.payload, p.mark);
  }

  get started(): boolean {
    return this.ws !== null && this.frames !== null;
  }

  sendMedia(payload: string, mark: string | null = null): void {
    if (!this.ws || !this.frames) {
      this.pending.push({ payload, mark });
      return;
    }
    this.trySend(this.frames.media(payload));
    if (mark) this.trySend(this.frames.mark(mark));
  }

  /** The carrier drops its buffered playback and echoes every pending mark. */
  clear(): void {
    this.pending = [];
    if (this.ws && this.frames) this.trySend(this.frames.clear());
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
