import { nowIso } from "../lib/ids";

export interface CustomerRow {
  id: number;
  name: string;
  twilio_account_sid: string;
  twilio_auth_token_enc: string;
  twilio_api_key_sid: string;
  twilio_api_key_secret_enc: string;
  twilio_twiml_app_sid: string;
  /** JSON array of further TwiML app SIDs the tenant owns (migration 0002). */
  twilio_extra_twiml_app_sids: string;
  twilio_region: string | null;
  twilio_edge: string | null;
  phone_stream_url: string | null;
  openai_api_key_enc: string | null;
  openai_realtime_model: string;
  openai_transcription_model: string;
  openai_transcription_active: number;
  ai_fallback: "dial" | "apology";
  created_at: string;
  updated_at: string;
}

/** Column values for insert/update; secrets must already be encrypted. */
export type CustomerFields = Omit<CustomerRow, "id" | "created_at" | "updated_at">;

/** The customer as the API shows it: no secret, only whether one is set. */
export function publicCustomer(c: CustomerRow) {
  return {
    id: c.id,
    name: c.name,
    twilio: {
      accountSid: c.twilio_account_sid,
      apiKeySid: c.twilio_api_key_sid,
      twimlAppSid: c.twilio_twiml_app_sid,
      extraTwimlAppSids: extraTwimlAppSids(c),
      region: c.twilio_region,
      edge: c.twilio_edge,
      hasAuthToken: true,
      hasApiKeySecret: true,
    },
    openai: {
      hasApiKey: c.openai_api_key_enc !== null,
      realtimeModel: c.openai_realtime_model,
      transcriptionModel: c.openai_transcription_model,
      transcriptionActive: c.openai_transcription_active === 1,
    },
    phoneStreamUrl: c.phone_stream_url,
    aiFallback: c.ai_fallback,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

const COLUMNS = [
  "name",
  "twilio_account_sid",
  "twilio_auth_token_enc",
  "twilio_api_key_sid",
  "twilio_api_key_secret_enc",
  "twilio_twiml_app_sid",
  "twilio_extra_twiml_app_sids",
  "twilio_region",
  "twilio_edge",
  "phone_stream_url",
  "openai_api_key_enc",
  "openai_realtime_model",
  "openai_transcription_model",
  "openai_transcription_active",
  "ai_fallback",
] as const satisfies readonly (keyof CustomerFields)[];

export async function insertCustomer(db: D1Database, f: CustomerFields): Promise<CustomerRow> {
  const now = nowIso();
  const cols = [...COLUMNS, "created_at", "updated_at"];
  const row = await db
    .prepare(`INSERT INTO customers (${cols.join(", ")}) VALUES (${cols.map((_, i) => `?${i + 1}`).join(", ")}) RETURNING *`)
    .bind(...COLUMNS.map((c) => f[c]), now, now)
    .first<CustomerRow>();
  if (!row) throw new Error("insert customers returned nothing");
  return row;
}

export async function updateCustomer(db: D1Database, id: number, patch: Partial<CustomerFields>): Promise<CustomerRow | null> {
  const keys = COLUMNS.filter((c) => patch[c] !== undefined);
  const sets = [...keys.map((k, i) => `${k} = ?${i + 1}`), `updated_at = ?${keys.length + 1}`];
  return db
    .prepare(`UPDATE customers SET ${sets.join(", ")} WHERE id = ?${keys.length + 2} RETURNING *`)
    .bind(...keys.map((k) => patch[k]), nowIso(), id)
    .first<CustomerRow>();
}

export const getCustomer = (db: D1Database, id: number) =>
  db.prepare("SELECT * FROM customers WHERE id = ?1").bind(id).first<CustomerRow>();

export const getCustomerByAccountSid = (db: D1Database, accountSid: string) =>
  db.prepare("SELECT * FROM customers WHERE twilio_account_sid = ?1").bind(accountSid).first<CustomerRow>();

export async function listCustomers(db: D1Database, limit: number, offset: number) {
  const { results } = await db
    .prepare("SELECT * FROM customers ORDER BY id LIMIT ?1 OFFSET ?2")
    .bind(limit, offset)
    .all<CustomerRow>();
  return results;
}

/** The further TwiML app SIDs registered for the tenant (never the main one, which is always owned). */
export function extraTwimlAppSids(c: Pick<CustomerRow, "twilio_extra_twiml_app_sids">): string[] {
  try {
    const v: unknown = JSON.parse(c.twilio_extra_twiml_app_sids);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Whether a TwiML app SID is the tenant's: its main app or one registered as extra. */
export const ownsTwimlApp = (c: CustomerRow, appSid: string) =>
  c.twilio_twiml_app_sid === appSid || extraTwimlAppSids(c).includes(appSid);
