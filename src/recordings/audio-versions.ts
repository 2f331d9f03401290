import type { FinalizedVersion } from "./audio-types";

/**
 * The record of finalized recordings in an AudioStore's SQLite storage (table `audio_versions`, ./audio-schema.ts):
 * it outlives the cleared chunks, so a repeated finalize is recognised and the store never extends a finalized row.
 */
export function lastFinalizedVersion(sql: SqlStorage): FinalizedVersion | null {
  const r = sql
    .exec<{ version: number; recording_id: string; chunks: number; through_id: number }>(
      "SELECT version, recording_id, chunks, through_id FROM audio_versions ORDER BY version DESC LIMIT 1",
    )
    .toArray()[0];
  return r ? { version: r.version, recordingId: r.recording_id, chunks: r.chunks, throughId: r.through_id } : null;
}

export function recordFinalizedVersion(sql: SqlStorage, v: FinalizedVersion): void {
  sql.exec(
    "INSERT OR REPLACE INTO audio_versions (version, recording_id, chunks, through_id, created_at) VALUES (?, ?, ?, ?, ?)",
    v.version,
    v.recordingId,
    v.chunks,
    v.throughId,
    new Date().toISOString(),
  );
}
