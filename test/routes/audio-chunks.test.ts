import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePhoneToken } from "../../src/auth/phone-token";
import { MAX_CHUNKS_PER_REQUEST, MAX_CHUNK_BYTES } from "../../src/routes/audio-chunks";
import { api, json, openaiFake, provisionTenant } from "../helpers";
import { parseWav, refUlawDecode } from "../audio/reference";
import { b64, newTicket, speech, upload } from "./audio-helpers";
import { eventually } from "../live/stream-client";

interface Finalized {
  recordingId: string;
  version: number;
  durationMs: number;
  channels: number;
  channelRoles: { left: string; right?: string };
  sizeBytes: number;
  chunks: { received: number; stored: number; duplicates: number; totalChunks: number };
  transcription: { status: string; reason: string | null; messages: number; segments: number };
}
interface Issue {
  path: string;
  message: string;
}

describe("POST /api/AudioChunks/uploadAndFinalize", () => {
  it("stores, mixes, links, transcribes per channel and serves the recording with Range", async () => {
    const t = await provisionTenant();
    const id = await newTicket(t);
    const chunks = [...speech(id, "AI", 2000, 3000, 0xa0), ...speech(id, "EndUser", 0, 1000, 0x90)];
    const res = await upload("uploadAndFinalize", t.token, chunks);
    expect(res.status).toBe(201);
    const body = await json<Finalized>(res);
    expect(body).toMatchObject({
      version: 1,
      durationMs: 3000,
      channels: 2,
      channelRoles: { left: "EndUser", right: "AI" },
      sizeBytes: 44 + 24000 * 4,
      chunks: { received: 100, stored: 100, duplicates: 0, totalChunks: 100 },
      transcription: { status: "done", reason: null, messages: 2 },
    });
    // one request per utterance, each channel on its own, as mono 16-bit WAV
    const reqs = await json<{ model: string; filename: string; text: string }[]>(
      await openaiFake(`/transcriptions/requests?apiKey=${t.openaiKey}`),
    );
    expect(reqs.map((r) => r.model)).toEqual(["gpt-4o-transcribe", "gpt-4o-transcribe"]);
    const ticket = await json<{
      messages: { senderType: string; offset: number; offsetMs: number; text: string; recordingId: string }[];
    }>(await api(`/api/tickets/${id}`, { token: t.token }));
    expect(ticket.messages.map((m) => [m.senderType, m.offsetMs, m.recordingId])).toEqual([
      ["EndUser", 0, body.recordingId],
      ["AI", 1800, body.recordingId], // 200 ms of pre-roll before the first voiced frame
    ]);
    // SPEC.md names the field `offset`; it carries the same milliseconds.
    expect(ticket.messages.map((m) => m.offset)).toEqual([0, 1800]);
    expect(ticket.messages[0]!.text).toBe(
      `wav 1200 ms peak ${refUlawDecode(0x90)} mean ${Math.round((refUlawDecode(0x90) * 1000) / 1200)}`,
    );
    expect(ticket.messages[1]!.text).toMatch(new RegExp(`^wav 1\\d{3} ms peak ${refUlawDecode(0xa0)} `));

    const rec = await api(`/api/tickets/${id}/recording`, { token: t.token });
    expect(rec.status).toBe(200);
    expect(rec.headers.get("Content-Type")).toBe("audio/wav");
    expect(rec.headers.get("Accept-Ranges")).toBe("bytes");
    const whole = new Uint8Array(await rec.arrayBuffer());
    const wav = parseWav(whole);
    expect(wav.pcm![0]).toBe(refUlawDecode(0x90)); // left, t=0
    expect(wav.pcm![1]).toBe(0); // right, t=0
    expect(wav.pcm![2 * 16000 + 1]).toBe(refUlawDecode(0xa0)); // right, t=2 s
    expect(wav.pcm![2 * 16000]).toBe(0);
    const part = await api(`/api/tickets/${id}/recording`, { token: t.token, headers: { Range: "bytes=44-51" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 44-51/${whole.length}`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...whole.subarray(44, 52)]);
  });

  it("takes a clip of 20 s as one chunk (more than the 64 KiB a chunk was once limited to)", async () => {
    const t = await provisionTenant();
    const id = await newTicket(t);
    const clip = new Uint8Array(160_000).fill(0x90);
    const res = await upload("uploadAndFinalize", t.token, [
      { ticketID: id, senderType: "EndUser", timestampMs: 0, base64AudioData: b64(clip) },
    ]);
    expect(res.status).toBe(201);
    expect(await json<Finalized>(res)).toMatchObject({ durationMs: 20_000, chunks: { received: 1, stored: 1 } });
  });

  it("accepts a long call in batches, recognises a retried batch, and versions each finalize", async () => {
    const t = await provisionTenant();
    const id = await newTicket(t);
    const first = speech(id, "EndUser", 0, 1000, 0x90);
    let res = await upload("upload", t.token, first);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ticketID: id, received: 50, stored: 50, duplicates: 0, totalChunks: 50 });
    expect(await json(await upload("upload", t.token, first))).toMatchObject({
      stored: 0,
      duplicates: 50,
      totalChunks: 50,
    });
    res = await upload("uploadAndFinalize", t.token, speech(id, "CustomerRep", 2000, 2500, 0xa0));
    const v1 = await json<Finalized>(res);
    expect(v1).toMatchObject({
      version: 1,
      durationMs: 2500,
      channelRoles: { right: "CustomerRep" },
      transcription: { messages: 2 },
    });
    res = await upload("uploadAndFinalize", t.token, speech(id, "AI", 4000, 4500, 0xb0));
    const v2 = await json<Finalized>(res);
    expect(v2).toMatchObject({
      version: 2,
      durationMs: 4500,
      channelRoles: { right: "AI+CustomerRep" },
      transcription: { status: "done", messages: 3 },
    });
    // the new version's transcript replaces the old one's; the mixed right channel is labelled CustomerRep
    const ticket = await json<{ messages: { senderType: string; offsetMs: number; recordingId: string }[] }>(
      await api(`/api/tickets/${id}`, { token: t.token }),
    );
    expect(ticket.messages.map((m) => [m.senderType, m.offsetMs, m.recordingId])).toEqual([
      ["EndUser", 0, v2.recordingId],
      ["CustomerRep", 1800, v2.recordingId],
      ["CustomerRep", 3800, v2.recordingId],
    ]);
    const wav = parseWav(
      new Uint8Array(await (await api(`/api/tickets/${id}/recording`, { token: t.token })).arrayBuffer()),
    );
    expect(wav.pcm!.length).toBe(4500 * 8 * 2); // the latest version holds everything
    const old = await env.DB.prepare("SELECT r2_key FROM recordings WHERE id = ?")
      .bind(v1.recordingId)
      .first<{ r2_key: string }>();
    expect(await env.RECORDINGS.head(old!.r2_key)).not.toBeNull();
  });

  it("saves the recording and records why when transcription cannot run", async () => {
    for (const [opts, reason] of [
      [{ openai: false }, /no OpenAI API key/],
      [{ transcriptionActive: false }, /not active/],
    ] as const) {
      const t = await provisionTenant(opts);
      const id = await newTicket(t);
      const res = await upload("uploadAndFinalize", t.token, speech(id, "EndUser", 0, 400, 0x90));
      expect(res.status).toBe(201);
      const body = await json<Finalized>(res);
      expect(body.transcription.status).toBe("skipped");
      expect(body.transcription.reason).toMatch(reason);
      const row = await env.DB.prepare("SELECT transcription_status, transcription_reason FROM recordings WHERE id = ?")
        .bind(body.recordingId)
        .first();
      expect(row).toMatchObject({
        transcription_status: "skipped",
        transcription_reason: expect.stringMatching(reason),
      });
      expect((await api(`/api/tickets/${id}/recording`, { token: t.token })).status).toBe(200);
    }
  });

  it("keeps the transcription pending and queued when OpenAI fails for now: the queue's retries bring the transcript", async () => {
    const t = await provisionTenant();
    // Four 500s: both tries of the request's own transcription, then both of the queued job's first attempt.
    await openaiFake(`/transcriptions/fail?apiKey=${t.openaiKey}`, {
      method: "POST",
      body: JSON.stringify({ status: 500, message: "The server had an error", type: "server_error", times: 4 }),
    });
    const id = await newTicket(t);
    const res = await upload("uploadAndFinalize", t.token, speech(id, "EndUser", 0, 400, 0x90));
    expect(res.status).toBe(201);
    const body = await json<Finalized>(res);
    expect(body.transcription).toEqual({
      status: "pending",
      reason: expect.stringMatching(/^OpenAI answered 500: .*server had an error/),
      messages: 0,
      segments: 0,
    });
    expect((await api(`/api/tickets/${id}/recording`, { token: t.token })).status).toBe(200);
    const row = await eventually(
      () =>
        env.DB.prepare("SELECT transcription_status, transcription_reason FROM recordings WHERE id = ?")
          .bind(body.recordingId)
          .first<{ transcription_status: string; transcription_reason: string | null }>(),
      (r) => r?.transcription_status === "done",
      "the queued transcription to succeed on a retry",
      15_000,
    );
    expect(row).toEqual({ transcription_status: "done", transcription_reason: null });
    const lines = await env.DB.prepare("SELECT sender_type, recording_id FROM ticket_messages WHERE ticket_id = ?")
      .bind(id)
      .all();
    expect(lines.results).toEqual([{ sender_type: "EndUser", recording_id: body.recordingId }]);
  });

  it("keeps the recording when OpenAI refuses, with the refusal as the reason", async () => {
    const t = await provisionTenant();
    await openaiFake(`/transcriptions/fail?apiKey=${t.openaiKey}`, {
      method: "POST",
      body: JSON.stringify({ status: 401, message: "Incorrect API key provided", code: "invalid_api_key" }),
    });
    const id = await newTicket(t);
    const res = await upload("uploadAndFinalize", t.token, speech(id, "EndUser", 0, 400, 0x90));
    expect(res.status).toBe(201);
    const body = await json<Finalized>(res);
    expect(body.transcription).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/401.*Incorrect API key/),
    });
    expect(JSON.stringify(body)).not.toContain(t.openaiKey!);
    expect((await api(`/api/tickets/${id}/recording`, { token: t.token })).status).toBe(200);
  });
});

describe("AudioChunks validation", () => {
  const good = (id: number) => ({
    ticketID: id,
    senderType: "EndUser",
    timestampMs: 0,
    base64AudioData: b64(new Uint8Array(160).fill(0x90)),
  });

  it("names the failing item and field for every bad value", async () => {
    const t = await provisionTenant();
    const id = await newTicket(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ ticketID: undefined }, "ticketID"],
      [{ ticketID: "1" }, "ticketID"],
      [{ ticketID: 0 }, "ticketID"],
      [{ ticketID: 1.5 }, "ticketID"],
      [{ senderType: "Bot" }, "senderType"],
      [{ senderType: undefined }, "senderType"],
      [{ senderType: "enduser" }, "senderType"],
      [{ timestampMs: -1 }, "timestampMs"],
      [{ timestampMs: 1.5 }, "timestampMs"],
      [{ timestampMs: "10" }, "timestampMs"],
      [{ timestampMs: 1e14 }, "timestampMs"],
      [{ base64AudioData: "" }, "base64AudioData"],
      [{ base64AudioData: "not base64!" }, "base64AudioData"],
      [{ base64AudioData: "abc" }, "base64AudioData"],
      [{ base64AudioData: 42 }, "base64AudioData"],
      [{ base64AudioData: b64(new Uint8Array(MAX_CHUNK_BYTES + 1)) }, "base64AudioData"],
    ];
    for (const [patch, field] of cases) {
      for (const path of ["upload", "uploadAndFinalize"] as const) {
        const res = await upload(path, t.token, [good(id), good(id), { ...good(id), timestampMs: 20, ...patch }]);
        expect(res.status, `${field} ${JSON.stringify(patch).slice(0, 60)}`).toBe(400);
        const body = await json<{ error: string; issues: Issue[] }>(res);
        expect(body.issues.map((i) => i.path)).toEqual([`2.${field}`]);
        expect(body.error).toContain(`2.${field}`);
      }
    }
    // nothing was stored by any of those
    expect(await json(await upload("upload", t.token, [good(id)]))).toMatchObject({ stored: 1, totalChunks: 1 });
  });

  it("refuses bodies that are not a non-empty array within the limits", async () => {
    const t = await provisionTenant();
    const id = await newTicket(t);
    for (const body of [{}, [], "x", null]) {
      const res = await upload("upload", t.token, body);
      expect(res.status).toBe(400);
    }
    const bad = await api("/api/AudioChunks/upload", {
      method: "POST",
      token: t.token,
      body: "[{",
      headers: { "Content-Type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatch(/Malformed JSON/);
    const many = Array.from({ length: MAX_CHUNKS_PER_REQUEST + 1 }, (_, i) => ({
      ...good(id),
      timestampMs: i * 20,
      base64AudioData: "kA==",
    }));
    const res = await upload("upload", t.token, many);
    expect(res.status).toBe(400);
    expect((await json<{ error: string }>(res)).error).toMatch(/at most 5000/);
  });

  it("answers 413 past the body limit, with or without Content-Length", async () => {
    const t = await provisionTenant();
    const big = "[" + " ".repeat(16 * 1024 * 1024 + 1) + "]";
    const res = await api("/api/AudioChunks/upload", {
      method: "POST",
      token: t.token,
      body: big,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(413);
    const enc = new TextEncoder().encode(" ".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 17) c.enqueue(enc);
        else c.close();
      },
    });
    const chunked = await api("/api/AudioChunks/upload", {
      method: "POST",
      token: t.token,
      body: stream,
      headers: { "Content-Type": "application/json" },
    });
    expect(chunked.status).toBe(413);
    expect(await json(chunked)).toMatchObject({ error: expect.stringMatching(/limit/), limitBytes: 16 * 1024 * 1024 });
  });

  it("keeps one batch to one ticket", async () => {
    const t = await provisionTenant();
    const a = await newTicket(t);
    const b = await newTicket(t);
    const res = await upload("upload", t.token, [good(a), { ...good(b), timestampMs: 20 }]);
    expect(res.status).toBe(400);
    expect((await json<{ issues: Issue[] }>(res)).issues[0]!.path).toBe("1.ticketID");
  });
});

describe("AudioChunks access", () => {
  it("needs a token and hides other tenants' tickets", async () => {
    const t = await provisionTenant();
    const other = await provisionTenant();
    const theirs = await newTicket(other);
    expect(
      (await api("/api/AudioChunks/upload", { method: "POST", json: speech(theirs, "EndUser", 0, 20, 0x90) })).status,
    ).toBe(401);
    for (const path of ["upload", "uploadAndFinalize"] as const) {
      const res = await upload(path, t.token, speech(theirs, "EndUser", 0, 20, 0x90));
      expect(res.status).toBe(404);
      expect((await upload(path, t.token, speech(999999, "EndUser", 0, 20, 0x90))).status).toBe(404);
    }
    expect((await api(`/api/tickets/${theirs}/recording`, { token: t.token })).status).toBe(404);
  });

  it("lets a phone-auth token upload EndUser audio to phone tickets of its own number only", async () => {
    const t = await provisionTenant();
    const phone = "+32470123456";
    const { token } = await issuePhoneToken(env, t.customerId, phone);
    const own = await newTicket(t, { channel: "phone", subject: "call", phoneNumber: phone });
    const otherNumber = await newTicket(t, { channel: "phone", subject: "call", phoneNumber: "+32470999999" });
    const web = await newTicket(t, { channel: "web", subject: "web" });
    expect((await upload("upload", token, speech(otherNumber, "EndUser", 0, 20, 0x90))).status).toBe(404);
    expect((await upload("upload", token, speech(web, "EndUser", 0, 20, 0x90))).status).toBe(404);
    const rep = await upload("upload", token, [
      ...speech(own, "EndUser", 0, 40, 0x90),
      ...speech(own, "CustomerRep", 0, 20, 0x90),
    ]);
    expect(rep.status).toBe(403);
    expect(await json(rep)).toMatchObject({ index: 2 });
    const ai = await upload("upload", token, [
      ...speech(own, "EndUser", 0, 20, 0x90),
      ...speech(own, "AI", 20, 40, 0xa0),
    ]);
    expect(ai.status).toBe(403);
    expect(await json(ai)).toEqual({ error: "Chunk 1: a phone-auth token can only upload EndUser audio", index: 1 });
    const res = await upload("uploadAndFinalize", token, speech(own, "EndUser", 0, 400, 0x90));
    expect(res.status).toBe(201);
    expect((await json<Finalized>(res)).chunks.stored).toBe(20);
    // downloading is for reps
    expect((await api(`/api/tickets/${own}/recording`, { token })).status).toBe(403);
    expect((await api(`/api/tickets/${own}/recording`, { token: t.token })).status).toBe(200);
  });

  it("answers 404 for a ticket without a recording", async () => {
    const t = await provisionTenant();
    const id = await newTicket(t);
    expect(await json(await api(`/api/tickets/${id}/recording`, { token: t.token }))).toEqual({
      error: `Ticket ${id} has no recording`,
    });
  });
});
