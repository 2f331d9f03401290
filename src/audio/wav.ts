/**
 * RIFF/WAVE containers (docs/audio.md). The writer only produces the header: the caller knows the frame
 * count up front and streams the samples after it, so no signal ever has to be held whole. The reader walks
 * chunks by ID (Twilio's files and others may carry LIST/fact chunks before `data`).
 */

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_MULAW = 7;

export type WavEncoding = "pcm16" | "mulaw";

export interface WavSpec {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
}

export const bytesPerSample = (e: WavEncoding) => (e === "pcm16" ? 2 : 1);

/** Header bytes for `frames` frames: 44 bytes for PCM, 58 for μ-law (extended fmt + fact chunk). */
export function wavHeader(spec: WavSpec, frames: number): Uint8Array {
  const bps = bytesPerSample(spec.encoding);
  const blockAlign = spec.channels * bps;
  const dataBytes = frames * blockAlign;
  const mulaw = spec.encoding === "mulaw";
  const headerLen = mulaw ? 58 : 44;
  if (dataBytes + headerLen - 8 > 0xffffffff) throw new RangeError("WAV data exceeds 4 GiB");
  const h = new Uint8Array(headerLen);
  const v = new DataView(h.buffer);
  const tag = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) h[o + i] = s.charCodeAt(i);
  };
  tag(0, "RIFF");
  v.setUint32(4, headerLen - 8 + dataBytes + (dataBytes & 1), true);
  tag(8, "WAVE");
  tag(12, "fmt ");
  v.setUint32(16, mulaw ? 18 : 16, true);
  v.setUint16(20, mulaw ? WAVE_FORMAT_MULAW : WAVE_FORMAT_PCM, true);
  v.setUint16(22, spec.channels, true);
  v.setUint32(24, spec.sampleRate, true);
  v.setUint32(28, spec.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, bps * 8, true);
  let o = 36;
  if (mulaw) {
    v.setUint16(36, 0, true); // cbSize
    tag(38, "fact");
    v.setUint32(42, 4, true);
    v.setUint32(46, frames, true);
    o = 50;
  }
  tag(o, "data");
  v.setUint32(o + 4, dataBytes, true);
  return h;
}

/** The whole file in one buffer: for small signals (tests, transcription uploads of one utterance). */
export function pcm16Wav(samples: Int16Array, channels: number, sampleRate: number): Uint8Array {
  const frames = Math.floor(samples.length / channels);
  const header = wavHeader({ encoding: "pcm16", channels, sampleRate }, frames);
  const out = new Uint8Array(header.length + frames * channels * 2);
  out.set(header);
  const dv = new DataView(out.buffer, header.length);
  for (let i = 0; i < frames * channels; i++) dv.setInt16(i * 2, samples[i]!, true);
  return out;
}

// ── reader ──

export interface WavInfo extends WavSpec {
  bitsPerSample: number;
  /** Byte offset of the first sample and the byte length of the data chunk (clamped to what the file holds when known). */
  dataOffset: number;
  dataBytes: number;
  frames: number;
  blockAlign: number;
}

export class WavFormatError extends Error {
  override name = "WavFormatError";
}

const ascii = (b: Uint8Array, o: number) => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);

/**
 * Parses the header of a WAV from its first bytes (`fileSize` when the whole size is known, to clamp a
 * streaming writer's 0xFFFFFFFF data size). Supports 16-bit PCM and μ-law, any channel count.
 */
export function readWavHeader(head: Uint8Array, fileSize?: number): WavInfo {
  if (head.length < 12 || ascii(head, 0) !== "RIFF" || ascii(head, 8) !== "WAVE")
    throw new WavFormatError("not a RIFF/WAVE file");
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let fmt: Omit<WavInfo, "dataOffset" | "dataBytes" | "frames"> | null = null;
  let o = 12;
  while (o + 8 <= head.length) {
    const id = ascii(head, o);
    const size = v.getUint32(o + 4, true);
    const body = o + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > head.length) throw new WavFormatError("truncated fmt chunk");
      let formatTag = v.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (formatTag === 0xfffe && size >= 40 && body + 26 <= head.length) formatTag = v.getUint16(body + 24, true);
      const channels = v.getUint16(body + 2, true);
      const sampleRate = v.getUint32(body + 4, true);
      const blockAlign = v.getUint16(body + 12, true);
      const bitsPerSample = v.getUint16(body + 14, true);
      let encoding: WavEncoding;
      if (formatTag === WAVE_FORMAT_PCM && bitsPerSample === 16) encoding = "pcm16";
      else if (formatTag === WAVE_FORMAT_MULAW && bitsPerSample === 8) encoding = "mulaw";
      else throw new WavFormatError(`unsupported WAV encoding (format ${formatTag}, ${bitsPerSample} bits)`);
      if (channels < 1 || sampleRate < 1 || blockAlign !== channels * bytesPerSample(encoding))
        throw new WavFormatError("inconsistent fmt chunk");
      fmt = { encoding, channels, sampleRate, bitsPerSample, blockAlign };
    } else if (id === "data") {
      if (!fmt) throw new WavFormatError("data chunk before fmt chunk");
      let dataBytes = size;
      if (fileSize !== undefined) dataBytes = Math.min(dataBytes, fileSize - body);
      dataBytes -= dataBytes % fmt.blockAlign;
      return { ...fmt, dataOffset: body, dataBytes, frames: dataBytes / fmt.blockAlign };
    }
    o = body + size + (size & 1);
  }
  throw new WavFormatError(fmt ? "no data chunk in the WAV header" : "no fmt chunk in the WAV header");
}
