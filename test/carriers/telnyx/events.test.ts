import { describe, expect, it } from "vitest";
import { parseTelnyxEvent, type TelnyxEvent, type TelnyxEventType } from "../../../src/carriers/telnyx/events";
import { newTelnyxAccount, telnyxFake } from "./helpers";

/** Payloads shaped like the examples in Telnyx's docs and the telnyx SDK's webhook types (docs/telnyx.md). */
const leg = {
  call_control_id: "v3:2EC-70CTEjlUq3tDM0CxKXIt5-5N4iP4wo7_-PfH-qub97Sk4EqO5w",
  call_leg_id: "b0e6224c-c81c-11f0-afbb-02420aef93a0",
  call_session_id: "b0e6141e-c81c-11f0-abac-02420aef93a0",
  connection_id: "2811212257810187875",
  client_state: null,
  from: "+18124040851",
  to: "+13057864498",
  start_time: "2025-11-23T03:30:00.076316Z",
};

function delivery(eventType: string, payload: unknown, extra: Record<string, unknown> = {}) {
  return {
    data: {
      event_type: eventType,
      id: "b97d4d5e-6fe7-4432-911f-79637bf6ebb7",
      occurred_at: "2025-11-23T03:30:00.076316Z",
      payload,
      record_type: "event",
      ...extra,
    },
    meta: { attempt: 2, delivered_to: "https://voicedesk.test/api/webhooks/telnyx/voice" },
  };
}

function parsed<T extends TelnyxEventType>(type: T, payload: unknown) {
  const r = parseTelnyxEvent(delivery(type, payload));
  if (!r.ok) throw new Error(`did not parse: ${JSON.stringify(r.issues)}`);
  expect(r.event.type).toBe(type);
  return r.event as Extract<TelnyxEvent, { type: T }>;
}

const issuesOf = (body: unknown) => {
  const r = parseTelnyxEvent(body);
  if (r.ok) throw new Error(`parsed: ${JSON.stringify(r.event)}`);
  return r.issues.map((i) => i.path);
};

