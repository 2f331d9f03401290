import type { AiCallOrder, Dialer, MachinePolicy } from "../../outbound/dialer";
import { stateFromTwilio } from "./call-status";
import { TwilioRest } from "./rest";
import { statusCallbackUrl } from "./voice-fields";

/** Seed 002's `/twiml` outbound flow, told which assistant answers and which call record is this call's. */
export function outboundTwimlUrl(origin: string, o: Pick<AiCallOrder, "assistantId" | "callId" | "welcomeMessage">) {
  const q = new URLSearchParams({ assistant_id: String(o.assistantId), call_id: o.callId });
  if (o.welcomeMessage) q.set("welcome_message", o.welcomeMessage);
  return `${origin}/twiml?${q}`;
}

/**
 * Where Twilio's background answering-machine detection posts its verdict. What to do on a machine travels in the
 * URL (signed by Twilio with the rest of the request), so the callback needs no lookup to act.
 */
export function amdCallbackUrl(origin: string, p: MachinePolicy): string {
  const q = new URLSearchParams({ onMachine: p.action });
  if (p.action === "message" && p.message) q.set("message", p.message);
  return `${origin}/api/TwilioCalls/amdcallback?${q}`;
}

/**
 * Outbound AI calls through Twilio's Call resource: Twilio requests `/twiml` (the assistant answers over a media
 * stream) when the callee picks up, posts call progress to the status callback, and runs answering-machine
 * detection in the background (`DetectMessageEnd` when a message is to be left after the greeting, else `Enable`).
 */
export const twilioDialer: Dialer = {
  carrier: "twilio",
  async placeAiCall(env, customerId, o) {
    const rest = await TwilioRest.forCustomer(env, customerId);
    const call = await rest.createCall({
      to: o.to,
      from: o.from,
      url: outboundTwimlUrl(o.origin, o),
      statusCallback: statusCallbackUrl(o.origin),
      statusCallbackEvents: ["initiated", "ringing", "answered", "completed"],
      machineDetection: o.onMachine.action === "message" ? "DetectMessageEnd" : "Enable",
      asyncAmdStatusCallback: amdCallbackUrl(o.origin, o.onMachine),
    });
    return { callRef: call.sid };
  },
  async status(env, customerId, callRef) {
    const rest = await TwilioRest.forCustomer(env, customerId);
    return stateFromTwilio((await rest.fetchCall(callRef)).status);
  },
};
