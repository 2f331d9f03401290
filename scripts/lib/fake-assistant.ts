/**
 * The fake's `assistant` behaviour: a crude energy detector plays server VAD, and replies are a chime streamed as
 * `response.output_audio.delta` chunks with their transcript; cancel, truncate and barge-in act as the real
 * service does (protocols.md §6.4–6.6).
 */
import type { WebSocket } from "ws";
import { concatBytes, mulawRms, silence, tone } from "./mulaw";
import { baseSession, id, merge, parse, type FakeStats, type Json } from "./realtime-session";

const SPEECH_RMS = 700;
const CHIME = concatBytes([tone(180, 660), silence(40), tone(180, 880), silence(40), tone(360, 990), silence(200)]);
const CHUNK_BYTES = 800;

export function assistantSession(
  ws: WebSocket,
  model: string,
  stats: FakeStats,
  log: (l: string) => void,
  everyFrames: number,
): void {
  const send = (e: Json) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event_id: id("event"), ...e }));
  };
  const session = baseSession(model);
  let audioMs = 0;
  let speech: { itemId: string; startMs: number; quietMs: number } | null = null;
  let framesSinceReply = 0;
  let replies = 0;
  let lastItem: string | null = null;
  let active: { id: string; itemId: string; timer: NodeJS.Timeout } | null = null;
  const producedMs = new Map<string, number>();
  const error = (message: string, code: string, eventId?: unknown) => {
    stats.errors++;
    log(`error sent: ${message}`);
    send({
      type: "error",
      error: { type: "invalid_request_error", code, message, param: null, event_id: eventId ?? null },
    });
  };
  const vad = () => (session.audio as Json).input as Json;
  const turn = () => (vad().turn_detection as Json | null) ?? null;

  function respond(reason: string): void {
    if (active) return;
    replies++;
    framesSinceReply = 0;
    const rid = id("resp");
    const itemId = id("item");
    const transcript = `Fake assistant reply ${replies} (${reason}).`;
    const fmt = ((session.audio as Json).output as Json).format as Json;
    if (fmt?.type !== "audio/pcmu")
      log(`warning: output format is ${String(fmt?.type)}, but the fake speaks audio/pcmu only`);
    log(`response ${replies}: ${reason}`);
    const item = { id: itemId, type: "message", role: "assistant", status: "in_progress", content: [] };
    send({
      type: "response.created",
      response: { id: rid, object: "realtime.response", status: "in_progress", output: [] },
    });
    send({ type: "response.output_item.added", response_id: rid, output_index: 0, item });
    send({ type: "conversation.item.added", previous_item_id: lastItem, item });
    send({
      type: "response.content_part.added",
      response_id: rid,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      part: { type: "audio", transcript: "" },
    });
    send({
      type: "response.output_audio_transcript.delta",
      response_id: rid,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta: transcript,
    });
    lastItem = itemId;
    producedMs.set(itemId, 0);
    let offset = 0;
    // Faster than real time, as the real service streams: one 100 ms chunk every 20 ms.
    const timer = setInterval(() => {
      if (offset >= CHIME.length) return finish("completed");
      const chunk = CHIME.subarray(offset, offset + CHUNK_BYTES);
      offset += chunk.length;
      producedMs.set(itemId, offset / 8);
      stats.deltas++;
      send({
        type: "response.output_audio.delta",
        response_id: rid,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: Buffer.from(chunk).toString("base64"),
      });
    }, 20);
    active = { id: rid, itemId, timer };
    function finish(status: "completed" | "cancelled", why?: string): void {
      clearInterval(timer);
      active = null;
      const done = {
        id: itemId,
        type: "message",
        role: "assistant",
        status: status === "completed" ? "completed" : "incomplete",
        content: [{ type: "output_audio", transcript }],
      };
      send({
        type: "response.output_audio.done",
        response_id: rid,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
      });
      send({
        type: "response.output_audio_transcript.done",
        response_id: rid,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        transcript,
      });
      send({
        type: "response.content_part.done",
        response_id: rid,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: "audio", transcript },
      });
      send({ type: "response.output_item.done", response_id: rid, output_index: 0, item: done });
      send({ type: "conversation.item.done", item: done });
      send({
        type: "response.done",
        response: {
          id: rid,
          object: "realtime.response",
          status,
          status_details: why ? { type: status, reason: why } : null,
          output: [done],
        },
      });
    }
    cancelActive = (why) => finish("cancelled", why);
  }
  let cancelActive: (why: string) => void = () => {};

  function onAppend(audio: Buffer): void {
    stats.appends++;
    const ms = audio.length / 8;
    const td = turn();
    const loud = mulawRms(audio) > SPEECH_RMS;
    if (td && loud && !speech) {
      speech = { itemId: id("item"), startMs: audioMs, quietMs: 0 };
      log(`speech_started at ${audioMs} ms`);
      send({ type: "input_audio_buffer.speech_started", audio_start_ms: audioMs, item_id: speech.itemId });
      if (active && td.interrupt_response !== false) cancelActive("turn_detected");
    } else if (speech) {
      speech.quietMs = loud ? 0 : speech.quietMs + ms;
      const silenceMs = typeof td?.silence_duration_ms === "number" ? td.silence_duration_ms : 500;
      if (speech.quietMs >= silenceMs) {
        const s = speech;
        speech = null;
        const endMs = audioMs + ms;
        log(`speech_stopped at ${endMs} ms`);
        send({ type: "input_audio_buffer.speech_stopped", audio_end_ms: endMs, item_id: s.itemId });
        send({ type: "input_audio_buffer.committed", item_id: s.itemId, previous_item_id: lastItem });
        const userItem = {
          id: s.itemId,
          type: "message",
          role: "user",
          status: "completed",
          content: [{ type: "input_audio", transcript: null }],
        };
        send({ type: "conversation.item.added", previous_item_id: lastItem, item: userItem });
        send({ type: "conversation.item.done", previous_item_id: lastItem, item: userItem });
        lastItem = s.itemId;
        if ((vad().transcription as Json | null)?.model) {
          const transcript = `(${((endMs - s.startMs) / 1000).toFixed(1)} s of caller audio)`;
          send({
            type: "conversation.item.input_audio_transcription.completed",
            item_id: s.itemId,
            content_index: 0,
            transcript,
          });
        }
        if (td?.create_response !== false) respond("after the caller spoke");
      }
    }
    audioMs += ms;
    if (everyFrames > 0 && ++framesSinceReply >= everyFrames && !speech) respond(`every ${everyFrames} frames`);
  }

  send({ type: "session.created", session });
  ws.on("message", (data) => {
    const e = parse(data);
    if (!e || typeof e.type !== "string") return error("Invalid JSON or missing type", "invalid_json");
    switch (e.type) {
      case "session.update": {
        merge(session, (e.session as Json) ?? {});
        const a = session.audio as Json;
        log(
          `session.update: in=${String((((a.input as Json).format as Json) ?? {}).type)} out=${String((((a.output as Json).format as Json) ?? {}).type)} voice=${String((a.output as Json).voice)}`,
        );
        return send({ type: "session.updated", session });
      }
      case "input_audio_buffer.append":
        if (typeof e.audio !== "string")
          return error("Missing required parameter: 'audio'.", "missing_required_parameter", e.event_id);
        return onAppend(Buffer.from(e.audio, "base64"));
      case "input_audio_buffer.commit":
        return send({ type: "input_audio_buffer.committed", item_id: id("item"), previous_item_id: lastItem });
      case "input_audio_buffer.clear":
        speech = null;
        return send({ type: "input_audio_buffer.cleared" });
      case "conversation.item.create": {
        const item = { id: id("item"), status: "completed", ...((e.item as Json) ?? {}) };
        send({ type: "conversation.item.added", previous_item_id: lastItem, item });
        send({ type: "conversation.item.done", previous_item_id: lastItem, item });
        lastItem = item.id as string;
        return;
      }
      case "response.create":
        return respond("response.create");
      case "response.cancel":
        if (!active)
          return error("Cancellation failed: no active response found", "response_cancel_not_active", e.event_id);
        log("response.cancel");
        return cancelActive("client_cancelled");
      case "conversation.item.truncate": {
        const itemId = String(e.item_id);
        const end = Number(e.audio_end_ms);
        const have = producedMs.get(itemId);
        if (have === undefined) return error(`Item with item_id not found: ${itemId}`, "item_not_found", e.event_id);
        if (!(end >= 0) || end > have)
          return error(`Audio content of ${have}ms is already shorter than ${end}ms`, "invalid_value", e.event_id);
        log(`truncate ${itemId} at ${end} ms`);
        return send({
          type: "conversation.item.truncated",
          item_id: itemId,
          content_index: e.content_index ?? 0,
          audio_end_ms: end,
        });
      }
      default:
        return error(
          `Invalid value: '${e.type}'. Supported values are realtime client events.`,
          "invalid_value",
          e.event_id,
        );
    }
  });
  ws.on("close", (code, reason) => {
    if (active) clearInterval(active.timer);
    log(
      `realtime closed (${code}${reason.length ? ` ${reason.toString()}` : ""}) after ${(audioMs / 1000).toFixed(1)} s of caller audio, ${replies} replies`,
    );
  });
}
