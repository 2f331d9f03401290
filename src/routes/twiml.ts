import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { connectStreamTwiml, NOT_IN_SERVICE, sayHangupTwiml, twimlResponse } from "../carriers/twilio/twiml";
import { twilioWebhook } from "../carriers/twilio/webhook";
import { getAssistant, getAssistantForNumber } from "../db/assistants";
import { getCallBySid, insertCall, type CallRow } from "../db/calls";
import { phoneTicketFor } from "../db/tickets";
import type { Env } from "../env";
import { badRequest } from "../lib/errors";
import { nowIso } from "../lib/ids";
import { normalizePhone } from "../lib/phone";
import { prepareLiveCall } from "../live/entry";
import { streamToken } from "../live/stream-token";
import { mediaStreamUrl } from "../carriers/twilio/stream-url";
import { callSid as callSidSchema } from "../carriers/twilio/sids";

/** A <Parameter>'s name + value must stay under 500 characters. */
const MAX_WELCOME = 400;

/**
 * Seed 002's `/twiml`: Twilio's voice webhook for numbers answered by an AI assistant. Inbound calls find the
 * assistant by the number called; outbound calls name it (`?assistant_id=`, optional `&welcome_message=`).
 * Answers `<Connect><Stream>` to this call's media stream and starts opening OpenAI at once.
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
  const assistantId = Number(c.req.query("assistant_id"));
  const assistant =
    c.req.query("assistant_id") !== undefined
      ? Number.isInteger(assistantId) && assistantId > 0
        ? await getAssistant(c.env.DB, customer.id, assistantId)
        : null
      : await getAssistantForNumber(c.env.DB, customer.id, outbound ? from : to);
  // A number nobody answers: say so politely rather than failing the webhook (Twilio would play its own error).
  if (!assistant) return twimlResponse(sayHangupTwiml(NOT_IN_SERVICE));

  const endUser = outbound ? to : from;
  const call = await callRecord(c.env, {
    customerId: customer.id,
    callSid,
    outbound,
    from,
    to,
    assistantId: assistant.id,
    ticketId: normalizePhone(endUser)
      ? (await phoneTicketFor(c.env.DB, customer.id, endUser, null, `Call with ${endUser}`)).id
      : null,
  });
  const welcome = c.req.query("welcome_message")?.slice(0, MAX_WELCOME);
  const parameters: Record<string, string> = {
    To: to,
    From: from,
    Mode: "assistant",
    CustomerId: String(customer.id),
    CallId: call.id,
    AssistantId: String(assistant.id),
    ...(welcome ? { WelcomeMessage: welcome } : {}),
    StreamToken: await streamToken(c.env, { customerId: customer.id, key: callSid, leg: "caller", callId: call.id }),
  };
  prepareLiveCall(c.env, c.executionCtx, callSid, "twilio", parameters);
  return twimlResponse(
    connectStreamTwiml(mediaStreamUrl(c.env, new URL(c.req.url).origin, customer, callSid), parameters),
  );
});

/** The call's record; a retried webhook finds the one it already made. */
async function callRecord(
  env: Env,
  f: {
    customerId: number;
    callSid: string;
    outbound: boolean;
    from: string;
    to: string;
    assistantId: number;
    ticketId: number | null;
  },
): Promise<CallRow> {
  const existing = await getCallBySid(env.DB, f.customerId, "twilio", f.callSid);
  if (existing) return existing;
  try {
    return await insertCall(env.DB, {
      customer_id: f.customerId,
      carrier: "twilio",
      direction: f.outbound ? "Outbound" : "Inbound",
      state: "InProgress",
      mode: "assistant",
      from_number: f.from,
      to_number: f.to,
      assistant_id: f.assistantId,
      ticket_id: f.ticketId,
      call_sid: f.callSid,
      start_time: nowIso(),
    });
  } catch (e) {
    const raced = await getCallBySid(env.DB, f.customerId, "twilio", f.callSid);
    if (raced) return raced;
    throw e;
  }
}
