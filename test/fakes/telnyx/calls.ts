/**
 * The call-control half of the fake Telnyx (`/v2/calls…`): Bearer API keys, JSON bodies checked field by field,
 * Telnyx's error body `{errors: [{code, title, detail, source: {pointer}}]}` (422 for a bad field, 404 for an
 * unknown call, 401 for a bad key), `command_id` de-duplication, and every command kept for assertions.
 * Error code 90018 (call already ended) is Telnyx's; the fake's other codes are its own (docs/telnyx.md).
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "../http";
import type { Signer } from "./signing";

export interface Account {
  apiKey: string;
  connectionId: string;
  /** Numbers the account owns; when non-empty, a dial `from` another number is refused. */
  numbers: string[];
  signer: Signer;
}

export interface FakeCall {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  apiKey: string;
  connection_id: string;
  from: string;
  to: string;
  direction: "incoming" | "outgoing";
  state: "parked" | "ringing" | "answered" | "hangup";
  client_state: string | null;
  streaming: Record<string, unknown> | null;
  start_time: string;
  end_time: string | null;
  /** Where a transfer sent it, and what a speak said; for assertions. */
  transferredTo: string | null;
  spoken: string[];
}

export interface Command {
  apiKey: string;
  method: string;
  path: string;
  action: string;
  callControlId: string | null;
  body: Record<string, unknown>;
  status: number;
  /** Repeated command_id: Telnyx ignores it. */
  duplicate?: boolean;
}

export interface Failure {
  pathPattern: string;
  status: number;
  errors: Record<string, unknown>[];
  times: number;
}

type Problem = { status: number; code: string; title: string; detail: string; pointer?: string };
export const telnyxError = (res: ServerResponse, p: Problem) =>
  sendJson(res, p.status, {
    errors: [
      { code: p.code, title: p.title, detail: p.detail, ...(p.pointer ? { source: { pointer: p.pointer } } : {}) },
    ],
  });
const invalid = (field: string, detail: string): Problem => ({
  status: 422,
  code: "10015",
  title: "Invalid parameter",
  detail,
  pointer: `/${field}`,
});

const E164 = /^\+[1-9]\d{5,14}$/;
const oneOf = (v: unknown, values: readonly string[]) => v === undefined || values.includes(String(v));
const isBase64 = (v: string) => v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
const LANGUAGES = ["en-US", "en-GB", "en-AU", "de-DE", "es-ES", "es-US", "fr-FR", "fr-CA", "it-IT", "pt-BR"];

/** The stream and state fields answer, dial and streaming_start share, checked as Telnyx documents them. */
function checkCommon(b: Record<string, unknown>): Problem | null {
  if (b.client_state !== undefined && (typeof b.client_state !== "string" || !isBase64(b.client_state)))
    return invalid("client_state", "client_state must be a valid Base-64 encoded string");
  if (b.stream_url !== undefined && !/^wss?:\/\/[^/\s]+/.test(String(b.stream_url)))
    return invalid("stream_url", "stream_url must be a ws:// or wss:// URL");
  if (!oneOf(b.stream_track, ["inbound_track", "outbound_track", "both_tracks"]))
    return invalid("stream_track", "stream_track is not one of inbound_track, outbound_track, both_tracks");
  if (!oneOf(b.stream_codec, ["PCMU", "PCMA", "G722", "OPUS", "AMR-WB", "L16", "default"]))
    return invalid("stream_codec", "stream_codec is not a supported codec");
  if (!oneOf(b.stream_bidirectional_mode, ["mp3", "rtp"]))
    return invalid("stream_bidirectional_mode", "stream_bidirectional_mode is not one of mp3, rtp");
  if (!oneOf(b.stream_bidirectional_codec, ["PCMU", "PCMA", "G722", "OPUS", "AMR-WB", "L16"]))
    return invalid("stream_bidirectional_codec", "stream_bidirectional_codec is not a supported codec");
  return null;
}

const streamingOf = (b: Record<string, unknown>) =>
  b.stream_url
    ? Object.fromEntries(Object.entries(b).filter(([k]) => k.startsWith("stream_") || k === "custom_parameters"))
    : null;

