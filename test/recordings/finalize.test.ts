import { env } from "cloudflare:workers";
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bytesToBase64 } from "../../src/lib/encoding";
import { FrameBatcher } from "../../src/live/frame-batcher";
import { AudioStore, ROW_TARGET_BYTES } from "../../src/recordings/audio-store";
import type { AudioChunk, AudioSender } from "../../src/recordings/audio-types";
import { fullPartEnd } from "../../src/recordings/stereo-parts";
import { DRAFT_LAG_FRAMES } from "../../src/recordings/render-ahead";
import { recorderName } from "../../src/recordings/ticket-recorder";
import { api, json, provisionTenant } from "../helpers";
import { noise, parseWav, refUlawDecode } from "../audio/reference";

async function ticketRecorder() {
  const t = await provisionTenant({ openai: false });
  const res = await api("/api/tickets", {
    method: "POST",
    token: t.token,
    json: { channel: "web", subject: "finalize" },
  });
  const ticket = await json<{ id: number }>(res);
  const stub = env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(t.customerId, ticket.id)));
  const target = { customerId: t.customerId, ticketId: ticket.id, callId: null, source: "upload" as const };
  return { t, ticketId: ticket.id, stub, target };
}

/** The stereo signal the chunks describe, computed the plain way: full-length arrays, sum, clip. */
function expectedStereo(chunks: AudioChunk[]): Int16Array {
  const origin = Math.min(...chunks.map((c) => c.timestampMs * 8));
  const end = Math.max(...chunks.map((c) => c.timestampMs * 8 + c.audio.length));
  const l = new Float64Array(end - origin);
  const r = new Float64Array(end - origin);
  for (const c of chunks) {
    const ch = c.sender === "EndUser" ? l : r;
    c.audio.forEach((b, i) => {
      const k = c.timestampMs * 8 - origin + i;
      ch[k] = ch[k]! + refUlawDecode(b);
    });
  }
  const out = new Int16Array(2 * l.length);
  for (let i = 0; i < l.length; i++) {
    out[2 * i] = Math.max(-32768, Math.min(32767, l[i]!));
    out[2 * i + 1] = Math.max(-32768, Math.min(32767, r[i]!));
  }
  return out;
}

async function stored(key: string) {
  const obj = await env.RECORDINGS.get(key);
  if (!obj) throw new Error(`no R2 object ${key}`);
  return new Uint8Array(await obj.arrayBuffer());
}

const chunk = (sender: AudioSender, timestampMs: number, audio: Uint8Array): AudioChunk => ({
  sender,
  timestampMs,
  audio,
});

