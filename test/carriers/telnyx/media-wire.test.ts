import { describe, expect, it } from "vitest";
import {
  decodeClientState,
  encodeClientState,
  HANGUP_AFTER_SPEAK,
  hangsUpAfterSpeak,
} from "../../../src/carriers/telnyx/client-state";
import { MAX_FRAME_CHARS, telnyxWire } from "../../../src/carriers/telnyx/media-wire";
import { bytesToBase64, utf8 } from "../../../src/lib/encoding";

const parse = (frame: unknown) => telnyxWire.parse(typeof frame === "string" ? frame : JSON.stringify(frame));
const streamId = "32DE0DEA-53CB-4B21-89A4-9E1819C043BC";
const params = { CustomerId: "7", CallId: "vc_0123", StreamToken: "ab".repeat(32), Leg: "caller" };

/** The start frame of Telnyx's docs, with our parameters in client_state. */
const startFrame = (start: Record<string, unknown> = {}) => ({
  event: "start",
  sequence_number: "1",
  stream_id: streamId,
  start: {
    user_id: "3E6F995F-85F7-4705-9741-53B116D28237",
    call_control_id: "v2:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ",
    call_session_id: "ff55a038-6f5d-11ef-9692-02420aeffb1f",
    from: "+13122010094",
    to: "+13122123456",
    tags: ["TAG1", "TAG2"],
    client_state: encodeClientState(params),
    custom_parameters: { customer_id: "customer_123" },
    media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
    ...start,
  },
});

const media = (m: Record<string, unknown>) => ({ event: "media", sequence_number: "4", stream_id: streamId, media: m });

describe("Telnyx media wire: what Telnyx sends", () => {
  it("start: the stream, the call control id, and the parameters our answer put in client_state", () => {
    expect(parse(startFrame())).toEqual({
      ok: true,
      event: {
        kind: "start",
        streamId,
        callRef: "v2:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ",
        parameters: { customer_id: "customer_123", ...params },
      },
    });
  });

  it("start: custom_parameters as an object or as streaming_start's name/value list; client_state wins", () => {
    const list = parse(startFrame({ client_state: null, custom_parameters: [{ name: "Leg", value: "receiver" }] }));
    expect(list.ok && list.event.kind === "start" && list.event.parameters).toEqual({ Leg: "receiver" });
    const both = parse(startFrame({ custom_parameters: { Leg: "receiver", n: 5 } }));
    expect(both.ok && both.event.kind === "start" && both.event.parameters).toEqual(params);
    const foreign = parse(startFrame({ client_state: "aGF2ZSBhIG5pY2UgZGF5ID1d", custom_parameters: undefined }));
    expect(foreign.ok && foreign.event.kind === "start" && foreign.event.parameters).toEqual({});
  });

  it("start: refused unless it names the stream and the call and carries 8 kHz PCMU", () => {
    const { stream_id: _, ...noStream } = startFrame();
    for (const bad of [
      noStream,
      startFrame({ call_control_id: undefined }),
      startFrame({ media_format: { encoding: "PCMA", sample_rate: 8000, channels: 1 } }),
      startFrame({ media_format: { encoding: "PCMU", sample_rate: 16000, channels: 1 } }),
    ])
      expect(parse(bad)).toEqual({ ok: false, reason: "shape" });
    const lower = parse(startFrame({ media_format: { encoding: "pcmu", sample_rate: 8000 } }));
    expect(lower.ok).toBe(true);
  });

  it("media: the caller's audio with its timestamp (string or number); another track is nothing to act on", () => {
    const payload = bytesToBase64(new Uint8Array(160).fill(0x55));
    expect(parse(media({ track: "inbound", chunk: "2", timestamp: "5", payload }))).toEqual({
      ok: true,
      event: { kind: "media", timestampMs: 5, payload },
    });
    expect(parse(media({ timestamp: 40, payload }))).toEqual({
      ok: true,
      event: { kind: "media", timestampMs: 40, payload },
    });
    expect(parse(media({ track: "inbound_track", timestamp: "0", payload })).ok).toBe(true);
    expect(parse(media({ track: "outbound", timestamp: "5", payload }))).toEqual({
      ok: true,
      event: { kind: "other" },
    });
    for (const bad of [{ timestamp: "5" }, { timestamp: "-5", payload }, { timestamp: "1.5e3", payload }, { payload }])
      expect(parse(media(bad)), JSON.stringify(bad)).toEqual({ ok: false, reason: "shape" });
  });

  it("mark, dtmf and stop; connected, error and frames Telnyx may add later are `other`", () => {
    expect(parse({ event: "mark", sequence_number: "9", stream_id: streamId, mark: { name: "ai-3" } })).toEqual({
      ok: true,
      event: { kind: "mark", name: "ai-3" },
    });
    expect(parse({ event: "dtmf", stream_id: streamId, dtmf: { digit: "#" } })).toEqual({
      ok: true,
      event: { kind: "dtmf", digit: "#" },
    });
    expect(parse({ event: "stop", stop: { call_control_id: "v3:x" }, stream_id: streamId })).toEqual({
      ok: true,
      event: { kind: "stop" },
    });
    for (const other of [
      { event: "connected", version: "1.0.0" },
      { event: "error", payload: { code: 100002, title: "x", detail: "y" } },
      { event: "transcription", text: "hi" },
    ])
      expect(parse(other)).toEqual({ ok: true, event: { kind: "other" } });
  });

  it("rejects binary, oversized, non-JSON and shapeless frames, each with its reason", () => {
    expect(telnyxWire.parse(new ArrayBuffer(4))).toEqual({ ok: false, reason: "binary" });
    expect(telnyxWire.parse(`{"event":"media","x":"${"a".repeat(MAX_FRAME_CHARS)}"}`)).toEqual({
      ok: false,
      reason: "oversized",
    });
    expect(telnyxWire.parse("{not json")).toEqual({ ok: false, reason: "json" });
    for (const bad of [[], 5, null, { no: "event" }, { event: "mark", mark: {} }, { event: "dtmf" }])
      expect(parse(bad), JSON.stringify(bad)).toEqual({ ok: false, reason: "shape" });
  });
});

