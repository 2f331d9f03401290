import { finalizeRecording, NothingToFinalizeError } from "../recordings/finalize";
import { getCall, updateCall } from "../db/calls";
import { enqueueSentiment } from "../db/jobs";
import { nowIso } from "../lib/ids";
import type { LiveCall } from "./live-call";
import { stateOfOutcome } from "./receiver-leg";

/**
 * The end of a live call: the stored audio becomes the stereo recording in R2 (through the audio pipeline),
 * and the call record gets its end, duration and talk time. Talk time = how long media streamed (from the
 * first stream's start; for a translated call, from the receiver's answer); duration = from the call record's
 * creation (the webhook) to now. A receiver's outcome (src/live/receiver-leg.ts) also sets the record's state.
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
    if (!(e instanceof NothingToFinalizeError)) throw e; // the object retries with backoff (call-object.ts)
  }
  const talkFrom = plan.mode === "translate" ? state.answeredAt : state.epoch;
  const talkMs = talkFrom === null ? 0 : end.getTime() - talkFrom;
  if (plan.callId) {
    const row = await getCall(env.DB, plan.customerId, plan.callId);
    const began = row?.start_time ?? row?.created_at ?? null;
    const duration = began ? Math.max(0, Math.round((end.getTime() - Date.parse(began)) / 1000)) : null;
    const outcome = outcomeOf(call, row?.outcome ?? null);
    await updateCall(env.DB, plan.customerId, plan.callId, {
      state: (outcome ? stateOfOutcome(outcome) : null) ?? (state.epoch === null ? "Canceled" : "Completed"),
      end_time: nowIso(),
      duration_seconds: duration,
      talk_time_seconds: Math.round(talkMs / 1000),
      outcome,
    });
  }
  state.setEnded();
  // The recording is in R2 now: the raw chunks have done their job (the versions table stays, a few bytes).
  call.store.clear();
  // The transcript was drained before this runs; its sentiment is post-call work, on the queue.
  if (plan.callId) await enqueueSentiment(env, plan.customerId, plan.callId);
  console.log(JSON.stringify({ level: "info", msg: "live call ended", callId: plan.callId, reason }));
}

/**
 * The recording could not be finalized before the deadline: the call record says so, the object stops trying,
 * and the raw audio stays in the object's storage (never silently dropped) for a person to recover.
 */
export async function giveUpFinalizing(call: LiveCall, failures: { count: number; since: number }): Promise<void> {
  const { env, state, plan } = call;
  if (plan.callId) {
    await updateCall(env.DB, plan.customerId, plan.callId, {
      state: "Completed",
      end_time: nowIso(),
      outcome: "recording_failed",
    });
  }
  state.setEnded();
  console.error(
    JSON.stringify({
      level: "error",
      msg: "live call recording could not be finalized; its audio is kept in the call's object",
      callId: plan.callId,
      attempts: failures.count,
      failingSince: new Date(failures.since).toISOString(),
    }),
  );
}

/**
 * The call record's `outcome` (docs/live-calls.md, "Outcomes"): a fallback, else what the engine decided first
 * (`transferred`, a receiver's `receiver_*` outcome; a fallback is never taken once one is set), else what the record already says (set by whoever placed the call), else `completed` for a
 * call that connected.
 */
function outcomeOf(call: LiveCall, recorded: string | null): string | null {
  const { state } = call;
  if (state.fallback) return `ai_fallback:${state.fallback}`;
  return state.outcome ?? recorded ?? (state.epoch === null ? null : "completed");
}
