import { z } from "zod";
import type { LegEvent, MediaWire, OutgoingFrames } from "../../live/carrier";
import { jsonString } from "../../lib/encoding";

/**
 * Twilio Media Streams messages (docs/live-calls.md, "/streams"): parsed at the edge with zod so the bridge only ever sees
 * well-formed events. Numeric-looking fields arrive as strings; `timestamp` is turned into a number here.
 */
const str = z.string();
const connected = z.object({ event: z.literal("connected"), protocol: str.optional(), version: str.optional() });
const start = z.object({
  event: z.literal("start"),
  streamSid: str,
  start: z.object({
    streamSid: str.optional(),
    accountSid: str,
    callSid: str,
    tracks: z.array(str).default(["inbound"]),
    customParameters: z.record(str, str).default({}),
    mediaFormat: z.object({ encoding: str, sampleRate: z.number(), channels: z.number() }).optional(),
  }),
});
const media = z.object({
  event: z.literal("media"),
  streamSid: str.optional(),
  media: z.object({
    track: str.default("inbound"),
    chunk: str.optional(),
    timestamp: z.union([str, z.number()]).transform(Number).pipe(z.number().finite().nonnegative()),
    payload: str,
  }),
});
const mark = z.object({ event: z.literal("mark"), streamSid: str.optional(), mark: z.object({ name: str }) });
const dtmf = z.object({
  event: z.literal("dtmf"),
  streamSid: str.optional(),
  dtmf: z.object({ digit: str, track: str.optional() }),
});
const stop = z.object({
  event: z.literal("stop"),
  streamSid: str.optional(),
  stop: z.object({ callSid: str.optional(), accountSid: str.optional() }).optional(),
});

const twilioMessage = z.discriminatedUnion("event", [connected, start, media, mark, dtmf, stop]);
export type TwilioMessage = z.infer<typeof twilioMessage>;
export type MediaMessage = z.infer<typeof media>;

/** Twilio's frames are ~200 bytes; anything far beyond a few seconds of audio is not a real frame. */
export const MAX_FRAME_CHARS = 64 * 1024;

export type ParseResult =
  | { ok: true; message: TwilioMessage }
  | { ok: false; reason: "oversized" | "binary" | "json" | "shape" };

/** One WebSocket frame from Twilio → a typed message, or why it was rejected (the caller counts and skips it). */
export function parseTwilioFrame(data: string | ArrayBuffer): ParseResult {
  if (typeof data !== "string") return { ok: false, reason: "binary" };
  if (data.length > MAX_FRAME_CHARS) return { ok: false, reason: "oversized" };
  const fast = data.charCodeAt(10) === 109 /* m of "media"/"mark" */ ? matchHotFrame(data) : null;
  return fast ? { ok: true, message: fast } : parseTwilioJson(data);
}

/** The general path (and the reference the hot-path matcher is tested against): JSON.parse, then the schema. */
export function parseTwilioJson(data: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: "json" };
  }
  const fast = fastPath(raw);
  if (fast) return { ok: true, message: fast };
  const r = twilioMessage.safeParse(raw);
  return r.success ? { ok: true, message: r.data } : { ok: false, reason: "shape" };
}

/*
 * `media` and `mark` are ~99% of a call's frames, and Twilio writes them as compact JSON in a fixed key order.
 * Those exact texts are matched whole (anchored at both ends, so no duplicate keys or trailing garbage) and
 * their fields sliced out, without building the JSON object tree. Strings are matched only without escapes or
 * control characters, where the raw text is the value; anything else — other key orders, whitespace, escapes,
 * malformed frames — falls through to JSON.parse, which gives the same result (test/carriers/twilio-fast-parse).
 */
const SEQ = String.raw`"sequenceNumber":"\d{1,15}"`;
const STR = String.raw`"([^"\\\u0000-\u001f]*)"`;
const MEDIA_BODY = String.raw`"media":\{"track":${STR},"chunk":${STR},"timestamp":"(\d{1,15})","payload":"([A-Za-z0-9+/=]*)"\}`;
/** Twilio's order: event, sequenceNumber, media, streamSid. */
const MEDIA_TWILIO = new RegExp(String.raw`^\{"event":"media",${SEQ},${MEDIA_BODY},"streamSid":${STR}\}$`);
/** Our test client's order (test/live/twilio-client.ts): event, sequenceNumber, streamSid, media. */
const MEDIA_SID_FIRST = new RegExp(String.raw`^\{"event":"media",${SEQ},"streamSid":${STR},${MEDIA_BODY}\}$`);
/** Where sequenceNumber's value starts in a canonical media frame (after `{"event":"media","sequenceNumber":"`). */
const MEDIA_SEQ_VALUE_AT = '{"event":"media","sequenceNumber":"'.length;
const MARK = new RegExp(String.raw`^\{"event":"mark",${SEQ},"streamSid":${STR},"mark":\{"name":${STR}\}\}$`);

