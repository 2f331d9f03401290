/**
 * Post-call work and data lifecycle run on a Cloudflare Queue (binding POST_CALL, docs/data-lifecycle.md), not in
 * `waitUntil`: a message is acknowledged by the queue before the request that made it is answered, retried with
 * backoff when its step fails, and sent to the dead-letter queue when it keeps failing. Every job is idempotent.
 */
export type Job = JobBody & {
  /** When the queue first gave up on it (a job the daily cron queues again, src/lifecycle/retention.ts). */
  failedSince?: string;
};

type JobBody =
  /** Copy a finished Twilio recording into R2 and attach it (then a `transcribe` follows). */
  | {
      kind: "twilio-recording";
      customerId: number;
      repId: number;
      callSid: string;
      recordingSid: string;
      startedAt: string | null;
      durationSeconds: number | null;
      /** The tenant's number the call was placed from, and the end user's number (whose phone ticket gets it). */
      fromNumber: string;
      endUserNumber: string;
      /** The callback's RecordingUrl, fetched only on the tenant's Twilio API origin (absent in jobs queued before it). */
      recordingUrl?: string | null;
    }
  /** Copy a Telnyx `call.recording.saved` recording from its pre-signed link into R2 and attach it to its call. */
  | {
      kind: "telnyx-recording";
      customerId: number;
      callId: string;
      /** Telnyx's recording id (else the leg's id): the key a copy is stored once by. */
      recordingRef: string;
      url: string;
      format: "wav" | "mp3";
      channels: 1 | 2;
      startedAt: string | null;
      endedAt: string | null;
    }
  /** Transcribe a stored recording into its ticket and call (then a `sentiment` follows for a call). */
  | { kind: "transcribe"; customerId: number; recordingId: string }
  /** Classify an ended call's sentiment from its transcript. */
  | { kind: "sentiment"; customerId: number; callId: string }
  /** Delete a carrier's own copy of a recording (after ours is gone). */
  | { kind: "delete-carrier-recording"; customerId: number; source: string; recordingSid: string }
  /** Remove every trace of a deleted customer, a chunk at a time. */
  | { kind: "purge-customer"; customerId: number };

/** Backoff of a job's retries: 1, 2, 4, … seconds, at most 10 minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(600, 2 ** Math.max(0, attempts - 1));
