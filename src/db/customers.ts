import { ApiError } from "../lib/errors";
import { nowIso } from "../lib/ids";

/** A tenant. Its carrier accounts are in carrier_accounts (src/db/carrier-accounts.ts). */
export interface CustomerRow {
  id: number;
  name: string;
  phone_stream_url: string | null;
  openai_api_key_enc: string | null;
  openai_realtime_model: string;
  openai_transcription_model: string;
  openai_transcription_active: number;
  ai_fallback: "dial" | "apology";
  /** Days after which recordings and transcripts are deleted (docs/data-lifecycle.md); null keeps them. */
  retention_days: number | null;
  /** Set when the customer is deleted: it is gone for every lookup while its data is purged. */
  deleted_at: string | null;
  /** IANA time zone; campaigns' calling hours are read in it (docs/campaigns.md). */
  time_zone: string;
  /** Inbound calls to a rep's number ring the rep's browser this long, then `rep_no_answer` takes them. */
  rep_ring_seconds: number;
  rep_no_answer: "voicemail" | "assistant";
  rep_no_answer_assistant_id: number | null;
  /** JSON array of ISO 3166 alpha-2 codes phone-login codes may be sent to; null: the countries of its numbers. */
  phone_login_countries: string | null;
  /** Phone-login codes the tenant sends per hour, all numbers together. */
  phone_login_hourly_limit: number;
  created_at: string;
  updated_at: string;
}

/** Phone-login codes a tenant may send per hour unless its admin sets another number (migration 0010). */
export const DEFAULT_PHONE_LOGIN_HOURLY_LIMIT = 100;

/** The destination countries a tenant set for phone-login codes, or null (the countries of its own numbers). */
export const phoneLoginCountries = (c: Pick<CustomerRow, "phone_login_countries">): string[] | null =>
  c.phone_login_countries === null ? null : (JSON.parse(c.phone_login_countries) as string[]);

/** Column values for insert/update; secrets must already be encrypted. */
export type CustomerFields = Omit<CustomerRow, "id" | "created_at" | "updated_at" | "deleted_at">;

const COLUMNS = [
  "name",
  "phone_stream_url",
  "openai_api_key_enc",
  "openai_realtime_model",
  "openai_transcription_model",
  "openai_transcription_active",
  "ai_fallback",
  "retention_days",
  "time_zone",
  "rep_ring_seconds",
  "rep_no_answer",
  "rep_no_answer_assistant_id",
  "phone_login_countries",
  "phone_login_hourly_limit",
] as const satisfies readonly (keyof CustomerFields)[];

/** Prepared insert, for a `db.batch` with the customer's carrier accounts (`last_insert_rowid()`). */
export function insertCustomerStmt(db: D1Database, f: CustomerFields) {
  const now = nowIso();
  const cols = [...COLUMNS, "created_at", "updated_at"];
  return db
    .prepare(`INSERT INTO customers (${cols.join(", ")}) VALUES (${cols.map((_, i) => `?${i + 1}`).join(", ")})`)
    .bind(...COLUMNS.map((c) => f[c]), now, now);
}

export function updateCustomerStmt(db: D1Database, id: number, patch: Partial<CustomerFields>) {
  const keys = COLUMNS.filter((c) => patch[c] !== undefined);
  const sets = [...keys.map((k, i) => `${k} = ?${i + 1}`), `updated_at = ?${keys.length + 1}`];
  return db
    .prepare(`UPDATE customers SET ${sets.join(", ")} WHERE id = ?${keys.length + 2}`)
    .bind(...keys.map((k) => patch[k]), nowIso(), id);
}

export const getCustomer = (db: D1Database, id: number) =>
  db.prepare("SELECT * FROM customers WHERE id = ?1 AND deleted_at IS NULL").bind(id).first<CustomerRow>();

/** Marks the customer deleted (gone for every lookup at once); its data is purged by a queued job. */
export const markCustomerDeletedStmt = (db: D1Database, id: number) =>
  db.prepare("UPDATE customers SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL").bind(id, nowIso());

/** The tenant, or the 404 a missing one gets. */
export async function loadCustomer(db: D1Database, customerId: number): Promise<CustomerRow> {
  const c = await getCustomer(db, customerId);
  if (!c) throw new ApiError(404, `Customer ${customerId} not found`);
  return c;
}

/**
 * `newest` first for people (the tenant just provisioned is on the first page, however many came before it);
 * `oldest` first for a sweep over every tenant, whose pages stay put while tenants are added.
 */
export async function listCustomers(db: D1Database, limit: number, offset: number, order: "newest" | "oldest") {
  const { results } = await db
    .prepare(
      `SELECT * FROM customers WHERE deleted_at IS NULL ORDER BY id ${order === "newest" ? "DESC" : "ASC"} LIMIT ?1 OFFSET ?2`,
    )
    .bind(limit, offset)
    .all<CustomerRow>();
  return results;
}
