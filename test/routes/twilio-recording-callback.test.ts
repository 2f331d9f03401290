import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CallRow } from "../../src/db/calls";
import { getRecordingByCarrierSid, type RecordingRow } from "../../src/db/recordings";
import { storeTwilioRecording, type TwilioRecordingJob } from "../../src/carriers/twilio/recording";
import { admin, api, hex, json, openaiFake, provisionTenant, twilioFake, type Tenant } from "../helpers";
import { pcmWav, putFakeRecording, twilioPost } from "../carriers/twilio/helpers";
import { eventually } from "../live/stream-client";

const endUser = () => `+32470${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
const sha = async (b: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", b))].map((x) => x.toString(16).padStart(2, "0")).join("");

interface Scenario {
  t: Tenant;
  callSid: string;
  recordingSid: string;
  to: string;
  path: string;
  form: Record<string, string>;
}

/** A tenant whose rep made a recorded call (through the voice webhook unless `withoutCall`), and the callback Twilio would send. */
async function scenario(opts: { withoutCall?: boolean; tenant?: Tenant } = {}): Promise<Scenario> {
  const t = opts.tenant ?? (await provisionTenant());
  const callSid = `CA${hex(16)}`;
  const recordingSid = `RE${hex(16)}`;
  const to = endUser();
  if (!opts.withoutCall) {
    const voice = await twilioPost(
      "/api/TwilioCalls/voice",
      {
        AccountSid: t.accountSid,
        CallSid: callSid,
        From: `client:${t.repIdentity}`,
        FromNumber: t.repNumber,
        To: to,
        RepID: String(t.repId),
        Record: "true",
      },
      t.authToken,
    );
    expect(voice.status).toBe(200);
  }
  const path = `/api/TwilioCalls/${t.repId}/recordingcallback?customFrom=${encodeURIComponent(t.repNumber)}&customTo=${encodeURIComponent(to)}`;
  const form = {
    AccountSid: t.accountSid,
    CallSid: callSid,
    RecordingSid: recordingSid,
    RecordingStatus: "completed",
    // another host: never fetched; the Worker builds the media URL from the account and recording SIDs itself
    RecordingUrl: "http://169.254.169.254/latest/meta-data",
    RecordingDuration: "3",
    RecordingChannels: "2",
    RecordingStartTime: "Sun, 22 Nov 2026 10:00:00 +0000",
    RecordingSource: "DialVerb",
    RecordingTrack: "both",
  };
  return { t, callSid, recordingSid, to, path, form };
}

const send = (s: Scenario, form: Record<string, string> = s.form, path = s.path) =>
  twilioPost(path, form, s.t.authToken);
const counts = async (customerId: number) => {
  const n = async (table: string) =>
    (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id = ?1`)
      .bind(customerId)
      .first<{ n: number }>())!.n;
  return {
    calls: await n("calls"),
    tickets: await n("tickets"),
    recordings: await n("recordings"),
    webhook_events: await n("webhook_events"),
  };
};
const downloads = async (s: Scenario) =>
  ((await (await twilioFake(`/requests?accountSid=${s.t.accountSid}`)).json()) as { path: string }[])
    .filter((r) => r.path.includes("/Recordings/"))
    .map((r) => r.path);
const failNext = (pathPattern: string, times = 1) =>
  twilioFake("/fail", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ pathPattern, status: 500, code: 20500, message: "Internal Server Error", times }),
  });

/** The callback queues the copy (docs/data-lifecycle.md): 202, and the job stores it soon after. */
async function sendQueued(s: Scenario, form?: Record<string, string>) {
  const res = await send(s, form);
  expect(res.status).toBe(202);
  expect(await json(res)).toEqual({ recordingSid: s.recordingSid, queued: true, duplicate: false, recordingId: null });
}

