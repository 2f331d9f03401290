import { getAssistantForNumber } from "../../db/assistants";
import {
  isEnded,
  movesForward,
  OUTCOME_OF_END,
  updateCallStmt,
  type CallPatch,
  type CallRow,
  type CallState,
} from "../../db/calls";
import type { Env } from "../../env";
import { normalizePhone } from "../../lib/phone";
import { prepareLiveCall } from "../../live/entry";
import { streamToken } from "../../live/stream-token";
import type { TelnyxAccount } from "./account";
import { createTelnyxCall, findTelnyxCall } from "./call-record";
import { telnyxControlFor } from "./carrier";
import { afterSpeak, decodeClientState } from "./client-state";
import type { TelnyxEventOf } from "./events";
import { markSeenStmt, seenEvent, writeOnce } from "./webhook";

/** What the webhook answers Telnyx (a 200 in every case: Telnyx only needs to know it arrived). */
export type Handled = { handled: string } | { ignored: string };

/** `call.hangup`'s hangup_cause → the call records' final state (docs/telnyx.md, "Call events"). */
export function stateOfHangup(cause: string | undefined): CallState {
  switch (cause) {
    case undefined:
    case "normal_clearing":
    case "time_limit":
      return "Completed";
    case "originator_cancel":
      return "Canceled";
    case "user_busy":
      return "Busy";
    case "timeout":
    case "no_answer":
      return "NoAnswer";
    default:
      return "Failed";
  }
}

const seconds = (fromIso: string, toIso: string) =>
  Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));

type LegIds = { call_control_id: string; call_leg_id?: string | null; call_session_id?: string | null };
const idsOf = (p: LegIds) => ({
  callControlId: p.call_control_id,
  callLegId: p.call_leg_id || null,
  callSessionId: p.call_session_id || null,
});

/**
 * `call.initiated`: the record of the call (carrier telnyx, its direction, Ringing, the end user's phone ticket).
 * An inbound call to a number with an assistant is answered with a bidirectional PCMU stream into the call's
 * object, which starts opening OpenAI at once. A leg our own engine dialed (its client_state says so) is part of
 * the call that dialed it, not a call of its own.
 */
export async function onCallInitiated(
  env: Env,
  ctx: ExecutionContext,
  origin: string,
  account: TelnyxAccount,
  e: TelnyxEventOf<"call.initiated">,
): Promise<Handled> {
  const p = e.payload;
  const customerId = account.customerId;
  if (await seenEvent(env.DB, customerId, e.id)) return { ignored: "already handled" };
  if (decodeClientState(p.client_state)?.Leg === "receiver") return { ignored: "a leg the call engine dialed" };
  const inbound = p.direction === "incoming";
  const to = normalizePhone(p.to) ?? p.to;
  const assistant = inbound ? await getAssistantForNumber(env.DB, customerId, to) : null;
  const call = await createTelnyxCall(env.DB, {
    customerId,
    ids: idsOf(p),
    direction: inbound ? "Inbound" : "Outbound",
    from: p.from,
    to: p.to,
    state: "Ringing",
    mode: assistant ? "assistant" : "plain",
    assistantId: assistant?.id ?? null,
    startTime: null,
  });
  if (assistant && !isEnded(call.state)) {
    const key = p.call_control_id;
    const parameters: Record<string, string> = {
      To: call.to_number ?? to,
      From: call.from_number ?? p.from,
      Mode: "assistant",
      CustomerId: String(customerId),
      CallId: call.id,
      AssistantId: String(assistant.id),
      StreamToken: await streamToken(env, { customerId, key, leg: "caller", callId: call.id }),
    };
    prepareLiveCall(env, ctx, key, "telnyx", parameters);
    // Answered with the same command_id every time: a redelivered call.initiated is a no-op at Telnyx.
    await (await telnyxControlFor(env, customerId)).answer(key, { key, origin, parameters });
  }
  await markSeenStmt(env.DB, customerId, e.id).run();
  return { handled: assistant ? "answered with the assistant" : "recorded" };
}

/**
 * `call.answered`: the call is in progress from the event's time. Arriving after its hangup (Telnyx does not
 * promise order), it still gives the record its start and duration; the final state stays.
 */
export async function onCallAnswered(env: Env, account: TelnyxAccount, e: TelnyxEventOf<"call.answered">) {
  const call = await findTelnyxCall(env.DB, account.customerId, idsOf(e.payload));
  if (!call) return { ignored: "no record of this call" };
  const patch: CallPatch = {};
  if (movesForward(call.state, "InProgress")) patch.state = "InProgress";
  if (!call.start_time || Date.parse(e.occurredAt) < Date.parse(call.start_time)) patch.start_time = e.occurredAt;
  if (call.end_time && patch.start_time) patch.duration_seconds = seconds(patch.start_time, call.end_time);
  return applyPatch(env, account, e.id, call, patch, "answered");
}

/** `call.hangup`: the final state from its hangup_cause, the end time, the duration once it was answered. */
export async function onCallHangup(env: Env, account: TelnyxAccount, e: TelnyxEventOf<"call.hangup">) {
  const call = await findTelnyxCall(env.DB, account.customerId, idsOf(e.payload));
  if (!call) return { ignored: "no record of this call" };
  const patch: CallPatch = {};
  if (!isEnded(call.state)) {
    const state = stateOfHangup(e.payload.hangup_cause);
    patch.state = state;
    patch.end_time = e.occurredAt;
    if (call.start_time) patch.duration_seconds = seconds(call.start_time, e.occurredAt);
    if (state !== "Completed" && call.outcome === null) patch.outcome = OUTCOME_OF_END[state] ?? undefined;
  }
  return applyPatch(env, account, e.id, call, patch, "hung up");
}

/** `call.speak.ended` after our say-and-hang-up or announced transfer (control.ts): now comes the rest of it. */
export async function onSpeakEnded(env: Env, account: TelnyxAccount, e: TelnyxEventOf<"call.speak.ended">) {
  const next = afterSpeak(e.payload.client_state);
  if (!next) return { ignored: "not a say-and-hang-up or an announced transfer" };
  if (await seenEvent(env.DB, account.customerId, e.id)) return { ignored: "already handled" };
  const control = await telnyxControlFor(env, account.customerId);
  const ref = e.payload.call_control_id;
  if (next.then === "hangup") await control.hangUp(ref, false);
  else await control.transfer(ref, { kind: "number", number: next.to }, next.from);
  await markSeenStmt(env.DB, account.customerId, e.id).run();
  return { handled: next.then === "hangup" ? "hung up after speaking" : "transferred after the announcement" };
}

async function applyPatch(
  env: Env,
  account: TelnyxAccount,
  eventId: string,
  call: CallRow,
  patch: CallPatch,
  what: string,
): Promise<Handled> {
  const stmts = Object.keys(patch).length ? [updateCallStmt(env.DB, account.customerId, call.id, patch)] : [];
  const fresh = await writeOnce(env.DB, account.customerId, eventId, stmts);
  return fresh ? { handled: what } : { ignored: "already handled" };
}
