import { nowIso } from "../lib/ids";

export interface PhoneLoginCodeRow {
  id: number;
  customer_id: number;
  phone_number: string;
  code_hash: string;
  attempts: number;
  expires_at: string;
  consumed_at: string | null;
  created_at: string;
}

export interface CodeClaim {
  customerId: number;
  phoneNumber: string;
  codeHash: string;
  expiresAt: string;
  /** At most `perNumber` codes for this number since `numberSince`… */
  perNumber: number;
  numberSince: string;
  /** …and at most `perTenant` codes for the whole tenant since `tenantSince`. */
  perTenant: number;
  tenantSince: string;
}

/**
 * Claims a send slot and stores the code in one statement: the counts and the insert cannot interleave with a
 * concurrent request's (D1 runs one statement at a time), so parallel requests never pass the limits together.
 * Null when a limit is reached. The code is usable at once; a failed send deletes it (`deleteCode`).
 */
export const claimCode = (db: D1Database, c: CodeClaim) =>
  db
    .prepare(
      `INSERT INTO phone_login_codes (customer_id, phone_number, code_hash, expires_at, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5
       WHERE (SELECT COUNT(*) FROM phone_login_codes WHERE customer_id = ?1 AND phone_number = ?2 AND created_at >= ?6) < ?7
         AND (SELECT COUNT(*) FROM phone_login_codes WHERE customer_id = ?1 AND created_at >= ?8) < ?9
       RETURNING id`,
    )
    .bind(
      c.customerId,
      c.phoneNumber,
      c.codeHash,
      c.expiresAt,
      nowIso(),
      c.numberSince,
      c.perNumber,
      c.tenantSince,
      c.perTenant,
    )
    .first<{ id: number }>();

/** Gives a claimed slot back (its SMS could not be sent): no usable code is left behind. */
export async function deleteCode(db: D1Database, customerId: number, id: number) {
  await db.prepare("DELETE FROM phone_login_codes WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).run();
}

export async function codesSentSince(db: D1Database, customerId: number, phoneNumber: string, sinceIso: string) {
  const row = await db
    .prepare(
      "SELECT COUNT(*) AS n FROM phone_login_codes WHERE customer_id = ?1 AND phone_number = ?2 AND created_at >= ?3",
    )
    .bind(customerId, phoneNumber, sinceIso)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export const latestLiveCode = (db: D1Database, customerId: number, phoneNumber: string, nowIsoValue: string) =>
  db
    .prepare(
      `SELECT * FROM phone_login_codes WHERE customer_id = ?1 AND phone_number = ?2 AND consumed_at IS NULL AND expires_at > ?3
       ORDER BY id DESC LIMIT 1`,
    )
    .bind(customerId, phoneNumber, nowIsoValue)
    .first<PhoneLoginCodeRow>();

/** Counts an attempt atomically; returns the row only while attempts stay within the limit. */
export const spendAttempt = (db: D1Database, id: number, maxAttempts: number) =>
  db
    .prepare(
      "UPDATE phone_login_codes SET attempts = attempts + 1 WHERE id = ?1 AND attempts < ?2 AND consumed_at IS NULL RETURNING *",
    )
    .bind(id, maxAttempts)
    .first<PhoneLoginCodeRow>();

/** Consumes the code once; a second concurrent use gets null. */
export const consumeCode = (db: D1Database, id: number) =>
  db
    .prepare("UPDATE phone_login_codes SET consumed_at = ?2 WHERE id = ?1 AND consumed_at IS NULL RETURNING id")
    .bind(id, nowIso())
    .first<{ id: number }>();
