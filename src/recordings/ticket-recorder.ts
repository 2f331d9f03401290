import { DurableObject } from "cloudflare:workers";
import { finalizeRecording, NothingToFinalizeError, type FinalizeTarget, type FinalizeTimings } from "./finalize";
import { renderAhead } from "./render-ahead";
import { RecordingDraft } from "./recording-draft";
import type { RecordingRow } from "../db/recordings";
import type { Env } from "../env";
import { AudioStore } from "./audio-store";
import { SAMPLES_PER_MS, type AppendResult, type AudioChunk } from "./audio-types";
import { enqueue, queueOf } from "./store-queue";

/** Longest timeline one ticket's chunks may span (earliest to latest sample): 4 hours. */
export const MAX_SPAN_MS = 4 * 60 * 60 * 1000;
/**
 * The recording a ticket renders is bounded by the audio it received: its span may be at most SPAN_PER_AUDIO times
 * the samples stored (both channels counted) plus SPAN_SLACK_MS. Room for a silence-suppressed side and pauses;
 * but two bytes at 0 and 4 hours can no longer make a 460 MB stereo WAV.
 */
export const SPAN_PER_AUDIO = 4;
export const SPAN_SLACK_MS = 60_000;

export type AppendOutcome = ({ ok: true } & AppendResult) | { ok: false; index: number; error: string };
export type FinalizeOutcome =
  | { ok: true; recording: RecordingRow; timings: FinalizeTimings }
  | { ok: false; error: string };

/** The recorder of one ticket's uploaded audio: `idFromName(recorderName(customerId, ticketId))`. */
export const recorderName = (customerId: number, ticketId: number) => `ticket:${customerId}:${ticketId}`;

/**
 * One object per ticket. Chunks are stored in its SQLite storage before `append` returns (the output gate
 * holds the RPC reply until the write is durable), and `finalize` mixes them into a recording version. After
 * each append the recording draft mixes and uploads the parts the timeline has passed, in the background, so
 * finalizing a long call is left with little more than its last part.
 * Outcomes are returned rather than thrown because error classes do not survive RPC.
 */
export class TicketRecorder extends DurableObject<Env> {
  /** The chunks and the draft over this object's storage; null once purged, until the next use opens them afresh. */
  private opened: { store: AudioStore; draft: RecordingDraft } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.open();
  }

  private open(): { store: AudioStore; draft: RecordingDraft } {
    if (!this.opened) {
      const store = AudioStore.fromStorage(this.ctx.storage);
      const draft = new RecordingDraft(this.ctx.storage.sql);
      store.observe(draft);
      this.opened = { store, draft };
    }
    return this.opened;
  }

  private get store(): AudioStore {
    return this.open().store;
  }

  private get draft(): RecordingDraft {
    return this.open().draft;
  }

  /** Stores the chunks of `target`'s ticket (the target names where the draft uploads). */
  append(chunks: AudioChunk[], target: FinalizeTarget): AppendOutcome {
    const b = this.store.bounds();
    let lo = b?.startSample ?? Infinity;
    let hi = b?.endSample ?? -Infinity;
    let received = b ? this.store.receivedSamples() : 0;
    let widest = -1;
    for (const [i, c] of chunks.entries()) {
      const start = c.timestampMs * SAMPLES_PER_MS;
      if (start < lo || start + c.audio.length > hi) widest = i;
      lo = Math.min(lo, start);
      hi = Math.max(hi, start + c.audio.length);
      received += c.audio.length;
      if (hi - lo > MAX_SPAN_MS * SAMPLES_PER_MS) {
        return {
          ok: false,
          index: i,
          error: `chunk ${i} would make this ticket's audio span more than ${MAX_SPAN_MS / 3_600_000} hours`,
        };
      }
    }
    if (hi - lo > SPAN_PER_AUDIO * received + SPAN_SLACK_MS * SAMPLES_PER_MS && widest >= 0) {
      return {
        ok: false,
        index: widest,
        error:
          `chunk ${widest} would stretch this ticket's recording to ${Math.ceil((hi - lo) / 8000)} s with only ` +
          `${Math.floor(received / 8000)} s of audio received (at most ${SPAN_PER_AUDIO}× the audio plus ` +
          `${SPAN_SLACK_MS / 1000} s)`,
      };
    }
    const result = this.store.append(chunks);
    if (result.stored > 0) this.ctx.waitUntil(this.renderDraft(target));
    return { ok: true, ...result };
  }

  private async renderDraft(target: FinalizeTarget): Promise<void> {
    try {
      await renderAhead(this.env, this.store, this.draft, target);
    } catch (e) {
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "recording draft step failed",
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    }
  }

  async finalize(target: FinalizeTarget): Promise<FinalizeOutcome> {
    try {
      const timings: FinalizeTimings = {};
      const recording = await finalizeRecording(this.env, this.store, target, this.draft, timings);
      return { ok: true, recording, timings };
    } catch (e) {
      if (e instanceof NothingToFinalizeError) return { ok: false, error: e.message };
      throw e;
    }
  }

  /**
   * Deletes the ticket's stored chunks, what it remembers of them (the keys that recognise a repeated chunk, the
   * finalized versions) and its draft upload: the ticket, one of its recordings or its customer is being deleted.
   * It waits for a finalize or draft step under way, and the recorder then starts afresh, empty, for a ticket that
   * stays: a later upload is recorded on its own, never with the deleted audio.
   */
  async purge(): Promise<void> {
    const opened = this.opened;
    const clear = async () => {
      if (opened) {
        const { draft } = opened;
        for (const u of [...draft.abandoned, ...(draft.current ? [draft.current] : [])])
          await this.env.RECORDINGS.resumeMultipartUpload(u.key, u.uploadId)
            .abort()
            .catch(() => undefined);
      }
      // The storage stays empty (no tables either) until the recorder is used again.
      if (this.opened === opened) this.opened = null;
      await this.ctx.storage.deleteAll();
    };
    await (opened ? enqueue(queueOf(opened.store), clear) : clear());
  }

  stats(): { totalChunks: number; lastVersion: number | null; draftParts: number } {
    return {
      totalChunks: this.store.totalChunks(),
      lastVersion: this.store.lastVersion()?.version ?? null,
      draftParts: this.draft.partsDone,
    };
  }
}
