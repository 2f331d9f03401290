import { wholeDays, type CreatedRange } from "../lib/date-range";
import type { CallRow, CallState, Direction } from "./calls";
import type { TranscriptSegmentRow } from "./transcripts";

export interface CallFilter extends CreatedRange {
  campaignId?: number;
  state?: CallState;
  direction?: Direction;
  /** Conversation status (docs/call-data.md): active | completed | failed. */
  conversationStatus?: "active" | "completed" | "failed";
}

/** WHERE clause and binds for a tenant's calls; ?1 is always the customer. Each shape has an index (0001, 0004). */
function where(customerId: number, f: CallFilter): { sql: string; binds: (string | number)[] } {
  const parts = ["customer_id = ?1"];
  const binds: (string | number)[] = [customerId];
  const add = (cond: string, value: string | number) => {
    binds.push(value);
    parts.push(cond.replace("?", `?${binds.length}`));
  };
  if (f.campaignId !== undefined) add("campaign_id = ?", f.campaignId);
  if (f.state) add("state = ?", f.state);
  if (f.direction) add("direction = ?", f.direction);
  if (f.conversationStatus) add("conversation_status = ?", f.conversationStatus);
  if (f.from) add("created_at >= ?", f.from);
  if (f.toExclusive) add("created_at < ?", f.toExclusive);
  return { sql: parts.join(" AND "), binds };
}

const STATES_OF_STATUS = {
  active: ["Queued", "Ringing", "InProgress"],
  completed: ["Completed"],
  failed: ["Busy", "NoAnswer", "Failed", "Canceled"],
} as const;

/**
 * The total: summed from call_day_counts (0004) when the filter has no campaign and whole-day bounds, so an
 * unfiltered million-call tenant costs a few thousand small rows; otherwise counted on the covering index.
 */
function totalStmt(db: D1Database, customerId: number, f: CallFilter) {
  const days = f.campaignId === undefined ? wholeDays(f) : null;
  if (!days) {
    const w = where(customerId, f);
    return db.prepare(`SELECT COUNT(*) AS total FROM calls WHERE ${w.sql}`).bind(...w.binds);
  }
  const parts = ["customer_id = ?1"];
  const binds: (string | number)[] = [customerId];
  const add = (cond: string, ...values: string[]) => {
    parts.push(cond.replace(/\?/g, () => `?${binds.push(values.shift() ?? "")}`));
  };
  if (f.state) add("state = ?", f.state);
  if (f.direction) add("direction = ?", f.direction);
  if (f.conversationStatus) {
    const states = STATES_OF_STATUS[f.conversationStatus];
    add(`state IN (${states.map(() => "?").join(", ")})`, ...states);
  }
  if (days.fromDay) add("day >= ?", days.fromDay);
  if (days.toDayExclusive) add("day < ?", days.toDayExclusive);
  return db
    .prepare(`SELECT COALESCE(SUM(n), 0) AS total FROM call_day_counts WHERE ${parts.join(" AND ")}`)
    .bind(...binds);
}

/**
 * One page, newest first (ties broken by id, descending), and the total, read in one round trip. The page is
 * found on the index alone (rowids), and only its rows are read from the table, so a deep OFFSET stays an index walk.
 */
export async function listCalls(db: D1Database, customerId: number, f: CallFilter, limit: number, offset: number) {
  const w = where(customerId, f);
  const n = w.binds.length;
  const [page, count] = await db.batch<CallRow | { total: number }>([
    db
      .prepare(
        `SELECT * FROM calls WHERE rowid IN (
           SELECT rowid FROM calls WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ?${n + 1} OFFSET ?${n + 2})
         ORDER BY created_at DESC, id DESC`,
      )
      .bind(...w.binds, limit, offset),
    totalStmt(db, customerId, f),
  ]);
  return {
    items: (page?.results ?? []) as CallRow[],
    total: ((count?.results[0] ?? { total: 0 }) as { total: number }).total,
  };
}

/** Seconds offset → `HH:MM:SS` (hours keep counting past 99 rather than wrapping). */
export function offsetTimestamp(offsetMs: number): string {
  const s = Math.max(0, Math.floor(offsetMs / 1000));
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** The voice-call object of the call-data API (docs/call-data.md). */
export const publicVoiceCall = (c: CallRow) => ({
  id: c.id,
  campaignId: c.campaign_id,
  direction: c.direction,
  /** Which carrier the call ran on: twilio, telnyx, ringcentral, webrtc (docs/call-data.md). */
  carrier: c.carrier,
  state: c.state,
  startTime: c.start_time,
  endTime: c.end_time,
  durationSeconds: c.duration_seconds,
  talkTimeSeconds: c.talk_time_seconds,
  outcome: c.outcome,
  createdAt: c.created_at,
});

export const publicTranscriptLine = (s: TranscriptSegmentRow) => ({
  role: s.role,
  text: s.text,
  timestamp: offsetTimestamp(s.offset_ms),
});
