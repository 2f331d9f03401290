import { describe, expect, it } from "vitest";
import { addMulaw, interleaveClipped } from "../../src/audio/mix";
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
});
