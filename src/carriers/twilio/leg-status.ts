import { z } from "zod";
import type { Env } from "../../env";
import { reportLegStatus } from "../../live/entry";
import type { LegStatusResult } from "../../live/receiver-leg";
import { parseOr400 } from "../../lib/validate";
import { stateFromTwilio } from "./call-status";
import { callSid } from "./sids";

const TWILIO_CALL_STATUSES = [
  "queued",
  "initiated",
  "ringing",
  "in-progress",
  "answered",
  "completed",
  "busy",
  "no-answer",
  "failed",
  "canceled",
] as const;

export const legStatusFields = z.object({
  /** The call's object: the caller leg's CallSid, from the callback URL we gave Twilio (signed with it). */
  call: callSid,
  CallSid: callSid,
  CallStatus: z.enum(TWILIO_CALL_STATUSES),
});

/**
 * The status callback of a leg a live call dialed (`TwilioControl.dial`), already verified as the tenant's
 * (`twilioWebhook`): forwarded to the call's object in the engine's carrier-neutral terms.
 */
export function forwardLegStatus(
  env: Env,
  customerId: number,
  callKey: string | undefined,
  params: URLSearchParams,
): Promise<LegStatusResult> {
  const f = parseOr400(
    legStatusFields,
    { call: callKey, CallSid: params.get("CallSid") ?? undefined, CallStatus: params.get("CallStatus") ?? undefined },
    "leg status callback",
  );
  return reportLegStatus(env, f.call, {
    carrier: "twilio",
    customerId,
    callRef: f.CallSid,
    state: stateFromTwilio(f.CallStatus),
  });
}
