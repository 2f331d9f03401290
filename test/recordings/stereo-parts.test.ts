import { describe, expect, it } from "vitest";
import { PART_BYTES } from "../../src/recordings/r2-part-writer";
import { fullPartEnd, partCount, partFrames, partOfFrame, stereoFileBytes } from "../../src/recordings/stereo-parts";

describe("stereo WAV part layout", () => {
  it("tiles every frame into exactly one part, parts full but the last, the header in part 1", () => {
    for (const frames of [1, fullPartEnd(1) - 1, fullPartEnd(1), fullPartEnd(1) + 1, fullPartEnd(3), 28_800_000]) {
      const n = partCount(frames);
      let next = 0;
      let bytes = 0;
      for (let p = 1; p <= n; p++) {
        const { from, to } = partFrames(p, frames);
        expect(from).toBe(next);
        expect(partOfFrame(from)).toBe(p);
        expect(partOfFrame(to - 1)).toBe(p);
        const size = (p === 1 ? 44 : 0) + (to - from) * 4;
        if (p < n) expect(size).toBe(PART_BYTES);
        else expect(size).toBeGreaterThan(0);
        bytes += size;
        next = to;
      }
      expect(next).toBe(frames);
      expect(bytes).toBe(stereoFileBytes(frames));
    }
  });

  it("puts a full part's end where the next part's first frame is", () => {
    for (const p of [1, 2, 13]) expect(partFrames(p + 1, fullPartEnd(p + 1)).from).toBe(fullPartEnd(p));
  });
});