describe("Telnyx call events", () => {
  it("call.initiated: the delivery's id, time and attempt, the leg, and unknown fields dropped", () => {
    const e = parsed("call.initiated", {
      ...leg,
      direction: "incoming",
      state: "parked",
      caller_id_name: "+18124040851",
      connection_codecs: "PCMA,PCMU,VP8,H264",
      from_sip_uri: "8124040851@206.147.72.186:5060",
    });
    expect(e).toMatchObject({ id: "b97d4d5e-6fe7-4432-911f-79637bf6ebb7", attempt: 2 });
    expect(e.occurredAt).toBe("2025-11-23T03:30:00.076316Z");
    expect(e.payload).toMatchObject({
      call_control_id: leg.call_control_id,
      direction: "incoming",
      client_state: null,
    });
    expect(e.payload).not.toHaveProperty("from_sip_uri");
  });

  it("call.answered and call.hangup (with its cause and source)", () => {
    expect(parsed("call.answered", { ...leg, codec: "PCMU", sampling_rate: 8000 }).payload.call_leg_id).toBe(
      leg.call_leg_id,
    );
    const h = parsed("call.hangup", {
      ...leg,
      hangup_cause: "normal_clearing",
      hangup_source: "caller",
      sip_hangup_cause: "200",
      call_quality_stats: { inbound: { mos: "4.5" } },
    });
    expect(h.payload).toMatchObject({ hangup_cause: "normal_clearing", hangup_source: "caller" });
  });

  it("call.recording.saved: channels and URLs, with or without a call_control_id", () => {
    const urls = { wav: "https://s3.amazonaws.com/telephony-recorder-prod/a/b.wav?X-Amz-Signature=x", mp3: null };
    const { call_control_id: _, ...noControlId } = leg;
    const r = parsed("call.recording.saved", { ...noControlId, channels: "dual", recording_urls: urls });
    expect(r.payload).toMatchObject({ channels: "dual", recording_urls: urls });
    expect(r.payload.call_control_id).toBeUndefined();
    expect(parsed("call.recording.saved", { ...leg, recording_urls: urls }).payload.channels).toBe("single");
  });

  it("a call event needs only its call_control_id: no connection_id (the tenant is found by a number) or leg id", () => {
    const { connection_id: _c, call_leg_id: _l, ...bare } = leg;
    for (const type of ["call.initiated", "call.answered", "call.hangup", "call.speak.ended"] as const) {
      const e = parsed(type, { ...bare, direction: "incoming" });
      expect(e.payload, type).toMatchObject({ call_control_id: leg.call_control_id, from: leg.from });
      expect(e.payload.connection_id, type).toBeUndefined();
      expect(e.payload.call_leg_id, type).toBeUndefined();
    }
    const nulls = parsed("call.hangup", { ...leg, connection_id: null, call_leg_id: null, call_session_id: null });
    expect(nulls.payload).toMatchObject({ connection_id: null, call_leg_id: null });
  });

  it("call.recording.saved: no connection_id, and no call_leg_id when recording_id and another call id say it", () => {
    const urls = { wav: "https://s3.amazonaws.com/telephony-recorder-prod/a/b.wav", mp3: null };
    const { connection_id: _c, call_leg_id: _l, ...bare } = leg;
    const { call_control_id: _x, ...bySession } = bare;
    const { call_session_id: _y, ...byControl } = bare;
    expect(
      parsed("call.recording.saved", { ...leg, connection_id: undefined, recording_urls: urls }).payload,
    ).toMatchObject({
      call_leg_id: leg.call_leg_id,
    });
    for (const ids of [bare, bySession, byControl])
      expect(
        parsed("call.recording.saved", { ...ids, recording_id: "r-1", recording_urls: urls }).payload,
      ).toMatchObject({
        recording_id: "r-1",
      });
    // Neither the recording nor the leg named (the copy would have no name), or the recording but not the call.
    expect(issuesOf(delivery("call.recording.saved", { ...bare, recording_urls: urls }))).toEqual([
      "data.payload.call_leg_id",
    ]);
    expect(issuesOf(delivery("call.recording.saved", { recording_id: "r-1", recording_urls: urls }))).toEqual([
      "data.payload.call_leg_id",
    ]);
  });

  it("an event type not handled is `unknown`, whatever its payload", () => {
    const r = parseTelnyxEvent(delivery("call.bridged", { anything: [1, 2] }));
    expect(r).toEqual({
      ok: true,
      event: {
        type: "unknown",
        eventType: "call.bridged",
        id: expect.any(String),
        occurredAt: expect.any(String),
        attempt: 2,
      },
    });
  });

  it("a malformed envelope or handled payload fails, naming each field", () => {
    expect(issuesOf(null)).toEqual(["(root)"]);
    expect(issuesOf({ meta: {} })).toEqual(["data"]);
    const { id: _, ...noId } = delivery("call.answered", leg).data;
    expect(issuesOf({ data: noId })).toEqual(["data.id"]);
    expect(issuesOf(delivery("call.answered", leg, { occurred_at: "yesterday" }))).toEqual(["data.occurred_at"]);
    expect(issuesOf(delivery("call.answered", "not an object"))).toEqual(["data.payload"]);
    expect(issuesOf(delivery("call.answered", { ...leg, call_control_id: undefined }))).toEqual([
      "data.payload.call_control_id",
    ]);
    expect(issuesOf(delivery("call.initiated", { ...leg, from: undefined, direction: 1 }))).toEqual([
      "data.payload.from",
      "data.payload.direction",
    ]);
    expect(
      issuesOf(delivery("call.recording.saved", { ...leg, recording_urls: { wav: "file:///etc/passwd" } })),
    ).toEqual(["data.payload.recording_urls.wav"]);
    expect(issuesOf(delivery("call.recording.saved", { ...leg, channels: "stereo", recording_urls: {} }))).toEqual([
      "data.payload.channels",
    ]);
  });

  it("parses the envelope the fake Telnyx signs (the fake and the parser agree)", async () => {
    const a = await newTelnyxAccount();
    const d = await telnyxFake<{ body: string }>("/webhooks/sign", {
      apiKey: a.apiKey,
      event: { eventType: "call.hangup", payload: { ...leg, hangup_cause: "timeout" } },
    });
    const r = parseTelnyxEvent(JSON.parse(d.body));
    expect(r.ok && r.event.type === "call.hangup" && r.event.payload.hangup_cause).toBe("timeout");
  });
});

