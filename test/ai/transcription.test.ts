import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { transcribeRecording, transientOpenAIError } from "../../src/ai/transcription";
import { encodeMulaw } from "../../src/audio/mulaw";
import { pcm16Wav, wavHeader } from "../../src/audio/wav";
import { insertCall } from "../../src/db/calls";
import { getCustomer } from "../../src/db/customers";
import { getRecording, insertRecording } from "../../src/db/recordings";
import { listSegments } from "../../src/db/transcripts";
import { listMessages } from "../../src/db/tickets";
import { hex, json, openaiFake, provisionTenant, type Tenant } from "../helpers";
import { newTicket } from "../routes/audio-helpers";
import { refUlawDecode, refUlawEncode } from "../audio/reference";

const RATE = 8000;

/** Two channels of 16-bit samples where each [channel, fromMs, toMs, value] span is a constant "voice". */
function dualSignal(ms: number, spans: [number, number, number, number][]): [Int16Array, Int16Array] {
  const ch: [Int16Array, Int16Array] = [new Int16Array((ms * RATE) / 1000), new Int16Array((ms * RATE) / 1000)];
  for (const [c, from, to, v] of spans) ch[c]!.fill(v, (from * RATE) / 1000, (to * RATE) / 1000);
  return ch;
}
const interleave = ([l, r]: [Int16Array, Int16Array]) => {
  const out = new Int16Array(l.length * 2);
  l.forEach((s, i) => {
    out[2 * i] = s;
    out[2 * i + 1] = r[i]!;
  });
  return out;
};

async function storeRecording(
  t: Tenant,
  bytes: Uint8Array,
  extra: {
    ticket_id?: number;
    call_id?: string;
    left_role?: string;
    right_role?: string;
    source?: "twilio" | "upload";
  },
) {
  const key = `test/${hex(8)}.wav`;
  await env.RECORDINGS.put(key, bytes);
  return insertRecording(env.DB, {
    customer_id: t.customerId,
    r2_key: key,
    source: extra.source ?? "twilio",
    duration_ms: 0,
    channels: 2,
    ...extra,
  });
}

async function call(t: Tenant, ticketId: number) {
  return insertCall(env.DB, {
    customer_id: t.customerId,
    carrier: "twilio",
    direction: "Inbound",
    state: "Completed",
    ticket_id: ticketId,
  });
}

const requests = async (t: Tenant) =>
  json<{ model: string; filename: string; contentType: string; bytes: number; text: string; fields: string[] }[]>(
    await openaiFake(`/transcriptions/requests?apiKey=${t.openaiKey}`),
  );

