import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decodeClientState, encodeClientState, transferAfterSpeak } from "../../../src/carriers/telnyx/client-state";
import { getCallBySid, OUTCOME_OF_END } from "../../../src/db/calls";
import { api, json } from "../../helpers";
import { telnyxCommands } from "./helpers";
import { fakeTelnyxCall, legPayload, randomCaller, sendTelnyx, telnyxTenant, type TelnyxTenant } from "./tenant";
import type { FakeCall } from "../../fakes/telnyx/calls";

const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, s)).toISOString();

async function initiated(t: TelnyxTenant, c: FakeCall, extra: Record<string, unknown> = {}) {
  return sendTelnyx(t, {
    eventType: "call.initiated",
    payload: { ...legPayload(c), direction: c.direction, state: "parked", ...extra },
    occurredAt: at(0),
  });
}

const recordOf = (t: TelnyxTenant, c: FakeCall) => getCallBySid(env.DB, t.customerId, "telnyx", c.call_control_id);

describe("Telnyx call events (POST /api/webhooks/telnyx/voice)", () => {
  it("answers an inbound call to an assistant's number with a bidirectional PCMU stream into this Worker", async () => {
    const t = await telnyxTenant({ welcome: null });
    const caller = randomCaller();
    const c = await fakeTelnyxCall(t, caller, t.assistantNumber);
    const res = await initiated(t, c);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ handled: "answered with the assistant" });

    const call = await recordOf(t, c);
    expect(call).toMatchObject({
      carrier: "telnyx",
      direction: "Inbound",
      state: "Ringing",
      mode: "assistant",
      from_number: caller,
      to_number: t.assistantNumber,
      assistant_id: t.assistantId,
    });
    expect(call!.ticket_id).not.toBeNull();

    const answer = (await telnyxCommands(t.telnyx)).find((x) => x.action === "answer")!;
    expect(answer.status).toBe(200);
    expect(answer.callControlId).toBe(c.call_control_id);
    expect(answer.body).toMatchObject({
      stream_url: `wss://voicedesk.test/streams/telnyx/${encodeURIComponent(c.call_control_id)}`,
      stream_track: "inbound_track",
      stream_codec: "PCMU",
      stream_bidirectional_mode: "rtp",
      stream_bidirectional_codec: "PCMU",
    });
    const params = decodeClientState(String(answer.body.client_state));
    expect(params).toMatchObject({
      Mode: "assistant",
      CustomerId: String(t.customerId),
      CallId: call!.id,
      AssistantId: String(t.assistantId),
    });
    expect(params!.StreamToken).toMatch(/^\d+\.[0-9a-f]{64}$/);
  });

  it("goes Ringing → InProgress → Completed with start, end and duration; the call-data API shows it", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
    await initiated(t, c);
    const answered = await sendTelnyx(t, { eventType: "call.answered", payload: legPayload(c), occurredAt: at(2) });
    expect(answered.status).toBe(200);
    expect((await recordOf(t, c))!.state).toBe("InProgress");
    const hangup = await sendTelnyx(t, {
      eventType: "call.hangup",
      payload: { ...legPayload(c), hangup_cause: "normal_clearing", hangup_source: "caller" },
      occurredAt: at(47),
    });
    expect(hangup.status).toBe(200);
    const call = (await recordOf(t, c))!;
    expect(call).toMatchObject({ state: "Completed", start_time: at(2), end_time: at(47), duration_seconds: 45 });

    const list = await json<{ items?: { id: string }[]; data?: { id: string }[] }>(
      await api("/api/v1/voice-calls", { token: t.token }),
    );
    const items = list.items ?? list.data ?? [];
    expect(items.map((i) => i.id)).toContain(call.id);
    const detail = await json(await api(`/api/v1/voice-calls/${call.id}`, { token: t.token }));
    expect(detail).toMatchObject({ id: call.id, direction: "Inbound", state: "Completed", durationSeconds: 45 });
  });

  it("handles a call whose events carry no connection_id or call_leg_id: the tenant is the called number's", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
    const { connection_id: _c, call_leg_id: _l, ...bare } = legPayload(c);
    const init = await sendTelnyx(t, {
      eventType: "call.initiated",
      payload: { ...bare, direction: "incoming", state: "parked" },
      occurredAt: at(0),
    });
    expect([init.status, await json(init)]).toEqual([
      200,
      expect.objectContaining({ handled: "answered with the assistant" }),
    ]);
    expect((await telnyxCommands(t.telnyx)).filter((x) => x.action === "answer")).toHaveLength(1);
    const answered = await sendTelnyx(t, { eventType: "call.answered", payload: bare, occurredAt: at(3) });
    expect([answered.status, await json(answered)]).toEqual([200, expect.objectContaining({ handled: "answered" })]);
    const hangup = await sendTelnyx(t, {
      eventType: "call.hangup",
      payload: { ...bare, connection_id: null, hangup_cause: "normal_clearing" },
      occurredAt: at(13),
    });
    expect([hangup.status, await json(hangup)]).toEqual([200, expect.objectContaining({ handled: "hung up" })]);
    expect(await recordOf(t, c)).toMatchObject({
      carrier: "telnyx",
      state: "Completed",
      assistant_id: t.assistantId,
      start_time: at(3),
      end_time: at(13),
      duration_seconds: 10,
    });
  });

  it("ends in the right state when the hangup arrives before the answer", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
    await initiated(t, c);
    await sendTelnyx(t, {
      eventType: "call.hangup",
      payload: { ...legPayload(c), hangup_cause: "normal_clearing" },
      occurredAt: at(30),
    });
    await sendTelnyx(t, { eventType: "call.answered", payload: legPayload(c), occurredAt: at(5) });
    expect(await recordOf(t, c)).toMatchObject({
      state: "Completed",
      start_time: at(5),
      end_time: at(30),
      duration_seconds: 25,
    });
  });

  it("maps hangup causes to final states, and a call that never connected keeps that as its outcome", async () => {
    const t = await telnyxTenant({ welcome: null });
    for (const [cause, state] of [
      ["originator_cancel", "Canceled"],
      ["user_busy", "Busy"],
      ["no_answer", "NoAnswer"],
      ["call_rejected", "Failed"],
    ] as const) {
      const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
      await initiated(t, c);
      await sendTelnyx(t, { eventType: "call.hangup", payload: { ...legPayload(c), hangup_cause: cause } });
      const call = (await recordOf(t, c))!;
      expect([call.state, call.outcome], cause).toEqual([state, OUTCOME_OF_END[state]]);
    }
  });

  it("changes nothing on a redelivery: no second record, answer or state change", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
    const id = crypto.randomUUID();
    const payload = { ...legPayload(c), direction: "incoming", state: "parked" };
    await sendTelnyx(t, { eventType: "call.initiated", payload, id });
    const again = await sendTelnyx(t, { eventType: "call.initiated", payload, id });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ ignored: "already handled" });
    expect((await telnyxCommands(t.telnyx)).filter((x) => x.action === "answer")).toHaveLength(1);
    const calls = await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE customer_id = ?1")
      .bind(t.customerId)
      .first<{ n: number }>();
    expect(calls!.n).toBe(1);

    const hangupId = crypto.randomUUID();
    const hangup = { ...legPayload(c), hangup_cause: "normal_clearing" };
    await sendTelnyx(t, { eventType: "call.hangup", payload: hangup, id: hangupId, occurredAt: at(20) });
    const before = await recordOf(t, c);
    const dup = await sendTelnyx(t, { eventType: "call.hangup", payload: hangup, id: hangupId, occurredAt: at(59) });
    expect(await json(dup)).toMatchObject({ ignored: "already handled" });
    expect(await recordOf(t, c)).toEqual(before);
  });

  it("records a call to a number without an assistant, and answers nothing", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), "+15550001111");
    const res = await initiated(t, c);
    expect(await json(res)).toMatchObject({ handled: "recorded" });
    expect(await recordOf(t, c)).toMatchObject({ mode: "plain", assistant_id: null, state: "Ringing" });
    expect((await telnyxCommands(t.telnyx)).filter((x) => x.action === "answer")).toEqual([]);
  });

  it("hangs up after a say-and-hang-up's speak has ended, and only then", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
    await initiated(t, c);
    const other = await sendTelnyx(t, { eventType: "call.speak.ended", payload: legPayload(c) });
    expect(await json(other)).toMatchObject({ ignored: "not a say-and-hang-up or an announced transfer" });
    const ours = await sendTelnyx(t, {
      eventType: "call.speak.ended",
      payload: { ...legPayload(c), client_state: btoa(JSON.stringify({ Then: "hangup" })) },
    });
    expect(await json(ours)).toMatchObject({ handled: "hung up after speaking" });
    const hangups = (await telnyxCommands(t.telnyx)).filter((x) => x.action === "hangup");
    expect(hangups.map((h) => h.callControlId)).toEqual([c.call_control_id]);
  });

  it("transfers after an announced transfer's speak has ended", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await fakeTelnyxCall(t, randomCaller(), t.assistantNumber);
    await initiated(t, c);
    const res = await sendTelnyx(t, {
      eventType: "call.speak.ended",
      payload: {
        ...legPayload(c),
        client_state: encodeClientState(transferAfterSpeak("+3225550199", t.assistantNumber)),
      },
    });
    expect(await json(res)).toMatchObject({ handled: "transferred after the announcement" });
    const transfer = (await telnyxCommands(t.telnyx)).find((x) => x.action === "transfer")!;
    expect([transfer.callControlId, transfer.body, transfer.status]).toEqual([
      c.call_control_id,
      { to: "+3225550199", from: t.assistantNumber },
      200,
    ]);
  });
});
