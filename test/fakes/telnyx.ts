/**
 * A fake Telnyx on loopback (docs/telnyx.md): call control under /v2/calls (fakes/telnyx/calls.ts), signed
 * webhooks with a real Ed25519 key per account (signing.ts), recordings behind pre-signed links on its own origin
 * (recordings.ts) and media streams over WebSocket (media-player.ts). Anything unexpected is a loud 404.
 *
 * Control endpoints (tests only):
 *   POST /__fake/accounts {apiKey, connectionId, numbers?}       → {publicKey, publicKeyPem} (the account's key)
 *   POST /__fake/webhooks/sign {apiKey | stranger, event{eventType, payload, id?, occurredAt?} | body, timestamp?}
 *                                                               → {body, headers}: a delivery signed like Telnyx's
 *   POST /__fake/webhooks/deliver {url, …sign}                   → POSTs it to `url`, → {status, body}
 *   POST /__fake/sink/…, GET /__fake/sink                        a webhook receiver that keeps what it got
 *   POST /__fake/calls {apiKey, from, to, direction?, state?}    → a call Telnyx knows (e.g. a parked inbound one)
 *   GET|POST /__fake/calls/{id}                                  read it, or patch {state}
 *   GET /__fake/commands?apiKey=                                 every API request of that key, in order
 *   POST /__fake/fail {pathPattern, status, errors, times?}      the next matching requests fail so
 *   POST /__fake/recordings {channels, samples, left, right, chunked?, redirectTo?} | PUT (raw bytes)
 *                                                               → {name, url}; POST /__fake/recordings/expire {name}
 *   GET /__fake/recordings?name=                                 → {downloads}
 *   POST /__fake/streams {url? | (dial-in), callControlId, clientState?, customParameters?, marks?}
 *                                                               → {id, streamId, socketUrl}
 *   GET /__fake/streams/{id}; POST /__fake/streams/{id}/media {count|payloads, order?} | /dtmf {digit} |
 *                                 /raw {frame} | /play | /stop
 *   WebSocket /__fake/streams/{id}/socket (dial-in), /__fake/echo (echoes media frames: the player's own test)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { listen, readBody, sendJson, type RunningFake } from "./http";
import { handleApi, type TelnyxState } from "./telnyx/api";
import { newCall, telnyxError, type Account, type FakeCall, type Failure } from "./telnyx/calls";
import * as player from "./telnyx/media-player";
import {
  BUCKET,
  newRecording,
  presignedUrl,
  serveRecording,
  type RecordingSpec,
  type StoredRecording,
} from "./telnyx/recordings";
import { newSigner, signDelivery, type SignRequest } from "./telnyx/signing";

/** Which account signs (its apiKey), or `stranger`: a key no account has, for forged deliveries. */
type SignBody = SignRequest & { apiKey?: string; stranger?: boolean };

const notFound = (res: ServerResponse, what: string) =>
  telnyxError(res, { status: 404, code: "10005", title: "Resource not found", detail: `fake telnyx: ${what}` });

/** The player's own test peer: media frames come straight back, anything else is dropped. */
function echoMedia(ws: WebSocket, frame: string): void {
  try {
    if ((JSON.parse(frame) as { event?: unknown }).event === "media") ws.send(frame);
  } catch {
    /* not JSON: not echoed */
  }
}