export function newCall(a: Account, p: Partial<FakeCall> & { from: string; to: string }): FakeCall {
  return {
    call_control_id: `v3:${randomUUID().replace(/-/g, "")}`,
    call_leg_id: randomUUID(),
    call_session_id: randomUUID(),
    apiKey: a.apiKey,
    connection_id: a.connectionId,
    direction: "incoming",
    state: "parked",
    client_state: null,
    streaming: null,
    start_time: new Date().toISOString(),
    end_time: null,
    transferredTo: null,
    spoken: [],
    ...p,
  };
}

/** POST /v2/calls: a new outgoing leg through the account's connection. */
export function dial(a: Account, b: Record<string, unknown>): { problem: Problem } | { call: FakeCall } {
  if (b.connection_id !== a.connectionId)
    return { problem: invalid("connection_id", "connection_id is not a Call Control application of this account") };
  if (typeof b.to !== "string" || !(E164.test(b.to) || b.to.startsWith("sip:")))
    return { problem: invalid("to", "to must be an E.164 number or a SIP URI") };
  if (typeof b.from !== "string" || !E164.test(b.from))
    return { problem: invalid("from", "from must be an E.164 number") };
  if (a.numbers.length && !a.numbers.includes(b.from))
    return { problem: invalid("from", `from ${b.from} is not a number of this account`) };
  const t = b.timeout_secs;
  if (t !== undefined && (!Number.isInteger(t) || Number(t) < 5 || Number(t) > 600))
    return { problem: invalid("timeout_secs", "timeout_secs must be an integer from 5 to 600") };
  const common = checkCommon(b);
  if (common) return { problem: common };
  const call = newCall(a, { from: b.from, to: b.to, direction: "outgoing", state: "ringing" });
  call.client_state = typeof b.client_state === "string" ? b.client_state : null;
  call.streaming = streamingOf(b);
  return { call };
}

/**
 * POST /v2/calls/{id}/actions/{action} on a live call; null = done (answer `{data: {result: "ok"}}`), and the
 * command's client_state is the call's from then on.
 */
export function act(call: FakeCall, action: string, b: Record<string, unknown>): Problem | null {
  const problem = checkCommon(b) ?? command(call, action, b);
  if (!problem && typeof b.client_state === "string") call.client_state = b.client_state;
  return problem;
}

function command(call: FakeCall, action: string, b: Record<string, unknown>): Problem | null {
  switch (action) {
    case "answer":
      if (call.direction !== "incoming" || call.state !== "parked")
        return {
          status: 422,
          code: "90034",
          title: "Call is not parked",
          detail: "Only a parked incoming call can be answered.",
        };
      call.state = "answered";
      call.streaming = streamingOf(b);
      return null;
    case "hangup":
      call.state = "hangup";
      call.end_time = new Date().toISOString();
      call.streaming = null;
      return null;
    case "transfer":
      if (typeof b.to !== "string" || !(E164.test(b.to) || b.to.startsWith("sip:")))
        return invalid("to", "to must be an E.164 number or a SIP URI");
      if (b.from !== undefined && (typeof b.from !== "string" || !E164.test(b.from)))
        return invalid("from", "from must be an E.164 number");
      call.transferredTo = b.to;
      return null;
    case "speak":
      if (typeof b.payload !== "string" || !b.payload || b.payload.length > 3000)
        return invalid("payload", "payload is required (at most 3,000 characters)");
      if (typeof b.voice !== "string" || !b.voice) return invalid("voice", "voice is required");
      if (!oneOf(b.payload_type, ["text", "ssml"])) return invalid("payload_type", "payload_type is not text or ssml");
      if (!oneOf(b.language, LANGUAGES)) return invalid("language", "language is not supported");
      call.spoken.push(b.payload);
      return null;
    case "streaming_start":
      if (typeof b.stream_url !== "string") return invalid("stream_url", "stream_url is required");
      call.streaming = streamingOf(b);
      return null;
    case "streaming_stop":
      if (!call.streaming)
        return { status: 422, code: "90035", title: "No active stream", detail: "The call is not streaming." };
      call.streaming = null;
      return null;
    default:
      return { status: 404, code: "10005", title: "Resource not found", detail: `Unknown call command ${action}` };
  }
}

export const callStatus = (c: FakeCall) => ({
  call_control_id: c.call_control_id,
  call_leg_id: c.call_leg_id,
  call_session_id: c.call_session_id,
  is_alive: c.state !== "hangup",
  record_type: "call",
  start_time: c.start_time,
  ...(c.end_time ? { end_time: c.end_time } : {}),
  ...(c.client_state ? { client_state: c.client_state } : {}),
});
