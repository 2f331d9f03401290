/**
 * A local stand-in for the OpenAI Realtime WebSocket (GA event names, protocols.md §6), for running a call end
 * to end without the internet. Two behaviours:
 * - `assistant`: a crude energy detector plays server VAD (speech_started / speech_stopped / committed); after
 *   each caller utterance (or every `everyFrames` appends), and on `response.create`, it answers with a chime
 *   as `response.output_audio.delta` chunks plus its transcript. `response.cancel`, `conversation.item.truncate`
 *   and barge-in (speech while answering) behave like the real server.
 * - `echo`: every `input_audio_buffer.append` comes straight back as one `response.output_audio.delta` carrying
 *   the same base64 string (the bridge benchmark's far end).
 * `POST /v1/realtime/calls` (a browser's WebRTC call through the Worker) is answered by a real peer (fake-webrtc.ts).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { assistantSession } from "./fake-assistant";
import { answerRealtimeCall, closePeers } from "./fake-webrtc";
import { baseSession, id, merge, parse, type FakeStats, type Json } from "./realtime-session";

export type FakeMode = "assistant" | "echo";

export interface FakeRealtimeOptions {
  port: number;
  host?: string;
  mode: FakeMode;
  /** assistant: also answer after this many appended frames without a detected utterance (0 = only on speech). */
  everyFrames?: number;
  log?: (line: string) => void;
}

export interface RunningFakeRealtime {
  url: string;
  server: Server;
  stats: FakeStats;
  close(): Promise<void>;
}

export async function startFakeRealtime(opts: FakeRealtimeOptions): Promise<RunningFakeRealtime> {
  const log = opts.log ?? (() => {});
  const stats = { connections: 0, open: 0, appends: 0, deltas: 0, errors: 0 };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/health") return void res.end(JSON.stringify({ ok: true, mode: opts.mode }));
    if (req.method === "POST" && path.endsWith("/realtime/calls")) {
      // The browser's WebRTC call (the console's "Talk to the AI"), answered by a real peer in Node.
      return void answerRealtimeCall(req, res, log).catch((e: unknown) => {
        log(`webrtc: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    }
    log(`REST ${req.method} ${path}: not faked here (404)`);
    res.writeHead(404, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        error: {
          message: `Unknown request URL: ${req.method} ${path} (fake-openai fakes only the realtime WebSocket and WebRTC calls)`,
          type: "invalid_request_error",
          param: null,
          code: "unknown_url",
        },
      }),
    );
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? "/", "http://x");
    const auth = req.headers.authorization ?? "";
    if (!url.pathname.endsWith("/realtime")) return void socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
    if (!/^Bearer \S+/.test(auth))
      return void socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error":{"message":"Missing bearer authentication","type":"invalid_request_error"}}',
      );
    wss.handleUpgrade(req, socket, head, (ws) => {
      stats.connections++;
      stats.open++;
      ws.on("close", () => stats.open--);
      const model = url.searchParams.get("model") ?? "gpt-realtime";
      log(`realtime connected: model=${model} key=${auth.slice(7, 14)}…`);
      (opts.mode === "echo" ? echoSession : assistantSession)(ws, model, stats, log, opts.everyFrames ?? 0);
    });
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    server,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        closePeers();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function echoSession(ws: WebSocket, model: string, stats: FakeStats, _log: (l: string) => void): void {
  const send = (e: Json) => ws.send(JSON.stringify({ event_id: id("event"), ...e }));
  const session = baseSession(model);
  const responseId = id("resp");
  const itemId = id("item");
  let opened = false;
  send({ type: "session.created", session });
  ws.on("message", (data) => {
    const e = parse(data);
    if (e?.type === "input_audio_buffer.append" && typeof e.audio === "string") {
      stats.appends++;
      if (!opened) {
        opened = true;
        send({
          type: "response.created",
          response: { id: responseId, object: "realtime.response", status: "in_progress", output: [] },
        });
        send({
          type: "response.output_item.added",
          response_id: responseId,
          output_index: 0,
          item: { id: itemId, type: "message", role: "assistant", status: "in_progress", content: [] },
        });
      }
      stats.deltas++;
      // Hand-built so the audio string goes back untouched and the fake stays as cheap as possible.
      const delta = /^[A-Za-z0-9+/=]*$/.test(e.audio) ? `"${e.audio}"` : JSON.stringify(e.audio);
      ws.send(
        `{"type":"response.output_audio.delta","event_id":"${id("event")}","response_id":"${responseId}","item_id":"${itemId}","output_index":0,"content_index":0,"delta":${delta}}`,
      );
    } else if (e?.type === "session.update") {
      send({ type: "session.updated", session: merge(session, (e.session as Json) ?? {}) });
    } else if (e?.type === "response.create") {
      const rid = id("resp");
      send({
        type: "response.created",
        response: { id: rid, object: "realtime.response", status: "in_progress", output: [] },
      });
      // A reply asked for (a welcome message) speaks 20 ms of μ-law silence: bench/bridge's time to first AI audio.
      send({
        type: "response.output_audio.delta",
        response_id: rid,
        item_id: id("item"),
        output_index: 0,
        content_index: 0,
        delta: Buffer.alloc(160, 0xff).toString("base64"),
      });
      send({
        type: "response.done",
        response: { id: rid, object: "realtime.response", status: "completed", output: [] },
      });
    }
  });
}
