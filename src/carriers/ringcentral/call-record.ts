/**
 * A telephony session as a call record (docs/ringcentral.md, "Call records"): one `calls` row per session, carrier
 * `ringcentral`, `call_sid` = telephonySessionId, following our extension's party through its statuses.
 */
import {
  attachOpenPhoneTicketStmt,
  getCallBySid,
  insertCallStmt,
  isEnded,
  movesForward,
  updateCall,
  type CallPatch,
  type CallRow,
  type CallState,
} from "../../db/calls";
import { ensurePhoneTicketStmt } from "../../db/tickets";
import { isUniqueViolation } from "../../db/unique";
import { newId } from "../../lib/ids";
import { normalizePhone } from "../../lib/phone";
import { isOwnParty } from "./decision";
import { logRingCentral } from "./errors";
import type { Party, SessionBody } from "./notification";

const FAILED_REASONS = new Set([
  "InternalError",
  "InvalidNumber",
  "InternationalDisabled",
  "DestinationBlocked",
  "NotEnoughFunds",
  "NoSuchUser",
]);

/** A party's status in the call records' vocabulary; null for statuses that do not move the record (Tds, unknown). */
export function stateFor(party: Party, answered: boolean): CallState | null {
  const { code, reason } = party.status;
  switch (code) {
    case "Setup":
      return "Queued";
    case "Proceeding":
      return "Ringing";
    case "Answered":
    case "Hold":
    case "Parked":
    case "FaxReceive":
      return "InProgress";
    case "VoiceMail":
    case "VoiceMailScreening":
      return "NoAnswer";
    // Our party left the session: picked up elsewhere, transferred or forwarded (forward-to-ai) — the call went on.
    case "Gone":
      return "Completed";
    case "Disconnected":
      if (answered) return "Completed";
      if (reason === "TargetBusy") return "Busy";
      if (reason === "Cancelled" || reason === "Rejected") return "Canceled";
      if (reason && FAILED_REASONS.has(reason)) return "Failed";
      return "NoAnswer";
    default:
      return null;
  }
}

/** The row's changes once `party` reached its status at `at` (ISO); null when nothing changes. */
export function callPatchFor(
  row: Pick<CallRow, "state" | "start_time" | "end_time">,
  party: Party,
  at: string,
): CallPatch | null {
  const state = stateFor(party, row.start_time !== null);
  if (!state || !movesForward(row.state, state)) return null;
  const patch: CallPatch = { state };
  if (state === "InProgress" && !row.start_time) patch.start_time = at;
  if (isEnded(state)) {
    patch.end_time = at;
    if (row.start_time)
      patch.duration_seconds = Math.max(0, Math.round((Date.parse(at) - Date.parse(row.start_time)) / 1000));
  }
  return patch;
}

/** The party the record follows: our extension's, else the first one with an extension, else the first. */
export const recordParty = (body: SessionBody, ownerId: string | null): Party | null =>
  body.parties.find((p) => isOwnParty(p, ownerId)) ??
  body.parties.find((p) => p.extensionId !== undefined) ??
  body.parties[0] ??
  null;

/** A number as RingCentral wrote it: `+digits` when it is one, else as given (an extension number, "anonymous"). */
const numberOf = (raw: string | undefined): string | null => {
  if (!raw?.trim()) return null;
  return normalizePhone(raw) ?? raw.trim().slice(0, 64);
};

/** The end user's number, whose phone ticket the call joins: the caller of an inbound call, the callee otherwise. */
export const endUserNumber = (party: Party): string | null =>
  normalizePhone((party.direction === "Outbound" ? party.to : party.from)?.phoneNumber ?? "");

const isoAt = (eventTime: string | undefined): string => {
  const t = eventTime ? Date.parse(eventTime) : NaN;
  return new Date(Number.isFinite(t) ? t : Date.now()).toISOString();
};

/**
 * Applies one (in-order) notification to the session's call record: creates it with its phone ticket on first
 * sight, then moves its state and times forward. Returns the call id, or null when there is no record to keep.
 */
export async function recordNotification(
  db: D1Database,
  customerId: number,
  body: SessionBody,
  ownerId: string | null,
): Promise<string | null> {
  const party = recordParty(body, ownerId);
  if (!party) return null;
  const at = isoAt(body.eventTime);
  const sid = body.telephonySessionId;
  const existing = await getCallBySid(db, customerId, "ringcentral", sid);
  const user = endUserNumber(party);
  if (existing) {
    const patch = callPatchFor(existing, party, at);
    if (patch) await updateCall(db, customerId, existing.id, patch);
    if (existing.ticket_id === null && user) {
      const subject = `Call with ${user}`;
      await db.batch([
        ensurePhoneTicketStmt(db, customerId, user, null, subject),
        attachOpenPhoneTicketStmt(db, customerId, existing.id, user),
      ]);
    }
    return existing.id;
  }
  const id = newId("vc");
  const start: Pick<CallRow, "state" | "start_time" | "end_time"> = {
    state: "Queued",
    start_time: null,
    end_time: null,
  };
  const fields = {
    id,
    customer_id: customerId,
    carrier: "ringcentral",
    direction: party.direction ?? "Inbound",
    state: "Queued" as CallState,
    from_number: numberOf(party.from?.phoneNumber),
    to_number: numberOf(party.to?.phoneNumber),
    call_sid: sid,
    ...callPatchFor(start, party, at),
  };
  const ticket = user
    ? [
        ensurePhoneTicketStmt(db, customerId, user, null, `Call with ${user}`),
        insertCallStmt(db, fields),
        attachOpenPhoneTicketStmt(db, customerId, id, user),
      ]
    : [insertCallStmt(db, fields)];
  try {
    await db.batch(ticket);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // The session id is recorded for another tenant (two tenants on one RingCentral user): keep theirs.
    logRingCentral("warn", "telephony session already recorded for another customer", { customerId, sid });
    return null;
  }
  return id;
}
