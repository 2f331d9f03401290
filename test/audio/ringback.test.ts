import { describe, expect, it } from "vitest";
import { decodeMulaw, MULAW_SILENCE } from "../../src/audio/mulaw";
import { RINGBACK, type RingbackCadence, ringbackFor, ringbackFrame } from "../../src/audio/ringback";

/** Concatenated frames [from, to) of a cadence. */
function frames(c: RingbackCadence, from: number, to: number): Uint8Array {
  const out = new Uint8Array((to - from) * 160);
  for (let i = from; i < to; i++) out.set(ringbackFrame(c, i), (i - from) * 160);
  return out;
}

/** Goertzel power of `f` Hz in 8 kHz samples, normalized by length: a strong tone stands out by orders of magnitude. */
function power(pcm: Int16Array, f: number): number {
  const k = 2 * Math.cos((2 * Math.PI * f) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / pcm.length;
}

/** Which frames of one cycle sound: runs of [on/off, frame count]. */
function runs(c: RingbackCadence, cycleFrames: number): [boolean, number][] {
  const out: [boolean, number][] = [];
  for (let i = 0; i < cycleFrames; i++) {
    const on = ringbackFrame(c, i).some((b) => b !== MULAW_SILENCE);
    const last = out.at(-1);
    if (last && last[0] === on) last[1]++;
    else out.push([on, 1]);
  }
  return out;
}

describe("ringback", () => {
  it("follows each region's cadence, frame by frame, and repeats it", () => {
    expect(runs(RINGBACK.cept, 250)).toEqual([
      [true, 50],
      [false, 200],
    ]);
    expect(runs(RINGBACK.nanp, 300)).toEqual([
      [true, 100],
      [false, 200],
    ]);
    expect(runs(RINGBACK.uk, 150)).toEqual([
      [true, 20],
      [false, 10],
      [true, 20],
      [false, 100],
    ]);
    // The next cycle is the same audio (every tone completes whole periods over a cycle).
    expect(frames(RINGBACK.cept, 250, 300)).toEqual(frames(RINGBACK.cept, 0, 50));
    expect(frames(RINGBACK.nanp, 300, 400)).toEqual(frames(RINGBACK.nanp, 0, 100));
  });

  it("sounds at its frequencies and nowhere else, below full scale", () => {
    const cept = decodeMulaw(frames(RINGBACK.cept, 0, 50));
    const nanp = decodeMulaw(frames(RINGBACK.nanp, 0, 100));
    const uk = decodeMulaw(frames(RINGBACK.uk, 0, 20));
    const floor = Math.max(power(cept, 1000), power(nanp, 1000), power(uk, 1000), 1);
    expect(power(cept, 425)).toBeGreaterThan(1000 * floor);
    expect(power(cept, 480)).toBeLessThan(power(cept, 425) / 100);
    expect(power(nanp, 440)).toBeGreaterThan(1000 * floor);
    expect(power(nanp, 480)).toBeGreaterThan(1000 * floor);
    expect(power(nanp, 425)).toBeLessThan(power(nanp, 440) / 100);
    expect(power(uk, 400)).toBeGreaterThan(100 * floor);
    expect(power(uk, 450)).toBeGreaterThan(100 * floor);
    for (const pcm of [cept, nanp, uk]) expect(Math.max(...pcm.map(Math.abs))).toBeLessThan(8000);
  });

  it("is chosen by the caller's country code, else by the region of their language", () => {
    expect(ringbackFor("+14155550100").id).toBe("nanp");
    expect(ringbackFor("+447700900123").id).toBe("uk");
    expect(ringbackFor("+353851234567").id).toBe("uk");
    expect(ringbackFor("+3225550100", "en-US").id).toBe("cept");
    expect(ringbackFor("client:rep_1", "en-US").id).toBe("nanp");
    expect(ringbackFor("", "en-GB").id).toBe("uk");
    expect(ringbackFor("", "fr").id).toBe("cept");
    expect(ringbackFor("", "").id).toBe("cept");
  });
});
