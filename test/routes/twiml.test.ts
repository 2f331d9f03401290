import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCallBySid } from "../../src/db/calls";
import { admin, api } from "../helpers";
import { eventually } from "../live/stream-client";
import { assistantTenant, newCallSid, parseStreamTwiml, postTwilio, realtimeState } from "../live/live-helpers";

describe("POST /twiml", () => {
  it("answers a number no assistant owns with a polite hang-up and writes nothing", async () => {
    const t = await assistantTenant();
    const callSid = newCallSid();
    const res = await postTwilio(t, "/twiml", {
      CallSid: callSid,
      From: "+32470000001",
      To: "+32499999999",
      Direction: "inbound",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<Response><Say>[^<]+<\/Say><Hangup\/><\/Response>$/);
    expect(await getCallBySid(env.DB, t.customerId, "twilio", callSid)).toBeNull();
  });

  it("refuses an unsigned or wrongly signed webhook with 403 and writes nothing", async () => {
    const t = await assistantTenant();
    const callSid = newCallSid();
    const body = new URLSearchParams({
      AccountSid: t.accountSid,
      CallSid: callSid,
      From: "+32470000001",
      To: t.assistantNumber,
    });
    for (const sig of [undefined, "bm9wZQ=="]) {
      const res = await api("/twiml", {
        method: "POST",
        body: body.toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...(sig ? { "X-Twilio-Signature": sig } : {}) },
      });
      expect(res.status).toBe(403);
    }
    expect(await getCallBySid(env.DB, t.customerId, "twilio", callSid)).toBeNull();
  });

  it("rejects a malformed CallSid with a clear 400", async () => {
    const t = await assistantTenant();
    const res = await postTwilio(t, "/twiml", { CallSid: "nope", From: "+32470000001", To: t.assistantNumber });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/CallSid/);
  });

  it("outbound: takes the assistant and welcome message from the query, and a retry reuses the call record", async () => {
    const t = await assistantTenant({ welcome: "Default welcome" });
    const callSid = newCallSid();
    const path = `/twiml?assistant_id=${t.assistantId}&welcome_message=${encodeURIComponent("Hi Ann, this is Acme calling about your order.")}`;
    const fields = { CallSid: callSid, From: t.assistantNumber, To: "+32470555666", Direction: "outbound-api" };
    const first = parseStreamTwiml(await (await postTwilio(t, path, fields)).text());
    const again = parseStreamTwiml(await (await postTwilio(t, path, fields)).text());
    expect(again.parameters.CallId).toBe(first.parameters.CallId);
    expect(first.parameters.WelcomeMessage).toBe("Hi Ann, this is Acme calling about your order.");
    const row = await getCallBySid(env.DB, t.customerId, "twilio", callSid);
    expect(row).toMatchObject({ direction: "Outbound", to_number: "+32470555666", mode: "assistant" });
    const st = await eventually(
      () => realtimeState(t.openaiKey!),
      (s) => s.connections.some((c) => c.events.some((e) => e.type === "response.create")),
      "the greeting",
    );
    const greeting = st.connections.flatMap((c) => c.events).find((e) => e.type === "response.create") as
      | { response?: { instructions?: string } }
      | undefined;
    expect(greeting?.response?.instructions).toContain("Hi Ann, this is Acme calling about your order.");
  });

  it("an assistant's call streams to this Worker's own /streams, not to the tenant's phone stream URL (translation's)", async () => {
    const t = await assistantTenant();
    const set = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { phoneStreamUrl: "wss://translation.example.com/media" },
    });
    expect(set.status).toBe(200);
    const callSid = newCallSid();
    const res = await postTwilio(t, "/twiml", {
      CallSid: callSid,
      From: "+32470000001",
      To: t.assistantNumber,
      Direction: "inbound",
    });
    expect(res.status).toBe(200);
    const { url, parameters } = parseStreamTwiml(await res.text());
    expect(url).toBe(`wss://voicedesk.test/streams/${callSid}`);
    expect(parameters).toMatchObject({ Mode: "assistant", To: t.assistantNumber, From: "+32470000001" });
  });

  it("answers 409, not 500, for a CallSid another customer's call already has, and records no call", async () => {
    const a = await assistantTenant();
    const b = await assistantTenant();
    const callSid = newCallSid();
    const inbound = (t: typeof a) =>
      postTwilio(t, "/twiml", { CallSid: callSid, From: "+32470000002", To: t.assistantNumber, Direction: "inbound" });
    expect((await inbound(a)).status).toBe(200);
    const taken = await inbound(b);
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual({ error: `Call ${callSid} belongs to another account` });
    expect(await getCallBySid(env.DB, b.customerId, "twilio", callSid)).toBeNull();
  });

  it("an unknown assistant_id is answered like an unknown number", async () => {
    const t = await assistantTenant();
    const res = await postTwilio(t, "/twiml?assistant_id=999999", {
      CallSid: newCallSid(),
      From: t.assistantNumber,
      To: "+32470555666",
      Direction: "outbound-api",
    });
    expect(await res.text()).toContain("<Hangup/>");
  });
});

describe("GET /streams/:callSid", () => {
  it("needs a WebSocket upgrade and a CallSid", async () => {
    expect((await api(`/streams/${newCallSid()}`)).status).toBe(400);
    expect((await api("/streams/not-a-sid", { headers: { Upgrade: "websocket" } })).status).toBe(404);
  });
});
