import { describe, expect, it } from "vitest";
import { bytesToBase64, jsonString } from "../../src/lib/encoding";

describe("jsonString", () => {
  it("is JSON.stringify for every string: base64 only quoted, anything else escaped", () => {
    const payload = bytesToBase64(Uint8Array.from({ length: 160 }, (_, k) => (k * 37) & 0xff));
    const cases = [
      payload,
      "",
      "AA==",
      "m42",
      'a "quoted" name',
      "back\\slash",
      "line\nbreak",
      "\u0000",
      "é ☎",
      "a/b+c=",
    ];
    for (const s of cases) {
      expect(jsonString(s), s).toBe(JSON.stringify(s));
      expect(JSON.parse(`{"v":${jsonString(s)}}`).v).toBe(s);
    }
  });
});