describe("finalizeRecording", () => {
  it("lays chunks at their timestamps: gaps silent, overlaps summed and clipped, any order", async () => {
    const { stub, target } = await ticketRecorder();
    const loud = new Uint8Array(160).fill(0x80); // +32124
    const chunks = [
      chunk("AI", 1040, noise(160, 7)),
      chunk("EndUser", 1000, noise(160, 1)),
      chunk("CustomerRep", 1050, loud), // overlaps the AI chunk on the right channel
      chunk("AI", 1060, loud), // …and itself: 3 sources, clipped
      chunk("EndUser", 1500, noise(800, 2)), // after a 480 ms gap
      chunk("EndUser", 1010, noise(40, 3)), // overlaps the first EndUser chunk, arrives late
    ];
    expect(await stub.append(chunks, target)).toMatchObject({ ok: true, stored: 6, duplicates: 0, totalChunks: 6 });
    const out = await stub.finalize(target);
    if (!out.ok) throw new Error(out.error);
    const rec = out.recording;
    expect(rec).toMatchObject({
      channels: 2,
      sample_rate: 8000,
      version: 1,
      left_role: "EndUser",
      right_role: "AI+CustomerRep",
      source: "upload",
    });
    expect(rec.duration_ms).toBe(1600 - 1000);
    const wav = parseWav(await stored(rec.r2_key));
    expect(wav).toMatchObject({ formatTag: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16 });
    expect(rec.size_bytes).toBe(44 + 600 * 8 * 4);
    const expected = expectedStereo(chunks);
    expect(wav.pcm!.length).toBe(expected.length);
    expect(Buffer.from(wav.pcm!.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    // spot checks that do not rely on the helper above
    expect(wav.pcm![2 * (60 * 8) + 1]).toBe(32767); // AI + Rep loud overlap at 1060 ms, clipped
    expect(wav.pcm![2 * (300 * 8)]).toBe(0); // the gap
  });

  it("streams a long recording as a multipart upload and every sample survives", async () => {
    const { stub, target } = await ticketRecorder();
    const chunks: AudioChunk[] = [];
    // 300 s per side in 1 s chunks: 9.6 MB of stereo PCM, more than one 8 MiB part.
    for (let s = 0; s < 300; s++) {
      chunks.push(chunk("EndUser", s * 1000, noise(8000, s + 1)));
      chunks.push(chunk(s % 2 ? "AI" : "CustomerRep", s * 1000 + 500, noise(8000, 1000 + s)));
    }
    for (let i = 0; i < chunks.length; i += 200)
      expect((await stub.append(chunks.slice(i, i + 200), target)).ok).toBe(true);
    const out = await stub.finalize(target);
    if (!out.ok) throw new Error(out.error);
    expect(out.recording.duration_ms).toBe(300_500);
    const bytes = await stored(out.recording.r2_key);
    expect(bytes.length).toBe(44 + 300_500 * 8 * 4);
    const wav = parseWav(bytes);
    expect(Buffer.from(wav.pcm!.buffer).equals(Buffer.from(expectedStereo(chunks).buffer))).toBe(true);
  });

  it("makes a new version after more chunks, keeps the old one, and does not duplicate an unchanged finalize", async () => {
    const { stub, target, t, ticketId } = await ticketRecorder();
    const first = [chunk("EndUser", 0, noise(320, 11)), chunk("AI", 40, noise(160, 12))];
    await stub.append(first, target);
    const v1 = await stub.finalize(target);
    const again = await stub.finalize(target);
    if (!v1.ok || !again.ok) throw new Error("finalize failed");
    expect(again.recording.id).toBe(v1.recording.id);
    // a retried batch is recognised, not doubled
    expect(await stub.append(first, target)).toMatchObject({ ok: true, stored: 0, duplicates: 2, totalChunks: 2 });
    const more = [chunk("CustomerRep", 100, noise(160, 13))];
    await stub.append(more, target);
    const v2 = await stub.finalize(target);
    if (!v2.ok) throw new Error(v2.error);
    expect(v2.recording.version).toBe(2);
    expect(v2.recording.id).not.toBe(v1.recording.id);
    const wav1 = parseWav(await stored(v1.recording.r2_key));
    const wav2 = parseWav(await stored(v2.recording.r2_key));
    expect(Buffer.from(wav1.pcm!.buffer).equals(Buffer.from(expectedStereo(first).buffer))).toBe(true);
    expect(Buffer.from(wav2.pcm!.buffer).equals(Buffer.from(expectedStereo([...first, ...more]).buffer))).toBe(true);
    const { results } = await env.DB.prepare(
      "SELECT version FROM recordings WHERE customer_id = ? AND ticket_id = ? ORDER BY version",
    )
      .bind(t.customerId, ticketId)
      .all<{ version: number }>();
    expect(results.map((r) => r.version)).toEqual([1, 2]);
  });

  it("refuses to finalize an empty store", async () => {
    const { stub, target } = await ticketRecorder();
    expect(await stub.finalize(target)).toEqual({ ok: false, error: expect.stringMatching(/nothing to finalize/) });
  });

  it("coalesces contiguous chunks into few rows, within a batch and across single-chunk appends", async () => {
    const { stub, target } = await ticketRecorder();
    const batch = Array.from({ length: 500 }, (_, i) => chunk("EndUser", i * 20, noise(160, i + 1)));
    await stub.append(batch, target);
    for (let i = 500; i < 700; i++) await stub.append([chunk("EndUser", i * 20, noise(160, i + 1))], target);
    await stub.append([chunk("AI", 5, noise(160, 9))], target);
    const rows = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql.exec<{ n: number; sender: number }>("SELECT n, sender FROM audio_rows ORDER BY id").toArray(),
    );
    const endUser = rows.filter((r) => r.sender === 0);
    expect(endUser.reduce((a, r) => a + r.n, 0)).toBe(700 * 160);
    expect(endUser.length).toBe(Math.ceil((700 * 160) / ROW_TARGET_BYTES));
    expect(endUser.every((r) => r.n <= ROW_TARGET_BYTES)).toBe(true);
  });

  it("refuses a batch that would stretch the timeline past the limit, naming the chunk", async () => {
    const { stub, target } = await ticketRecorder();
    await stub.append([chunk("EndUser", 0, noise(8, 1))], target);
    const out = await stub.append([chunk("AI", 10, noise(8, 2)), chunk("AI", 5 * 3600 * 1000, noise(8, 3))], target);
    expect(out).toMatchObject({ ok: false, index: 1 });
    expect(await stub.stats()).toMatchObject({ totalChunks: 1 });
  });

  it("refuses a batch with an unknown sender before writing any of it, even outside a transaction", async () => {
    const { stub } = await ticketRecorder();
    const written = await runInDurableObject(stub, (_o, state) => {
      const store = AudioStore.coalescedWith(state.storage);
      const batch = [chunk("EndUser", 0, noise(160, 1)), chunk("Robot" as AudioSender, 20, noise(160, 2))];
      expect(() => store.append(batch)).toThrow(/unknown sender Robot/);
      return ["audio_rows", "audio_keys", "audio_meta"].map(
        (table) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n,
      );
    });
    expect(written).toEqual([0, 0, 0]);
  });

  it("owns the bytes it keeps as a sender's tail, so the live batcher may reuse its buffer", async () => {
    const { stub } = await ticketRecorder();
    const [a, b, c] = [noise(160, 1), noise(160, 2), noise(160, 3)];
    const stored = await runInDurableObject(stub, (_o, state) => {
      const batcher = new FrameBatcher(AudioStore.coalescedWith(state.storage, { neverRetried: true }), 1);
      // One frame a batch: each is a run of its own, kept as the sender's tail and extended by the next batch,
      // which the batcher decodes into the same bytes of its buffer.
      for (const [i, frame] of [a, b, c].entries()) {
        batcher.add("EndUser", i * 20, bytesToBase64(frame));
        batcher.flush();
      }
      return state.storage.sql.exec<{ audio: ArrayBuffer }>("SELECT audio FROM audio_rows").toArray();
    });
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0]!.audio).equals(Buffer.concat([a, b, c]))).toBe(true);
  });

  it("keeps two chunks of one sender at the same ms when the writer never retries, and dedupes them otherwise", async () => {
    const { stub } = await ticketRecorder();
    const out = await runInDurableObject(stub, (_o, state) => {
      const twins = [chunk("AI", 40, noise(160, 1)), chunk("AI", 40, noise(160, 2))];
      const liveStore = AudioStore.coalescedWith(state.storage, { neverRetried: true });
      const live = liveStore.append(twins);
      liveStore.clear();
      const upload = AudioStore.coalescedWith(state.storage).append(twins);
      return { live, upload };
    });
    expect(out.live).toEqual({ stored: 2, duplicates: 0, totalChunks: 2 });
    expect(out.upload).toEqual({ stored: 1, duplicates: 1, totalChunks: 1 });
  });

  it("keeps acknowledged chunks across an object restart and keeps coalescing onto the stored tail", async () => {
    const { stub, target, t, ticketId } = await ticketRecorder();
    const first = Array.from({ length: 10 }, (_, i) => chunk("EndUser", i * 20, noise(160, i + 1)));
    await stub.append(first, target);
    await abortAllDurableObjects();
    const again = env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(t.customerId, ticketId)));
    const more = Array.from({ length: 10 }, (_, i) => chunk("EndUser", 200 + i * 20, noise(160, 100 + i)));
    expect(await again.append(more, target)).toMatchObject({ ok: true, stored: 10, totalChunks: 20 });
    const rows = await runInDurableObject(again, (_o, state) =>
      state.storage.sql.exec("SELECT id FROM audio_rows").toArray(),
    );
    expect(rows).toHaveLength(1);
    const out = await again.finalize(target);
    if (!out.ok) throw new Error(out.error);
    const wav = parseWav(await stored(out.recording.r2_key));
    expect(Buffer.from(wav.pcm!.buffer).equals(Buffer.from(expectedStereo([...first, ...more]).buffer))).toBe(true);
  });
});

