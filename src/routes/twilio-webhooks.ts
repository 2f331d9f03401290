import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { connectStreamTwiml, dialTwiml, twimlResponse } from "../carriers/twilio/twiml";
import { twilioWebhook } from "../carriers/twilio/webhook";
import { assertCallerId } from "../auth/caller-id";
import { prepareLiveCall } from "../live/entry";
import { streamToken } from "../live/stream-token";
import { mediaStreamUrl } from "../carriers/twilio/stream-url";
import { upsertTwilioCall } from "../carriers/twilio/call-record";
import { applyStatusCallback } from "../carriers/twilio/call-status";
import { forwardLegStatus } from "../carriers/twilio/leg-status";
import { recordingCallbackUrl, voiceFieldInput, voiceFieldsSchema } from "../carriers/twilio/voice-fields";
import { getPhoneNumber } from "../db/phone-numbers";
import { getRecordingByCarrierSid } from "../db/recordings";
import { enqueue } from "../db/jobs";
import { isEnded } from "../db/calls";
import { notifyCampaign } from "../outbound/campaign-entry";
import { getRep } from "../db/reps";
import { forbidden } from "../lib/errors";
import { publicOrigin } from "../lib/public-url";
import { parseOr400 } from "../lib/validate";
import { intId, phoneNumber } from "../lib/schemas";
import { twilioSid } from "../carriers/twilio/sids";
import type { TwilioRecordingJob } from "../carriers/twilio/recording";
import { queryPhone } from "../lib/phone";

/** The tenant's rep named by the webhook, or 403: an unknown ID and another tenant's rep look the same. */
async function tenantRep(db: D1Database, customerId: number, raw: string | undefined, mustBeActive: boolean) {
  const id = intId.safeParse(raw);
  const rep = id.success ? await getRep(db, customerId, id.data) : null;
  if (!rep || (mustBeActive && rep.active !== 1))
    throw forbidden(`RepID ${raw ?? ""} is not ${mustBeActive ? "an active" : "a"} rep of this account`);
  return rep;
}

export const recordingFields = z.object({
  CallSid: twilioSid("CA"),
  RecordingSid: twilioSid("RE"),
  /** Where Twilio serves the media; fetched only when it is on our Twilio origin (TwilioRest.recordingMediaUrl). */
  RecordingUrl: z.string().max(2048).optional(),
  RecordingStartTime: z.string().max(100).optional(),
  RecordingDuration: z.coerce.number().int().min(0).max(86_400).optional(),
  /** Query values: a '+' written unencoded arrives as a space and is put back (queryPhone). */
  customFrom: z.string().transform(queryPhone).pipe(phoneNumber),
  customTo: z.string().transform(queryPhone).pipe(phoneNumber),
});

