import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCallBySid } from "../../../src/db/calls";
import { getRecordingByCarrierSid } from "../../../src/db/recordings";
import type { FakeCall } from "../../fakes/telnyx/calls";
import { admin, api, json } from "../../helpers";
import { eventually } from "../../live/stream-client";
import { telnyxCommands, telnyxFake } from "./helpers";
import {
  fakeTelnyxCall,
  legPayload,
  randomCaller,
  sendTelnyx,
  telnyxTenant,
  tenantFootprint,
  type TelnyxTenant,
} from "./tenant";

/** An answered-and-ended Telnyx call (to a number without an assistant: nothing streams). */
async function endedCall(t: TelnyxTenant): Promise<FakeCall> {
  const c = await fakeTelnyxCall(t, randomCaller(), "+15550002222");
  await sendTelnyx(t, { eventType: "call.initiated", payload: { ...legPayload(c), direction: "incoming" } });
  await sendTelnyx(t, { eventType: "call.hangup", payload: { ...legPayload(c), hangup_cause: "normal_clearing" } });
  return c;
}

const saved = (c: FakeCall, url: string, extra: Record<string, unknown> = {}) => ({
  call_control_id: c.call_control_id,
  call_leg_id: c.call_leg_id,
  call_session_id: c.call_session_id,
  connection_id: c.connection_id,
  recording_id: crypto.randomUUID(),
  channels: "dual",
  recording_started_at: "2026-01-07T08:00:00.000Z",
  recording_ended_at: "2026-01-07T08:00:01.000Z",
  recording_urls: { wav: url, mp3: null },
  ...extra,
});

const int16At = (bytes: Uint8Array, offset: number) => new DataView(bytes.buffer).getInt16(offset, true);

