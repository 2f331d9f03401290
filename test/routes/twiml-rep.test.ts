import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CallRow } from "../../src/db/calls";
import { getRecordingByCarrierSid } from "../../src/db/recordings";
import { VOICEMAIL_GREETING, VOICEMAIL_MAX_SECONDS, VOICEMAIL_THANKS } from "../../src/carriers/twilio/rep-twiml";
import { admin, BASE, hex, json } from "../helpers";
import { pcmWav, putFakeRecording, referenceTwiml, twilioPost } from "../carriers/twilio/helpers";
import { parseXml } from "../carriers/twilio/xml";
import { assistantTenant, newCallSid, parseStreamTwiml, type AssistantTenant } from "../live/live-helpers";
import { eventually } from "../live/stream-client";

const caller = () => `+32471${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;

/** An inbound call to the rep's own number (no assistant answers it), as Twilio posts it to `/twiml`. */
async function ring(t: AssistantTenant, from = caller()) {
  const callSid = newCallSid();
  const res = await twilioPost(
    "/twiml",
    { AccountSid: t.accountSid, CallSid: callSid, From: from, To: t.repNumber, Direction: "inbound" },
    t.authToken,
  );
  expect(res.status).toBe(200);
  return { callSid, from, xml: await res.text() };
}

const dialDone = (t: AssistantTenant, callSid: string, DialCallStatus: string, extra: Record<string, string> = {}) =>
  twilioPost(
    "/twiml/rep-dial-done",
    { AccountSid: t.accountSid, CallSid: callSid, DialCallStatus, DialCallSid: newCallSid(), ...extra },
    t.authToken,
  );

const record = (callSid: string) =>
  env.DB.prepare("SELECT * FROM calls WHERE call_sid = ?1").bind(callSid).first<CallRow>() as Promise<CallRow>;

const voicemailReference = (t: AssistantTenant, from: string) =>
  referenceTwiml([
    { say: VOICEMAIL_GREETING },
    {
      record: {
        action: `${BASE}/twiml/voicemail-done`,
        method: "POST",
        maxLength: String(VOICEMAIL_MAX_SECONDS),
        playBeep: "true",
        recordingStatusCallback: `${BASE}/api/TwilioCalls/${t.repId}/recordingcallback?customFrom=${encodeURIComponent(t.repNumber)}&customTo=${encodeURIComponent(from)}`,
        recordingStatusCallbackMethod: "POST",
        recordingStatusCallbackEvent: "completed",
      },
    },
  ]);

describe("inbound calls to a rep's number (docs/campaigns.md)", () => {
  it("ring the rep's browser for the tenant's ring time; the call joins the caller's ticket", async () => {
    const t = await assistantTenant();
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { inboundToRep: { ringSeconds: 35 } } });
    const { callSid, from, xml } = await ring(t);
    const ref = await referenceTwiml([
      {
        dial: {
          timeout: "35",
          action: `${BASE}/twiml/rep-dial-done`,
          method: "POST",
          answerOnBridge: "true",
          callerId: from,
        },
        numbers: [],
        clients: [{ value: t.repIdentity }],
      },
    ]);
    expect(parseXml(xml)).toEqual(parseXml(ref));
    const row = await record(callSid);
    expect(row).toMatchObject({
      direction: "Inbound",
      state: "Ringing",
      mode: "plain",
      rep_id: t.repId,
      from_number: from,
    });
    const ticket = await env.DB.prepare("SELECT * FROM tickets WHERE id = ?1").bind(row.ticket_id).first();
    expect(ticket).toMatchObject({ channel: "phone", phone_number: from });
    // A retried webhook reuses the record.
    const again = await twilioPost(
      "/twiml",
      { AccountSid: t.accountSid, CallSid: callSid, From: from, To: t.repNumber, Direction: "inbound" },
      t.authToken,
    );
    expect(await again.text()).toBe(xml);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE call_sid = ?1")
      .bind(callSid)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
  });

  it("the rep answers: the call ends with the dial, outcome answered and its talk time", async () => {
    const t = await assistantTenant();
    const { callSid } = await ring(t);
    const res = await dialDone(t, callSid, "completed", { DialCallDuration: "42" });
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect(await record(callSid)).toMatchObject({ state: "Completed", outcome: "answered", talk_time_seconds: 42 });
  });

  it("no answer, by default: the tenant's first assistant takes the same call (SPEC.md: the AI as the fallback)", async () => {
    const t = await assistantTenant();
    expect(await json(await admin(`/customers/${t.customerId}`))).toMatchObject({
      inboundToRep: { noAnswer: "assistant", assistantId: null },
    });
    const { callSid, from } = await ring(t);
    const stream = parseStreamTwiml(await (await dialDone(t, callSid, "no-answer")).text());
    expect(stream.parameters).toMatchObject({ Mode: "assistant", AssistantId: String(t.assistantId), From: from });
    expect(await record(callSid)).toMatchObject({ mode: "assistant", assistant_id: t.assistantId, rep_id: t.repId });
  });

  it("the assistant taking an unanswered call streams to this Worker's own /streams, not the tenant's phone stream URL", async () => {
    const t = await assistantTenant();
    const set = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { phoneStreamUrl: "wss://translation.example.com/media" },
    });
    expect(set.status).toBe(200);
    const { callSid } = await ring(t);
    const stream = parseStreamTwiml(await (await dialDone(t, callSid, "no-answer")).text());
    expect(stream.parameters.Mode).toBe("assistant");
    expect(stream.url).toBe(`wss://voicedesk.test/streams/${callSid}`);
  });

  it("no answer with voicemail chosen (or no browser signed in): the caller leaves a voicemail on their ticket", async () => {
    const t = await assistantTenant();
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { inboundToRep: { noAnswer: "voicemail" } } });
    const { callSid, from } = await ring(t);
    const res = await dialDone(t, callSid, "no-answer");
    expect(parseXml(await res.text())).toEqual(parseXml(await voicemailReference(t, from)));
    expect((await record(callSid)).outcome).toBe("voicemail");

    // Twilio posts the finished recording to the existing recording callback; it lands on the caller's ticket.
    const recordingSid = `RE${hex(16)}`;
    await putFakeRecording(t.accountSid, recordingSid, pcmWav(2, 1));
    const path = `/api/TwilioCalls/${t.repId}/recordingcallback?customFrom=${encodeURIComponent(t.repNumber)}&customTo=${encodeURIComponent(from)}`;
    const stored = await twilioPost(
      path,
      {
        AccountSid: t.accountSid,
        CallSid: callSid,
        RecordingSid: recordingSid,
        RecordingStatus: "completed",
        RecordingDuration: "2",
        RecordingChannels: "1",
        RecordingSource: "RecordVerb",
      },
      t.authToken,
    );
    // The copy is queued (docs/data-lifecycle.md); it lands on the call and the caller's ticket.
    expect(stored.status).toBe(202);
    expect(await json(stored)).toMatchObject({ recordingSid, queued: true, duplicate: false });
    const row = await record(callSid);
    const rec = await eventually(
      () => getRecordingByCarrierSid(env.DB, t.customerId, recordingSid),
      (r) => r !== null,
      "the queued copy",
    );
    expect(rec).toMatchObject({ call_id: row.id, ticket_id: row.ticket_id });
    expect(row.ticket_id).toBeTypeOf("number");

    const done = await twilioPost(
      "/twiml/voicemail-done",
      { AccountSid: t.accountSid, CallSid: callSid, RecordingDuration: "2" },
      t.authToken,
    );
    expect(await done.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${VOICEMAIL_THANKS}</Say><Hangup/></Response>`,
    );
    expect(await record(callSid)).toMatchObject({ state: "Completed", outcome: "voicemail", has_recording: 1 });
  });

  it("no answer with the assistant as fallback: the tenant's assistant takes the same call", async () => {
    const t = await assistantTenant();
    const patched = await admin(`/customers/${t.customerId}`, {
      method: "PATCH",
      json: { inboundToRep: { noAnswer: "assistant", assistantId: t.assistantId } },
    });
    expect(await json(patched)).toMatchObject({
      inboundToRep: { ringSeconds: 20, noAnswer: "assistant", assistantId: t.assistantId },
    });
    const { callSid, from } = await ring(t);
    const res = await dialDone(t, callSid, "busy");
    const stream = parseStreamTwiml(await res.text());
    expect(stream.parameters).toMatchObject({
      Mode: "assistant",
      AssistantId: String(t.assistantId),
      From: from,
      To: t.repNumber,
    });
    const row = await record(callSid);
    expect(row).toMatchObject({ mode: "assistant", assistant_id: t.assistantId, state: "InProgress", rep_id: t.repId });
    expect(stream.parameters.CallId).toBe(row.id);
  });

  it("an inactive rep is not rung: the fallback answers at once", async () => {
    const t = await assistantTenant();
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { inboundToRep: { noAnswer: "voicemail" } } });
    await admin(`/customers/${t.customerId}/reps/${t.repId}`, { method: "PATCH", json: { active: false } });
    const { from, xml } = await ring(t);
    expect(parseXml(xml)).toEqual(parseXml(await voicemailReference(t, from)));
  });

  it("a dial ending for a call it does not know is not in service; forged follow-ups are 403", async () => {
    const t = await assistantTenant();
    expect(await (await dialDone(t, newCallSid(), "no-answer")).text()).toMatch(/not in service/);
    const forged = await twilioPost(
      "/twiml/rep-dial-done",
      { AccountSid: t.accountSid, CallSid: newCallSid(), DialCallStatus: "completed" },
      t.authToken,
      { signWith: "nope" },
    );
    expect(forged.status).toBe(403);
  });
});

describe("tenant settings: time zone and inbound calls to reps", () => {
  it("are validated and shown", async () => {
    const t = await assistantTenant();
    const other = await assistantTenant();
    const patch = (json: unknown) => admin(`/customers/${t.customerId}`, { method: "PATCH", json });
    const cases: [unknown, string][] = [
      [{ timeZone: "Europe/Atlantis" }, "timeZone"],
      [{ inboundToRep: { assistantId: other.assistantId } }, "inboundToRep.assistantId"],
      [{ inboundToRep: { ringSeconds: 1 } }, "inboundToRep.ringSeconds"],
      [{ inboundToRep: { noAnswer: "hang up" } }, "inboundToRep.noAnswer"],
    ];
    for (const [body, path] of cases) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toContain(path);
    }
    const ok = await patch({ timeZone: "Europe/Brussels", inboundToRep: { ringSeconds: 15 } });
    expect(await json(ok)).toMatchObject({
      timeZone: "Europe/Brussels",
      inboundToRep: { ringSeconds: 15, noAnswer: "assistant", assistantId: null },
    });
    const created = await admin("/customers", {
      method: "POST",
      json: { name: "New", inboundToRep: { noAnswer: "assistant", assistantId: t.assistantId } },
    });
    expect(created.status).toBe(400);
  });
});
