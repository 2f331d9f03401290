/**
 * The fake OpenAI Realtime WebSocket (`GET /v1/realtime?model=…`, `Upgrade: websocket`, Bearer key), speaking
 * the GA event names (protocols.md §6.4, §6.5). It insists on a valid session (realtime-session.ts: μ-law both
 * ways, known turn detection, well-formed tools), streams scripted replies — with function calls when scripted —,
 * takes each call's `function_call_output` once, validates truncates like the real API, and can refuse, drop or
 * be driven by a test.
 * Behaviour and recordings are per API key (realtime-state.ts); control is in realtime-control.ts.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData } from "ws";
import { mergeSession, sessionProblem } from "./realtime-session";
import { keyState, type Connection, type KeyState, type Reply } from "./realtime-state";

const wss = new WebSocketServer({ noServer: true });
let nextId = 1;

function refuse(socket: Duplex, status: number, message: string, code: string) {
  const body = JSON.stringify({ error: { message, type: "invalid_request_error", code, param: null } });
  socket.end(
    `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function handleRealtimeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? "/", "http://fake");
  const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (url.pathname !== "/v1/realtime")
    return refuse(socket, 404, `Unknown request URL: GET ${url.pathname}`, "unknown_url");
  if (!key) return refuse(socket, 401, "You didn't provide an API key.", "missing_api_key");
  const model = url.searchParams.get("model");
  if (!model) return refuse(socket, 400, "Missing required parameter: 'model'.", "missing_required_parameter");
  if (req.headers["openai-beta"])
    return refuse(socket, 400, "The GA API takes no OpenAI-Beta header.", "invalid_header");
  const ks = keyState(key);
  if ((ks.script.refuse ?? 0) > 0) {
    ks.script.refuse!--;
    ks.refused++;
    return refuse(socket, ks.script.refuseStatus ?? 401, "Incorrect API key provided.", "invalid_api_key");
  }
  const accept = () =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Connection = {
        id: nextId++,
        ws,
        model,
        open: true,
        closeCode: null,
        session: null,
        events: [],
        appends: 0,
        appendsBeforeSession: 0,
        audio: [],
        audioBytes: 0,
        items: new Map(),
        response: null,
        functionCalls: new Map(),
        spoke: false,
        seq: 0,
      };
      ks.connections.push(c);
      ws.on("message", (data: RawData) => onClientEvent(ks, c, data.toString()));
      ws.on("close", (code) => {
        c.open = false;
        c.closeCode = code;
      });
      send(c, {
        type: "session.created",
        session: { type: "realtime", model, object: "realtime.session", id: `sess_${c.id}` },
      });
    });
  if (ks.script.acceptDelayMs) setTimeout(accept, ks.script.acceptDelayMs);
  else accept();
}

export function send(c: Connection, event: Record<string, unknown>) {
  if (c.open) c.ws.send(JSON.stringify({ event_id: `event_${c.id}_${++c.seq}`, ...event }));
}

const error = (c: Connection, code: string, message: string, param: string | null = null) =>
  send(c, { type: "error", error: { type: "invalid_request_error", code, message, param, event_id: null } });

function onClientEvent(ks: KeyState, c: Connection, text: string) {
  let ev: Record<string, unknown>;
  try {
    ev = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return error(c, "invalid_json", "The server could not parse the event as JSON.");
  }
  const type = String(ev.type);
  if (type === "input_audio_buffer.append") return onAppend(ks, c, String(ev.audio ?? ""));
  c.events.push(ev as { type: string });
  switch (type) {
    case "session.update":
      return onSessionUpdate(c, ev.session as Record<string, unknown> | undefined);
    case "response.create":
      return respond(ks, c);
    case "response.cancel":
      if (!c.response) return error(c, "response_cancel_not_active", "Cancellation failed: no active response found.");
      return finishResponse(c, "cancelled");
    case "conversation.item.truncate": {
      const itemId = String(ev.item_id);
      const ms = Number(ev.audio_end_ms);
      const have = c.items.get(itemId);
      if (have === undefined) return error(c, "item_not_found", `Item with item_id not found: ${itemId}`, "item_id");
      if (!(ms >= 0) || ms > have / 8)
        return error(
          c,
          "invalid_value",
          `Audio content of ${have / 8}ms is already shorter than ${ms}ms`,
          "audio_end_ms",
        );
      c.items.set(itemId, ms * 8);
      return send(c, { type: "conversation.item.truncated", item_id: itemId, content_index: 0, audio_end_ms: ms });
    }
    case "conversation.item.create":
      return onItemCreate(c, ev.item);
    default:
      return error(c, "unknown_event", `Invalid value: '${type}'.`, "type");
  }
}

/** Only the fields present change; the resulting session must be valid, else nothing changes (an error). */
function onSessionUpdate(c: Connection, update: Record<string, unknown> | undefined) {
  const s = mergeSession(c.session, update ?? {});
  const p = sessionProblem(s);
  if (p) return error(c, p.code, p.message, p.param);
  c.session = s;
  send(c, { type: "session.updated", session: { ...s, object: "realtime.session", id: `sess_${c.id}` } });
}