describe("call.recording.saved: the recording copied from Telnyx into R2", () => {
  it("copies a dual-channel recording as it is (caller left), serves it like any call's, and once only", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await endedCall(t);
    const rec = await telnyxFake<{ name: string; url: string }>("/recordings", {
      channels: 2,
      left: 1000,
      right: -2000,
    });
    const payload = saved(c, rec.url, { call_control_id: undefined });
    const id = crypto.randomUUID();
    const res = await sendTelnyx(t, { eventType: "call.recording.saved", payload, id });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ handled: "recording copy queued" });

    const stored = await eventually(
      () => getRecordingByCarrierSid(env.DB, t.customerId, String(payload.recording_id)),
      (r) => r !== null,
      "the queued copy",
    );
    const call = (await getCallBySid(env.DB, t.customerId, "telnyx", c.call_control_id))!;
    expect(stored).toMatchObject({
      call_id: call.id,
      source: "telnyx",
      content_type: "audio/wav",
      channels: 2,
      sample_rate: 8000,
      duration_ms: 1000,
      left_role: "EndUser",
      ticket_id: call.ticket_id,
    });
    const object = await env.RECORDINGS.get(stored!.r2_key);
    const bytes = new Uint8Array(await object!.arrayBuffer());
    expect(bytes.length).toBe(44 + 8000 * 4);
    // The caller's samples stay on the left channel, the other side's on the right.
    expect([int16At(bytes, 44), int16At(bytes, 46), int16At(bytes, bytes.length - 4)]).toEqual([1000, -2000, 1000]);

    const meta = await api(`/api/voice/recordings/${call.id}`, { token: t.token });
    expect(meta.status).toBe(200);
    const signed = await json<{ recordingUrl: string }>(
      await api(`/api/v1/voice-calls/${call.id}/recording-url`, { token: t.token }),
    );
    const download = await api(new URL(signed.recordingUrl).pathname + new URL(signed.recordingUrl).search);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);

    const before = await tenantFootprint(t.customerId);
    const again = await sendTelnyx(t, { eventType: "call.recording.saved", payload, id });
    expect(await json(again)).toMatchObject({ ignored: "already handled" });
    const resent = await sendTelnyx(t, { eventType: "call.recording.saved", payload });
    expect(await json(resent)).toMatchObject({ ignored: "recording already stored" });
    expect((await tenantFootprint(t.customerId)).recordings).toBe(before.recordings);
    expect(
      (await telnyxFake<{ downloads: number }>(`/recordings?name=${encodeURIComponent(rec.name)}`)).downloads,
    ).toBe(1);
  });

  it("copies one whose event names no connection (the tenant is its number's) or no leg (its recording_id does)", async () => {
    const t = await telnyxTenant({ welcome: null });
    // A number of the tenant's without an assistant: nothing answers or streams.
    const number = `+3228${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    expect((await admin(`/customers/${t.customerId}/phone-numbers`, { method: "POST", json: { number } })).status).toBe(
      201,
    );
    const c = await fakeTelnyxCall(t, randomCaller(), number);
    const { connection_id: _c, call_leg_id: _l, ...bare } = legPayload(c);
    await sendTelnyx(t, { eventType: "call.initiated", payload: { ...bare, direction: "incoming" } });
    await sendTelnyx(t, { eventType: "call.hangup", payload: { ...bare, hangup_cause: "normal_clearing" } });
    const call = (await getCallBySid(env.DB, t.customerId, "telnyx", c.call_control_id))!;
    expect(call.state).toBe("Completed");

    const rec = await telnyxFake<{ url: string }>("/recordings", { channels: 1 });
    const withLeg = saved(c, rec.url, { connection_id: undefined, channels: "single", from: c.from, to: c.to });
    const res = await sendTelnyx(t, { eventType: "call.recording.saved", payload: withLeg });
    expect([res.status, await json(res)]).toEqual([200, expect.objectContaining({ handled: "recording copy queued" })]);
    const noLeg = { ...withLeg, call_leg_id: undefined, recording_id: crypto.randomUUID() };
    const second = await sendTelnyx(t, { eventType: "call.recording.saved", payload: noLeg });
    expect([second.status, await json(second)]).toEqual([
      200,
      expect.objectContaining({ handled: "recording copy queued" }),
    ]);
    for (const ref of [withLeg.recording_id, noLeg.recording_id]) {
      const stored = await eventually(
        () => getRecordingByCarrierSid(env.DB, t.customerId, ref),
        (r) => r !== null,
        "the queued copy",
      );
      expect(stored).toMatchObject({ call_id: call.id, source: "telnyx", channels: 1 });
    }

    // Neither the recording nor the leg named: the copy would have no name (400, nothing written).
    const before = await tenantFootprint(t.customerId);
    const nameless = await sendTelnyx(t, {
      eventType: "call.recording.saved",
      payload: { ...noLeg, recording_id: undefined },
    });
    expect(nameless.status).toBe(400);
    expect((await json<{ issues: { path: string }[] }>(nameless)).issues.map((i) => i.path)).toEqual([
      "data.payload.call_leg_id",
    ]);
    expect(await tenantFootprint(t.customerId)).toEqual(before);
  });

  it("refuses a link outside Telnyx's hosts (400, nothing queued or written)", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await endedCall(t);
    const before = await tenantFootprint(t.customerId);
    for (const url of [
      "https://evil.example.com/telephony-recorder-prod/a.wav",
      "https://s3.amazonaws.com/someone-elses-bucket/a.wav",
      "http://api.telnyx.com/recording.wav",
      "https://user:pw@api.telnyx.com/recording.wav",
    ]) {
      const res = await sendTelnyx(t, { eventType: "call.recording.saved", payload: saved(c, url) });
      expect(res.status, url).toBe(400);
      expect((await json<{ issues: { path: string }[] }>(res)).issues.map((i) => i.path)).toEqual([
        "data.payload.recording_urls.wav",
      ]);
    }
    expect(await tenantFootprint(t.customerId)).toEqual(before);
  });

  it("deleting the call deletes our copy, the call's ids and Telnyx's copy", async () => {
    const t = await telnyxTenant({ welcome: null });
    const c = await endedCall(t);
    const rec = await telnyxFake<{ url: string }>("/recordings", { channels: 1 });
    const payload = saved(c, rec.url, { channels: "single" });
    await sendTelnyx(t, { eventType: "call.recording.saved", payload });
    const stored = await eventually(
      () => getRecordingByCarrierSid(env.DB, t.customerId, String(payload.recording_id)),
      (r) => r !== null,
      "the queued copy",
    );
    const res = await api(`/api/v1/voice-calls/${stored!.call_id}`, { method: "DELETE", token: t.token });
    expect(res.status).toBe(204);
    expect(await env.RECORDINGS.head(stored!.r2_key)).toBeNull();
    expect((await tenantFootprint(t.customerId)).telnyx_call_refs).toBe(0);
    const deletes = await eventually(
      () => telnyxCommands(t.telnyx),
      (cmds) => cmds.some((x) => x.action === "delete_recording"),
      "Telnyx's copy to be deleted",
    );
    expect(deletes.filter((x) => x.action === "delete_recording").map((x) => [x.callControlId, x.status])).toEqual([
      [payload.recording_id, 200],
    ]);
  });
});
