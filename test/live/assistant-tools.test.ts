import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TRANSFER_MESSAGE } from "../../src/live/assistant-tools";
import { admin, api, json } from "../helpers";
import { answeringDrivers, controlActed, drivers, startCall, twilioDriver } from "./drivers";
import {
  assistantTenant,
  closedCall,
  playAll,
  realtimeReply,
  realtimeState,
  silentToolCall,
  toolCallsOf,
} from "./live-helpers";
import { eventually } from "./stream-client";

describe.each(answeringDrivers)("assistant tools on $carrier (docs/live-calls.md, Tools)", (driver) => {
  it("end_call: the goodbye plays out, then the carrier hangs up and the call is finalized as completed", async () => {
    const t = await assistantTenant({ welcome: null });
    const key = t.openaiKey!;
    const { tc, stub, callId, callSid } = await startCall(driver, t);
    const opened = await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]?.session?.tools !== undefined,
      "the session with its tools",
    );
    expect(opened.connections[0]!.session!.tools!.map((x) => x.name)).toEqual(["end_call", "transfer_to_human"]);

    for (let i = 0; i < 5; i++) tc.media();
    await realtimeReply(key, {
      chunks: 2,
      chunkBytes: 800,
      transcript: "Thanks for calling Acme, goodbye!",
      functionCall: { name: "end_call", arguments: '{"reason":"caller is done"}' },
    });
    await tc.until(() => tc.of("mark").length === 2, "the goodbye");
    // The hang-up waits for the carrier to confirm the goodbye played.
    await eventually(
      () => stub.stats(),
      (s) => s.awaitingPlayback === 1,
      "the hang-up to wait for playback",
    );
    expect(await driver.controlActions(t, callSid)).toEqual([]);
    playAll(tc);
    await controlActed(driver, t, callSid, "the hang-up");
    expect(await driver.controlActions(t, callSid)).toEqual([{ action: "hangup", ringing: false }]);

    // The engine ends the call itself: stream closed, recording kept, record closed with its outcome.
    await tc.until(() => tc.closed !== null, "the stream to close");
    const call = await closedCall(t, callId);
    expect(call?.outcome).toBe("completed");
    expect((await stub.stats()).recordingId).toMatch(/^rec_/);
    const rows = await toolCallsOf(t, callId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "end_call", success: 1, arguments: '{"reason":"caller is done"}' });
    expect(rows[0]!.latency_ms).toBeGreaterThanOrEqual(0);
    const fc = (await realtimeState(key)).connections[0]!.functionCalls;
    expect(fc.map((f) => [f.name, f.output && JSON.parse(f.output)])).toEqual([["end_call", { ending: true }]]);
  });

  it("the assistant's turn detection and noise reduction reach the session", async () => {
    const t = await assistantTenant({ welcome: null });
    await admin(`/customers/${t.customerId}/assistants/${t.assistantId}`, {
      method: "PATCH",
      json: { turnDetection: { type: "semantic_vad", eagerness: "low" }, noiseReduction: "near_field" },
    });
    const { tc } = await startCall(driver, t);
    // The fake accepts only a session the real API would (known VAD types and knobs, noise types).
    const st = await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.session !== null && s.connections[0]?.session !== undefined,
      "the session",
    );
    expect(st.connections[0]!.session!.audio!.input).toMatchObject({
      turn_detection: { type: "semantic_vad", eagerness: "low", create_response: true, interrupt_response: true },
      noise_reduction: { type: "near_field" },
    });
    tc.stop(t.accountSid);
  });

  it("end_call before any goodbye: the assistant is asked to say one (no tools), then the call is hung up", async () => {
    const t = await assistantTenant({ welcome: null });
    const key = t.openaiKey!;
    const { tc, callId, callSid } = await startCall(driver, t);
    await silentToolCall(key, "end_call");
    // The goodbye the engine asked for: the fake's default reply, two chunks.
    await tc.until(() => tc.of("mark").length === 2, "the goodbye");
    const events = (await realtimeState(key)).connections[0]!.events;
    const asked = events.filter((e) => e.type === "response.create").at(-1) as {
      response?: { instructions?: string; tool_choice?: string };
    };
    expect(asked.response?.tool_choice).toBe("none");
    expect(asked.response?.instructions).toMatch(/goodbye/i);
    playAll(tc);
    await controlActed(driver, t, callSid, "the hang-up");
    expect((await closedCall(t, callId))?.outcome).toBe("completed");
  });

  it("transfer_to_human to the assistant's configured number, with its own message", async () => {
    const t = await assistantTenant({ welcome: null });
    const patched = await admin(`/customers/${t.customerId}/assistants/${t.assistantId}`, {
      method: "PATCH",
      json: { transferNumber: "+32 2 555 01 99", transferMessage: "One moment, connecting you to our billing team." },
    });
    expect(patched.status).toBe(200);
    const { tc, callSid } = await startCall(driver, t);
    await silentToolCall(t.openaiKey!, "transfer_to_human");
    const actions = await controlActed(driver, t, callSid, "the transfer");
    expect(actions).toEqual([
      {
        action: "transfer",
        to: { kind: "number", number: "+3225550199" },
        announce: "One moment, connecting you to our billing team.",
      },
    ]);
    tc.stop(t.accountSid);
  });
});

