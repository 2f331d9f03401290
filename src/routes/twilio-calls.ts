import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import { voiceAccessToken } from "../carriers/twilio/access-token";
import { TwilioRest, type TwilioCall } from "../carriers/twilio/rest";
import { assertCallerId } from "../auth/caller-id";
import { upsertTwilioCall } from "../carriers/twilio/call-record";
import { language, statusCallbackUrl, voice, voiceWebhookUrl } from "../carriers/twilio/voice-fields";
import { stateFromTwilio } from "../carriers/twilio/call-status";
import { getCallBySid, updateCall, type CallPatch } from "../db/calls";
import { ApiError, notFound } from "../lib/errors";
import { publicOrigin } from "../lib/public-url";
import { loadTwilioAccount, ownsTwimlApp, twilioApiKeySecret } from "../carriers/twilio/account";
import { validate } from "../lib/validate";
import { phoneNumber } from "../lib/schemas";
import { twilioSid } from "../carriers/twilio/sids";
import { twilioSdkEdge } from "../carriers/twilio/region";

const tokenQuery = z.object({ twimlAppSidOverride: twilioSid("AP").optional() });
const initiateBody = z.object({
  fromNumber: phoneNumber,
  toNumber: phoneNumber,
  /** Dual-channel recording of the call (default true: every call becomes a ticket with its recording). */
  record: z.boolean().default(true),
  /** Live translation through the call's Durable Object instead of a recorded <Dial>. */
  translate: z.boolean().default(false),
  callerLanguage: language.optional(),
  callerVoice: voice.optional(),
  receiverLanguage: language.optional(),
  receiverVoice: voice.optional(),
  forwardRawAudio: z.boolean().optional(),
});
const statusQuery = z.object({ callSid: twilioSid("CA") });

const isoOf = (t: string | null) =>
  t && Number.isFinite(Date.parse(t)) ? new Date(Date.parse(t)).toISOString() : undefined;

export const twilioCallRoutes = new Hono<AppEnv>()
  .get("/voice-token", requireRep, validate("query", tokenQuery), async (c) => {
    const { rep, customerId } = c.get("rep");
    const account = await loadTwilioAccount(c.env.DB, customerId);
    if (!account) throw new ApiError(409, "This customer has no Twilio account configured");
    const override = c.req.valid("query").twimlAppSidOverride;
    if (override && !ownsTwimlApp(account, override)) {
      throw new ApiError(403, `twimlAppSidOverride ${override} is not a TwiML app registered for your account`);
    }
    const { token, expiresAt } = await voiceAccessToken({
      accountSid: account.accountSid,
      apiKeySid: account.apiKeySid,
      apiKeySecret: await twilioApiKeySecret(c.env, account),
      identity: rep.identity,
      outgoingApplicationSid: override ?? account.twimlAppSid,
      region: account.region,
    });
    c.header("Cache-Control", "no-store");
    return c.json({
      token,
      region: account.region ?? "us1",
      edge: twilioSdkEdge(account),
      identity: rep.identity,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    });
  })
  .post("/initiate-call", requireRep, validate("json", initiateBody), async (c) => {
    const { rep, customerId } = c.get("rep");
    const b = c.req.valid("json");
    await assertCallerId(c.env.DB, customerId, rep.id, b.fromNumber, "fromNumber");
    const origin = publicOrigin(c.env, c.req.raw);
    // Twilio rings the rep's browser (the voice token's identity) first; when it answers, the voice webhook dials the end user.
    const call = await (await TwilioRest.forCustomer(c.env, customerId)).createCall({
      to: `client:${rep.identity}`,
      from: b.fromNumber,
      url: voiceWebhookUrl(origin, {
        repId: rep.id,
        fromNumber: b.fromNumber,
        to: b.toNumber,
        record: b.record,
        translate: b.translate,
        translation: {
          CallerLanguage: b.callerLanguage,
          CallerVoice: b.callerVoice,
          ReceiverLanguage: b.receiverLanguage,
          ReceiverVoice: b.receiverVoice,
          ForwardRawAudio: b.forwardRawAudio,
        },
      }),
      statusCallback: statusCallbackUrl(origin),
      statusCallbackEvents: ["initiated", "ringing", "answered", "completed"],
    });
    const row = await upsertTwilioCall(c.env.DB, customerId, call.sid, {
      repId: rep.id,
      fromNumber: b.fromNumber,
      endUserNumber: b.toNumber,
      mode: b.translate ? "translate" : b.record ? "record" : "plain",
      initialState: stateFromTwilio(call.status),
    });
    return c.json(
      { callSid: call.sid, callId: row.id, status: call.status, state: row.state, ticketId: row.ticket_id },
      201,
    );
  })
  .get("/call-status", requireRep, validate("query", statusQuery), async (c) => {
    const { customerId } = c.get("rep");
    const { callSid } = c.req.valid("query");
    const record = await getCallBySid(c.env.DB, customerId, "twilio", callSid);
    if (!record) throw notFound(`Call ${callSid} not found`);
    const rest = await TwilioRest.forCustomer(c.env, customerId);
    // The dialed leg (the end user) says how the conversation is going; before it exists, the parent call does.
    const children = await rest.listCalls({ ParentCallSid: callSid, PageSize: 20 });
    const child: TwilioCall | undefined = children[0];
    const source = child ?? (await rest.fetchCall(callSid));
    const patch: CallPatch = { state: stateFromTwilio(source.status) };
    if (isoOf(source.start_time)) patch.start_time = isoOf(source.start_time);
    if (isoOf(source.end_time)) patch.end_time = isoOf(source.end_time);
    if (source.duration !== null && /^\d+$/.test(source.duration)) patch.duration_seconds = Number(source.duration);
    const row = await updateCall(c.env.DB, customerId, record.id, patch);
    return c.json({
      callSid,
      status: source.status,
      ...(child ? { childCallSid: child.sid } : {}),
      state: row?.state ?? patch.state,
      callId: record.id,
    });
  });
