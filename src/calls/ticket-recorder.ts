import { DurableObject } from "cloudflare:workers";
import { finalizeRecording, NothingToFinalizeError, type FinalizeTarget, type FinalizeTimings } from "../audio/finalize";
import type { RecordingRow } from "../db/recordings";
import type { Env } from "../env";
import { AudioStore, SAMPLES_PER_MS, type AppendResult, type AudioChunk } from "./audio-store";

/** Longest timeline one ticket's chunks may span (earliest to latest sample): 4 hours. */
export const MAX_SPAN_MS = 4 * 60 * 60 * 1000;

export type AppendOutcome = ({ ok: true } & AppendResult) | { ok: false; index: number; error: string };
export type FinalizeOutcome = { ok: true; recording: RecordingRow; r2WaitMs: number | null } | { ok: false; error: string };

/** The recorder of one ticket's uploaded audio: `idFromName(recorderName(customerId, ticketId))`. */
export const recorderName = (customerId: number, ticketId: number) => `ticket:${customerId}:${ticketId}`;

/**
 * One object per ticket. Chunks are stored in its SQLite storage before `append` returns (the output gate
 * holds the RPC reply until the write is durable), and `finalize` mixes them into a recording version.
 * Outcomes are returned rather than thrown because error classes do not survive RPC.
 */
export class TicketRecorder extends DurableObject<Env> {
  private readonly store: AudioStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = AudioStore.fromStorage(ctx.storage);
  }

  append(chunks: AudioChunk[]): AppendOutcome {
    const b = this.store.bounds();
    let lo = b?.startSample ?? Infinity;
    let hi = b?.endSample ?? -Infinity;
    for (const [i, c] of chunks.entries()) {
      const start = c.timestampMs * SAMPLES_PER_MS;
      lo = Math.min(lo, start);
      hi = Math.max(hi, start + c.audio.length);
      if (hi - lo > MAX_SPAN_MS * SAMPLES_PER_MS) {
        return { ok: false, index: i, error: `chunk ${i} would make this ticket's audio span more than ${MAX_SPAN_MS / 3_600_000} hours` };
      }
    }
    return { ok: true, ...this.store.append(chunks) };
  }

  async finalize(target: FinalizeTarget): Promise<FinalizeOutcome> {
    try {
      const timings: FinalizeTimings = {};
      const recording = await finalizeRecording(this.env, this.store, target, timings);
      return { ok: true, recording, r2WaitMs: timings.r2WaitMs ?? null };
    } catch (e) {
      if (e instanceof NothingToFinalizeError) return { ok: false, error: e.message };
      throw e;
    }
  }

  stats(): { totalChunks: number; lastVersion: number | null } {
    return { totalChunks: this.store.totalChunks(), lastVersion: this.store.lastVersion()?.version ?? null };
  }
}
