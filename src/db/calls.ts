import { newId, nowIso } from "../lib/ids";
import { openPhoneTicketIdSql } from "./tickets";

export const CALL_STATES = [
  "Queued",
  "Ringing",
  "InProgress",
  "Completed",
  "Busy",
  "NoAnswer",
  "Failed",
  "Canceled",
] as const;
export type CallState = (typeof CALL_STATES)[number];

/**
 * Progress order of call states, for every carrier: a late or out-of-order event never moves a call back, and the
 * ended states share the last rank (none follows another).
 */
const CALL_STATE_RANK: Record<CallState, number> = {
  Queued: 0,
  Ringing: 1,
  InProgress: 2,
  Completed: 3,
  Busy: 3,
  NoAnswer: 3,
  Failed: 3,
  Canceled: 3,
};

/** Whether a call in state `from` may move on to `to`. */
export const movesForward = (from: CallState, to: CallState) => CALL_STATE_RANK[to] > CALL_STATE_RANK[from];

/** A call that has ended, one way or another (no callback moves it on from here). */
export const isEnded = (s: CallState) => CALL_STATE_RANK[s] === CALL_STATE_RANK.Completed;

/**
 * The `outcome` of a call that ended without a more specific one (docs/campaigns.md lists them all): set on calls
 * that never reached anyone when their carrier reports the end, and read as the default for every ended call.
 */
export const OUTCOME_OF_END: Record<CallState, string | null> = {
  Queued: null,
  Ringing: null,
  InProgress: null,
  Completed: "completed",
  Busy: "busy",
  NoAnswer: "no-answer",
  Failed: "failed",
  Canceled: "canceled",
};
/** The carrier a call runs on (src/live/carrier.ts): twilio, telnyx, ringcentral, webrtc, … */
export type Carrier = string;
export type Direction = "Inbound" | "Outbound";
export type CallMode = "plain" | "record" | "translate" | "assistant";

export interface CallRow {
  id: string;
  customer_id: number;
  carrier: Carrier;
  direction: Direction;
  state: CallState;
  mode: CallMode;
  from_number: string | null;
  to_number: string | null;
  rep_id: number | null;
  assistant_id: number | null;
  campaign_id: number | null;
  ticket_id: number | null;
  start_time: string | null;
  end_time: string | null;
  duration_seconds: number | null;
  talk_time_seconds: number | null;
  outcome: string | null;
  sentiment: "positive" | "neutral" | "negative" | null;
  call_sid: string | null;
  parent_call_sid: string | null;
  /** The placer's JSON object about an outbound call (migrations/0008_outbound_campaigns.sql). */
  metadata_json: string | null;
  /** Answering-machine detection's verdict on the answered leg (human, machine_start, …, fax, unknown). */
  answered_by: string | null;
  created_at: string;
  updated_at: string;
}

export type NewCall = Pick<CallRow, "customer_id" | "carrier" | "direction" | "state"> &
  Partial<Omit<CallRow, "id" | "customer_id" | "carrier" | "direction" | "state" | "created_at" | "updated_at">> & {
    id?: string;
    created_at?: string;
  };

const INSERT_COLS = [
  "id",
  "customer_id",
  "carrier",
  "direction",
  "state",
  "mode",
  "from_number",
  "to_number",
  "rep_id",
  "assistant_id",
  "campaign_id",
  "ticket_id",
  "start_time",
  "end_time",
  "duration_seconds",
  "talk_time_seconds",
  "outcome",
  "sentiment",
  "call_sid",
  "parent_call_sid",
  "metadata_json",
  "answered_by",
  "created_at",
  "updated_at",
] as const;

/** Prepared insert, for single calls and for `db.batch` bulk loads alike. */
export function insertCallStmt(db: D1Database, c: NewCall) {
  const created = c.created_at ?? nowIso();
  const row: Record<(typeof INSERT_COLS)[number], string | number | null> = {
    id: c.id ?? newId("vc"),
    customer_id: c.customer_id,
    carrier: c.carrier,
    direction: c.direction,
    state: c.state,
    mode: c.mode ?? "plain",
    from_number: c.from_number ?? null,
    to_number: c.to_number ?? null,
    rep_id: c.rep_id ?? null,
    assistant_id: c.assistant_id ?? null,
    campaign_id: c.campaign_id ?? null,
    ticket_id: c.ticket_id ?? null,
    start_time: c.start_time ?? null,
    end_time: c.end_time ?? null,
    duration_seconds: c.duration_seconds ?? null,
    talk_time_seconds: c.talk_time_seconds ?? null,
    outcome: c.outcome ?? null,
    sentiment: c.sentiment ?? null,
    call_sid: c.call_sid ?? null,
    parent_call_sid: c.parent_call_sid ?? null,
    metadata_json: c.metadata_json ?? null,
    answered_by: c.answered_by ?? null,
    created_at: created,
    updated_at: created,
  };
  return db
    .prepare(
      `INSERT INTO calls (${INSERT_COLS.join(", ")}) VALUES (${INSERT_COLS.map((_, i) => `?${i + 1}`).join(", ")}) RETURNING *`,
    )
    .bind(...INSERT_COLS.map((k) => row[k]));
}

