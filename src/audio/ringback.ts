/**
 * Ringback (the "it is ringing" tone a caller hears while the far end rings), generated as 8 kHz μ-law frames.
 * Pure: a frame depends only on the cadence and its index, so a restarted player resumes the same tone and a
 * test can compute exactly what was sent. The table and how a cadence is chosen: docs/live-calls.md, "Ringback".
 */
import { MULAW_SILENCE, mulawEncode } from "./mulaw";

export interface RingbackCadence {
  id: "nanp" | "uk" | "cept";
  /** Tone frequencies in Hz, summed. */
  freqs: readonly number[];
  /** Alternating on/off durations in ms, starting with a tone; the pattern repeats. */
  pattern: readonly number[];
}

export const RINGBACK: Record<RingbackCadence["id"], RingbackCadence> = {
  /** North America (+1): 440 + 480 Hz, 2 s on, 4 s off. */
  nanp: { id: "nanp", freqs: [440, 480], pattern: [2000, 4000] },
  /** UK and Ireland (+44, +353): 400 + 450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off. */
  uk: { id: "uk", freqs: [400, 450], pattern: [400, 200, 400, 2000] },
  /** Europe and the default (ITU-T E.180 / CEPT): 425 Hz, 1 s on, 4 s off. */
  cept: { id: "cept", freqs: [425], pattern: [1000, 4000] },
};

/** Samples in one 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;
/** Per-tone amplitude, about −21 dBFS: a dual tone stays well clear of clipping and under speech level. */
const AMPLITUDE = 2900;

const REGION_CADENCE: Record<string, RingbackCadence> = {
  US: RINGBACK.nanp,
  CA: RINGBACK.nanp,
  GB: RINGBACK.uk,
  IE: RINGBACK.uk,
};

/**
 * The cadence the person who placed the call expects: by their number's country calling code (E.164), else by
 * the region of their language tag (`en-US`), else Europe's.
 */
export function ringbackFor(number: string, language = ""): RingbackCadence {
  if (/^\+1\d/.test(number)) return RINGBACK.nanp;
  if (/^\+(44|353)\d/.test(number)) return RINGBACK.uk;
  if (/^\+\d/.test(number)) return RINGBACK.cept;
  const region = /^[A-Za-z]{2,3}-([A-Za-z]{2})\b/.exec(language)?.[1]?.toUpperCase() ?? "";
  return REGION_CADENCE[region] ?? RINGBACK.cept;
}

/** Whether the tone sounds at sample `i` (from the start of the ringback). */
function toneOn(c: RingbackCadence, i: number): boolean {
  const cycle = c.pattern.reduce((a, b) => a + b, 0) * 8;
  let at = i % cycle;
  for (let k = 0; k < c.pattern.length; k++) {
    const len = c.pattern[k]! * 8;
    if (at < len) return k % 2 === 0;
    at -= len;
  }
  return false;
}

/** Frame `index` (20 ms each, from 0) of the cadence's ringback: 160 μ-law bytes. */
export function ringbackFrame(c: RingbackCadence, index: number): Uint8Array {
  const out = new Uint8Array(FRAME_SAMPLES).fill(MULAW_SILENCE);
  const first = index * FRAME_SAMPLES;
  for (let k = 0; k < FRAME_SAMPLES; k++) {
    const i = first + k;
    if (!toneOn(c, i)) continue;
    let s = 0;
    for (const f of c.freqs) s += AMPLITUDE * Math.sin((2 * Math.PI * f * i) / 8000);
    out[k] = mulawEncode(s);
  }
  return out;
}
