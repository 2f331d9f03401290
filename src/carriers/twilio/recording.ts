import type { Env } from "../../env";
import { readWavHeader, WavFormatError, type WavInfo } from "../../audio/wav";
import { UpstreamError } from "../../lib/upstream";
import { TwilioRest } from "./rest";
import { attachOpenPhoneTicketStmt, getCallBySid, insertCallStmt } from "../../db/calls";
import {
  getRecording,
  getRecordingByCarrierSid,
  insertCallRecordingStmt,
  type RecordingRow,
} from "../../db/recordings";
import { ensurePhoneTicketStmt } from "../../db/tickets";
import { markEventStmt } from "../../db/webhook-events";
import { isUniqueViolation } from "../../db/unique";
import { ApiError } from "../../lib/errors";
import type { Job } from "../../lib/jobs";
import { newId } from "../../lib/ids";
import { putStream } from "../../recordings/r2-upload";

/**
 * The queued job (src/lib/jobs.ts) that copies a finished recording into R2, with the callback's `RecordingUrl`
 * when it had one (jobs queued before it was carried have none: the media URL is then built from the SIDs).
 */
export type TwilioRecordingJob = Extract<Job, { kind: "twilio-recording" }>;

/** Enough of the file to hold RIFF, `fmt ` and the `data` chunk header, even behind a LIST chunk. */
const HEADER_BYTES = 4096;

export const twilioRecordingKey = (customerId: number, recordingSid: string) =>
  `recordings/${customerId}/twilio/${recordingSid}.wav`;

/** A failure worth another try (its queued job is retried with backoff). */
const retryable = (message: string) => new ApiError(502, `${message}; the copy will be retried`);

/** Streams the recording's WAV from Twilio into R2 and reads its format; any failure is a 502 and leaves no object. */
async function copyToR2(env: Env, e: TwilioRecordingJob, key: string): Promise<{ size: number; fmt: WavInfo }> {
  const rest = await TwilioRest.forCustomer(env, e.customerId);
  let res: Response;
  try {
    res = await rest.downloadRecording(e.recordingSid, e.recordingUrl);
  } catch (err) {
    if (err instanceof UpstreamError)
      throw retryable(`Could not download recording ${e.recordingSid} (${err.message})`);
    throw err;
  }
  const declared = Number(res.headers.get("Content-Length") ?? NaN);
  const encoded = (res.headers.get("Content-Encoding") ?? "identity") !== "identity";
  const length = Number.isSafeInteger(declared) && declared > 0 && !encoded ? declared : null;
  let size: number;
  try {
    const obj = await putStream(env.RECORDINGS, key, res.body!, length, {
      httpMetadata: { contentType: "audio/wav" },
      customMetadata: { source: "twilio", recordingSid: e.recordingSid, callSid: e.callSid },
    });
    size = obj.size;
  } catch (err) {
    throw retryable(
      `Could not store recording ${e.recordingSid} (${err instanceof Error ? err.message : "stream failed"})`,
    );
  }
  // The header is read back from R2 rather than sniffed in flight, so the body streams through untouched.
  const head =
    size > 0 ? await env.RECORDINGS.get(key, { range: { offset: 0, length: Math.min(HEADER_BYTES, size) } }) : null;
  const bytes = head ? new Uint8Array(await head.arrayBuffer()) : new Uint8Array(0);
  try {
    return { size, fmt: readWavHeader(bytes, size) };
  } catch (err) {
    if (!(err instanceof WavFormatError)) throw err;
    await env.RECORDINGS.delete(key);
    throw retryable(`Recording ${e.recordingSid} is not a WAV file with a readable header (${err.message})`);
  }
}

/**
 * Stores a completed Twilio recording once: R2 object at a deterministic key, then in one batch the phone ticket
 * of the end user, the call record's link to it, the recording row and the webhook event. A retry of a stored
 * RecordingSid changes nothing (`created: false`).
 */
export async function storeTwilioRecording(
  env: Env,
  e: TwilioRecordingJob,
): Promise<{ recording: RecordingRow; created: boolean }> {
  const db = env.DB;
  const customerId = e.customerId;
  const already = await getRecordingByCarrierSid(db, customerId, e.recordingSid);
  if (already) return { recording: already, created: false };

  const key = twilioRecordingKey(customerId, e.recordingSid);
  const { size, fmt } = await copyToR2(env, e, key);
  const durationMs =
    fmt.frames > 0 ? Math.round((fmt.frames / fmt.sampleRate) * 1000) : (e.durationSeconds ?? 0) * 1000;
  const startMs = e.startedAt ? Date.parse(e.startedAt) : NaN;

  const call = await getCallBySid(db, customerId, "twilio", e.callSid);
  const callId = call?.id ?? newId("vc");
  const ticketStmts =
    call?.ticket_id != null
      ? []
      : [ensurePhoneTicketStmt(db, customerId, e.endUserNumber, e.repId, `Call with ${e.endUserNumber}`)];
  const callStmts = call
    ? call.ticket_id == null
      ? [attachOpenPhoneTicketStmt(db, customerId, callId, e.endUserNumber)]
      : []
    : [
        insertCallStmt(db, {
          id: callId,
          customer_id: customerId,
          carrier: "twilio",
          direction: "Outbound",
          state: "Completed",
          mode: "record",
          from_number: e.fromNumber,
          to_number: e.endUserNumber,
          rep_id: e.repId,
          call_sid: e.callSid,
        }),
        attachOpenPhoneTicketStmt(db, customerId, callId, e.endUserNumber),
      ];
  const recordingId = newId("rec");
  try {
    await db.batch([
      ...ticketStmts,
      ...callStmts,
      insertCallRecordingStmt(db, {
        id: recordingId,
        customer_id: customerId,
        call_id: callId,
        r2_key: key,
        source: "twilio",
        carrier_recording_sid: e.recordingSid,
        content_type: "audio/wav",
        size_bytes: size,
        duration_ms: durationMs,
        channels: fmt.channels,
        sample_rate: fmt.sampleRate,
        // A dual-channel <Dial> recording: channel 1 the parent leg (the rep), channel 2 the dialed end user.
        left_role: fmt.channels >= 2 ? "CustomerRep" : "CustomerRep+EndUser",
        right_role: fmt.channels >= 2 ? "EndUser" : "none",
        started_at: Number.isFinite(startMs) ? new Date(startMs).toISOString() : null,
        ended_at: Number.isFinite(startMs) ? new Date(startMs + durationMs).toISOString() : null,
      }),
      markEventStmt(db, "twilio-recording", `${customerId}:${e.recordingSid}`, customerId),
    ]);
  } catch (err) {
    // A concurrent delivery of the same recording won the race: same object key, its rows stand.
    const raced = isUniqueViolation(err) ? await getRecordingByCarrierSid(db, customerId, e.recordingSid) : null;
    if (raced) return { recording: raced, created: false };
    throw err;
  }
  const recording = await getRecording(db, customerId, recordingId);
  if (!recording) throw new Error(`recording ${recordingId} vanished`);
  return { recording, created: true };
}
