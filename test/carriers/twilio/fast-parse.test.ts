import { describe, expect, it } from "vitest";
import { matchHotFrame, parseTwilioFrame, parseTwilioJson } from "../../../src/carriers/twilio/media-wire";

const payload = btoa(String.fromCharCode(...Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff)));
/** Twilio's key order (media before streamSid). */
const twilioMedia = (
  o: { seq?: string; track?: string; chunk?: string; ts?: string; payload?: string; sid?: string } = {},
) =>
  `{"event":"media","sequenceNumber":"${o.seq ?? "4"}","media":{"track":"${o.track ?? "inbound"}","chunk":"${o.chunk ?? "3"}","timestamp":"${o.ts ?? "97"}","payload":"${o.payload ?? payload}"},"streamSid":"${o.sid ?? "MZ18ad3ab5a668481ce02b83e7395059f0"}"}`;
/** Our Twilio client's order (streamSid before media), i.e. JSON.stringify of protocols.md's shape. */
const clientMedia = (ts = 20, p = payload) =>
  JSON.stringify({
    event: "media",
    sequenceNumber: "12",
    streamSid: "MZ1",
    media: { track: "inbound", chunk: "11", timestamp: String(ts), payload: p },
  });
const mark = (name = "m17", sid = "MZ1") =>
  JSON.stringify({ event: "mark", sequenceNumber: "5", streamSid: sid, mark: { name } });

const canonical = [
  twilioMedia(),
  twilioMedia({ ts: "0", payload: "" }),
  twilioMedia({ track: "outbound", chunk: "1" }),
  clientMedia(),
  clientMedia(0, "/////w=="),
  mark(),
  mark("a label with spaces · ünïcode"),
  mark(""),
];

const odd = [
  // not canonical but valid: other orders, whitespace, escapes, numbers, extra or missing fields
  JSON.stringify({
    event: "media",
    streamSid: "MZ1",
    sequenceNumber: "2",
    media: { track: "inbound", chunk: "1", timestamp: "5", payload },
  }),
  JSON.stringify({
    event: "media",
    sequenceNumber: "2",
    streamSid: "MZ1",
    media: { track: "inbound", chunk: "1", timestamp: 5, payload },
  }),
  JSON.stringify({
    event: "media",
    sequenceNumber: 2,
    streamSid: "MZ1",
    media: { track: "inbound", chunk: "1", timestamp: "5", payload },
  }),
  JSON.stringify({ event: "media", media: { timestamp: "5", payload } }),
  JSON.stringify({
    event: "media",
    sequenceNumber: "2",
    streamSid: "MZ1",
    media: { track: "inbound", chunk: "1", timestamp: "5", payload, extra: 1 },
  }),
  JSON.stringify({
    event: "media",
    sequenceNumber: "2",
    streamSid: "MZ1",
    media: { track: "inbound", chunk: "1", timestamp: "5", payload },
    extra: true,
  }),
  JSON.stringify({
    event: "media",
    sequenceNumber: "2",
    streamSid: "MZ1",
    media: { track: "inbound", chunk: "1", timestamp: "1e3", payload },
  }),
  twilioMedia().replace('"event":"media",', '"event": "media", '),
  twilioMedia().replace("{", "{ "),
  `${twilioMedia()}\n`,
  ` ${twilioMedia()}`,
  twilioMedia({ payload: payload.replace("/", "\\/") }),
  twilioMedia({ sid: 'MZ\\"1' }),
  twilioMedia({ sid: "MZ\\u00411" }),
  twilioMedia({ track: "in\\nbound" }),
  twilioMedia({ ts: "9".repeat(15) }),
  twilioMedia({ ts: "9".repeat(16) }),
  twilioMedia({ ts: "1".repeat(400) }),
  twilioMedia({ ts: "007" }),
  mark("m\\\\1"),
  mark('m"1'),
  JSON.stringify({ event: "mark", streamSid: "MZ1", mark: { name: "m1" } }),
  JSON.stringify({ event: "mark", sequenceNumber: "5", mark: { name: "m1" }, streamSid: "MZ1" }),
  // malformed or wrong shapes
  twilioMedia({ ts: "-1" }),
  twilioMedia({ ts: "x" }),
  twilioMedia({ ts: "" }),
  twilioMedia({ seq: "" }),
  twilioMedia({ payload: 'AA"A' }),
  twilioMedia({ track: "in\nbound" }), // a raw control character: JSON.parse refuses it
  twilioMedia({ sid: "MZ\u00011" }),
  mark("m\t1"),
  twilioMedia().slice(0, -1),
  `${twilioMedia()}}`,
  `${twilioMedia()},`,
  `${twilioMedia().slice(0, -1)},"streamSid":"MZother"}`, // duplicate key: JSON.parse keeps the last
  `${mark().slice(0, -1)},"event":"stop"}`,
  twilioMedia().replace('"event":"media"', '"event":"mediaX"'),
  twilioMedia().replace('"event":"media"', '"event":"mark"'),
  mark().replace('"event":"mark"', '"event":"media"'),
  '{"event":"media"}',
  '{"event":"mark","sequenceNumber":"5","streamSid":"MZ1","mark":{"name":5}}',
  '{"event":"mark","sequenceNumber":"5","streamSid":"MZ1","mark":{}}',
  '{"event":"media","sequenceNumber":"5","streamSid":5,"media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"AA=="}}',
  "{}",
  "",
  "null",
  "[]",
  '"media"',
  "{nope",
];

