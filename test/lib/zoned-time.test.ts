import { describe, expect, it } from "vitest";
import {
  isOpen,
  isTimeZone,
  localTime,
  localToInstant,
  nextOpening,
  type WeeklyWindow,
} from "../../src/lib/zoned-time";

const at = (iso: string) => Date.parse(iso);
const office: WeeklyWindow = {
  days: ["mon", "tue", "wed", "thu", "fri"],
  startMinute: 9 * 60,
  endMinute: 17 * 60 + 30,
};

describe("zoned time (calling hours)", () => {
  it("knows IANA zones and refuses anything else", () => {
    expect(isTimeZone("Europe/Brussels")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });

  it("reads the wall clock on both sides of a daylight-saving change", () => {
    // Brussels: UTC+1 in winter, UTC+2 from 2026-03-29 01:00 UTC.
    expect(localTime(at("2026-03-27T08:00:00Z"), "Europe/Brussels")).toEqual({
      year: 2026,
      month: 3,
      day: 27,
      weekday: "fri",
      minute: 9 * 60,
    });
    expect(localTime(at("2026-03-30T07:00:00Z"), "Europe/Brussels")).toMatchObject({ weekday: "mon", minute: 9 * 60 });
    expect(localToInstant(2026, 3, 27, 9 * 60, "Europe/Brussels")).toBe(at("2026-03-27T08:00:00Z"));
    expect(localToInstant(2026, 3, 30, 9 * 60, "Europe/Brussels")).toBe(at("2026-03-30T07:00:00Z"));
    expect(localToInstant(2026, 1, 1, 0, "America/New_York")).toBe(at("2026-01-01T05:00:00Z"));
  });

  it("is open inside the window on its days, in the zone's time", () => {
    expect(isOpen(at("2026-03-27T08:00:00Z"), office, "Europe/Brussels")).toBe(true); // Fri 09:00
    expect(isOpen(at("2026-03-27T07:59:00Z"), office, "Europe/Brussels")).toBe(false); // Fri 08:59
    expect(isOpen(at("2026-03-27T16:29:00Z"), office, "Europe/Brussels")).toBe(true); // Fri 17:29
    expect(isOpen(at("2026-03-27T16:30:00Z"), office, "Europe/Brussels")).toBe(false); // Fri 17:30
    expect(isOpen(at("2026-03-28T10:00:00Z"), office, "Europe/Brussels")).toBe(false); // Sat
    expect(isOpen(at("2026-03-27T16:00:00Z"), office, "UTC")).toBe(true);
  });

  it("finds the next opening: later today, after the weekend across a DST change, or now", () => {
    expect(nextOpening(at("2026-03-27T06:00:00Z"), office, "Europe/Brussels")).toBe(at("2026-03-27T08:00:00Z"));
    // Friday evening → Monday 09:00, which is summer time by then.
    expect(nextOpening(at("2026-03-27T17:00:00Z"), office, "Europe/Brussels")).toBe(at("2026-03-30T07:00:00Z"));
    const now = at("2026-03-27T10:00:00Z");
    expect(nextOpening(now, office, "Europe/Brussels")).toBe(now);
    const sundaysOnly: WeeklyWindow = { days: ["sun"], startMinute: 0, endMinute: 60 };
    expect(nextOpening(at("2026-03-30T12:00:00Z"), sundaysOnly, "Asia/Tokyo")).toBe(at("2026-04-04T15:00:00Z"));
  });
});
