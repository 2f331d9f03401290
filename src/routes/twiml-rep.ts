import { Hono, type Context } from "hono";
import type { AppEnv } from "../auth/context";
import { hangupTwiml, ringRepTwiml, voicemailTwiml, VOICEMAIL_THANKS } from "../carriers/twilio/rep-twiml";
import { NOT_IN_SERVICE, sayHangupTwiml, twimlResponse } from "../carriers/twilio/twiml";
import { recordingCallbackUrl } from "../carriers/twilio/voice-fields";
import { twilioWebhook } from "../carriers/twilio/webhook";
import { firstAssistant, getAssistant } from "../db/assistants";
import { getCallBySid, updateCall, type CallPatch, type CallRow } from "../db/calls";
import type { CustomerRow } from "../db/customers";
import { getPhoneNumber } from "../db/phone-numbers";
import { getRep } from "../db/reps";
import { phoneTicketFor } from "../db/tickets";
import { nowIso } from "../lib/ids";
import { publicOrigin } from "../lib/public-url";
import { answerWithAssistant, webhookCallRecord } from "./twiml-answer";

/** The call has ended here: its end time and duration (from the webhook's record to now), with what else is known. */
function ended(call: CallRow, extra: CallPatch): CallPatch {
  const began = Date.parse(call.start_time ?? call.created_at);
  return {
    state: "Completed",
    end_time: nowIso(),
    duration_seconds: Math.max(0, Math.round((Date.now() - began) / 1000)),
    ...extra,
  };
}

/** The assistant that takes a rep's unanswered call, or null for voicemail. */
async function fallbackAssistant(db: D1Database, customer: CustomerRow) {
  if (customer.rep_no_answer !== "assistant") return null;
  const chosen = customer.rep_no_answer_assistant_id;
  if (chosen !== null) return getAssistant(db, customer.id, chosen);
  return firstAssistant(db, customer.id);
}

/**
 * Nobody answered (or the rep is inactive): the tenant's `inboundToRep.noAnswer`. `assistant` (the default): the
 * tenant's chosen assistant, or without one its first, takes the same call (the record becomes an assistant call).
 * `voicemail` (or no assistant to take it): the caller leaves a message, stored through the recording callback on
 * the caller's phone ticket.
 */
async function noAnswer<E extends AppEnv>(
  c: Context<E>,
  customer: CustomerRow,
  call: CallRow,
  callSid: string,
): Promise<Response> {
  const assistant = await fallbackAssistant(c.env.DB, customer);
  const from = call.from_number ?? "";
  const to = call.to_number ?? "";
  if (assistant) {
    const taken = await updateCall(c.env.DB, customer.id, call.id, {
      mode: "assistant",
      assistant_id: assistant.id,
      state: "InProgress",
      start_time: call.start_time ?? nowIso(),
    });
    return answerWithAssistant(c, { customer, call: taken ?? call, callSid, from, to });
  }
  await updateCall(c.env.DB, customer.id, call.id, { outcome: "voicemail" });
  const origin = publicOrigin(c.env, c.req.raw);
  return twimlResponse(
    voicemailTwiml({
      action: `${origin}/twiml/voicemail-done`,
      // The number called is the tenant's side of the recording, the caller the end user whose ticket gets it.
      recordingCallback: recordingCallbackUrl(origin, call.rep_id ?? 0, to, from),
    }),
  );
}

/**
 * An inbound call to a number assigned to a rep and no assistant rings the rep's browser for the tenant's
 * `inboundToRep.ringSeconds`; an inactive rep goes straight to `noAnswer`. Null when the number is no rep's.
 */
export async function ringRepOfNumber<E extends AppEnv>(
  c: Context<E>,
  customer: CustomerRow,
  f: { callSid: string; from: string; to: string },
): Promise<Response | null> {
  const number = await getPhoneNumber(c.env.DB, customer.id, f.to);
  const rep = number?.rep_id ? await getRep(c.env.DB, customer.id, number.rep_id) : null;
  if (!rep) return null;
  const ticket = await phoneTicketFor(c.env.DB, customer.id, f.from, rep.id, `Call with ${f.from}`);
  const call = await webhookCallRecord(c.env, {
    customerId: customer.id,
    callSid: f.callSid,
    outbound: false,
    from: f.from,
    to: f.to,
    mode: "plain",
    state: "Ringing",
    assistantId: null,
    repId: rep.id,
    ticketId: ticket.id,
  });
  if (rep.active !== 1) return noAnswer(c, customer, call, f.callSid);
  return twimlResponse(
    ringRepTwiml(rep.identity, {
      timeoutSeconds: customer.rep_ring_seconds,
      action: `${publicOrigin(c.env, c.req.raw)}/twiml/rep-dial-done`,
      callerId: f.from,
    }),
  );
}

/** Twilio's follow-ups of a rep's inbound call; `twilioWebhook` has checked the signature and the account. */
export const twimlRepRoutes = new Hono<AppEnv>()
  .post("/rep-dial-done", twilioWebhook, async (c) => {
    const { customer, params } = c.get("twilio");
    const callSid = params.get("CallSid") ?? "";
    const call = await getCallBySid(c.env.DB, customer.id, "twilio", callSid);
    if (!call || call.rep_id === null) return twimlResponse(sayHangupTwiml(NOT_IN_SERVICE));
    const status = params.get("DialCallStatus") ?? "";
    if (status === "completed" || status === "answered") {
      const talk = Number(params.get("DialCallDuration"));
      await updateCall(
        c.env.DB,
        customer.id,
        call.id,
        ended(call, {
          outcome: "answered",
          talk_time_seconds: Number.isInteger(talk) && talk >= 0 ? talk : undefined,
        }),
      );
      return twimlResponse(hangupTwiml());
    }
    // no-answer, busy, failed (a rep with no browser signed in), canceled
    return noAnswer(c, customer, call, callSid);
  })
  .post("/voicemail-done", twilioWebhook, async (c) => {
    const { customer, params } = c.get("twilio");
    const call = await getCallBySid(c.env.DB, customer.id, "twilio", params.get("CallSid") ?? "");
    if (call && call.state !== "Completed") await updateCall(c.env.DB, customer.id, call.id, ended(call, {}));
    return twimlResponse(sayHangupTwiml(VOICEMAIL_THANKS));
  });
