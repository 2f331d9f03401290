import { z } from "zod";
import type { ValidationIssue } from "../../lib/errors";
import { toIssues } from "../../lib/validate";
import { aiEndedPayload, aiResponsePayload, aiToolCallPayload, aiTranscriptPayload } from "./ai-events";

/**
 * Telnyx webhook deliveries (docs/telnyx.md, "Webhook envelope"): `{data: {record_type, id, event_type,
 * occurred_at, payload}, meta: {attempt, delivered_to}}`. Read leniently — unknown fields are ignored and an
 * event type we do not handle parses as `unknown` (the webhook answers 200 and ignores it) — but an envelope
 * or a handled payload without what its record needs fails, naming each field (`data.payload.call_leg_id`).
 */
const str = z.string();
const isoDate = z.iso.datetime({ offset: true });
const url = z.url({ protocol: /^https?$/ });

export const telnyxEnvelope = z.object({
  data: z.object({
    record_type: str.optional(),
    id: str.min(1),
    event_type: str.min(1),
    occurred_at: isoDate,
    payload: z.record(str, z.unknown()),
  }),
  meta: z.object({ attempt: z.number().int().optional(), delivered_to: str.optional() }).optional(),
});

/** What identifies a call leg in every call event (verified against the telnyx SDK's webhook types). */
const leg = {
  call_control_id: str.min(1),
  call_leg_id: str.min(1),
  call_session_id: str.optional(),
  connection_id: str.min(1),
  client_state: str.nullish(),
  from: str.optional(),
  to: str.optional(),
  start_time: isoDate.optional(),
};

const callInitiated = z.object({
  ...leg,
  from: str.min(1),
  to: str.min(1),
  /** "incoming" or "outgoing" today; kept as a string so a new value is not a refusal. */
  direction: str.min(1),
  state: str.optional(),
  caller_id_name: str.optional(),
});
const callAnswered = z.object(leg);
const callHangup = z.object({
  ...leg,
  /** normal_clearing, originator_cancel, timeout, time_limit, user_busy, not_found, no_answer, call_rejected, unspecified */
  hangup_cause: str.optional(),
  hangup_source: str.optional(),
  sip_hangup_cause: str.optional(),
});
const recordingUrls = z.object({ wav: url.nullish(), mp3: url.nullish() });
const callRecordingSaved = z.object({
  call_control_id: str.min(1).optional(),
  call_leg_id: str.min(1),
  call_session_id: str.optional(),
  connection_id: str.min(1),
  client_state: str.nullish(),
  recording_id: str.optional(),
  channels: z.enum(["single", "dual"]).default("single"),
  recording_started_at: isoDate.optional(),
  recording_ended_at: isoDate.optional(),
  /** Valid for 10 minutes (docs/telnyx.md, "Recordings"). */
  recording_urls: recordingUrls,
  public_recording_urls: recordingUrls.optional(),
});
const callSpeakEnded = z.object({ ...leg, status: str.optional() });

const payloads = {
  "call.initiated": callInitiated,
  "call.answered": callAnswered,
  "call.hangup": callHangup,
  "call.recording.saved": callRecordingSaved,
  "call.speak.ended": callSpeakEnded,
  "ai.assistant.transcript": aiTranscriptPayload,
  "ai.assistant.response": aiResponsePayload,
  "ai.assistant.tool_call": aiToolCallPayload,
  "ai.assistant.ended": aiEndedPayload,
  "call.conversation.ended": aiEndedPayload,
} as const;

export type TelnyxEventType = keyof typeof payloads;

interface Delivery {
  /** Telnyx's event id: the same on every redelivery (the key for "seen already"). */
  id: string;
  occurredAt: string;
  /** Which delivery attempt this is, when Telnyx says. */
  attempt: number | null;
}

export type TelnyxEvent =
  | { [T in TelnyxEventType]: Delivery & { type: T; payload: z.output<(typeof payloads)[T]> } }[TelnyxEventType]
  | (Delivery & { type: "unknown"; eventType: string });

export type TelnyxEventOf<T extends TelnyxEventType> = Extract<TelnyxEvent, { type: T }>;

export type ParsedEvent = { ok: true; event: TelnyxEvent } | { ok: false; issues: ValidationIssue[] };

const isHandled = (t: string): t is TelnyxEventType => Object.hasOwn(payloads, t);

/** One webhook body (already JSON-parsed) → a typed event, or every issue with its path from the root. */
export function parseTelnyxEvent(body: unknown): ParsedEvent {
  const env = telnyxEnvelope.safeParse(body);
  if (!env.success) return { ok: false, issues: toIssues(env.error.issues) };
  const { data, meta } = env.data;
  const delivery: Delivery = { id: data.id, occurredAt: data.occurred_at, attempt: meta?.attempt ?? null };
  const type = data.event_type;
  if (!isHandled(type)) return { ok: true, event: { ...delivery, type: "unknown", eventType: type } };
  const payload = payloads[type].safeParse(data.payload);
  if (!payload.success) {
    const issues = payload.error.issues.map((i) => ({ ...i, path: ["data", "payload", ...i.path] }));
    return { ok: false, issues: toIssues(issues) };
  }
  return { ok: true, event: { ...delivery, type, payload: payload.data } as TelnyxEvent };
}
