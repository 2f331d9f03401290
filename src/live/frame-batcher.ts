import { base64Bytes, base64ToBytes } from "../lib/encoding";
import { AUDIO_SENDERS, type AudioChunk, type AudioSender } from "../recordings/audio-types";

/**
 * Where chunks go durably (the audio pipeline's AudioStore: a batch commits with its turn's other writes). The
 * chunks' audio is a view of the batcher's buffer, valid only until `append` returns: a sink that keeps it copies it.
 */
export interface ChunkSink {
  append(chunks: AudioChunk[]): unknown;
}

/**
 * Flush once this much audio is waiting (bytes = samples; 32000 ≈ 2 s of both directions) or once the oldest
 * waiting chunk is two seconds old: at most ~2 s of audio at risk on a crash (docs/live-calls.md). Each batch is
 * a commit of the object's storage, and commits are most of what recording costs the bridge: 1 s batches cost
 * about 1.22× the bare relay's CPU per frame, 2 s batches 1.16× (docs/performance.md, "Round four").
 */
const FLUSH_BYTES = 32000;
const FLUSH_AFTER_MS = 2000;
/**
 * Each call's first batch is cut short at a random point (this fraction of a full batch or more), so calls
 * that started together do not all flush in the same instant ever after. Objects that share a thread (every
 * call under `wrangler dev`; many objects per isolate in production) otherwise commit in lockstep once a
 * batch period, and that burst of transactions stalls every call on the thread at once (bench/bridge showed
 * 40-100 ms stalls of all 50 calls, once a batch period, from calls whose webhooks arrived together).
 */
const MIN_FIRST_BATCH = 0.1;
/**
 * A batch's audio is decoded into one buffer (sized for a full batch, grown if ever needed); until the flush, a
 * frame is only numbers (sender, timestamp, offset), so nothing per frame lives for the ~2 s a batch waits
 * (long-lived small objects are what makes the young-generation GC pauses long). The flush hands the store
 * views into the buffer, which it copies before it returns, and the next batch reuses the buffer.
 */
const BATCH_BUFFER_BYTES = FLUSH_BYTES + 4096;
/**
 * Frames up to this size are decoded into a fixed view at the end of the buffer and moved into place with
 * `copyWithin`: a view of the buffer at each frame's offset was the batcher's one allocation per frame, and a
 * fresh buffer per batch its largest (docs/performance.md, "Round seven"). Larger frames get their own view.
 */
const SCRATCH_BYTES = 8192;
/** Frames a batch holds before its per-frame numbers grow (a full batch is ~200 frames of 160 bytes). */
const BATCH_FRAMES = 256;

type SetFromBase64 = (this: Uint8Array, b64: string) => { read: number; written: number };
/** Native base64 decoding into an existing buffer (workerd has it; Node 20 does not). */
const setFromBase64 = (Uint8Array.prototype as unknown as { setFromBase64?: SetFromBase64 }).setFromBase64;

/**
 * Decodes strict base64 (length a multiple of 4, the base64 alphabet, padding only at the end — what
 * `base64ToBytes` accepts) into the start of `out`, which must have room for all of it; false if it is not
 * strict base64 or does not fit. Bytes of `out` past the decoded length are left as they were.
 */
export function decodeBase64Into(b64: string, out: Uint8Array): boolean {
  const n = b64.length % 4 === 0 ? base64Bytes(b64) : -1;
  if (n < 0 || out.length < n) return false;
  if (setFromBase64) {
    try {
      // It skips ASCII whitespace, which would leave fewer bytes written than the length promises.
      const { read, written } = setFromBase64.call(out, b64);
      return read === b64.length && written === n;
    } catch {
      return false; // not base64
    }
  }
  const bytes = base64ToBytes(b64);
  if (!bytes || bytes.length !== n) return false;
  out.set(bytes);
  return true;
}

/**
 * Batches every frame of both directions into the object's storage: at most ~2 s of audio is ever only in
 * memory, so an object restart loses at most that. Frames that are not valid base64 are counted, not stored.
 * Timestamps stay as the carrier and the model gave them (to the ms): the store never dedupes a live call's
 * frames (src/live/loaded-call.ts), so two frames of one sender in the same ms are both kept, and mixed.
 */
