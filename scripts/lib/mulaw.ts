/** G.711 mu-law (protocols.md §8): a 256-entry decode table and the classic encoder. */

export const MULAW_SILENCE = 0xff;

export const MULAW_DECODE = new Int16Array(256).map((_, b) => {
  const u = ~b & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
});

export function encodeMulawSample(sample: number): number {
  let s = Math.round(sample);
  let mask = 0xff;
  if (s < 0) {
    s = -s;
    mask = 0x7f;
  }
  s = Math.min(s, 32635) + 0x84;
  let seg = 0;
  while (seg < 7 && s > (0x100 << seg) - 1) seg++;
  return ((seg << 4) | ((s >> (seg + 3)) & 0x0f)) ^ mask;
}

export function pcmToMulaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = encodeMulawSample(pcm[i]!);
  return out;
}

export function mulawToPcm(mulaw: Uint8Array): Int16Array {
  const out = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) out[i] = MULAW_DECODE[mulaw[i]!]!;
  return out;
}

/** Root-mean-square level of mu-law audio, in linear 16-bit units: the fake's crude voice detector. */
export function mulawRms(mulaw: Uint8Array): number {
  if (mulaw.length === 0) return 0;
  let sum = 0;
  for (const b of mulaw) {
    const v = MULAW_DECODE[b]!;
    sum += v * v;
  }
  return Math.sqrt(sum / mulaw.length);
}

/**
 * Synthetic 8 kHz mu-law audio, so nothing needs a WAV file or a speech synthesizer: "speech" is a vowel-like
 * buzz (a 140 Hz fundamental with a few harmonics, syllable-rate amplitude wobble), loud enough for any
 * voice-activity detector; gaps are true silence (0xFF).
 */
export function synthSpeech(ms: number, pitchHz = 140): Uint8Array {
  const n = Math.round((ms * 8000) / 1000);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 8000;
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    const fade = Math.min(1, i / 80, (n - i) / 80);
    let v = 0;
    for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * pitchHz * h * t) / h;
    pcm[i] = Math.round(9000 * envelope * fade * v);
  }
  return pcmToMulaw(pcm);
}

export function tone(ms: number, hz: number, amplitude = 8000): Uint8Array {
  const n = Math.round((ms * 8000) / 1000);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(amplitude * Math.min(1, i / 40, (n - i) / 40) * Math.sin((2 * Math.PI * hz * i) / 8000));
  return pcmToMulaw(pcm);
}

export const silence = (ms: number) => new Uint8Array(Math.round((ms * 8000) / 1000)).fill(MULAW_SILENCE);

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
