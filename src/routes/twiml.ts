import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { NOT_IN_SERVICE, sayHangupTwiml, twimlResponse } from "../carriers/twilio/twiml";
import { twilioWebhook } from "../carriers/twilio/webhook";
import { getAssistant, getAssistantForNumber } from "../db/assistants";
import { claimPlacedCall } from "../db/calls";
import { phoneTicketFor } from "../db/tickets";
import { badRequest } from "../lib/errors";
import { normalizePhone } from "../lib/phone";
import { callSid as callSidSchema } from "../carriers/twilio/sids";
import { answerWithAssistant, webhookCallRecord } from "./twiml-answer";
import { ringRepOfNumber } from "./twiml-rep";

/**
 * Seed 002's `/twiml`: Twilio's voice webhook for numbers answered by an AI assistant. Inbound calls find the
 * assistant by the number called; outbound calls name it (`?assistant_id=`, optional `&welcome_message=`, and
 * `&call_id=` for a call placed through the API or a campaign, whose record already exists). Answers
 * `<Connect><Stream>` to this call's media stream and starts opening OpenAI at once. An inbound call to a number
 * of a rep (and no assistant) rings that rep's browser first (src/routes/twiml-rep.ts).
 */
export const twimlRoutes = new Hono<AppEnv>().post("/", twilioWebhook, async (c) => {
  const { customer, params } = c.get("twilio");
  const callSid = params.get("CallSid") ?? "";
  if (!callSidSchema.safeParse(callSid).success)
    throw badRequest("CallSid is missing or malformed", {
      issues: [{ path: "CallSid", message: "a Twilio CallSid (CA…)" }],
    });
  const outbound = (params.get("Direction") ?? "inbound").startsWith("outbound");
  const to = normalizePhone(params.get("To") ?? "") ?? params.get("To") ?? "";
  const from = normalizePhone(params.get("From") ?? "") ?? params.get("From") ?? "";
  const named = c.req.query("assistant_id");
  const assistantId = Number(named);
  const assistant =
    named !== undefined
      ? Number.isInteger(assistantId) && assistantId > 0
        ? await getAssistant(c.env.DB, customer.id, assistantId)
        : null
      : await getAssistantForNumber(c.env.DB, customer.id, outbound ? from : to);
  if (!assistant) {
    const rang = !outbound && named === undefined ? await ringRepOfNumber(c, customer, { callSid, from, to }) : null;
    // A number nobody answers: say so politely rather than failing the webhook (Twilio would play its own error).
    return rang ?? twimlResponse(sayHangupTwiml(NOT_IN_SERVICE));
  }

  const endUser = outbound ? to : from;
  const ticketId = normalizePhone(endUser)
    ? (await phoneTicketFor(c.env.DB, customer.id, endUser, null, `Call with ${endUser}`)).id
    : null;
  const placedId = c.req.query("call_id");
  const call =
    placedId !== undefined
      ? await claimPlacedCall(c.env.DB, customer.id, placedId, {
          carrier: "twilio",
          callSid,
          assistantId: assistant.id,
          ticketId,
        })
      : await webhookCallRecord(c.env, {
          customerId: customer.id,
          callSid,
          outbound,
          from,
          to,
          mode: "assistant",
          state: "InProgress",
          assistantId: assistant.id,
          repId: null,
          ticketId,
        });
  // A placed call this webhook does not match (another tenant's id, another assistant, another CallSid).
  if (!call) return twimlResponse(sayHangupTwiml(NOT_IN_SERVICE));
  return answerWithAssistant(c, { customer, call, callSid, from, to, welcome: c.req.query("welcome_message") });
});
