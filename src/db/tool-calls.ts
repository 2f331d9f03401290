import { nowIso } from "../lib/ids";

export interface ToolCallRow {
  id: number;
  call_id: string;
  customer_id: number;
  name: string;
  success: number;
  /** The arguments the model sent (JSON text, cut at MAX_ARGUMENTS_CHARS); NULL before migration 0009. */
  arguments: string | null;
  latency_ms: number | null;
  /** Why the call failed, in a few words (never a secret); NULL when it succeeded. */
  error: string | null;
  created_at: string;
}

const MAX_ARGUMENTS_CHARS = 4000;

export interface NewToolCall {
  callId: string;
  customerId: number;
  name: string;
  success: boolean;
  arguments?: string | null;
  latencyMs?: number | null;
  error?: string | null;
}

export const insertToolCallStmt = (db: D1Database, t: NewToolCall) =>
  db
    .prepare(
      `INSERT INTO tool_calls (call_id, customer_id, name, success, arguments, latency_ms, error, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
    )
    .bind(
      t.callId,
      t.customerId,
      t.name,
      t.success ? 1 : 0,
      t.arguments?.slice(0, MAX_ARGUMENTS_CHARS) ?? null,
      t.latencyMs ?? null,
      t.error?.slice(0, 300) ?? null,
      nowIso(),
    );
