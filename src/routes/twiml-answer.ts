import type { Context } from "hono";
import type { AppEnv } from "../auth/context";
import { mediaStreamUrl } from "../carriers/twilio/stream-url";
import { connectStreamTwiml, twimlResponse } from "../carriers/twilio/twiml";
import { getCallBySid, insertCall, type CallMode, type CallRow, type CallState } from "../db/calls";
import type { CustomerRow } from "../db/customers";
import type { Env } from "../env";
import { isUniqueViolation } from "../db/unique";
import { ApiError } from "../lib/errors";
import { nowIso } from "../lib/ids";
import { prepareLiveCall } from "../live/entry";
import { streamToken } from "../live/stream-token";

/** A <Parameter>'s name + value must stay under 500 characters. */
export const MAX_WELCOME = 400;

/**
 * The assistant takes the call: the call's object starts opening OpenAI at once, and Twilio is answered with
 * `<Connect><Stream>` into it, carrying the parameters the object builds the call's plan from.
 */
export async function answerWithAssistant<E extends AppEnv>(
  c: Context<E>,
  a: { customer: CustomerRow; call: CallRow; callSid: string; from: string; to: string; welcome?: string },
): Promise<Response> {
  const parameters: Record<string, string> = {
    To: a.to,
    From: a.from,
    Mode: "assistant",
    CustomerId: String(a.customer.id),
    CallId: a.call.id,
    AssistantId: String(a.call.assistant_id),
    ...(a.welcome ? { WelcomeMessage: a.welcome.slice(0, MAX_WELCOME) } : {}),
    StreamToken: await streamToken(c.env, {
      customerId: a.customer.id,
      key: a.callSid,
      leg: "caller",
      callId: a.call.id,
    }),
  };
  prepareLiveCall(c.env, c.executionCtx, a.callSid, "twilio", parameters);
  return twimlResponse(
    // The tenant's phone stream URL is for translated calls (SPEC.md): an assistant call streams to this Worker.
    connectStreamTwiml(
      mediaStreamUrl(c.env, new URL(c.req.url).origin, a.customer, a.callSid, "assistant"),
      parameters,
    ),
  );
}

/** The record of a Twilio call our webhook answers; a retried webhook finds the one it already made. */
export async function webhookCallRecord(
  env: Env,
  f: {
    customerId: number;
    callSid: string;
    outbound: boolean;
    from: string;
    to: string;
    mode: CallMode;
    state: CallState;
    assistantId: number | null;
    repId: number | null;
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
      state: f.state,
      mode: f.mode,
      from_number: f.from,
      to_number: f.to,
      assistant_id: f.assistantId,
      rep_id: f.repId,
      ticket_id: f.ticketId,
      call_sid: f.callSid,
      start_time: f.state === "InProgress" ? nowIso() : null,
    });
  } catch (e) {
    const raced = await getCallBySid(env.DB, f.customerId, "twilio", f.callSid);
    if (raced) return raced;
    // Another customer's call has this CallSid (CallSids are unique across Twilio): a conflict, not a server fault.
    if (isUniqueViolation(e)) throw new ApiError(409, `Call ${f.callSid} belongs to another account`);
    throw e;
  }
}