export async function insertCall(db: D1Database, c: NewCall): Promise<CallRow> {
  const row = await insertCallStmt(db, c).first<CallRow>();
  if (!row) throw new Error("insert calls returned nothing");
  return row;
}

export type CallPatch = Partial<Omit<CallRow, "id" | "customer_id" | "created_at" | "updated_at">>;

/** Prepared update of the given fields (undefined ones untouched), for single updates and `db.batch` alike. */
export function updateCallStmt(db: D1Database, customerId: number, id: string, patch: CallPatch) {
  const keys = (Object.keys(patch) as (keyof CallPatch)[]).filter((k) => patch[k] !== undefined);
  const sets = [...keys.map((k, i) => `${k} = ?${i + 3}`), `updated_at = ?${keys.length + 3}`];
  return db
    .prepare(`UPDATE calls SET ${sets.join(", ")} WHERE customer_id = ?1 AND id = ?2 RETURNING *`)
    .bind(customerId, id, ...keys.map((k) => patch[k] ?? null), nowIso());
}

export async function updateCall(
  db: D1Database,
  customerId: number,
  id: string,
  patch: CallPatch,
): Promise<CallRow | null> {
  return updateCallStmt(db, customerId, id, patch).first<CallRow>();
}

/** Links the call to the open phone ticket of the number (see `ensurePhoneTicketStmt`) unless it has a ticket already. */
export const attachOpenPhoneTicketStmt = (db: D1Database, customerId: number, id: string, phoneNumber: string) =>
  db
    .prepare(
      `UPDATE calls SET ticket_id = COALESCE(ticket_id, ${openPhoneTicketIdSql(1, 3)}), updated_at = ?4 WHERE customer_id = ?1 AND id = ?2`,
    )
    .bind(customerId, id, phoneNumber, nowIso());

export const getCall = (db: D1Database, customerId: number, id: string) =>
  db.prepare("SELECT * FROM calls WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<CallRow>();

export const getCallBySid = (db: D1Database, customerId: number, carrier: Carrier, callSid: string) =>
  db
    .prepare("SELECT * FROM calls WHERE customer_id = ?1 AND carrier = ?2 AND call_sid = ?3")
    .bind(customerId, carrier, callSid)
    .first<CallRow>();

/** Removes a call record the carrier never accepted (no call id yet): a refused outbound call leaves nothing behind. */
export const deleteUnplacedCall = (db: D1Database, customerId: number, id: string) =>
  db.prepare("DELETE FROM calls WHERE customer_id = ?1 AND id = ?2 AND call_sid IS NULL").bind(customerId, id).run();

/**
 * The carrier's webhook for an outbound call we placed (src/outbound/place-call.ts) takes its record: the carrier's
 * call id, the end user's ticket and the answer time are set once. Null unless it is this tenant's outbound call
 * of that assistant, not yet claimed by another carrier call.
 */
export const claimPlacedCall = (
  db: D1Database,
  customerId: number,
  id: string,
  f: { carrier: Carrier; callSid: string; assistantId: number; ticketId: number | null },
) =>
  db
    .prepare(
      `UPDATE calls SET call_sid = COALESCE(call_sid, ?3), ticket_id = COALESCE(ticket_id, ?5),
         state = CASE WHEN state IN ('Queued', 'Ringing') THEN 'InProgress' ELSE state END,
         start_time = COALESCE(start_time, ?6), updated_at = ?6
       WHERE customer_id = ?1 AND id = ?2 AND carrier = ?7 AND direction = 'Outbound' AND assistant_id = ?4
         AND (call_sid IS NULL OR call_sid = ?3) RETURNING *`,
    )
    .bind(customerId, id, f.callSid, f.assistantId, f.ticketId, nowIso(), f.carrier)
    .first<CallRow>();
