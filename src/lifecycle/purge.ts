/**
 * Removing a deleted customer, a chunk per queued job so no run outgrows a Worker invocation: its recordings
 * (ours and the carriers' copies), then its calls (with their live objects) and tickets (with their recorders),
 * then what is left of its rows, the customer last. Each step deletes what it did, so a retried or repeated job
 * carries on where the last one stopped.
 */
import { deleteCarrierRecording } from "../carriers/recording-copies";
import { purgeRingCentral } from "../carriers/ringcentral/purge";
import type { CallRow } from "../db/calls";
import type { RecordingRow } from "../db/recordings";
import type { TicketRow } from "../db/tickets";
import type { Env } from "../env";
import { campaignObject } from "../outbound/campaign-entry";
import { carrierCopies, deleteCall, deleteRecordings, deleteTicket } from "./deletion";

const CHUNK = 50;

/**
 * Every table with a customer_id, children before parents (survey_responses goes through surveys). A table that
 * holds a tenant's rows and is missing here is caught by test/lifecycle/purge.test.ts.
 */
const TENANT_TABLES = [
  "tool_calls",
  "telnyx_call_refs",
  "transcript_segments",
  "ticket_messages",
  "recordings",
  "surveys",
  "calls",
  "tickets",
  "phone_numbers",
  "campaign_contacts",
  "campaigns",
  "assistants",
  "reps",
  "phone_login_codes",
  "webhook_events",
  "call_day_counts",
  "tool_call_day_counts",
  "failed_jobs",
  "ringcentral_subscriptions",
  "carrier_accounts",
];

const firstRows = async <T>(env: Env, table: string, customerId: number) =>
  (await env.DB.prepare(`SELECT * FROM ${table} WHERE customer_id = ?1 LIMIT ${CHUNK}`).bind(customerId).all<T>())
    .results;

/** One step of the purge; true when there is more to do (the caller queues the next step). */
export async function purgeCustomerStep(env: Env, customerId: number): Promise<boolean> {
  const recordings = await firstRows<RecordingRow>(env, "recordings", customerId);
  if (recordings.length) {
    // The carriers' copies here, not queued apart: deleting them needs the tenant's carrier accounts, which the
    // purge's last step deletes. A failure fails this step and the queue retries it (a copy already gone is done).
    for (const c of carrierCopies(recordings)) await deleteCarrierRecording(env, c.source, customerId, c.sid);
    await deleteRecordings(env, customerId, recordings, { carrierCopiesDeleted: true });
    return true;
  }
  const calls = await firstRows<CallRow>(env, "calls", customerId);
  for (const call of calls) await deleteCall(env, call);
  if (calls.length) return true;
  const tickets = await firstRows<TicketRow>(env, "tickets", customerId);
  for (const ticket of tickets) await deleteTicket(env, ticket);
  if (tickets.length) return true;
  // The campaigns' pacing objects, before their rows go (the ids are what name them).
  const campaigns = (
    await env.DB.prepare("SELECT id FROM campaigns WHERE customer_id = ?1").bind(customerId).all<{ id: number }>()
  ).results;
  for (const c of campaigns) await campaignObject(env, customerId, c.id).purge();
  // Objects no row points at any more (a draft's upload finished by a finalize that failed after it, say).
  const listed = await env.RECORDINGS.list({ prefix: `recordings/${customerId}/`, limit: 1000 });
  if (listed.objects.length) {
    await env.RECORDINGS.delete(listed.objects.map((o) => o.key));
    return true;
  }
  // Carriers' state outside our tables (the subscription is cancelled with the account's credentials: first).
  await purgeRingCentral(env, customerId);
  const db = env.DB;
  await db.batch([
    // The customer row points at one of its assistants (the inbound fallback): let go of it first.
    db.prepare("UPDATE customers SET rep_no_answer_assistant_id = NULL WHERE id = ?1").bind(customerId),
    db
      .prepare("DELETE FROM survey_responses WHERE survey_id IN (SELECT id FROM surveys WHERE customer_id = ?1)")
      .bind(customerId),
    ...TENANT_TABLES.map((t) => db.prepare(`DELETE FROM ${t} WHERE customer_id = ?1`).bind(customerId)),
    db.prepare("DELETE FROM customers WHERE id = ?1 AND deleted_at IS NOT NULL").bind(customerId),
  ]);
  return false;
}
