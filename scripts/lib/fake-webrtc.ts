/**
 * A stand-in for OpenAI's WebRTC endpoint (`POST /v1/realtime/calls`, multipart `sdp` + `session`), answered by a
 * real WebRTC peer in Node (werift): it returns a real SDP answer, receives the browser's microphone over SRTP,
 * talks back with audio on its own track, and speaks the Realtime events on the browser's `oai-events` data
 * channel (docs/console.md, "Talk to the AI"). It negotiates G.711 μ-law (PCMU) rather than Opus, so it can
 * measure the energy of what the microphone sent without an Opus decoder; browsers offer both.
 *
 * Used by `npm run fake-openai` (talk to the console offline) and by the console's browser tests, which read
 * `peers` to see what arrived.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { concatBytes, MULAW_DECODE, MULAW_SILENCE, silence, tone } from "./mulaw";

export interface FakePeer {
  callId: string;
  /** The session the browser (through the Worker) asked for. */
  session: Record<string, unknown>;
  apiKey: string;
  connection: string;
  /** RTP packets of microphone audio received, and how many carried sound (RMS above the noise floor). */
  packetsIn: number;
  loudPacketsIn: number;
  /** Highest RMS of one received packet, in linear 16-bit units. */
  maxRmsIn: number;
  packetsOut: number;
  /** Client events received on the data channel, by type. */
  clientEvents: string[];
  /** Server events sent on the data channel, by type. */
  serverEvents: string[];
  close(): void;
}

/** Every peer answered so far, newest last. */
export const peers: FakePeer[] = [];

/** A packet whose RMS is above this carries sound, not silence or comfort noise. */
const LOUD_RMS = 200;
const FRAME_BYTES = 160;
/** The reply's audio: a rising three-note chime, loud enough to register as sound at the browser. */
const CHIME = concatBytes([tone(200, 660), silence(40), tone(200, 880), silence(40), tone(400, 990)]);

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

function sendError(res: ServerResponse, status: number, message: string, param: string | null, code: string) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ error: { message, type: "invalid_request_error", param, code } }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function rms(payload: Uint8Array): number {
  let sum = 0;
  for (const b of payload) sum += MULAW_DECODE[b]! ** 2;
  return payload.length ? Math.sqrt(sum / payload.length) : 0;
}

