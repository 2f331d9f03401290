/**
 * The hot loops of finalize and transcription. Mixing sums into Int32 accumulators so overlapping chunks
 * add up exactly and are clipped once, at output.
 */
import { MULAW_DECODE, mulawEncode } from "./mulaw";
import type { WavInfo } from "./wav";

// Workers (and every platform they run on) are little-endian; WAV is too, so typed-array views write WAV bytes directly.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error("voicedesk audio assumes a little-endian platform");

/**
 * Adds the μ-law `audio` whose first sample sits at absolute sample `start` into `acc`, which covers absolute
 * samples [accStart, accStart + acc.length). Samples outside the window are ignored.
 */
export function addMulaw(acc: Int32Array, accStart: number, start: number, audio: Uint8Array): void {
  const from = Math.max(0, accStart - start);
  const to = Math.min(audio.length, accStart + acc.length - start);
  const T = MULAW_DECODE;
  let j = start + from - accStart;
  for (let i = from; i < to; i++) acc[j++]! += T[audio[i]!]!;
}

const clip = (x: number) => (x > 32767 ? 32767 : x < -32768 ? -32768 : x);

/**
 * The fast path when a channel's chunks do not overlap (the usual case: one continuous stream per side):
 * decodes straight into one channel of interleaved stereo `out` (frame 0 = absolute sample `outStart`).
 * Decoded μ-law is within ±32124, so nothing needs clipping.
 */
export function writeMulawStereo(
  out: Int16Array,
  outStart: number,
  frames: number,
  channel: number,
  start: number,
  audio: Uint8Array,
): void {
  const from = Math.max(0, outStart - start);
  const to = Math.min(audio.length, outStart + frames - start);
  const T = MULAW_DECODE;
  for (let i = from, k = 2 * (start + from - outStart) + channel; i < to; i++, k += 2) out[k] = T[audio[i]!]!;
}

/** Writes the first `frames` sums of `acc` into one channel of interleaved stereo `out`, clipped. */
export function writeClippedStereo(out: Int16Array, acc: Int32Array, frames: number, channel: number): void {
  for (let i = 0, k = channel; i < frames; i++, k += 2) out[k] = clip(acc[i]!);
}

/** Writes the first `frames` samples of `left`/`right` interleaved (L R L R …) and clipped into `out`. */
export function interleaveClipped(left: Int32Array, right: Int32Array, frames: number, out: Int16Array): void {
  for (let i = 0, j = 0; i < frames; i++, j += 2) {
    out[j] = clip(left[i]!);
    out[j + 1] = clip(right[i]!);
  }
}

/**
 * Takes one channel out of interleaved WAV sample bytes (16-bit PCM or μ-law) as 16-bit PCM.
 * `bytes` must hold whole frames.
 */
export function extractChannel(
  bytes: Uint8Array,
  info: Pick<WavInfo, "encoding" | "channels">,
  channel: number,
  out?: Int16Array,
): Int16Array {
  const ch = info.channels;
  if (info.encoding === "mulaw") {
    const frames = Math.floor(bytes.length / ch);
    const o = out ?? new Int16Array(frames);
    const T = MULAW_DECODE;
    for (let i = 0, k = channel; i < frames; i++, k += ch) o[i] = T[bytes[k]!]!;
    return o;
  }
  const frames = Math.floor(bytes.length / (2 * ch));
  const o = out ?? new Int16Array(frames);
  // Aligned fast path: a view of the whole buffer; otherwise DataView reads.
  if (bytes.byteOffset % 2 === 0) {
    const s = new Int16Array(bytes.buffer, bytes.byteOffset, frames * ch);
    for (let i = 0, k = channel; i < frames; i++, k += ch) o[i] = s[k]!;
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0, k = channel * 2; i < frames; i++, k += 2 * ch) o[i] = dv.getInt16(k, true);
  }
  return o;
}

/** Sum of two μ-law signals, clipped; `b` may be shorter (the rest of `a` passes unchanged). */
export function mixMulaw(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    out[i] = i < b.length ? mulawEncode(MULAW_DECODE[a[i]!]! + MULAW_DECODE[b[i]!]!) : a[i]!;
  }
  return out;
}
