import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getCall } from "../../src/db/calls";
import { getRecording } from "../../src/db/recordings";
import { retryDelaySeconds, type Job } from "../../src/lib/jobs";
import { DAILY_CRON, SWEEP_CRON } from "../../src/lifecycle/scheduled";
import { admin, api, provisionTenant, twilioFake } from "../helpers";
import { eventually } from "../live/stream-client";
import { seedCall, seedRecording, wavBytes } from "../seed/calls";
import worker from "../worker";
import { recordedTwilioCall } from "./helpers";

const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY).toISOString();
const runCron = async (cron: string) => {
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), env);
};
const rows = async (sql: string, ...args: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...args)
      .all()
  ).results;

describe("retention (the daily cron)", () => {
  it("deletes a tenant's recordings and transcripts older than its retention; newer ones, typed messages and other tenants stay", async () => {
    const t = await provisionTenant({ openai: false });
    const keeper = await provisionTenant({ openai: false });
    expect((await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { retentionDays: 30 } })).status).toBe(
      200,
    );
    expect(await (await admin(`/customers/${t.customerId}`)).json()).toMatchObject({ retentionDays: 30 });
    const old = await seedCall(t.customerId, {
      createdAt: daysAgo(40),
      transcript: [{ sender: "EndUser", text: "old words", offsetMs: 0 }],
    });
    const oldRec = await seedRecording(t.customerId, old, wavBytes(100));
    const fresh = await seedCall(t.customerId, { transcript: [{ sender: "EndUser", text: "new words", offsetMs: 0 }] });
    const freshRec = await seedRecording(t.customerId, fresh, wavBytes(100));
    const other = await seedCall(keeper.customerId, {
      createdAt: daysAgo(400),
      transcript: [{ sender: "AI", text: "kept", offsetMs: 0 }],
    });
    const otherRec = await seedRecording(keeper.customerId, other, wavBytes(100));
    // Age what the seed wrote just now as if it were written then.
    await env.DB.batch([
      env.DB.prepare("UPDATE recordings SET created_at = ?2 WHERE id IN (?1, ?3)").bind(
        oldRec.id,
        daysAgo(40),
        otherRec.id,
      ),
      env.DB.prepare("UPDATE transcript_segments SET created_at = ?2 WHERE call_id IN (?1, ?3)").bind(
        old.id,
        daysAgo(40),
        other.id,
      ),
    ]);
    const ticket = (await (
      await api("/api/tickets", { method: "POST", token: t.token, json: { channel: "web", subject: "x" } })
    ).json()) as { id: number };
    await api(`/api/tickets/${ticket.id}/messages`, {
      method: "POST",
      token: t.token,
      json: { senderType: "CustomerRep", text: "typed" },
    });
    await env.DB.prepare("UPDATE ticket_messages SET created_at = ?2 WHERE ticket_id = ?1")
      .bind(ticket.id, daysAgo(40))
      .run();

    await runCron(DAILY_CRON);
    expect(await getRecording(env.DB, t.customerId, oldRec.id)).toBeNull();
    expect(await env.RECORDINGS.head(oldRec.r2_key)).toBeNull();
    expect(await rows("SELECT text FROM transcript_segments WHERE customer_id = ?1", t.customerId)).toEqual([
      { text: "new words" },
    ]);
    expect(await getRecording(env.DB, t.customerId, freshRec.id)).not.toBeNull();
    expect(await rows("SELECT text FROM ticket_messages WHERE ticket_id = ?1", ticket.id)).toEqual([{ text: "typed" }]);
    expect(await getCall(env.DB, t.customerId, old.id)).not.toBeNull(); // the call's record stays, without them
    expect(await getRecording(env.DB, keeper.customerId, otherRec.id)).not.toBeNull();
    expect(await rows("SELECT text FROM transcript_segments WHERE customer_id = ?1", keeper.customerId)).toEqual([
      { text: "kept" },
    ]);
  });

  it("keeps nothing with retentionDays 0: the next run deletes what was written before it", async () => {
    const t = await provisionTenant({ openai: false });
    expect((await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { retentionDays: 0 } })).status).toBe(
      200,
    );
    const call = await seedCall(t.customerId, { transcript: [{ sender: "EndUser", text: "just now", offsetMs: 0 }] });
    const rec = await seedRecording(t.customerId, call, wavBytes(100));
    await runCron(DAILY_CRON);
    expect(await getRecording(env.DB, t.customerId, rec.id)).toBeNull();
    expect(await rows("SELECT text FROM transcript_segments WHERE customer_id = ?1", t.customerId)).toEqual([]);
    expect((await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { retentionDays: -1 } })).status).toBe(
      400,
    );
  });

  it("runs with any other cron too (`/__scheduled` without ?cron=): every job, retention included", async () => {
    const t = await provisionTenant({ openai: false });
    await admin(`/customers/${t.customerId}`, { method: "PATCH", json: { retentionDays: 30 } });
    const old = await seedCall(t.customerId, { createdAt: daysAgo(40) });
    const rec = await seedRecording(t.customerId, old, wavBytes(100));
    await env.DB.prepare("UPDATE recordings SET created_at = ?2 WHERE id = ?1").bind(rec.id, daysAgo(40)).run();
    await runCron("");
    expect(await getRecording(env.DB, t.customerId, rec.id)).toBeNull();
  });

  it("purges expired phone-login codes and old webhook deliveries", async () => {
    const t = await provisionTenant({ openai: false });
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO phone_login_codes (customer_id, phone_number, code_hash, expires_at, created_at) VALUES (?1, '+3247', 'h', ?2, ?2)",
      ).bind(t.customerId, daysAgo(2)),
      env.DB.prepare(
        "INSERT INTO phone_login_codes (customer_id, phone_number, code_hash, expires_at, created_at) VALUES (?1, '+3248', 'h', ?2, ?2)",
      ).bind(t.customerId, new Date(Date.now() + 60_000).toISOString()),
      env.DB.prepare(
        "INSERT INTO webhook_events (source, event_id, customer_id, created_at) VALUES ('x', ?1, ?2, ?3)",
      ).bind(`old-${t.customerId}`, t.customerId, daysAgo(45)),
      env.DB.prepare(
        "INSERT INTO webhook_events (source, event_id, customer_id, created_at) VALUES ('x', ?1, ?2, ?3)",
      ).bind(`new-${t.customerId}`, t.customerId, daysAgo(1)),
    ]);
    await runCron(DAILY_CRON);
    expect(await rows("SELECT phone_number FROM phone_login_codes WHERE customer_id = ?1", t.customerId)).toEqual([
      { phone_number: "+3248" },
    ]);
    expect(await rows("SELECT event_id FROM webhook_events WHERE customer_id = ?1", t.customerId)).toEqual([
      { event_id: `new-${t.customerId}` },
    ]);
  });
});

