import { exports } from "cloudflare:workers";
import { BASE } from "../helpers";

/** A message we (the Worker) sent to Twilio on the media stream. */
export type Outbound =
  | { event: "media"; streamSid: string; media: { payload: string } }
  | { event: "mark"; streamSid: string; mark: { name: string } }
  | { event: "clear"; streamSid: string };

/**
 * Plays Twilio's side of a media stream against the Worker, inside workerd: connects through the Worker's own
 * fetch, sends connected/start/media/mark/stop as Twilio does, and collects what the Worker sends back.
 */
export class TwilioStreamClient {
  readonly received: Outbound[] = [];
  closed: { code: number; reason: string } | null = null;
  private chunk = 0;
  private waiters: (() => void)[] = [];
  readonly streamSid = `MZ${crypto.randomUUID().replace(/-/g, "")}`;

  private constructor(
    readonly ws: WebSocket,
    readonly callSid: string,
  ) {
    ws.addEventListener("message", (e) => {
      this.received.push(JSON.parse(String(e.data)) as Outbound);
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  static async connect(path: string, callSid: string): Promise<TwilioStreamClient> {
    const resp = await exports.default.fetch(new Request(BASE + path, { headers: { Upgrade: "websocket" } }));
    if (!resp.webSocket) throw new Error(`upgrade refused: ${resp.status} ${await resp.text()}`);
    resp.webSocket.accept();
    return new TwilioStreamClient(resp.webSocket, callSid);
  }

  send(msg: unknown) {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  start(accountSid: string, customParameters: Record<string, string>) {
    this.send({ event: "connected", protocol: "Call", version: "1.0.0" });
    this.send({
      event: "start",
      sequenceNumber: "1",
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid,
        callSid: this.callSid,
        tracks: ["inbound"],
        customParameters,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
    });
  }

  /** One 20 ms frame (160 bytes) of `byte` (audible: not μ-law silence), stamped at its place in the stream. */
  media(byte = 0x55, bytes = 160) {
    const ts = this.chunk * 20;
    this.chunk++;
    const payload = btoa(String.fromCharCode(...new Uint8Array(bytes).fill(byte)));
    this.send({
      event: "media",
      sequenceNumber: String(this.chunk + 1),
      streamSid: this.streamSid,
      media: { track: "inbound", chunk: String(this.chunk), timestamp: String(ts), payload },
    });
    return payload;
  }

  mark(name: string) {
    this.send({ event: "mark", sequenceNumber: "0", streamSid: this.streamSid, mark: { name } });
  }

  stop(accountSid: string) {
    this.send({
      event: "stop",
      sequenceNumber: "0",
      streamSid: this.streamSid,
      stop: { accountSid, callSid: this.callSid },
    });
  }

  close() {
    try {
      this.ws.close(1000, "test done");
    } catch {
      /* already closed */
    }
  }

  of<E extends Outbound["event"]>(event: E): Extract<Outbound, { event: E }>[] {
    return this.received.filter((m): m is Extract<Outbound, { event: E }> => m.event === event);
  }

  /** Resolves once `pred` holds (re-checked on every message), or fails after `ms`. */
  async until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received.map((m) => m.event))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Polls an async condition (a fake's state, a D1 row) until it holds. */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  ms = 8000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
