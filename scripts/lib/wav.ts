/**
 * Just enough RIFF/WAVE for the tools (protocols.md §8.4): read 8 kHz mu-law or 16-bit PCM (any rate, any
 * channel count: mixed down and resampled to 8 kHz mono) into mu-law; write mono 16-bit PCM, which every
 * player opens (mu-law → PCM is exact, so nothing is lost).
 */
import { MULAW_DECODE, pcmToMulaw } from "./mulaw";

const FORMAT_PCM = 1;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

export class WavError extends Error {}

export function readWavAsMulaw8k(file: Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (o: number) => String.fromCharCode(...file.subarray(o, o + 4));
  if (file.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new WavError("not a RIFF/WAVE file");
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: Uint8Array | null = null;
  // Walk chunks by id: extra chunks (LIST, fact, …) and odd sizes are common in real files.
  for (let o = 12; o + 8 <= file.length; ) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    const body = file.subarray(o + 8, Math.min(file.length, o + 8 + size));
    if (id === "fmt ") {
      let format = view.getUint16(o + 8, true);
      if (format === FORMAT_EXTENSIBLE && size >= 26) format = view.getUint16(o + 8 + 24, true);
      fmt = {
        format,
        channels: view.getUint16(o + 10, true),
        rate: view.getUint32(o + 12, true),
        bits: view.getUint16(o + 22, true),
      };
    } else if (id === "data") data = body;
    o += 8 + size + (size & 1);
  }
  if (!fmt || !data) throw new WavError("missing fmt or data chunk");
  const { format, channels, rate, bits } = fmt;
  if (channels < 1) throw new WavError("no channels");
  let mono: Int16Array;
  if (format === FORMAT_MULAW && bits === 8) {
    if (channels === 1 && rate === 8000) return data.slice();
    mono = mixDown(
      Int16Array.from(data, (b) => MULAW_DECODE[b]!),
      channels,
    );
  } else if (format === FORMAT_PCM && bits === 16) {
    const samples = new Int16Array(Math.floor(data.length / 2));
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < samples.length; i++) samples[i] = dv.getInt16(i * 2, true);
    mono = mixDown(samples, channels);
  } else {
    throw new WavError(`unsupported WAV encoding (format ${format}, ${bits} bits): use 8 kHz mu-law or 16-bit PCM`);
  }
  return pcmToMulaw(rate === 8000 ? mono : resample(mono, rate, 8000));
}

function mixDown(interleaved: Int16Array, channels: number): Int16Array {
  if (channels === 1) return interleaved;
  const out = new Int16Array(Math.floor(interleaved.length / channels));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += interleaved[i * channels + c]!;
    out[i] = Math.round(s / channels);
  }
  return out;
}

/** Linear interpolation: crude, but a test call only needs to be recognisable speech. */
function resample(input: Int16Array, from: number, to: number): Int16Array {
  const out = new Int16Array(Math.floor((input.length * to) / from));
  for (let i = 0; i < out.length; i++) {
    const x = (i * from) / to;
    const i0 = Math.floor(x);
    const a = input[i0] ?? 0;
    const b = input[i0 + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (x - i0));
  }
  return out;
}

export function mulawToWavPcm16(mulaw: Uint8Array, rate = 8000): Uint8Array {
  const out = new Uint8Array(44 + mulaw.length * 2);
  const v = new DataView(out.buffer);
  const ascii = (o: number, s: string) => [...s].forEach((ch, i) => v.setUint8(o + i, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, 36 + mulaw.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, FORMAT_PCM, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, mulaw.length * 2, true);
  for (let i = 0; i < mulaw.length; i++) v.setInt16(44 + i * 2, MULAW_DECODE[mulaw[i]!]!, true);
  return out;
}

/** 8 kHz mu-law WAV (format 7, extended fmt + fact chunk): the wire bytes, byte for byte. */
export function mulawToWavMulaw(mulaw: Uint8Array): Uint8Array {
  const out = new Uint8Array(58 + mulaw.length + (mulaw.length & 1));
  const v = new DataView(out.buffer);
  const ascii = (o: number, s: string) => [...s].forEach((ch, i) => v.setUint8(o + i, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, out.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 18, true);
  v.setUint16(20, FORMAT_MULAW, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, 8000, true);
  v.setUint32(28, 8000, true);
  v.setUint16(32, 1, true);
  v.setUint16(34, 8, true);
  v.setUint16(36, 0, true);
  ascii(38, "fact");
  v.setUint32(42, 4, true);
  v.setUint32(46, mulaw.length, true);
  ascii(50, "data");
  v.setUint32(54, mulaw.length, true);
  out.set(mulaw, 58);
  return out;
}