describe("Twilio hot-path frame matcher", () => {
  it("takes canonical media and mark frames without JSON.parse, with JSON.parse's result", () => {
    for (const f of canonical) {
      const hot = matchHotFrame(f);
      expect(hot, f).not.toBeNull();
      expect({ ok: true, message: hot }).toEqual(parseTwilioJson(f));
      expect(parseTwilioFrame(f)).toEqual(parseTwilioJson(f));
    }
    const m = matchHotFrame(twilioMedia());
    expect(m).toEqual({
      event: "media",
      streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0",
      media: { track: "inbound", chunk: "3", timestamp: 97, payload },
    });
  });

  it("agrees with JSON.parse on odd and malformed frames (the matcher declines what it cannot prove)", () => {
    for (const f of odd) {
      const hot = matchHotFrame(f);
      const reference = parseTwilioJson(f);
      if (hot) expect({ ok: true, message: hot }, f).toEqual(reference);
      expect(parseTwilioFrame(f), f).toEqual(reference);
    }
    // Spot checks that the odd cases really are odd: rejected ones stay rejected, with JSON's reason.
    expect(parseTwilioFrame(twilioMedia({ ts: "-1" }))).toEqual({ ok: false, reason: "shape" });
    expect(parseTwilioFrame(twilioMedia({ track: "in\nbound" }))).toEqual({ ok: false, reason: "json" });
    expect(parseTwilioFrame(twilioMedia().slice(0, -1))).toEqual({ ok: false, reason: "json" });
    const dup = parseTwilioFrame(`${twilioMedia().slice(0, -1)},"streamSid":"MZother"}`);
    expect(dup.ok && dup.message.event === "media" && dup.message.streamSid).toBe("MZother");
  });

  it("agrees with JSON.parse on randomly damaged frames", () => {
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const alphabet = '{}[]":,\\ \n\t0123456789abcdefAZ+/=-.eumx\u0001';
    let hot = 0;
    for (let i = 0; i < 5000; i++) {
      let f = canonical[rnd(canonical.length)]!;
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(f.length + 1);
        const op = rnd(3);
        const ch = alphabet[rnd(alphabet.length)]!;
        f =
          op === 0
            ? f.slice(0, at) + ch + f.slice(at)
            : op === 1
              ? f.slice(0, at) + f.slice(at + 1)
              : f.slice(0, at) + ch + f.slice(at + 1);
      }
      const reference = parseTwilioJson(f);
      const m = matchHotFrame(f);
      if (m) {
        hot++;
        expect({ ok: true, message: m }, f).toEqual(reference);
      }
      expect(parseTwilioFrame(f), f).toEqual(reference);
    }
    expect(hot).toBeGreaterThan(100); // damage inside payloads, names and digits still matches, and must agree
  });
});
