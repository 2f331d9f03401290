/**
 * The status callbacks the fake Twilio "sends": when a call created with a StatusCallback ends (a test ends it
 * through POST /__fake/calls/{CA}/complete, or the Worker cancels or completes it through the REST API), the
 * callback is composed exactly as Twilio would post it — form fields of the `completed` event, signed with the
 * account's auth token by the official `twilio` package — and queued. The fake runs in Node and cannot reach the
 * Worker inside workerd, so the test takes the queue (POST /__fake/callbacks/take) and posts each one to the Worker.
 */
import { referenceSignature } from "./twilio-reference";

export interface StatusCallback {
  url: string;
  params: Record<string, string>;
  signature: string;
}

export interface CallForCallback {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  direction: string;
  parent_call_sid: string | null;
  request_params?: Record<string, string | string[]>;
}

const FINAL = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

export class StatusCallbacks {
  private queue: StatusCallback[] = [];
  private sequence = new Map<string, number>();

  /** Queues the callback of `call` reaching `status`, when the call asked for it (a final status: `completed`). */
  ended(call: CallForCallback, status: string, authToken: string | undefined, durationSec = 0): boolean {
    const p = call.request_params ?? {};
    const url = typeof p.StatusCallback === "string" ? p.StatusCallback : undefined;
    const events = p.StatusCallbackEvent === undefined ? ["completed"] : [p.StatusCallbackEvent].flat();
    if (!url || !authToken || !FINAL.has(status) || !events.includes("completed")) return false;
    const seq = this.sequence.get(call.sid) ?? 0;
    this.sequence.set(call.sid, seq + 1);
    const params: Record<string, string> = {
      AccountSid: call.account_sid,
      ApiVersion: "2010-04-01",
      CallSid: call.sid,
      CallStatus: status,
      Called: call.to,
      Caller: call.from,
      Direction: call.direction,
      From: call.from,
      To: call.to,
      Timestamp: new Date().toUTCString().replace("GMT", "+0000"),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(seq),
      CallDuration: String(durationSec),
      Duration: String(Math.ceil(durationSec / 60)),
      ...(call.parent_call_sid ? { ParentCallSid: call.parent_call_sid } : {}),
    };
    this.queue.push({ url, params, signature: referenceSignature({ authToken, url, params }).signature });
    return true;
  }

  take(accountSid: string | null): StatusCallback[] {
    const mine = this.queue.filter((c) => !accountSid || c.params.AccountSid === accountSid);
    this.queue = this.queue.filter((c) => !mine.includes(c));
    return mine;
  }
}
