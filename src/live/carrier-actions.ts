import type { PersonTarget } from "./carrier";
import { streamToken } from "./stream-token";
import type { LiveCall } from "./live-call";

/** What the caller hears when the assistant is gone and nobody can take over. */
export const APOLOGY = "We are sorry, our assistant is not available right now. Please call again later. Goodbye.";

/**
 * Translate: rings the receiver through the call's carrier for up to `timeoutSec`; the answered leg streams into
 * this same object (addressed by the caller leg's key, parameters Leg=receiver and a StreamToken for the
 * call's id and that leg), and the carrier reports the leg's final status to it (`reportLegStatus`, src/live/entry.ts).
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
    CallId: plan.callId ?? "",
    StreamToken: await streamToken(env, {
      customerId: plan.customerId,
      key,
      leg: "receiver",
      callId: plan.callId ?? "",
    }),
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
  const callerRef = callerRefOf(call);
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

/** The caller leg's carrier id: what call control acts on (known from the record even before the stream starts). */
const callerRefOf = (call: LiveCall) => call.state.legRef("caller") ?? call.plan.callRef ?? call.state.key;

/**
 * The assistant ended the call (end_call): the carrier hangs the caller up, and the call ends here at once
 * (recording finalized, record closed) rather than waiting for a stop that a hung-up stream may never send.
 */
export async function hangUpCaller(call: LiveCall, reason: string): Promise<void> {
  if (call.over) return;
  const ref = callerRefOf(call);
  try {
    if (ref) await (await call.control()).hangUp(ref, false);
  } catch (e) {
    // Closing our media stream below ends a streamed call anyway: log it, do not keep the caller on the line.
    const error = e instanceof Error ? e.message : String(e);
    console.warn(JSON.stringify({ level: "warn", msg: "hang-up failed", callId: call.plan.callId, error }));
  }
  await call.end(reason);
}

/**
 * transfer_to_human: the carrier speaks `announce` and rings the person; the assistant leaves the call. The
 * carrier then ends our media stream, whose stop finalizes the recording: one call record, outcome
 * `transferred`. Throws when the carrier refuses (the assistant is still there to say so).
 */
export async function transferCaller(call: LiveCall, to: PersonTarget, announce: string): Promise<void> {
  const ref = callerRefOf(call);
  if (!ref) throw new Error("no caller leg to transfer");
  await (await call.control()).transfer(ref, to, call.plan.from || null, announce);
  call.state.setOutcome("transferred");
  call.bridge.close();
}
