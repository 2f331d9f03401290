/**
 * The benchmark's yardstick: a plain Node.js `ws` relay doing the Worker's passthrough and nothing else. It
 * answers the signed `/twiml` webhook (opening the call's OpenAI socket right then, as the Worker does), accepts
 * the Twilio stream at `/streams/{CallSid}`, and re-wraps payloads both ways: `media` → `input_audio_buffer.append`,
 * `response.output_audio.delta` → `media` + one `mark` per chunk. Run alone: `tsx bench/bridge/node-relay.ts
 * --port 9102 --openai http://127.0.0.1:9101/v1 --account-sid AC… --auth-token …`.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import twilio from "twilio";
import WebSocket, { WebSocketServer } from "ws";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9102" },
    openai: { type: "string", default: "http://127.0.0.1:9101/v1" },
    "account-sid": { type: "string", default: "" },
    "auth-token": { type: "string", default: "" },
  },
});
const upstreams = new Map<string, { ws: WebSocket; queue: string[] }>();

function openUpstream(callSid: string) {
  const ws = new WebSocket(`${values.openai.replace(/^http/, "ws")}/realtime?model=gpt-realtime`, {
    headers: { Authorization: "Bearer sk-relay" },
    perMessageDeflate: false,
  });
  const up = { ws, queue: [] as string[] };
  ws.on("open", () => {
    ws.send(
      JSON.stringify({
        type: "session.update",
        session: {
          type: "realtime",
          audio: { input: { format: { type: "audio/pcmu" } }, output: { format: { type: "audio/pcmu" } } },
        },
      }),
    );
    for (const m of up.queue.splice(0)) ws.send(m);
  });
  upstreams.set(callSid, up);
  return up;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = `http://${req.headers.host}${req.url}`;
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    const signed = twilio.validateRequest(
      values["auth-token"],
      String(req.headers["x-twilio-signature"] ?? ""),
      url,
      params,
    );
    if (
      req.method !== "POST" ||
      req.url !== "/twiml" ||
      params.AccountSid !== values["account-sid"] ||
      !signed ||
      !params.CallSid
    ) {
      return void res.writeHead(403).end("forbidden");
    }
    openUpstream(params.CallSid);
    res
      .writeHead(200, { "Content-Type": "text/xml" })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="ws://${req.headers.host}/streams/${params.CallSid}">` +
          `<Parameter name="To" value="${params.To}"/><Parameter name="From" value="${params.From}"/></Stream></Connect></Response>`,
      );
  });
});

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (twilioWs, req) => {
  const callSid = decodeURIComponent(req.url?.split("/streams/")[1] ?? "");
  const up = upstreams.get(callSid) ?? openUpstream(callSid);
  upstreams.delete(callSid);
  let streamSid = "";
  let marks = 0;
  const toOpenAI = (m: string) => (up.ws.readyState === WebSocket.OPEN ? up.ws.send(m) : up.queue.push(m));
  twilioWs.on("message", (data) => {
    const msg = JSON.parse(data.toString()) as { event: string; streamSid?: string; media?: { payload: string } };
    if (msg.event === "start") streamSid = msg.streamSid ?? "";
    else if (msg.event === "media" && msg.media)
      toOpenAI(JSON.stringify({ type: "input_audio_buffer.append", audio: msg.media.payload }));
    else if (msg.event === "stop") twilioWs.close(1000);
  });
  up.ws.on("message", (data) => {
    const e = JSON.parse(data.toString()) as { type: string; delta?: string };
    if (e.type !== "response.output_audio.delta" || twilioWs.readyState !== WebSocket.OPEN) return;
    twilioWs.send(JSON.stringify({ event: "media", streamSid, media: { payload: e.delta } }));
    twilioWs.send(JSON.stringify({ event: "mark", streamSid, mark: { name: `m${++marks}` } }));
  });
  twilioWs.on("close", () => up.ws.close());
  up.ws.on("close", () => twilioWs.close());
  up.ws.on("error", () => twilioWs.close(1011));
});

server.listen(Number(values.port), "127.0.0.1", () =>
  console.log(`node-relay listening on http://127.0.0.1:${values.port}`),
);