/** A function's output must answer a call the model made, once, as text. Other items are acknowledged. */
function onItemCreate(c: Connection, item: unknown) {
  const it = (item ?? {}) as Record<string, unknown>;
  if (it.type === "function_call_output") {
    const call = c.functionCalls.get(String(it.call_id));
    if (!call)
      return error(
        c,
        "invalid_value",
        `Tool call ID '${String(it.call_id)}' not found in conversation.`,
        "item.call_id",
      );
    if (typeof it.output !== "string")
      return error(c, "invalid_type", "Invalid type for 'item.output'.", "item.output");
    if (call.output !== null)
      return error(c, "invalid_value", "This function call already has an output.", "item.call_id");
    call.output = it.output;
  }
  const added = { id: `item_in_${c.id}_${++c.seq}`, object: "realtime.item", ...it };
  send(c, { type: "conversation.item.added", item: added, previous_item_id: null });
  send(c, { type: "conversation.item.done", item: added, previous_item_id: null });
}

function onAppend(ks: KeyState, c: Connection, b64: string) {
  const bytes = Buffer.from(b64, "base64");
  c.appends++;
  if (!c.session) c.appendsBeforeSession++;
  c.audio.push(bytes);
  c.audioBytes += bytes.length;
  const s = ks.script;
  if (s.echo)
    send(c, {
      type: "response.output_audio.delta",
      response_id: `resp_echo_${c.id}`,
      item_id: `item_echo_${c.id}`,
      output_index: 0,
      content_index: 0,
      delta: b64,
    });
  if (s.dropAfterAppends !== undefined && c.appends >= s.dropAfterAppends) {
    delete s.dropAfterAppends;
    c.ws.close(1011, "scripted drop");
    return;
  }
  if (s.speechAfterBytes !== undefined && !c.spoke && c.audioBytes >= s.speechAfterBytes) {
    c.spoke = true;
    userTurn(ks, c, c.audioBytes);
  }
}

/** The caller spoke: what server VAD and input transcription report, then (create_response) a reply. */
export function userTurn(ks: KeyState, c: Connection, atBytes: number, reply?: Reply) {
  const itemId = `item_user_${c.id}_${++c.seq}`;
  speechStarted(c, itemId, atBytes);
  send(c, { type: "input_audio_buffer.speech_stopped", audio_end_ms: atBytes / 8, item_id: itemId });
  send(c, { type: "input_audio_buffer.committed", item_id: itemId, previous_item_id: null });
  send(c, {
    type: "conversation.item.input_audio_transcription.completed",
    item_id: itemId,
    content_index: 0,
    transcript: ks.script.userTranscript ?? "Hello?",
  });
  respond(ks, c, reply);
}

/**
 * speech_started; with interrupt_response the server itself cancels a reply in progress. `lateChunks` deltas of
 * that reply follow the event first (0x55 bytes), as audio the server had already sent when it heard the caller.
 */
export function speechStarted(c: Connection, itemId: string, atBytes: number, lateChunks = 0) {
  send(c, { type: "input_audio_buffer.speech_started", audio_start_ms: atBytes / 8, item_id: itemId });
  const r = c.response;
  for (let i = 0; r && i < lateChunks; i++) audioDelta(c, r, Buffer.alloc(800, 0x55));
  if (c.response) finishResponse(c, "cancelled");
}

