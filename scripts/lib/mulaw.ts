/** G.711 mu-law helpers for the Node tools, on the Worker's own codec (src/audio/mulaw.ts). */
import { MULAW_DECODE, MULAW_SILENCE, mulawEncode } from "../../src/audio/mulaw";

export { MULAW_DECODE, MULAW_SILENCE } from "../../src/audio/mulaw";

/** One sample → μ-law, rounding first (the Worker's encoder truncates; tools feed it floating-point samples). */
export const encodeMulawSample = (sample: number): number => mulawEncode(Math.round(sample));

export function pcmToMulaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = encodeMulawSample(pcm[i]!);
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
  for (let i = 0; i < n; i++)
    pcm[i] = Math.round(amplitude * Math.min(1, i / 40, (n - i) / 40) * Math.sin((2 * Math.PI * hz * i) / 8000));
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