/** Twilio's anonymous callbacks; `twilioWebhook` has checked the signature and the account before any handler runs. */
export const twilioWebhookRoutes = new Hono<AppEnv>()
  .post("/voice", twilioWebhook, async (c) => {
    const { customer, params } = c.get("twilio");
    const v = parseOr400(
      voiceFieldsSchema,
      voiceFieldInput(new URL(c.req.url).searchParams, params),
      "voice webhook fields",
    );
    const rep = await tenantRep(c.env.DB, customer.id, String(v.RepID), true);
    for (const k of ["From", "Caller", "To"]) {
      const client = /^client:(.*)$/.exec(params.get(k) ?? "");
      if (client && client[1] !== rep.identity) throw forbidden(`${k} is another client than rep ${rep.id}'s identity`);
    }
    await assertCallerId(c.env.DB, customer.id, rep.id, v.FromNumber, "FromNumber");
    const mode = v.Translate ? "translate" : v.Record ? "record" : "plain";
    const call = await upsertTwilioCall(c.env.DB, customer.id, v.CallSid, {
      repId: rep.id,
      fromNumber: v.FromNumber,
      endUserNumber: v.To,
      mode,
      initialState: "Ringing",
    });
    const origin = publicOrigin(c.env, c.req.raw);
    if (mode === "translate") {
      const parameters: [string, string][] = [
        ["CallerLanguage", v.CallerLanguage],
        ["CallerVoice", v.CallerVoice],
        ["ReceiverLanguage", v.ReceiverLanguage],
        ["ReceiverVoice", v.ReceiverVoice],
        ["ForwardRawAudio", String(v.ForwardRawAudio)],
        ["CustomerId", String(customer.id)],
        ["RepId", String(rep.id)],
        ["CallId", call.id],
        ["From", v.FromNumber],
        ["To", v.To],
        ["Mode", "translate"],
        [
          "StreamToken",
          await streamToken(c.env, { customerId: customer.id, key: v.CallSid, leg: "caller", callId: call.id }),
        ],
      ];
      prepareLiveCall(c.env, c.executionCtx, v.CallSid, "twilio", Object.fromEntries(parameters));
      return twimlResponse(
        connectStreamTwiml(
          mediaStreamUrl(c.env, new URL(c.req.url).origin, customer, v.CallSid, "translate"),
          parameters,
        ),
      );
    }
    const recordingCallback = mode === "record" ? recordingCallbackUrl(origin, rep.id, v.FromNumber, v.To) : undefined;
    return twimlResponse(dialTwiml({ kind: "number", number: v.To }, { callerId: v.FromNumber, recordingCallback }));
  })
  .post("/statuscallback", twilioWebhook, async (c) => {
    const { customer, params } = c.get("twilio");
    const { call, ...answer } = await applyStatusCallback(c.env.DB, customer.id, params);
    // A campaign's call ended: its object settles the contact and places the next call now.
    if (call?.campaign_id != null && isEnded(call.state))
      notifyCampaign(c.env, c.executionCtx, customer.id, call.campaign_id);
    return c.json(answer);
  })
  .post("/legstatus", twilioWebhook, async (c) => {
    const { customer, params } = c.get("twilio");
    return c.json(await forwardLegStatus(c.env, customer.id, c.req.query("call"), params));
  })
  .post("/:repID/recordingcallback", twilioWebhook, async (c) => {
    const { customer, params } = c.get("twilio");
    const rep = await tenantRep(c.env.DB, customer.id, c.req.param("repID"), false);
    // Only a finished recording can be downloaded; in-progress/absent/failed notices change nothing.
    const status = params.get("RecordingStatus");
    if (status && status !== "completed") return c.json({ ignored: true, reason: `RecordingStatus ${status}` });
    const form = (k: string) => params.get(k) ?? undefined;
    const f = parseOr400(
      recordingFields,
      {
        CallSid: form("CallSid"),
        RecordingSid: form("RecordingSid"),
        RecordingUrl: form("RecordingUrl"),
        RecordingStartTime: form("RecordingStartTime"),
        RecordingDuration: form("RecordingDuration"),
        customFrom: c.req.query("customFrom"),
        customTo: c.req.query("customTo"),
      },
      "recording callback fields",
    );
    if (!(await getPhoneNumber(c.env.DB, customer.id, f.customFrom)))
      throw forbidden(`customFrom ${f.customFrom} is not a number of this account`);
    // The copy (and the transcription and sentiment after it) is queued: Twilio gets its answer at once, and the
    // queue retries a copy that fails (docs/data-lifecycle.md). A recording already stored is a duplicate.
    const stored = await getRecordingByCarrierSid(c.env.DB, customer.id, f.RecordingSid);
    if (!stored) {
      const job: TwilioRecordingJob = {
        kind: "twilio-recording",
        customerId: customer.id,
        repId: rep.id,
        callSid: f.CallSid,
        recordingSid: f.RecordingSid,
        recordingUrl: f.RecordingUrl ?? null,
        startedAt: f.RecordingStartTime ?? null,
        durationSeconds: f.RecordingDuration ?? null,
        fromNumber: f.customFrom,
        endUserNumber: f.customTo,
      };
      await enqueue(c.env, job);
    }
    return c.json(
      { recordingSid: f.RecordingSid, queued: !stored, duplicate: stored !== null, recordingId: stored?.id ?? null },
      202,
    );
  });
