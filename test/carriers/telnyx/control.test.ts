import { describe, expect, it } from "vitest";
import { afterSpeak, decodeClientState, hangsUpAfterSpeak } from "../../../src/carriers/telnyx/client-state";
import { TelnyxControl } from "../../../src/carriers/telnyx/control";
import { TelnyxApiError, telnyxBaseUrl } from "../../../src/carriers/telnyx/rest";
import type { StreamTarget } from "../../../src/live/carrier";
import { upstreamToApi } from "../../../src/lib/upstream";
import type { FakeCall } from "../../fakes/telnyx/calls";
import { failureOf, newTelnyxAccount, telnyxApiBase, telnyxCommands, telnyxFake, type TelnyxAccount } from "./helpers";

const stream = (key: string): StreamTarget => ({
  key,
  origin: "https://voicedesk.test",
  parameters: { CustomerId: "7", CallId: "vc_1", StreamToken: "f0".repeat(32), Leg: "caller" },
});
const streamUrl = (t: StreamTarget) => `wss://voicedesk.test/streams/telnyx/${encodeURIComponent(t.key)}`;

const controlFor = (a: TelnyxAccount, over: Partial<ConstructorParameters<typeof TelnyxControl>[0]> = {}) =>
  new TelnyxControl({ apiKey: a.apiKey, connectionId: a.connectionId, baseUrl: telnyxApiBase(), streamUrl, ...over });

const inboundCall = (a: TelnyxAccount, state = "parked") =>
  telnyxFake<FakeCall>("/calls", { apiKey: a.apiKey, from: "+15557654321", to: a.number, state });
const fakeCall = (id: string) => telnyxFake<FakeCall>(`/calls/${encodeURIComponent(id)}`);

const rejection = (p: Promise<unknown>) => failureOf(p, TelnyxApiError);

