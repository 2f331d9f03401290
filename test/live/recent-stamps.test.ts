import { describe, expect, it } from "vitest";
import { RecentStamps } from "../../src/live/recent-stamps";

/** The reference: the Set-based rule it replaces (the last 4096 timestamps, a repeat moves up by a millisecond). */
function referenceDistinct() {
  const seen = new Set<number>();
  return (ts: number) => {
    while (seen.has(ts)) ts++;
    seen.add(ts);
    if (seen.size > 4096) seen.delete(seen.values().next().value!);
    return ts;
  };
}

describe("RecentStamps (a sender's chunk timestamps kept distinct)", () => {
  it("keeps growing timestamps as they are and moves a repeat past every remembered one it meets", () => {
    const r = new RecentStamps();
    expect([0, 20, 40].map((t) => r.distinct(t))).toEqual([0, 20, 40]);
    expect(r.distinct(40)).toBe(41);
    expect(r.distinct(40)).toBe(42);
    expect(r.distinct(20)).toBe(21);
    expect(r.distinct(60)).toBe(60);
  });

  it("agrees with the Set-based rule over long runs with cursor resets (windows of 4096 included)", () => {
    for (const seed of [1, 7, 42]) {
      let x = seed;
      const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const ref = referenceDistinct();
      const r = new RecentStamps();
      let cursor = 0;
      for (let i = 0; i < 20_000; i++) {
        const p = rand();
        if (p < 0.01)
          cursor = Math.max(0, cursor - Math.floor(rand() * 5000)); // a barge-in moves the cursor back
        else if (p < 0.05)
          cursor += 0; // the same millisecond again
        else cursor += Math.floor(rand() * 40);
        expect(r.distinct(cursor), `seed ${seed}, chunk ${i}`).toBe(ref(cursor));
      }
    }
  });

  it("agrees with the Set-based rule for two interleaved cursors (both interpreters record as AI)", () => {
    const ref = referenceDistinct();
    const r = new RecentStamps();
    const cursors = [0, 7];
    for (let i = 0; i < 30_000; i++) {
      const c = i % 2;
      cursors[c]! += i % 97 === 0 ? -300 : 20; // now and then a barge-in sends one back
      cursors[c] = Math.max(0, cursors[c]!);
      expect(r.distinct(cursors[c]!), `chunk ${i}`).toBe(ref(cursors[c]!));
    }
  });
});
