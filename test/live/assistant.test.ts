import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { listSegments } from "../../src/db/transcripts";
import { api, json } from "../helpers";
import { answeringDrivers } from "./drivers";
import {
  assistantTenant,
  b64Concat,
  callStub,
  newCallSid,
  parseStreamTwiml,
  postTwilio,
  realtimeScript,
  realtimeState,
  recordingOfCall,
} from "./live-helpers";
import { eventually, TwilioStreamClient } from "./stream-client";

describe.each(answeringDrivers)("AI assistant call on $carrier (docs/live-calls.md)", (driver) => {
  it("answers with a stream, opens OpenAI before the stream starts, greets, bridges and records the call", async () => {
    const t = await assistantTenant({ welcome: "Welcome to Acme, how can I help?" });
    const key = t.openaiKey!;
    await realtimeScript(key, {
      reply: { chunks: 3, chunkBytes: 800, transcript: "Welcome to Acme, how can I help?" },
    });
    const caller = "+32470111222";
    const answered = await driver.answerAssistantCall(t, caller);
    const callSid = answered.key;
    expect(answered.parameters).toMatchObject({
      To: t.assistantNumber,
      From: caller,
      Mode: "assistant",
      AssistantId: String(t.assistantId),
    });

    // The webhook already opened the realtime session: configured, and asked to speak first.
    const opened = await eventually(
      () => realtimeState(key),
      (s) => s.connections.some((c) => c.events.some((e) => e.type === "response.create")),
      "the realtime session",
    );
    const conn = opened.connections[0]!;
    expect(conn.session?.instructions).toContain("front desk of Acme");
    expect(conn.session?.audio?.output?.voice).toBe("cedar");

    const call = await getCall(env.DB, t.customerId, answered.parameters.CallId!);
    expect(call).toMatchObject({
      mode: "assistant",
      carrier: driver.carrier,
      call_sid: callSid,
      direction: "Inbound",
      assistant_id: t.assistantId,
      from_number: caller,
    });
    expect(call?.ticket_id).toBeTypeOf("number");

    const tc = await answered.connect();
    tc.start(t.accountSid, answered.parameters);
    // The greeting generated before the stream started arrives now, each chunk followed by its mark.
    await tc.until(() => tc.of("media").length === 3 && tc.of("mark").length === 3, "the greeting");
    expect(tc.received.map((m) => m.event)).toEqual(["media", "mark", "media", "mark", "media", "mark"]);
    expect(tc.of("media").every((m) => m.streamSid === tc.streamSid)).toBe(true);

    const sent = Array.from({ length: 25 }, (_, i) => tc.media(i % 2 ? 0x10 : 0x90));
    const after = await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]!.appends === 25,
      "25 appends",
    );
    expect(after.connections[0]!.audioBase64).toBe(b64Concat(sent));

    tc.stop(t.accountSid);
    const ended = await eventually(
      () => getCall(env.DB, t.customerId, call!.id),
      (c) => c?.state === "Completed",
      "the call record to close",
    );
    expect(ended?.end_time).toBeTruthy();
    expect(ended?.talk_time_seconds).toBeGreaterThanOrEqual(0);
    expect(ended?.duration_seconds).toBeGreaterThanOrEqual(0);
    await tc.until(() => tc.closed !== null, "the stream to close");

    const segments = await listSegments(env.DB, t.customerId, call!.id);
    expect(segments.map((s) => [s.sender_type, s.text])).toContainEqual(["AI", "Welcome to Acme, how can I help?"]);
    const ticket = await json<{ messages: { senderType: string; text: string }[] }>(
      await api(`/api/tickets/${call!.ticket_id}`, { token: t.token }),
    );
    expect(ticket.messages.map((m) => m.text)).toContain("Welcome to Acme, how can I help?");
    // The stereo recording: every caller sample on the left, every assistant sample on the right.
    const rec = await recordingOfCall(t.customerId, call!.id);
    expect(rec?.row).toMatchObject({ source: "live", call_id: call!.id, ticket_id: call!.ticket_id, channels: 2 });
    expect(rec?.left).toBe(25 * 160);
    expect(rec?.right).toBe(3 * 800);
    expect((await callStub(callSid).stats()).recordingId).toBe(rec?.row.id);
    // The OpenAI socket's close reaches the fake on its own connection: wait for it rather than race it.
    await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]!.open === false,
      "the OpenAI socket closed",
    );
    expect((await callStub(callSid).stats()).ended).toBe(true);
  });
});

describe("AI assistant call: Twilio's answer and media stream", () => {
  it("answers /twiml with TwiML that streams to /streams/{CallSid} and carries the call's parameters", async () => {
    const t = await assistantTenant();
    const callSid = newCallSid();
    const caller = "+32470111444";
    const res = await postTwilio(t, "/twiml", {
      CallSid: callSid,
      From: caller,
      To: t.assistantNumber,
      Direction: "inbound",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/xml/);
    const tw = parseStreamTwiml(await res.text());
    expect(tw.url).toBe(`wss://voicedesk.test/streams/${callSid}`);
    expect(tw.parameters).toMatchObject({
      To: t.assistantNumber,
      From: caller,
      Mode: "assistant",
      AssistantId: String(t.assistantId),
    });
    expect(tw.parameters.StreamToken).toMatch(/^\d{13}\.[0-9a-f]{64}$/);
    const call = await getCall(env.DB, t.customerId, tw.parameters.CallId!);
    expect(call).toMatchObject({ carrier: "twilio", call_sid: callSid });
  });

  it("refuses a stream whose StreamToken does not match", async () => {
    const t = await assistantTenant();
    const callSid = newCallSid();
    const res = await postTwilio(t, "/twiml", {
      CallSid: callSid,
      From: "+32470111333",
      To: t.assistantNumber,
      Direction: "inbound",
    });
    const tw = parseStreamTwiml(await res.text());
    const tc = await TwilioStreamClient.connect(tw.path, callSid);
    tc.start(t.accountSid, { ...tw.parameters, StreamToken: "0".repeat(64) });
    tc.media();
    await tc.until(() => tc.closed !== null, "the refusal");
    expect(tc.closed?.code).toBe(1008);
    expect(tc.of("media")).toHaveLength(0);
    expect((await callStub(callSid).stats()).rejectedStreams).toBe(1);
  });

  it("stores nothing for a socket that never proves itself", async () => {
    const callSid = newCallSid();
    const tc = await TwilioStreamClient.connect(`/streams/${callSid}`, callSid);
    tc.media();
    tc.send({ event: "stop", streamSid: tc.streamSid });
    await eventually(
      () => callStub(callSid).stats(),
      (s) => s.framesBeforeStart === 2,
      "the frames to be refused",
    );
    const stored = await runInDurableObject(callStub(callSid), (_o, state) => ({
      kv: [...state.storage.kv.list()].length,
      tables: state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
        .toArray().length,
    }));
    expect(stored).toEqual({ kv: 0, tables: 0 });
    tc.close();
  });
});
