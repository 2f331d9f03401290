import { afterCallEnded } from "../ai/sentiment";
import { transcribeRecording } from "../ai/transcription";
import { storeTelnyxRecording } from "../carriers/telnyx/recording";
import { storeTwilioRecording } from "../carriers/twilio/recording";
import { getCustomer } from "../db/customers";
import { getRecording, setTranscriptionStatus } from "../db/recordings";
import type { Env } from "../env";
import type { Job } from "../lib/jobs";
import { enqueueSentiment, enqueueTranscription } from "../db/jobs";

type JobOf<K extends Job["kind"]> = Extract<Job, { kind: K }>;

/** A step that could not finish and should be tried again later (the queue retries it with backoff). */
export class RetryLater extends Error {
  override name = "RetryLater";
}

/** Copies the Twilio recording into R2 once; a newly stored one is then transcribed by a job of its own. */
export async function copyTwilioRecording(env: Env, job: JobOf<"twilio-recording">): Promise<void> {
  if (!(await getCustomer(env.DB, job.customerId))) return; // the tenant is gone: nothing to attach it to
  const { recording, created } = await storeTwilioRecording(env, job);
  if (created) await enqueueTranscription(env, job.customerId, recording.id);
}

/**
 * Copies the Telnyx recording into R2 once; it is transcribed only when the call has no transcript yet (a call
 * Telnyx's own assistant took has its lines from the ai.assistant.transcript events).
 */
export async function copyTelnyxRecording(env: Env, job: JobOf<"telnyx-recording">): Promise<void> {
  const stored = await storeTelnyxRecording(env, job);
  if (!stored?.created) return;
  const said = await env.DB.prepare("SELECT 1 FROM transcript_segments WHERE customer_id = ?1 AND call_id = ?2 LIMIT 1")
    .bind(job.customerId, job.callId)
    .first();
  if (!said) {
    await enqueueTranscription(env, job.customerId, stored.recording.id);
    return;
  }
  // Settled, so the sweep of pending transcriptions (src/lifecycle/sweep.ts) does not queue it again.
  await setTranscriptionStatus(env.DB, job.customerId, stored.recording.id, "skipped", "the call has its transcript");
}

/**
 * Transcribes a recording still `pending`; a call's transcript then owes its sentiment. OpenAI failing for now
 * leaves it pending and the queue tries again (then the dead-letter queue); OpenAI refusing settles it as failed.
 */
export async function transcribe(env: Env, job: JobOf<"transcribe">): Promise<void> {
  const [customer, recording] = await Promise.all([
    getCustomer(env.DB, job.customerId),
    getRecording(env.DB, job.customerId, job.recordingId),
  ]);
  if (!customer || !recording || recording.transcription_status !== "pending") return;
  const outcome = await transcribeRecording(env, customer, recording);
  if (outcome.status === "pending") throw new RetryLater(outcome.reason ?? "transcription failed for now");
  if (outcome.status === "done" && recording.call_id) await enqueueSentiment(env, job.customerId, recording.call_id);
}

/** Classifies the call; OpenAI failing is retried, a settled outcome (classified or skipped) is recorded. */
export async function classify(env: Env, job: JobOf<"sentiment">): Promise<void> {
  const outcome = await afterCallEnded(env, job.customerId, job.callId);
  if (outcome.status === "failed") throw new RetryLater(outcome.reason);
  await setSentimentStatus(env, job.customerId, job.callId, outcome.status === "classified" ? "done" : "skipped");
}

export const setSentimentStatus = (
  env: Env,
  customerId: number,
  callId: string,
  status: "done" | "skipped" | "failed",
) =>
  env.DB.prepare("UPDATE calls SET sentiment_status = ?3 WHERE customer_id = ?1 AND id = ?2")
    .bind(customerId, callId, status)
    .run();
