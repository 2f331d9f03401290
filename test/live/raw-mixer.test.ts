import { describe, expect, it } from "vitest";
import { MULAW_DECODE, mulawEncode as encodeMulaw } from "../../src/audio/mulaw";
import { mixMulaw } from "../../src/audio/mix";
import { RawMixer } from "../../src/live/raw-mixer";

const decodeMulaw = (b: number) => MULAW_DECODE[b]!;

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => [...atob(s)].map((c) => c.charCodeAt(0));

describe("μ-law mixing for ForwardRawAudio", () => {
  it("adds two signals and clips", () => {
    const loud = encodeMulaw(30000);
    const mixed = mixMulaw(new Uint8Array([loud, encodeMulaw(1000), 0xff]), new Uint8Array([loud, encodeMulaw(-1000)]));
    expect(decodeMulaw(mixed[0]!)).toBe(decodeMulaw(encodeMulaw(32767)));
    expect(Math.abs(decodeMulaw(mixed[1]!))).toBeLessThan(64);
    expect(mixed[2]).toBe(0xff); // beyond the shorter signal: unchanged
  });

  it("rides queued translation on raw frames, frame by frame, and drains the rest", () => {
    const m = new RawMixer();
    const raw = b64(new Array(4).fill(0xff)); // silence
    expect(m.mixFrame(raw)).toBe(raw); // nothing queued: untouched
    const tr = [
      encodeMulaw(2000),
      encodeMulaw(-2000),
      encodeMulaw(300),
      encodeMulaw(-300),
      encodeMulaw(50),
      encodeMulaw(-50),
    ];
    m.push(b64(tr));
    expect(unb64(m.mixFrame(raw))).toEqual(tr.slice(0, 4)); // silence + translation = translation
    expect(m.queuedBytes).toBe(2);
    expect(unb64(m.drain()!)).toEqual(tr.slice(4));
    expect(m.drain()).toBeNull();
  });
});
