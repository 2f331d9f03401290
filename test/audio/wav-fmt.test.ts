import { describe, expect, it } from "vitest";
import { isRiffWave, parseWavFormat, wavDurationMs } from "../../src/audio/wav-fmt";
import { pcmWav } from "../carriers/twilio-helpers";

function mulawWav(frames: number, channels: number): Uint8Array {
  // extended fmt (18 bytes) + fact chunk, as non-PCM WAVs are written
  const b = new Uint8Array(58 + frames * channels);
  const v = new DataView(b.buffer);
  const str = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, 50 + frames * channels, true);
  str(8, "WAVE");
  str(12, "fmt ");
  v.setUint32(16, 18, true);
  v.setUint16(20, 7, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, 8000, true);
  v.setUint32(28, 8000 * channels, true);
  v.setUint16(32, channels, true);
  v.setUint16(34, 8, true);
  v.setUint16(36, 0, true);
  str(38, "fact");
  v.setUint32(42, 4, true);
  v.setUint32(46, frames, true);
  str(50, "data");
  v.setUint32(54, frames * channels, true);
  return b;
}

describe("parseWavFormat", () => {
  it("reads a 16-bit PCM stereo header and the data size", () => {
    const f = parseWavFormat(pcmWav(1.5).subarray(0, 4096));
    expect(f).toEqual({ formatTag: 1, channels: 2, sampleRate: 8000, byteRate: 32000, blockAlign: 4, bitsPerSample: 16, dataBytes: 48000 });
    expect(wavDurationMs(f!)).toBe(1500);
  });

  it("walks past other chunks instead of assuming a 44-byte header", () => {
    const f = parseWavFormat(pcmWav(0.25, 1, 16000, true));
    expect(f).toMatchObject({ channels: 1, sampleRate: 16000, dataBytes: 8000 });
    expect(wavDurationMs(f!)).toBe(250);
  });

  it("reads a mu-law header with extended fmt and fact chunks", () => {
    const f = parseWavFormat(mulawWav(8000 * 3, 2));
    expect(f).toMatchObject({ formatTag: 7, channels: 2, bitsPerSample: 8, dataBytes: 48000 });
    expect(wavDurationMs(f!)).toBe(3000);
  });

  it("gives no data size for a streaming placeholder or a header cut before data", () => {
    const w = pcmWav(0.1);
    new DataView(w.buffer).setUint32(40, 0xffffffff, true);
    expect(parseWavFormat(w)?.dataBytes).toBeNull();
    expect(parseWavFormat(pcmWav(0.1).subarray(0, 38))).toMatchObject({ channels: 2, dataBytes: null });
  });

  it("refuses what is not a WAV, or has no fmt among the bytes given", () => {
    expect(parseWavFormat(new TextEncoder().encode("<Response/>  not a wav"))).toBeNull();
    expect(isRiffWave(new TextEncoder().encode('{"code":20404}'))).toBe(false);
    expect(parseWavFormat(pcmWav(0.1).subarray(0, 20))).toBeNull();
    expect(parseWavFormat(new Uint8Array(0))).toBeNull();
  });
});