describe("post-call work left pending", () => {
  it("is queued again by the 5-minute sweep: a transcription whose message was lost gets done", async () => {
    const t = await provisionTenant();
    const c = await recordedTwilioCall(t);
    // As if the job had been lost before it ran: pending for a long while, no message in the queue.
    await env.DB.prepare("UPDATE recordings SET transcription_status = 'pending', created_at = ?2 WHERE id = ?1")
      .bind(c.recording.id, daysAgo(1))
      .run();
    await runCron(SWEEP_CRON);
    const rec = await eventually(
      () => getRecording(env.DB, t.customerId, c.recording.id),
      (r) => r?.transcription_status === "done",
      "the swept transcription",
      15_000,
    );
    expect(rec?.transcription_status).toBe("done");
    // Idempotent: the transcript was replaced, not doubled.
    const lines = await rows("SELECT COUNT(*) AS n FROM transcript_segments WHERE recording_id = ?1", c.recording.id);
    const again = await rows("SELECT COUNT(*) AS n FROM ticket_messages WHERE recording_id = ?1", c.recording.id);
    expect(lines).toEqual(again);
  });

  it("a job the queue gave up on is kept, marked failed, and tried again by the daily cron", async () => {
    const t = await provisionTenant();
    const c = await recordedTwilioCall(t);
    await env.DB.prepare("UPDATE recordings SET transcription_status = 'pending' WHERE id = ?1")
      .bind(c.recording.id)
      .run();
    const job: Job = { kind: "transcribe", customerId: t.customerId, recordingId: c.recording.id };
    const batch = createMessageBatch<Job>("voicedesk-post-call-dlq", [
      { id: "m1", timestamp: new Date(), attempts: 9, body: job },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m1"]);
    expect((await getRecording(env.DB, t.customerId, c.recording.id))?.transcription_status).toBe("failed");
    expect(await rows("SELECT kind FROM failed_jobs WHERE customer_id = ?1", t.customerId)).toEqual([
      { kind: "transcribe" },
    ]);

    await runCron(DAILY_CRON);
    expect(await rows("SELECT kind FROM failed_jobs WHERE customer_id = ?1", t.customerId)).toEqual([]);
    await eventually(
      () => getRecording(env.DB, t.customerId, c.recording.id),
      (r) => r?.transcription_status === "done",
      "the retried job",
      15_000,
    );
  });

  it("retries a failing job with backoff instead of dropping it", async () => {
    const t = await provisionTenant();
    const job: Job = { kind: "sentiment", customerId: t.customerId, callId: "vc_missing" };
    const batch = createMessageBatch<Job>("voicedesk-post-call", [
      { id: "m2", timestamp: new Date(), attempts: 3, body: job },
    ]);
    const ctx = createExecutionContext();
    // No call: a settled outcome (skipped), acknowledged.
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m2"]);
    // Twilio fails to delete its copy: the job is retried (after 2^(attempts-1) s, at most 10 min), not acknowledged.
    await twilioFake("/fail", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        pathPattern: "/Recordings/RE0{32}\\.json",
        status: 500,
        code: 20500,
        message: "Internal Server Error",
        times: 1,
      }),
    });
    const bad = createMessageBatch<Job>("voicedesk-post-call", [
      {
        id: "m3",
        timestamp: new Date(),
        attempts: 3,
        body: {
          kind: "delete-carrier-recording",
          customerId: t.customerId,
          source: "twilio",
          recordingSid: `RE${"0".repeat(32)}`,
        },
      },
    ]);
    const ctx2 = createExecutionContext();
    await worker.queue(bad, env);
    const result = await getQueueResult(bad, ctx2);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m3"]);
    expect(result.explicitAcks).toEqual([]);
    expect([1, 2, 3, 4, 10, 30].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 512, 600]);
  });
});
