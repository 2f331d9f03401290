import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePhoneToken } from "../../src/auth/phone-token";
import { getCall } from "../../src/db/calls";
import { recorderName } from "../../src/recordings/ticket-recorder";
import { admin, api, provisionTenant, repToken, type Tenant } from "../helpers";
import { startCall, twilioDriver } from "../live/drivers";
import { assistantTenant, callStub } from "../live/live-helpers";
import { eventually } from "../live/stream-client";
import { countOf, recordedTwilioCall, twilioRecordingDeletes } from "./helpers";

const withScope = async (t: Tenant, scope: string) => repToken(t.repId, { scope });
const rows = async (sql: string, ...args: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...args)
      .all()
  ).results;

describe("deleting a call", () => {
  it("removes its recording (ours and Twilio's), its transcript on the call and the ticket, and the row; the ticket stays", async () => {
    const t = await provisionTenant();
    const c = await recordedTwilioCall(t);
    expect(await rows("SELECT id FROM ticket_messages WHERE call_id = ?1", c.callId)).not.toHaveLength(0);
    const token = await withScope(t, "voice:read voice:delete");

    const res = await api(`/api/v1/voice-calls/${c.callId}`, { method: "DELETE", token });
    expect(res.status).toBe(204);
    expect(await getCall(env.DB, t.customerId, c.callId)).toBeNull();
    expect(await rows("SELECT id FROM recordings WHERE id = ?1", c.recording.id)).toEqual([]);
    expect(await env.RECORDINGS.head(c.recording.r2_key)).toBeNull();
    expect(await rows("SELECT id FROM transcript_segments WHERE call_id = ?1", c.callId)).toEqual([]);
    expect(
      await rows("SELECT id FROM ticket_messages WHERE call_id = ?1 OR recording_id = ?2", c.callId, c.recording.id),
    ).toEqual([]);
    expect(await rows("SELECT id FROM tickets WHERE id = ?1", c.ticketId)).toHaveLength(1);
    // Twilio's own copy goes through a queued job.
    await eventually(
      () => twilioRecordingDeletes(t),
      (d) => d.length === 1,
      "Twilio's copy deleted",
    );
    expect(await twilioRecordingDeletes(t)).toEqual([
      `/2010-04-01/Accounts/${t.accountSid}/Recordings/${c.recordingSid}.json`,
    ]);
    expect((await api(`/api/v1/voice-calls/${c.callId}`, { token })).status).toBe(404);
  });

  it("empties the live call's object", async () => {
    const t = await assistantTenant({ welcome: null });
    const { tc, callSid, callId } = await startCall(twilioDriver, t);
    for (let i = 0; i < 5; i++) tc.media();
    tc.stop(t.accountSid);
    await eventually(
      () => getCall(env.DB, t.customerId, callId),
      (c) => c?.state === "Completed",
      "the call to end",
    );
    const stored = () => runInDurableObject(callStub(callSid), (_o, state) => [...state.storage.kv.list()].length);
    expect(await stored()).toBeGreaterThan(0);
    const res = await api(`/api/v1/voice-calls/${callId}`, {
      method: "DELETE",
      token: await withScope(t, "voice:delete"),
    });
    expect(res.status).toBe(204);
    expect(await stored()).toBe(0);
  });

  it("deletes only the recording when asked for /recording: the call stays, without it", async () => {
    const t = await provisionTenant();
    const c = await recordedTwilioCall(t);
    const token = await withScope(t, "voice:read voice:delete");
    expect((await api(`/api/v1/voice-calls/${c.callId}/recording`, { method: "DELETE", token })).status).toBe(204);
    expect(await getCall(env.DB, t.customerId, c.callId)).toMatchObject({ id: c.callId, has_recording: 0 });
    expect(await env.RECORDINGS.head(c.recording.r2_key)).toBeNull();
    expect(await rows("SELECT id FROM ticket_messages WHERE recording_id = ?1", c.recording.id)).toEqual([]);
    expect(
      (await api(`/api/v1/voice-calls/${c.callId}/recording-url`, { token: await withScope(t, "audio:download") }))
        .status,
    ).toBe(404);
  });

  it("needs voice:delete, and a foreign call is 404 and untouched", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const c = await recordedTwilioCall(t);
    expect(
      (await api(`/api/v1/voice-calls/${c.callId}`, { method: "DELETE", token: await withScope(t, "voice:read") }))
        .status,
    ).toBe(403);
    expect(
      (
        await api(`/api/v1/voice-calls/${c.callId}`, {
          method: "DELETE",
          token: await withScope(other, "voice:delete"),
        })
      ).status,
    ).toBe(404);
    expect((await admin(`/customers/${other.customerId}/calls/${c.callId}`, { method: "DELETE" })).status).toBe(404);
    expect(await getCall(env.DB, t.customerId, c.callId)).not.toBeNull();
    expect(await env.RECORDINGS.head(c.recording.r2_key)).not.toBeNull();
  });
});