describe("TelnyxControl against the fake Telnyx", () => {
  it("answer: a bidirectional inbound PCMU stream to our URL, the parameters in client_state, idempotent", async () => {
    const a = await newTelnyxAccount();
    const call = await inboundCall(a);
    const control = controlFor(a);
    await control.answer(call.call_control_id, stream(call.call_control_id));
    await control.answer(call.call_control_id, stream(call.call_control_id)); // a redelivered call.initiated
    const [first, again] = await telnyxCommands(a);
    expect(first).toMatchObject({ method: "POST", action: "answer", status: 200, callControlId: call.call_control_id });
    expect(first!.path).toBe(`/v2/calls/${encodeURIComponent(call.call_control_id)}/actions/answer`);
    expect(first!.body).toEqual({
      stream_url: `wss://voicedesk.test/streams/telnyx/${encodeURIComponent(call.call_control_id)}`,
      stream_track: "inbound_track",
      stream_codec: "PCMU",
      stream_bidirectional_mode: "rtp",
      stream_bidirectional_codec: "PCMU",
      client_state: expect.any(String),
      command_id: "voicedesk-answer",
    });
    expect(decodeClientState(String(first!.body.client_state))).toEqual(stream("x").parameters);
    expect(again).toMatchObject({ status: 200, duplicate: true });
    expect(await fakeCall(call.call_control_id)).toMatchObject({
      state: "answered",
      streaming: { stream_codec: "PCMU" },
    });
  });

  it("dial: a new leg through the account's connection, streaming the same way; its status; hang-up", async () => {
    const a = await newTelnyxAccount();
    const control = controlFor(a);
    const { callRef } = await control.dial({
      to: "+15559998888",
      from: a.number,
      stream: stream("v3:caller"),
      timeoutSec: 45,
    });
    const [dialed] = await telnyxCommands(a);
    expect(dialed).toMatchObject({ method: "POST", path: "/v2/calls", action: "dial", status: 200 });
    expect(dialed!.body).toMatchObject({
      connection_id: a.connectionId,
      to: "+15559998888",
      from: a.number,
      timeout_secs: 45,
      stream_url: "wss://voicedesk.test/streams/telnyx/v3%3Acaller",
      stream_track: "inbound_track",
      stream_bidirectional_mode: "rtp",
    });
    expect((await fakeCall(callRef)).call_control_id).toBe(callRef);
    expect(await control.status(callRef)).toBe("InProgress");
    await control.hangUp(callRef, true);
    expect(await control.status(callRef)).toBe("Completed");
    await control.hangUp(callRef, false); // Telnyx: 90018, the call has already ended — nothing left to do
    const cmds = await telnyxCommands(a);
    expect(cmds.map((c) => [c.action, c.status])).toEqual([
      ["dial", 200],
      ["status", 200],
      ["hangup", 200],
      ["status", 200],
      ["hangup", 422],
    ]);
  });

  it("transfer to a number: Telnyx's transfer with our caller id, then our stream on the leg stops", async () => {
    const a = await newTelnyxAccount();
    const call = await inboundCall(a);
    const control = controlFor(a);
    await control.answer(call.call_control_id, stream(call.call_control_id));
    await control.transfer(call.call_control_id, { kind: "number", number: "+15551230000" }, a.number);
    const cmds = await telnyxCommands(a);
    expect(cmds.slice(1).map((c) => [c.action, c.body, c.status])).toEqual([
      ["transfer", { to: "+15551230000", from: a.number }, 200],
      ["streaming_stop", {}, 200],
    ]);
    expect(await fakeCall(call.call_control_id)).toMatchObject({ transferredTo: "+15551230000", streaming: null });
  });

  it("transfer with an announcement: a speak that carries the transfer, then our stream stops", async () => {
    const a = await newTelnyxAccount();
    const call = await inboundCall(a);
    const control = controlFor(a);
    await control.answer(call.call_control_id, stream(call.call_control_id));
    await control.transfer(call.call_control_id, { kind: "number", number: "+15551230000" }, a.number, "One moment.");
    const cmds = (await telnyxCommands(a)).slice(-2);
    expect(cmds.map((c) => [c.action, c.status])).toEqual([
      ["speak", 200],
      ["streaming_stop", 200],
    ]);
    expect(cmds[0]!.body.payload).toBe("One moment.");
    expect(afterSpeak(String(cmds[0]!.body.client_state))).toEqual({
      then: "transfer",
      to: "+15551230000",
      from: a.number,
    });
    expect(await fakeCall(call.call_control_id)).toMatchObject({ transferredTo: null, spoken: ["One moment."] });
  });

  it("transfer to a rep is refused before any request (Telnyx cannot reach a Twilio Voice SDK client)", async () => {
    const a = await newTelnyxAccount();
    const call = await inboundCall(a, "answered");
    await expect(
      controlFor(a).transfer(call.call_control_id, { kind: "rep", identity: "rep-1" }, null),
    ).rejects.toThrow(/phone number only/);
    expect(await telnyxCommands(a)).toEqual([]);
  });

  it("sayAndHangUp: speak with the hang-up marker in client_state, then the stream stops", async () => {
    const a = await newTelnyxAccount();
    const call = await inboundCall(a);
    const control = controlFor(a);
    await control.answer(call.call_control_id, stream(call.call_control_id));
    await control.sayAndHangUp(call.call_control_id, "Sorry, goodbye.");
    const [, speak, stop] = await telnyxCommands(a);
    expect(speak).toMatchObject({
      action: "speak",
      status: 200,
      body: { payload: "Sorry, goodbye.", payload_type: "text", voice: "female", language: "en-US" },
    });
    expect(hangsUpAfterSpeak(String(speak!.body.client_state))).toBe(true);
    expect(stop).toMatchObject({ action: "streaming_stop", status: 200 });
    expect(await fakeCall(call.call_control_id)).toMatchObject({ spoken: ["Sorry, goodbye."], streaming: null });
  });

  it("a stream already gone (422) does not fail a transfer or a goodbye", async () => {
    const a = await newTelnyxAccount();
    const call = await inboundCall(a, "answered");
    await controlFor(a).sayAndHangUp(call.call_control_id, "Bye.");
    const cmds = await telnyxCommands(a);
    expect(cmds.map((c) => [c.action, c.status])).toEqual([
      ["speak", 200],
      ["streaming_stop", 422],
    ]);
  });

  it("Telnyx's error body becomes a TelnyxApiError, mapped like every upstream failure", async () => {
    const a = await newTelnyxAccount();
    const control = controlFor(a);
    const notOwned = await rejection(
      control.dial({ to: "+15559998888", from: "+15550000000", stream: stream("k"), timeoutSec: 45 }),
    );
    expect(notOwned).toMatchObject({ status: 422, code: "10015", service: "Telnyx" });
    expect(notOwned.errors[0]).toMatchObject({ pointer: "/from", title: "Invalid parameter" });
    expect(notOwned.message).toMatch(/not a number of this account/);
    expect(upstreamToApi(notOwned).status).toBe(400);

    const unknown = await rejection(control.answer("v3:nope", stream("v3:nope")));
    expect(unknown).toMatchObject({ status: 404, code: "10005" });

    const wrongKey = await rejection(controlFor(a, { apiKey: "KEY-wrong" }).status("v3:nope"));
    expect(wrongKey).toMatchObject({ status: 401, code: "10009" });
    expect(upstreamToApi(wrongKey).status).toBe(502);

    await telnyxFake("/fail", {
      pathPattern: "/actions/hangup$",
      status: 503,
      errors: [{ code: "90001", title: "Service unavailable", detail: "Try again" }],
    });
    const call = await inboundCall(a, "answered");
    const down = await rejection(control.hangUp(call.call_control_id, false));
    expect(down).toMatchObject({ status: 503, code: "90001", message: "Service unavailable: Try again" });
    expect(upstreamToApi(down).status).toBe(502);
  });

  it("an unreachable Telnyx is status 0; the base URL comes from TELNYX_API_BASE_URL or the default", async () => {
    const a = await newTelnyxAccount();
    const e = await rejection(controlFor(a, { baseUrl: "http://127.0.0.1:9" }).status("v3:x"));
    expect(e.status).toBe(0);
    expect(telnyxBaseUrl({})).toBe("https://api.telnyx.com/v2");
    expect(telnyxBaseUrl({ TELNYX_API_BASE_URL: "http://127.0.0.1:5/v2/" })).toBe("http://127.0.0.1:5/v2");
  });
});
