/**
 * Durable μ-law chunks in a Durable Object's SQLite storage, for finalize to mix into a stereo recording.
 *
 * Row granularity is what makes finalize fast: a 60-minute call arrives as 360,000 chunks of 20 ms, but
 * contiguous chunks of one sender are coalesced into rows of up to ROW_TARGET_BYTES (4 s), within a batch
 * and onto the sender's last row, so finalize reads ~2,000 rows instead of 360,000. Each chunk's
 * (sender, timestampMs) is also remembered, so a retried batch is recognised instead of doubling the audio.
 */

import { concatBytes } from "../lib/encoding";
import { AUDIO_SCHEMA, claimKeys, senderCode } from "./audio-schema";
import { lastFinalizedVersion, recordFinalizedVersion } from "./audio-versions";
import {
  AUDIO_SENDERS,
  SAMPLES_PER_MS,
  type AppendResult,
  type AudioChunk,
  type AudioObserver,
  type AudioSender,
  type AudioSnapshot,
  type FinalizedVersion,
  type StoreOptions,
} from "./audio-types";

export const ROW_TARGET_BYTES = 32 * 1024;

interface Tail {
  id: number;
  start: number;
  audio: Uint8Array;
}

interface Run {
  start: number;
  parts: Uint8Array[];
  n: number;
}

type Txn = <T>(fn: () => T) => T;

