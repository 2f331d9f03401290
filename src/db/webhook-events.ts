import { nowIso } from "../lib/ids";

/**
 * Marks a webhook delivery processed. Returns false when it already was, so a carrier's retry is a no-op.
 * Run it in the same `db.batch` as the delivery's writes when they must stand or fall together.
 */
export const markEventStmt = (db: D1Database, source: string, eventId: string, customerId: number | null) =>
  db
    .prepare(
      "INSERT INTO webhook_events (source, event_id, customer_id, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    )
    .bind(source, eventId, customerId, nowIso());
