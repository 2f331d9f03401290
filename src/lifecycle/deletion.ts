/**
 * Deleting a recording, a call or a ticket removes every copy (docs/data-lifecycle.md): D1 rows, the R2 objects
 * of every version, the Durable Object storage behind it, and (through a queued job, so a carrier that is down
 * cannot lose the request) the carrier's own copy of a recording.
 */
import { ringcentralSession } from "../carriers/ringcentral/session-object";
import type { CallRow } from "../db/calls";
import type { RecordingRow } from "../db/recordings";
import type { TicketRow } from "../db/tickets";
import type { Env } from "../env";
import { callObject } from "../live/entry";
import { recorderName } from "../recordings/ticket-recorder";

/** Sources whose carrier keeps a copy of its own (src/carriers/recording-copies.ts). */
const CARRIER_SOURCES = new Set(["twilio", "telnyx"]);

/** The recordings whose carrier keeps a copy of its own, with the id it has there. */
export const carrierCopies = (recordings: RecordingRow[]) =>
  recordings.flatMap((r) =>
    r.carrier_recording_sid && CARRIER_SOURCES.has(r.source)
      ? [{ source: r.source, sid: r.carrier_recording_sid }]
      : [],
  );

/** Empties a ticket's recorder: its stored chunks (the audio of every version uploaded to it) and its draft upload. */
export const purgeTicketRecorder = (env: Env, customerId: number, ticketId: number) =>
  env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(customerId, ticketId))).purge();

/** The tickets whose recorder made some of these recordings (uploads; a call's recording is the call's). */
const recorderTickets = (recordings: RecordingRow[]) => [
  ...new Set(recordings.flatMap((r) => (r.source === "upload" && r.ticket_id !== null ? [r.ticket_id] : []))),
];

/**
 * Our copies first (R2 objects, then the rows and the transcripts made from them, in one batch; then the chunks
 * of the ticket recorders that made uploaded ones), then the carrier's copies are queued. A failure leaves rows that
 * a retried DELETE finds again.
 */
export async function deleteRecordings(
  env: Env,
  customerId: number,
  recordings: RecordingRow[],
  opts: { carrierCopiesDeleted?: boolean; recorderPurged?: boolean } = {},
): Promise<void> {
  if (!recordings.length) return;
  await env.RECORDINGS.delete(recordings.map((r) => r.r2_key));
  const db = env.DB;
  const ids = JSON.stringify(recordings.map((r) => r.id));
  await db.batch([
    db
      .prepare(
        "DELETE FROM ticket_messages WHERE customer_id = ?1 AND recording_id IN (SELECT value FROM json_each(?2))",
      )
      .bind(customerId, ids),
    db
      .prepare(
        "DELETE FROM transcript_segments WHERE customer_id = ?1 AND recording_id IN (SELECT value FROM json_each(?2))",
      )
      .bind(customerId, ids),
    db
      .prepare("DELETE FROM recordings WHERE customer_id = ?1 AND id IN (SELECT value FROM json_each(?2))")
      .bind(customerId, ids),
  ]);
  // A recording version holds every chunk its ticket's recorder had: the recorder's copy of that audio goes too.
  if (!opts.recorderPurged)
    for (const ticketId of recorderTickets(recordings)) await purgeTicketRecorder(env, customerId, ticketId);
  const copies = opts.carrierCopiesDeleted ? [] : carrierCopies(recordings);
  if (copies.length) {
    await env.POST_CALL.sendBatch(
      copies.map((c) => ({
        body: { kind: "delete-carrier-recording", customerId, source: c.source, recordingSid: c.sid },
      })),
    );
  }
}

const recordingsWhere = async (env: Env, customerId: number, column: "call_id" | "ticket_id", id: string | number) =>
  (
    await env.DB.prepare(`SELECT * FROM recordings WHERE customer_id = ?1 AND ${column} = ?2`)
      .bind(customerId, id)
      .all<RecordingRow>()
  ).results;

export const deleteRecordingsOfCall = async (env: Env, customerId: number, callId: string) =>
  deleteRecordings(env, customerId, await recordingsWhere(env, customerId, "call_id", callId));

/**
 * A ticket's recordings, and its recorder's chunks whether or not they were finalized yet: audio uploaded before the
 * deletion never comes back in a later version.
 */
export async function deleteRecordingsOfTicket(env: Env, customerId: number, ticketId: number): Promise<void> {
  await deleteRecordings(env, customerId, await recordingsWhere(env, customerId, "ticket_id", ticketId), {
    recorderPurged: true,
  });
  await purgeTicketRecorder(env, customerId, ticketId);
}

/** A call: its recordings, transcript (segments and the lines it left on its ticket), survey, tool calls, the row, and its live object. */
export async function deleteCall(env: Env, call: CallRow): Promise<void> {
  const c = call.customer_id;
  await deleteRecordingsOfCall(env, c, call.id);
  const db = env.DB;
  await db.batch([
    db
      .prepare(
        "DELETE FROM survey_responses WHERE survey_id IN (SELECT id FROM surveys WHERE customer_id = ?1 AND call_id = ?2)",
      )
      .bind(c, call.id),
    db.prepare("DELETE FROM surveys WHERE customer_id = ?1 AND call_id = ?2").bind(c, call.id),
    db.prepare("DELETE FROM tool_calls WHERE customer_id = ?1 AND call_id = ?2").bind(c, call.id),
    db.prepare("DELETE FROM telnyx_call_refs WHERE customer_id = ?1 AND call_id = ?2").bind(c, call.id),
    db.prepare("DELETE FROM transcript_segments WHERE customer_id = ?1 AND call_id = ?2").bind(c, call.id),
    db.prepare("DELETE FROM ticket_messages WHERE customer_id = ?1 AND call_id = ?2").bind(c, call.id),
    db.prepare("DELETE FROM calls WHERE customer_id = ?1 AND id = ?2").bind(c, call.id),
  ]);
  // A RingCentral call's sid names its telephony session's object (the live call, if any, is on the AI line's).
  if (call.call_sid && call.carrier === "ringcentral") await ringcentralSession(env, c, call.call_sid).purge();
  else if (call.call_sid) await callObject(env, call.call_sid).purge();
}

/**
 * A ticket: its messages, its recordings (every version, call recordings filed on it included), the chunks its
 * recorder holds, and the row; its calls stay, no longer on a ticket.
 */
export async function deleteTicket(env: Env, ticket: TicketRow): Promise<void> {
  const c = ticket.customer_id;
  await deleteRecordings(env, c, await recordingsWhere(env, c, "ticket_id", ticket.id), { recorderPurged: true });
  const db = env.DB;
  await db.batch([
    db.prepare("DELETE FROM ticket_messages WHERE customer_id = ?1 AND ticket_id = ?2").bind(c, ticket.id),
    db.prepare("UPDATE calls SET ticket_id = NULL WHERE customer_id = ?1 AND ticket_id = ?2").bind(c, ticket.id),
    db.prepare("DELETE FROM tickets WHERE customer_id = ?1 AND id = ?2").bind(c, ticket.id),
  ]);
  await purgeTicketRecorder(env, c, ticket.id);
}
