import { env, exports } from "cloudflare:workers";
import { connectMediaStream } from "../../src/live/entry";
import { BASE } from "../helpers";

/** A message we (the Worker) sent on a media stream, in Twilio's shape (the fake carrier's are translated to it). */
export type Outbound =
  | { event: "media"; streamSid: string; media: { payload: string } }
  | { event: "mark"; streamSid: string; mark: { name: string } }
  | { event: "clear"; streamSid: string };

/**
 * Plays a carrier's side of a media stream against the Worker, inside workerd: sends start/media/mark/stop as
 * the carrier does, and collects what the Worker sends back. The wire format is the subclass's.
 */
export abstract class StreamClient {
  readonly received: Outbound[] = [];
  closed: { code: number; reason: string } | null = null;
  protected chunk = 0;
  private waiters: (() => void)[] = [];
  abstract readonly streamSid: string;

  protected constructor(
    readonly ws: WebSocket,
    readonly callSid: string,
  ) {
    ws.addEventListener("message", (e) => {
      this.received.push(this.decode(String(e.data)));
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  protected abstract decode(frame: string): Outbound;
  abstract start(accountSid: string, customParameters: Record<string, string>): void;
  protected abstract mediaFrame(ts: number, payload: string): unknown;
  abstract mark(name: string): void;
  /** A keypad digit the caller pressed, as the carrier reports it on the stream. */
  abstract dtmf(digit: string): void;
  abstract stop(accountSid: string): void;

  send(msg: unknown) {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  /** One 20 ms frame (160 bytes) of `byte` (audible: not μ-law silence), stamped at its place in the stream. */
  media(byte = 0x55, bytes = 160) {
    const ts = this.chunk * 20;
    this.chunk++;
    const payload = btoa(String.fromCharCode(...new Uint8Array(bytes).fill(byte)));
    this.send(this.mediaFrame(ts, payload));
    return payload;
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

async function accepted(resp: Response): Promise<WebSocket> {
  if (!resp.webSocket) throw new Error(`upgrade refused: ${resp.status} ${await resp.text()}`);
  resp.webSocket.accept();
  return resp.webSocket;
}

/** Twilio's side, through the Worker's own `/streams/{CallSid}` route. */
export class TwilioStreamClient extends StreamClient {
  readonly streamSid = `MZ${crypto.randomUUID().replace(/-/g, "")}`;

  static async connect(path: string, callSid: string): Promise<TwilioStreamClient> {
    const resp = await exports.default.fetch(new Request(BASE + path, { headers: { Upgrade: "websocket" } }));
    return new TwilioStreamClient(await accepted(resp), callSid);
  }

  protected decode(frame: string): Outbound {
    return JSON.parse(frame) as Outbound;
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

  protected mediaFrame(ts: number, payload: string) {
    return {
      event: "media",
      sequenceNumber: String(this.chunk + 1),
      streamSid: this.streamSid,
      media: { track: "inbound", chunk: String(this.chunk), timestamp: String(ts), payload },
    };
  }

  mark(name: string) {
    this.send({ event: "mark", sequenceNumber: "0", streamSid: this.streamSid, mark: { name } });
  }

  dtmf(digit: string) {
    this.send({
      event: "dtmf",
      sequenceNumber: "0",
      streamSid: this.streamSid,
      dtmf: { track: "inbound_track", digit },
    });
  }

  stop(accountSid: string) {
    this.send({
      event: "stop",
      sequenceNumber: "0",
      streamSid: this.streamSid,
      stop: { accountSid, callSid: this.callSid },
    });
  }
}

/**
 * The test-only carrier's side (test/carrier/fake-carrier.ts), straight into the call's object (it has no
 * route of its own); what the Worker sends is translated to Twilio's shape so assertions read the same.
 */
export class FakeStreamClient extends StreamClient {
  readonly streamSid = `fs_${crypto.randomUUID().replace(/-/g, "")}`;

  static async connect(key: string, callRef: string): Promise<FakeStreamClient> {
    const resp = await connectMediaStream(
      env,
      key,
      "fake",
      new Request(`${BASE}/fake/${key}`, { headers: { Upgrade: "websocket" } }),
    );
    return new FakeStreamClient(await accepted(resp), callRef);
  }

  protected decode(frame: string): Outbound {
    const f = JSON.parse(frame) as { t: string; sid: string; data?: string; tag?: string };
    if (f.t === "play") return { event: "media", streamSid: f.sid, media: { payload: f.data! } };
    if (f.t === "tag") return { event: "mark", streamSid: f.sid, mark: { name: f.tag! } };
    if (f.t === "flush") return { event: "clear", streamSid: f.sid };
    throw new Error(`the Worker sent the fake carrier an unknown frame: ${frame}`);
  }

  start(_accountSid: string, vars: Record<string, string>) {
    this.send({ t: "hello", leg: this.callSid, sid: this.streamSid, vars });
  }

  protected mediaFrame(ts: number, payload: string) {
    return { t: "pcmu", ms: ts, data: payload };
  }

  mark(name: string) {
    this.send({ t: "heard", tag: name });
  }

  dtmf(digit: string) {
    this.send({ t: "digit", d: digit });
  }

  stop() {
    this.send({ t: "bye" });
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
