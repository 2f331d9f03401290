/**
 * What Twilio posts back while a REST-created call progresses, built from the call's creating request (Url,
 * StatusCallback + StatusCallbackEvent, AsyncAmdStatusCallback) in Twilio's wire format: form fields, and an
 * X-Twilio-Signature made with the account's auth token by the official `twilio` package. The fake cannot reach
 * the Worker (it runs inside workerd), so it answers the webhooks and the test delivers them.
 *
 *   ringing                         → status callback `ringing` (when subscribed)
 *   answer                          → status callback `in-progress` (subscribed `answered`), then the voice webhook (Url)
 *   amd {answeredBy, durationMs?}   → the async AMD verdict to AsyncAmdStatusCallback
 *   end {status, duration?}         → the call ends (completed, busy, no-answer, failed, canceled): status callback
 */
import twilio from "twilio";
import type { FakeCall } from "./twilio";

export type CallEvent =
  | { event: "ringing" }
  | { event: "answer" }
  | { event: "amd"; answeredBy: string; durationMs?: number }
  | { event: "end"; status: "completed" | "busy" | "no-answer" | "failed" | "canceled"; duration?: number };

export interface Webhook {
  url: string;
  params: Record<string, string>;
  signature: string;
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (v: string | string[] | undefined) => list(v)[0];
const rfc2822 = (d = new Date()) => d.toUTCString().replace("GMT", "+0000");

export function callEvent(
  call: FakeCall,
  authToken: string,
  e: CallEvent,
): { webhooks: Webhook[] } | { error: string } {
  const p = call.request_params ?? {};
  const sign = (url: string, params: Record<string, string>): Webhook => ({
    url,
    params,
    signature: twilio.getExpectedTwilioSignature(authToken, url, params),
  });
  const base = {
    AccountSid: call.account_sid,
    ApiVersion: "2010-04-01",
    CallSid: call.sid,
    From: call.from,
    Caller: call.from,
    To: call.to,
    Called: call.to,
    Direction: call.direction,
  };
  const statusCallback = one(p.StatusCallback);
  const subscribed = list(p.StatusCallbackEvent);
  const progress = (status: string, extra: Record<string, string> = {}) =>
    statusCallback
      ? [
          sign(statusCallback, {
            ...base,
            CallStatus: status,
            Timestamp: rfc2822(),
            CallbackSource: "call-progress-events",
            SequenceNumber: String(subscribed.length),
            ...extra,
          }),
        ]
      : [];
  switch (e.event) {
    case "ringing":
      call.status = "ringing";
      return { webhooks: subscribed.includes("ringing") ? progress("ringing") : [] };
    case "answer": {
      call.status = "in-progress";
      call.start_time = rfc2822();
      const url = one(p.Url);
      return {
        webhooks: [
          ...(subscribed.includes("answered") ? progress("in-progress") : []),
          ...(url ? [sign(url, { ...base, CallStatus: "in-progress" })] : []),
        ],
      };
    }
    case "amd": {
      const url = one(p.AsyncAmdStatusCallback);
      if (one(p.AsyncAmd) !== "true" || !url) return { error: "the call was created without AsyncAmd" };
      return {
        webhooks: [
          sign(url, {
            AccountSid: call.account_sid,
            CallSid: call.sid,
            AnsweredBy: e.answeredBy,
            MachineDetectionDuration: String(e.durationMs ?? 2400),
          }),
        ],
      };
    }
    case "end": {
      call.status = e.status;
      call.end_time = rfc2822();
      const duration = e.status === "completed" ? (e.duration ?? 0) : 0;
      call.duration = String(duration);
      // Twilio's default subscription is `completed` alone; one that names events but not `completed` gets no end.
      const wanted = subscribed.length === 0 || subscribed.includes("completed");
      return { webhooks: wanted ? progress(e.status, { CallDuration: String(duration) }) : [] };
    }
  }
}
