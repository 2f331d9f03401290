import { describe, expect, it } from "vitest";
import { readWavHeader, WavFormatError } from "../../src/audio/wav";
import { pcmWav } from "../carriers/twilio/helpers";

// The header shapes Twilio recordings and other producers use, read by the one WAV reader.

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

describe("readWavHeader on recording headers", () => {
  it("reads a 16-bit PCM stereo header and the data size", () => {
    const w = pcmWav(1.5);
    expect(readWavHeader(w.subarray(0, 4096), w.length)).toMatchObject({
      encoding: "pcm16",
      channels: 2,
      sampleRate: 8000,
      blockAlign: 4,
      dataBytes: 48000,
      frames: 12000,
    });
  });

  it("walks past other chunks instead of assuming a 44-byte header", () => {
    const w = pcmWav(0.25, 1, 16000, true);
    expect(readWavHeader(w, w.length)).toMatchObject({ channels: 1, sampleRate: 16000, dataBytes: 8000, frames: 4000 });
  });

  it("reads a mu-law header with extended fmt and fact chunks", () => {
    const w = mulawWav(8000 * 3, 2);
    expect(readWavHeader(w, w.length)).toMatchObject({
      encoding: "mulaw",
      channels: 2,
      bitsPerSample: 8,
      dataBytes: 48000,
      frames: 24000,
    });
  });

  it("clamps a streaming placeholder data size to the file", () => {
    const w = pcmWav(0.1);
    new DataView(w.buffer).setUint32(40, 0xffffffff, true);
    expect(readWavHeader(w, w.length).frames).toBe(800);
  });

  it("refuses what is not a WAV, or a header cut before its data chunk", () => {
    expect(() => readWavHeader(new TextEncoder().encode("<Response/>  not a wav"))).toThrow(WavFormatError);
    expect(() => readWavHeader(new TextEncoder().encode('{"code":20404}'))).toThrow(WavFormatError);
    expect(() => readWavHeader(pcmWav(0.1).subarray(0, 20))).toThrow(WavFormatError);
    expect(() => readWavHeader(pcmWav(0.1).subarray(0, 38))).toThrow(WavFormatError);
    expect(() => readWavHeader(new Uint8Array(0))).toThrow(WavFormatError);
  });
});
