import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { FakeCall } from "../fakes/twilio";
import { admin, api, BASE, json, twilioFake } from "../helpers";
import { eventually } from "../live/stream-client";
import {
  campaignStub,
  controlCampaign,
  createCampaign,
  createdCalls,
  happen,
  outboundTenant,
  uploadContacts,
  type OutboundTenant,
} from "./outbound-helpers";

interface Contact {
  number: string;
  state: string;
  attempts: number;
  lastOutcome: string | null;
  lastError: string | null;
  lastCallId: string | null;
}

const contacts = async (t: OutboundTenant, id: number) =>
  (await json<{ items: Contact[] }>(await api(`/api/v1/campaigns/${id}/contacts`, { token: t.caller }))).items;
const campaign = async (t: OutboundTenant, id: number) =>
  json<{ status: string; lastError: string | null; progress: Record<string, number> }>(
    await api(`/api/v1/campaigns/${id}`, { token: t.caller }),
  );
const callsAtLeast = (t: OutboundTenant, n: number, what: string) =>
  eventually(
    () => createdCalls(t),
    (c) => c.length >= n,
    what,
  );
const callTo = (calls: FakeCall[], number: string) => calls.filter((c) => c.to === number).at(-1)!;

/** A running campaign over `numbers` (all-day hours unless given). */
async function running(t: OutboundTenant, numbers: string[], settings: Record<string, unknown>) {
  const camp = await createCampaign(t, settings);
  const csv = ["number,name", ...numbers.map((n, i) => `${n},Contact ${i + 1}`)].join("\n");
  expect((await uploadContacts(t, camp.id, csv, "text/csv")).status).toBe(201);
  expect((await controlCampaign(t, camp.id, "start")).status).toBe(200);
  return camp.id;
}

