/**
 * The media-stream side of the fake Telnyx: one session plays Telnyx's frames (connected, start, media — in any
 * order a test asks for —, dtmf, stop) and checks what the application sends back like Telnyx would (media of
 * 20 ms to 30 s of PCMU, marks, clear), echoing marks once the audio before them has "played".
 *
 * Two ways to connect, one session logic: the fake dials the application's `url` as Telnyx does (for a Worker
 * under `wrangler dev`), or a test inside workerd dials the fake's `socketUrl` and relays (tests reach Node
 * only over HTTP). Marks are echoed at once (`marks: "immediate"`) or when a test says the queued audio played
 * (`"manual"`, POST …/play); a clear drops queued audio and echoes its marks, as Telnyx documents.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

export interface StreamSpec {
  /** Dial this ws(s):// URL now; without it, wait for a test to connect to `socketUrl`. */
  url?: string;
  headers?: Record<string, string>;
  callControlId: string;
  streamId?: string;
  callSessionId?: string;
  from?: string;
  to?: string;
  clientState?: string | null;
  customParameters?: Record<string, string>;
  /** Sent in `connected` and as header x-telnyx-streaming-auth-token, as Telnyx does with stream_auth_token. */
  authToken?: string;
  marks?: "immediate" | "manual";
  encoding?: string;
}

type Queued = { kind: "media"; bytes: number } | { kind: "mark"; name: string };

export interface Session {
  id: string;
  streamId: string;
  spec: StreamSpec;
  ws: WebSocket | null;
  state: "waiting" | "open" | "closed";
  seq: number;
  chunk: number;
  /** What the application sent that Telnyx would accept, in order. */
  received: ({ event: "media"; bytes: number } | { event: "mark"; name: string } | { event: "clear" })[];
  /** What Telnyx would refuse (answered with an `error` frame). */
  rejected: { frame: string; reason: string }[];
  marksEchoed: string[];
  queue: Queued[];
  closed: { code: number; reason: string } | null;
}

/** 8 kHz μ-law: 8 bytes a millisecond; Telnyx takes 20 ms to 30 s per media frame. */
const MIN_MEDIA_BYTES = 160;
const MAX_MEDIA_BYTES = 240_000;
const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

export function newSession(spec: StreamSpec): Session {
  return {
    id: randomUUID(),
    streamId: spec.streamId ?? randomUUID(),
    spec,
    ws: null,
    state: "waiting",
    seq: 0,
    chunk: 0,
    received: [],
    rejected: [],
    marksEchoed: [],
    queue: [],
    closed: null,
  };
}

const nextSeq = (s: Session) => String(++s.seq);

export function send(s: Session, frame: Record<string, unknown> | string): void {
  if (s.state === "open" && s.ws?.readyState === WebSocket.OPEN)
    s.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
}

/** Binds a socket to the session and plays the opening frames. */
export function attach(s: Session, ws: WebSocket): void {
  s.ws = ws;
  s.state = "open";
  ws.on("message", (data, isBinary) => onApplicationFrame(s, isBinary ? "<binary>" : data.toString()));
  ws.on("close", (code, reason) => {
    s.state = "closed";
    s.closed = { code, reason: reason.toString() };
  });
  const token = s.spec.authToken ? { "x-telnyx-streaming-auth-token": s.spec.authToken } : {};
  send(s, { event: "connected", version: "1.0.0", ...token });
  send(s, {
    event: "start",
    sequence_number: nextSeq(s),
    stream_id: s.streamId,
    start: {
      user_id: "3e6f995f-85f7-4705-9741-53b116d28237",
      call_control_id: s.spec.callControlId,
      call_session_id: s.spec.callSessionId ?? randomUUID(),
      from: s.spec.from ?? "+15550100001",
      to: s.spec.to ?? "+15550100002",
      tags: [],
      client_state: s.spec.clientState ?? null,
      custom_parameters: s.spec.customParameters ?? {},
      media_format: { encoding: s.spec.encoding ?? "PCMU", sample_rate: 8000, channels: 1 },
    },
  });
}

/** Dials the application as Telnyx does. Resolves once the socket is open (or rejects when it cannot be). */
export function dialOut(s: Session): Promise<void> {
  const token = s.spec.authToken ? { "x-telnyx-streaming-auth-token": s.spec.authToken } : {};
  const ws = new WebSocket(s.spec.url!, { headers: { ...s.spec.headers, ...token } });
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      attach(s, ws);
      resolve();
    });
    ws.once("error", (e) => {
      s.state = "closed";
      reject(e);
    });
  });
}