/**
 * A long call whose chunks never overlap within a channel, so its expected channels are plain mu-law arrays
 * (0xFF, silence, decodes to 0): EndUser speaks every second whole, AI its first half only.
 */
function longCall(seconds: number, startMs = 0): AudioChunk[] {
  const chunks: AudioChunk[] = [];
  for (let s = 0; s < seconds; s++) {
    chunks.push(chunk("EndUser", startMs + s * 1000, noise(8000, s + 1)));
    chunks.push(chunk("AI", startMs + s * 1000, noise(4000, 5000 + s)));
  }
  return chunks;
}

const REF_DECODE = Int16Array.from({ length: 256 }, (_, b) => refUlawDecode(b));

/** Checks every sample of a stereo WAV against non-overlapping chunks; the first mismatch, or null. */
function firstMismatch(pcm: Int16Array, chunks: AudioChunk[]): string | null {
  const origin = Math.min(...chunks.map((c) => c.timestampMs * 8));
  const frames = Math.max(...chunks.map((c) => c.timestampMs * 8 + c.audio.length)) - origin;
  if (pcm.length !== frames * 2) return `length ${pcm.length} != ${frames * 2}`;
  const ch = [new Uint8Array(frames).fill(0xff), new Uint8Array(frames).fill(0xff)];
  for (const c of chunks) ch[c.sender === "EndUser" ? 0 : 1]!.set(c.audio, c.timestampMs * 8 - origin);
  for (let i = 0; i < frames; i++) {
    for (const k of [0, 1]) {
      if (pcm[2 * i + k] !== REF_DECODE[ch[k]![i]!])
        return `frame ${i} channel ${k}: ${pcm[2 * i + k]} != ${REF_DECODE[ch[k]![i]!]}`;
    }
  }
  return null;
}

