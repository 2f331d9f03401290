import { describe, expect, it } from "vitest";
import { CALL_STATES, isEnded, movesForward } from "../../src/db/calls";

const ENDED = ["Completed", "Busy", "NoAnswer", "Failed", "Canceled"] as const;

describe("call state order (shared by every carrier's event handling)", () => {
  it("moves forward through Queued → Ringing → InProgress → an ended state, never back", () => {
    expect(movesForward("Queued", "Ringing")).toBe(true);
    expect(movesForward("Ringing", "InProgress")).toBe(true);
    expect(movesForward("Queued", "InProgress")).toBe(true);
    for (const end of ENDED) {
      expect(movesForward("InProgress", end)).toBe(true);
      expect(movesForward("Queued", end)).toBe(true);
      expect(movesForward(end, "InProgress")).toBe(false);
      expect(movesForward(end, "Queued")).toBe(false);
    }
    expect(movesForward("InProgress", "Ringing")).toBe(false);
    for (const s of CALL_STATES) expect(movesForward(s, s)).toBe(false);
  });

  it("never moves from one ended state to another (the first end reported stands)", () => {
    for (const a of ENDED) for (const b of ENDED) expect(movesForward(a, b)).toBe(false);
  });

  it("isEnded is true exactly for the ended states", () => {
    expect(CALL_STATES.filter(isEnded)).toEqual([...ENDED]);
  });
});
