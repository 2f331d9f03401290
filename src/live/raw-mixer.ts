import { mixMulaw } from "../audio/mix";
import { base64ToBytes, bytesToBase64 } from "../lib/encoding";

/**
 * ForwardRawAudio: the other party's own voice and the interpreter's voice share the listener leg's one playback queue, so
 * sending both would make each wait for the other. Instead the raw frames (which arrive at real-time pace)
 * carry the translation mixed into them, frame by frame; translation that has no raw frame to ride on (the
 * speaker's leg is not streaming) is sent on its own.
 */
export class RawMixer {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  push(payloadB64: string): void {
    const b = base64ToBytes(payloadB64);
    if (!b || !b.length) return;
    this.pending.push(b);
    this.pendingBytes += b.length;
  }

  get queuedBytes(): number {
    return this.pendingBytes;
  }

  /** A raw frame to forward, with as much queued translation mixed in as it has room for. */
  mixFrame(rawB64: string): string {
    if (!this.pendingBytes) return rawB64;
    const raw = base64ToBytes(rawB64);
    if (!raw) return rawB64;
    return bytesToBase64(mixMulaw(raw, this.take(raw.length)));
  }

  /** Everything queued, for when no raw frames are flowing. */
  drain(): string | null {
    if (!this.pendingBytes) return null;
    return bytesToBase64(this.take(this.pendingBytes));
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.pendingBytes));
    let o = 0;
    while (o < out.length) {
      const head = this.pending[0]!;
      const k = Math.min(head.length, out.length - o);
      out.set(head.subarray(0, k), o);
      o += k;
      if (k === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(k);
    }
    this.pendingBytes -= out.length;
    return out;
  }
}
