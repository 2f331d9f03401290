import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCallBySid, type CallRow } from "../../../src/db/calls";
import { api, json, openaiFake } from "../../helpers";
import { eventually } from "../../live/stream-client";
import { randomCaller, sendTelnyx, TELNYX_AI, telnyxTenant, tenantFootprint, type TelnyxTenant } from "./tenant";

const at = (s: number) => new Date(Date.UTC(2026, 0, 6, 9, 0, s)).toISOString();

/** One conversation of Telnyx's own AI assistant: ids as its events carry them (docs/telnyx.md, assumed shapes). */
function conversation(t: TelnyxTenant) {
  const ids = {
    call_control_id: `v3:${crypto.randomUUID().replace(/-/g, "")}`,
    call_leg_id: crypto.randomUUID(),
    call_session_id: crypto.randomUUID(),
    conversation_id: crypto.randomUUID(),
    assistant_id: "assistant-2a1c",
    connection_id: t.telnyx.connectionId,
    from: randomCaller(),
    to: t.assistantNumber,
  };
  const send = (eventType: string, payload: Record<string, unknown>, s: number, id?: string) =>
    sendTelnyx(t, { eventType, payload, occurredAt: at(s), id }, TELNYX_AI);
  return { ids, send };
}

/** The tenant's OpenAI key answers the next sentiment classification so. */
const scriptSentiment = (t: TelnyxTenant, sentiment: string) =>
  openaiFake(`/chat/${encodeURIComponent(t.openaiKey ?? "")}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ content: JSON.stringify({ sentiment }) }),
  });

const callOf = (t: TelnyxTenant, controlId: string) => getCallBySid(env.DB, t.customerId, "telnyx", controlId);

describe("Telnyx conversational-AI events (POST /api/webhooks/telnyx/voice/conversational-ai)", () => {
  it("write the call, its transcript, tool calls and end as the call-data API serves a Twilio call's", async () => {
    const t = await telnyxTenant({ welcome: null });
    const { ids, send } = conversation(t);
    const hello = await send("ai.assistant.response", { ...ids, text: "Welcome to Acme, how can I help?" }, 1);
    expect(hello.status).toBe(200);
    expect(await json(hello)).toMatchObject({ handled: "transcript line" });
    // Later events may name the call by one id only, and carry fields we have never seen.
    const only = { conversation_id: ids.conversation_id, connection_id: ids.connection_id };
    await send("ai.assistant.transcript", { ...only, role: "user", transcript: "Where is order 42?", mood: "x" }, 4);
    await send("ai.assistant.transcript", { ...only, role: "user", text: "Where is", is_final: false }, 3);
    await send("ai.assistant.transcript", { ...only, role: "system", text: "tool output follows" }, 5);
    const tool = await send(
      "ai.assistant.tool_call",
      {
        ...only,
        tool_call: { id: "call_1", type: "function", function: { name: "lookup_order", arguments: '{"order":42}' } },
        status: "success",
      },
      6,
    );
    expect(await json(tool)).toMatchObject({ handled: "1 tool call(s)" });
    await send("ai.assistant.tool_call", { ...only, name: "refund", arguments: { order: 42 }, status: "failed" }, 7);
    const byLeg = await send(
      "ai.assistant.response",
      { call_leg_id: ids.call_leg_id, connection_id: ids.connection_id, content: "It ships tomorrow." },
      9,
    );
    expect(await json(byLeg)).toMatchObject({ handled: "transcript line" });
    await scriptSentiment(t, "negative");
    const ended = await send("ai.assistant.ended", { ...only, reason: "user_hangup", duration_sec: 12 }, 13);
    expect(await json(ended)).toMatchObject({ handled: "conversation ended" });

    const call = (await callOf(t, ids.call_control_id)) as CallRow;
    expect(call).toMatchObject({
      carrier: "telnyx",
      direction: "Inbound",
      state: "Completed",
      mode: "assistant",
      assistant_id: t.assistantId,
      from_number: ids.from,
      to_number: t.assistantNumber,
      start_time: at(1),
      end_time: at(13),
      duration_seconds: 12,
    });
    expect(call.ticket_id).not.toBeNull();

    const detail = await json<{ transcript: unknown[] }>(
      await api(`/api/v1/voice-calls/${call.id}`, { token: t.token }),
    );
    expect(detail.transcript).toEqual([
      { role: "agent", text: "Welcome to Acme, how can I help?", timestamp: "00:00:00" },
      { role: "customer", text: "Where is order 42?", timestamp: "00:00:03" },
      { role: "agent", text: "It ships tomorrow.", timestamp: "00:00:08" },
    ]);
    const messages = await json<{ role: string; content: string }[]>(
      await api(`/api/conversations/${call.id}/messages`, { token: t.token }),
    );
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["assistant", "Welcome to Acme, how can I help?"],
      ["user", "Where is order 42?"],
      ["assistant", "It ships tomorrow."],
    ]);
    const ticket = await json<{ messages: { senderType: string; text: string }[] }>(
      await api(`/api/tickets/${call.ticket_id}`, { token: t.token }),
    );
    expect(ticket.messages.map((m) => [m.senderType, m.text])).toEqual([
      ["AI", "Welcome to Acme, how can I help?"],
      ["EndUser", "Where is order 42?"],
      ["AI", "It ships tomorrow."],
    ]);

    const tools = await env.DB.prepare("SELECT name, success, arguments FROM tool_calls WHERE call_id = ?1 ORDER BY id")
      .bind(call.id)
      .all();
    expect(tools.results).toEqual([
      { name: "lookup_order", success: 1, arguments: '{"order":42}' },
      { name: "refund", success: 0, arguments: '{"order":42}' },
    ]);
    const since = new Date(Date.now() - 3600_000).toISOString();
    const detailed = await json<{ metrics: { tool_call_success_rate: number } }>(
      await api(`/api/voice/analytics/detailed?start_date=${since}`, { token: t.token }),
    );
    expect(detailed.metrics.tool_call_success_rate).toBe(0.5);

    // The end queued the sentiment, which the analytics count like any call's.
    const classified = await eventually(
      () => callOf(t, ids.call_control_id),
      (c) => c?.sentiment !== null,
      "the sentiment of the ended call",
      15_000,
    );
    expect(classified!.sentiment).toBe("negative");
  });

  it("takes events without a connection_id (the tenant is the called number's) and with null ids", async () => {
    const t = await telnyxTenant({ welcome: null });
    const { ids, send } = conversation(t);
    const { connection_id: _c, ...bare } = ids;
    const line = await send("ai.assistant.transcript", { ...bare, connection_id: null, role: "user", text: "Hi" }, 1);
    expect([line.status, await json(line)]).toEqual([200, expect.objectContaining({ handled: "transcript line" })]);
    const byConversation = { ...bare, call_control_id: null, call_leg_id: null, call_session_id: null };
    const tool = await send("ai.assistant.tool_call", { ...byConversation, name: "lookup_order", status: "ok" }, 2);
    expect([tool.status, await json(tool)]).toEqual([200, expect.objectContaining({ handled: "1 tool call(s)" })]);
    await scriptSentiment(t, "neutral");
    const ended = await send("ai.assistant.ended", { ...byConversation, reason: "user_hangup" }, 5);
    expect([ended.status, await json(ended)]).toEqual([
      200,
      expect.objectContaining({ handled: "conversation ended" }),
    ]);
    const call = (await callOf(t, ids.call_control_id))!;
    expect(call).toMatchObject({ state: "Completed", assistant_id: t.assistantId, from_number: ids.from });
    const tools = await env.DB.prepare("SELECT name FROM tool_calls WHERE call_id = ?1").bind(call.id).all();
    expect(tools.results).toEqual([{ name: "lookup_order" }]);
  });

  it("changes nothing when an event is delivered again", async () => {
    const t = await telnyxTenant({ welcome: null });
    const { ids, send } = conversation(t);
    const line = crypto.randomUUID();
    const tool = crypto.randomUUID();
    await send("ai.assistant.transcript", { ...ids, role: "user", text: "Hello?" }, 2, line);
    await send("ai.assistant.tool_call", { ...ids, name: "lookup_order", status: "ok" }, 3, tool);
    const once = await tenantFootprint(t.customerId);
    for (const [id, type, payload] of [
      [line, "ai.assistant.transcript", { ...ids, role: "user", text: "Hello?" }],
      [tool, "ai.assistant.tool_call", { ...ids, name: "lookup_order", status: "ok" }],
    ] as const) {
      const again = await send(type, payload, 2, id);
      expect(again.status).toBe(200);
      expect(await json(again)).toMatchObject({ ignored: "already handled" });
    }
    expect(await tenantFootprint(t.customerId)).toEqual(once);
  });

  it("keeps a hangup's final state when the assistant's end arrives after it", async () => {
    const t = await telnyxTenant({ welcome: null });
    const { ids, send } = conversation(t);
    await send("ai.assistant.transcript", { ...ids, role: "user", text: "Bye" }, 1);
    const hangup = await sendTelnyx(t, {
      eventType: "call.hangup",
      payload: { ...ids, hangup_cause: "originator_cancel" },
      occurredAt: at(8),
    });
    expect(hangup.status).toBe(200);
    await scriptSentiment(t, "neutral");
    await send("call.conversation.ended", { ...ids, reason: "hangup", duration_sec: 99 }, 20);
    expect(await callOf(t, ids.call_control_id)).toMatchObject({ state: "Canceled", end_time: at(8) });
  });

  it("400 for a tool call naming no tool, or an event naming no call; nothing written", async () => {
    const t = await telnyxTenant({ welcome: null });
    const { ids, send } = conversation(t);
    const before = await tenantFootprint(t.customerId);
    const noTool = await send("ai.assistant.tool_call", { ...ids, status: "success" }, 1);
    expect(noTool.status).toBe(400);
    const { call_control_id: _a, call_leg_id: _b, call_session_id: _c, conversation_id: _d, ...noCall } = ids;
    const nameless = await send("ai.assistant.ended", { ...noCall, reason: "done" }, 2);
    expect(nameless.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(nameless)).issues.map((i) => i.path)).toEqual([
      "data.payload.call_control_id",
    ]);
    expect(await tenantFootprint(t.customerId)).toEqual(before);
  });
});
