/**
 * The bulk path of the bench: SQL that has D1 (SQLite) generate the rows itself, in batches of `batch` calls per
 * INSERT … SELECT over a recursive counter, applied with `wrangler d1 execute --local --file`. A million rows never
 * cross a process boundary one by one, so seeding takes a minute rather than the better part of an hour of
 * HTTP batches, and every index and trigger of the real schema is maintained exactly as in production.
 * Values are deterministic functions of the row number (a multiplicative hash), so runs are comparable.
 */
export interface SeedPlan {
  customerId: number;
  campaignIds: number[];
  calls: number;
  batch: number;
  /** created_at of the newest call; calls are spread evenly over the preceding `days` */
  endMs: number;
  days: number;
}

const h = (salt: number) => `((i * 2654435761 + ${salt}) % 1000003)`;

export function seedSql(p: SeedPlan): string {
  const spanMs = p.days * 86_400_000;
  const stepMs = Math.floor(spanMs / p.calls);
  const startMs = p.endMs - spanMs;
  const camps = p.campaignIds;
  const out: string[] = [];
  for (let from = 0; from < p.calls; from += p.batch) {
    const to = Math.min(p.calls, from + p.batch) - 1;
    out.push(`INSERT INTO calls (id, customer_id, carrier, direction, state, mode, campaign_id, start_time, end_time,
  duration_seconds, talk_time_seconds, outcome, sentiment, created_at, updated_at)
SELECT printf('vc_%08x%016x', i, ${h(7)} * 1000003 + ${h(11)}), ${p.customerId}, 'twilio',
  CASE WHEN ${h(1)} % 2 = 0 THEN 'Inbound' ELSE 'Outbound' END,
  state, 'assistant',
  CASE WHEN ${h(3)} % 5 = 0 THEN NULL ELSE ${camps.length ? `(${camps.map((c, k) => `WHEN ${k} THEN ${c}`).reduce((a, b) => `${a} ${b}`, `CASE ${h(5)} % ${camps.length}`)} END)` : "NULL"} END,
  created, CASE WHEN dur IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', t + dur, 'unixepoch') END,
  dur, CASE WHEN dur IS NULL THEN NULL ELSE max(0, dur - 4) END,
  CASE WHEN state = 'Completed' THEN 'Successful' ELSE NULL END,
  CASE WHEN state <> 'Completed' THEN NULL WHEN ${h(9)} % 20 < 9 THEN 'positive' WHEN ${h(9)} % 20 < 15 THEN 'neutral'
       WHEN ${h(9)} % 20 < 18 THEN 'negative' ELSE NULL END,
  created, created
FROM (
  SELECT i, t, strftime('%Y-%m-%dT%H:%M:%fZ', t, 'unixepoch') AS created, state,
    CASE WHEN state = 'Completed' THEN 30 + ${h(13)} % 870 WHEN state = 'InProgress' THEN NULL ELSE 0 END AS dur
  FROM (
    SELECT i, (${startMs} + i * ${stepMs} + ${h(17)} % ${stepMs}) / 1000.0 AS t,
      CASE WHEN ${h(19)} % 100 < 70 THEN 'Completed' WHEN ${h(19)} % 100 < 80 THEN 'NoAnswer' WHEN ${h(19)} % 100 < 88 THEN 'Busy'
           WHEN ${h(19)} % 100 < 95 THEN 'Failed' WHEN ${h(19)} % 100 < 98 THEN 'Canceled' ELSE 'InProgress' END AS state
    FROM (WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}) SELECT i FROM n)
  )
);`);
  }
  // 80 % of completed calls have a recording (the trigger marks calls.has_recording), 30 % of calls a tool call.
  out.push(`INSERT INTO recordings (id, customer_id, call_id, r2_key, source, duration_ms, channels, started_at, ended_at, created_at)
SELECT 'rec_' || substr(id, 4), customer_id, id, 'recordings/' || customer_id || '/' || id || '/v1.wav', 'live',
  duration_seconds * 1000, 2, start_time, end_time, end_time
FROM calls WHERE customer_id = ${p.customerId} AND state = 'Completed' AND ((rowid * 2654435761 + 23) % 1000003) % 5 <> 0;`);
  out.push(`INSERT INTO tool_calls (call_id, customer_id, name, success, created_at)
SELECT id, customer_id, 'lookup_order', ((rowid * 2654435761 + 29) % 1000003) % 10 <> 0, created_at
FROM calls WHERE customer_id = ${p.customerId} AND ((rowid * 2654435761 + 31) % 1000003) % 10 < 3;`);
  out.push("PRAGMA optimize;");
  return out.join("\n");
}