describe("Telnyx AI assistant events (assumed shapes, docs/telnyx.md)", () => {
  const ids = { call_control_id: leg.call_control_id, conversation_id: "c-1", assistant_id: "assistant-9" };

  it("ai.assistant.transcript: role and text, with the aliases Telnyx's other AI payloads use", () => {
    const user = parsed("ai.assistant.transcript", { ...ids, role: "user", text: "I need a refund", extra: 1 });
    expect(user.payload).toMatchObject({
      speaker: "user",
      text: "I need a refund",
      final: true,
      conversationId: "c-1",
    });
    expect(parsed("ai.assistant.transcript", { ...ids, role: "agent", transcript: "Sure" }).payload).toMatchObject({
      speaker: "assistant",
      text: "Sure",
    });
    const partial = parsed("ai.assistant.transcript", { ...ids, role: "user", content: "I ne", is_final: false });
    expect(partial.payload).toMatchObject({ text: "I ne", final: false });
    expect(parsed("ai.assistant.transcript", { ...ids, role: "system", text: "x" }).payload.speaker).toBe("other");
  });

  it("ai.assistant.response: the assistant's words", () => {
    const r = parsed("ai.assistant.response", { call_leg_id: leg.call_leg_id, text: "Your refund is on its way" });
    expect(r.payload).toMatchObject({ speaker: "assistant", callLegId: leg.call_leg_id, callControlId: null });
  });

  it("ai.assistant.tool_call: one call or several, arguments as text, success when Telnyx says", () => {
    const one = parsed("ai.assistant.tool_call", {
      ...ids,
      tool_call: { id: "call_1", type: "function", function: { name: "lookup_order", arguments: { order: 42 } } },
      status: "success",
    });
    expect(one.payload).toMatchObject({
      calls: [{ id: "call_1", name: "lookup_order", arguments: '{"order":42}' }],
      success: true,
    });
    const flat = parsed("ai.assistant.tool_call", {
      ...ids,
      name: "refund",
      arguments: "{}",
      error: { message: "no" },
    });
    expect(flat.payload).toMatchObject({ calls: [{ name: "refund", arguments: "{}" }], success: false });
    const many = parsed("ai.assistant.tool_call", {
      ...ids,
      tool_calls: [{ function: { name: "a" } }, { function: { name: "b", arguments: "{}" } }],
    });
    expect(many.payload.calls.map((c) => c.name)).toEqual(["a", "b"]);
    expect(many.payload.success).toBeNull();
    expect(parsed("ai.assistant.tool_call", { ...ids, name: "x", status: "FAILED" }).payload.success).toBe(false);
    expect(parsed("ai.assistant.tool_call", { ...ids, name: "x", success: true, error: "?" }).payload.success).toBe(
      true,
    );
  });

  it("ai.assistant.ended, and Telnyx's documented call.conversation.ended read the same way", () => {
    const p = { ...ids, reason: "user_hangup", duration_sec: 93, llm_model: "x" };
    expect(parsed("ai.assistant.ended", p).payload).toMatchObject({ reason: "user_hangup", durationSec: 93 });
    expect(parsed("call.conversation.ended", p).payload).toMatchObject({
      reason: "user_hangup",
      assistantId: "assistant-9",
    });
  });

  it("needs no connection_id, and takes a null id as none", () => {
    const p = parsed("ai.assistant.transcript", {
      call_control_id: null,
      call_leg_id: leg.call_leg_id,
      call_session_id: null,
      conversation_id: null,
      connection_id: null,
      role: "user",
      text: "hi",
    });
    expect(p.payload).toMatchObject({ callControlId: null, callLegId: leg.call_leg_id, conversationId: null });
    expect(parsed("ai.assistant.ended", { conversation_id: "c-2" }).payload.conversationId).toBe("c-2");
  });

  it("refuses only what no record can be written without: the call, the text, the tool", () => {
    expect(issuesOf(delivery("ai.assistant.transcript", { role: "user", text: "hi" }))).toEqual([
      "data.payload.call_control_id",
    ]);
    expect(issuesOf(delivery("ai.assistant.transcript", { ...ids, role: "user" }))).toEqual(["data.payload.text"]);
    expect(issuesOf(delivery("ai.assistant.tool_call", { ...ids, status: "success" }))).toEqual([
      "data.payload.tool_call",
    ]);
    expect(issuesOf(delivery("ai.assistant.tool_call", { ...ids, tool_call: { function: {} } }))).toEqual([
      "data.payload.tool_call.function.name",
    ]);
    expect(issuesOf(delivery("ai.assistant.ended", { ...ids, duration_sec: -1 }))).toEqual([
      "data.payload.duration_sec",
    ]);
  });
});
