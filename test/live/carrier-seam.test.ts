import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { connectMediaStream } from "../../src/live/entry";
import { APOLOGY } from "../../src/live/carrier-actions";
import { BASE } from "../helpers";
import { fakeCommands, fakeDriver, startCall } from "./drivers";
import { assistantTenant, callStub, realtimeScript, recordingOfCall, twilioRequests } from "./live-helpers";
import { eventually, TwilioStreamClient } from "./stream-client";

/** The engine acts through the call's own carrier, chosen from its record (docs/architecture.md). */
describe("the carrier seam", () => {
  it("falls back through the call's own carrier: an apology and hang-up on the test carrier, nothing sent to Twilio", async () => {
    const t = await assistantTenant({ aiFallback: "apology" });
    await realtimeScript(t.openaiKey!, { refuse: 5 });
    const { tc, callSid, callId } = await startCall(fakeDriver, t);
    const cmds = await eventually(
      () => fakeCommands(t),
      (c) => c.some((x) => x.action === "say-hangup"),
      "the fallback on the test carrier",
    );
    expect(cmds).toEqual([
      { action: "say-hangup", customerId: String(t.customerId), callRef: callSid, body: { text: APOLOGY } },
    ]);
    expect(await twilioRequests(t)).toEqual([]);
    for (let i = 0; i < 10; i++) tc.media();
    tc.stop(t.accountSid);
    const call = await eventually(
      () => getCall(env.DB, t.customerId, callId),
      (c) => c?.state === "Completed",
      "the call to close",
    );
    expect(call?.outcome).toBe("ai_fallback:apology");
    expect((await recordingOfCall(t.customerId, callId))?.left).toBe(10 * 160);
  });

  it("hands the caller to the number's rep through the test carrier's transfer", async () => {
    const t = await assistantTenant({ aiFallback: "dial" });
    await realtimeScript(t.openaiKey!, { refuse: 5 });
    const { tc, callSid, caller } = await startCall(fakeDriver, t);
    const cmds = await eventually(
      () => fakeCommands(t),
      (c) => c.length > 0,
      "the transfer",
    );
    expect(cmds[0]).toMatchObject({
      action: "transfer",
      callRef: callSid,
      body: { to: { kind: "rep", identity: t.repIdentity }, callerId: caller },
    });
    tc.stop(t.accountSid);
  });

  it("refuses a stream in another carrier's wire format than the call's record", async () => {
    const t = await assistantTenant({ welcome: null });
    const { callSid, parameters } = await startCall(fakeDriver, t, { start: false });
    // A Twilio-shaped stream with a valid token for this call's object: the call is on the test carrier.
    const tc = await TwilioStreamClient.connect(`/streams/${callSid}`, callSid).catch(() => null);
    expect(tc).toBeNull(); // the key is no Twilio CallSid: the Twilio route does not even reach the object
    const sneaky = await connectMediaStream(
      env,
      callSid,
      "twilio",
      new Request(`${BASE}/x/${callSid}`, { headers: { Upgrade: "websocket" } }),
    );
    const ws = sneaky.webSocket!;
    ws.accept();
    const closed = new Promise<number>((r) => ws.addEventListener("close", (e) => r(e.code)));
    ws.send(
      JSON.stringify({
        event: "start",
        streamSid: "MZ1",
        start: { accountSid: t.accountSid, callSid, customParameters: parameters },
      }),
    );
    expect(await closed).toBe(1008);
    expect((await callStub(callSid).stats()).rejectedStreams).toBe(1);
  });

  it("answers an upgrade naming no known carrier with 400", async () => {
    const res = await connectMediaStream(
      env,
      "fk_nobody",
      "pigeon",
      new Request(`${BASE}/x`, { headers: { Upgrade: "websocket" } }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Unknown carrier "pigeon"' });
  });
});