describe("deleting a ticket", () => {
  async function uploadedTicket(t: Tenant) {
    const ticket = (await (
      await api("/api/tickets", { method: "POST", token: t.token, json: { channel: "web", subject: "x" } })
    ).json()) as { id: number };
    const chunk = (ms: number) => ({
      ticketID: ticket.id,
      senderType: "EndUser",
      timestampMs: ms,
      base64AudioData: btoa("\u0010".repeat(160)),
    });
    for (const ms of [0, 20]) {
      const r = await api("/api/AudioChunks/uploadAndFinalize", { method: "POST", token: t.token, json: [chunk(ms)] });
      expect(r.status).toBe(201);
    }
    const recordings = await rows("SELECT id, r2_key FROM recordings WHERE ticket_id = ?1", ticket.id);
    expect(recordings).toHaveLength(2); // two versions
    return { ticketId: ticket.id, keys: recordings.map((r) => String(r.r2_key)) };
  }

  it("removes its messages, every recording version and its recorder's chunks", async () => {
    const t = await provisionTenant({ openai: false });
    const { ticketId, keys } = await uploadedTicket(t);
    await api(`/api/tickets/${ticketId}/messages`, {
      method: "POST",
      token: t.token,
      json: { senderType: "CustomerRep", text: "hello" },
    });
    const res = await api(`/api/tickets/${ticketId}`, { method: "DELETE", token: await withScope(t, "tickets:write") });
    expect(res.status).toBe(204);
    for (const k of keys) expect(await env.RECORDINGS.head(k)).toBeNull();
    expect(await rows("SELECT id FROM ticket_messages WHERE ticket_id = ?1", ticketId)).toEqual([]);
    expect(await rows("SELECT id FROM recordings WHERE ticket_id = ?1", ticketId)).toEqual([]);
    const recorder = env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(t.customerId, ticketId)));
    expect(
      await runInDurableObject(recorder, (_o, state) =>
        state.storage.sql
          .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
          .toArray(),
      ),
    ).toEqual([]);
    expect((await api(`/api/tickets/${ticketId}`, { token: t.token })).status).toBe(404);
  });

  it("needs tickets:write (phone-auth tokens never delete), and a foreign ticket is 404", async () => {
    const t = await provisionTenant({ openai: false });
    const other = await provisionTenant({ openai: false });
    const { ticketId, keys } = await uploadedTicket(t);
    expect(
      (await api(`/api/tickets/${ticketId}`, { method: "DELETE", token: await withScope(t, "voice:read") })).status,
    ).toBe(403);
    expect(
      (await api(`/api/tickets/${ticketId}`, { method: "DELETE", token: await withScope(other, "tickets:write") }))
        .status,
    ).toBe(404);
    expect((await admin(`/customers/${other.customerId}/tickets/${ticketId}`, { method: "DELETE" })).status).toBe(404);
    expect(await env.RECORDINGS.head(keys[0]!)).not.toBeNull();
    const phone = "+32470999111";
    const phoneTicket = (await (
      await api("/api/tickets", {
        method: "POST",
        token: t.token,
        json: { channel: "phone", subject: "p", phoneNumber: phone },
      })
    ).json()) as { id: number };
    const { token: phoneToken } = await issuePhoneToken(env, t.customerId, phone);
    expect((await api(`/api/tickets/${phoneTicket.id}`, { token: phoneToken })).status).toBe(200);
    expect((await api(`/api/tickets/${phoneTicket.id}`, { method: "DELETE", token: phoneToken })).status).toBe(403);
    expect((await admin(`/customers/${t.customerId}/tickets/${ticketId}`, { method: "DELETE" })).status).toBe(204);
    expect(await env.RECORDINGS.head(keys[0]!)).toBeNull();
  });
});

describe("deleting a recording (admin)", () => {
  it("removes that one recording and its transcript", async () => {
    const t = await provisionTenant();
    const c = await recordedTwilioCall(t);
    expect((await admin(`/customers/${t.customerId}/recordings/${c.recording.id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect(await env.RECORDINGS.head(c.recording.r2_key)).toBeNull();
    expect(await countOf("recordings", t.customerId)).toBe(0);
    expect(await rows("SELECT id FROM transcript_segments WHERE recording_id = ?1", c.recording.id)).toEqual([]);
    expect((await admin(`/customers/${t.customerId}/recordings/${c.recording.id}`, { method: "DELETE" })).status).toBe(
      404,
    );
  });
});
