import { nowIso } from "../lib/ids";

export interface AssistantRow {
  id: number;
  customer_id: number;
  name: string;
  instructions: string;
  voice: string | null;
  welcome_message: string | null;
  language: string | null;
  created_at: string;
  updated_at: string;
}

export type AssistantFields = Pick<AssistantRow, "name" | "instructions" | "voice" | "welcome_message" | "language">;

export const publicAssistant = (a: AssistantRow) => ({
  id: a.id,
  customerId: a.customer_id,
  name: a.name,
  instructions: a.instructions,
  voice: a.voice,
  welcomeMessage: a.welcome_message,
  language: a.language,
  createdAt: a.created_at,
  updatedAt: a.updated_at,
});

export async function insertAssistant(db: D1Database, customerId: number, f: AssistantFields): Promise<AssistantRow> {
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO assistants (customer_id, name, instructions, voice, welcome_message, language, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING *`,
    )
    .bind(customerId, f.name, f.instructions, f.voice, f.welcome_message, f.language, now)
    .first<AssistantRow>();
  if (!row) throw new Error("insert assistants returned nothing");
  return row;
}

export async function updateAssistant(db: D1Database, customerId: number, id: number, patch: Partial<AssistantFields>) {
  const keys = (["name", "instructions", "voice", "welcome_message", "language"] as const).filter(
    (k) => patch[k] !== undefined,
  );
  const sets = [...keys.map((k, i) => `${k} = ?${i + 3}`), `updated_at = ?${keys.length + 3}`];
  return db
    .prepare(`UPDATE assistants SET ${sets.join(", ")} WHERE customer_id = ?1 AND id = ?2 RETURNING *`)
    .bind(customerId, id, ...keys.map((k) => patch[k]), nowIso())
    .first<AssistantRow>();
}

export const getAssistant = (db: D1Database, customerId: number, id: number) =>
  db.prepare("SELECT * FROM assistants WHERE customer_id = ?1 AND id = ?2").bind(customerId, id).first<AssistantRow>();

/** The assistant answering a number the tenant owns, if any. */
export const getAssistantForNumber = (db: D1Database, customerId: number, number: string) =>
  db
    .prepare(
      `SELECT a.* FROM phone_numbers p JOIN assistants a ON a.id = p.assistant_id AND a.customer_id = p.customer_id
       WHERE p.customer_id = ?1 AND p.number = ?2`,
    )
    .bind(customerId, number)
    .first<AssistantRow>();

export async function listAssistants(db: D1Database, customerId: number) {
  const { results } = await db
    .prepare("SELECT * FROM assistants WHERE customer_id = ?1 ORDER BY id")
    .bind(customerId)
    .all<AssistantRow>();
  return results;
}
