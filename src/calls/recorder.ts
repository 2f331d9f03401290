import { base64ToBytes } from "../lib/encoding";
import type { AudioChunk, AudioSender } from "./audio-store";

/** Where chunks go durably (the audio pipeline's AudioStore: one synchronous SQLite transaction per batch). */
export interface ChunkSink {
  append(chunks: AudioChunk[]): unknown;
}

/** Timestamps remembered per sender to keep chunks distinct (the store treats a repeated sender+ms as a retry). */
const RECENT_TS = 4096;

/**
 * Flush once this much audio is waiting (bytes = samples; 16000 ≈ 1 s of both directions) or once the oldest
 * waiting chunk is a second old: the "at most ~1 s at risk". Fewer, larger transactions keep storage
 * off the bridge's hot path (each write also holds the object's outgoing messages until it is durable).
 */
const FLUSH_BYTES = 16000;
const FLUSH_AFTER_MS = 1000;

/**
 * Batches every frame of both directions into the object's storage: at most ~1 s of audio is ever only in
 * memory, so an object restart loses at most that. Frames that are not valid base64 are counted, not stored.
 */
export class Recorder {
  private pending: AudioChunk[] = [];
  private recent = new Map<AudioSender, Set<number>>();
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  stored = 0;
  rejected = 0;

  constructor(private readonly sink: ChunkSink, private readonly onFlush: () => void = () => {}) {}

  add(sender: AudioSender, timestampMs: number, payloadB64: string): void {
    const audio = base64ToBytes(payloadB64);
    if (!audio || !audio.length) {
      this.rejected++;
      return;
    }
    this.pending.push({ sender, timestampMs: this.distinct(sender, Math.max(0, Math.round(timestampMs))), audio });
    this.pendingBytes += audio.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_AFTER_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.sink.append(batch);
    this.stored += batch.length;
    this.onFlush();
  }

  /**
   * Two chunks of one sender in the same millisecond (both interpreters' output is "AI"; a barge-in resets the
   * playback cursor) would look like a retried chunk to the store: the later one moves by a millisecond.
   */
  private distinct(sender: AudioSender, ts: number): number {
    let seen = this.recent.get(sender);
    if (!seen) this.recent.set(sender, (seen = new Set()));
    while (seen.has(ts)) ts++;
    seen.add(ts);
    if (seen.size > RECENT_TS) seen.delete(seen.values().next().value!);
    return ts;
  }
}
