import { describe, expect, it } from "vitest";
import { extractChannel } from "../../src/audio/mix";
import { pcm16Wav, readWavHeader, wavHeader, WavFormatError } from "../../src/audio/wav";
import { parseWav, refUlawDecode } from "./reference";

const riff = (...chunks: [string, Uint8Array][]) => {
  const parts: number[] = [...new TextEncoder().encode("WAVE")];
  for (const [id, body] of chunks) {
    parts.push(...new TextEncoder().encode(id));
    parts.push(body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff, body.length >>> 24);
    parts.push(...body);
    if (body.length % 2) parts.push(0);
  }
  const n = parts.length;
  return Uint8Array.from([
    ...new TextEncoder().encode("RIFF"),
    n & 0xff,
    (n >> 8) & 0xff,
    (n >> 16) & 0xff,
    n >>> 24,
    ...parts,
  ]);
};
const fmt = (tag: number, ch: number, rate: number, bits: number) => {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, ch, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * ch * bits) / 8, true);
  v.setUint16(12, (ch * bits) / 8, true);
  v.setUint16(14, bits, true);
  return b;
};

describe("WAV writer", () => {
  it("writes a 44-byte PCM header that an independent parser reads back with the samples", () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234, -4321, 7]);
    const wav = pcm16Wav(samples, 2, 8000);
    expect(wav.length).toBe(44 + 16);
    const p = parseWav(wav);
    expect(p).toMatchObject({ formatTag: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, factSamples: null });
    expect([...p.pcm!]).toEqual([...samples]);
  });

  it("writes a 58-byte μ-law header with an extended fmt and a fact chunk", () => {
    const data = Uint8Array.from([0xff, 0x00, 0x80, 0x7e, 0x12, 0x34]);
    const h = wavHeader({ encoding: "mulaw", channels: 2, sampleRate: 8000 }, 3);
    expect(h.length).toBe(58);
    const file = new Uint8Array(58 + 6);
    file.set(h);
    file.set(data, 58);
    const p = parseWav(file);
    expect(p).toMatchObject({ formatTag: 7, channels: 2, sampleRate: 8000, bitsPerSample: 8, factSamples: 3 });
    expect([...p.mulaw!]).toEqual([...data]);
    expect(new DataView(h.buffer).getUint32(16, true)).toBe(18);
  });
});

describe("WAV reader", () => {
  it("walks chunks by ID past LIST and odd-sized chunks", () => {
    const pcm = new Uint8Array(new Int16Array([5, -5, 300, -300]).buffer);
    const wav = riff(
      ["LIST", new Uint8Array(3)],
      ["fmt ", fmt(1, 2, 8000, 16)],
      ["junk", new Uint8Array(5)],
      ["data", pcm],
    );
    const info = readWavHeader(wav);
    expect(info).toMatchObject({ encoding: "pcm16", channels: 2, sampleRate: 8000, frames: 2, dataBytes: 8 });
    const data = wav.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
    expect([...extractChannel(data, info, 0)]).toEqual([5, 300]);
    expect([...extractChannel(data, info, 1)]).toEqual([-5, -300]);
  });

  it("reads μ-law and decodes one channel", () => {
    const wav = riff(
      ["fmt ", fmt(7, 2, 8000, 8)],
      ["fact", new Uint8Array(4)],
      ["data", Uint8Array.from([0x00, 0x80, 0x7e, 0xff])],
    );
    const info = readWavHeader(wav);
    expect(info.encoding).toBe("mulaw");
    const data = wav.subarray(info.dataOffset);
    expect([...extractChannel(data, info, 0)]).toEqual([refUlawDecode(0x00), refUlawDecode(0x7e)]);
    expect([...extractChannel(data, info, 1)]).toEqual([refUlawDecode(0x80), 0]);
  });

  it("clamps a streaming writer's oversized data length to the file size", () => {
    const h = pcm16Wav(new Int16Array(4), 1, 8000);
    new DataView(h.buffer).setUint32(40, 0xffffffff, true);
    expect(readWavHeader(h, h.length).dataBytes).toBe(8);
  });

  it("refuses what it cannot read", () => {
    expect(() => readWavHeader(new TextEncoder().encode("ID3 not a wav file"))).toThrow(WavFormatError);
    expect(() => readWavHeader(riff(["fmt ", fmt(3, 1, 8000, 32)], ["data", new Uint8Array(4)]))).toThrow(
      /unsupported/,
    );
    expect(() => readWavHeader(riff(["fmt ", fmt(1, 1, 8000, 24)], ["data", new Uint8Array(6)]))).toThrow(
      /unsupported/,
    );
    expect(() => readWavHeader(riff(["data", new Uint8Array(4)]))).toThrow(/before fmt/);
    expect(() => readWavHeader(riff(["fmt ", fmt(1, 1, 8000, 16)]))).toThrow(/no data/);
  });
});
