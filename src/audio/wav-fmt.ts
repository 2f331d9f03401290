/** What a WAV file's header says about its audio, read from its first bytes. */
export interface WavFormat {
  /** 1 = 16-bit PCM, 7 = mu-law, 6 = A-law, 0xFFFE = extensible. */
  formatTag: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Size of the `data` chunk when its header lies within the bytes given and is not a streaming placeholder. */
  dataBytes: number | null;
}

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

export const isRiffWave = (b: Uint8Array) => b.length >= 12 && ascii(b, 0) === "RIFF" && ascii(b, 8) === "WAVE";

/**
 * Walks the RIFF chunks by ID (never assuming a 44-byte header) up to `data`. Null when the bytes are not a
 * WAV or its `fmt ` chunk is not among them.
 */
export function parseWavFormat(b: Uint8Array): WavFormat | null {
  if (!isRiffWave(b)) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let fmt: Omit<WavFormat, "dataBytes"> | null = null;
  let dataBytes: number | null = null;
  for (let at = 12; at + 8 <= b.length; ) {
    const id = ascii(b, at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt " && size >= 16 && at + 8 + 16 <= b.length) {
      fmt = {
        formatTag: view.getUint16(at + 8, true),
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        byteRate: view.getUint32(at + 16, true),
        blockAlign: view.getUint16(at + 20, true),
        bitsPerSample: view.getUint16(at + 22, true),
      };
    }
    if (id === "data") {
      dataBytes = size === 0 || size === 0xffffffff ? null : size;
      break;
    }
    at += 8 + size + (size & 1);
  }
  if (!fmt || fmt.channels < 1 || fmt.sampleRate < 1) return null;
  return { ...fmt, dataBytes };
}

/** Duration of the `data` chunk in ms, when the header gave its size. */
export const wavDurationMs = (f: WavFormat): number | null =>
  f.dataBytes !== null && f.byteRate > 0 ? Math.round((f.dataBytes / f.byteRate) * 1000) : null;
