import {
  attachOpenPhoneTicketStmt,
  getCall,
  getCallBySid,
  insertCallStmt,
  updateCallStmt,
  type CallMode,
  type CallRow,
  type CallState,
} from "../../db/calls";
import { ensurePhoneTicketStmt } from "../../db/tickets";
import { isUniqueViolation } from "../../db/unique";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";

export interface TwilioCallFields {
  repId: number;
  fromNumber: string;
  /** The end user's number: the call joins (or opens) the phone ticket of this number. */
  endUserNumber: string;
  mode: Exclude<CallMode, "assistant">;
  /** Only used when the record is created; an existing record keeps the state its callbacks gave it. */
  initialState: CallState;
}

/**
 * Creates or updates the call record of a Twilio call SID, and links it to the end user's phone ticket, in one
 * batch. A call SID already recorded for another tenant is refused (409) and left untouched.
 */
export async function upsertTwilioCall(
  db: D1Database,
  customerId: number,
  callSid: string,
  f: TwilioCallFields,
): Promise<CallRow> {
  const ticket = ensurePhoneTicketStmt(db, customerId, f.endUserNumber, f.repId, `Call with ${f.endUserNumber}`);
  const patch = { rep_id: f.repId, from_number: f.fromNumber, to_number: f.endUserNumber, mode: f.mode };
  const update = async (row: CallRow) => {
    const linkTicket =
      row.ticket_id === null ? [ticket, attachOpenPhoneTicketStmt(db, customerId, row.id, f.endUserNumber)] : [];
    await db.batch([updateCallStmt(db, customerId, row.id, patch), ...linkTicket]);
    return row.id;
  };
  const existing = await getCallBySid(db, customerId, "twilio", callSid);
  let id: string;
  if (existing) {
    id = await update(existing);
  } else {
    id = newId("vc");
    try {
      await db.batch([
        ticket,
        insertCallStmt(db, {
          id,
          customer_id: customerId,
          carrier: "twilio",
          direction: "Outbound",
          state: f.initialState,
          call_sid: callSid,
          ...patch,
        }),
        attachOpenPhoneTicketStmt(db, customerId, id, f.endUserNumber),
      ]);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // Created meanwhile by a concurrent request of this tenant (then update it), or another tenant's SID.
      const raced = await getCallBySid(db, customerId, "twilio", callSid);
      if (!raced) throw new ApiError(409, `Call ${callSid} belongs to another account`);
      id = await update(raced);
    }
  }
  const row = await getCall(db, customerId, id);
  if (!row) throw new Error(`call ${id} vanished`);
  return row;
}
