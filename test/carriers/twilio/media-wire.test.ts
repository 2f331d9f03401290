import { describe, expect, it } from "vitest";
import { clearOut, MAX_FRAME_CHARS, outgoingFrames, parseTwilioFrame } from "../../../src/carriers/twilio/media-wire";
import { base64Bytes } from "../../../src/lib/encoding";

const start = {
  event: "start",
  sequenceNumber: "1",
  streamSid: "MZ1",
  start: {
    streamSid: "MZ1",
    accountSid: "AC1",
    callSid: "CA1",
    tracks: ["inbound"],
    customParameters: { To: "+3225550100", StreamToken: "abc" },
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  },
};

describe("Twilio media stream frames", () => {
  it("parses every message Twilio sends", () => {
    const frames = [
      { event: "connected", protocol: "Call", version: "1.0.0" },
      start,
      {
        event: "media",
        sequenceNumber: "2",
        streamSid: "MZ1",
        media: { track: "inbound", chunk: "1", timestamp: "5", payload: "/////w==" },
      },
      { event: "mark", sequenceNumber: "3", streamSid: "MZ1", mark: { name: "m1" } },
      { event: "dtmf", sequenceNumber: "4", streamSid: "MZ1", dtmf: { track: "inbound_track", digit: "1" } },
      { event: "stop", sequenceNumber: "5", streamSid: "MZ1", stop: { accountSid: "AC1", callSid: "CA1" } },
    ];
    const parsed = frames.map((f) => parseTwilioFrame(JSON.stringify(f)));
    expect(parsed.map((p) => p.ok && p.message.event)).toEqual(["connected", "start", "media", "mark", "dtmf", "stop"]);
    const s = parsed[1]!;
    expect(s.ok && s.message.event === "start" && s.message.start.customParameters).toEqual({
      To: "+3225550100",
      StreamToken: "abc",
    });
    const m = parsed[2]!;
    expect(m.ok && m.message.event === "media" && m.message.media.timestamp).toBe(5); // string → number
  });

  it("rejects malformed, binary, unknown and oversized frames with a reason", () => {
    expect(parseTwilioFrame("{nope")).toEqual({ ok: false, reason: "json" });
    expect(parseTwilioFrame(new ArrayBuffer(4))).toEqual({ ok: false, reason: "binary" });
    expect(parseTwilioFrame(JSON.stringify({ event: "hello" }))).toEqual({ ok: false, reason: "shape" });
    expect(parseTwilioFrame(JSON.stringify({ event: "media", media: { timestamp: "x", payload: "AA==" } }))).toEqual({
      ok: false,
      reason: "shape",
    });
    expect(parseTwilioFrame(JSON.stringify({ event: "media", media: { timestamp: "-1", payload: "AA==" } }))).toEqual({
      ok: false,
      reason: "shape",
    });
    expect(
      parseTwilioFrame(JSON.stringify({ ...start, start: { ...start.start, customParameters: { a: 1 } } })),
    ).toEqual({ ok: false, reason: "shape" });
    expect(parseTwilioFrame("x".repeat(MAX_FRAME_CHARS + 1))).toEqual({ ok: false, reason: "oversized" });
  });

  it("writes what we send in Twilio's shapes", () => {
    expect(JSON.parse(clearOut("MZ1"))).toEqual({ event: "clear", streamSid: "MZ1" });
    for (const sid of ["MZ1", 'MZ"odd\\']) {
      const frames = outgoingFrames(sid);
      expect(frames.media("AAA=")).toBe(JSON.stringify({ event: "media", streamSid: sid, media: { payload: "AAA=" } }));
      expect(frames.mark('m"7')).toBe(JSON.stringify({ event: "mark", streamSid: sid, mark: { name: 'm"7' } }));
    }
  });

  it("counts payload bytes without decoding", () => {
    for (const n of [0, 1, 2, 3, 160, 161, 800]) expect(base64Bytes(btoa("x".repeat(n)))).toBe(n);
  });
});
