import { nowIso } from "../lib/ids";

export interface PhoneNumberRow {
  id: number;
  customer_id: number;
  number: string;
  rep_id: number | null;
  assistant_id: number | null;
  created_at: string;
}

export const publicPhoneNumber = (p: PhoneNumberRow) => ({
  id: p.id,
  customerId: p.customer_id,
  number: p.number,
  repId: p.rep_id,
  assistantId: p.assistant_id,
  createdAt: p.created_at,
});

/** Adds the number, or (re)assigns it when the tenant already owns it. */
export async function upsertPhoneNumber(
  db: D1Database,
  f: { customerId: number; number: string; repId: number | null; assistantId: number | null },
): Promise<PhoneNumberRow> {
  const row = await db
    .prepare(
      `INSERT INTO phone_numbers (customer_id, number, rep_id, assistant_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (customer_id, number) DO UPDATE SET
         rep_id = COALESCE(excluded.rep_id, rep_id), assistant_id = COALESCE(excluded.assistant_id, assistant_id)
       RETURNING *`,
    )
    .bind(f.customerId, f.number, f.repId, f.assistantId, nowIso())
    .first<PhoneNumberRow>();
  if (!row) throw new Error("upsert phone_numbers returned nothing");
  return row;
}

export const getPhoneNumber = (db: D1Database, customerId: number, number: string) =>
  db
    .prepare("SELECT * FROM phone_numbers WHERE customer_id = ?1 AND number = ?2")
    .bind(customerId, number)
    .first<PhoneNumberRow>();

/** The tenant's first number an assistant answers (its AI line), or null. */
export const firstAssistantNumber = async (db: D1Database, customerId: number) =>
  (
    await db
      .prepare(
        "SELECT number FROM phone_numbers WHERE customer_id = ?1 AND assistant_id IS NOT NULL ORDER BY id LIMIT 1",
      )
      .bind(customerId)
      .first<{ number: string }>()
  )?.number ?? null;

export async function listPhoneNumbers(db: D1Database, customerId: number) {
  const { results } = await db
    .prepare("SELECT * FROM phone_numbers WHERE customer_id = ?1 ORDER BY id")
    .bind(customerId)
    .all<PhoneNumberRow>();
  return results;
}

export async function numbersOfRep(db: D1Database, customerId: number, repId: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT number FROM phone_numbers WHERE customer_id = ?1 AND rep_id = ?2 ORDER BY id")
    .bind(customerId, repId)
    .all<{ number: string }>();
  return results.map((r) => r.number);
}

/**
 * The caller ID an outbound AI call of a rep takes when none is given: of the numbers the rep may call from (theirs
 * or shared), one the assistant answers (a call back reaches it again), then the rep's own, then a shared one.
 */
export async function callerIdFor(db: D1Database, customerId: number, repId: number, assistantId: number) {
  const row = await db
    .prepare(
      `SELECT number FROM phone_numbers WHERE customer_id = ?1 AND (rep_id IS NULL OR rep_id = ?2)
       ORDER BY assistant_id IS ?3 DESC, rep_id IS ?2 DESC, id LIMIT 1`,
    )
    .bind(customerId, repId, assistantId)
    .first<{ number: string }>();
  return row?.number ?? null;
}
