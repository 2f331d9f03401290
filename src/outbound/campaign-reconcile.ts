import { isEnded, OUTCOME_OF_END, updateCall, type CallState } from "../db/calls";
import { inProgressContacts, updateContact, type ContactRow, type ContactWithCall } from "../db/campaign-contacts";
import type { CampaignRow } from "../db/campaigns";
import type { Env } from "../env";
import type { CampaignMemory } from "./campaign-memory";
import type { DialingSettings, RetryReason } from "./campaign-settings";
import type { DialerRegistry } from "./dialer";

/** A call still not ended this long after it was placed is asked about at the carrier (its callbacks may be lost). */
export const STALE_CALL_MS = 15 * 60_000;
/** …at most this often per call. */
const POLL_EVERY_MS = 5 * 60_000;
/** A contact taken for a call that never got its call record (the object stopped in between) is freed after this. */
const ORPHAN_MS = 2 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** Why an ended attempt might be tried again, in the retry settings' words; null when it reached someone. */
function retryReason(state: CallState, outcome: string): RetryReason | null {
  if (outcome === "voicemail") return "voicemail";
  if (state === "Busy") return "busy";
  if (state === "NoAnswer") return "no-answer";
  if (state === "Failed") return "failed";
  return null;
}

/**
 * A contact's attempt has ended: tried again later (a retry reason the campaign retries on, attempts left), else
 * completed (someone or a mailbox was reached) or failed. The call's outcome is kept as the contact's last outcome.
 */
export async function settleContact(
  db: D1Database,
  c: ContactRow,
  state: CallState,
  callOutcome: string | null,
  settings: DialingSettings,
  now: number,
): Promise<void> {
  const outcome = callOutcome ?? OUTCOME_OF_END[state] ?? "failed";
  const reason = retryReason(state, outcome);
  const { retry } = settings;
  if (reason && retry.on.includes(reason) && c.attempts < retry.maxAttempts) {
    await updateContact(db, c.customer_id, c.id, {
      state: "pending",
      next_attempt_at: iso(now + retry.delayMinutes * 60_000),
      last_outcome: outcome,
    });
    return;
  }
  const reached = state === "Completed" && outcome !== "fax";
  await updateContact(db, c.customer_id, c.id, { state: reached ? "completed" : "failed", last_outcome: outcome });
}

/** The end state of a contact's call, from its record, or from the carrier when the record is late. */
async function endStateOf(
  env: Env,
  dialers: DialerRegistry,
  memory: CampaignMemory,
  c: ContactWithCall,
  live: readonly string[],
  now: number,
): Promise<CallState | null> {
  const state = c.call_state;
  if (state === null || isEnded(state)) return state;
  const age = now - Date.parse(c.call_created_at ?? "");
  if (!(age > STALE_CALL_MS) || now - (memory.polledAt(c.last_call_id!) ?? 0) < POLL_EVERY_MS) return null;
  memory.notePolled(c.last_call_id!, now, live);
  const dialer = c.call_carrier ? dialers.get(c.call_carrier) : undefined;
  // No carrier id: the object stopped between the carrier's answer and storing it; nothing can be asked, nor rung.
  const carrierState =
    c.call_sid && dialer ? await dialer.status(env, c.customer_id, c.call_sid).catch(() => null) : "Failed";
  if (!carrierState || !isEnded(carrierState)) return null;
  await updateCall(env.DB, c.customer_id, c.last_call_id!, {
    state: carrierState,
    end_time: iso(now),
    outcome: c.call_outcome ?? OUTCOME_OF_END[carrierState],
  });
  return carrierState;
}

/**
 * Brings the campaign's in-progress contacts up to date with their calls' records (which the carrier's status
 * callbacks and the live engine keep): ended calls settle their contacts. Run on every tick, so an outcome whose
 * notification was lost is still picked up.
 */
export async function reconcileContacts(
  env: Env,
  dialers: DialerRegistry,
  memory: CampaignMemory,
  campaign: CampaignRow,
  settings: DialingSettings,
  now: number,
): Promise<void> {
  const contacts = await inProgressContacts(env.DB, campaign.customer_id, campaign.id);
  const live = contacts.flatMap((c) => (c.last_call_id ? [c.last_call_id] : []));
  for (const c of contacts) {
    if (!c.last_call_id) {
      if (now - Date.parse(c.updated_at) > ORPHAN_MS)
        await updateContact(env.DB, c.customer_id, c.id, {
          state: "pending",
          attempts: Math.max(0, c.attempts - 1),
          last_error: "interrupted before the call was placed",
        });
      continue;
    }
    const state = await endStateOf(env, dialers, memory, c, live, now);
    if (c.call_state === null) {
      // The call's record was deleted (data lifecycle): nothing more will be learned about this attempt.
      await updateContact(env.DB, c.customer_id, c.id, { state: "failed", last_error: "the call record was deleted" });
    } else if (state !== null) {
      await settleContact(env.DB, c, state, c.call_outcome, settings, now);
    }
  }
}
