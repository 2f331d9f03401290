import { readWavHeader, WavFormatError } from "../../audio/wav";
import { getCall } from "../../db/calls";
import {
  getRecording,
  getRecordingByCarrierSid,
  insertCallRecordingStmt,
  type RecordingRow,
} from "../../db/recordings";
import { isUniqueViolation } from "../../db/unique";
import type { Env } from "../../env";
import { newId } from "../../lib/ids";
import type { Job } from "../../lib/jobs";
import { UpstreamError } from "../../lib/upstream";
import { putStream } from "../../recordings/r2-upload";
import { downloadTelnyxRecording, RecordingUrlRefused } from "./recording-download";
import { telnyxBaseUrl } from "./rest";

export type TelnyxRecordingJob = Extract<Job, { kind: "telnyx-recording" }>;

/** Enough of a WAV to hold RIFF, `fmt ` and the `data` chunk header, even behind a LIST chunk. */
const HEADER_BYTES = 4096;

export const telnyxRecordingKey = (customerId: number, ref: string, format: "wav" | "mp3") =>
  `recordings/${customerId}/telnyx/${encodeURIComponent(ref)}.${format}`;

/** A failure worth another try: the queue retries the job with backoff (the link is valid 10 minutes). */
class CopyFailed extends Error {
  override name = "CopyFailed";
}

/** Streams the recording from its pre-signed link into R2, never buffered; what its WAV header says, if it has one. */
async function copyToR2(env: Env, job: TelnyxRecordingJob, key: string) {
  let res: Response;
  try {
    res = await downloadTelnyxRecording(job.url, telnyxBaseUrl(env));
  } catch (e) {
    if (e instanceof UpstreamError || e instanceof RecordingUrlRefused)
      throw new CopyFailed(`Could not download Telnyx recording ${job.recordingRef} (${e.message})`);
    throw e;
  }
  const declared = Number(res.headers.get("Content-Length") ?? NaN);
  const encoded = (res.headers.get("Content-Encoding") ?? "identity") !== "identity";
  const length = Number.isSafeInteger(declared) && declared > 0 && !encoded ? declared : null;
  const contentType = job.format === "wav" ? "audio/wav" : "audio/mpeg";
  const obj = await putStream(env.RECORDINGS, key, res.body!, length, {
    httpMetadata: { contentType },
    customMetadata: { source: "telnyx", recordingId: job.recordingRef },
  });
  if (job.format !== "wav") return { size: obj.size, contentType, wav: null };
  const head = await env.RECORDINGS.get(key, { range: { offset: 0, length: Math.min(HEADER_BYTES, obj.size) } });
  try {
    const wav = readWavHeader(head ? new Uint8Array(await head.arrayBuffer()) : new Uint8Array(0), obj.size);
    return { size: obj.size, contentType, wav };
  } catch (e) {
    if (!(e instanceof WavFormatError)) throw e;
    await env.RECORDINGS.delete(key);
    throw new CopyFailed(`Telnyx recording ${job.recordingRef} is not a readable WAV (${e.message})`);
  }
}

/**
 * Copies a `call.recording.saved` recording into R2 once and attaches it to its call, at a key of its own. The
 * caller stays on the left of a dual-channel copy: the bytes are Telnyx's, whose first channel is the leg's own
 * party, the caller of an inbound call (docs/telnyx.md, "Recordings"). A retry of a stored one changes nothing.
 */
export async function storeTelnyxRecording(
  env: Env,
  job: TelnyxRecordingJob,
): Promise<{ recording: RecordingRow; created: boolean } | null> {
  const db = env.DB;
  const already = await getRecordingByCarrierSid(db, job.customerId, job.recordingRef);
  if (already) return { recording: already, created: false };
  const call = await getCall(db, job.customerId, job.callId);
  if (!call) return null; // deleted meanwhile: nothing to attach it to
  const key = telnyxRecordingKey(job.customerId, job.recordingRef, job.format);
  const { size, contentType, wav } = await copyToR2(env, job, key);
  const startMs = job.startedAt ? Date.parse(job.startedAt) : NaN;
  const endMs = job.endedAt ? Date.parse(job.endedAt) : NaN;
  const durationMs = wav
    ? Math.round((wav.frames / wav.sampleRate) * 1000)
    : Number.isFinite(startMs) && Number.isFinite(endMs)
      ? Math.max(0, endMs - startMs)
      : 0;
  const channels = wav?.channels ?? job.channels;
  const recordingId = newId("rec");
  try {
    await db.batch([
      insertCallRecordingStmt(db, {
        id: recordingId,
        customer_id: job.customerId,
        call_id: call.id,
        r2_key: key,
        source: "telnyx",
        carrier_recording_sid: job.recordingRef,
        content_type: contentType,
        size_bytes: size,
        duration_ms: durationMs,
        channels,
        sample_rate: wav?.sampleRate ?? 8000,
        left_role: channels >= 2 ? "EndUser" : "EndUser+AI",
        right_role: channels >= 2 ? "AI+CustomerRep" : "none",
        started_at: Number.isFinite(startMs) ? new Date(startMs).toISOString() : null,
        ended_at: Number.isFinite(startMs) ? new Date(startMs + durationMs).toISOString() : null,
      }),
    ]);
  } catch (e) {
    const raced = isUniqueViolation(e) ? await getRecordingByCarrierSid(db, job.customerId, job.recordingRef) : null;
    if (raced) return { recording: raced, created: false };
    throw e;
  }
  const recording = await getRecording(db, job.customerId, recordingId);
  if (!recording) throw new Error(`recording ${recordingId} vanished`);
  return { recording, created: true };
}
