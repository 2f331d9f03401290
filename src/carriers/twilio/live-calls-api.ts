import type { TwilioRest } from "./rest";

/**
 * The two Call resource requests live calls make (protocols.md §5.2, §5.3): dial a leg with inline TwiML, and
 * redirect or hang up a call in progress. Kept apart from rest.ts so the rep-calling code can grow its own.
 */
export interface CallResource {
  sid: string;
  status: string;
  parent_call_sid?: string | null;
}

export function createCallWithTwiml(rest: TwilioRest, f: { to: string; from: string; twiml: string; timeoutSec?: number }) {
  return rest.request<CallResource>("POST", rest.accountPath("/Calls.json"), {
    To: f.to, From: f.from, Twiml: f.twiml, Timeout: f.timeoutSec ? String(f.timeoutSec) : undefined,
  });
}

/** New TwiML for a call in progress (Twilio stops its media stream and runs it), or a status change. */
export function updateCall(rest: TwilioRest, callSid: string, f: { twiml?: string; status?: "completed" | "canceled" }) {
  return rest.request<CallResource>("POST", rest.accountPath(`/Calls/${encodeURIComponent(callSid)}.json`), {
    Twiml: f.twiml, Status: f.status,
  });
}