export async function startTelnyxFake(port = 0): Promise<RunningFake> {
  const state: TelnyxState = { accounts: new Map(), calls: new Map(), commands: [], failures: [] };
  const { accounts, calls, commands, failures } = state;
  const recordings = new Map<string, StoredRecording>();
  const sessions = new Map<string, player.Session>();
  const sink: { path: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  const stranger = newSigner();
  const wss = new WebSocketServer({ noServer: true });
  let origin = "";

  function signed(r: SignBody) {
    const signer = r.stranger ? stranger : accounts.get(r.apiKey ?? "")?.signer;
    if (!signer) throw new Error(`no account with apiKey ${r.apiKey}`);
    return signDelivery(signer, r);
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const json = <T>() => JSON.parse(body.toString("utf8") || "{}") as T;
    const p = url.pathname;
    const m = (re: RegExp) => re.exec(p);
    if (p === "/__fake/accounts" && req.method === "POST") {
      const a = json<{ apiKey: string; connectionId: string; numbers?: string[] }>();
      const account: Account = { ...a, numbers: a.numbers ?? [], signer: newSigner() };
      accounts.set(account.apiKey, account);
      return sendJson(res, 201, { publicKey: account.signer.publicKey, publicKeyPem: account.signer.publicKeyPem });
    }
    if (p === "/__fake/webhooks/sign" && req.method === "POST") return sendJson(res, 200, signed(json<SignBody>()));
    if (p === "/__fake/webhooks/deliver" && req.method === "POST") {
      const r = json<SignBody & { url: string }>();
      const d = signed(r);
      const answer = await fetch(r.url, { method: "POST", headers: d.headers, body: d.body });
      return sendJson(res, 200, { status: answer.status, body: await answer.text(), delivery: d });
    }
    if (p.startsWith("/__fake/sink")) {
      if (req.method === "GET") return sendJson(res, 200, sink);
      sink.push({ path: p + url.search, headers: req.headers, body: body.toString("utf8") });
      return sendJson(res, 200, { ok: true });
    }
    if (p === "/__fake/calls" && req.method === "POST") {
      const c = json<{
        apiKey: string;
        from: string;
        to: string;
        direction?: FakeCall["direction"];
        state?: FakeCall["state"];
      }>();
      const a = accounts.get(c.apiKey);
      if (!a) return sendJson(res, 400, { error: `no account with apiKey ${c.apiKey}` });
      const call = newCall(a, {
        from: c.from,
        to: c.to,
        ...(c.direction ? { direction: c.direction } : {}),
        ...(c.state ? { state: c.state } : {}),
      });
      calls.set(call.call_control_id, call);
      return sendJson(res, 201, call);
    }
    const callM = m(/^\/__fake\/calls\/(.+)$/);
    if (callM) {
      const call = calls.get(decodeURIComponent(callM[1]!));
      if (!call) return notFound(res, `no call ${callM[1]}`);
      if (req.method === "POST") Object.assign(call, json<Partial<FakeCall>>());
      return sendJson(res, 200, call);
    }
    if (p === "/__fake/commands")
      return sendJson(
        res,
        200,
        commands.filter((c) => c.apiKey === url.searchParams.get("apiKey")),
      );
    if (p === "/__fake/fail" && req.method === "POST") {
      const f = json<Failure>();
      failures.push({ ...f, times: f.times ?? 1 });
      return sendJson(res, 201, { ok: true });
    }
    if (p === "/__fake/recordings" && (req.method === "POST" || req.method === "PUT")) {
      const r =
        req.method === "PUT"
          ? newRecording({ chunked: url.searchParams.get("chunked") === "1" }, body, req.headers["content-type"])
          : newRecording(json<RecordingSpec>());
      recordings.set(r.name, r);
      return sendJson(res, 201, { name: r.name, url: presignedUrl(origin, r), bytes: r.body.length });
    }
    if (p === "/__fake/recordings/expire" && req.method === "POST") {
      const r = recordings.get(json<{ name: string }>().name);
      if (!r) return notFound(res, "no such recording");
      r.expired = true;
      return sendJson(res, 200, { ok: true });
    }
    if (p === "/__fake/recordings" && req.method === "GET") {
      const r = recordings.get(url.searchParams.get("name") ?? "");
      return r ? sendJson(res, 200, { downloads: r.downloads }) : notFound(res, "no such recording");
    }
    if (p === "/__fake/streams" && req.method === "POST") {
      const s = player.newSession(json<player.StreamSpec>());
      sessions.set(s.id, s);
      if (s.spec.url)
        await player
          .dialOut(s)
          .catch((e: Error) => s.rejected.push({ frame: "", reason: `dial failed: ${e.message}` }));
      return sendJson(res, 201, {
        id: s.id,
        streamId: s.streamId,
        socketUrl: `${origin.replace(/^http/, "ws")}/__fake/streams/${s.id}/socket`,
        state: s.state,
      });
    }
    const streamM = m(/^\/__fake\/streams\/([0-9a-f-]+)(?:\/(media|dtmf|raw|play|stop))?$/);
    const s = streamM ? sessions.get(streamM[1]!) : undefined;
    if (streamM && !s) return notFound(res, `no stream ${streamM[1]}`);
    if (s && !streamM![2] && req.method === "GET") return sendJson(res, 200, player.view(s));
    if (s && req.method === "POST") {
      const b = json<Parameters<typeof player.playMedia>[1] & { digit?: string; frame?: string }>();
      const sent = streamM![2] === "media" ? player.playMedia(s, b) : undefined;
      if (streamM![2] === "dtmf") player.dtmf(s, String(b.digit));
      if (streamM![2] === "raw") player.send(s, String(b.frame));
      if (streamM![2] === "play") player.play(s);
      if (streamM![2] === "stop") player.stop(s);
      return sendJson(res, 200, { ...player.view(s), sent });
    }
    return notFound(res, `unknown control ${req.method} ${p}`);
  }

  const fake = await listen(
    async (req, res) => {
      const url = new URL(req.url ?? "/", "http://fake");
      const body = await readBody(req);
      if (url.pathname.startsWith("/__fake/")) return control(req, res, url, body);
      if (url.pathname.startsWith(`/${BUCKET}/`)) return serveRecording(req, res, url, recordings);
      if (url.pathname.startsWith("/v2/")) return handleApi(state, req, res, url, body);
      return notFound(res, `no route ${req.method} ${url.pathname}`);
    },
    { port },
  );
  origin = fake.url;

  fake.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const s = sessions.get(/^\/__fake\/streams\/([0-9a-f-]+)\/socket$/.exec(path)?.[1] ?? "");
    if (s && s.state === "waiting") return wss.handleUpgrade(req, socket, head, (ws) => player.attach(s, ws));
    if (path === "/__fake/echo")
      return wss.handleUpgrade(req, socket, head, (ws: WebSocket) =>
        ws.on("message", (d) => echoMedia(ws, d.toString())),
      );
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  });
  return {
    ...fake,
    close: () => {
      for (const c of wss.clients) c.terminate();
      return fake.close();
    },
  };
}
