import { describe, expect, it } from "vitest";
import { MULAW_DECODE, decodeMulaw, encodeMulaw, mulawEncode } from "../../src/audio/mulaw";
import { refUlawDecode, refUlawEncode } from "./reference";

describe("μ-law", () => {
  it("decodes all 256 codes exactly as the reference algorithm", () => {
    for (let b = 0; b < 256; b++) expect(MULAW_DECODE[b], `code ${b}`).toBe(refUlawDecode(b));
  });

  it("matches the published check values", () => {
    expect([0x00, 0x80, 0xff, 0x7f, 0x7e].map((b) => MULAW_DECODE[b])).toEqual([-32124, 32124, 0, 0, -8]);
    expect([0, 32767, -32768].map(mulawEncode)).toEqual([0xff, 0x80, 0x00]);
  });

  it("encodes every 16-bit value as the reference encoder does", () => {
    for (let x = -32768; x <= 32767; x++) {
      if (mulawEncode(x) !== refUlawEncode(x)) expect(mulawEncode(x), `sample ${x}`).toBe(refUlawEncode(x));
    }
  });

  it("round-trips every code (−0 becomes +0)", () => {
    for (let b = 0; b < 256; b++) expect(mulawEncode(MULAW_DECODE[b]!), `code ${b}`).toBe(b === 0x7f ? 0xff : b);
  });

  it("clips out-of-range input and converts whole buffers", () => {
    expect(mulawEncode(100_000)).toBe(0x80);
    expect(mulawEncode(-100_000)).toBe(0x00);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const pcm = decodeMulaw(bytes);
    expect([...pcm]).toEqual([...bytes].map(refUlawDecode));
    expect([...encodeMulaw(pcm)]).toEqual([...bytes].map((b) => (b === 0x7f ? 0xff : b)));
  });
});
