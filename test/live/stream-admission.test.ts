import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_FRAMES_BEFORE_START } from "../../src/live/media-socket";
import { streamToken, type StreamGrant } from "../../src/live/stream-token";
import { answeringDrivers, startCall, twilioDriver } from "./drivers";
import { assistantTenant, callStub, realtimeState } from "./live-helpers";
import { eventually, TwilioStreamClient } from "./stream-client";

const expiredToken = (g: StreamGrant) => streamToken(env, g, Date.now() - 1000);

describe.each(answeringDrivers)("media stream admission on $carrier", (driver) => {
  it("refuses a second socket for a leg that is streaming; the first keeps the call", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, stub, callSid, parameters } = await startCall(driver, t);
    tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 1,
      "the first frame",
    );
    const intruder = await driver.connect(callSid, callSid);
    intruder.start(t.accountSid, parameters);
    await intruder.until(() => intruder.closed !== null, "the refusal");
    expect(intruder.closed).toEqual({ code: 1008, reason: "this leg is already streaming" });
    expect((await stub.stats()).duplicateLegs).toBe(1);
    tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 2,
      "the first socket's next frame",
    );
    expect(tc.closed).toBeNull();
    tc.stop(t.accountSid);
  });

  it("refuses an expired token, another leg's or another call's token, for a leg that never streamed", async () => {
    const t = await assistantTenant({ welcome: null });
    const answered = await driver.answerAssistantCall(t, "+32470777001");
    const grant: StreamGrant = {
      customerId: t.customerId,
      key: answered.key,
      leg: "caller",
      callId: answered.parameters.CallId!,
    };
    const tokens = [
      await expiredToken(grant),
      await streamToken(env, { ...grant, leg: "receiver" }),
      await streamToken(env, { ...grant, callId: "vc_ffffffffffffffffffffffff" }),
    ];
    for (const StreamToken of tokens) {
      const tc = await answered.connect();
      tc.start(t.accountSid, { ...answered.parameters, StreamToken });
      await tc.until(() => tc.closed !== null, "the refusal");
      expect(tc.closed?.code).toBe(1008);
    }
    expect((await callStub(answered.key).stats()).rejectedStreams).toBe(3);
    // the webhook's own token still opens the call
    const tc = await answered.connect();
    tc.start(t.accountSid, answered.parameters);
    tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 1,
      "the admitted stream",
    );
    tc.stop(t.accountSid);
  });

  it("closes an unauthenticated socket that keeps talking without a start, and stores nothing", async () => {
    const t = await assistantTenant({ welcome: null });
    const answered = await driver.answerAssistantCall(t, "+32470777002");
    const flood = await answered.connect();
    for (let i = 0; i <= MAX_FRAMES_BEFORE_START; i++) flood.media();
    await flood.until(() => flood.closed !== null, "the flood to be cut");
    expect(flood.closed).toEqual({ code: 1008, reason: "too many frames before start" });
    expect((await callStub(answered.key).stats()).floodedSockets).toBe(1);
    // a carrier's few frames before its start are fine (Twilio's client adds its `connected` greeting)
    const tc = await answered.connect();
    for (let i = 0; i < MAX_FRAMES_BEFORE_START - 1; i++) tc.media();
    tc.start(t.accountSid, answered.parameters);
    tc.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections[0]?.appends === 1,
      "the stream after its greeting",
    );
    expect(tc.closed).toBeNull();
    tc.stop(t.accountSid);
  });
});

describe("a leg that already streamed", () => {
  it("comes back after an object restart even though its token has expired meanwhile", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, stub, callSid, parameters, callId } = await startCall(twilioDriver, t);
    tc.media();
    await eventually(
      () => stub.stats(),
      (s) => Number(s.recordedChunks) >= 1,
      "a stored frame",
    );
    await runInDurableObject(stub, (_obj, state) => state.abort("simulated restart")).catch(() => undefined);
    await tc.until(() => tc.closed !== null, "the old stream to die");

    const grant: StreamGrant = { customerId: t.customerId, key: callSid, leg: "caller", callId };
    const tc2 = await TwilioStreamClient.connect(`/streams/${callSid}`, callSid);
    tc2.start(t.accountSid, { ...parameters, StreamToken: await expiredToken(grant) });
    tc2.media();
    await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections.length === 2 && s.connections[1]!.appends === 1,
      "the resumed bridge",
    );
    expect(tc2.closed).toBeNull();
    // …but not the receiver leg of the same call, which never streamed
    const rx = await TwilioStreamClient.connect(`/streams/${callSid}`, "CA0");
    rx.start(t.accountSid, {
      ...parameters,
      Leg: "receiver",
      StreamToken: await expiredToken({ ...grant, leg: "receiver" }),
    });
    await rx.until(() => rx.closed !== null, "the refusal");
    expect(rx.closed?.code).toBe(1008);
    tc2.stop(t.accountSid);
  });
});