describe("transcribeRecording", () => {
  it("transcribes a Twilio-style dual-channel μ-law WAV into messages and call segments", async () => {
    const t = await provisionTenant();
    const ticketId = await newTicket(t);
    const c = await call(t, ticketId);
    const [l, r] = dualSignal(6000, [
      [0, 500, 1500, 3000],
      [1, 2000, 3000, -5000],
      [0, 4000, 5000, 7000],
    ]);
    const data = encodeMulaw(interleave([l, r]));
    const wav = new Uint8Array(58 + data.length);
    wav.set(wavHeader({ encoding: "mulaw", channels: 2, sampleRate: RATE }, l.length));
    wav.set(data, 58);
    const rec = await storeRecording(t, wav, {
      ticket_id: ticketId,
      call_id: c.id,
      left_role: "EndUser",
      right_role: "CustomerRep",
    });
    const customer = (await getCustomer(env.DB, t.customerId))!;
    const out = await transcribeRecording(env, customer, rec);
    expect(out).toEqual({ status: "done", reason: null, messages: 3, segments: 3 });
    const msgs = await listMessages(env.DB, t.customerId, ticketId);
    expect(msgs.map((m) => [m.sender_type, m.offset_ms, m.recording_id])).toEqual([
      ["EndUser", 300, rec.id],
      ["CustomerRep", 1800, rec.id],
      ["EndUser", 3800, rec.id],
    ]);
    const peak = -refUlawDecode(refUlawEncode(-5000)); // what μ-law makes of −5000; 1000 ms padded 200 ms each side
    expect(msgs[1]!.text).toBe(`wav 1400 ms peak ${peak} mean ${Math.round((peak * 1000) / 1400)}`);
    const segs = await listSegments(env.DB, t.customerId, c.id);
    expect(segs.map((s) => [s.role, s.sender_type, s.offset_ms, s.text])).toEqual(
      msgs.map((m) => [m.sender_type === "EndUser" ? "customer" : "agent", m.sender_type, m.offset_ms, m.text]),
    );
    expect(segs.every((s) => s.recording_id === rec.id)).toBe(true);
    expect((await getRecording(env.DB, t.customerId, rec.id))?.transcription_status).toBe("done");
    const reqs = await requests(t);
    expect(reqs).toHaveLength(3);
    expect(
      reqs.every(
        (q) => q.model === "gpt-4o-transcribe" && q.filename === "utterance.wav" && q.contentType === "audio/wav",
      ),
    ).toBe(true);
    expect(reqs.map((q) => q.fields.sort())).toEqual(Array(3).fill(["file", "model", "response_format"]));
    // idempotent: a second run adds nothing
    expect(
      (await transcribeRecording(env, customer, (await getRecording(env.DB, t.customerId, rec.id))!)).messages,
    ).toBe(0);
    expect(await listMessages(env.DB, t.customerId, ticketId)).toHaveLength(3);
  });

  it("reads 16-bit PCM WAVs and skips silent channels without a request", async () => {
    const t = await provisionTenant();
    const ticketId = await newTicket(t);
    const sig = dualSignal(3000, [[1, 1000, 2000, 1200]]);
    const rec = await storeRecording(t, pcm16Wav(interleave(sig), 2, RATE), {
      ticket_id: ticketId,
      left_role: "EndUser",
      right_role: "AI",
    });
    const out = await transcribeRecording(env, (await getCustomer(env.DB, t.customerId))!, rec);
    expect(out).toMatchObject({ status: "done", messages: 1, segments: 0 });
    const msgs = await listMessages(env.DB, t.customerId, ticketId);
    expect(msgs.map((m) => [m.sender_type, m.offset_ms, m.text])).toEqual([
      ["AI", 800, "wav 1400 ms peak 1200 mean 857"],
    ]);
    expect(await requests(t)).toHaveLength(1);
  });

  it("splits an utterance over the upload limit on sample boundaries and keeps each piece's offset", async () => {
    const t = await provisionTenant();
    const ticketId = await newTicket(t);
    const sig = dualSignal(3500, [[0, 0, 3500, 2500]]);
    const rec = await storeRecording(t, pcm16Wav(interleave(sig), 2, RATE), { ticket_id: ticketId });
    const out = await transcribeRecording(env, (await getCustomer(env.DB, t.customerId))!, rec, {
      maxUploadBytes: 44 + 2 * RATE,
    });
    expect(out).toMatchObject({ status: "done", messages: 4 });
    const msgs = await listMessages(env.DB, t.customerId, ticketId);
    expect(msgs.map((m) => [m.offset_ms, m.text])).toEqual([
      [0, "wav 1000 ms peak 2500 mean 2500"],
      [1000, "wav 1000 ms peak 2500 mean 2500"],
      [2000, "wav 1000 ms peak 2500 mean 2500"],
      [3000, "wav 500 ms peak 2500 mean 2500"],
    ]);
    expect((await requests(t)).every((q) => q.bytes <= 44 + 2 * RATE)).toBe(true);
  });

  it("marks an unreadable recording failed with the reason", async () => {
    const t = await provisionTenant();
    const rec = await storeRecording(t, new TextEncoder().encode("ID3\u0004 this is an mp3"), {});
    expect(await transcribeRecording(env, (await getCustomer(env.DB, t.customerId))!, rec)).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/not a readable WAV/),
    });
    expect((await getRecording(env.DB, t.customerId, rec.id))?.transcription_reason).toMatch(/RIFF/);
  });

  it("tells OpenAI failing for now (no answer, 408, 409, 429, 5xx) from OpenAI refusing", () => {
    const err = (status: number | undefined) => APIError.generate(status, { message: "x" }, "x", new Headers());
    for (const s of [undefined, 408, 409, 429, 500, 502, 503, 504])
      expect(transientOpenAIError(err(s)), `${s}`).toBe(true);
    for (const s of [400, 401, 403, 404, 413, 415, 422]) expect(transientOpenAIError(err(s)), `${s}`).toBe(false);
    expect(transientOpenAIError(new APIConnectionError({ message: "Connection error." }))).toBe(true);
    expect(transientOpenAIError(new APIConnectionTimeoutError())).toBe(true);
  });

  it("leaves the transcription pending when OpenAI fails for now (5xx, 429, no answer), for a job to retry", async () => {
    const sig = dualSignal(1000, [[0, 200, 600, 3000]]);
    for (const [status, shown] of [
      [500, "500"],
      [429, "429"],
      [0, "no response"],
    ] as const) {
      const t = await provisionTenant();
      await openaiFake(`/transcriptions/fail?apiKey=${t.openaiKey}`, {
        method: "POST",
        body: JSON.stringify({ status, message: "The server had an error", type: "server_error" }),
      });
      const ticketId = await newTicket(t);
      const rec = await storeRecording(t, pcm16Wav(interleave(sig), 2, RATE), { ticket_id: ticketId });
      const out = await transcribeRecording(env, (await getCustomer(env.DB, t.customerId))!, rec);
      expect(out, String(status)).toMatchObject({
        status: "pending",
        reason: expect.stringContaining(`OpenAI answered ${shown}`),
        messages: 0,
      });
      expect(await getRecording(env.DB, t.customerId, rec.id), String(status)).toMatchObject({
        transcription_status: "pending",
        transcription_reason: expect.stringContaining(`OpenAI answered ${shown}`),
      });
      expect(await listMessages(env.DB, t.customerId, ticketId)).toEqual([]);
    }
  });

  it("marks the transcription failed when OpenAI refuses it (400, 401, 403, 404): the same audio gets the same answer", async () => {
    const sig = dualSignal(1000, [[0, 200, 600, 3000]]);
    for (const status of [400, 401, 403, 404]) {
      const t = await provisionTenant();
      await openaiFake(`/transcriptions/fail?apiKey=${t.openaiKey}`, {
        method: "POST",
        body: JSON.stringify({ status, message: "Refused" }),
      });
      const rec = await storeRecording(t, pcm16Wav(interleave(sig), 2, RATE), {});
      expect(
        await transcribeRecording(env, (await getCustomer(env.DB, t.customerId))!, rec),
        String(status),
      ).toMatchObject({ status: "failed", reason: `OpenAI answered ${status}: ${status} Refused` });
      expect((await getRecording(env.DB, t.customerId, rec.id))?.transcription_status).toBe("failed");
    }
  });

  it("skips when the configured model cannot transcribe", async () => {
    const t = await provisionTenant();
    await env.DB.prepare("UPDATE customers SET openai_transcription_model = 'gpt-4o' WHERE id = ?")
      .bind(t.customerId)
      .run();
    const rec = await storeRecording(t, pcm16Wav(new Int16Array(16), 2, RATE), {});
    expect(await transcribeRecording(env, (await getCustomer(env.DB, t.customerId))!, rec)).toMatchObject({
      status: "skipped",
      reason: expect.stringMatching(/"gpt-4o" cannot transcribe/),
    });
  });
});
