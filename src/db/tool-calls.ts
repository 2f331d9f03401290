import { nowIso } from "../lib/ids";

export interface ToolCallRow {
  id: number;
  call_id: string;
  customer_id: number;
  name: string;
  success: number;
  created_at: string;
}

export const insertToolCallStmt = (
  db: D1Database,
  t: { callId: string; customerId: number; name: string; success: boolean },
) =>
  db
    .prepare("INSERT INTO tool_calls (call_id, customer_id, name, success, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
    .bind(t.callId, t.customerId, t.name, t.success ? 1 : 0, nowIso());
