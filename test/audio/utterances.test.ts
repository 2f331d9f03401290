import { describe, expect, it } from "vitest";
import { UtteranceSplitter, type Utterance } from "../../src/audio/utterances";

const RATE = 8000;
const ms = (x: number) => (x * RATE) / 1000;

/** A signal with constant "speech" in the given [fromMs, toMs) spans, silence elsewhere. */
function signal(totalMs: number, spans: [number, number][]): Int16Array {
  const s = new Int16Array(ms(totalMs));
  for (const [a, b] of spans) s.fill(3000, ms(a), ms(b));
  return s;
}

function split(s: Int16Array, pushSize: number, maxSamples = ms(60_000)): Utterance[] {
  const sp = new UtteranceSplitter({ sampleRate: RATE, maxSamples });
  const out: Utterance[] = [];
  for (let i = 0; i < s.length; i += pushSize) out.push(...sp.push(s.subarray(i, i + pushSize)));
  out.push(...sp.end());
  return out;
}

describe("UtteranceSplitter", () => {
  it("finds utterances with 200 ms padding, whatever the push sizes", () => {
    const s = signal(10_000, [
      [1000, 2000],
      [2300, 2500],
      [5000, 6000],
    ]);
    for (const size of [1, 77, 160, 4096, s.length]) {
      const us = split(s, size);
      // the 300 ms pause is not a break; the 2.5 s one is
      expect(
        us.map((u) => [u.startSample, u.samples.length]),
        `push ${size}`,
      ).toEqual([
        [ms(800), ms(1900)],
        [ms(4800), ms(1400)],
      ]);
      expect(us[0]!.samples[ms(200)]).toBe(3000);
      expect(us[0]!.samples[ms(1200)]).toBe(0); // the short pause is kept inside
    }
  });

  it("drops clicks and silence, and ends an utterance cut off by the end of the audio", () => {
    expect(split(signal(3000, [[1000, 1020]]), 160)).toEqual([]);
    expect(split(new Int16Array(ms(2000)), 160)).toEqual([]);
    const tail = split(signal(2000, [[1500, 2000]]), 160);
    expect(tail.map((u) => [u.startSample, u.samples.length])).toEqual([[ms(1300), ms(700)]]);
  });

  it("cuts long speech on sample boundaries at the limit, with contiguous offsets", () => {
    const us = split(signal(5000, [[0, 5000]]), 333, 12_345);
    expect(us.map((u) => u.startSample)).toEqual([0, 12_345, 24_690, 37_035]);
    expect(us.map((u) => u.samples.length)).toEqual([12_345, 12_345, 12_345, 40_000 - 37_035]);
  });
});
