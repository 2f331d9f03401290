import type { WebSocket } from "ws";

/**
 * One reply of the model: `chunks` audio deltas of `chunkBytes` bytes with this transcript, then (optionally)
 * a function call, emitted as the GA API does (output_item.added, function_call_arguments.delta/.done,
 * output_item.done, and the item in response.done's `output`).
 */
export interface Reply {
  chunks: number;
  chunkBytes: number;
  transcript: string;
  functionCall?: { name: string; arguments: string };
}

/** How the fake realtime server behaves for one API key; tests set it through /__fake/realtime/script. */
export interface RealtimeScript {
  /** Refuse the next N upgrades with `refuseStatus` (default 401, as for a bad key). */
  refuse?: number;
  refuseStatus?: number;
  /** Answer every appended frame at once with an output delta carrying the same audio (benchmarks). */
  echo?: boolean;
  /** Every response (unless `replies` has one left): audio, transcript, maybe a function call. */
  reply?: Reply;
  /** The next responses, in order (consumed across the key's connections); then `reply` again. */
  replies?: Reply[];
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
  /** The bytes of `audio`, summed as they arrive: summing the list at every append made a long call quadratic. */
  audioBytes: number;
  /** Audio bytes per assistant item, to validate truncates as the real API does. */
  items: Map<string, number>;
  response: { id: string; itemId: string; output: Record<string, unknown>[] } | null;
  /** Function calls the model made, by call_id, with the output the client sent back (if any). */
  functionCalls: Map<string, FunctionCallRecord>;
  spoke: boolean;
  seq: number;
}

export interface FunctionCallRecord {
  callId: string;
  name: string;
  arguments: string;
  output: string | null;
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
    audioBytes: c.audioBytes,
    audioBase64: Buffer.concat(c.audio).toString("base64"),
    items: Object.fromEntries(c.items),
    functionCalls: [...c.functionCalls.values()],
  };
}
