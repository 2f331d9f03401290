import {
  getCallBySid,
  isEnded,
  movesForward,
  OUTCOME_OF_END,
  updateCall,
  type CallPatch,
  type CallRow,
  type CallState,
} from "../../db/calls";
import { callSid } from "./sids";

/** Twilio's call status → the call records' state vocabulary (docs/call-data.md). */
export function stateFromTwilio(status: string): CallState {
  switch (status) {
    case "queued":
    case "initiated":
      return "Queued";
    case "ringing":
      return "Ringing";
    case "in-progress":
    case "answered":
      return "InProgress";
    case "completed":
      return "Completed";
    case "busy":
      return "Busy";
    case "no-answer":
      return "NoAnswer";
    case "canceled":
      return "Canceled";
    default:
      return "Failed";
  }
}

const isoOf = (twilioTime: string | null): string | null => {
  const t = twilioTime ? Date.parse(twilioTime) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
};

/**
 * Applies a call-progress status callback (initiated, ringing, answered, completed) to the tenant's call record
 * of that CallSid. Callbacks for calls we have no record of (e.g. a child leg) are acknowledged and ignored.
 * `call` is the record as it stands afterwards (for the caller, not for Twilio's answer).
 */
export async function applyStatusCallback(
  db: D1Database,
  customerId: number,
  params: URLSearchParams,
): Promise<{ updated: boolean; state?: CallState; call?: CallRow }> {
  const sid = params.get("CallSid") ?? "";
  const status = params.get("CallStatus") ?? "";
  const call = callSid.safeParse(sid).success ? await getCallBySid(db, customerId, "twilio", sid) : null;
  if (!call || !status) return { updated: false };
  const state = stateFromTwilio(status);
  if (!movesForward(call.state, state)) return { updated: false, state: call.state, call };
  const at = isoOf(params.get("Timestamp")) ?? new Date().toISOString();
  const patch: CallPatch = { state };
  if (state === "InProgress" && !call.start_time) patch.start_time = at;
  if (isEnded(state)) {
    patch.end_time = at;
    // A call that reached nobody ends with that as its outcome (docs/campaigns.md); one that connected keeps its own.
    if (state !== "Completed" && call.outcome === null) patch.outcome = OUTCOME_OF_END[state] ?? undefined;
    const duration = Number(params.get("CallDuration") ?? NaN);
    if (Number.isInteger(duration) && duration >= 0) {
      patch.duration_seconds = duration;
      if (!call.start_time && state === "Completed")
        patch.start_time = new Date(Date.parse(at) - duration * 1000).toISOString();
    }
  }
  const row = await updateCall(db, customerId, call.id, patch);
  return { updated: row !== null, state: row?.state ?? call.state, call: row ?? call };
}