describe("Telnyx media wire: what we send", () => {
  it("media, mark and clear name the stream; names and payloads are JSON-escaped", () => {
    const out = telnyxWire.outgoing(streamId);
    expect(JSON.parse(out.media("AAEC"))).toEqual({ event: "media", stream_id: streamId, media: { payload: "AAEC" } });
    expect(JSON.parse(out.mark('a"b\\c'))).toEqual({ event: "mark", stream_id: streamId, mark: { name: 'a"b\\c' } });
    expect(JSON.parse(out.clear())).toEqual({ event: "clear", stream_id: streamId });
    expect(JSON.parse(telnyxWire.outgoing('we"ird').clear())).toEqual({ event: "clear", stream_id: 'we"ird' });
  });
});

describe("client_state", () => {
  it("round-trips a flat object of strings, unicode included", () => {
    const values = { CustomerId: "7", Name: "Zoë ☎" };
    expect(decodeClientState(encodeClientState(values))).toEqual(values);
  });

  it("is null when absent or not ours: not base64, not JSON, not an object of strings", () => {
    const b64 = (s: string) => bytesToBase64(utf8(s));
    for (const v of [null, undefined, "", "%%%", b64("not json"), b64("[1]"), b64('{"a":1}'), b64("null")])
      expect(decodeClientState(v), String(v)).toBeNull();
    expect(decodeClientState(bytesToBase64(new Uint8Array([0x7b, 0xff, 0x7d])))).toBeNull();
  });

  it("marks a speak that should end in a hang-up", () => {
    expect(hangsUpAfterSpeak(encodeClientState(HANGUP_AFTER_SPEAK))).toBe(true);
    expect(hangsUpAfterSpeak(encodeClientState(params))).toBe(false);
    expect(hangsUpAfterSpeak(null)).toBe(false);
  });
});
