/**
 * Mixes an AudioStore into a stereo 16-bit WAV streamed into R2 and records it in D1.
 *
 * Left = EndUser, right = AI and CustomerRep summed. The timeline starts at the earliest chunk; each chunk
 * sits at (timestampMs − earliest) × 8 samples; gaps are silence, overlaps add and are clipped once.
 * Memory stays flat: the call is mixed window by window (WINDOW_FRAMES) from ordered SQLite reads and each
 * window goes straight into the R2 part being filled, so no more than a few windows exist at once. A channel
 * whose chunks do not overlap in a window (the usual case) is decoded straight into the output; only where
 * they overlap are they summed in Int32 and clipped.
 */
import type { AudioStore, AudioSnapshot } from "../calls/audio-store";
import { SAMPLES_PER_MS } from "../calls/audio-store";
import { getRecording, insertRecording, nextRecordingVersion, type RecordingRow } from "../db/recordings";
import type { Env } from "../env";
import { newId, nowIso } from "../lib/ids";
import { R2PartWriter } from "../lib/r2-part-writer";
import { addMulaw, writeClippedStereo, writeMulawStereo } from "./mix";
import { wavHeader } from "./wav";

export const SAMPLE_RATE = 8000;
/** 1 Mi frames ≈ 131 s per window: 8 MiB of Int32 accumulators and 4 MiB of output. */
export const WINDOW_FRAMES = 1 << 20;

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

export const recordingKey = (t: FinalizeTarget, version: number, id: string) =>
  `recordings/${t.customerId}/${t.ticketId !== null ? `tickets/${t.ticketId}` : `calls/${t.callId ?? "none"}`}/v${version}-${id}.wav`;

const queues = new WeakMap<AudioStore, Promise<unknown>>();

/**
 * Finalizes everything stored so far as a new recording version. Calls on one store run one after another;
 * finalizing again with no new chunk returns the latest version instead of a copy.
 */
export function finalizeRecording(env: Env, store: AudioStore, target: FinalizeTarget, timings?: FinalizeTimings): Promise<RecordingRow> {
  const prev = queues.get(store) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(() => finalizeNow(env, store, target, timings));
  queues.set(store, next);
  return next;
}

/** Filled in by a finalize that wrote a new version: how long it waited on R2 (the rest is reading and mixing). */
export interface FinalizeTimings {
  r2WaitMs?: number;
}

async function finalizeNow(env: Env, store: AudioStore, target: FinalizeTarget, timings?: FinalizeTimings): Promise<RecordingRow> {
  const snap = store.snapshot();
  if (!snap) throw new NothingToFinalizeError();
  const last = store.lastVersion();
  if (last && last.chunks === snap.chunks) {
    const existing = await getRecording(env.DB, target.customerId, last.recordingId);
    if (existing) return existing;
  }
  const version = await nextRecordingVersion(env.DB, target.customerId, target.ticketId, target.callId);
  const id = newId("rec");
  const key = recordingKey(target, version, id);
  const frames = snap.endSample - snap.startSample;
  const header = wavHeader({ encoding: "pcm16", channels: 2, sampleRate: SAMPLE_RATE }, frames);
  const writer = new R2PartWriter(env.RECORDINGS, key, header.length + frames * 4, { contentType: "audio/wav" });
  let size: number;
  try {
    await writer.write(header);
    await mixInto(writer, store, snap, frames);
    size = await writer.close();
    if (timings) timings.r2WaitMs = writer.waitMs;
  } catch (e) {
    await writer.abort();
    throw e;
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

async function mixInto(writer: R2PartWriter, store: AudioStore, snap: AudioSnapshot, frames: number): Promise<void> {
  const window = Math.min(WINDOW_FRAMES, frames);
  const acc = new Int32Array(window); // only for a channel whose chunks overlap in this window
  const out = new Int16Array(window * 2); // reused: the writer copies it into the part being filled
  for (let w0 = 0; w0 < frames; w0 += window) {
    const n = Math.min(window, frames - w0);
    const from = snap.startSample + w0;
    const channels: StoredRow[][] = [[], []];
    for (const row of store.rowsOverlapping(snap, from, from + n)) channels[row.sender === "EndUser" ? 0 : 1]!.push(row);
    out.fill(0, 0, n * 2);
    channels.forEach((rows, ch) => {
      if (!overlapping(rows)) {
        for (const row of rows) writeMulawStereo(out, from, n, ch, row.start, row.audio);
        return;
      }
      const a = acc.subarray(0, n).fill(0);
      for (const row of rows) addMulaw(a, from, row.start, row.audio);
      writeClippedStereo(out, a, n, ch);
    });
    await writer.write(new Uint8Array(out.buffer, 0, n * 4));
  }
}

type StoredRow = { start: number; audio: Uint8Array };

/** Whether any two rows (ordered by start) share a sample. */
function overlapping(rows: StoredRow[]): boolean {
  let end = -Infinity;
  for (const r of rows) {
    if (r.start < end) return true;
    end = Math.max(end, r.start + r.audio.length);
  }
  return false;
}