/** Waits until the draft has uploaded `parts` parts (it works in the background after each append). */
async function draftedParts(stub: { stats(): Promise<{ draftParts: number }> }, parts: number) {
  for (let waited = 0; waited < 15_000; waited += 50) {
    if ((await stub.stats()).draftParts >= parts) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the draft never reached ${parts} parts: ${JSON.stringify(await stub.stats())}`);
}

/** Seconds of audio after which the draft has uploaded parts 2..(parts + 1). */
const secondsForDraftParts = (parts: number) => Math.ceil((fullPartEnd(parts + 1) + DRAFT_LAG_FRAMES) / 8000);

/** A ticket whose long call has been uploaded in batches and drafted into `parts` uploaded parts. */
async function draftedCall(parts: number, startMs = 0) {
  const rec = await ticketRecorder();
  const chunks = longCall(secondsForDraftParts(parts), startMs);
  for (let i = 0; i < chunks.length; i += 100)
    expect((await rec.stub.append(chunks.slice(i, i + 100), rec.target)).ok).toBe(true);
  await draftedParts(rec.stub, parts);
  return { ...rec, chunks };
}

/** Appends straight into the object's store, so no draft step runs (and races the assertions) after it. */
const appendToStore = (stub: Awaited<ReturnType<typeof ticketRecorder>>["stub"], chunks: AudioChunk[]) =>
  runInDurableObject(stub, (o) => void (o as unknown as { store: AudioStore }).store.append(chunks));

describe("the recording draft", () => {
  it("uploads full parts ahead, finalize reuses them after an object restart, and every sample is right", {
    timeout: 60_000,
  }, async () => {
    const { target, t, ticketId, chunks } = await draftedCall(2);
    await abortAllDurableObjects();
    const again = env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(t.customerId, ticketId)));
    expect(await again.stats()).toMatchObject({ draftParts: 2 });
    const out = await again.finalize(target);
    if (!out.ok) throw new Error(out.error);
    expect(out.timings).toMatchObject({ parts: 4, reusedParts: 2 });
    const wav = parseWav(await stored(out.recording.r2_key));
    expect(out.recording.size_bytes).toBe(44 + (chunks.length / 2) * 8000 * 4);
    expect(firstMismatch(wav.pcm!, chunks)).toBeNull();
    // the draft was taken: the next version starts afresh
    expect(await again.stats()).toMatchObject({ draftParts: 0, lastVersion: 1 });
  });

  it("mixes again a part that a late chunk landed in, and reuses the untouched ones", { timeout: 60_000 }, async () => {
    const { stub, target, chunks } = await draftedCall(2);
    // The late chunk fills the right channel's silence at 300.5 s, inside part 2.
    const late = chunk("CustomerRep", 300_500, noise(4000, 77));
    await appendToStore(stub, [late]);
    expect(await stub.stats()).toMatchObject({ draftParts: 1 });
    const out = await stub.finalize(target);
    if (!out.ok) throw new Error(out.error);
    expect(out.timings).toMatchObject({ parts: 4, reusedParts: 1 });
    expect(out.recording.right_role).toBe("AI+CustomerRep");
    expect(firstMismatch(parseWav(await stored(out.recording.r2_key)).pcm!, [...chunks, late])).toBeNull();
  });

  it("re-renders a part dirtied by a late upload in the background, with the late audio in it", {
    timeout: 60_000,
  }, async () => {
    const { stub, target, chunks } = await draftedCall(1);
    const late = chunk("CustomerRep", 400_500, noise(4000, 78));
    expect(await stub.append([late], target)).toMatchObject({ ok: true, stored: 1 });
    await draftedParts(stub, 1);
    const out = await stub.finalize(target);
    if (!out.ok) throw new Error(out.error);
    expect(out.timings).toMatchObject({ parts: 3, reusedParts: 1 });
    expect(firstMismatch(parseWav(await stored(out.recording.r2_key)).pcm!, [...chunks, late])).toBeNull();
  });

  it("finalizes without the draft when its upload is gone, into the same key", { timeout: 60_000 }, async () => {
    const { stub, target, chunks } = await draftedCall(1);
    const [meta] = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ r2_key: string; upload_id: string; recording_id: string }>(
          "SELECT r2_key, upload_id, recording_id FROM draft_meta",
        )
        .toArray(),
    );
    await env.RECORDINGS.resumeMultipartUpload(meta!.r2_key, meta!.upload_id).abort();
    const out = await stub.finalize(target);
    if (!out.ok) throw new Error(out.error);
    expect(out.timings).toMatchObject({ parts: 3, reusedParts: 0 });
    expect(out.recording).toMatchObject({ id: meta!.recording_id, r2_key: meta!.r2_key });
    expect(firstMismatch(parseWav(await stored(out.recording.r2_key)).pcm!, chunks)).toBeNull();
  });

  it("drops the draft when a chunk lands before its first sample, and the recording is still exact", {
    timeout: 60_000,
  }, async () => {
    const { stub, target, chunks } = await draftedCall(1, 10_000);
    const early = chunk("EndUser", 2_000, noise(8000, 79));
    await appendToStore(stub, [early]);
    const meta = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql.exec("SELECT * FROM draft_meta").toArray(),
    );
    expect(meta).toEqual([]);
    const out = await stub.finalize(target);
    if (!out.ok) throw new Error(out.error);
    expect(out.timings).toMatchObject({ reusedParts: 0 });
    expect(out.recording.duration_ms).toBe(10_000 + (chunks.length / 2) * 1000 - 2_000);
    expect(firstMismatch(parseWav(await stored(out.recording.r2_key)).pcm!, [early, ...chunks])).toBeNull();
  });
});
