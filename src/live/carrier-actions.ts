import { streamToken } from "./stream-token";
import type { LiveCall } from "./live-call";

/** What the caller hears when the assistant is gone and nobody can take over. */
export const APOLOGY = "We are sorry, our assistant is not available right now. Please call again later. Goodbye.";

/**
 * Translate: rings the receiver through the call's carrier for up to `timeoutSec`; the answered leg streams into
 * this same object (addressed by the caller leg's key, parameters Leg=receiver and a StreamToken bound to that
 * key), and the carrier reports the leg's final status to it (`reportLegStatus`, src/live/entry.ts).
 */
export async function dialReceiver(call: LiveCall, timeoutSec: number): Promise<void> {
  const { env, state, plan } = call;
  const key = state.key;
  if (!key || !plan.to) throw new Error("no receiver number");
  const control = await call.control();
  const parameters = {
    Leg: "receiver",
    Mode: "translate",
    CustomerId: String(plan.customerId),
    StreamToken: await streamToken(env, plan.customerId, key),
  };
  const created = await control.dial({
    to: plan.to,
    from: plan.from,
    timeoutSec,
    stream: { key, origin: state.origin ?? "https://localhost", parameters },
  });
  state.setReceiverRef(created.callRef);
}

/**
 * The caller is gone: a receiver leg still ringing is cancelled (a connected one ends when its socket closes;
 * one the carrier already reported over is left alone).
 */
export async function hangUpReceiver(call: LiveCall): Promise<void> {
  const ref = call.state.receiverRef;
  // Not `bridge.hasLeg`: `end` has closed the legs by now, and an answered leg must not be "cancelled".
  if (!ref || call.state.answeredAt !== null || call.receiver?.mayRing === false) return;
  await (await call.control()).hangUp(ref, true);
}

/**
 * The tenant's ai_fallback: 'dial' hands the caller to a person (the rep behind the assistant's number, or the
 * receiver of a translated call — which simply goes on untranslated when both legs are already connected);
 * 'apology' (or no one to dial) says so and hangs up. Either ends our media stream; its `stop` then finalizes
 * the recording, so what was recorded is kept.
 */
export async function takeFallback(call: LiveCall): Promise<void> {
  const { state, plan, customer } = call;
  const dial = customer.ai_fallback === "dial" && plan.dialTarget !== null;
  if (dial && call.bridge.passthrough()) {
    state.setFallback("passthrough");
    return;
  }
  state.setFallback(dial ? "dial" : "apology");
  const callerRef = state.legRef("caller") ?? plan.callRef ?? state.key;
  try {
    const control = await call.control();
    const receiver = state.receiverRef;
    if (receiver) {
      const connected = call.bridge.hasLeg("receiver");
      await (connected ? control.sayAndHangUp(receiver, APOLOGY) : control.hangUp(receiver, true)).catch(
        () => undefined,
      );
    }
    if (!callerRef) throw new Error("no caller leg to redirect");
    if (dial) await control.transfer(callerRef, plan.dialTarget!, plan.from || null);
    else await control.sayAndHangUp(callerRef, APOLOGY);
  } catch (e) {
    // The carrier would not take new instructions: hanging up beats leaving the caller in silence.
    console.error(
      JSON.stringify({
        level: "error",
        msg: "fallback redirect failed",
        callId: plan.callId,
        error: e instanceof Error ? e.message : String(e),
      }),
    );
    call.bridge.closeLegs();
  }
}
