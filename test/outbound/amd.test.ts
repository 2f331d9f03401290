import { describe, expect, it } from "vitest";
import type { FakeCall } from "../fakes/twilio";
import { api, json } from "../helpers";
import { parseStreamTwiml } from "../live/live-helpers";
import { eventually, TwilioStreamClient } from "../live/stream-client";
import {
  callRow,
  createdCalls,
  deliver,
  endUser,
  happen,
  outboundTenant,
  placeCall,
  twilioEvent,
  type OutboundTenant,
} from "./outbound-helpers";

/** An outbound AI call placed through the API, answered, its media stream started. */
async function answeredCall(t: OutboundTenant, voicemail?: Record<string, unknown>) {
  const placed = await json<{ id: string }>(
    await placeCall(t, { assistantId: t.assistantId, to: endUser(), ...(voicemail ? { voicemail } : {}) }),
  );
  const created = (await createdCalls(t)).at(-1)!;
  const [, twiml] = await happen(created.sid, { event: "answer" });
  const stream = parseStreamTwiml(await twiml!.text());
  const tc = await TwilioStreamClient.connect(stream.path, created.sid);
  tc.start(t.accountSid, stream.parameters);
  return { id: placed.id, sid: created.sid, tc };
}

const fakeCall = async (t: OutboundTenant, sid: string) => (await createdCalls(t)).find((c) => c.sid === sid)!;
const redirectedWith = (c: FakeCall) => c.request_params ?? {};

describe("answering-machine detection on outbound AI calls (docs/campaigns.md)", () => {
  it("a machine: the outcome is voicemail, the message is left and the call hangs up; the record keeps it", async () => {
    const t = await outboundTenant();
    const message = "Hi, this is Acme about your order. Please call us back on 02 555 01 00.";
    const { id, sid, tc } = await answeredCall(t, { action: "message", message });
    expect((await fakeCall(t, sid)).request_params!.MachineDetection).toBe("DetectMessageEnd");

    const [verdict] = await happen(sid, { event: "amd", answeredBy: "machine_end_beep", durationMs: 7400 });
    expect(await json(verdict!)).toEqual({ answeredBy: "machine_end_beep", action: "message" });
    expect(await callRow(id)).toMatchObject({ answered_by: "machine_end_beep", outcome: "voicemail" });
    // Call control: new TwiML for the call (Twilio ends our stream and runs it).
    expect(redirectedWith(await fakeCall(t, sid)).Twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${message}</Say><Hangup/></Response>`,
    );
    tc.stop(t.accountSid);
    const ended = await eventually(
      () => callRow(id),
      (c) => c.state === "Completed",
      "the live call to end",
    );
    expect(ended.outcome).toBe("voicemail");
    await happen(sid, { event: "end", status: "completed", duration: 31 });

    const listed = await json<{ items: { id: string; outcome: string }[] }>(
      await api("/api/v1/voice-calls?direction=Outbound", { token: t.caller }),
    );
    expect(listed.items).toEqual([expect.objectContaining({ id, outcome: "voicemail", state: "Completed" })]);
  });

  it("a machine with hangup: the call is hung up at once", async () => {
    const t = await outboundTenant();
    const { id, sid, tc } = await answeredCall(t, { action: "hangup" });
    const [verdict] = await happen(sid, { event: "amd", answeredBy: "machine_start" });
    expect(await json(verdict!)).toEqual({ answeredBy: "machine_start", action: "hangup" });
    const c = await fakeCall(t, sid);
    expect(c.status).toBe("completed");
    expect(c.request_params!.Twiml).toBeUndefined();
    expect(await callRow(id)).toMatchObject({ outcome: "voicemail", answered_by: "machine_start" });
    tc.close();
  });

  it("a human: recorded, the assistant goes on; a repeated or late verdict changes nothing", async () => {
    const t = await outboundTenant();
    const { id, sid, tc } = await answeredCall(t, { action: "hangup" });
    const webhooks = await twilioEvent(sid, { event: "amd", answeredBy: "human", durationMs: 1200 });
    expect(await json(await deliver(webhooks[0]!))).toEqual({ answeredBy: "human", action: "none" });
    expect(await json(await deliver(webhooks[0]!))).toEqual({ answeredBy: "human", action: "none", duplicate: true });
    const [late] = await happen(sid, { event: "amd", answeredBy: "machine_end_other" });
    expect(await json(late!)).toMatchObject({ duplicate: true });
    expect(await callRow(id)).toMatchObject({ answered_by: "human", outcome: null, state: "InProgress" });
    expect((await fakeCall(t, sid)).status).toBe("in-progress");
    tc.close();
  });

  it("continue (the API's default): a machine is recorded as voicemail and the call goes on", async () => {
    const t = await outboundTenant();
    const { id, sid, tc } = await answeredCall(t);
    const [verdict] = await happen(sid, { event: "amd", answeredBy: "machine_end_silence" });
    expect(await json(verdict!)).toEqual({ answeredBy: "machine_end_silence", action: "none" });
    expect(await callRow(id)).toMatchObject({ outcome: "voicemail" });
    expect((await fakeCall(t, sid)).status).toBe("in-progress");
    tc.close();
  });

  it("a fax is hung up whatever the setting, with outcome fax", async () => {
    const t = await outboundTenant();
    const { id, sid, tc } = await answeredCall(t, { action: "message", message: "Hello" });
    const [verdict] = await happen(sid, { event: "amd", answeredBy: "fax" });
    expect(await json(verdict!)).toEqual({ answeredBy: "fax", action: "hangup" });
    expect(await callRow(id)).toMatchObject({ outcome: "fax" });
    expect((await fakeCall(t, sid)).status).toBe("completed");
    tc.close();
  });

  it("refuses a forged verdict (403) and a malformed one (400), writing nothing", async () => {
    const t = await outboundTenant();
    const { id, sid, tc } = await answeredCall(t, { action: "hangup" });
    const [w] = await twilioEvent(sid, { event: "amd", answeredBy: "machine_start" });
    expect((await deliver({ ...w!, signature: "bm9wZQ==" })).status).toBe(403);
    const { twilioSignature } = await import("../../src/carriers/twilio/signature");
    const bad = { ...w!.params, AnsweredBy: "robot" };
    const res = await deliver({
      url: w!.url,
      params: bad,
      signature: await twilioSignature(t.authToken, w!.url, new URLSearchParams(bad)),
    });
    expect(res.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toEqual(["AnsweredBy"]);
    expect(await callRow(id)).toMatchObject({ answered_by: null, outcome: null });
    expect((await fakeCall(t, sid)).status).toBe("in-progress");
    tc.close();
  });
});

describe("calls that reach nobody", () => {
  it("busy, no-answer and failed end with that outcome (from Twilio's status callback)", async () => {
    const t = await outboundTenant();
    for (const status of ["busy", "no-answer", "failed"] as const) {
      const placed = await json<{ id: string }>(await placeCall(t, { assistantId: t.assistantId, to: endUser() }));
      const sid = (await createdCalls(t)).at(-1)!.sid;
      await happen(sid, { event: "ringing" });
      await happen(sid, { event: "end", status });
      expect(await callRow(placed.id)).toMatchObject({
        state: { busy: "Busy", "no-answer": "NoAnswer", failed: "Failed" }[status],
        outcome: status,
      });
    }
  });
});
