import type { WebSocket } from "ws";

/** How the fake realtime server behaves for one API key; tests set it through /__fake/realtime/script. */
export interface RealtimeScript {
  /** Refuse the next N upgrades with `refuseStatus` (default 401, as for a bad key). */
  refuse?: number;
  refuseStatus?: number;
  /** Answer every appended frame at once with an output delta carrying the same audio (benchmarks). */
  echo?: boolean;
  /** Audio of each response: `chunks` deltas of `chunkBytes` bytes, then this transcript. */
  reply?: { chunks: number; chunkBytes: number; transcript: string };
  /** Responses stay in progress (no response.done) until cancelled or finished by a trigger. */
  holdResponses?: boolean;
  /** Server-VAD stand-in: once a connection has received this many bytes of audio, the caller "spoke". */
  speechAfterBytes?: number;
  /** What the caller said, as input transcription of that turn. */
  userTranscript?: string;
  /** Hold each upgrade this long before accepting it (a slow OpenAI: early caller audio must wait, not vanish). */
  acceptDelayMs?: number;
  /** Close the next connection (code 1011) after it received this many appends; applies once. */
  dropAfterAppends?: number;
}

export interface ClientEventRecord {
  type: string;
  [k: string]: unknown;
}

export interface Connection {
  id: number;
  ws: WebSocket;
  model: string;
  open: boolean;
  closeCode: number | null;
  session: Record<string, unknown> | null;
  /** Every client event except appends (those are summed below). */
  events: ClientEventRecord[];
  appends: number;
  /** Appends that arrived before any session.update (audio the model would misread). */
  appendsBeforeSession: number;
  audio: Buffer[];
  /** Audio bytes per assistant item, to validate truncates as the real API does. */
  items: Map<string, number>;
  response: { id: string; itemId: string } | null;
  spoke: boolean;
  seq: number;
}

export interface KeyState {
  script: RealtimeScript;
  connections: Connection[];
  refused: number;
}

const keys = new Map<string, KeyState>();

export function keyState(apiKey: string): KeyState {
  let s = keys.get(apiKey);
  if (!s) {
    s = { script: {}, connections: [], refused: 0 };
    keys.set(apiKey, s);
  }
  return s;
}

export function describe(c: Connection) {
  return {
    id: c.id,
    model: c.model,
    open: c.open,
    closeCode: c.closeCode,
    session: c.session,
    events: c.events,
    appends: c.appends,
    appendsBeforeSession: c.appendsBeforeSession,
    audioBytes: c.audio.reduce((n, b) => n + b.length, 0),
    audioBase64: Buffer.concat(c.audio).toString("base64"),
    items: Object.fromEntries(c.items),
  };
}