/** One chunk of a reply's audio: counted into its item (truncates are checked against it) and sent. */
function audioDelta(c: Connection, r: { id: string; itemId: string }, audio: Buffer) {
  c.items.set(r.itemId, (c.items.get(r.itemId) ?? 0) + audio.length);
  send(c, {
    type: "response.output_audio.delta",
    response_id: r.id,
    item_id: r.itemId,
    output_index: 0,
    content_index: 0,
    delta: audio.toString("base64"),
  });
}

const DEFAULT_REPLY: Reply = { chunks: 2, chunkBytes: 800, transcript: "Hello, how can I help you?" };

export function respond(ks: KeyState, c: Connection, given?: Reply) {
  if (c.response)
    return error(
      c,
      "conversation_already_has_active_response",
      "Conversation already has an active response in progress.",
    );
  const reply = given ?? ks.script.replies?.shift() ?? ks.script.reply ?? DEFAULT_REPLY;
  const n = ++c.seq;
  const r = { id: `resp_${c.id}_${n}`, itemId: `item_ai_${c.id}_${n}`, output: [] as Record<string, unknown>[] };
  c.response = r;
  c.items.set(r.itemId, 0);
  send(c, {
    type: "response.created",
    response: { id: r.id, object: "realtime.response", status: "in_progress", output: [] },
  });
  for (let i = 0; i < reply.chunks; i++) audioDelta(c, r, Buffer.alloc(reply.chunkBytes, (0x10 + i) & 0xff));
  send(c, {
    type: "response.output_audio_transcript.delta",
    response_id: r.id,
    item_id: r.itemId,
    output_index: 0,
    content_index: 0,
    delta: reply.transcript,
  });
  send(c, {
    type: "response.output_audio_transcript.done",
    response_id: r.id,
    item_id: r.itemId,
    output_index: 0,
    content_index: 0,
    transcript: reply.transcript,
  });
  r.output.push({
    id: r.itemId,
    object: "realtime.item",
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_audio", transcript: reply.transcript }],
  });
  if (reply.functionCall) functionCall(c, reply.functionCall);
  if (!ks.script.holdResponses) finishResponse(c, "completed");
}

/** The model calls a function in the response in progress, with the events the GA API sends for it. */
function functionCall(c: Connection, fc: { name: string; arguments: string }) {
  const r = c.response!;
  const n = ++c.seq;
  const item = {
    id: `item_fc_${c.id}_${n}`,
    object: "realtime.item",
    type: "function_call",
    call_id: `call_${c.id}_${n}`,
  };
  const ids = { response_id: r.id, item_id: item.id, output_index: r.output.length, call_id: item.call_id };
  send(c, {
    type: "response.output_item.added",
    response_id: r.id,
    output_index: ids.output_index,
    item: { ...item, status: "in_progress", name: fc.name, arguments: "" },
  });
  send(c, { type: "response.function_call_arguments.delta", ...ids, delta: fc.arguments });
  send(c, { type: "response.function_call_arguments.done", ...ids, name: fc.name, arguments: fc.arguments });
  const done = { ...item, status: "completed", name: fc.name, arguments: fc.arguments };
  send(c, { type: "response.output_item.done", response_id: r.id, output_index: ids.output_index, item: done });
  r.output.push(done);
  c.functionCalls.set(item.call_id, { callId: item.call_id, name: fc.name, arguments: fc.arguments, output: null });
}

export function finishResponse(c: Connection, status: "completed" | "cancelled") {
  const r = c.response;
  if (!r) return;
  c.response = null;
  if (status === "completed")
    send(c, {
      type: "response.output_audio.done",
      response_id: r.id,
      item_id: r.itemId,
      output_index: 0,
      content_index: 0,
    });
  send(c, {
    type: "response.done",
    response: {
      id: r.id,
      object: "realtime.response",
      output: r.output,
      status,
      status_details: status === "cancelled" ? { type: "cancelled", reason: "turn_detected" } : null,
    },
  });
}
