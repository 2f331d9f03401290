import { describe, expect, it } from "vitest";
import { admin, api, BASE, json, provisionTenant, repToken, twilioFake } from "../helpers";
import { parseStreamTwiml } from "../live/live-helpers";
import { eventually, TwilioStreamClient } from "../live/stream-client";
import {
  callRow,
  createCampaign,
  createdCalls,
  endUser,
  happen,
  outboundTenant,
  placeCall,
  tenantCallCount,
  twilioEvent,
  deliver,
} from "./outbound-helpers";

interface Placed {
  id: string;
  state: string;
  from: string;
  to: string;
  campaignId: number | null;
  assistantId: number;
  metadata: unknown;
}

describe("POST /api/v1/voice-calls (docs/campaigns.md)", () => {
  it("places the call with Twilio, the /twiml outbound flow answers it, and the call-data API shows it", async () => {
    const t = await outboundTenant({ welcome: "Hello from Acme." });
    const to = endUser();
    const res = await placeCall(t, {
      assistantId: t.assistantId,
      to: to.replace(/^\+32/, "0032 "),
      metadata: { orderId: "A-17" },
    });
    expect(res.status).toBe(201);
    const placed = await json<Placed>(res);
    // Without `from`: the number the assistant answers (a call back reaches it again).
    expect(placed).toMatchObject({
      state: "Queued",
      to,
      from: t.assistantNumber,
      campaignId: null,
      metadata: { orderId: "A-17" },
    });
    expect(placed.id).toMatch(/^vc_[0-9a-f]{24}$/);

    const [created] = await createdCalls(t);
    const p = created!.request_params!;
    expect(p).toMatchObject({
      To: to,
      From: t.assistantNumber,
      Url: `${BASE}/twiml?assistant_id=${t.assistantId}&call_id=${placed.id}`,
      Method: "POST",
      StatusCallback: `${BASE}/api/TwilioCalls/statuscallback`,
      StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      MachineDetection: "Enable",
      AsyncAmd: "true",
      AsyncAmdStatusCallback: `${BASE}/api/TwilioCalls/amdcallback?onMachine=continue`,
    });
    expect(await callRow(placed.id)).toMatchObject({
      call_sid: created!.sid,
      carrier: "twilio",
      direction: "Outbound",
      mode: "assistant",
      rep_id: t.repId,
      assistant_id: t.assistantId,
      metadata_json: JSON.stringify({ orderId: "A-17" }),
    });

    await happen(created!.sid, { event: "ringing" });
    expect((await callRow(placed.id)).state).toBe("Ringing");
    // Answered: the status callback, then Twilio asks /twiml, which takes the record the API wrote.
    const [, twiml] = await happen(created!.sid, { event: "answer" });
    const stream = parseStreamTwiml(await twiml!.text());
    expect(stream.parameters).toMatchObject({ CallId: placed.id, AssistantId: String(t.assistantId), To: to });
    const answered = await callRow(placed.id);
    expect(answered).toMatchObject({ state: "InProgress", call_sid: created!.sid });
    expect(answered.ticket_id).toBeTypeOf("number");

    const tc = await TwilioStreamClient.connect(stream.path, created!.sid);
    tc.start(t.accountSid, stream.parameters);
    await tc.until(() => tc.of("media").length > 0, "the assistant's greeting");
    tc.stop(t.accountSid);
    await eventually(
      () => callRow(placed.id),
      (c) => c.state === "Completed",
      "the live call to end",
    );
    await happen(created!.sid, { event: "end", status: "completed", duration: 12 });

    const detail = await json<Record<string, unknown>>(
      await api(`/api/v1/voice-calls/${placed.id}`, { token: t.caller }),
    );
    expect(detail).toMatchObject({
      id: placed.id,
      direction: "Outbound",
      state: "Completed",
      metadata: { orderId: "A-17" },
      assistantId: t.assistantId,
      answeredBy: null,
    });
    expect(await tenantCallCount(t.customerId)).toBe(1);
  });

  it("takes an explicit caller ID the rep may use, a campaign's id and voicemail setting, and a welcome message", async () => {
    const t = await outboundTenant();
    const camp = await createCampaign(t, { voicemail: { action: "message", message: "Please call us back." } });
    const res = await placeCall(t, {
      assistantId: t.assistantId,
      to: endUser(),
      from: t.repNumber,
      campaignId: camp.id,
      welcomeMessage: "Hi, this is Acme about your renewal.",
    });
    expect(res.status).toBe(201);
    const placed = await json<Placed>(res);
    expect(placed).toMatchObject({ from: t.repNumber, campaignId: camp.id });
    const p = (await createdCalls(t))[0]!.request_params!;
    expect(p.MachineDetection).toBe("DetectMessageEnd");
    expect(p.AsyncAmdStatusCallback).toBe(
      `${BASE}/api/TwilioCalls/amdcallback?onMachine=message&message=Please+call+us+back.`,
    );
    expect(new URL(p.Url as string).searchParams.get("welcome_message")).toBe("Hi, this is Acme about your renewal.");
    const listed = await json<{ items: { id: string }[] }>(
      await api(`/api/v1/voice-calls?campaignId=${camp.id}`, { token: t.caller }),
    );
    expect(listed.items.map((c) => c.id)).toEqual([placed.id]);
  });

  it("refuses bad input with a clear 4xx, and neither writes a record nor asks Twilio", async () => {
    const t = await outboundTenant();
    const other = await outboundTenant();
    await admin(`/customers/${t.customerId}/phone-numbers`, { method: "POST", json: { number: "+3225559999" } });
    const othersRep = await admin(`/customers/${t.customerId}/reps`, {
      method: "POST",
      json: { name: "Rep Two", phoneNumbers: ["+3225558888"] },
    });
    expect(othersRep.status).toBe(201);
    const cases: [Record<string, unknown>, number, RegExp | string][] = [
      [{ assistantId: 999999, to: endUser() }, 404, /Assistant 999999 not found/],
      [{ assistantId: other.assistantId, to: endUser() }, 404, /not found/],
      [{ assistantId: t.assistantId, to: "call my mum" }, 400, "to"],
      [{ assistantId: t.assistantId }, 400, "to"],
      [{ assistantId: "seven", to: endUser() }, 400, "assistantId"],
      [{ assistantId: t.assistantId, to: endUser(), from: other.repNumber }, 403, /is not a number of your account/],
      [{ assistantId: t.assistantId, to: endUser(), from: "+3225558888" }, 403, /assigned to another rep/],
      [{ assistantId: t.assistantId, to: endUser(), campaignId: 999999 }, 404, /Campaign 999999 not found/],
      [{ assistantId: t.assistantId, to: endUser(), metadata: "x" }, 400, "metadata"],
      [{ assistantId: t.assistantId, to: endUser(), metadata: { blob: "x".repeat(5000) } }, 400, "metadata"],
      [{ assistantId: t.assistantId, to: endUser(), voicemail: { action: "message" } }, 400, "voicemail.message"],
      [{ assistantId: t.assistantId, to: endUser(), voicemail: { action: "sing" } }, 400, "voicemail.action"],
    ];
    for (const [body, status, what] of cases) {
      const res = await placeCall(t, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const err = await json<{ error: string; issues?: { path: string }[] }>(res);
      if (typeof what === "string") expect(err.issues?.map((i) => i.path)).toContain(what);
      else expect(err.error).toMatch(what);
    }
    const noScope = await placeCall(
      t,
      { assistantId: t.assistantId, to: endUser() },
      await repToken(t.repId, { scope: "voice:read" }),
    );
    expect(noScope.status).toBe(403);
    expect(await json(noScope)).toEqual({ error: "Missing scope: calls:write" });
    expect(await tenantCallCount(t.customerId)).toBe(0);
    expect(await createdCalls(t)).toEqual([]);
  });

  it("a tenant with no number the rep may call from must name one", async () => {
    const t = await provisionTenant();
    const a = await json<{ id: number }>(
      await admin(`/customers/${t.customerId}/assistants`, { method: "POST", json: { name: "A", instructions: "Hi" } }),
    );
    // The tenant's only number is the first rep's line; the second rep has none and none is shared.
    const rep2 = await json<{ id: number }>(
      await admin(`/customers/${t.customerId}/reps`, { method: "POST", json: { name: "Rep Two" } }),
    );
    const token = await repToken(rep2.id, { scope: "calls:write" });
    const res = await api("/api/v1/voice-calls", { method: "POST", token, json: { assistantId: a.id, to: endUser() } });
    expect(res.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(res)).issues[0]!.path).toBe("from");
  });

  it("passes Twilio's refusal on as a 400 with its message, and removes the record it had written", async () => {
    const t = await outboundTenant();
    await twilioFake("/fail", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        pathPattern: `/Accounts/${t.accountSid}/Calls\\.json$`,
        status: 400,
        code: 21215,
        message: "Account not authorized to call +999",
      }),
    });
    const res = await placeCall(t, { assistantId: t.assistantId, to: endUser() });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: expect.stringMatching(/not authorized/), twilioCode: 21215 });
    expect(await tenantCallCount(t.customerId)).toBe(0);
  });

  it("a /twiml request for a placed call that is not this webhook's answers not-in-service and takes nothing", async () => {
    const t = await outboundTenant();
    const placed = await json<Placed>(await placeCall(t, { assistantId: t.assistantId, to: endUser() }));
    const [created] = await createdCalls(t);
    const [status, voice] = await twilioEvent(created!.sid, { event: "answer" });
    expect((await deliver(status!)).status).toBe(200);
    // The same signed request for another CallSid: the record belongs to the first call.
    const forged = { ...voice!, params: { ...voice!.params } };
    const other = `CA${"0".repeat(32)}`;
    const { twilioSignature } = await import("../../src/carriers/twilio/signature");
    forged.params.CallSid = other;
    forged.signature = await twilioSignature(t.authToken, forged.url, new URLSearchParams(forged.params));
    expect((await deliver(voice!)).status).toBe(200);
    const res = await deliver(forged);
    expect(await res.text()).toMatch(/not in service/);
    expect((await callRow(placed.id)).call_sid).toBe(created!.sid);
  });
});
