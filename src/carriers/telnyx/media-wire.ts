import { z } from "zod";
import type { LegEvent, MediaWire, OutgoingFrames, ParsedFrame } from "../../live/carrier";
import { jsonString } from "../../lib/encoding";
import { decodeClientState } from "./client-state";

/**
 * Telnyx media streaming frames (docs/telnyx.md, "Media stream"), as the live engine sees them. Telnyx sends
 * `connected`, `start`, `media`, `mark`, `dtmf`, `error` and `stop`; we send `media`, `mark` and `clear`.
 *
 * The wire is stateless, one event per frame, like every MediaWire: media that Telnyx delivers out of order
 * reaches the engine out of order, each frame with its own timestamp. The recording is laid out by timestamp
 * anyway; docs/telnyx.md ("Out-of-order media") explains why the model's input is not re-ordered here.
 */
const str = z.string();

/** Frames of 20 ms are ~250 characters; anything far beyond a few seconds of audio is not a real frame. */
export const MAX_FRAME_CHARS = 64 * 1024;

const customParameters = z.union([
  z.record(str, z.unknown()),
  z
    .array(z.object({ name: str, value: z.unknown() }))
    .transform((a) => Object.fromEntries(a.map((p) => [p.name, p.value]))),
]);

const start = z.object({
  event: z.literal("start"),
  stream_id: str.min(1),
  start: z.object({
    call_control_id: str.min(1),
    client_state: str.nullish(),
    custom_parameters: customParameters.nullish(),
    media_format: z
      .object({
        encoding: str.refine((e) => e.toUpperCase() === "PCMU", "the engine takes PCMU (μ-law) audio only"),
        sample_rate: z.literal(8000),
        channels: z.literal(1).optional(),
      })
      .optional(),
  }),
});

/** Our parameters ride in client_state (see control.ts); custom_parameters are read too, string values only. */
function parametersOf(s: z.infer<typeof start>["start"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.custom_parameters ?? {})) if (typeof v === "string") out[k] = v;
  return { ...out, ...decodeClientState(s.client_state) };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Telnyx names the caller's track "inbound" (docs) or "inbound_track" (as in stream_track); absent = inbound. */
const isInbound = (track: unknown) => track === undefined || track === "inbound" || track === "inbound_track";

/** `media.timestamp`: milliseconds since the stream started, as a number or a string of digits. */
function millis(v: unknown): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Media and marks are nearly every frame of a call: they are checked by hand, without zod's generic walk. */
function legEvent(f: Json): LegEvent | null {
  switch (f.event) {
    case "media": {
      const m = f.media;
      if (!isObject(m) || typeof m.payload !== "string") return null;
      if (!isInbound(m.track)) return { kind: "other" };
      const ts = millis(m.timestamp);
      return ts === null ? null : { kind: "media", timestampMs: ts, payload: m.payload };
    }
    case "mark":
      return isObject(f.mark) && typeof f.mark.name === "string" ? { kind: "mark", name: f.mark.name } : null;
    case "dtmf":
      return isObject(f.dtmf) && typeof f.dtmf.digit === "string" ? { kind: "dtmf", digit: f.dtmf.digit } : null;
    case "stop":
      return { kind: "stop" };
    case "start": {
      const s = start.safeParse(f);
      if (!s.success) return null;
      return {
        kind: "start",
        streamId: s.data.stream_id,
        callRef: s.data.start.call_control_id,
        parameters: parametersOf(s.data.start),
      };
    }
    default:
      // connected, error, and whatever Telnyx adds later: nothing for the engine to act on.
      return typeof f.event === "string" ? { kind: "other" } : null;
  }
}

export function parseTelnyxFrame(data: string | ArrayBuffer): ParsedFrame {
  if (typeof data !== "string") return { ok: false, reason: "binary" };
  if (data.length > MAX_FRAME_CHARS) return { ok: false, reason: "oversized" };
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: "json" };
  }
  const event = isObject(raw) ? legEvent(raw) : null;
  return event ? { ok: true, event } : { ok: false, reason: "shape" };
}

/**
 * A stream's outgoing frames, the JSON up to the payload / name built once per stream (they go out for every
 * chunk of the call's audio). `stream_id` names the stream as in Telnyx's own frames (docs/telnyx.md).
 */
export function telnyxOutgoing(streamId: string): OutgoingFrames {
  const id = JSON.stringify(streamId);
  const media = `{"event":"media","stream_id":${id},"media":{"payload":`;
  const mark = `{"event":"mark","stream_id":${id},"mark":{"name":`;
  const clear = `{"event":"clear","stream_id":${id}}`;
  return {
    media: (payload) => `${media}${jsonString(payload)}}}`,
    mark: (name) => `${mark}${JSON.stringify(name)}}}`,
    clear: () => clear,
  };
}

/** Telnyx media streaming as the live engine sees it. */
export const telnyxWire: MediaWire = { parse: parseTelnyxFrame, outgoing: telnyxOutgoing };
