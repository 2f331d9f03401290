import type { Env } from "../env";
import type { Job } from "../lib/jobs";

/** Work pending this long has lost its message (or the queue gave up on it): queue it again. */
export const STUCK_AFTER_MS = 10 * 60_000;
const LIMIT = 100;

/**
 * The 5-minute cron: transcriptions and sentiments still pending long after they were queued are queued again
 * (both jobs are idempotent). Tenants being deleted are left to their purge.
 */
export async function sweepPending(
  env: Env,
  now = Date.now(),
): Promise<{ transcriptions: number; sentiments: number }> {
  const db = env.DB;
  const before = new Date(now - STUCK_AFTER_MS).toISOString();
  const [recordings, calls] = await db.batch([
    db
      .prepare(
        `SELECT r.customer_id, r.id FROM recordings r JOIN customers c ON c.id = r.customer_id AND c.deleted_at IS NULL
         WHERE r.transcription_status = 'pending' AND r.created_at < ?1 LIMIT ${LIMIT}`,
      )
      .bind(before),
    db
      .prepare(
        `SELECT k.customer_id, k.id FROM calls k JOIN customers c ON c.id = k.customer_id AND c.deleted_at IS NULL
         WHERE k.sentiment_status = 'pending' AND k.updated_at < ?1 LIMIT ${LIMIT}`,
      )
      .bind(before),
  ]);
  const rows = (r: D1Result | undefined) => (r?.results ?? []) as { customer_id: number; id: string }[];
  const jobs: Job[] = [
    ...rows(recordings).map((r): Job => ({ kind: "transcribe", customerId: r.customer_id, recordingId: r.id })),
    ...rows(calls).map((r): Job => ({ kind: "sentiment", customerId: r.customer_id, callId: r.id })),
  ];
  if (jobs.length) await env.POST_CALL.sendBatch(jobs.map((body) => ({ body })));
  return { transcriptions: rows(recordings).length, sentiments: rows(calls).length };
}
