import { newId, nowIso } from "../lib/ids";

export interface RecordingRow {
  id: string;
  customer_id: number;
  ticket_id: number | null;
  call_id: string | null;
  r2_key: string;
  version: number;
  source: "upload" | "twilio" | "live" | "telnyx";
  carrier_recording_sid: string | null;
  content_type: string;
  size_bytes: number | null;
  duration_ms: number;
  channels: number;
  sample_rate: number;
  left_role: string;
  right_role: string;
  started_at: string | null;
  ended_at: string | null;
  transcription_status: "pending" | "done" | "skipped" | "failed";
  transcription_reason: string | null;
  created_at: string;
}

export type NewRecording = Pick<RecordingRow, "customer_id" | "r2_key" | "source" | "duration_ms" | "channels"> &
  Partial<
    Pick<
      RecordingRow,
      | "id"
      | "ticket_id"
      | "call_id"
      | "version"
      | "carrier_recording_sid"
      | "content_type"
      | "size_bytes"
      | "sample_rate"
      | "left_role"
      | "right_role"
      | "started_at"
      | "ended_at"
    >
  >;

/** The columns after `source`, in table order, with their defaults: what both inserts bind the same way. */
const columnsAfterSource = (r: NewRecording) => [
  r.carrier_recording_sid ?? null,
  r.content_type ?? "audio/wav",
  r.size_bytes ?? null,
  r.duration_ms,
  r.channels,
  r.sample_rate ?? 8000,
  r.left_role ?? "EndUser",
  r.right_role ?? "AI+CustomerRep",
  r.started_at ?? null,
  r.ended_at ?? null,
  nowIso(),
];

export async function insertRecording(db: D1Database, r: NewRecording): Promise<RecordingRow> {
  const row = await db
    .prepare(
      `INSERT INTO recordings (id, customer_id, ticket_id, call_id, r2_key, version, source, carrier_recording_sid,
         content_type, size_bytes, duration_ms, channels, sample_rate, left_role, right_role, started_at, ended_at, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) RETURNING *`,
    )
    .bind(
      r.id ?? newId("rec"),
      r.customer_id,
      r.ticket_id ?? null,
      r.call_id ?? null,
      r.r2_key,
      r.version ?? 1,
      r.source,
      ...columnsAfterSource(r),
    )
    .first<RecordingRow>();
  if (!row) throw new Error("insert recordings returned nothing");
  return row;
}

/**
 * Prepared insert of a call's recording for a `db.batch`: its ticket is the call's ticket as the batch left it,
 * and its version follows that ticket's latest recording.
 */
export function insertCallRecordingStmt(
  db: D1Database,
  r: Omit<NewRecording, "ticket_id" | "version"> & { id: string; call_id: string },
) {
  return db
    .prepare(
      `INSERT INTO recordings (id, customer_id, ticket_id, call_id, r2_key, version, source, carrier_recording_sid,
         content_type, size_bytes, duration_ms, channels, sample_rate, left_role, right_role, started_at, ended_at, created_at)
       SELECT ?1, ?2, t.ticket_id, ?3, ?4,
         COALESCE((SELECT MAX(version) FROM recordings WHERE customer_id = ?2 AND ticket_id = t.ticket_id), 0) + 1,
         ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16
       FROM (SELECT (SELECT ticket_id FROM calls WHERE customer_id = ?2 AND id = ?3) AS ticket_id) AS t
       RETURNING *`,
    )
    .bind(r.id, r.customer_id, r.call_id, r.r2_key, r.source, ...columnsAfterSource(r));
}

export const getRecording = (db: D1Database, customerId: number, id: string) =>
  db.prepare("SELECT * FROM recordings WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<RecordingRow>();

export const getRecordingByCarrierSid = (db: D1Database, customerId: number, sid: string) =>
  db
    .prepare("SELECT * FROM recordings WHERE customer_id = ?1 AND carrier_recording_sid = ?2")
    .bind(customerId, sid)
    .first<RecordingRow>();

export const latestRecordingOfTicket = (db: D1Database, customerId: number, ticketId: number) =>
  db
    .prepare(
      "SELECT * FROM recordings WHERE customer_id = ?1 AND ticket_id = ?2 ORDER BY version DESC, created_at DESC LIMIT 1",
    )
    .bind(customerId, ticketId)
    .first<RecordingRow>();

export const latestRecordingOfCall = (db: D1Database, customerId: number, callId: string) =>
  db
    .prepare(
      "SELECT * FROM recordings WHERE customer_id = ?1 AND call_id = ?2 ORDER BY version DESC, created_at DESC LIMIT 1",
    )
    .bind(customerId, callId)
    .first<RecordingRow>();

export async function setTranscriptionStatus(
  db: D1Database,
  customerId: number,
  id: string,
  status: RecordingRow["transcription_status"],
  reason: string | null,
) {
  await db
    .prepare(
      "UPDATE recordings SET transcription_status = ?3, transcription_reason = ?4 WHERE customer_id = ?1 AND id = ?2",
    )
    .bind(customerId, id, status, reason)
    .run();
}

/** The version a new recording of this ticket (else this call) gets: one more than the latest. */
export async function nextRecordingVersion(
  db: D1Database,
  customerId: number,
  ticketId: number | null,
  callId: string | null,
): Promise<number> {
  if (ticketId === null && callId === null) return 1;
  const r = await db
    .prepare(
      ticketId !== null
        ? "SELECT COALESCE(MAX(version), 0) AS v FROM recordings WHERE customer_id = ?1 AND ticket_id = ?2"
        : "SELECT COALESCE(MAX(version), 0) AS v FROM recordings WHERE customer_id = ?1 AND call_id = ?2",
    )
    .bind(customerId, ticketId ?? callId)
    .first<{ v: number }>();
  return (r?.v ?? 0) + 1;
}

/**
 * By id alone: only for the signed download route, after the signature proved the id was issued by us. A recording
 * of a deleted customer is not found, even before the queued purge reaches it (docs/data-lifecycle.md).
 */
export const getRecordingById = (db: D1Database, id: string) =>
  db
    .prepare(
      "SELECT r.* FROM recordings r JOIN customers c ON c.id = r.customer_id AND c.deleted_at IS NULL WHERE r.id = ?1",
    )
    .bind(id)
    .first<RecordingRow>();