export class FrameBatcher {
  /**
   * The waiting batch: audio bytes back to back in `buf`, and per frame its sender (index in AUDIO_SENDERS),
   * timestamp and end offset in typed arrays reused from batch to batch: adding a frame allocates nothing.
   */
  private buf = new Uint8Array(BATCH_BUFFER_BYTES + SCRATCH_BYTES);
  /** The batch's audio goes in `buf` below this offset; `scratch` is the rest of it. */
  private capacity = BATCH_BUFFER_BYTES;
  private scratch = this.buf.subarray(BATCH_BUFFER_BYTES);
  private senders = new Uint8Array(BATCH_FRAMES);
  private stamps = new Float64Array(BATCH_FRAMES);
  private ends = new Uint32Array(BATCH_FRAMES);
  private count = 0;
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly flushNow = () => this.flush();
  stored = 0;
  rejected = 0;

  /** This batch flushes at this many bytes or this old (ms); the first batch's are shortened by `phase`. */
  private flushBytes: number;
  private flushAfterMs: number;

  /** `phase` in [0, 1): where this call's flushes fall within the batch period (random unless a test sets it). */
  constructor(
    private readonly sink: ChunkSink,
    phase = Math.random(),
  ) {
    const first = MIN_FIRST_BATCH + (1 - MIN_FIRST_BATCH) * Math.min(Math.max(phase, 0), 1);
    this.flushBytes = Math.round(FLUSH_BYTES * first);
    this.flushAfterMs = Math.round(FLUSH_AFTER_MS * first);
  }

  add(sender: AudioSender, timestampMs: number, payloadB64: string): void {
    const code = AUDIO_SENDERS.indexOf(sender);
    const n = payloadB64.length % 4 === 0 ? base64Bytes(payloadB64) : 0;
    const at = this.pendingBytes;
    if (n > 0 && at + n > this.capacity) this.grow(at + n);
    const inScratch = n <= SCRATCH_BYTES;
    const out = inScratch ? this.scratch : this.buf.subarray(at, at + n);
    if (code < 0 || n <= 0 || !decodeBase64Into(payloadB64, out)) {
      this.rejected++;
      return;
    }
    if (inScratch) this.buf.copyWithin(at, this.capacity, this.capacity + n);
    if (this.count === this.senders.length) this.growFrames();
    const i = this.count++;
    this.senders[i] = code;
    this.stamps[i] = Math.max(0, Math.round(timestampMs));
    this.ends[i] = at + n;
    this.pendingBytes = at + n;
    if (this.pendingBytes >= this.flushBytes) this.flush();
    else this.timer ??= setTimeout(this.flushNow, this.flushAfterMs);
  }

  /** Drops what waits without storing it (the call is being deleted). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.count = 0;
    this.pendingBytes = 0;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const count = this.count;
    if (!count) return;
    const buf = this.buf;
    const batch: AudioChunk[] = new Array(count);
    for (let i = 0, start = 0; i < count; start = this.ends[i]!, i++) {
      batch[i] = {
        sender: AUDIO_SENDERS[this.senders[i]!]!,
        timestampMs: this.stamps[i]!,
        audio: buf.subarray(start, this.ends[i]!),
      };
    }
    this.count = 0;
    this.pendingBytes = 0;
    this.flushBytes = FLUSH_BYTES;
    this.flushAfterMs = FLUSH_AFTER_MS;
    this.sink.append(batch);
    this.stored += batch.length;
  }

  private grow(bytes: number): void {
    this.capacity = Math.max(this.capacity * 2, bytes);
    const bigger = new Uint8Array(this.capacity + SCRATCH_BYTES);
    bigger.set(this.buf.subarray(0, this.pendingBytes));
    this.buf = bigger;
    this.scratch = bigger.subarray(this.capacity);
  }

  private growFrames(): void {
    const n = this.senders.length * 2;
    const senders = new Uint8Array(n);
    const stamps = new Float64Array(n);
    const ends = new Uint32Array(n);
    senders.set(this.senders);
    stamps.set(this.stamps);
    ends.set(this.ends);
    this.senders = senders;
    this.stamps = stamps;
    this.ends = ends;
  }
}
