import { base64ToBytes } from "../lib/encoding";
import { base64Bytes } from "../carriers/twilio/media-stream";
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
 * Each call's first batch is cut short at a random point (this fraction of a full batch or more), so calls
 * that started together do not all flush in the same instant ever after. Objects that share a thread (every
 * call under `wrangler dev`; many objects per isolate in production) otherwise commit in lockstep once a
 * second, and that burst of transactions stalls every call on the thread at once (bench/bridge showed
 * 40-100 ms stalls of all 50 calls, once a second, from calls whose webhooks arrived together).
 */
const MIN_FIRST_BATCH = 0.1;
/**
 * Frames are decoded straight into a shared arena instead of one allocation each; every chunk is a view into
 * it. An arena is never written twice (the store may keep a view of the last chunk as its row tail), so a full
 * one is simply left to the chunks that use it. Frames bigger than a quarter of an arena get their own bytes.
 */
const ARENA_BYTES = 16 * 1024;

type SetFromBase64 = (this: Uint8Array, b64: string) => { read: number; written: number };
/** Native base64 decoding into an existing buffer (workerd has it; Node 20 does not). */
const setFromBase64 = (Uint8Array.prototype as unknown as { setFromBase64?: SetFromBase64 }).setFromBase64;

/**
 * Decodes strict base64 (length a multiple of 4, the base64 alphabet, padding only at the end — what
 * `base64ToBytes` accepts) into `out`, which is exactly as long as the decoded bytes; false if it is not.
 */
export function decodeBase64Into(b64: string, out: Uint8Array): boolean {
  if (b64.length % 4 !== 0 || out.length !== base64Bytes(b64)) return false;
  if (setFromBase64) {
    try {
      // It skips ASCII whitespace, which would leave fewer bytes written than the length promises.
      const { read, written } = setFromBase64.call(out, b64);
      return read === b64.length && written === out.length;
    } catch {
      return false; // not base64
    }
  }
  const bytes = base64ToBytes(b64);
  if (!bytes || bytes.length !== out.length) return false;
  out.set(bytes);
  return true;
}

/**
 * Batches every frame of both directions into the object's storage: at most ~1 s of audio is ever only in
 * memory, so an object restart loses at most that. Frames that are not valid base64 are counted, not stored.
 */
export class Recorder {
  private pending: AudioChunk[] = [];
  private recent = new Map<AudioSender, Set<number>>();
  private pendingBytes = 0;
  private arena = new Uint8Array(ARENA_BYTES);
  private arenaUsed = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  stored = 0;
  rejected = 0;

  /** This batch flushes at this many bytes or this old (ms); the first batch's are shortened by `phase`. */
  private flushBytes: number;
  private flushAfterMs: number;

  /** `phase` in [0, 1): where this call's flushes fall within the batch period (random unless a test sets it). */
  constructor(private readonly sink: ChunkSink, private readonly onFlush: () => void = () => {}, phase = Math.random()) {
    const first = MIN_FIRST_BATCH + (1 - MIN_FIRST_BATCH) * Math.min(Math.max(phase, 0), 1);
    this.flushBytes = Math.round(FLUSH_BYTES * first);
    this.flushAfterMs = Math.round(FLUSH_AFTER_MS * first);
  }

  add(sender: AudioSender, timestampMs: number, payloadB64: string): void {
    const audio = this.decode(payloadB64);
    if (!audio) {
      this.rejected++;
      return;
    }
    this.pending.push({ sender, timestampMs: this.distinct(sender, Math.max(0, Math.round(timestampMs))), audio });
    this.pendingBytes += audio.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushAfterMs);
  }

  /** The frame's bytes in the arena (or its own buffer when large); null for empty or invalid base64. */
  private decode(b64: string): Uint8Array | null {
    const n = b64.length % 4 === 0 ? base64Bytes(b64) : 0;
    if (n <= 0) return null;
    let out: Uint8Array;
    if (n > ARENA_BYTES / 4) out = new Uint8Array(n);
    else {
      if (this.arenaUsed + n > ARENA_BYTES) {
        this.arena = new Uint8Array(ARENA_BYTES);
        this.arenaUsed = 0;
      }
      out = this.arena.subarray(this.arenaUsed, this.arenaUsed + n);
    }
    if (!decodeBase64Into(b64, out)) return null;
    if (out.buffer === this.arena.buffer) this.arenaUsed += n;
    return out;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushBytes = FLUSH_BYTES;
    this.flushAfterMs = FLUSH_AFTER_MS;
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
