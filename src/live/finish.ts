import { afterCallEnded } from "../ai/sentiment";
import { finalizeRecording, NothingToFinalizeError } from "../recordings/finalize";
import { getCall, updateCall } from "../db/calls";
import { nowIso } from "../lib/ids";
import type { LiveCall } from "./live-call";
import { stateOfOutcome } from "./receiver-leg";

/**
 * The end of a live call: the stored audio becomes the stereo recording in R2 (through the audio pipeline),
 * and the call record gets its end, duration and talk time. Talk time = how long media streamed (from the
 * first stream's start; for a translated call, from the receiver's answer); duration = from the call record's
 * creation (the webhook) to now. A receiver's outcome (src/live/receiver-leg.ts) sets the state and `outcome`.
 */
export async function finishCall(call: LiveCall, reason: string): Promise<void> {
  const { env, state, plan } = call;
  const end = new Date();
  try {
    const rec = await finalizeRecording(env, call.store, {
      customerId: plan.customerId,
      ticketId: plan.ticketId,
      callId: plan.callId,
      source: "live",
      startedAt: state.epoch === null ? undefined : new Date(state.epoch).toISOString(),
    });
    state.setRecordingId(rec.id);
  } catch (e) {
    if (!(e instanceof NothingToFinalizeError)) throw e; // the alarm retries a failed finalize
  }
  const talkFrom = plan.mode === "translate" ? state.answeredAt : state.epoch;
  const talkMs = talkFrom === null ? 0 : end.getTime() - talkFrom;
  const outcome = state.outcome ?? (state.fallback ? `ai_fallback:${state.fallback}` : null);
  if (plan.callId) {
    const row = await getCall(env.DB, plan.customerId, plan.callId);
    const began = row?.start_time ?? row?.created_at ?? null;
    const duration = began ? Math.max(0, Math.round((end.getTime() - Date.parse(began)) / 1000)) : null;
    await updateCall(env.DB, plan.customerId, plan.callId, {
      state: (outcome ? stateOfOutcome(outcome) : null) ?? (state.epoch === null ? "Canceled" : "Completed"),
      end_time: nowIso(),
      duration_seconds: duration,
      talk_time_seconds: Math.round(talkMs / 1000),
      outcome: outcome ?? row?.outcome ?? null,
    });
  }
  state.setEnded();
  // The transcript was drained before this runs; the object stays alive for the classification, nothing waits on it.
  if (plan.callId) await afterCallEnded(env, plan.customerId, plan.callId);
  console.log(JSON.stringify({ level: "info", msg: "live call ended", callId: plan.callId, reason }));
}
