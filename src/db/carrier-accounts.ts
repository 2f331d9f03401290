import { nowIso } from "../lib/ids";

/**
 * A tenant's account at one carrier (migrations/0005_carrier_accounts.sql). Settings and secrets are JSON
 * objects whose shape belongs to the carrier's module (src/carriers/<name>/account.ts); every secret value is
 * encrypted before it gets here.
 */
export interface CarrierAccountRow {
  customer_id: number;
  carrier: string;
  account_ref: string | null;
  settings_json: string;
  secrets_json: string;
  created_at: string;
  updated_at: string;
}

export interface CarrierAccountFields {
  customerId: number;
  carrier: string;
  accountRef: string | null;
  settings: Record<string, unknown>;
  /** Each value already encrypted (`encryptSecret`). */
  secrets: Record<string, string>;
}

/** Creates or replaces the tenant's account at that carrier, for a `db.batch` (customer id given or the last inserted). */
export function upsertCarrierAccountStmt(
  db: D1Database,
  f: Omit<CarrierAccountFields, "customerId"> & { customerId: number | "last-insert" },
) {
  const customer = f.customerId === "last-insert" ? "last_insert_rowid()" : "?6";
  const args: (string | number | null)[] = [
    f.carrier,
    f.accountRef,
    JSON.stringify(f.settings),
    JSON.stringify(f.secrets),
    nowIso(),
  ];
  if (f.customerId !== "last-insert") args.push(f.customerId);
  return db
    .prepare(
      `INSERT INTO carrier_accounts (customer_id, carrier, account_ref, settings_json, secrets_json, created_at, updated_at)
       VALUES (${customer}, ?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (customer_id, carrier) DO UPDATE SET
         account_ref = excluded.account_ref, settings_json = excluded.settings_json, secrets_json = excluded.secrets_json, updated_at = excluded.updated_at`,
    )
    .bind(...args);
}

export const getCarrierAccount = (db: D1Database, customerId: number, carrier: string) =>
  db
    .prepare("SELECT * FROM carrier_accounts WHERE customer_id = ?1 AND carrier = ?2")
    .bind(customerId, carrier)
    .first<CarrierAccountRow>();

export async function listCarrierAccounts(db: D1Database, customerId: number): Promise<CarrierAccountRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM carrier_accounts WHERE customer_id = ?1 ORDER BY carrier")
    .bind(customerId)
    .all<CarrierAccountRow>();
  return results;
}

/**
 * The account a carrier's webhook names (a Telnyx connection, …): how an anonymous, signed webhook finds its
 * tenant. Not scoped to a tenant, by design: it is what tells us the tenant.
 */
export const findCarrierAccountByRef = (db: D1Database, carrier: string, accountRef: string) =>
  db
    .prepare("SELECT * FROM carrier_accounts WHERE carrier = ?1 AND account_ref = ?2")
    .bind(carrier, accountRef)
    .first<CarrierAccountRow>();

/**
 * Every account with this reference, oldest customer first, at most `limit`: a Twilio account may serve several
 * customers (migrations/0013_shared_twilio_accounts.sql). Not scoped to a tenant, like findCarrierAccountByRef.
 */
export async function findCarrierAccountsByRef(
  db: D1Database,
  carrier: string,
  accountRef: string,
  limit: number,
): Promise<CarrierAccountRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM carrier_accounts WHERE carrier = ?1 AND account_ref = ?2 ORDER BY customer_id LIMIT ?3")
    .bind(carrier, accountRef, limit)
    .all<CarrierAccountRow>();
  return results;
}
