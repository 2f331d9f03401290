import { nowIso } from "../lib/ids";

export interface RepRow {
  id: number;
  customer_id: number;
  name: string;
  email: string | null;
  identity: string;
  active: number;
  created_at: string;
  updated_at: string;
}

export function publicRep(r: RepRow, phoneNumbers: string[]) {
  return {
    id: r.id,
    customerId: r.customer_id,
    name: r.name,
    email: r.email,
    identity: r.identity,
    phoneNumbers,
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function insertRep(
  db: D1Database,
  f: { customerId: number; name: string; email: string | null; identity: string; active: boolean },
): Promise<RepRow> {
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO reps (customer_id, name, email, identity, active, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING *`,
    )
    .bind(f.customerId, f.name, f.email, f.identity, f.active ? 1 : 0, now)
    .first<RepRow>();
  if (!row) throw new Error("insert reps returned nothing");
  return row;
}

export async function updateRep(
  db: D1Database,
  customerId: number,
  id: number,
  patch: { name?: string; email?: string | null; identity?: string; active?: boolean },
): Promise<RepRow | null> {
  return db
    .prepare(
      `UPDATE reps SET name = COALESCE(?3, name), email = CASE WHEN ?4 THEN ?5 ELSE email END,
         identity = COALESCE(?6, identity), active = COALESCE(?7, active), updated_at = ?8
       WHERE customer_id = ?1 AND id = ?2 RETURNING *`,
    )
    .bind(
      customerId,
      id,
      patch.name ?? null,
      patch.email !== undefined ? 1 : 0,
      patch.email ?? null,
      patch.identity ?? null,
      patch.active === undefined ? null : patch.active ? 1 : 0,
      nowIso(),
    )
    .first<RepRow>();
}

export const getRep = (db: D1Database, customerId: number, id: number) =>
  db.prepare("SELECT * FROM reps WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<RepRow>();

/** Only for token verification, where the tenant is not yet known: the rep row names it. */
export const getRepById = (db: D1Database, id: number) =>
  db
    .prepare("SELECT r.* FROM reps r JOIN customers c ON c.id = r.customer_id AND c.deleted_at IS NULL WHERE r.id = ?1")
    .bind(id)
    .first<RepRow>();

export async function listReps(db: D1Database, customerId: number, limit: number, offset: number) {
  const { results } = await db
    .prepare("SELECT * FROM reps WHERE customer_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3")
    .bind(customerId, limit, offset)
    .all<RepRow>();
  return results;
}
