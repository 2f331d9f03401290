import { nowIso } from "../lib/ids";

export const CHANNELS = ["phone", "web", "email"] as const;
export const TICKET_STATUSES = ["open", "pending", "closed"] as const;
export const SENDER_TYPES = ["EndUser", "AI", "CustomerRep"] as const;
export type Channel = (typeof CHANNELS)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type SenderType = (typeof SENDER_TYPES)[number];

export interface TicketRow {
  id: number;
  customer_id: number;
  channel: Channel;
  status: TicketStatus;
  subject: string;
  phone_number: string | null;
  rep_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface TicketMessageRow {
  id: number;
  ticket_id: number;
  customer_id: number;
  sender_type: SenderType;
  text: string;
  offset_ms: number | null;
  recording_id: string | null;
  call_id: string | null;
  created_at: string;
}

export const publicTicket = (t: TicketRow) => ({
  id: t.id,
  channel: t.channel,
  status: t.status,
  subject: t.subject,
  phoneNumber: t.phone_number,
  repId: t.rep_id,
  createdAt: t.created_at,
  updatedAt: t.updated_at,
});

export const publicMessage = (m: TicketMessageRow) => ({
  id: m.id,
  senderType: m.sender_type,
  text: m.text,
  /** SPEC.md's name for it; `offsetMs` says the unit. Both: ms from the start of the ticket's recording. */
  offset: m.offset_ms,
  offsetMs: m.offset_ms,
  recordingId: m.recording_id,
  createdAt: m.created_at,
});

export async function insertTicket(
  db: D1Database,
  f: { customerId: number; channel: Channel; subject: string; phoneNumber: string | null; repId: number | null },
): Promise<TicketRow> {
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO tickets (customer_id, channel, subject, phone_number, rep_id, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING *`,
    )
    .bind(f.customerId, f.channel, f.subject, f.phoneNumber, f.repId, now)
    .first<TicketRow>();
  if (!row) throw new Error("insert tickets returned nothing");
  return row;
}

export const getTicket = (db: D1Database, customerId: number, id: number) =>
  db.prepare("SELECT * FROM tickets WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<TicketRow>();

/**
 * A call makes or joins the phone-channel ticket of the end user's number. The insert-unless-open and the read
 * are one batch (one transaction), so concurrent calls from one number (parallel webhooks) share one ticket.
 */
export async function phoneTicketFor(
  db: D1Database,
  customerId: number,
  phoneNumber: string,
  repId: number | null,
  subject: string,
): Promise<TicketRow> {
  const [, found] = await db.batch<TicketRow>([
    ensurePhoneTicketStmt(db, customerId, phoneNumber, repId, subject),
    db.prepare(`SELECT * FROM tickets WHERE id = ${openPhoneTicketIdSql(1, 2)}`).bind(customerId, phoneNumber),
  ]);
  const ticket = found?.results[0];
  if (!ticket) throw new Error("phone ticket vanished");
  return ticket;
}

/** SQL for the id of the open phone ticket of a number, with the customer and number bound at `?c` and `?p`. */
export const openPhoneTicketIdSql = (c: number, p: number) =>
  `(SELECT id FROM tickets WHERE customer_id = ?${c} AND phone_number = ?${p} AND channel = 'phone' AND status != 'closed'
    ORDER BY id DESC LIMIT 1)`;

/**
 * `phoneTicketFor` as one statement, for a `db.batch`: opens a phone ticket for the number unless an open one
 * exists. Later statements of the same batch find it with `openPhoneTicketIdSql`.
 */
export const ensurePhoneTicketStmt = (
  db: D1Database,
  customerId: number,
  phoneNumber: string,
  repId: number | null,
  subject: string,
) =>
  db
    .prepare(
      `INSERT INTO tickets (customer_id, channel, subject, phone_number, rep_id, created_at, updated_at)
       SELECT ?1, 'phone', ?3, ?2, ?4, ?5, ?5 WHERE ${openPhoneTicketIdSql(1, 2)} IS NULL`,
    )
    .bind(customerId, phoneNumber, subject, repId, nowIso());

export interface TicketFilter {
  channel?: Channel;
  status?: TicketStatus;
  phoneNumber?: string;
}

export async function listTickets(db: D1Database, customerId: number, f: TicketFilter, limit: number, offset: number) {
  const where = ["customer_id = ?1"];
  const args: (string | number)[] = [customerId];
  const add = (col: string, v: string | undefined) => {
    if (v === undefined) return;
    args.push(v);
    where.push(`${col} = ?${args.length}`);
  };
  add("channel", f.channel);
  add("status", f.status);
  add("phone_number", f.phoneNumber);
  const whereSql = where.join(" AND ");
  const [rows, count] = await db.batch([
    db
      .prepare(
        `SELECT * FROM tickets WHERE ${whereSql} ORDER BY id DESC LIMIT ?${args.length + 1} OFFSET ?${args.length + 2}`,
      )
      .bind(...args, limit, offset),
    db.prepare(`SELECT COUNT(*) AS total FROM tickets WHERE ${whereSql}`).bind(...args),
  ]);
  return {
    items: (rows?.results ?? []) as TicketRow[],
    total: ((count?.results ?? [])[0] as { total: number } | undefined)?.total ?? 0,
  };
}

export async function touchTicket(db: D1Database, customerId: number, id: number) {
  await db
    .prepare("UPDATE tickets SET updated_at = ?3 WHERE customer_id = ?1 AND id = ?2")
    .bind(customerId, id, nowIso())
    .run();
}

export function insertMessageStmt(
  db: D1Database,
  m: {
    ticketId: number;
    customerId: number;
    senderType: SenderType;
    text: string;
    offsetMs: number | null;
    recordingId: string | null;
    /** The call it was transcribed from, if any: deleting the call deletes it. */
    callId?: string | null;
  },
) {
  return db
    .prepare(
      `INSERT INTO ticket_messages (ticket_id, customer_id, sender_type, text, offset_ms, recording_id, call_id, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING *`,
    )
    .bind(m.ticketId, m.customerId, m.senderType, m.text, m.offsetMs, m.recordingId, m.callId ?? null, nowIso());
}

export async function insertMessage(
  db: D1Database,
  m: Parameters<typeof insertMessageStmt>[1],
): Promise<TicketMessageRow> {
  const row = await insertMessageStmt(db, m).first<TicketMessageRow>();
  if (!row) throw new Error("insert ticket_messages returned nothing");
  return row;
}

export async function listMessages(db: D1Database, customerId: number, ticketId: number) {
  const { results } = await db
    .prepare(
      `SELECT * FROM ticket_messages WHERE customer_id = ?1 AND ticket_id = ?2
       ORDER BY COALESCE(offset_ms, 0), id`,
    )
    .bind(customerId, ticketId)
    .all<TicketMessageRow>();
  return results;
}
