import { describe, expect, it } from "vitest";
import { addMulaw, interleaveClipped, writeClippedStereo, writeMulawStereo } from "../../src/audio/mix";
import { refUlawDecode } from "./reference";

describe("mixing", () => {
  it("adds only the part of a chunk inside the window", () => {
    const acc = new Int32Array(4); // absolute samples 10..13
    addMulaw(acc, 10, 8, Uint8Array.from([0x80, 0x80, 0x90, 0xa0, 0xb0])); // samples 8..12
    expect([...acc]).toEqual([refUlawDecode(0x90), refUlawDecode(0xa0), refUlawDecode(0xb0), 0]);
    addMulaw(acc, 10, 13, Uint8Array.from([0x80, 0x80]));
    expect(acc[3]).toBe(32124);
    addMulaw(acc, 10, 14, Uint8Array.from([0x80])); // entirely after
    addMulaw(acc, 10, 0, Uint8Array.from([0x80])); // entirely before
    expect(acc[3]).toBe(32124);
  });

  it("sums overlaps and clips once at output", () => {
    const l = Int32Array.from([40000, -40000, 100]);
    const r = Int32Array.from([1, 2, 3]);
    const out = new Int16Array(6);
    interleaveClipped(l, r, 3, out);
    expect([...out]).toEqual([32767, 1, -32768, 2, 100, 3]);
  });

  it("decodes a non-overlapping chunk straight into one channel of the stereo window", () => {
    const out = new Int16Array(8).fill(5); // frames at absolute samples 100..103
    writeMulawStereo(out, 100, 4, 1, 98, Uint8Array.from([0x80, 0x80, 0x90, 0xa0, 0xb0])); // samples 98..102
    expect([...out]).toEqual([5, refUlawDecode(0x90), 5, refUlawDecode(0xa0), 5, refUlawDecode(0xb0), 5, 5]);
    writeMulawStereo(out, 100, 4, 0, 103, Uint8Array.from([0x00, 0x00])); // runs past the window
    expect(out[6]).toBe(-32124);
    writeClippedStereo(out, Int32Array.from([40000, -1, 2, -40000]), 4, 0);
    expect([out[0], out[2], out[4], out[6]]).toEqual([32767, -1, 2, -32768]);
  });
});
