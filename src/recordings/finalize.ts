/**
 * Mixes an AudioStore into a stereo 16-bit WAV uploaded into R2 and records it in D1.
 *
 * Left = EndUser, right = AI and CustomerRep summed. The timeline starts at the earliest chunk; each chunk
 * sits at (timestampMs − earliest) × 8 samples; gaps are silence, overlaps add and are clipped once.
 * The WAV is produced part by part (8 MiB R2 parts, see stereo-parts): each part is mixed from ordered SQLite
 * reads straight into the buffer that is uploaded, so memory stays flat whatever the call's length. A
 * channel whose chunks do not overlap in a part (the usual case) is decoded straight into the output; only
 * where they overlap are they summed in Int32 and clipped. With a RecordingDraft, full parts are mixed and
 * uploaded while audio still arrives (`renderAhead`), and finalize reuses every part nothing touched since.
 */
import type { AudioStore } from "./audio-store";
import { SAMPLES_PER_MS, type AudioSnapshot } from "./audio-types";
import { getRecording, insertRecording, nextRecordingVersion, type RecordingRow } from "../db/recordings";
import type { Env } from "../env";
import { newId, nowIso } from "../lib/ids";
import { R2PartWriter } from "./r2-part-writer";
import { mixPart } from "./mix-frames";
import type { RecordingDraft, TakenDraft } from "./recording-draft";
import { enqueue, queueOf } from "./store-queue";
import { partCount, partFrames, stereoFileBytes } from "./stereo-parts";
import { wavHeader } from "../audio/wav";

export const SAMPLE_RATE = 8000;
export const CONTENT_TYPE = { contentType: "audio/wav" };

export interface FinalizeTarget {
  customerId: number;
  ticketId: number | null;
  callId: string | null;
  source: "upload" | "live";
  startedAt?: string;
}

/** Finalize was asked for a store that holds no audio. */
export class NothingToFinalizeError extends Error {
  override name = "NothingToFinalizeError";
  constructor() {
    super("No audio chunks have been stored, so there is nothing to finalize");
  }
}

const rightRole = (snap: AudioSnapshot) => {
  const right = snap.senders.filter((s) => s !== "EndUser");
  return right.length === 1 ? right[0]! : "AI+CustomerRep";
};

/** The version number lives in D1, not the key: a draft's key is fixed before its version is known. */
export const recordingKey = (t: FinalizeTarget, id: string) =>
  `recordings/${t.customerId}/${t.ticketId !== null ? `tickets/${t.ticketId}` : `calls/${t.callId ?? "none"}`}/${id}.wav`;

/** Filled in by a finalize that wrote a new version: how long it waited on R2 (the rest is reading and mixing). */
export interface FinalizeTimings {
  r2WaitMs?: number;
  /** Parts the draft had already uploaded, of all the recording's parts. */
  reusedParts?: number;
  parts?: number;
}

/**
 * Finalizes everything stored so far as a new recording version. Calls on one store run one after another;
 * finalizing again with no new chunk returns the latest version instead of a copy.
 */
export function finalizeRecording(
  env: Env,
  store: AudioStore,
  target: FinalizeTarget,
  draft: RecordingDraft | null = null,
  timings?: FinalizeTimings,
): Promise<RecordingRow> {
  const queue = queueOf(store);
  queue.finalizesWaiting++;
  return enqueue(queue, () => {
    queue.finalizesWaiting--;
    return finalizeNow(env, store, target, draft, timings);
  });
}

async function finalizeNow(
  env: Env,
  store: AudioStore,
  target: FinalizeTarget,
  draft: RecordingDraft | null,
  timings?: FinalizeTimings,
): Promise<RecordingRow> {
  const snap = store.snapshot();
  if (!snap) throw new NothingToFinalizeError();
  const last = store.lastVersion();
  if (last && last.chunks === snap.chunks) {
    const existing = await getRecording(env.DB, target.customerId, last.recordingId);
    if (existing) return existing;
  }
  const frames = snap.endSample - snap.startSample;
  const taken = draft?.take(snap.startSample, frames) ?? null;
  const version = await nextRecordingVersion(env.DB, target.customerId, target.ticketId, target.callId);
  const id = taken?.recordingId ?? newId("rec");
  const key = taken?.key ?? recordingKey(target, id);
  let size: number;
  try {
    size = await writeWav(env, store, snap, key, taken, timings);
  } catch (e) {
    if (!taken) throw e;
    // The draft's upload is gone (aborted or expired): mix everything into a fresh one.
    console.error(
      JSON.stringify({
        level: "warn",
        msg: "recording draft unusable, finalizing without it",
        key,
        error: e instanceof Error ? e.message : String(e),
      }),
    );
    size = await writeWav(env, store, snap, key, null, timings);
  }
  let row: RecordingRow;
  try {
    row = await insertRecording(env.DB, {
      id,
      customer_id: target.customerId,
      ticket_id: target.ticketId,
      call_id: target.callId,
      r2_key: key,
      version,
      source: target.source,
      size_bytes: size,
      duration_ms: Math.round(frames / SAMPLES_PER_MS),
      channels: 2,
      sample_rate: SAMPLE_RATE,
      left_role: "EndUser",
      right_role: rightRole(snap),
      started_at: target.startedAt ?? null,
      ended_at: nowIso(),
    });
  } catch (e) {
    await env.RECORDINGS.delete(key).catch(() => undefined);
    throw e;
  }
  store.recordVersion({ version, recordingId: row.id, chunks: snap.chunks, throughId: snap.throughId });
  return row;
}

/** Uploads the snapshot as a stereo WAV under `key`, reusing the draft's parts; the object's size. */
async function writeWav(
  env: Env,
  store: AudioStore,
  snap: AudioSnapshot,
  key: string,
  taken: TakenDraft | null,
  timings?: FinalizeTimings,
): Promise<number> {
  const frames = snap.endSample - snap.startSample;
  const header = wavHeader({ encoding: "pcm16", channels: 2, sampleRate: SAMPLE_RATE }, frames);
  const parts = partCount(frames);
  if (timings) Object.assign(timings, { parts, reusedParts: taken?.parts.length ?? 0 });
  const t0 = Date.now();
  if (parts === 1 && !taken) {
    const buf = new Uint8Array(stereoFileBytes(frames));
    mixPart(store, snap, header, 1, buf);
    const t1 = Date.now();
    const obj = await env.RECORDINGS.put(key, buf, { httpMetadata: CONTENT_TYPE });
    if (timings) timings.r2WaitMs = Date.now() - t1;
    return obj.size;
  }
  const upload = taken
    ? env.RECORDINGS.resumeMultipartUpload(key, taken.uploadId)
    : await env.RECORDINGS.createMultipartUpload(key, { httpMetadata: CONTENT_TYPE });
  const createMs = Date.now() - t0;
  const writer = new R2PartWriter(upload);
  const reused = new Set(taken?.parts.map((p) => p.partNumber));
  try {
    for (let p = 1; p <= parts; p++) {
      if (reused.has(p)) continue;
      const { from, to } = partFrames(p, frames);
      const buf = await writer.buffer((p === 1 ? header.length : 0) + (to - from) * 4);
      mixPart(store, snap, header, p, buf);
      writer.send(p, buf);
    }
    const obj = await writer.complete(taken?.parts);
    if (timings) timings.r2WaitMs = createMs + writer.waitMs;
    return obj.size;
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
