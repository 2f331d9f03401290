import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { eventually, TwilioStreamClient } from "./stream-client";
import { assistantTenant, callStub, realtimeState, recordingOfCall } from "./live-helpers";
import { startCall, twilioDriver } from "./drivers";

describe("object restart mid-call", () => {
  it("loses no acknowledged audio: abort, reconnect, finalize, compare sample counts", async () => {
    const t = await assistantTenant({ welcome: "Hi, Acme here." });
    const { tc, stub, callSid, parameters, callId } = await startCall(twilioDriver, t);
    await tc.until(() => tc.of("media").length === 2, "the greeting");
    for (let i = 0; i < 60; i++) tc.media(0x31);
    // Acknowledged = in the object's SQLite storage.
    await eventually(
      () => stub.stats(),
      (s) => Number(s.recordedChunks) >= 62,
      "60 caller frames stored",
    );

    await runInDurableObject(stub, (_obj, state) => state.abort("simulated restart")).catch(() => undefined);
    await tc.until(() => tc.closed !== null, "the old stream to die");

    // Twilio's stream comes back to the same call's object, which resumes from its storage.
    const tc2 = await TwilioStreamClient.connect(`/streams/${callSid}`, callSid);
    tc2.start(t.accountSid, parameters);
    for (let i = 0; i < 40; i++) tc2.media(0x32);
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections.length === 2 && s.connections[1]!.appends === 40,
      "the resumed bridge",
    );
    tc2.stop(t.accountSid);
    await eventually(
      () => getCall(env.DB, t.customerId, callId),
      (c) => c?.state === "Completed",
      "the call to close",
    );

    const rec = await recordingOfCall(t.customerId, callId);
    expect(rec?.left).toBe(100 * 160);
    expect(rec?.right).toBe(2 * 800); // the greeting, once
    const st = await realtimeState(t.openaiKey!);
    expect(st.connections.flatMap((c) => c.events).filter((e) => e.type === "response.create")).toHaveLength(1);
  });
});

describe("object restart, then silence", () => {
  it("ends a call whose stream never comes back by the alarm, counting the silence from the audio stored", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, callSid, callId } = await startCall(twilioDriver, t);
    for (let i = 0; i < 3; i++) tc.media(); // 60 ms of audio, stored by the first batch's timer (0.2–2 s later)
    const sentAt = Date.now();
    await eventually(
      () => callStub(callSid).stats(),
      (s) => Number(s.recordedChunks) >= 3,
      "3 caller frames stored",
    );
    await runInDurableObject(callStub(callSid), (_obj, state) => state.abort("simulated restart")).catch(
      () => undefined,
    );
    await tc.until(() => tc.closed !== null, "the old stream to die");
    await new Promise((r) => setTimeout(r, Math.max(0, sentAt + 1500 - Date.now())));

    // The rebuilt object has no frame in memory: its call's last activity is where the stored audio ends (≥ 1.4 s
    // ago), not the moment it was rebuilt, so with a shorter silence timeout the first alarm ends the call.
    const stub = callStub(callSid); // a fresh stub: the old one saw the abort
    await stub.configure({ silenceTimeoutMs: 1000 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getCall(env.DB, t.customerId, callId))?.state).toBe("Completed");
    expect((await stub.stats()).ended).toBe(true);
    expect((await recordingOfCall(t.customerId, callId))?.left).toBe(3 * 160);
  });
});

describe("workerd #6774", () => {
  it("keeps the OpenAI socket open while a recording streams into R2 from the same object", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, stub } = await startCall(twilioDriver, t);
    for (let i = 0; i < 10; i++) tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 10,
      "frames",
    );
    // A streaming subrequest from the call's object, as a finalize does, finishing mid-call.
    await runInDurableObject(stub, async (_obj, _state) => {
      const { readable, writable } = new FixedLengthStream(4 * 1024 * 1024);
      const put = env.RECORDINGS.put(`probe/${crypto.randomUUID()}.bin`, readable);
      const w = writable.getWriter();
      for (let i = 0; i < 64; i++) await w.write(new Uint8Array(64 * 1024).fill(i));
      await w.close();
      await put;
    });
    for (let i = 0; i < 10; i++) tc.media();
    const st = await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => (s.connections[0]?.appends ?? 0) >= 20 || s.connections.length > 1,
      "frames after the upload",
    );
    expect(st.connections).toHaveLength(1);
    expect(st.connections[0]!.open).toBe(true);
    expect(st.connections[0]!.appends).toBe(20);
    tc.stop(t.accountSid);
  });
});
