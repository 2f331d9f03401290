/** The vocabulary of stored audio: who spoke, one chunk, what a store holds and what a finalize reads (./audio-store.ts). */

export type AudioSender = "EndUser" | "AI" | "CustomerRep";
export const AUDIO_SENDERS: readonly AudioSender[] = ["EndUser", "AI", "CustomerRep"];

/** One chunk of 8 kHz μ-law audio, laid at `timestampMs` on its sender's channel. */
export interface AudioChunk {
  sender: AudioSender;
  timestampMs: number;
  audio: Uint8Array;
}

export interface AppendResult {
  /** Chunks stored by this call. */
  stored: number;
  /** Chunks already stored earlier (same sender and timestampMs): ignored. */
  duplicates: number;
  /** Chunks stored in total. */
  totalChunks: number;
}

/** What a finalize reads: a fixed set of rows (id ≤ throughId) and the timeline they cover. */
export interface AudioSnapshot {
  throughId: number;
  chunks: number;
  /** Absolute sample index of the earliest and just past the latest sample (timestampMs × 8). */
  startSample: number;
  endSample: number;
  /** Longest row, in samples: how far before a window a row overlapping it can start. */
  maxRowSamples: number;
  senders: AudioSender[];
}

export interface FinalizedVersion {
  version: number;
  recordingId: string;
  chunks: number;
  throughId: number;
}

export const SAMPLES_PER_MS = 8;

export interface StoreOptions {
  /**
   * The writer never hands over a chunk twice (a live call's batcher writes each frame once), so the per-chunk
   * dedup keys are skipped, and chunks of one sender may share a timestamp. Uploads, which clients retry, keep them.
   */
  neverRetried?: boolean;
}

/** Told of every run of samples the store writes: absolute samples [lo, hi), inside the append's transaction. */
export interface AudioObserver {
  touch(lo: number, hi: number): void;
}
