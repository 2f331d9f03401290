/**
 * Test-only references, written independently of src/audio: the Sun g711.c formulation of μ-law
 * (protocols.md §8.2–8.3, with its segment-end table) and a minimal WAV parser that reads a file the plain
 * way (fixed fields of `fmt `, samples of `data`) so the pipeline's output is checked by something else.
 */
const SEG_END = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff];

export function refUlawDecode(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

export function refUlawEncode(pcm: number): number {
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else mask = 0xff;
  if (pcm > 32635) pcm = 32635;
  pcm += 0x84;
  let seg = SEG_END.findIndex((e) => pcm <= e);
  if (seg < 0) seg = 8;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 3)) & 0xf)) ^ mask;
}

export interface ParsedWav {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  factSamples: number | null;
  /** Interleaved samples as signed 16-bit (PCM) or raw bytes (μ-law). */
  pcm: Int16Array | null;
  mulaw: Uint8Array | null;
}

export function parseWav(buf: Uint8Array): ParsedWav {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const id = (o: number) => new TextDecoder().decode(buf.subarray(o, o + 4));
  if (id(0) !== "RIFF" || id(8) !== "WAVE") throw new Error("not RIFF/WAVE");
  if (dv.getUint32(4, true) !== buf.length - 8)
    throw new Error(`RIFF size ${dv.getUint32(4, true)} != ${buf.length - 8}`);
  const out: ParsedWav = {
    formatTag: 0,
    channels: 0,
    sampleRate: 0,
    bitsPerSample: 0,
    factSamples: null,
    pcm: null,
    mulaw: null,
  };
  let o = 12;
  while (o < buf.length) {
    const cid = id(o);
    const size = dv.getUint32(o + 4, true);
    const b = o + 8;
    if (cid === "fmt ") {
      out.formatTag = dv.getUint16(b, true);
      out.channels = dv.getUint16(b + 2, true);
      out.sampleRate = dv.getUint32(b + 4, true);
      const byteRate = dv.getUint32(b + 8, true);
      const align = dv.getUint16(b + 12, true);
      out.bitsPerSample = dv.getUint16(b + 14, true);
      if (align !== (out.channels * out.bitsPerSample) / 8) throw new Error("bad block align");
      if (byteRate !== out.sampleRate * align) throw new Error("bad byte rate");
    } else if (cid === "fact") {
      out.factSamples = dv.getUint32(b, true);
    } else if (cid === "data") {
      if (b + size > buf.length) throw new Error("data chunk runs past the end");
      if (out.bitsPerSample === 16) {
        const s = new Int16Array(size / 2);
        for (let i = 0; i < s.length; i++) s[i] = dv.getInt16(b + 2 * i, true);
        out.pcm = s;
      } else out.mulaw = buf.slice(b, b + size);
    }
    o = b + size + (size % 2);
  }
  return out;
}

/** Deterministic pseudo-random μ-law bytes (xorshift), so expected audio is reproducible. */
export function noise(n: number, seed: number): Uint8Array {
  let x = seed | 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
