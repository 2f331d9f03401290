import { exports } from "cloudflare:workers";
import { encodeClientState } from "../../src/carriers/telnyx/client-state";
import { BASE } from "../helpers";
import { StreamClient, type Outbound } from "./stream-client";

/**
 * Telnyx's side of a media stream (frames as docs/telnyx.md, "Media stream", and the fake's player send them),
 * through the Worker's own `/streams/telnyx/{call_control_id}` route. The stream parameters ride in `start`'s
 * client_state, where Telnyx puts the client_state of our answer; what the Worker sends is translated to Twilio's
 * shape so assertions read the same for every carrier.
 */
export class TelnyxStreamClient extends StreamClient {
  readonly streamSid = crypto.randomUUID();
  private seq = 0;

  static async connect(path: string, callControlId: string): Promise<TelnyxStreamClient> {
    const resp = await exports.default.fetch(new Request(BASE + path, { headers: { Upgrade: "websocket" } }));
    if (!resp.webSocket) throw new Error(`upgrade refused: ${resp.status} ${await resp.text()}`);
    resp.webSocket.accept();
    return new TelnyxStreamClient(resp.webSocket, callControlId);
  }

  private nextSeq() {
    return String(++this.seq);
  }

  protected decode(frame: string): Outbound {
    const f = JSON.parse(frame) as {
      event: string;
      stream_id?: string;
      media?: { payload: string };
      mark?: { name: string };
    };
    const sid = f.stream_id ?? "";
    if (f.event === "media") return { event: "media", streamSid: sid, media: { payload: f.media!.payload } };
    if (f.event === "mark") return { event: "mark", streamSid: sid, mark: { name: f.mark!.name } };
    if (f.event === "clear") return { event: "clear", streamSid: sid };
    throw new Error(`the Worker sent Telnyx an unknown frame: ${frame}`);
  }

  start(_accountSid: string, parameters: Record<string, string>) {
    this.send({ event: "connected", version: "1.0.0" });
    this.send({
      event: "start",
      sequence_number: this.nextSeq(),
      stream_id: this.streamSid,
      start: {
        user_id: "3e6f995f-85f7-4705-9741-53b116d28237",
        call_control_id: this.callSid,
        call_session_id: crypto.randomUUID(),
        from: parameters.From ?? "+15550100001",
        to: parameters.To ?? "+15550100002",
        tags: [],
        client_state: encodeClientState(parameters),
        custom_parameters: {},
        media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
      },
    });
  }

  protected mediaFrame(ts: number, payload: string) {
    return this.frameAt(this.chunk, ts, payload);
  }

  /** A media frame as Telnyx numbers it: chunk `n` (from 1), `ts` ms into the stream. */
  frameAt(n: number, ts: number, payload: string) {
    return {
      event: "media",
      sequence_number: this.nextSeq(),
      stream_id: this.streamSid,
      media: { track: "inbound", chunk: String(n), timestamp: String(ts), payload },
    };
  }

  mark(name: string) {
    this.send({ event: "mark", sequence_number: this.nextSeq(), stream_id: this.streamSid, mark: { name } });
  }

  dtmf(digit: string) {
    this.send({ event: "dtmf", sequence_number: this.nextSeq(), stream_id: this.streamSid, dtmf: { digit } });
  }

  stop() {
    this.send({
      event: "stop",
      sequence_number: this.nextSeq(),
      stream_id: this.streamSid,
      stop: { user_id: "3e6f995f-85f7-4705-9741-53b116d28237", call_control_id: this.callSid },
    });
  }
}
