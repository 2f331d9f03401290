import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { eventually } from "./stream-client";
import {
  assistantTenant,
  realtimeScript,
  realtimeState,
  recordingOfCall,
  twilioRequests,
  type AssistantTenant,
} from "./live-helpers";
import { startCall, twilioDriver } from "./drivers";

/** The TwiML our fallback sent to Twilio for `callSid`, once it has. */
async function redirectOf(t: AssistantTenant, callSid: string) {
  const reqs = await eventually(
    () => twilioRequests(t),
    (r) => r.some((x) => x.path.endsWith(`/Calls/${callSid}.json`) && x.method === "POST"),
    "the fallback redirect",
  );
  return reqs.find((x) => x.path.endsWith(`/Calls/${callSid}.json`))!.params.Twiml!;
}

const closed = (t: AssistantTenant, callId: string) =>
  eventually(
    () => getCall(env.DB, t.customerId, callId),
    (c) => c?.state === "Completed",
    "the call to be closed",
  );

describe("faults", () => {
  it("OpenAI refuses → apology and hang-up through Twilio REST; the recording is kept", async () => {
    const t = await assistantTenant({ aiFallback: "apology" });
    await realtimeScript(t.openaiKey!, { refuse: 5 });
    const { tc, callSid, callId } = await startCall(twilioDriver, t);
    const twiml = await redirectOf(t, callSid);
    expect(twiml).toMatch(/<Say>[^<]*sorry[^<]*<\/Say><Hangup\/>/i);
    for (let i = 0; i < 10; i++) tc.media();
    tc.stop(t.accountSid);
    const call = await closed(t, callId);
    expect(call?.outcome).toBe("ai_fallback:apology");
    expect((await recordingOfCall(t.customerId, callId))?.left).toBe(10 * 160);
    expect((await realtimeState(t.openaiKey!)).refused).toBeGreaterThanOrEqual(1);
  });

  it("OpenAI refuses and the tenant's fallback is 'dial' → the caller is handed to the number's rep", async () => {
    const t = await assistantTenant({ aiFallback: "dial" });
    await realtimeScript(t.openaiKey!, { refuse: 5 });
    const { tc, callSid } = await startCall(twilioDriver, t);
    expect(await redirectOf(t, callSid)).toContain(`<Client>${t.repIdentity}</Client>`);
    tc.stop(t.accountSid);
  });

  it("a tenant without an OpenAI key gets the fallback at once", async () => {
    const t = await assistantTenant({ aiFallback: "apology", openai: false });
    const { tc, callSid } = await startCall(twilioDriver, t);
    expect(await redirectOf(t, callSid)).toContain("<Hangup/>");
    tc.stop(t.accountSid);
  });

  it("OpenAI drops mid-call and will not take us back → fallback, with the audio before and after kept", async () => {
    const t = await assistantTenant({ welcome: null, aiFallback: "apology" });
    await realtimeScript(t.openaiKey!, { dropAfterAppends: 10, refuse: 0 });
    const { tc, callSid, callId } = await startCall(twilioDriver, t);
    for (let i = 0; i < 5; i++) tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 5,
      "first frames",
    );
    await realtimeScript(t.openaiKey!, { dropAfterAppends: 10, refuse: 5 }); // the reopen will be refused
    for (let i = 0; i < 10; i++) tc.media();
    expect(await redirectOf(t, callSid)).toContain("<Hangup/>");
    for (let i = 0; i < 5; i++) tc.media();
    tc.stop(t.accountSid);
    await closed(t, callId);
    expect((await recordingOfCall(t.customerId, callId))?.left).toBe(20 * 160);
  });

  it("OpenAI drops once → the session is reopened and the call goes on", async () => {
    const t = await assistantTenant({ welcome: null, aiFallback: "apology" });
    await realtimeScript(t.openaiKey!, { dropAfterAppends: 5 });
    const { tc, stub } = await startCall(twilioDriver, t);
    for (let i = 0; i < 5; i++) tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections.length === 2 && s.connections[1]!.open,
      "a reopened session",
    );
    for (let i = 0; i < 4; i++) tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[1]!.appends === 4,
      "audio on the new session",
    );
    expect((await stub.stats()).fallback).toBeNull();
    tc.stop(t.accountSid);
  });

  it("OpenAI drops once → the reopened session carries the conversation so far", async () => {
    const t = await assistantTenant({ welcome: null, aiFallback: "apology" });
    const key = t.openaiKey!;
    await realtimeScript(key, {
      speechAfterBytes: 320,
      userTranscript: "My parcel never arrived",
      reply: { chunks: 1, chunkBytes: 160, transcript: "Let me look that up." },
      dropAfterAppends: 5,
    });
    const { tc, stub } = await startCall(twilioDriver, t);
    for (let i = 0; i < 5; i++) tc.media();
    const st = await eventually(
      () => realtimeState(key),
      (s) => s.connections.length === 2 && s.connections[1]!.session !== null,
      "a reopened session",
    );
    const instructions = st.connections[1]!.session?.instructions;
    expect(instructions).toContain("You are the front desk of Acme.");
    expect(instructions).toContain("Caller: My parcel never arrived");
    expect(instructions).toContain("Assistant: Let me look that up.");
    expect(st.connections[1]!.events.map((e) => e.type)).not.toContain("response.create");
    expect((await stub.stats()).fallback).toBeNull();
    tc.stop(t.accountSid);
  });

  it("Twilio's socket drops without a stop → the call is finalized", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, callId } = await startCall(twilioDriver, t);
    for (let i = 0; i < 7; i++) tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 7,
      "frames",
    );
    tc.close();
    await closed(t, callId);
    expect((await recordingOfCall(t.customerId, callId))?.left).toBe(7 * 160);
    // The OpenAI socket's close reaches the fake on its own connection: wait for it rather than race it.
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]!.open === false,
      "the OpenAI socket closed",
    );
  });

  it("garbage and oversized frames are ignored and counted; the call goes on", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, stub } = await startCall(twilioDriver, t);
    tc.send("not json");
    tc.send(JSON.stringify({ event: "media", media: { payload: 42 } }));
    tc.send(JSON.stringify({ event: "media", media: { timestamp: "0", payload: "x".repeat(100_000) } }));
    tc.ws.send(new Uint8Array([1, 2, 3]));
    tc.send(
      JSON.stringify({ event: "media", streamSid: tc.streamSid, media: { timestamp: "999", payload: "%%%notbase64" } }),
    );
    tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 2,
      "the frames after the garbage",
    );
    const stats = await stub.stats();
    expect(stats).toMatchObject({ badFrames: 3, oversizedFrames: 1 });
    tc.stop(t.accountSid);
  });

  it("a call that goes silent without a stop is ended by the alarm", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, stub, callId } = await startCall(twilioDriver, t, { configure: { silenceTimeoutMs: 300 } });
    for (let i = 0; i < 3; i++) tc.media();
    await eventually(
      () => stub.stats(),
      (s) => s.callerFrames === 3,
      "frames",
    );
    // No stop, no close: only the alarm (armed at start, 1 s at the earliest) can end it.
    const call = await closed(t, callId);
    expect(await runDurableObjectAlarm(stub)).toBe(false); // it ran and was not re-armed
    expect(call?.end_time).toBeTruthy();
    expect((await recordingOfCall(t.customerId, callId))?.left).toBe(3 * 160);
  });
});