/**
 * `count` frames of `bytes` bytes of `byte` (or the given base64 `payloads`), numbered in chunk order and sent
 * in `order` (indexes into the batch): sequence_number, chunk and timestamp keep the original order, as
 * Telnyx's do when its frames arrive out of order.
 */
export function playMedia(
  s: Session,
  o: { count?: number; byte?: number; bytes?: number; payloads?: string[]; order?: number[]; track?: string },
) {
  const payloads =
    o.payloads ??
    Array.from({ length: o.count ?? 1 }, () => Buffer.alloc(o.bytes ?? 160, o.byte ?? 0x55).toString("base64"));
  const frames = payloads.map((payload) => {
    const chunk = ++s.chunk;
    return {
      event: "media",
      sequence_number: nextSeq(s),
      media: { track: o.track ?? "inbound", chunk: String(chunk), timestamp: String((chunk - 1) * 20), payload },
      stream_id: s.streamId,
    };
  });
  const order = o.order ?? frames.map((_, i) => i);
  if (order.length !== frames.length || new Set(order).size !== frames.length || order.some((i) => !frames[i]))
    throw new Error(`order must be a permutation of 0..${frames.length - 1}`);
  for (const i of order) send(s, frames[i]!);
  return order.map((i) => frames[i]!.media);
}

export const dtmf = (s: Session, digit: string) =>
  send(s, {
    event: "dtmf",
    stream_id: s.streamId,
    occurred_at: new Date().toISOString(),
    sequence_number: nextSeq(s),
    dtmf: { digit },
  });

export function stop(s: Session): void {
  send(s, {
    event: "stop",
    sequence_number: nextSeq(s),
    stop: { user_id: "3e6f995f-85f7-4705-9741-53b116d28237", call_control_id: s.spec.callControlId },
    stream_id: s.streamId,
  });
  s.ws?.close(1000, "stream stopped");
}

const echoMark = (s: Session, name: string) => {
  s.marksEchoed.push(name);
  send(s, { event: "mark", sequence_number: nextSeq(s), stream_id: s.streamId, mark: { name } });
};

/** Everything queued has played: its marks come back in order. */
export function play(s: Session): void {
  for (const q of s.queue.splice(0)) if (q.kind === "mark") echoMark(s, q.name);
}

function reject(s: Session, frame: string, reason: string, event: unknown): void {
  s.rejected.push({ frame: frame.slice(0, 300), reason });
  // An `error` is never answered with an `error`: two such peers would echo each other forever.
  if (event !== "error")
    send(s, {
      event: "error",
      sequence_number: nextSeq(s),
      stream_id: s.streamId,
      payload: { code: 100002, title: "Invalid frame", detail: reason },
    });
}

function onApplicationFrame(s: Session, frame: string): void {
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(frame) as Record<string, unknown>;
  } catch {
    return reject(s, frame, "not JSON", null);
  }
  if (f.stream_id !== undefined && f.stream_id !== s.streamId) return reject(s, frame, "unknown stream_id", f.event);
  const body = (k: string) => (typeof f[k] === "object" && f[k] !== null ? (f[k] as Record<string, unknown>) : null);
  switch (f.event) {
    case "media": {
      const p = body("media")?.payload;
      const bytes = typeof p === "string" && isBase64(p) ? Buffer.from(p, "base64").length : -1;
      if (bytes < MIN_MEDIA_BYTES || bytes > MAX_MEDIA_BYTES)
        return reject(s, frame, "media.payload must be base64 of 20 ms to 30 s of audio", f.event);
      s.received.push({ event: "media", bytes });
      if (s.spec.marks === "manual") s.queue.push({ kind: "media", bytes });
      return;
    }
    case "mark": {
      const name = body("mark")?.name;
      if (typeof name !== "string" || !name) return reject(s, frame, "mark.name is required", f.event);
      s.received.push({ event: "mark", name });
      // With nothing playing or queued, a mark comes straight back.
      if (s.spec.marks === "manual" && s.queue.length) s.queue.push({ kind: "mark", name });
      else echoMark(s, name);
      return;
    }
    case "clear":
      s.received.push({ event: "clear" });
      s.queue = s.queue.filter((q) => q.kind === "mark");
      return play(s);
    default:
      return reject(s, frame, `unexpected event ${JSON.stringify(f.event)}`, f.event);
  }
}

export const view = (s: Session) => ({
  id: s.id,
  streamId: s.streamId,
  state: s.state,
  received: s.received,
  rejected: s.rejected,
  marksEchoed: s.marksEchoed,
  queued: s.queue,
  closed: s.closed,
});
