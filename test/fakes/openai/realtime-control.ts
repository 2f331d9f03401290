import { readBody, sendJson } from "../http";
import type { RestHandler } from "./rest";
import { finishResponse, respond, speechStarted, userTurn } from "./realtime";
import { describe, keyState, type RealtimeScript, type Reply } from "./realtime-state";

/**
 * Test control of the fake realtime server, per API key:
 * - POST /__fake/realtime/script `{apiKey, ...RealtimeScript}` sets (replaces) the behaviour;
 * - GET /__fake/realtime/state?apiKey= lists its connections with what each received;
 * - POST /__fake/realtime/trigger `{apiKey, action, connection?, reply?}` acts on that (or the key's newest) open
 *   connection: `speech_started` (barge-in; `lateChunks` deltas of the reply follow it), `user_turn`, `respond`,
 *   `finish`, `drop` (close 1011) or `kill` (no close frame); `reply` (audio, transcript, maybe a function call) is
 *   what `user_turn` / `respond` answer with.
 */
export const handleRealtimeControl: RestHandler = async (req, res, url) => {
  if (!url.pathname.startsWith("/__fake/realtime/")) return false;
  const op = url.pathname.slice("/__fake/realtime/".length);
  if (op === "state" && req.method === "GET") {
    const ks = keyState(url.searchParams.get("apiKey") ?? "");
    sendJson(res, 200, { refused: ks.refused, connections: ks.connections.map(describe) });
    return true;
  }
  const body = JSON.parse((await readBody(req)).toString("utf8") || "{}") as {
    apiKey?: string;
    action?: string;
    connection?: number;
    reply?: Reply;
    lateChunks?: number;
  } & RealtimeScript;
  if (!body.apiKey) {
    sendJson(res, 400, { error: "fake realtime: apiKey is required" });
    return true;
  }
  const ks = keyState(body.apiKey);
  if (op === "script" && req.method === "POST") {
    const { apiKey: _k, action: _a, connection: _c, lateChunks: _l, ...script } = body;
    ks.script = script;
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (op === "trigger" && req.method === "POST") {
    const c = [...ks.connections]
      .reverse()
      .find((x) => x.open && (body.connection === undefined || x.id === body.connection));
    if (!c) {
      sendJson(res, 409, { error: "fake realtime: no open connection for this key" });
      return true;
    }
    const atBytes = c.audioBytes;
    switch (body.action) {
      case "speech_started":
        speechStarted(c, `item_user_${c.id}_${++c.seq}`, atBytes, body.lateChunks ?? 0);
        break;
      case "user_turn":
        userTurn(ks, c, atBytes, body.reply);
        break;
      case "respond":
        respond(ks, c, body.reply);
        break;
      case "finish":
        finishResponse(c, "completed");
        break;
      case "drop":
        c.ws.close(1011, "scripted drop");
        break;
      case "kill":
        c.ws.terminate();
        break;
      default:
        sendJson(res, 400, { error: `fake realtime: unknown action ${body.action}` });
        return true;
    }
    sendJson(res, 200, { ok: true, connection: c.id });
    return true;
  }
  sendJson(res, 404, { error: `fake realtime: unknown control ${req.method} ${url.pathname}` });
  return true;
};
