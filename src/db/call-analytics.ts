import { wholeDays, type CreatedRange } from "../lib/date-range";

/**
 * Voice analytics, aggregated by D1 itself: nothing row-by-row reaches the isolate. Ranges are half-open on
 * created_at. Whole-day ranges (and all time) sum the per-day counters of 0004 (call_day_counts); ranges with a
 * time of day scan the covering index calls_analytics_created. Both give the same numbers (tested).
 */

function rangeSql(column: string, r: CreatedRange) {
  const parts = ["customer_id = ?1"];
  const binds: (string | number)[] = [];
  if (r.from) {
    binds.push(r.from);
    parts.push(`${column} >= ?${binds.length + 1}`);
  }
  if (r.toExclusive) {
    binds.push(r.toExclusive);
    parts.push(`${column} < ?${binds.length + 1}`);
  }
  return { sql: parts.join(" AND "), binds };
}

interface OverviewRow {
  total_calls: number;
  completed_calls: number;
  avg_duration_seconds: number | null;
  completed_with_recording: number;
  positive: number;
  neutral: number;
  negative: number;
}

const round = (x: number | null, digits: number) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

function overviewStmt(db: D1Database, customerId: number, r: CreatedRange) {
  const days = wholeDays(r);
  if (days) {
    const w = rangeSql("day", { from: days.fromDay, toExclusive: days.toDayExclusive });
    return db
      .prepare(
        `SELECT COALESCE(SUM(n), 0) AS total_calls,
                COALESCE(SUM(CASE WHEN state = 'Completed' THEN n END), 0) AS completed_calls,
                SUM(duration_sum) * 1.0 / NULLIF(SUM(duration_n), 0) AS avg_duration_seconds,
                COALESCE(SUM(CASE WHEN state = 'Completed' AND has_recording = 1 THEN n END), 0) AS completed_with_recording,
                COALESCE(SUM(CASE WHEN sentiment_key = 'positive' THEN n END), 0) AS positive,
                COALESCE(SUM(CASE WHEN sentiment_key = 'neutral' THEN n END), 0) AS neutral,
                COALESCE(SUM(CASE WHEN sentiment_key = 'negative' THEN n END), 0) AS negative
         FROM call_day_counts WHERE ${w.sql}`,
      )
      .bind(customerId, ...w.binds);
  }
  const w = rangeSql("created_at", r);
  return db
    .prepare(
      `SELECT COUNT(*) AS total_calls,
              COALESCE(SUM(state = 'Completed'), 0) AS completed_calls,
              AVG(duration_seconds) AS avg_duration_seconds,
              COALESCE(SUM(state = 'Completed' AND has_recording = 1), 0) AS completed_with_recording,
              COALESCE(SUM(sentiment = 'positive'), 0) AS positive,
              COALESCE(SUM(sentiment = 'neutral'), 0) AS neutral,
              COALESCE(SUM(sentiment = 'negative'), 0) AS negative
       FROM calls INDEXED BY calls_analytics_created WHERE ${w.sql}`,
    )
    .bind(customerId, ...w.binds);
}

function overviewMetrics(o: OverviewRow) {
  return {
    total_calls: o.total_calls,
    completed_calls: o.completed_calls,
    incomplete_calls: o.total_calls - o.completed_calls,
    avg_duration_seconds: round(o.avg_duration_seconds, 1),
    recording_availability_rate: o.completed_calls ? round(o.completed_with_recording / o.completed_calls, 4) : null,
  };
}

export async function overview(db: D1Database, customerId: number, r: CreatedRange) {
  const o = await overviewStmt(db, customerId, r).first<OverviewRow>();
  if (!o) throw new Error("analytics overview returned nothing");
  return overviewMetrics(o);
}

function toolCallStmt(db: D1Database, customerId: number, r: CreatedRange) {
  const days = wholeDays(r);
  if (days) {
    const w = rangeSql("day", { from: days.fromDay, toExclusive: days.toDayExclusive });
    return db
      .prepare(
        `SELECT COALESCE(SUM(n), 0) AS total, COALESCE(SUM(succeeded), 0) AS succeeded FROM tool_call_day_counts WHERE ${w.sql}`,
      )
      .bind(customerId, ...w.binds);
  }
  const w = rangeSql("created_at", r);
  return db
    .prepare(
      `SELECT COUNT(*) AS total, COALESCE(SUM(success), 0) AS succeeded FROM tool_calls INDEXED BY tool_calls_success WHERE ${w.sql}`,
    )
    .bind(customerId, ...w.binds);
}

export async function detailed(db: D1Database, customerId: number, r: CreatedRange) {
  const [calls, tools] = await db.batch<OverviewRow | { total: number; succeeded: number }>([
    overviewStmt(db, customerId, r),
    toolCallStmt(db, customerId, r),
  ]);
  const o = calls?.results[0] as OverviewRow | undefined;
  const tc = tools?.results[0] as { total: number; succeeded: number } | undefined;
  if (!o || !tc) throw new Error("analytics detailed returned nothing");
  return {
    ...overviewMetrics(o),
    tool_call_success_rate: tc.total ? round(tc.succeeded / tc.total, 4) : null,
    // Seed 003's three keys, exactly; calls without a sentiment (yet) are in none of them.
    sentiment_distribution: { positive: o.positive, neutral: o.neutral, negative: o.negative },
  };
}

export type Bucket = "day" | "hour";
const BUCKET_FORMAT: Record<Bucket, string> = { day: "%Y-%m-%dT00:00:00Z", hour: "%Y-%m-%dT%H:00:00Z" };

export async function timeline(db: D1Database, customerId: number, r: CreatedRange, bucket: Bucket) {
  const days = bucket === "day" ? wholeDays(r) : null;
  if (days) {
    const w = rangeSql("day", { from: days.fromDay, toExclusive: days.toDayExclusive });
    const { results } = await db
      .prepare(
        `SELECT day || 'T00:00:00Z' AS bucket, SUM(n) AS call_count, SUM(duration_sum) * 1.0 / NULLIF(SUM(duration_n), 0) AS avg_duration_seconds
         FROM call_day_counts WHERE ${w.sql}
         GROUP BY day HAVING SUM(n) > 0 ORDER BY day`,
      )
      .bind(customerId, ...w.binds)
      .all<{ bucket: string; call_count: number; avg_duration_seconds: number | null }>();
    return results.map((b) => ({ ...b, avg_duration_seconds: round(b.avg_duration_seconds, 1) }));
  }
  const w = rangeSql("created_at", r);
  const { results } = await db
    .prepare(
      `SELECT strftime('${BUCKET_FORMAT[bucket]}', created_at) AS bucket, COUNT(*) AS call_count,
              AVG(duration_seconds) AS avg_duration_seconds
       FROM calls INDEXED BY calls_analytics_created WHERE ${w.sql}
       GROUP BY 1 ORDER BY 1`,
    )
    .bind(customerId, ...w.binds)
    .all<{ bucket: string; call_count: number; avg_duration_seconds: number | null }>();
  return results.map((b) => ({ ...b, avg_duration_seconds: round(b.avg_duration_seconds, 1) }));
}
