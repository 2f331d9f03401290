import { createCallWithTwiml, updateCall } from "../carriers/twilio/live-calls-api";
import { APOLOGY, connectStreamTwiml, dialTwiml, sayHangupTwiml } from "../carriers/twilio/live-twiml";
import { TwilioRest } from "../carriers/twilio/rest";
import { mediaStreamUrl, streamToken } from "./stream-token";
import type { LiveCall } from "./live-call";

/**
 * Translate: rings the receiver with inline TwiML that streams the answered leg into this same object
 * (`/streams/{caller CallSid}`, Leg=receiver, a StreamToken bound to the caller's CallSid).
 */
export async function dialReceiver(call: LiveCall): Promise<void> {
  const { env, state, plan, customer } = call;
  const key = state.key;
  if (!key || !plan.to) throw new Error("no receiver number");
  const url = mediaStreamUrl(env, new Request(state.origin ?? "https://localhost/"), customer, key);
  const twiml = connectStreamTwiml(url, {
    Leg: "receiver", Mode: "translate", CustomerId: String(plan.customerId), StreamToken: await streamToken(env, plan.customerId, key),
  });
  const rest = await TwilioRest.forCustomer(env, customer);
  const created = await createCallWithTwiml(rest, { to: plan.to, from: plan.from, twiml, timeoutSec: 45 });
  state.setReceiverSid(created.sid);
}

/** The caller is gone: a receiver leg still ringing is cancelled (a connected one ends when its socket closes). */
export async function hangUpReceiver(call: LiveCall): Promise<void> {
  const sid = call.state.receiverSid;
  if (!sid || call.bridge.hasLeg("receiver")) return;
  const rest = await TwilioRest.forCustomer(call.env, call.customer);
  await updateCall(rest, sid, { status: "canceled" });
}

/**
 * The tenant's ai_fallback: 'dial' hands the caller to a person (the rep behind the assistant's number, or the
 * receiver of a translated call — which simply goes on untranslated when both legs are already connected);
 * 'apology' (or no one to dial) says so and hangs up. Done with new TwiML through Twilio REST, which ends our
 * media stream; its `stop` then finalizes the recording, so what was recorded is kept.
 */
export async function takeFallback(call: LiveCall): Promise<void> {
  const { env, state, plan, customer } = call;
  const dial = customer.ai_fallback === "dial" && plan.dialTarget !== null;
  if (dial && call.bridge.passthrough()) {
    state.setFallback("passthrough");
    return;
  }
  state.setFallback(dial ? "dial" : "apology");
  const callerSid = state.legSid("caller") ?? plan.callSid ?? state.key;
  const callerId = plan.mode === "translate" ? plan.from : plan.from || undefined;
  const twiml = dial ? dialTwiml(plan.dialTarget!, callerId) : sayHangupTwiml(APOLOGY);
  try {
    const rest = await TwilioRest.forCustomer(env, customer);
    const receiver = state.receiverSid;
    if (receiver) {
      await updateCall(rest, receiver, call.bridge.hasLeg("receiver") ? { twiml: sayHangupTwiml(APOLOGY) } : { status: "canceled" }).catch(() => undefined);
    }
    if (!callerSid) throw new Error("no caller CallSid");
    await updateCall(rest, callerSid, { twiml });
  } catch (e) {
    // Twilio would not take new instructions: hanging up beats leaving the caller in silence.
    console.error(JSON.stringify({ level: "error", msg: "fallback redirect failed", callId: plan.callId, error: e instanceof Error ? e.message : String(e) }));
    call.bridge.closeLegs();
  }
}
