import { nowIso } from "../lib/ids";
import type { CallState } from "./calls";

/** A contact's progress (migrations/0008_outbound_campaigns.sql); the API spells in_progress `inProgress`. */
export const CONTACT_STATES = ["pending", "in_progress", "completed", "failed"] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

export interface ContactRow {
  id: number;
  customer_id: number;
  campaign_id: number;
  number: string;
  metadata_json: string | null;
  state: ContactState;
  attempts: number;
  next_attempt_at: string;
  last_call_id: string | null;
  last_outcome: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** An in-progress contact with what its latest call's record says (null fields: the record is gone). */
export interface ContactWithCall extends ContactRow {
  call_state: CallState | null;
  call_outcome: string | null;
  call_sid: string | null;
  call_carrier: string | null;
  call_created_at: string | null;
}

export type Progress = Record<ContactState, number>;

const apiState = (s: ContactState) => (s === "in_progress" ? "inProgress" : s);

export const publicContact = (c: ContactRow) => ({
  id: c.id,
  number: c.number,
  state: apiState(c.state),
  attempts: c.attempts,
  nextAttemptAt: c.state === "pending" ? c.next_attempt_at : null,
  lastCallId: c.last_call_id,
  lastOutcome: c.last_outcome,
  lastError: c.last_error,
  metadata: c.metadata_json ? (JSON.parse(c.metadata_json) as unknown) : null,
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

export const publicProgress = (p: Progress) => ({
  pending: p.pending,
  inProgress: p.in_progress,
  completed: p.completed,
  failed: p.failed,
  total: p.pending + p.in_progress + p.completed + p.failed,
});

/** Rows per insert statement: they travel as one JSON parameter, well under D1's size limits. */
const ROWS_PER_INSERT = 1000;

/**
 * Adds contacts that are new to the campaign, as statements for one `db.batch` (one transaction), in the order
 * given; a number the campaign already has is left as it is. Each statement returns the numbers it inserted.
 */
export function insertContactsStmts(
  db: D1Database,
  customerId: number,
  campaignId: number,
  rows: { number: string; metadataJson: string | null }[],
): D1PreparedStatement[] {
  const stmts: D1PreparedStatement[] = [];
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    const chunk = rows.slice(at, at + ROWS_PER_INSERT).map((r) => ({ n: r.number, m: r.metadataJson }));
    stmts.push(
      db
        .prepare(
          `INSERT INTO campaign_contacts (customer_id, campaign_id, number, metadata_json, next_attempt_at, created_at, updated_at)
           SELECT ?1, ?2, json_extract(value, '$.n'), json_extract(value, '$.m'), ?3, ?3, ?3 FROM json_each(?4) WHERE true
           ORDER BY key
           ON CONFLICT (campaign_id, number) DO NOTHING RETURNING number`,
        )
        .bind(customerId, campaignId, nowIso(), JSON.stringify(chunk)),
    );
  }
  return stmts;
}

export async function campaignProgress(db: D1Database, customerId: number, campaignId: number): Promise<Progress> {
  const { results } = await db
    .prepare(
      "SELECT state, COUNT(*) AS n FROM campaign_contacts WHERE customer_id = ?1 AND campaign_id = ?2 GROUP BY state",
    )
    .bind(customerId, campaignId)
    .all<{ state: ContactState; n: number }>();
  const p: Progress = { pending: 0, in_progress: 0, completed: 0, failed: 0 };
  for (const r of results) p[r.state] = r.n;
  return p;
}

/** Pending contacts whose time has come, longest waiting first. */
export async function dueContacts(db: D1Database, customerId: number, campaignId: number, now: string, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT * FROM campaign_contacts WHERE customer_id = ?1 AND campaign_id = ?2 AND state = 'pending' AND next_attempt_at <= ?3
       ORDER BY next_attempt_at, id LIMIT ?4`,
    )
    .bind(customerId, campaignId, now, limit)
    .all<ContactRow>();
  return results;
}

/** When the next pending contact falls due (a retry waiting out its delay), or null when none is pending. */
export async function nextDueAt(db: D1Database, customerId: number, campaignId: number): Promise<string | null> {
  const row = await db
    .prepare(
      `SELECT MIN(next_attempt_at) AS at FROM campaign_contacts WHERE customer_id = ?1 AND campaign_id = ?2 AND state = 'pending'`,
    )
    .bind(customerId, campaignId)
    .first<{ at: string | null }>();
  return row?.at ?? null;
}

/** Takes a pending contact for one attempt; null when something else took it first. */
export const claimContact = (db: D1Database, customerId: number, id: number) =>
  db
    .prepare(
      `UPDATE campaign_contacts SET state = 'in_progress', attempts = attempts + 1, last_call_id = NULL, last_error = NULL,
         updated_at = ?3 WHERE customer_id = ?1 AND id = ?2 AND state = 'pending' RETURNING *`,
    )
    .bind(customerId, id, nowIso())
    .first<ContactRow>();

export interface ContactPatch {
  state?: ContactState;
  attempts?: number;
  next_attempt_at?: string;
  last_call_id?: string | null;
  last_outcome?: string | null;
  last_error?: string | null;
}

export async function updateContact(db: D1Database, customerId: number, id: number, patch: ContactPatch) {
  const keys = (Object.keys(patch) as (keyof ContactPatch)[]).filter((k) => patch[k] !== undefined);
  const sets = [...keys.map((k, i) => `${k} = ?${i + 3}`), `updated_at = ?${keys.length + 3}`];
  await db
    .prepare(`UPDATE campaign_contacts SET ${sets.join(", ")} WHERE customer_id = ?1 AND id = ?2`)
    .bind(customerId, id, ...keys.map((k) => patch[k] ?? null), nowIso())
    .run();
}

/** The contacts being called, each with its latest call's record (joined on the tenant too). */
export async function inProgressContacts(db: D1Database, customerId: number, campaignId: number) {
  const { results } = await db
    .prepare(
      `SELECT c.*, k.state AS call_state, k.outcome AS call_outcome, k.call_sid AS call_sid, k.carrier AS call_carrier,
              k.created_at AS call_created_at
       FROM campaign_contacts c LEFT JOIN calls k ON k.id = c.last_call_id AND k.customer_id = c.customer_id
       WHERE c.customer_id = ?1 AND c.campaign_id = ?2 AND c.state = 'in_progress' ORDER BY c.id LIMIT 500`,
    )
    .bind(customerId, campaignId)
    .all<ContactWithCall>();
  return results;
}

/** One page of a campaign's contacts (in upload order) and their total. */
export async function listContacts(
  db: D1Database,
  customerId: number,
  campaignId: number,
  state: ContactState | undefined,
  limit: number,
  offset: number,
) {
  const where = `customer_id = ?1 AND campaign_id = ?2${state ? " AND state = ?5" : ""}`;
  const binds = state ? [state] : [];
  const [page, count] = await db.batch<ContactRow | { total: number }>([
    db
      .prepare(`SELECT * FROM campaign_contacts WHERE ${where} ORDER BY id LIMIT ?3 OFFSET ?4`)
      .bind(customerId, campaignId, limit, offset, ...binds),
    db
      .prepare(`SELECT COUNT(*) AS total FROM campaign_contacts WHERE ${where.replace("?5", "?3")}`)
      .bind(customerId, campaignId, ...binds),
  ]);
  return {
    items: (page?.results ?? []) as ContactRow[],
    total: ((count?.results[0] ?? { total: 0 }) as { total: number }).total,
  };
}
