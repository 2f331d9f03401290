/**
 * The status callbacks the fake Twilio "sends" on its own: when a call created with a StatusCallback ends (a test
 * ends it through POST /__fake/calls/{CA}/complete, or the Worker cancels or completes it through the REST API),
 * the callback is composed by `callEvent` (twilio-events.ts, the one place the fake's webhooks are built) and
 * queued. The fake runs in Node and cannot reach the Worker inside workerd, so the test takes the queue
 * (POST /__fake/callbacks/take) and posts each one to the Worker.
 */
import type { FakeCall } from "./twilio";
import { callEvent, type Webhook } from "./twilio-events";

type FinalStatus = Extract<Parameters<typeof callEvent>[2], { event: "end" }>["status"];
const FINAL = new Set<string>(["completed", "busy", "no-answer", "failed", "canceled"]);

export class StatusCallbacks {
  private queue: Webhook[] = [];

  /** Ends `call` with `status` and queues its status callback, when the call asked for one. */
  ended(call: FakeCall, status: string, authToken: string | undefined, durationSec = 0): boolean {
    if (!authToken || !FINAL.has(status)) return false;
    const out = callEvent(call, authToken, { event: "end", status: status as FinalStatus, duration: durationSec });
    if ("error" in out) return false;
    this.queue.push(...out.webhooks);
    return out.webhooks.length > 0;
  }

  take(accountSid: string | null): Webhook[] {
    const mine = this.queue.filter((c) => !accountSid || c.params.AccountSid === accountSid);
    this.queue = this.queue.filter((c) => !mine.includes(c));
    return mine;
  }
}
