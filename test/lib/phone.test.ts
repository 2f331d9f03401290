import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../src/lib/phone";

describe("normalizePhone", () => {
  it.each([
    ["+3225550100", "+3225550100"],
    ["+32 2 555 01 00", "+3225550100"],
    ["0032 2 555 01 00", "+3225550100"],
    ["+1 (415) 867-5309", "+14158675309"],
    ["+44.20.7946.0958", "+442079460958"],
    ["  +32470000000  ", "+32470000000"],
  ])("%s → %s", (input, expected) => expect(normalizePhone(input)).toBe(expected));

  it.each([
    ["0470 00 00 00"], // national form: no country code
    ["32470000000"], // missing +
    ["+32 470 abc"],
    ["+0123456789"], // country codes never start with 0
    ["+12345"], // too short
    ["+1234567890123456"], // 16 digits: longer than E.164 allows
    ["+32/470/000000"],
    [""],
    ["++32470000000"],
  ])("rejects %j", (input) => expect(normalizePhone(input)).toBeNull());
});
