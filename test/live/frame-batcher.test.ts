import { describe, expect, it, vi } from "vitest";
import type { AudioChunk } from "../../src/recordings/audio-types";
import { decodeBase64Into, FrameBatcher } from "../../src/live/frame-batcher";
import { base64ToBytes, bytesToBase64 } from "../../src/lib/encoding";
import { base64Bytes } from "../../src/lib/encoding";

/** What a sink that keeps chunks past `append` must do: their audio is a view of the batcher's reused buffer. */
const copied = (chunks: AudioChunk[]) => chunks.map((c) => ({ ...c, audio: c.audio.slice() }));

describe("FrameBatcher", () => {
  it("decodes exactly what the strict base64 helper accepts", () => {
    const cases = [
      "",
      "AA==",
      "AAA=",
      "AAAA",
      "/////w==",
      "AR==",
      "A===",
      "====",
      "AA=A",
      "AA",
      "AAA",
      "AA AA",
      " AAA",
      "AAA\n",
      "AA==AA==",
      "AA-_",
      "AA\u0000A",
      "ÿÿÿÿ",
      bytesToBase64(new Uint8Array(160).fill(0x7f)),
    ];
    for (const b64 of cases) {
      const reference = base64ToBytes(b64);
      const out = new Uint8Array(Math.max(0, b64.length % 4 === 0 ? base64Bytes(b64) : 0));
      const ok = b64.length % 4 === 0 && out.length > 0 ? decodeBase64Into(b64, out) : false;
      if (reference && reference.length > 0) {
        expect(ok, JSON.stringify(b64)).toBe(true);
        expect([...out], b64).toEqual([...reference]);
      } else {
        expect(ok, JSON.stringify(b64)).toBe(false);
      }
    }
  });

  it("decodes into the start of a longer buffer, leaves the rest alone, and refuses one too short", () => {
    const frame = Uint8Array.from({ length: 160 }, (_, k) => (k * 7) & 0xff);
    const b64 = bytesToBase64(frame);
    const out = new Uint8Array(200).fill(0xaa);
    expect(decodeBase64Into(b64, out)).toBe(true);
    expect([...out.subarray(0, 160)]).toEqual([...frame]);
    expect(out.subarray(160).every((b) => b === 0xaa)).toBe(true);
    expect(decodeBase64Into(b64, new Uint8Array(159))).toBe(false);
    expect(decodeBase64Into(`${b64.slice(0, 8)} ${b64.slice(9)}`, out)).toBe(false); // whitespace is not strict base64
  });

  it("reuses its buffer from batch to batch, so what it hands over is valid only during append", () => {
    const buffers: ArrayBufferLike[] = [];
    const rec = new FrameBatcher({ append: (chunks) => buffers.push(chunks[0]!.audio.buffer) });
    for (let batch = 0; batch < 3; batch++) {
      rec.add("EndUser", batch * 20, bytesToBase64(new Uint8Array(160).fill(batch)));
      rec.add("EndUser", batch * 20 + 10, bytesToBase64(new Uint8Array(9000).fill(batch))); // over the scratch
      rec.flush();
    }
    expect(buffers).toHaveLength(3);
    expect(new Set(buffers).size).toBe(1);
  });

  it("keeps every frame's bytes intact across batches, buffer growth and flushes, and counts bad frames", () => {
    const batches: AudioChunk[][] = [];
    const rec = new FrameBatcher({ append: (chunks) => batches.push(copied(chunks)) });
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 400; i++) {
      const n = i % 97 === 0 ? 6000 : 160 + (i % 3); // some large frames get their own buffer
      const frame = Uint8Array.from({ length: n }, (_, k) => (i * 31 + k) & 0xff);
      sent.push(frame);
      rec.add(i % 2 ? "AI" : "EndUser", i * 20, bytesToBase64(frame));
      if (i % 50 === 0) rec.add("EndUser", i * 20 + 1, "not base64!");
    }
    rec.flush();
    const got = batches.flat();
    expect(got.length).toBe(400);
    expect(rec.stored).toBe(400);
    expect(rec.rejected).toBe(8);
    got.forEach((c, i) => expect([...c.audio], `frame ${i}`).toEqual([...sent[i]!]));
  });

  it("hands over the timestamps it was given: two frames of one sender in the same ms both keep that ms", () => {
    const batches: AudioChunk[][] = [];
    const rec = new FrameBatcher({ append: (chunks) => batches.push(copied(chunks)) });
    const frame = (v: number) => bytesToBase64(new Uint8Array(160).fill(v));
    rec.add("AI", 1000, frame(1));
    rec.add("AI", 1000.4, frame(2)); // a barge-in restarted the playback cursor at the same ms
    rec.add("EndUser", 999.6, frame(3));
    rec.flush();
    expect(batches.flat().map((c) => [c.sender, c.timestampMs, c.audio[0]])).toEqual([
      ["AI", 1000, 1],
      ["AI", 1000, 2],
      ["EndUser", 1000, 3],
    ]);
  });

  it("never keeps a frame only in memory for more than 2 s, however little audio is waiting", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const flushed: number[] = [];
      const rec = new FrameBatcher({ append: (chunks) => flushed.push(chunks.length) }, 1);
      rec.add("EndUser", 0, bytesToBase64(new Uint8Array(160).fill(0xff)));
      vi.advanceTimersByTime(1999);
      expect(flushed).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(flushed).toEqual([1]);
      rec.add("AI", 2000, bytesToBase64(new Uint8Array(160).fill(0x7f)));
      vi.advanceTimersByTime(2000);
      expect(flushed).toEqual([1, 1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("spreads calls' flushes: the first batch is cut at the call's phase, later ones are full (~2 s)", () => {
    const flushedAt = (phase: number) => {
      const at: number[] = [];
      let frames = 0;
      const rec = new FrameBatcher({ append: () => at.push(frames) }, phase);
      const frame = bytesToBase64(new Uint8Array(160).fill(0xff));
      for (; frames < 800; frames++) rec.add(frames % 2 ? "AI" : "EndUser", frames * 10, frame);
      return at;
    };
    const a = flushedAt(0);
    const b = flushedAt(0.5);
    expect(a[0]).toBeLessThan(b[0]!);
    for (const at of [a, b]) {
      expect(at.length).toBeGreaterThanOrEqual(4);
      expect(at[0]! * 160).toBeLessThanOrEqual(32000);
      for (let i = 1; i < at.length; i++) expect((at[i]! - at[i - 1]!) * 160).toBe(32000); // 200 frames of both directions ≈ 2 s
    }
  });
});