describe("a campaign's object dials its list (docs/campaigns.md)", () => {
  it("keeps to max concurrent, settles every outcome, retries busy and unanswered numbers, and completes", async () => {
    const t = await outboundTenant();
    const [n1, n2, n3] = ["+32470770001", "+32470770002", "+32470770003"];
    const id = await running(t, [n1!, n2!, n3!], {
      pace: { callsPerMinute: 20, maxConcurrent: 2 },
      retry: { maxAttempts: 2, delayMinutes: 0, on: ["busy", "no-answer"] },
    });
    let calls = await callsAtLeast(t, 2, "the first two calls");
    // At most two at once, however often it looks.
    expect((await campaignStub(t.customerId, id).tick()).placed).toBe(0);
    expect((await createdCalls(t)).map((c) => c.to)).toEqual([n1, n2]);
    const p = calls[0]!.request_params!;
    expect(p).toMatchObject({ From: t.assistantNumber, MachineDetection: "Enable" });
    expect(p.AsyncAmdStatusCallback).toBe(`${BASE}/api/TwilioCalls/amdcallback?onMachine=hangup`);
    const record = await env.DB.prepare("SELECT * FROM calls WHERE call_sid = ?1").bind(calls[0]!.sid).first();
    expect(record).toMatchObject({
      campaign_id: id,
      metadata_json: JSON.stringify({ name: "Contact 1" }),
      rep_id: null,
    });

    // n1 busy: n3 (waiting longer) goes next, n1 again once there is room.
    await happen(callTo(calls, n1!).sid, { event: "end", status: "busy" });
    calls = await callsAtLeast(t, 3, "n3's call");
    expect(calls[2]!.to).toBe(n3);
    await happen(callTo(calls, n2!).sid, { event: "end", status: "completed", duration: 40 });
    calls = await callsAtLeast(t, 4, "n1's second attempt");
    expect(calls[3]!.to).toBe(n1);
    await happen(callTo(calls, n3!).sid, { event: "end", status: "no-answer" });
    calls = await callsAtLeast(t, 5, "n3's second attempt");
    expect(calls[4]!.to).toBe(n3);
    // n1 busy again: out of attempts. n3 reaches a machine: voicemail, hung up (the campaign's default), done.
    await happen(callTo(calls, n1!).sid, { event: "end", status: "busy" });
    await happen(callTo(calls, n3!).sid, { event: "amd", answeredBy: "machine_start" });
    await happen(callTo(calls, n3!).sid, { event: "end", status: "completed", duration: 5 });

    const done = await eventually(
      () => campaign(t, id),
      (c) => c.status === "completed",
      "the campaign to complete",
    );
    expect(done.progress).toEqual({ pending: 0, inProgress: 0, completed: 2, failed: 1, total: 3 });
    expect(await contacts(t, id)).toEqual([
      expect.objectContaining({ number: n1, state: "failed", attempts: 2, lastOutcome: "busy" }),
      expect.objectContaining({ number: n2, state: "completed", attempts: 1, lastOutcome: "completed" }),
      expect.objectContaining({ number: n3, state: "completed", attempts: 2, lastOutcome: "voicemail" }),
    ]);
    expect(await createdCalls(t)).toHaveLength(5);
    // Every call carries the campaign: the call-data API lists them by campaignId, with their outcomes.
    const listed = await json<{ items: { outcome: string | null; campaignId: number }[]; total: number }>(
      await api(`/api/v1/voice-calls?campaignId=${id}&direction=Outbound`, { token: t.caller }),
    );
    expect(listed.total).toBe(5);
    expect(listed.items.every((c) => c.campaignId === id)).toBe(true);
    expect(listed.items.map((c) => c.outcome).sort()).toEqual(["busy", "busy", "no-answer", "voicemail", null].sort());
  });

  it("keeps to calls per minute, and wakes when the oldest placement leaves the minute", async () => {
    const t = await outboundTenant();
    const numbers = ["+32470880001", "+32470880002", "+32470880003", "+32470880004"];
    const id = await running(t, numbers, {
      pace: { callsPerMinute: 2, maxConcurrent: 5 },
      retry: { on: [] },
    });
    const calls = await callsAtLeast(t, 2, "two calls");
    for (const c of calls) await happen(c.sid, { event: "end", status: "failed" });
    const stub = campaignStub(t.customerId, id);
    await eventually(
      () => campaign(t, id),
      (c) => c.progress.failed === 2,
      "both attempts settled",
    );
    expect((await stub.tick()).placed).toBe(0);
    const { alarm, placements } = await runInDurableObject(stub, async (_o, state) => ({
      alarm: await state.storage.getAlarm(),
      placements: state.storage.kv.get<number[]>("campaign:placements") ?? [],
    }));
    expect(placements).toHaveLength(2);
    expect(alarm).toBe(placements[0]! + 60_000);
    expect(await createdCalls(t)).toHaveLength(2);

    // The minute passes (moved back in the object's storage rather than waited for).
    await runInDurableObject(stub, (_o, state) =>
      state.storage.kv.put(
        "campaign:placements",
        placements.map((p) => p - 60_000),
      ),
    );
    expect((await stub.tick()).placed).toBe(2);
    expect((await createdCalls(t)).map((c) => c.to)).toEqual(numbers);
  });

  it("places nothing outside the calling hours (in the tenant's time zone) and wakes when they open", async () => {
    const t = await outboundTenant();
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { timeZone: "Asia/Tokyo" } });
    const now = Date.now();
    const tokyo = new Date(now + 9 * 3_600_000);
    const start = (tokyo.getUTCHours() + 2) % 24;
    const pad = (h: number) => `${String(h).padStart(2, "0")}:00`;
    const id = await running(t, ["+32470990001"], { callingHours: { start: pad(start), end: pad(start + 1) } });
    const stub = campaignStub(t.customerId, id);
    const tick = await stub.tick();
    expect(tick).toMatchObject({ placed: 0, status: "running" });
    const todayAtStart =
      Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth(), tokyo.getUTCDate(), start) - 9 * 3_600_000;
    const opening = todayAtStart > now ? todayAtStart : todayAtStart + 86_400_000;
    expect(tick.wakeAt).toBe(opening);
    expect(await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())).toBe(opening);
    expect(await createdCalls(t)).toEqual([]);

    // Within the hours (here: they now cover the whole day), the number is dialed.
    await admin(`/customers/${t.customerId}/campaigns/${id}`, {
      method: "PATCH",
      json: { callingHours: { start: "00:00", end: "24:00" } },
    });
    expect((await stub.tick()).placed).toBe(1);
  });

  it("survives a restart: a fresh object settles from D1 on its alarm and goes on", async () => {
    const t = await outboundTenant();
    const id = await running(t, ["+32470660001", "+32470660002"], { pace: { maxConcurrent: 1 } });
    const [first] = await callsAtLeast(t, 1, "the first call");
    const stub = campaignStub(t.customerId, id);
    await runInDurableObject(stub, (_o, state) => state.abort("simulated restart")).catch(() => undefined);
    // The call ends without any notification (as when the live engine closes it): only D1 knows.
    await env.DB.prepare("UPDATE calls SET state = 'Completed', end_time = ?2 WHERE call_sid = ?1")
      .bind(first!.sid, new Date().toISOString())
      .run();
    // A new stub reaches the new instance (the old one is broken with the old instance).
    const fresh = campaignStub(t.customerId, id);
    expect(await runDurableObjectAlarm(fresh)).toBe(true);
    const calls = await createdCalls(t);
    expect(calls.map((c) => c.to)).toEqual(["+32470660001", "+32470660002"]);
    expect((await contacts(t, id)).map((c) => c.state)).toEqual(["completed", "inProgress"]);
    const placements = await runInDurableObject(fresh, (_o, state) =>
      state.storage.kv.get<number[]>("campaign:placements"),
    );
    expect(placements).toHaveLength(2);
  });

  it("a number Twilio refuses fails; a placement Twilio cannot take now waits and is tried again", async () => {
    const t = await outboundTenant();
    const fail = (status: number, code: number, message: string) =>
      twilioFake("/fail", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ pathPattern: `/Accounts/${t.accountSid}/Calls\\.json$`, status, code, message }),
      });
    await fail(503, 20500, "Service unavailable");
    await fail(400, 21211, "Invalid 'To' Phone Number: +32470000000");
    const id = await running(t, ["+32470550001", "+32470550002"], { pace: { maxConcurrent: 2 } });
    const settled = await eventually(
      () => contacts(t, id),
      (cs) => cs.every((c) => c.lastError !== null),
      "both placements to fail",
    );
    expect(settled).toEqual([
      expect.objectContaining({ state: "pending", attempts: 0, lastError: expect.stringMatching(/unavailable/) }),
      expect.objectContaining({ state: "failed", attempts: 1, lastOutcome: "failed", lastCallId: null }),
    ]);
    expect((await contacts(t, id))[1]!.lastError).toMatch(/Invalid 'To'/);
    // Refused calls leave no call record behind.
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE customer_id = ?1")
      .bind(t.customerId)
      .first<{ n: number }>();
    expect(n?.n).toBe(0);
    expect(await campaign(t, id)).toMatchObject({ status: "running", progress: { pending: 1, failed: 1 } });
  });

  it("pauses itself when it cannot dial (its caller ID is no longer the tenant's), saying why", async () => {
    const t = await outboundTenant();
    const id = await running(t, ["+32470440001"], {});
    await callsAtLeast(t, 1, "the first call");
    await env.DB.prepare("UPDATE campaigns SET caller_id = '+3225550000' WHERE id = ?1").bind(id).run();
    await uploadContacts(t, id, "number\n+32470440002\n", "text/csv");
    const paused = await eventually(
      () => campaign(t, id),
      (c) => c.status === "paused",
      "the campaign to pause",
    );
    expect(paused.lastError).toMatch(/caller ID \+3225550000 is not a number of this account/);
    expect(await createdCalls(t)).toHaveLength(1);
  });
});
