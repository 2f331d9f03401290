import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePhoneToken } from "../../src/auth/phone-token";
import { getCall } from "../../src/db/calls";
import { applyRetention } from "../../src/lifecycle/retention";
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

describe("deleting a ticket's recording", () => {
  /** 20 ms chunks of one μ-law byte, from `fromMs` to `toMs`, on the EndUser side. */
  const chunks = (ticketId: number, fromMs: number, toMs: number, byte = 0x10) =>
    Array.from({ length: (toMs - fromMs) / 20 }, (_, i) => ({
      ticketID: ticketId,
      senderType: "EndUser",
      timestampMs: fromMs + 20 * i,
      base64AudioData: btoa(String.fromCharCode(byte).repeat(160)),
    }));
  const post = async (path: "upload" | "uploadAndFinalize", t: Tenant, body: unknown) => {
    const r = await api(`/api/AudioChunks/${path}`, { method: "POST", token: t.token, json: body });
    expect(r.status).toBe(path === "upload" ? 200 : 201);
    return (await r.json()) as {
      recordingId: string;
      version: number;
      durationMs: number;
      chunks: { stored: number; duplicates: number; totalChunks: number };
      stored: number;
      duplicates: number;
    };
  };
  const newTicket = async (t: Tenant) =>
    (
      (await (
        await api("/api/tickets", { method: "POST", token: t.token, json: { channel: "web", subject: "x" } })
      ).json()) as { id: number }
    ).id;
  /** The tables left in the ticket's recorder (none once it was emptied). */
  const recorderTables = (t: Tenant, ticketId: number) =>
    runInDurableObject(
      env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(t.customerId, ticketId))),
      (_o, state) =>
        state.storage.sql
          .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
          .toArray(),
    );

  it("empties the ticket's recorder: the same chunks again are new audio, and a later version holds only what came after", async () => {
    const t = await provisionTenant({ openai: false });
    const ticketId = await newTicket(t);
    const first = await post("uploadAndFinalize", t, chunks(ticketId, 0, 1000));
    expect(first).toMatchObject({ version: 1, durationMs: 1000 });
    const res = await api(`/api/tickets/${ticketId}/recording`, {
      method: "DELETE",
      token: await withScope(t, "tickets:write"),
    });
    expect(res.status).toBe(204);
    expect((await api(`/api/tickets/${ticketId}/recording`, { token: t.token })).status).toBe(404);
    expect(await recorderTables(t, ticketId)).toEqual([]);
    expect(await rows("SELECT id FROM recordings WHERE ticket_id = ?1", ticketId)).toEqual([]);

    // The same chunks again: stored as new audio (nothing remembers them), not recognised as duplicates of the deleted.
    const again = await post("uploadAndFinalize", t, chunks(ticketId, 0, 1000));
    expect(again.chunks).toEqual({ ticketID: ticketId, received: 50, stored: 50, duplicates: 0, totalChunks: 50 });
    expect(again.recordingId).not.toBe(first.recordingId);
    await api(`/api/tickets/${ticketId}/recording`, { method: "DELETE", token: await withScope(t, "tickets:write") });

    // Other audio after the deletion: the recording is that audio alone, 200 ms from 5 s on, not 0–5.2 s.
    const later = await post("uploadAndFinalize", t, chunks(ticketId, 5000, 5200, 0x20));
    expect(later.chunks).toMatchObject({ stored: 10, duplicates: 0, totalChunks: 10 });
    expect(later).toMatchObject({ version: 1, durationMs: 200 });
    const wav = await api(`/api/tickets/${ticketId}/recording`, { token: t.token });
    expect(wav.status).toBe(200);
    expect((await wav.arrayBuffer()).byteLength).toBe(44 + 200 * 8 * 4);
  });

  it("also takes chunks uploaded but not finalized yet", async () => {
    const t = await provisionTenant({ openai: false });
    const ticketId = await newTicket(t);
    await post("uploadAndFinalize", t, chunks(ticketId, 0, 200));
    expect((await post("upload", t, chunks(ticketId, 200, 1000))).stored).toBe(40);
    const res = await api(`/api/tickets/${ticketId}/recording`, {
      method: "DELETE",
      token: await withScope(t, "tickets:write"),
    });
    expect(res.status).toBe(204);
    expect(await recorderTables(t, ticketId)).toEqual([]);
    const later = await post("uploadAndFinalize", t, chunks(ticketId, 3000, 3100));
    expect(later).toMatchObject({ durationMs: 100, chunks: { totalChunks: 5 } });
  });

  it("by an admin, one version: the recorder is emptied too, the other versions stay", async () => {
    const t = await provisionTenant({ openai: false });
    const ticketId = await newTicket(t);
    const v1 = await post("uploadAndFinalize", t, chunks(ticketId, 0, 200));
    const v2 = await post("uploadAndFinalize", t, chunks(ticketId, 200, 400));
    expect(v2).toMatchObject({ version: 2, durationMs: 400 });
    expect((await admin(`/customers/${t.customerId}/recordings/${v1.recordingId}`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect(await recorderTables(t, ticketId)).toEqual([]);
    expect(await rows("SELECT id FROM recordings WHERE ticket_id = ?1", ticketId)).toEqual([{ id: v2.recordingId }]);
    const v3 = await post("uploadAndFinalize", t, chunks(ticketId, 0, 200));
    expect(v3).toMatchObject({ version: 3, durationMs: 200, chunks: { stored: 10, duplicates: 0, totalChunks: 10 } });
  });

  it("by retention: the recorder of an expired uploaded recording is emptied", async () => {
    const t = await provisionTenant({ openai: false });
    const ticketId = await newTicket(t);
    await post("uploadAndFinalize", t, chunks(ticketId, 0, 200));
    await env.DB.prepare("UPDATE customers SET retention_days = 0 WHERE id = ?1").bind(t.customerId).run();
    expect((await applyRetention(env, Date.now() + 1000)).recordings).toBeGreaterThanOrEqual(1);
    expect(await rows("SELECT id FROM recordings WHERE ticket_id = ?1", ticketId)).toEqual([]);
    expect(await recorderTables(t, ticketId)).toEqual([]);
    const later = await post("uploadAndFinalize", t, chunks(ticketId, 0, 200));
    expect(later).toMatchObject({ version: 1, durationMs: 200, chunks: { stored: 10, duplicates: 0 } });
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
