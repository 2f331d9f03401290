import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { recordNotification } from "./call-record";
import { decide, emptyMemory, type Action, type Outcome, type Policy, type SessionMemory } from "./decision";
import type { TelephonyNotification } from "./notification";

/** How long a session's memory outlives its last notification: RingCentral does not redeliver after this. */
export const SESSION_MEMORY_MS = 24 * 60 * 60 * 1000;

export interface Applied {
  outcome: Outcome;
  action: Action;
  /** The session's call record, when there is one. */
  callId: string | null;
}

/**
 * One RingCentral telephony session of one tenant (`ringcentralSession`). It is where notifications of the session
 * are put in order, whichever isolate received them: each is applied whole (decision, call record, memory) before
 * the next is looked at, one at a time. Applying at most once per party means the action is carried out at most
 * once; the caller carries it out.
 */
export class RingCentralSession extends DurableObject<Env> {
  async apply(customerId: number, n: TelephonyNotification, policy: Policy): Promise<Applied> {
    // Serialized over the D1 writes too: two notifications' record updates must not land in the wrong order.
    return this.ctx.blockConcurrencyWhile(async () => {
      const d = decide(n, this.stored(), policy);
      if (d.outcome !== "applied") return { outcome: d.outcome, action: d.action, callId: null };
      // The record first: if it fails the memory stays as it was, and RingCentral's redelivery is applied anew.
      const callId = await recordNotification(this.env.DB, customerId, n.body, n.ownerId);
      this.ctx.storage.kv.put("memory", d.memory);
      await this.ctx.storage.setAlarm(Date.now() + SESSION_MEMORY_MS);
      return { outcome: d.outcome, action: d.action, callId };
    });
  }

  /** The memory, for tests and diagnostics. */
  async memory(): Promise<SessionMemory> {
    return this.stored();
  }

  /** The stored memory; one written before a field existed gets that field's empty value. */
  private stored(): SessionMemory {
    return { ...emptyMemory(), ...this.ctx.storage.kv.get<Partial<SessionMemory>>("memory") };
  }

  /** Forgets the session at once (its call was deleted, or its customer purged). */
  async purge(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** The object of one telephony session of one tenant. */
export const ringcentralSession = (env: Env, customerId: number, telephonySessionId: string) =>
  env.RINGCENTRAL_SESSIONS.getByName(`rc-session:${customerId}:${telephonySessionId}`);
