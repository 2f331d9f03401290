/**
 * The daily cron's housekeeping (docs/data-lifecycle.md): each tenant's retention (recordings and transcripts
 * older than its `retention_days`), expired phone-login codes, old webhook deliveries, and the jobs the queue
 * gave up on that are still worth another try.
 */
import { markSentimentPending } from "../db/jobs";
import { setTranscriptionStatus, type RecordingRow } from "../db/recordings";
import type { Env } from "../env";
import type { Job } from "../lib/jobs";
import { deleteRecordings } from "./deletion";

const DAY_MS = 86_400_000;
/** Recordings deleted per tenant per run; a backlog is worked off over the following days. */
const RECORDINGS_PER_RUN = 500;
/** Webhook deliveries are remembered this long (carriers retry for hours, not weeks). */
export const WEBHOOK_EVENT_DAYS = 30;
/** A job the queue gave up on is tried again once a day for this long, then dropped (and logged). */
export const FAILED_JOB_DAYS = 7;

const isoDaysAgo = (now: number, days: number) => new Date(now - days * DAY_MS).toISOString();

export async function applyRetention(env: Env, now = Date.now()): Promise<{ recordings: number; transcripts: number }> {
  const db = env.DB;
  const tenants = (
    await db
      .prepare("SELECT id, retention_days FROM customers WHERE retention_days IS NOT NULL AND deleted_at IS NULL")
      .all<{
        id: number;
        retention_days: number;
      }>()
  ).results;
  let recordings = 0;
  let transcripts = 0;
  for (const t of tenants) {
    // Up to and including the cutoff, so 0 days takes everything written by the time this run started.
    const cutoff = isoDaysAgo(now, t.retention_days);
    const old = (
      await db
        .prepare(
          `SELECT * FROM recordings WHERE customer_id = ?1 AND created_at <= ?2 ORDER BY created_at LIMIT ${RECORDINGS_PER_RUN}`,
        )
        .bind(t.id, cutoff)
        .all<RecordingRow>()
    ).results;
    await deleteRecordings(env, t.id, old);
    recordings += old.length;
    // Transcripts: the call segments, and the ticket lines that were transcribed (typed messages stay).
    const [segments, lines] = await db.batch([
      db.prepare("DELETE FROM transcript_segments WHERE customer_id = ?1 AND created_at <= ?2").bind(t.id, cutoff),
      db
        .prepare(
          "DELETE FROM ticket_messages WHERE customer_id = ?1 AND created_at <= ?2 AND (recording_id IS NOT NULL OR call_id IS NOT NULL OR offset_ms IS NOT NULL)",
        )
        .bind(t.id, cutoff),
    ]);
    transcripts += (segments?.meta.changes ?? 0) + (lines?.meta.changes ?? 0);
  }
  return { recordings, transcripts };
}

export async function purgeExpired(env: Env, now = Date.now()): Promise<{ codes: number; events: number }> {
  const db = env.DB;
  const [codes, events] = await db.batch([
    db.prepare("DELETE FROM phone_login_codes WHERE expires_at < ?1").bind(isoDaysAgo(now, 1)),
    db.prepare("DELETE FROM webhook_events WHERE created_at < ?1").bind(isoDaysAgo(now, WEBHOOK_EVENT_DAYS)),
  ]);
  return { codes: codes?.meta.changes ?? 0, events: events?.meta.changes ?? 0 };
}

/** Queues again the jobs the dead-letter queue kept, once a day for FAILED_JOB_DAYS, then drops them. */
export async function retryFailedJobs(env: Env, now = Date.now()): Promise<{ retried: number; dropped: number }> {
  const db = env.DB;
  const cutoff = isoDaysAgo(now, FAILED_JOB_DAYS);
  const expired = await db
    .prepare("DELETE FROM failed_jobs WHERE failed_at < ?1 RETURNING job_json")
    .bind(cutoff)
    .all<{ job_json: string }>();
  for (const r of expired.results)
    console.error(JSON.stringify({ level: "error", msg: "gave up on a job", job: JSON.parse(r.job_json) }));
  const due = (
    await db
      .prepare("DELETE FROM failed_jobs WHERE failed_at >= ?1 RETURNING job_json, failed_at")
      .bind(cutoff)
      .all<{ job_json: string; failed_at: string }>()
  ).results;
  const jobs = due.map((r): Job => ({ ...(JSON.parse(r.job_json) as Job), failedSince: r.failed_at }));
  // What the dead-letter queue marked failed is owed again, so the retried job does the work.
  for (const job of jobs) {
    if (job.kind === "transcribe") await setTranscriptionStatus(db, job.customerId, job.recordingId, "pending", null);
    if (job.kind === "sentiment") await markSentimentPending(db, job.customerId, job.callId);
  }
  if (jobs.length) await env.POST_CALL.sendBatch(jobs.map((body) => ({ body })));
  return { retried: due.length, dropped: expired.results.length };
}
