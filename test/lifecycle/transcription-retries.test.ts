import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pcm16Wav } from "../../src/audio/wav";
import { getRecording, insertRecording } from "../../src/db/recordings";
import { listMessages } from "../../src/db/tickets";
import type { Job } from "../../src/lib/jobs";
import { hex, openaiFake, provisionTenant, type Tenant } from "../helpers";
import { newTicket } from "../routes/audio-helpers";
import worker from "../worker";

/** A pending upload-style recording of one utterance (one transcription request) on a new ticket. */
async function pendingRecording(t: Tenant) {
  const ticketId = await newTicket(t);
  const samples = new Int16Array(2 * 8000);
  for (let i = 2 * 1600; i < 2 * 4800; i += 2) samples[i] = 3000; // the left channel speaks from 200 to 600 ms
  const key = `test/${hex(8)}.wav`;
  await env.RECORDINGS.put(key, pcm16Wav(samples, 2, 8000));
  const rec = await insertRecording(env.DB, {
    customer_id: t.customerId,
    ticket_id: ticketId,
    r2_key: key,
    source: "upload",
    duration_ms: 1000,
    channels: 2,
  });
  return { ticketId, rec };
}

const failTranscriptions = (t: Tenant, failure: Record<string, unknown> | null) =>
  openaiFake(`/transcriptions/fail?apiKey=${t.openaiKey}`, { method: "POST", body: JSON.stringify(failure) });

/** Delivers one `transcribe` message to the consumer, as its `attempts`th attempt; what the consumer did with it. */
async function deliver(job: Job, attempts: number) {
  const batch = createMessageBatch<Job>("voicedesk-post-call", [
    { id: `m${attempts}`, timestamp: new Date(), attempts, body: job },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const r = await getQueueResult(batch, ctx);
  return {
    acked: r.explicitAcks,
    retried: r.retryMessages.map((m: { msgId: string }) => m.msgId),
  };
}

describe("a queued transcription OpenAI fails", () => {
  it("is retried by the queue while OpenAI fails for now (500 twice: the client's own retry too), then done", async () => {
    const t = await provisionTenant();
    const { ticketId, rec } = await pendingRecording(t);
    await failTranscriptions(t, { status: 500, message: "The server had an error", type: "server_error", times: 2 });
    const job: Job = { kind: "transcribe", customerId: t.customerId, recordingId: rec.id };

    expect(await deliver(job, 1)).toEqual({ acked: [], retried: ["m1"] });
    expect(await getRecording(env.DB, t.customerId, rec.id)).toMatchObject({
      transcription_status: "pending",
      transcription_reason: expect.stringMatching(/^OpenAI answered 500: /),
    });
    expect(await listMessages(env.DB, t.customerId, ticketId)).toEqual([]);

    expect(await deliver(job, 2)).toEqual({ acked: ["m2"], retried: [] });
    expect(await getRecording(env.DB, t.customerId, rec.id)).toMatchObject({
      transcription_status: "done",
      transcription_reason: null,
    });
    expect((await listMessages(env.DB, t.customerId, ticketId)).map((m) => [m.sender_type, m.text])).toEqual([
      ["EndUser", "wav 800 ms peak 3000 mean 1500"],
    ]);
  });

  it("is retried when OpenAI does not answer at all", async () => {
    const t = await provisionTenant();
    const { rec } = await pendingRecording(t);
    await failTranscriptions(t, { status: 0, message: "", times: 2 });
    const job: Job = { kind: "transcribe", customerId: t.customerId, recordingId: rec.id };
    expect(await deliver(job, 1)).toEqual({ acked: [], retried: ["m1"] });
    expect((await getRecording(env.DB, t.customerId, rec.id))?.transcription_reason).toMatch(
      /^OpenAI answered no response: /,
    );
    expect(await deliver(job, 2)).toEqual({ acked: ["m2"], retried: [] });
    expect((await getRecording(env.DB, t.customerId, rec.id))?.transcription_status).toBe("done");
  });

  it("is settled as failed, acknowledged and not retried, when OpenAI refuses it (401)", async () => {
    const t = await provisionTenant();
    const { ticketId, rec } = await pendingRecording(t);
    await failTranscriptions(t, { status: 401, message: "Incorrect API key provided", code: "invalid_api_key" });
    const job: Job = { kind: "transcribe", customerId: t.customerId, recordingId: rec.id };
    expect(await deliver(job, 1)).toEqual({ acked: ["m1"], retried: [] });
    expect(await getRecording(env.DB, t.customerId, rec.id)).toMatchObject({
      transcription_status: "failed",
      transcription_reason: expect.stringMatching(/^OpenAI answered 401: .*Incorrect API key/),
    });
    // A repeated message (the sweep only queues pending ones) changes nothing and asks OpenAI nothing.
    await failTranscriptions(t, null);
    expect(await deliver(job, 2)).toEqual({ acked: ["m2"], retried: [] });
    expect((await getRecording(env.DB, t.customerId, rec.id))?.transcription_status).toBe("failed");
    expect(await listMessages(env.DB, t.customerId, ticketId)).toEqual([]);
  });
});
