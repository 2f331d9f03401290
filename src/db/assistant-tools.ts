import { nowIso } from "../lib/ids";
import type { SchemaNode } from "../lib/json-schema";

export const TOOL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type ToolMethod = (typeof TOOL_METHODS)[number];

/** An HTTP tool of an assistant (migration 0009). `headers_json`: header name → encrypted value. */
export interface AssistantToolRow {
  id: number;
  customer_id: number;
  assistant_id: number;
  name: string;
  description: string;
  parameters_json: string;
  url: string;
  method: ToolMethod;
  headers_json: string;
  timeout_ms: number;
  created_at: string;
  updated_at: string;
}

export type AssistantToolFields = Pick<
  AssistantToolRow,
  "name" | "description" | "parameters_json" | "url" | "method" | "headers_json" | "timeout_ms"
>;
const FIELDS = ["name", "description", "parameters_json", "url", "method", "headers_json", "timeout_ms"] as const;

export const toolParameters = (t: Pick<AssistantToolRow, "parameters_json">) =>
  JSON.parse(t.parameters_json) as SchemaNode;

/** Encrypted header values, by name. */
export const toolHeaders = (t: Pick<AssistantToolRow, "headers_json">) =>
  JSON.parse(t.headers_json) as Record<string, string>;

/** Header values are secrets: only their names are shown. */
export const publicTool = (t: AssistantToolRow) => ({
  id: t.id,
  assistantId: t.assistant_id,
  name: t.name,
  description: t.description,
  parameters: toolParameters(t),
  url: t.url,
  method: t.method,
  headerNames: Object.keys(toolHeaders(t)),
  timeoutMs: t.timeout_ms,
  createdAt: t.created_at,
  updatedAt: t.updated_at,
});

export async function insertTool(db: D1Database, customerId: number, assistantId: number, f: AssistantToolFields) {
  const cols = [...FIELDS, "created_at", "updated_at"];
  const now = nowIso();
  const row = await db
    .prepare(
      `INSERT INTO assistant_tools (customer_id, assistant_id, ${cols.join(", ")})
       VALUES (?1, ?2, ${cols.map((_, i) => `?${i + 3}`).join(", ")}) RETURNING *`,
    )
    .bind(customerId, assistantId, ...FIELDS.map((k) => f[k]), now, now)
    .first<AssistantToolRow>();
  if (!row) throw new Error("insert assistant_tools returned nothing");
  return row;
}

export function updateTool(
  db: D1Database,
  customerId: number,
  assistantId: number,
  id: number,
  patch: Partial<AssistantToolFields>,
) {
  const keys = FIELDS.filter((k) => patch[k] !== undefined);
  const sets = [...keys.map((k, i) => `${k} = ?${i + 4}`), `updated_at = ?${keys.length + 4}`];
  return db
    .prepare(
      `UPDATE assistant_tools SET ${sets.join(", ")} WHERE customer_id = ?1 AND assistant_id = ?2 AND id = ?3 RETURNING *`,
    )
    .bind(customerId, assistantId, id, ...keys.map((k) => patch[k]), nowIso())
    .first<AssistantToolRow>();
}

export async function deleteTool(db: D1Database, customerId: number, assistantId: number, id: number) {
  const r = await db
    .prepare("DELETE FROM assistant_tools WHERE customer_id = ?1 AND assistant_id = ?2 AND id = ?3")
    .bind(customerId, assistantId, id)
    .run();
  return r.meta.changes > 0;
}

export async function listTools(db: D1Database, customerId: number, assistantId: number) {
  const { results } = await db
    .prepare("SELECT * FROM assistant_tools WHERE customer_id = ?1 AND assistant_id = ?2 ORDER BY id")
    .bind(customerId, assistantId)
    .all<AssistantToolRow>();
  return results;
}

export const getTool = (db: D1Database, customerId: number, id: number) =>
  db
    .prepare("SELECT * FROM assistant_tools WHERE customer_id = ?1 AND id = ?2")
    .bind(customerId, id)
    .first<AssistantToolRow>();
