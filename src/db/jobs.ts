/** Queueing post-call and lifecycle jobs (src/lib/jobs.ts), with the D1 marks that let the sweep find lost work. */
import type { Env } from "../env";
import type { Job } from "../lib/jobs";
import { nowIso } from "../lib/ids";

/** Queues the transcription of a stored recording (its status is `pending` until a job settles it). */
export const enqueueTranscription = (env: Env, customerId: number, recordingId: string) =>
  env.POST_CALL.send({ kind: "transcribe", customerId, recordingId });

/** Marks an ended call's sentiment as owed, then queues it: the sweep finds the mark if the message is lost. */
export async function enqueueSentiment(env: Env, customerId: number, callId: string): Promise<void> {
  await markSentimentPending(env.DB, customerId, callId);
  await env.POST_CALL.send({ kind: "sentiment", customerId, callId });
}

export const markSentimentPending = (db: D1Database, customerId: number, callId: string) =>
  db
    .prepare("UPDATE calls SET sentiment_status = 'pending', updated_at = ?3 WHERE customer_id = ?1 AND id = ?2")
    .bind(customerId, callId, nowIso())
    .run();

export const enqueue = (env: Env, job: Job, delaySeconds?: number) =>
  env.POST_CALL.send(job, delaySeconds === undefined ? undefined : { delaySeconds });
