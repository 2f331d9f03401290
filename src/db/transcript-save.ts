import { nowIso } from "../lib/ids";
import type { RecordingRow } from "./recordings";
import type { SenderType } from "./tickets";

export interface TranscriptPiece {
  senderType: SenderType;
  offsetMs: number;
  text: string;
}

/**
 * The recordings whose transcript a new transcript of `rec` replaces (customer at ?1, then the values): itself (a
 * retried job), and for uploads and live calls every earlier version.
 */
function replaced(rec: RecordingRow): { sql: string; values: (string | number | null)[] } {
  if (rec.source === "upload") {
    return {
      sql: "SELECT id FROM recordings WHERE customer_id = ?1 AND ticket_id = ?2 AND source = 'upload' AND call_id IS NULL AND version <= ?3",
      values: [rec.ticket_id, rec.version],
    };
  }
  if (rec.source === "live") {
    return {
      sql: "SELECT id FROM recordings WHERE customer_id = ?1 AND call_id = ?2 AND source = 'live' AND version <= ?3",
      values: [rec.call_id, rec.version],
    };
  }
  return { sql: "SELECT ?2", values: [rec.id] };
}

/**
 * Writes a recording's transcript as its ticket's messages and its call's segments in one batch (one
 * transaction): the older transcript it replaces is gone and the new one is whole, or nothing changed. The pieces
 * travel as one JSON parameter, so a long call is still four statements.
 */
export async function saveTranscript(db: D1Database, rec: RecordingRow, pieces: TranscriptPiece[]) {
  const old = replaced(rec);
  const rows = JSON.stringify(pieces.map((p) => [p.senderType, p.text, p.offsetMs]));
  const now = nowIso();
  const stmts = [
    db
      .prepare(`DELETE FROM ticket_messages WHERE customer_id = ?1 AND recording_id IN (${old.sql})`)
      .bind(rec.customer_id, ...old.values),
    db
      .prepare(`DELETE FROM transcript_segments WHERE customer_id = ?1 AND recording_id IN (${old.sql})`)
      .bind(rec.customer_id, ...old.values),
  ];
  if (rec.ticket_id !== null) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO ticket_messages (ticket_id, customer_id, sender_type, text, offset_ms, recording_id, call_id, created_at)
           SELECT ?1, ?2, value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', ?3, ?4, ?5 FROM json_each(?6) ORDER BY key`,
        )
        .bind(rec.ticket_id, rec.customer_id, rec.id, rec.call_id, now, rows),
    );
  }
  if (rec.call_id !== null) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO transcript_segments (call_id, customer_id, role, sender_type, text, offset_ms, created_at, recording_id)
           SELECT ?1, ?2, CASE value ->> '$[0]' WHEN 'EndUser' THEN 'customer' ELSE 'agent' END,
                  value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', ?3, ?4 FROM json_each(?5) ORDER BY key`,
        )
        .bind(rec.call_id, rec.customer_id, now, rec.id, rows),
    );
  }
  await db.batch(stmts);
  return { messages: rec.ticket_id !== null ? pieces.length : 0, segments: rec.call_id !== null ? pieces.length : 0 };
}