/** Waits for the queued copy and says where it went. */
async function copied(s: Scenario, ms = 8000) {
  const rec = await eventually(
    () => getRecordingByCarrierSid(env.DB, s.t.customerId, s.recordingSid),
    (r) => r !== null,
    "the queued copy",
    ms,
  );
  return { recordingId: rec!.id, callId: rec!.call_id!, ticketId: rec!.ticket_id! };
}
/** The queued copy job of the scenario's callback, as the post-call consumer hands it to storeTwilioRecording. */
const copyJob = (s: Scenario): TwilioRecordingJob => ({
  kind: "twilio-recording",
  customerId: s.t.customerId,
  repId: s.t.repId,
  callSid: s.callSid,
  recordingSid: s.recordingSid,
  startedAt: null,
  durationSeconds: 1,
  fromNumber: s.t.repNumber,
  endUserNumber: s.to,
});
const objectKey = (s: Scenario) => `recordings/${s.t.customerId}/twilio/${s.recordingSid}.wav`;

describe("POST /api/TwilioCalls/{repID}/recordingcallback", () => {
  it("streams the WAV into R2 and records it on the call and its phone ticket, in one go", async () => {
    const s = await scenario();
    const wav = pcmWav(2.5);
    await putFakeRecording(s.t.accountSid, s.recordingSid, wav);
    await sendQueued(s);
    const body = await copied(s);

    const call = (await env.DB.prepare("SELECT * FROM calls WHERE call_sid = ?1").bind(s.callSid).first<CallRow>())!;
    expect(body).toMatchObject({ callId: call.id, ticketId: call.ticket_id });
    const rec = (await env.DB.prepare("SELECT * FROM recordings WHERE id = ?1")
      .bind(body.recordingId)
      .first<RecordingRow>())!;
    expect(rec).toMatchObject({
      customer_id: s.t.customerId,
      ticket_id: call.ticket_id,
      call_id: call.id,
      r2_key: objectKey(s),
      source: "twilio",
      carrier_recording_sid: s.recordingSid,
      content_type: "audio/wav",
      size_bytes: wav.length,
      channels: 2,
      sample_rate: 8000,
      duration_ms: 2500,
      left_role: "CustomerRep",
      right_role: "EndUser",
      version: 1,
      started_at: "2026-11-22T10:00:00.000Z",
      ended_at: "2026-11-22T10:00:02.500Z",
    });
    const obj = await env.RECORDINGS.get(objectKey(s));
    expect(await sha(await obj!.arrayBuffer())).toBe(await sha(wav));
    expect(obj!.httpMetadata?.contentType).toBe("audio/wav");
    expect(await downloads(s)).toEqual([`/2010-04-01/Accounts/${s.t.accountSid}/Recordings/${s.recordingSid}.wav`]);
    expect(
      await env.DB.prepare("SELECT 1 FROM webhook_events WHERE source = 'twilio-recording' AND event_id = ?1")
        .bind(`${s.t.customerId}:${s.recordingSid}`)
        .first(),
    ).not.toBeNull();
  });

  it("downloads Twilio's RecordingUrl (+ .wav) when it is on our Twilio origin and names the recording", async () => {
    const s = await scenario();
    const wav = pcmWav(1);
    await putFakeRecording(s.t.accountSid, s.recordingSid, wav);
    const media = `/2010-04-01/Accounts/${s.t.accountSid}/Recordings/${s.recordingSid}`;
    const RecordingUrl = `${env.TWILIO_API_BASE_URL!.replace(/\/+$/, "")}${media}?RequestedChannels=2`;
    await sendQueued(s, { ...s.form, RecordingUrl });
    await copied(s);
    expect(await downloads(s)).toEqual([`${media}.wav?RequestedChannels=2`]);
    expect(await sha(await (await env.RECORDINGS.get(objectKey(s)))!.arrayBuffer())).toBe(await sha(wav));
  });

  it("a RecordingUrl elsewhere (another host, another recording's path) is not fetched: the URL from the SIDs is", async () => {
    const base = env.TWILIO_API_BASE_URL!.replace(/\/+$/, "");
    for (const pick of [0, 1]) {
      const s = await scenario();
      await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
      const RecordingUrl = [
        `https://api.twilio.com/2010-04-01/Accounts/${s.t.accountSid}/Recordings/${s.recordingSid}?RequestedChannels=2`,
        `${base}/2010-04-01/Accounts/${s.t.accountSid}/Recordings/RE${hex(16)}?RequestedChannels=2`,
      ][pick]!;
      await sendQueued(s, { ...s.form, RecordingUrl });
      await copied(s);
      expect(await downloads(s)).toEqual([`/2010-04-01/Accounts/${s.t.accountSid}/Recordings/${s.recordingSid}.wav`]);
    }
  });

  it("takes customFrom/customTo with an unencoded '+' (a query's '+' arrives as a space and is put back)", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
    const path = `/api/TwilioCalls/${s.t.repId}/recordingcallback?customFrom=${s.t.repNumber}&customTo=${s.to}`;
    expect(path).toContain("customFrom=+");
    const res = await send(s, s.form, path);
    expect(res.status).toBe(202);
    const { ticketId } = await copied(s);
    const ticket = await env.DB.prepare("SELECT phone_number FROM tickets WHERE id = ?1")
      .bind(ticketId)
      .first<{ phone_number: string }>();
    expect(ticket?.phone_number).toBe(s.to);
  });

  it("then transcribes each channel into the ticket and the call's transcript, and classifies the call's sentiment", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(2.5));
    await openaiFake(`/chat/${encodeURIComponent(s.t.openaiKey!)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content: JSON.stringify({ sentiment: "neutral" }) }),
    });
    await sendQueued(s);
    const body = await copied(s);
    // The transcription and the sentiment are queued jobs too: wait for their outcome in D1.
    let rec: RecordingRow | null = null;
    for (let i = 0; i < 100 && rec?.transcription_status !== "done"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rec = await env.DB.prepare("SELECT * FROM recordings WHERE id = ?1").bind(body.recordingId).first<RecordingRow>();
    }
    expect(rec?.transcription_status).toBe("done");
    const messages = await env.DB.prepare(
      "SELECT sender_type, text, recording_id FROM ticket_messages WHERE ticket_id = ?1",
    )
      .bind(body.ticketId)
      .all<{ sender_type: string; recording_id: string }>();
    expect(new Set(messages.results.map((m) => m.sender_type))).toEqual(new Set(["CustomerRep", "EndUser"]));
    expect(messages.results.every((m) => m.recording_id === body.recordingId)).toBe(true);
    const segments = await env.DB.prepare("SELECT role FROM transcript_segments WHERE call_id = ?1")
      .bind(body.callId)
      .all<{ role: string }>();
    expect(new Set(segments.results.map((x) => x.role))).toEqual(new Set(["agent", "customer"]));
    let sentiment: string | null = null;
    for (let i = 0; i < 100 && !sentiment; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sentiment =
        (
          await env.DB.prepare("SELECT sentiment FROM calls WHERE id = ?1")
            .bind(body.callId)
            .first<{ sentiment: string | null }>()
        )?.sentiment ?? null;
    }
    expect(sentiment).toBe("neutral");
  });

  it("is idempotent by RecordingSid: a retry creates nothing and downloads nothing", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
    await sendQueued(s);
    const first = await copied(s);
    const before = await counts(s.t.customerId);
    const again = await send(s);
    expect(again.status).toBe(202);
    expect(await json(again)).toMatchObject({ recordingId: first.recordingId, duplicate: true, queued: false });
    expect(await counts(s.t.customerId)).toEqual(before);
    expect(await downloads(s)).toHaveLength(1);
  });

  it("a copy job delivered again after it succeeded (queues deliver at least once) downloads nothing", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
    const first = await storeTwilioRecording(env, copyJob(s));
    const again = await storeTwilioRecording(env, copyJob(s));
    expect(first.created).toBe(true);
    expect(again).toEqual({ recording: first.recording, created: false });
    expect(await downloads(s)).toHaveLength(1);
  });

  it("two simultaneous copies of one RecordingSid: one stores it, the other returns the same recording", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
    const job = copyJob(s);
    // Both look for the recording before either has written it; the loser's batch hits the unique index.
    const [a, b] = await Promise.all([storeTwilioRecording(env, job), storeTwilioRecording(env, job)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.recording.id).toBe(b.recording.id);
    expect(await downloads(s)).toHaveLength(2);
    expect(await counts(s.t.customerId)).toMatchObject({ recordings: 1, webhook_events: 1 });
  });

  it("without a call record: creates the call and joins the end user's open phone ticket", async () => {
    const s = await scenario({ withoutCall: true });
    const ticket = await json<{ id: number }>(
      await api("/api/tickets", {
        method: "POST",
        token: s.t.token,
        json: { channel: "phone", subject: "Hi", phoneNumber: s.to },
      }),
    );
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(0.5, 1));
    await sendQueued(s);
    const body = await copied(s);
    expect(body.ticketId).toBe(ticket.id);
    const call = await env.DB.prepare("SELECT * FROM calls WHERE id = ?1").bind(body.callId).first<CallRow>();
    expect(call).toMatchObject({
      call_sid: s.callSid,
      mode: "record",
      state: "Completed",
      rep_id: s.t.repId,
      from_number: s.t.repNumber,
      to_number: s.to,
      ticket_id: ticket.id,
    });
    const rec = await env.DB.prepare("SELECT * FROM recordings WHERE carrier_recording_sid = ?1")
      .bind(s.recordingSid)
      .first<RecordingRow>();
    expect(rec).toMatchObject({ channels: 1, left_role: "CustomerRep+EndUser", right_role: "none", duration_ms: 500 });
  });

  it("a second recording on the same ticket gets the next version", async () => {
    const t = await provisionTenant();
    const a = await scenario({ tenant: t, withoutCall: true });
    const b = { ...(await scenario({ tenant: t, withoutCall: true })) };
    b.to = a.to;
    b.path = a.path;
    await putFakeRecording(t.accountSid, a.recordingSid, pcmWav(0.2));
    await putFakeRecording(t.accountSid, b.recordingSid, pcmWav(0.3));
    await sendQueued(a);
    const ra = await copied(a);
    await sendQueued(b);
    const rb = await copied(b);
    expect(rb.ticketId).toBe(ra.ticketId);
    const versions = await env.DB.prepare("SELECT id, version FROM recordings WHERE ticket_id = ?1 ORDER BY version")
      .bind(ra.ticketId)
      .all<{ id: string; version: number }>();
    expect(versions.results).toEqual([
      { id: ra.recordingId, version: 1 },
      { id: rb.recordingId, version: 2 },
    ]);
  });

  it("streams a large recording of unknown length (chunked) into R2 through a multipart upload", async () => {
    const s = await scenario();
    const wav = pcmWav(400); // 12.8 MB: three 5 MiB parts
    await putFakeRecording(s.t.accountSid, s.recordingSid, wav, { chunked: true });
    await sendQueued(s);
    await copied(s);
    const obj = await env.RECORDINGS.get(objectKey(s));
    expect(obj!.size).toBe(wav.length);
    expect(await sha(await obj!.arrayBuffer())).toBe(await sha(wav));
    const rec = await env.DB.prepare("SELECT * FROM recordings WHERE carrier_recording_sid = ?1")
      .bind(s.recordingSid)
      .first<RecordingRow>();
    expect(rec).toMatchObject({ duration_ms: 400_000, size_bytes: wav.length });
  });

  describe("a failed copy leaves nothing behind and is retried by the queue until it succeeds", () => {
    it.each([
      [
        "Twilio answers 500",
        async (s: Scenario) => {
          await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
          await failNext(`/Recordings/${s.recordingSid}`, 1000);
        },
      ],
      [
        "the connection drops midway",
        async (s: Scenario) => putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(3), { truncateAfter: 5000 }),
      ],
      ["the recording does not exist (yet)", async () => undefined],
      [
        "the media is not a WAV",
        async (s: Scenario) =>
          putFakeRecording(s.t.accountSid, s.recordingSid, new TextEncoder().encode("<html>nope</html>".repeat(10))),
      ],
    ])("%s", async (_name, arrange) => {
      const s = await scenario({ withoutCall: true });
      await arrange(s);
      const before = await counts(s.t.customerId);
      await sendQueued(s);
      // The first attempt failed (its download is in the fake's log): nothing of it is left.
      await eventually(
        () => downloads(s),
        (d) => d.length >= 1,
        "the first attempt",
      );
      await eventually(
        () => downloads(s),
        (d) => d.length >= 2,
        "a retry",
      );
      expect(await counts(s.t.customerId)).toEqual(before);
      expect(await env.RECORDINGS.head(objectKey(s))).toBeNull();

      // Once the media is there, the queue's next retry stores it.
      await twilioFake(`/fail?pathPattern=${encodeURIComponent(`/Recordings/${s.recordingSid}`)}`, {
        method: "DELETE",
      });
      await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
      await copied(s, 30_000);
      expect(await counts(s.t.customerId)).toEqual({
        ...before,
        calls: before.calls + 1,
        tickets: before.tickets + 1,
        recordings: 1,
        webhook_events: 1,
      });
    });
  });

  it("accepts a bare callback (no RecordingStatus, duration or start time) and reads the duration from the WAV", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1.25));
    const form = {
      AccountSid: s.t.accountSid,
      CallSid: s.callSid,
      RecordingSid: s.recordingSid,
      RecordingUrl: "https://api.twilio.com/x",
    };
    await sendQueued(s, form);
    await copied(s);
    const rec = await env.DB.prepare("SELECT * FROM recordings WHERE carrier_recording_sid = ?1")
      .bind(s.recordingSid)
      .first<RecordingRow>();
    expect(rec).toMatchObject({ duration_ms: 1250, started_at: null, ended_at: null, channels: 2 });
  });

  it("acknowledges recording notices other than completed without acting", async () => {
    const s = await scenario();
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
    const before = await counts(s.t.customerId);
    for (const RecordingStatus of ["in-progress", "absent", "failed"]) {
      const res = await send(s, { ...s.form, RecordingStatus });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ ignored: true });
    }
    expect(await counts(s.t.customerId)).toEqual(before);
    expect(await downloads(s)).toEqual([]);
  });

  describe("refuses with 403 and writes nothing", () => {
    it.each([
      ["a forged signature", (s: Scenario) => twilioPost(s.path, s.form, s.t.authToken, { signWith: hex(16) })],
      ["an unknown AccountSid", (s: Scenario) => send(s, { ...s.form, AccountSid: `AC${hex(16)}` })],
      ["an unknown rep", (s: Scenario) => send(s, s.form, s.path.replace(`/${s.t.repId}/`, "/987654321/"))],
      ["a non-numeric rep", (s: Scenario) => send(s, s.form, s.path.replace(`/${s.t.repId}/`, "/abc/"))],
      [
        "another tenant's rep",
        async (s: Scenario) => {
          const o = await provisionTenant();
          return send(s, s.form, s.path.replace(`/${s.t.repId}/`, `/${o.repId}/`));
        },
      ],
      [
        "a customFrom the tenant does not own",
        (s: Scenario) => send(s, s.form, s.path.replace(/customFrom=[^&]+/, "customFrom=%2B3220000000")),
      ],
    ])("%s", async (_name, post) => {
      const s = await scenario();
      await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(1));
      const before = await counts(s.t.customerId);
      const res = await post(s);
      expect(res.status).toBe(403);
      expect(await counts(s.t.customerId)).toEqual(before);
      expect(await downloads(s)).toEqual([]);
    });
  });

  it("answers 400 for missing or malformed fields", async () => {
    const s = await scenario();
    const base = s.path.split("?")[0]!;
    expect((await send(s, s.form, `${base}?customFrom=${encodeURIComponent(s.t.repNumber)}`)).status).toBe(400);
    expect((await send(s, { ...s.form, RecordingSid: "RE 1" })).status).toBe(400);
    expect((await send(s, { ...s.form, CallSid: "" })).status).toBe(400);
    expect((await send(s, { ...s.form, RecordingDuration: "-4" })).status).toBe(400);
    expect(await downloads(s)).toEqual([]);
  });

  it("keeps an inactive rep's recording (the call already happened)", async () => {
    const s = await scenario();
    await admin(`/customers/${s.t.customerId}/reps/${s.t.repId}`, { method: "PATCH", json: { active: false } });
    await putFakeRecording(s.t.accountSid, s.recordingSid, pcmWav(0.5));
    await sendQueued(s);
    await copied(s);
    expect((await counts(s.t.customerId)).recordings).toBe(1);
  });
});
