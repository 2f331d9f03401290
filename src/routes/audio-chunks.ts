/**
 * POST /api/AudioChunks/upload and /uploadAndFinalize: a JSON array of
 * `{ticketID, senderType, timestampMs, base64AudioData}` (8 kHz μ-law), appended durably to the ticket's
 * TicketRecorder; the second also finalizes a stereo recording version and transcribes it when possible.
 * One batch belongs to one ticket: chunks of several tickets could not be stored atomically.
 */
import { Hono } from "hono";
import { z } from "zod";
import { transcribeRecording, type TranscriptionOutcome } from "../ai/transcription";
import { loadCustomer } from "../db/customers";
import { enqueueTranscription } from "../db/jobs";
import type { AppEnv, Auth } from "../auth/context";
import { requireRepOrPhone, requireScopeOrPhone } from "../auth/middleware";
import { loadAccessibleTicket } from "../auth/ticket-access";
import type { AudioChunk } from "../recordings/audio-types";
import { recorderName, type AppendOutcome } from "../recordings/ticket-recorder";
import type { FinalizeTarget } from "../recordings/finalize";
import type { RecordingRow } from "../db/recordings";
import { SENDER_TYPES } from "../db/tickets";
import type { Env } from "../env";
import { base64ToBytes } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import { readTextLimited } from "../lib/body-limit";
import { spendUploadQuota } from "../limits/upload-quota";
import { invalid, toIssues } from "../lib/validate";

export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const MAX_CHUNKS_PER_REQUEST = 5000;
/**
 * Decoded bytes per chunk: 1 MiB ≈ 131 s of 8 kHz μ-law, so a client may send a clip as one chunk. A chunk becomes
 * at most one row of the ticket's recorder (src/recordings/audio-store.ts), well inside a Durable Object's 2 MB
 * row limit, and the request body's 16 MiB bounds the whole batch.
 */
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** Timestamps may be relative (ms since call start) or epoch milliseconds; this keeps sample indexes exact. */
export const MAX_TIMESTAMP_MS = 10 ** 13;

export const chunkSchema = z.object({
  ticketID: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  senderType: z.enum(SENDER_TYPES),
  timestampMs: z.number().int().min(0).max(MAX_TIMESTAMP_MS),
  base64AudioData: z
    .string()
    .min(1, "must not be empty")
    .max(Math.ceil(MAX_CHUNK_BYTES / 3) * 4, `must decode to at most ${MAX_CHUNK_BYTES} bytes`)
    .transform((s, ctx) => {
      const bytes = base64ToBytes(s);
      if (!bytes) ctx.addIssue({ code: "custom", message: "is not valid base64" });
      else if (bytes.length === 0) ctx.addIssue({ code: "custom", message: "must not be empty" });
      else if (bytes.length > MAX_CHUNK_BYTES)
        ctx.addIssue({ code: "custom", message: `must decode to at most ${MAX_CHUNK_BYTES} bytes` });
      return bytes ?? new Uint8Array();
    }),
});
export const batchSchema = z
  .array(z.unknown())
  .min(1, "must contain at least one chunk")
  .max(MAX_CHUNKS_PER_REQUEST, `must contain at most ${MAX_CHUNKS_PER_REQUEST} chunks`);

type ParsedChunk = z.output<typeof chunkSchema>;

/** Parses and checks the body; every issue names the item index (`3.senderType`). */
async function parseBatch(request: Request): Promise<{ ticketId: number; chunks: ParsedChunk[] }> {
  const text = await readTextLimited(request, MAX_BODY_BYTES, "The request body");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "Malformed JSON in request body");
  }
  const outer = batchSchema.safeParse(body);
  if (!outer.success) throw invalid("chunks", toIssues(outer.error.issues));
  const chunks: ParsedChunk[] = [];
  const issues: { path: string; message: string }[] = [];
  outer.data.forEach((item, i) => {
    const r = chunkSchema.safeParse(item);
    if (r.success) chunks.push(r.data);
    else issues.push(...toIssues(r.error.issues).map((x) => ({ path: `${i}.${x.path}`, message: x.message })));
  });
  if (issues.length) throw invalid("chunks", issues);
  const ticketId = chunks[0]!.ticketID;
  const other = chunks.findIndex((c) => c.ticketID !== ticketId);
  if (other >= 0)
    throw invalid("chunks", [
      {
        path: `${other}.ticketID`,
        message: `all chunks of one request must belong to one ticket (item 0 has ${ticketId})`,
      },
    ]);
  return { ticketId, chunks };
}

