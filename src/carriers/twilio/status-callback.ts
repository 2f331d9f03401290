import { getCallBySid, stateFromTwilio, updateCall, type CallPatch, type CallState } from "../../db/calls";

/** Progress order of call states; a late, out-of-order callback never moves a call back. */
const RANK: Record<CallState, number> = { Queued: 0, Ringing: 1, InProgress: 2, Completed: 3, Busy: 3, NoAnswer: 3, Failed: 3, Canceled: 3 };

const isoOf = (twilioTime: string | null): string | null => {
  const t = twilioTime ? Date.parse(twilioTime) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
};

/**
 * Applies a call-progress status callback (initiated, ringing, answered, completed) to the tenant's call record
 * of that CallSid. Callbacks for calls we have no record of (e.g. a child leg) are acknowledged and ignored.
 */
export async function applyStatusCallback(db: D1Database, customerId: number, params: URLSearchParams) {
  const callSid = params.get("CallSid") ?? "";
  const status = params.get("CallStatus") ?? "";
  const call = /^CA[0-9a-fA-F]{32}$/.test(callSid) ? await getCallBySid(db, customerId, "twilio", callSid) : null;
  if (!call || !status) return { updated: false };
  const state = stateFromTwilio(status);
  if (RANK[state] <= RANK[call.state]) return { updated: false, state: call.state };
  const at = isoOf(params.get("Timestamp")) ?? new Date().toISOString();
  const patch: CallPatch = { state };
  if (state === "InProgress" && !call.start_time) patch.start_time = at;
  if (RANK[state] === 3) {
    patch.end_time = at;
    const duration = Number(params.get("CallDuration") ?? NaN);
    if (Number.isInteger(duration) && duration >= 0) {
      patch.duration_seconds = duration;
      if (!call.start_time && state === "Completed") patch.start_time = new Date(Date.parse(at) - duration * 1000).toISOString();
    }
  }
  const row = await updateCall(db, customerId, call.id, patch);
  return { updated: row !== null, state: row?.state ?? call.state };
}
