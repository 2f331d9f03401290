import { deleteCarrierRecording } from "../carriers/recording-copies";
import { setTranscriptionStatus } from "../db/recordings";
import type { Env } from "../env";
import { nowIso } from "../lib/ids";
import { retryDelaySeconds, type Job } from "../lib/jobs";
import { classify, copyTelnyxRecording, copyTwilioRecording, setSentimentStatus, transcribe } from "./post-call";
import { purgeCustomerStep } from "./purge";

/** The dead-letter queue's name (wrangler.toml): where the queue sends a job after its last retry. */
export const DEAD_LETTER_QUEUE = "voicedesk-post-call-dlq";

async function run(env: Env, job: Job): Promise<void> {
  switch (job.kind) {
    case "twilio-recording":
      return copyTwilioRecording(env, job);
    case "telnyx-recording":
      return copyTelnyxRecording(env, job);
    case "transcribe":
      return transcribe(env, job);
    case "sentiment":
      return classify(env, job);
    case "delete-carrier-recording":
      return deleteCarrierRecording(env, job.source, job.customerId, job.recordingSid);
    case "purge-customer":
      if (await purgeCustomerStep(env, job.customerId)) await env.POST_CALL.send(job);
      return;
  }
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);

/** Runs each job; a failure is retried with backoff (the queue counts the attempts and gives up to the DLQ). */
export async function consumeJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  for (const m of batch.messages) {
    try {
      await run(env, m.body);
      m.ack();
    } catch (e) {
      console.warn(
        JSON.stringify({
          level: "warn",
          msg: "job failed, retrying",
          kind: m.body.kind,
          attempts: m.attempts,
          error: describe(e),
        }),
      );
      m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
    }
  }
}

/**
 * The queue gave up on these: what they left pending is marked failed where a status shows it, and each is kept
 * in failed_jobs for the daily cron to try again (src/lifecycle/retention.ts), so nothing is silently lost.
 */
export async function consumeDeadJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  for (const m of batch.messages) {
    const job = m.body;
    console.error(JSON.stringify({ level: "error", msg: "job gave up after its retries", job }));
    if (job.kind === "transcribe") {
      await setTranscriptionStatus(
        env.DB,
        job.customerId,
        job.recordingId,
        "failed",
        "transcription kept failing; it will be tried again",
      );
    }
    if (job.kind === "sentiment") await setSentimentStatus(env, job.customerId, job.callId, "failed");
    await env.DB.prepare("INSERT INTO failed_jobs (customer_id, kind, job_json, failed_at) VALUES (?1, ?2, ?3, ?4)")
      .bind(
        "customerId" in job ? job.customerId : null,
        job.kind,
        JSON.stringify({ ...job, failedSince: undefined }),
        job.failedSince ?? nowIso(),
      )
      .run();
    m.ack();
  }
}
