import { nowIso } from "../lib/ids";
import type { SenderType } from "./tickets";

export interface TranscriptSegmentRow {
  id: number;
  call_id: string;
  customer_id: number;
  role: "agent" | "customer";
  sender_type: SenderType;
  text: string;
  offset_ms: number;
  created_at: string;
  /** The recording it was transcribed from; null for live (realtime) transcripts. */
  recording_id: string | null;
}

export const roleOf = (s: SenderType): "agent" | "customer" => (s === "EndUser" ? "customer" : "agent");

export function insertSegmentStmt(
  db: D1Database,
  s: {
    callId: string;
    customerId: number;
    senderType: SenderType;
    text: string;
    offsetMs: number;
    recordingId?: string | null;
  },
) {
  return db
    .prepare(
      `INSERT INTO transcript_segments (call_id, customer_id, role, sender_type, text, offset_ms, created_at, recording_id)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
    )
    .bind(
      s.callId,
      s.customerId,
      roleOf(s.senderType),
      s.senderType,
      s.text,
      s.offsetMs,
      nowIso(),
      s.recordingId ?? null,
    );
}

export async function listSegments(db: D1Database, customerId: number, callId: string) {
  const { results } = await db
    .prepare("SELECT * FROM transcript_segments WHERE customer_id = ?1 AND call_id = ?2 ORDER BY offset_ms, id")
    .bind(customerId, callId)
    .all<TranscriptSegmentRow>();
  return results;
}
