import { nowIso } from "../lib/ids";

/** Turn detection of an assistant's realtime session (docs/live-calls.md, "Turn detection and noise"). */
export type TurnDetection =
  | { type: "server_vad"; threshold?: number; prefixPaddingMs?: number; silenceDurationMs?: number }
  | { type: "semantic_vad"; eagerness?: "low" | "medium" | "high" | "auto" };
export type NoiseReduction = "near_field" | "far_field";

export interface AssistantRow {
  id: number;
  customer_id: number;
  name: string;
  instructions: string;
  voice: string | null;
  welcome_message: string | null;
  language: string | null;
  /** JSON of a `TurnDetection`; NULL = server VAD with the defaults. */
  turn_detection_json: string | null;
  noise_reduction: NoiseReduction | null;
  /** Where transfer_to_human sends the caller; NULL = the rep who owns the called number. */
  transfer_number: string | null;
  /** What the caller hears while being transferred; NULL = TRANSFER_MESSAGE. */
  transfer_message: string | null;
  created_at: string;
  updated_at: string;
}

const FIELDS = [
  "name",
  "instructions",
  "voice",
  "welcome_message",
  "language",
  "turn_detection_json",
  "noise_reduction",
  "transfer_number",
  "transfer_message",
] as const;
export type AssistantFields = Pick<AssistantRow, (typeof FIELDS)[number]>;

/** The stored turn detection, or null for the default (rows are written only through the validated admin API). */
export const turnDetectionOf = (a: Pick<AssistantRow, "turn_detection_json">): TurnDetection | null =>
  a.turn_detection_json ? (JSON.parse(a.turn_detection_json) as TurnDetection) : null;

export const publicAssistant = (a: AssistantRow) => ({
  id: a.id,
  customerId: a.customer_id,
  name: a.name,
  instructions: a.instructions,
  voice: a.voice,
  welcomeMessage: a.welcome_message,
  language: a.language,
  turnDetection: turnDetectionOf(a),
  noiseReduction: a.noise_reduction,
  transferNumber: a.transfer_number,
  transferMessage: a.transfer_message,
  createdAt: a.created_at,
  updatedAt: a.updated_at,
});

export async function insertAssistant(db: D1Database, customerId: number, f: AssistantFields): Promise<AssistantRow> {
  const cols = [...FIELDS, "created_at", "updated_at"];
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO assistants (customer_id, ${cols.join(", ")}) VALUES (?1, ${cols.map((_, i) => `?${i + 2}`).join(", ")}) RETURNING *`,
    )
    .bind(customerId, ...FIELDS.map((k) => f[k]), now, now)
    .first<AssistantRow>();
  if (!row) throw new Error("insert assistants returned nothing");
  return row;
}

export async function updateAssistant(db: D1Database, customerId: number, id: number, patch: Partial<AssistantFields>) {
  const keys = FIELDS.filter((k) => patch[k] !== undefined);
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

/** The tenant's first assistant, or null: the one that takes what no assistant was named for. */
export const firstAssistant = (db: D1Database, customerId: number) =>
  db
    .prepare("SELECT * FROM assistants WHERE customer_id = ?1 ORDER BY id LIMIT 1")
    .bind(customerId)
    .first<AssistantRow>();

export async function listAssistants(db: D1Database, customerId: number) {
  const { results } = await db
    .prepare("SELECT * FROM assistants WHERE customer_id = ?1 ORDER BY id")
    .bind(customerId)
    .all<AssistantRow>();
  return results;
}