/** Checks access and stores the chunks; the reply comes only once they are durable in the ticket's object. */
async function appendBatch(env: Env, auth: Auth, request: Request) {
  const { ticketId, chunks } = await parseBatch(request);
  await loadAccessibleTicket(env, auth, ticketId);
  // An end user records their own side only: labelling audio as the AI or a rep would put words in their mouths.
  if (auth.kind === "phone") {
    const i = chunks.findIndex((c) => c.senderType !== "EndUser");
    if (i >= 0) throw new ApiError(403, `Chunk ${i}: a phone-auth token can only upload EndUser audio`, { index: i });
  }
  await spendUploadQuota(
    env,
    auth,
    chunks.reduce((n, c) => n + c.base64AudioData.length, 0),
  );
  const stub = env.TICKET_RECORDERS.get(env.TICKET_RECORDERS.idFromName(recorderName(auth.customerId, ticketId)));
  const audio: AudioChunk[] = chunks.map((c) => ({
    sender: c.senderType,
    timestampMs: c.timestampMs,
    audio: c.base64AudioData,
  }));
  const target: FinalizeTarget = { customerId: auth.customerId, ticketId, callId: null, source: "upload" };
  const out: AppendOutcome = await stub.append(audio, target);
  if (!out.ok) throw invalid("chunks", [{ path: `${out.index}.timestampMs`, message: out.error }]);
  return {
    target,
    stub,
    result: {
      ticketID: ticketId,
      received: chunks.length,
      stored: out.stored,
      duplicates: out.duplicates,
      totalChunks: out.totalChunks,
    },
  };
}

export const publicRecording = (r: RecordingRow) => ({
  recordingId: r.id,
  ticketID: r.ticket_id,
  callId: r.call_id,
  version: r.version,
  durationMs: r.duration_ms,
  channels: r.channels,
  channelRoles: { left: r.left_role, ...(r.channels > 1 ? { right: r.right_role } : {}) },
  sampleRate: r.sample_rate,
  sizeBytes: r.size_bytes,
  contentType: r.content_type,
  createdAt: r.created_at,
});

export const audioChunkRoutes = new Hono<AppEnv>()
  .use("*", requireRepOrPhone, requireScopeOrPhone("audio:upload"))
  .post("/upload", async (c) => {
    const { result } = await appendBatch(c.env, c.get("auth"), c.req.raw);
    return c.json(result);
  })
  .post("/uploadAndFinalize", async (c) => {
    const auth = c.get("auth");
    const t0 = Date.now();
    const { target, stub, result } = await appendBatch(c.env, auth, c.req.raw);
    const t1 = Date.now();
    const fin = await stub.finalize(target);
    if (!fin.ok) throw new ApiError(409, fin.error);
    const t2 = Date.now();
    let transcription: TranscriptionOutcome;
    try {
      transcription = await transcribeRecording(c.env, await loadCustomer(c.env.DB, auth.customerId), fin.recording);
    } catch (e) {
      // The recording is saved whatever happens here; the outcome says why there is no transcript.
      console.error(
        JSON.stringify({
          level: "error",
          requestId: c.get("requestId"),
          what: "transcription",
          message: e instanceof Error ? e.message : String(e),
        }),
      );
      transcription = { status: "failed", reason: "transcription failed unexpectedly", messages: 0, segments: 0 };
    }
    // OpenAI failed for now: the recording stays pending and a queued job tries again (with the queue's retries).
    // Should the queue refuse, the 5-minute sweep queues it later.
    if (transcription.status === "pending") {
      await enqueueTranscription(c.env, auth.customerId, fin.recording.id).catch((e: unknown) =>
        console.error(
          JSON.stringify({
            level: "error",
            requestId: c.get("requestId"),
            what: "queueing the transcription",
            message: e instanceof Error ? e.message : String(e),
          }),
        ),
      );
    }
    // Server-Timing lets a client (and bench/finalize) see where the time went without guessing.
    const { r2WaitMs, parts, reusedParts } = fin.timings;
    const r2 =
      r2WaitMs === undefined
        ? ""
        : `, r2wait;dur=${r2WaitMs}, parts;desc="${reusedParts ?? 0} of ${parts ?? 0} uploaded ahead"`;
    c.header(
      "Server-Timing",
      `append;dur=${t1 - t0}, finalize;dur=${t2 - t1}${r2}, transcription;dur=${Date.now() - t2}`,
    );
    return c.json({ ...publicRecording(fin.recording), chunks: result, transcription }, 201);
  });