/** Answers one `POST …/realtime/calls` as OpenAI would, with a live peer behind the answer. */
export async function answerRealtimeCall(
  req: IncomingMessage,
  res: ServerResponse,
  log: (line: string) => void = () => {},
): Promise<void> {
  const apiKey = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!apiKey) return sendError(res, 401, "You didn't provide an API key.", null, "missing_api_key");
  const type = String(req.headers["content-type"] ?? "");
  if (!type.startsWith("multipart/form-data"))
    return sendError(res, 415, `Unsupported content type: ${type}`, null, "unsupported_content_type");
  const form = await new Request("http://fake/", {
    method: "POST",
    headers: { "content-type": type },
    body: new Uint8Array(await readBody(req)),
  }).formData();
  const sdp = form.get("sdp");
  const sessionText = form.get("session");
  if (typeof sdp !== "string" || !sdp.startsWith("v=0") || !/\r?\nm=audio /.test(sdp))
    return sendError(res, 400, "Invalid SDP offer: expected an audio media section.", "sdp", "invalid_offer");
  let session: Record<string, unknown>;
  try {
    session = JSON.parse(typeof sessionText === "string" ? sessionText : "null") as Record<string, unknown>;
  } catch {
    return sendError(res, 400, "Invalid 'session': expected a JSON object.", "session", "invalid_value");
  }
  if (session?.type !== "realtime" || typeof session.model !== "string")
    return sendError(
      res,
      400,
      "Invalid 'session': type realtime and a model are required.",
      "session",
      "invalid_value",
    );

  const { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } = await import("werift");
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 })],
      video: [],
    },
  });
  const outgoing = new MediaStreamTrack({ kind: "audio" });
  const queue: Uint8Array[] = [];
  let seq = 0;
  let timestamp = 0;
  const peer: FakePeer = {
    callId: id("rtc"),
    session,
    apiKey,
    connection: "new",
    packetsIn: 0,
    loudPacketsIn: 0,
    maxRmsIn: 0,
    packetsOut: 0,
    clientEvents: [],
    serverEvents: [],
    close: () => {
      clearInterval(clock);
      void pc.close();
    },
  };
  peers.push(peer);

  // One μ-law frame every 20 ms, reply audio when there is some and silence between, as a real peer streams.
  const clock = setInterval(() => {
    if (peer.connection !== "connected") return;
    const frame = queue.shift() ?? new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
    const header = new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp, marker: seq === 0 });
    seq = (seq + 1) & 0xffff;
    timestamp = (timestamp + FRAME_BYTES) >>> 0;
    outgoing.writeRtp(new RtpPacket(header, Buffer.from(frame)));
    peer.packetsOut++;
  }, 20);
  pc.connectionStateChange.subscribe((state) => {
    peer.connection = state;
    log(`webrtc ${peer.callId}: ${state}`);
    if (state === "closed" || state === "failed") clearInterval(clock);
  });

  let spoke = false;
  let replies = 0;
  // Until the browser's data channel is open there is nobody to tell (RTP may flow before SCTP is up).
  let send: (event: Record<string, unknown>) => boolean = () => false;
  const reply = (why: string) => {
    const rid = id("resp");
    const itemId = id("item");
    const transcript = `Fake realtime reply ${++replies} (${why}).`;
    for (let o = 0; o < CHIME.length; o += FRAME_BYTES) {
      const frame = new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
      frame.set(CHIME.subarray(o, o + FRAME_BYTES));
      queue.push(frame);
    }
    send({ type: "response.created", response: { id: rid, object: "realtime.response", status: "in_progress" } });
    send({ type: "output_audio_buffer.started", response_id: rid });
    send({ type: "response.output_audio_transcript.delta", response_id: rid, item_id: itemId, delta: transcript });
    send({ type: "response.output_audio_transcript.done", response_id: rid, item_id: itemId, transcript });
    send({ type: "response.done", response: { id: rid, object: "realtime.response", status: "completed" } });
  };

  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      const level = rms(rtp.payload);
      peer.packetsIn++;
      peer.maxRmsIn = Math.max(peer.maxRmsIn, level);
      if (level < LOUD_RMS) return;
      peer.loudPacketsIn++;
      if (!spoke && send({ type: "input_audio_buffer.speech_started", item_id: id("item"), audio_start_ms: 0 })) {
        spoke = true;
        send({
          type: "conversation.item.input_audio_transcription.completed",
          item_id: id("item"),
          content_index: 0,
          transcript: "(the fake heard your microphone)",
        });
      }
    }),
  );
  pc.onDataChannel.subscribe((channel) => {
    send = (event) => {
      if (channel.readyState !== "open") return false;
      peer.serverEvents.push(String(event.type));
      channel.send(JSON.stringify({ event_id: id("event"), ...event }));
      return true;
    };
    const opened = () => {
      send({ type: "session.created", session: { ...session, id: id("sess"), object: "realtime.session" } });
      reply("welcome");
    };
    if (channel.readyState === "open") opened();
    else channel.stateChanged.subscribe((s) => s === "open" && opened());
    channel.onMessage.subscribe((data) => {
      let event: { type?: unknown };
      try {
        event = JSON.parse(data.toString()) as { type?: unknown };
      } catch {
        return send({
          type: "error",
          error: { type: "invalid_request_error", code: "invalid_json", message: "Bad JSON" },
        });
      }
      peer.clientEvents.push(String(event.type));
      if (event.type === "response.create") reply("response.create");
      else if (event.type === "session.update") send({ type: "session.updated", session });
    });
  });

  await pc.setRemoteDescription({ type: "offer", sdp });
  for (const t of pc.getTransceivers()) {
    if (t.kind !== "audio") continue;
    await t.sender.replaceTrack(outgoing);
    t.setDirection("sendrecv");
  }
  await pc.setLocalDescription(await pc.createAnswer());
  log(`webrtc ${peer.callId}: answered (model ${String(session.model)})`);
  res.writeHead(201, { "Content-Type": "application/sdp", Location: `/v1/realtime/calls/${peer.callId}` });
  res.end(pc.localDescription?.sdp ?? "");
}

/** Closes every peer (the fake is shutting down). */
export function closePeers(): void {
  for (const p of peers.splice(0)) p.close();
}
