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

/**
 * What identifies a call leg in every call event (the telnyx SDK's webhook types, where every field is optional).
 * `call_control_id` is required: it is the call's key (its record's call_sid, the name of its object) and what
 * every command is sent to. `call_leg_id` and `call_session_id` only add ids the call can be found by, and
 * `connection_id` only says which tenant the event is for: a delivery without it is matched by a number the tenant
 * owns (webhook.ts), and whatever needs the connection takes it from the tenant's account.
 */
const leg = {
  call_control_id: str.min(1),
  call_leg_id: str.nullish(),
  call_session_id: str.nullish(),
  connection_id: str.nullish(),
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
/**
 * `call.recording.saved`: the SDK's type has `call_leg_id` and `call_session_id` but no `call_control_id` or
 * `recording_id` (some of Telnyx's examples carry them). The leg's id is required unless the event names the recording
 * (`recording_id`) and the call by another id: without a recording_id, the leg is what the copy is named by.
 */
const callRecordingSaved = z
  .object({
    call_control_id: str.min(1).nullish(),
    call_leg_id: str.nullish(),
    call_session_id: str.nullish(),
    connection_id: str.nullish(),
    client_state: str.nullish(),
    recording_id: str.nullish(),
    channels: z.enum(["single", "dual"]).default("single"),
    recording_started_at: isoDate.optional(),
    recording_ended_at: isoDate.optional(),
    /** Valid for 10 minutes (docs/telnyx.md, "Recordings"). */
    recording_urls: recordingUrls,
    public_recording_urls: recordingUrls.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.call_leg_id || (p.recording_id && (p.call_control_id || p.call_session_id))) return;
    ctx.addIssue({
      code: "custom",
      path: ["call_leg_id"],
      message: "is required unless recording_id and call_control_id (or call_session_id) are given",
    });
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
