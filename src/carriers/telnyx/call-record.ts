import {
  attachOpenPhoneTicketStmt,
  getCall,
  getCallBySid,
  insertCallStmt,
  type CallMode,
  type CallRow,
  type CallState,
  type Direction,
} from "../../db/calls";
import { ensurePhoneTicketStmt } from "../../db/tickets";
import { isUniqueViolation } from "../../db/unique";
import { ApiError } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { normalizePhone } from "../../lib/phone";

/**
 * The call records of Telnyx calls: carrier `telnyx`, `call_sid` = the leg's call_control_id (what call control and
 * the call's object are named by). The leg's other ids (call_leg_id, call_session_id, an AI conversation_id) are
 * kept in `telnyx_call_refs` (migrations/0012_telnyx.sql) so an event naming the call by any of them finds it.
 */
export interface TelnyxCallIds {
  callControlId: string | null;
  callLegId: string | null;
  callSessionId: string | null;
  conversationId?: string | null;
}

const refsOf = (ids: TelnyxCallIds) =>
  [ids.callControlId, ids.callLegId, ids.callSessionId, ids.conversationId ?? null].filter(
    (r): r is string => typeof r === "string" && r.length > 0,
  );

/** Remembers every id of the call (ids already known are left as they are), for a `db.batch`. */
export const callRefStmts = (db: D1Database, customerId: number, callId: string, ids: TelnyxCallIds) =>
  refsOf(ids).map((ref) =>
    db
      .prepare(
        "INSERT INTO telnyx_call_refs (customer_id, ref, call_id, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
      )
      .bind(customerId, ref, callId, nowIso()),
  );

/** The tenant's record of the Telnyx call any of these ids names, or null. */
export async function findTelnyxCall(db: D1Database, customerId: number, ids: TelnyxCallIds): Promise<CallRow | null> {
  if (ids.callControlId) {
    const bySid = await getCallBySid(db, customerId, "telnyx", ids.callControlId);
    if (bySid) return bySid;
  }
  const refs = refsOf(ids);
  if (!refs.length) return null;
  return db
    .prepare(
      `SELECT c.* FROM telnyx_call_refs r JOIN calls c ON c.id = r.call_id AND c.customer_id = r.customer_id
       WHERE r.customer_id = ?1 AND r.ref IN (SELECT value FROM json_each(?2)) LIMIT 1`,
    )
    .bind(customerId, JSON.stringify(refs))
    .first<CallRow>();
}

export interface NewTelnyxCall {
  customerId: number;
  ids: TelnyxCallIds;
  direction: Direction;
  from: string;
  to: string;
  state: CallState;
  mode: CallMode;
  assistantId: number | null;
  startTime: string | null;
}

/**
 * Creates the record of a Telnyx call with the end user's phone ticket, in one batch; a redelivered or concurrent
 * event finds the record the first one made. The call's key is its call_control_id (else another of its ids).
 */
export async function createTelnyxCall(db: D1Database, f: NewTelnyxCall): Promise<CallRow> {
  const existing = await findTelnyxCall(db, f.customerId, f.ids);
  if (existing) return existing;
  const sid = refsOf(f.ids)[0];
  if (!sid) throw new Error("a Telnyx call needs at least one id");
  const endUser = f.direction === "Inbound" ? f.from : f.to;
  const phone = normalizePhone(endUser);
  const id = newId("vc");
  const ticket = phone ? [ensurePhoneTicketStmt(db, f.customerId, phone, null, `Call with ${phone}`)] : [];
  const link = phone ? [attachOpenPhoneTicketStmt(db, f.customerId, id, phone)] : [];
  try {
    await db.batch([
      ...ticket,
      insertCallStmt(db, {
        id,
        customer_id: f.customerId,
        carrier: "telnyx",
        direction: f.direction,
        state: f.state,
        mode: f.mode,
        // An AI event may name no numbers: unknown, not empty.
        from_number: f.from ? (normalizePhone(f.from) ?? f.from) : null,
        to_number: f.to ? (normalizePhone(f.to) ?? f.to) : null,
        assistant_id: f.assistantId,
        call_sid: sid,
        start_time: f.startTime,
      }),
      ...link,
      ...callRefStmts(db, f.customerId, id, f.ids),
    ]);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const raced = await findTelnyxCall(db, f.customerId, f.ids);
    if (raced) return raced;
    // The same Telnyx id already recorded for another tenant: refused, nothing of it shown or changed.
    throw new ApiError(409, `Telnyx call ${sid} belongs to another account`);
  }
  const row = await getCall(db, f.customerId, id);
  if (!row) throw new Error(`call ${id} vanished`);
  return row;
}