export class AudioStore {
  private tails = new Map<number, Tail>();
  private observer: AudioObserver | null = null;
  /** Rows up to this id belong to a finalized (or finalizing) version and are never extended again. */
  private frozenThrough = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly txn: Txn = (fn) => fn(),
    private readonly options: StoreOptions = {},
  ) {
    sql.exec(AUDIO_SCHEMA);
    this.frozenThrough = lastFinalizedVersion(sql)?.throughId ?? 0;
    for (const [id, sender, start, audio] of sql
      .exec(
        "SELECT id, sender, start, audio FROM audio_rows WHERE id IN (SELECT MAX(id) FROM audio_rows GROUP BY sender)",
      )
      .raw<[number, number, number, ArrayBuffer]>()) {
      if (id > this.frozenThrough) this.tails.set(sender, { id, start, audio: new Uint8Array(audio) });
    }
  }

  /** Wires the store to a Durable Object's storage, so each append is one `transactionSync`. */
  static fromStorage(storage: DurableObjectStorage, options: StoreOptions = {}): AudioStore {
    return new AudioStore(storage.sql, (fn) => storage.transactionSync(fn), options);
  }

  /**
   * Wires the store to a Durable Object's storage without `transactionSync`: an append (which never awaits) and
   * whatever else the caller writes in the same turn commit together, atomically, in the object's implicit
   * transaction at the end of the turn. `transactionSync` would commit any writes already pending, then the
   * batch as a transaction of its own, and the caller's next write would open a third: a live call appends
   * every ~2 s, and every commit is work on the thread all the call objects share (docs/performance.md).
   * The one thing lost is the rollback of a batch whose append throws midway, which is why `append` checks
   * every chunk before it writes anything.
   */
  static coalescedWith(storage: DurableObjectStorage, options: StoreOptions = {}): AudioStore {
    return new AudioStore(storage.sql, (fn) => fn(), options);
  }

  observe(observer: AudioObserver): void {
    this.observer = observer;
  }

  /** Appends chunks in one transaction (durable once the object's output gate opens). Empty chunks are ignored. */
  append(chunks: AudioChunk[]): AppendResult {
    // Refused before anything is written, so even an append outside a transaction never stores half a batch.
    for (const c of chunks) if (senderCode(c.sender) < 0) throw new RangeError(`unknown sender ${String(c.sender)}`);
    return this.txn(() => {
      const runs = new Map<number, Run>();
      let stored = 0;
      let duplicates = 0;
      let lo = Infinity;
      let hi = -Infinity;
      let maxN = 0;
      let senders = 0;
      const fresh = this.options.neverRetried ? null : claimKeys(this.sql, chunks);
      for (const c of chunks) {
        if (c.audio.length === 0) continue;
        const code = senderCode(c.sender);
        if (fresh && !fresh.delete(`${code}:${c.timestampMs}`)) {
          duplicates++;
          continue;
        }
        stored++;
        const start = Math.round(c.timestampMs * SAMPLES_PER_MS);
        lo = Math.min(lo, start);
        hi = Math.max(hi, start + c.audio.length);
        maxN = Math.max(maxN, c.audio.length);
        senders |= 1 << code;
        const run = runs.get(code);
        if (run && run.start + run.n === start && run.n + c.audio.length <= ROW_TARGET_BYTES) {
          run.parts.push(c.audio);
          run.n += c.audio.length;
        } else {
          if (run) this.flush(code, run);
          runs.set(code, { start, parts: [c.audio], n: c.audio.length });
        }
      }
      for (const [code, run] of runs) this.flush(code, run);
      if (stored === 0) return { stored, duplicates, totalChunks: this.totalChunks() };
      // Rows never exceed the coalescing target unless a single chunk does: a safe bound for the overlap look-back.
      const rowMax = Math.max(maxN, ROW_TARGET_BYTES);
      // The new total comes back from the upsert itself: one statement fewer per batch on the live-call hot path.
      const totalChunks = this.sql
        .exec<{ chunks: number }>(
          `INSERT INTO audio_meta (k, chunks, start_sample, end_sample, max_n, senders) VALUES (0, ?1, ?2, ?3, ?4, ?5)
           ON CONFLICT (k) DO UPDATE SET chunks = chunks + ?1, start_sample = MIN(start_sample, ?2), end_sample = MAX(end_sample, ?3),
             max_n = MAX(max_n, ?4), senders = senders | ?5
           RETURNING chunks`,
          stored,
          lo,
          hi,
          rowMax,
          senders,
        )
        .one().chunks;
      return { stored, duplicates, totalChunks };
    });
  }

  /** Writes a run of contiguous samples: onto the sender's last row when it continues it and stays small, else as a new row. */
  private flush(code: number, run: Run): void {
    this.observer?.touch(run.start, run.start + run.n);
    const tail = this.tails.get(code);
    // The row's bytes are kept as the sender's tail, so they must be ours: a caller's chunks may be views of a
    // buffer it reuses (the live frame batcher's is, src/live/frame-batcher.ts).
    const bytes = run.parts.length === 1 ? run.parts[0]!.slice() : concatBytes(run.parts, run.n);
    if (
      tail &&
      tail.id > this.frozenThrough &&
      tail.start + tail.audio.length === run.start &&
      tail.audio.length + run.n <= ROW_TARGET_BYTES
    ) {
      const merged = concatBytes([tail.audio, bytes], tail.audio.length + run.n);
      this.sql.exec("UPDATE audio_rows SET audio = ?, n = ? WHERE id = ?", merged, merged.length, tail.id);
      this.tails.set(code, { ...tail, audio: merged });
      return;
    }
    const id = this.sql
      .exec<{ id: number }>(
        "INSERT INTO audio_rows (sender, start, n, audio) VALUES (?, ?, ?, ?) RETURNING id",
        code,
        run.start,
        run.n,
        bytes,
      )
      .one().id;
    this.tails.set(code, { id, start: run.start, audio: bytes });
  }

  totalChunks(): number {
    return this.sql.exec<{ chunks: number }>("SELECT chunks FROM audio_meta WHERE k = 0").toArray()[0]?.chunks ?? 0;
  }

  /** Samples stored, every sender together (a retried chunk counts once). */
  receivedSamples(): number {
    return this.sql.exec<{ n: number }>("SELECT COALESCE(SUM(n), 0) AS n FROM audio_rows").one().n;
  }

  /** The timeline so far (absolute samples), or null when nothing was stored. */
  bounds(): { startSample: number; endSample: number } | null {
    const m = this.sql
      .exec<{ s: number; e: number }>("SELECT start_sample AS s, end_sample AS e FROM audio_meta WHERE k = 0")
      .toArray()[0];
    return m ? { startSample: m.s, endSample: m.e } : null;
  }

  /** Fixes what a finalize will read and stops later appends from extending those rows. Null when empty. */
  snapshot(): AudioSnapshot | null {
    const snap = this.view();
    if (snap) this.frozenThrough = Math.max(this.frozenThrough, snap.throughId);
    return snap;
  }

  /** What is stored right now, without freezing it: valid until the next append, so read it before any await. */
  view(): AudioSnapshot | null {
    const m = this.sql
      .exec<{ chunks: number; start_sample: number; end_sample: number; max_n: number; senders: number }>(
        "SELECT * FROM audio_meta WHERE k = 0",
      )
      .toArray()[0];
    if (!m || m.chunks === 0) return null;
    const throughId = this.sql.exec<{ id: number }>("SELECT COALESCE(MAX(id), 0) AS id FROM audio_rows").one().id;
    return {
      throughId,
      chunks: m.chunks,
      startSample: m.start_sample,
      endSample: m.end_sample,
      maxRowSamples: m.max_n,
      senders: AUDIO_SENDERS.filter((_, i) => m.senders & (1 << i)),
    };
  }

  /** Rows of the snapshot overlapping absolute samples [from, to), ordered by start. Consume before any await. */
  *rowsOverlapping(
    snap: AudioSnapshot,
    from: number,
    to: number,
  ): Generator<{ sender: AudioSender; start: number; audio: Uint8Array }> {
    const cursor = this.sql
      .exec(
        "SELECT sender, start, audio FROM audio_rows WHERE start >= ? AND start < ? AND id <= ? ORDER BY start",
        from - snap.maxRowSamples,
        to,
        snap.throughId,
      )
      .raw<[number, number, ArrayBuffer]>();
    for (const [code, start, audio] of cursor) {
      if (start + audio.byteLength <= from) continue;
      yield { sender: AUDIO_SENDERS[code]!, start, audio: new Uint8Array(audio) };
    }
  }

  /** Deletes the stored chunks once they are finalized (the versions stay, so a repeat finalize is recognised). */
  clear(): void {
    this.sql.exec("DELETE FROM audio_rows; DELETE FROM audio_keys; DELETE FROM audio_meta;");
    this.tails.clear();
  }

  lastVersion(): FinalizedVersion | null {
    return lastFinalizedVersion(this.sql);
  }

  recordVersion(v: FinalizedVersion): void {
    recordFinalizedVersion(this.sql, v);
  }
}