// A rep's browser is a Twilio Voice SDK client: Telnyx cannot ring it (src/carriers/telnyx/control.ts).
describe.each(drivers)("assistant tools handing over to a rep's browser on $carrier", (driver) => {
  it("transfer_to_human: after the hand-over line plays, the carrier announces and rings the number's rep; one record, outcome transferred", async () => {
    const t = await assistantTenant({ welcome: null });
    const key = t.openaiKey!;
    const { tc, callId, callSid } = await startCall(driver, t);
    await realtimeReply(key, {
      chunks: 1,
      chunkBytes: 800,
      transcript: "Let me connect you with a colleague.",
      functionCall: { name: "transfer_to_human", arguments: '{"reason":"billing dispute"}' },
    });
    await tc.until(() => tc.of("mark").length === 1, "the hand-over line");
    playAll(tc);
    const actions = await controlActed(driver, t, callSid, "the transfer");
    expect(actions).toEqual([
      { action: "transfer", to: { kind: "rep", identity: t.repIdentity }, announce: TRANSFER_MESSAGE },
    ]);
    // The assistant has left the call.
    await eventually(
      () => realtimeState(key),
      (s) => !s.connections[0]!.open,
      "the realtime session to close",
    );
    // The carrier ends our media stream when it runs the transfer.
    for (let i = 0; i < 3; i++) tc.media();
    tc.stop(t.accountSid);
    const call = await closedCall(t, callId);
    expect(call?.outcome).toBe("transferred");
    const records = await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE customer_id = ?1 AND call_sid = ?2")
      .bind(t.customerId, callSid)
      .first<{ n: number }>();
    expect(records?.n).toBe(1);
    expect(await toolCallsOf(t, callId)).toMatchObject([
      { name: "transfer_to_human", success: 1, arguments: '{"reason":"billing dispute"}', error: null },
    ]);
  });
});

describe("assistant tools: what the model may not do", () => {
  it("a number nobody owns offers no transfer; a call to it anyway, or to an unknown tool, fails, is recorded and answered", async () => {
    const t = await assistantTenant({ welcome: null, owned: false });
    const key = t.openaiKey!;
    const { tc, callId, callSid } = await startCall(twilioDriver, t);
    const opened = await eventually(
      () => realtimeState(key),
      (s) => s.connections[0]?.session?.tools !== undefined,
      "the session with its tools",
    );
    expect(opened.connections[0]!.session!.tools!.map((x) => x.name)).toEqual(["end_call"]);
    await silentToolCall(key, "transfer_to_human");
    await silentToolCall(key, "launch_rocket", '{"to":"moon"}');
    // Each failure goes back to the model, which answers it (a response after each output).
    const st = await eventually(
      () => realtimeState(key),
      (s) =>
        s.connections[0]!.functionCalls.length === 2 &&
        s.connections[0]!.functionCalls.every((f) => f.output !== null) &&
        s.connections[0]!.events.filter((e) => e.type === "response.create").length === 2,
      "both outputs, each answered",
    );
    const outputs = st.connections[0]!.functionCalls.map((f) => JSON.parse(f.output!) as { error: string });
    expect(outputs[0]!.error).toMatch(/nobody is available/i);
    expect(outputs[1]!.error).toMatch(/no tool named launch_rocket/i);
    expect(await twilioDriver.controlActions(t, callSid)).toEqual([]);
    tc.stop(t.accountSid);
    await closedCall(t, callId);
    expect((await toolCallsOf(t, callId)).map((r) => [r.name, r.success, r.error])).toEqual([
      ["transfer_to_human", 0, "no transfer target"],
      ["launch_rocket", 0, "unknown tool"],
    ]);
    const detailed = await json<{ metrics: { tool_call_success_rate: number | null } }>(
      await api("/api/voice/analytics/detailed", { token: t.token }),
    );
    expect(detailed.metrics.tool_call_success_rate).toBe(0);
  });
});
