import { describe, expect, it } from "vitest";
import { normalizePhone, queryPhone } from "../../src/lib/phone";

describe("normalizePhone", () => {
  it.each([
    ["+3225550100", "+3225550100"],
    ["+32 2 555 01 00", "+3225550100"],
    ["+32-2-555-01-00", "+3225550100"],
    ["+32.2.555.01.00", "+3225550100"],
    ["+1 (415) 867-5309", "+14158675309"],
    ["0032 470 00 00 00", "+32470000000"],
    ["0044 20 7946 0958", "+442079460958"],
    ["  +32470000000  ", "+32470000000"],
    ["+1\t415 867 5309", "+14158675309"],
    ["+123456", "+123456"],
    ["+123456789012345", "+123456789012345"],
  ])("normalizes %j to %s", (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    [""],
    ["   "],
    ["+"],
    ["00"],
    ["0470000000"], // national form: no country prefix
    ["32470000000"], // digits without + or 00
    ["+0470000000"], // country codes never start with 0
    ["000032470000000"], // 00 then a 0 country code
    ["+32 470 ABC 000"],
    ["+32470000000x12"], // extension
    ["+32/470/000000"],
    ["+32_470_000000"],
    ["+12345"], // too short
    ["+1234567890123456"], // too long for E.164
    ["++32470000000"],
    ["+32 470 000 000;"],
    ["tel:+32470000000"],
    ["client:rep_1"],
    ["+٣٢٤٧٠٠٠٠٠٠٠"], // non-ASCII digits
  ])("refuses %j", (input) => {
    expect(normalizePhone(input)).toBeNull();
  });
});

describe("queryPhone", () => {
  it.each([
    // form decoding made the '+' a space: it is put back
    [" 15551234567", "+15551234567"],
    [" 32 470 00 00 00", "+32 470 00 00 00"],
    // anything else is left for normalizePhone to judge
    ["+15551234567", "+15551234567"],
    ["0032470000000", "0032470000000"],
    ["15551234567", "15551234567"],
    ["  15551234567", "  15551234567"],
    [" abc", " abc"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(queryPhone(input)).toBe(expected);
  });

  it("restores what a query's '+' became, and normalizePhone accepts it", () => {
    const decoded = new URLSearchParams("phoneNumber=+15551234567").get("phoneNumber")!;
    expect(decoded).toBe(" 15551234567");
    expect(normalizePhone(queryPhone(decoded))).toBe("+15551234567");
    // JSON bodies keep their rules: a number without its '+' is no number.
    expect(normalizePhone(" 15551234567")).toBeNull();
  });
});
