import { describe, expect, it } from "vitest";
import { PlaybackTracker } from "../../src/live/playback-tracker";

describe("PlaybackTracker (barge-in at the confirmed-played position)", () => {
  it("truncates at what Twilio confirmed played, not at what was sent", () => {
    const t = new PlaybackTracker();
    const marks = [t.sent("item1", 800), t.sent("item1", 800), t.sent("item1", 800)]; // 100 ms each
    expect(new Set(marks).size).toBe(3);
    t.echoed(marks[0]!);
    expect(t.playing).toBe(true);
    expect(t.bargeIn()).toEqual({ itemId: "item1", audioEndMs: 100 });
    expect(t.playing).toBe(false);
  });

  it("counts an echo as 'everything before it played' (playback is in order)", () => {
    const t = new PlaybackTracker();
    const m = [t.sent("a", 160), t.sent("a", 160), t.sent("a", 160)];
    t.echoed(m[1]!); // the first echo was lost or is late
    t.echoed(m[0]!); // late: already covered, ignored as stale
    expect(t.staleMarks).toBe(1);
    expect(t.bargeIn()).toEqual({ itemId: "a", audioEndMs: 40 });
  });

  it("rounds a confirmed position inside a millisecond down, never past what was played", () => {
    const t = new PlaybackTracker();
    const played = t.sent("a", 812); // 101.5 ms: not a whole number of milliseconds
    t.sent("a", 800);
    t.echoed(played);
    expect(t.bargeIn()).toEqual({ itemId: "a", audioEndMs: 101 });
  });

  it("truncates at 0 when nothing of the item was confirmed yet", () => {
    const t = new PlaybackTracker();
    t.sent("a", 400);
    expect(t.bargeIn()).toEqual({ itemId: "a", audioEndMs: 0 });
  });

  it("needs no truncate when the item was fully played", () => {
    const t = new PlaybackTracker();
    const m = [t.sent("a", 400), t.sent("a", 400)];
    m.forEach((x) => t.echoed(x));
    expect(t.playing).toBe(false);
    expect(t.bargeIn()).toBeNull();
  });

  it("ignores the echoes of marks flushed by the clear", () => {
    const t = new PlaybackTracker();
    const old = [t.sent("a", 800), t.sent("a", 800)];
    t.echoed(old[0]!);
    expect(t.bargeIn()).toEqual({ itemId: "a", audioEndMs: 100 });
    t.echoed(old[1]!); // Twilio echoes pending marks on clear
    expect(t.staleMarks).toBe(1);
    // The next item's accounting starts clean.
    const next = t.sent("b", 800);
    expect(t.bargeIn()).toEqual({ itemId: "b", audioEndMs: 0 });
    t.echoed(next);
    expect(t.staleMarks).toBe(2);
  });

  it("tracks items separately", () => {
    const t = new PlaybackTracker();
    const a = t.sent("a", 800);
    const b1 = t.sent("b", 240);
    t.sent("b", 240);
    t.echoed(a);
    t.echoed(b1);
    expect(t.bargeIn()).toEqual({ itemId: "b", audioEndMs: 30 });
  });

  it("stays exact over a long queue (thousands of marks pending, confirmed in order, then a barge-in)", () => {
    const t = new PlaybackTracker();
    const names = Array.from({ length: 3000 }, (_, i) => t.sent(i < 2500 ? "a" : "b", 160)); // 20 ms each
    for (let i = 0; i < 2600; i++) t.echoed(names[i]!);
    t.echoed(names[10]!); // long confirmed: stale
    expect(t.staleMarks).toBe(1);
    expect(t.confirmedMarks).toBe(2600);
    expect(t.playing).toBe(true);
    expect(t.bargeIn()).toEqual({ itemId: "b", audioEndMs: 100 * 20 });
    expect(t.playing).toBe(false);
  });
});
