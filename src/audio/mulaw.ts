/**
 * G.711 μ-law (docs/audio.md). Decoding is a 256-entry table lookup: it runs for every sample of every
 * recording, so it must be as cheap as an array read.
 */

const BIAS = 0x84;
const CLIP = 32635;

/** Decoded value of every μ-law byte (−32124…+32124). */
export const MULAW_DECODE: Int16Array = (() => {
  const t = new Int16Array(256);
  for (let b = 0; b < 256; b++) {
    const u = ~b & 0xff;
    let v = ((u & 0x0f) << 3) + BIAS;
    v <<= (u & 0x70) >> 4;
    t[b] = u & 0x80 ? BIAS - v : v - BIAS;
  }
  return t;
})();

/** μ-law silence (+0); gaps are filled with it. */
export const MULAW_SILENCE = 0xff;

/** Encodes one 16-bit sample (values outside int16 are clipped first). */
export function mulawEncode(sample: number): number {
  let x = Math.max(-32768, Math.min(32767, Math.trunc(sample)));
  let mask = 0xff;
  if (x < 0) {
    x = -x;
    mask = 0x7f;
  }
  x = Math.min(x, CLIP) + BIAS;
  let seg = 0;
  while (seg < 7 && x > (0x100 << seg) - 1) seg++;
  return ((seg << 4) | ((x >> (seg + 3)) & 0x0f)) ^ mask;
}

/** Decodes μ-law bytes into `out` (allocated when not given). */
export function decodeMulaw(bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = MULAW_DECODE[bytes[i]!]!;
  return out;
}

export function encodeMulaw(
  samples: Int16Array | ArrayLike<number>,
  out: Uint8Array = new Uint8Array(samples.length),
): Uint8Array {
  for (let i = 0; i < samples.length; i++) out[i] = mulawEncode(samples[i]!);
  return out;
}
