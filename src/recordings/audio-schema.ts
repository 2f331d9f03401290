import { AUDIO_SENDERS, type AudioChunk, type AudioSender } from "./audio-types";

/** The tables an AudioStore keeps in its Durable Object's SQLite storage (./audio-store.ts). */
export const AUDIO_SCHEMA = `
      CREATE TABLE IF NOT EXISTS audio_rows (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sender INTEGER NOT NULL,
        start INTEGER NOT NULL,
        n INTEGER NOT NULL,
        audio BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS audio_rows_start ON audio_rows(start);
      CREATE TABLE IF NOT EXISTS audio_keys (sender INTEGER NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (sender, ts)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS audio_meta (
        k INTEGER PRIMARY KEY CHECK (k = 0),
        chunks INTEGER NOT NULL, start_sample INTEGER NOT NULL, end_sample INTEGER NOT NULL, max_n INTEGER NOT NULL, senders INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS audio_versions (
        version INTEGER PRIMARY KEY, recording_id TEXT NOT NULL, chunks INTEGER NOT NULL, through_id INTEGER NOT NULL, created_at TEXT NOT NULL
      );
`;

export const senderCode = (s: AudioSender) => AUDIO_SENDERS.indexOf(s);

const KEYS_PER_STATEMENT = 49;

/**
 * Records the (sender, timestampMs) keys of a batch, 49 per statement (SQLite binds at most 100 values), and
 * returns those that were new: one statement per batch instead of one per chunk on the live-call hot path.
 * Senders are checked by the caller (AudioStore.append) before anything is written.
 */
export function claimKeys(sql: SqlStorage, chunks: AudioChunk[]): Set<string> {
  const keys: [number, number][] = [];
  for (const c of chunks) {
    if (c.audio.length === 0) continue;
    keys.push([senderCode(c.sender), c.timestampMs]);
  }
  const fresh = new Set<string>();
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
    const group = keys.slice(i, i + KEYS_PER_STATEMENT);
    const rows = sql
      .exec(
        `INSERT OR IGNORE INTO audio_keys (sender, ts) VALUES ${group.map(() => "(?, ?)").join(", ")} RETURNING sender, ts`,
        ...group.flat(),
      )
      .raw<[number, number]>();
    for (const [sender, ts] of rows) fresh.add(`${sender}:${ts}`);
  }
  return fresh;
}