/** Exported for its test: the hot-path match alone (null = not a canonical media/mark frame). */
export function matchHotFrame(data: string): MediaMessage | Extract<TwilioMessage, { event: "mark" }> | null {
  if (data.startsWith('{"event":"media",')) {
    // The key after sequenceNumber's value says which order this is: one regular expression per frame, not two.
    const sidFirst = data.charCodeAt(data.indexOf('"', MEDIA_SEQ_VALUE_AT) + 3) === 115; /* s of "streamSid" */
    let m = sidFirst ? null : MEDIA_TWILIO.exec(data);
    if (m)
      return {
        event: "media",
        streamSid: m[5]!,
        media: { track: m[1]!, chunk: m[2]!, timestamp: Number(m[3]), payload: m[4]! },
      };
    m = sidFirst ? MEDIA_SID_FIRST.exec(data) : null;
    if (m)
      return {
        event: "media",
        streamSid: m[1]!,
        media: { track: m[2]!, chunk: m[3]!, timestamp: Number(m[4]), payload: m[5]! },
      };
    return null;
  }
  if (data.startsWith('{"event":"mark",')) {
    const m = MARK.exec(data);
    if (m) return { event: "mark", streamSid: m[1]!, mark: { name: m[2]! } };
  }
  return null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * After JSON.parse, `media` and `mark` are still checked by hand (the same rules as the schema) because zod's
 * generic walk showed up in the bridge's CPU profile. Anything unusual falls through to the schema.
 */
function fastPath(raw: unknown): MediaMessage | Extract<TwilioMessage, { event: "mark" }> | null {
  if (!isObject(raw)) return null;
  const streamSid = raw.streamSid;
  if (streamSid !== undefined && typeof streamSid !== "string") return null;
  if (raw.event === "media" && isObject(raw.media)) {
    const { track, chunk, timestamp, payload } = raw.media;
    const ts = Number(timestamp);
    const tsOk = (typeof timestamp === "string" || typeof timestamp === "number") && Number.isFinite(ts) && ts >= 0;
    if (
      !tsOk ||
      typeof payload !== "string" ||
      (track !== undefined && typeof track !== "string") ||
      (chunk !== undefined && typeof chunk !== "string")
    )
      return null;
    return { event: "media", streamSid, media: { track: track ?? "inbound", chunk, timestamp: ts, payload } };
  }
  if (raw.event === "mark" && isObject(raw.mark) && typeof raw.mark.name === "string") {
    return { event: "mark", streamSid, mark: { name: raw.mark.name } };
  }
  return null;
}

// ── what we send: media, mark, clear ──

/**
 * A stream's outgoing `media` and `mark` frames. The JSON up to the payload / name is built once per stream
 * (they are sent for every chunk of the call's audio); each call only adds the escaped value.
 */
export function outgoingFrames(streamSid: string): OutgoingFrames {
  const sid = JSON.stringify(streamSid);
  const media = `{"event":"media","streamSid":${sid},"media":{"payload":`;
  const mark = `{"event":"mark","streamSid":${sid},"mark":{"name":`;
  const clear = clearOut(streamSid);
  return {
    media: (payload) => `${media}${jsonString(payload)}}}`,
    mark: (name) => `${mark}${JSON.stringify(name)}}}`,
    clear: () => clear,
  };
}
export const clearOut = (streamSid: string) => JSON.stringify({ event: "clear", streamSid });

// ── the engine's view of a frame (src/live/carrier.ts) ──

function legEvent(m: TwilioMessage): LegEvent {
  switch (m.event) {
    case "media":
      return { kind: "media", timestampMs: m.media.timestamp, payload: m.media.payload };
    case "mark":
      return { kind: "mark", name: m.mark.name };
    case "start":
      return { kind: "start", streamId: m.streamSid, callRef: m.start.callSid, parameters: m.start.customParameters };
    case "dtmf":
      return { kind: "dtmf", digit: m.dtmf.digit };
    case "stop":
      return { kind: "stop" };
    default:
      return { kind: "other" };
  }
}

/** Twilio Media Streams as the live engine sees them. */
export const twilioWire: MediaWire = {
  parse(data) {
    const r = parseTwilioFrame(data);
    return r.ok ? { ok: true, event: legEvent(r.message) } : r;
  },
  outgoing: outgoingFrames,
};
