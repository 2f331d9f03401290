/**
 * The next recording version, uploaded ahead while its audio is still arriving: full R2 parts of the future
 * stereo WAV are mixed and uploaded to an open multipart upload as soon as the timeline has passed them, so
 * finalize is left with the header part, the tail and whatever changed. Without it, finalizing a 60-minute
 * call means mixing and uploading 115 MB after the last chunk arrives.
 *
 * A part is only reused when nothing touched its samples since it was mixed: the store reports every run of
 * samples it writes (`touch`), which forgets the parts it overlaps, including one still uploading (its etag is
 * then not kept). A run before the draft's first sample moves the whole timeline, so the draft is dropped.
 * The draft is an optimisation only: finalize without it (or with a lost upload) mixes everything itself.
 * The draft's metadata and finished parts live in the owning object's SQLite, so a restart keeps them; parts
 * in flight at a restart are simply mixed again. An abandoned upload is aborted by the next render step, or
 * by R2's default lifecycle rule (incomplete multipart uploads are aborted after 7 days).
 */
import { fullPartEnd, partOfFrame } from "./stereo-parts";

export interface DraftMeta {
  recordingId: string;
  key: string;
  uploadId: string;
  /** Absolute sample of the timeline's first frame when the draft began. */
  origin: number;
}

/** What finalize takes over: the upload and its reusable parts. */
export interface TakenDraft extends DraftMeta {
  parts: R2UploadedPart[];
}

export interface AbandonedUpload {
  key: string;
  uploadId: string;
}

export class RecordingDraft {
  private meta: DraftMeta | null = null;
  /** Finished parts: part number → etag. */
  private done = new Map<number, string>();
  /** Parts being uploaded: part number → the token of that upload (a touch deletes it). */
  private uploading = new Map<number, number>();
  private tokens = 0;
  /** Uploads that will never complete, for the next render step to abort. */
  abandoned: AbandonedUpload[] = [];

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS draft_meta (
        k INTEGER PRIMARY KEY CHECK (k = 0), recording_id TEXT NOT NULL, r2_key TEXT NOT NULL, upload_id TEXT NOT NULL, origin INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS draft_parts (part INTEGER PRIMARY KEY, etag TEXT NOT NULL);
    `);
    const m = sql
      .exec<{ recording_id: string; r2_key: string; upload_id: string; origin: number }>(
        "SELECT recording_id, r2_key, upload_id, origin FROM draft_meta",
      )
      .toArray()[0];
    if (m) {
      this.meta = { recordingId: m.recording_id, key: m.r2_key, uploadId: m.upload_id, origin: m.origin };
      for (const r of sql.exec<{ part: number; etag: string }>("SELECT part, etag FROM draft_parts"))
        this.done.set(r.part, r.etag);
    }
  }

  get current(): DraftMeta | null {
    return this.meta;
  }

  get partsDone(): number {
    return this.done.size;
  }

  begin(meta: DraftMeta): void {
    if (this.meta) throw new Error("a draft is already open");
    this.sql.exec(
      "INSERT INTO draft_meta (k, recording_id, r2_key, upload_id, origin) VALUES (0, ?, ?, ?, ?)",
      meta.recordingId,
      meta.key,
      meta.uploadId,
      meta.origin,
    );
    this.meta = meta;
  }

  /** Absolute samples [lo, hi) were written: forget the parts they fall in (all of them when before the origin). */
  touch(lo: number, hi: number): void {
    const meta = this.meta;
    if (!meta) return;
    if (lo < meta.origin) {
      this.drop();
      return;
    }
    if (!this.done.size && !this.uploading.size) return;
    const last = partOfFrame(hi - 1 - meta.origin);
    for (let p = partOfFrame(lo - meta.origin); p <= last; p++) {
      this.uploading.delete(p);
      if (this.done.delete(p)) this.sql.exec("DELETE FROM draft_parts WHERE part = ?", p);
    }
  }

  /** The lowest part after the first (which holds the header) that is fully within `readyFrames` and not done or uploading. */
  nextPart(readyFrames: number): number | null {
    for (let p = 2; fullPartEnd(p) <= readyFrames; p++) if (!this.done.has(p) && !this.uploading.has(p)) return p;
    return null;
  }

  /** Marks `p` as being uploaded from audio read just now; the token proves nothing touched it meanwhile. */
  startPart(p: number): number {
    const token = ++this.tokens;
    this.uploading.set(p, token);
    return token;
  }

  /** Keeps an uploaded part unless its samples were touched (or the draft dropped or taken) while it uploaded. */
  finishPart(uploadId: string, p: number, token: number, etag: string): void {
    if (this.meta?.uploadId !== uploadId || this.uploading.get(p) !== token) return;
    this.uploading.delete(p);
    this.done.set(p, etag);
    this.sql.exec("INSERT OR REPLACE INTO draft_parts (part, etag) VALUES (?, ?)", p, etag);
  }

  failPart(p: number, token: number): void {
    if (this.uploading.get(p) === token) this.uploading.delete(p);
  }

  /**
   * Hands the draft to a finalize of a `frames`-long timeline starting at absolute sample `origin`, and
   * closes it (later audio starts a new draft). Null, and the draft abandoned, when it no longer fits.
   */
  take(origin: number, frames: number): TakenDraft | null {
    const meta = this.meta;
    if (!meta) return null;
    if (meta.origin !== origin) {
      this.drop();
      return null;
    }
    const parts = [...this.done]
      .filter(([p]) => fullPartEnd(p) <= frames)
      .map(([partNumber, etag]) => ({ partNumber, etag }));
    this.clear();
    return { ...meta, parts };
  }

  private drop(): void {
    if (this.meta) this.abandoned.push({ key: this.meta.key, uploadId: this.meta.uploadId });
    this.clear();
  }

  private clear(): void {
    this.sql.exec("DELETE FROM draft_meta; DELETE FROM draft_parts;");
    this.meta = null;
    this.done.clear();
    this.uploading.clear();
  }
}
