/**
 * POST /api/Transcriptions/file: multipart `file` → `{text}` with the tenant's key and transcription model.
 * The upload is never held: the incoming multipart is read as a stream, and a new multipart (model first,
 * then the file's bytes as they arrive through a byte counter) is streamed to OpenAI. The file may be at
 * most MAX_FILE_BYTES (OpenAI's own 25 MB limit), refused with 413 up front from Content-Length or as soon
 * as a chunked body passes it.
 */
import { Hono } from "hono";
import { transcriptionAccess } from "../ai/transcription-access";
import { loadCustomer } from "../db/customers";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import { ApiError } from "../lib/errors";
import { checkContentLength, tooLarge } from "../lib/body-limit";
import { MultipartError, multipartBoundary, multipartEvents, type MultipartEvent } from "../lib/multipart-stream";
import { openaiError } from "../ai/openai-errors";
import { UpstreamError } from "../lib/upstream";

export const MAX_FILE_BYTES = 25 * 1024 * 1024;
/** Room for the multipart envelope and small fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;
/** Form fields before the file: at most this many, of at most FIELD_BYTES together (413 beyond). */
export const MAX_FIELDS = 8;
export const FIELD_BYTES = 8 * 1024;
/** Small fields forwarded to OpenAI when sent before the file. */
const FORWARDED_FIELDS = new Set(["language", "prompt", "temperature"]);
const EXT_OF: Record<string, string> = {
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/wave": "wav",
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/webm": "webm",
  "audio/ogg": "ogg",
  "audio/mp4": "m4a",
  "audio/m4a": "m4a",
  "audio/x-m4a": "m4a",
  "audio/flac": "flac",
  "video/mp4": "mp4",
  "video/webm": "webm",
};

const enc = new TextEncoder();
const quote = (s: string) => s.replace(/["\\\r\n]/g, "_");

// Any representative JWT, no scope (SPEC.md section B and seed 000; README "Scopes").
const transcriber = [requireRep] as const;

export const transcriptionRoutes = new Hono<AppEnv>().use("*", ...transcriber).post("/file", async (c) => {
  const auth = c.get("rep");
  const boundary = multipartBoundary(c.req.header("Content-Type"));
  if (!boundary || !c.req.raw.body) throw new ApiError(400, "Expected a multipart/form-data body with a file field");
  checkContentLength(c.req.raw, MAX_FILE_BYTES + ENVELOPE_BYTES, "The upload");
  const access = await transcriptionAccess(c.env, await loadCustomer(c.env.DB, auth.customerId));
  if (!access.ok) throw new ApiError(409, `Transcription is unavailable: ${access.reason}`);

  const events = multipartEvents(c.req.raw.body, boundary);
  const next = async (): Promise<MultipartEvent | null> => {
    try {
      const r = await events.next();
      return r.done ? null : r.value;
    } catch (e) {
      if (e instanceof MultipartError) throw new ApiError(400, `Malformed multipart body: ${e.message}`);
      throw e;
    }
  };
  // Small fields until the file part; then the file's first bytes, so an empty file is a 400 before any upload.
  const fields: [string, string][] = [];
  let file: Extract<MultipartEvent, { kind: "part" }> | null = null;
  let fieldCount = 0;
  let fieldBytes = 0;
  for (let current: string | null = null, value = ""; ; ) {
    const ev = await next();
    if (!ev) break;
    if (ev.kind === "part") {
      if (ev.name === "file") {
        file = ev;
        break;
      }
      if (++fieldCount > MAX_FIELDS)
        throw new ApiError(413, `At most ${MAX_FIELDS} form fields may come before the file`, {
          limitFields: MAX_FIELDS,
        });
      current = ev.name;
      value = "";
    } else if (ev.kind === "data" && current) {
      fieldBytes += ev.bytes.length;
      if (fieldBytes > FIELD_BYTES) throw tooLarge(FIELD_BYTES, "The form fields before the file");
      value += new TextDecoder().decode(ev.bytes);
    } else if (ev.kind === "end" && current) {
      if (FORWARDED_FIELDS.has(current)) fields.push([current, value]);
      current = null;
    }
  }
  if (!file) throw new ApiError(400, 'Missing file: send the audio as the multipart field "file"');
  let first: Uint8Array | null = null;
  while (!first) {
    const ev = await next();
    if (!ev || ev.kind !== "data") break;
    if (ev.bytes.length) first = ev.bytes;
  }
  if (!first) throw new ApiError(400, "The file is empty");

  const ext = EXT_OF[(file.contentType ?? "").split(";")[0]!.trim().toLowerCase()] ?? "wav";
  const filename =
    file.filename && /\.[A-Za-z0-9]{2,5}$/.test(file.filename) ? file.filename : `${file.filename || "upload"}.${ext}`;
  const out = `----voicedesk${crypto.randomUUID().replace(/-/g, "")}`;
  const field = (name: string, v: string) =>
    `--${out}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`;
  const head = enc.encode(
    field("model", access.model) +
      field("response_format", "json") +
      fields.map(([k, v]) => field(k, v)).join("") +
      `--${out}\r\nContent-Disposition: form-data; name="file"; filename="${quote(filename)}"\r\n` +
      `Content-Type: ${quote(file.contentType ?? `audio/${ext}`)}\r\n\r\n`,
  );
  let sent = 0;
  let overLimit = false;
  const firstBytes = first;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(head);
      sent = firstBytes.length;
      ctl.enqueue(firstBytes);
    },
    async pull(ctl) {
      const ev = await next();
      if (!ev) return ctl.error(new Error("the upload ended inside the file"));
      if (ev.kind === "data") {
        sent += ev.bytes.length;
        if (sent > MAX_FILE_BYTES) {
          overLimit = true;
          return ctl.error(tooLarge(MAX_FILE_BYTES, "The file"));
        }
        return ctl.enqueue(ev.bytes);
      }
      if (ev.kind === "end") {
        ctl.enqueue(enc.encode(`\r\n--${out}--\r\n`));
        ctl.close();
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  let res: Response;
  try {
    res = await fetch(`${access.ai.baseUrl}/audio/transcriptions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${access.ai.apiKey}`, "Content-Type": `multipart/form-data; boundary=${out}` },
      body,
    });
  } catch (e) {
    if (overLimit) throw tooLarge(MAX_FILE_BYTES, "The file");
    if (e instanceof ApiError) throw e;
    throw new UpstreamError("OpenAI", 0, null, e instanceof Error ? e.message : "network error", "transcription");
  }
  if (overLimit) throw tooLarge(MAX_FILE_BYTES, "The file");
  if (!res.ok) throw await openaiError(res, "transcription");
  const data = (await res.json().catch(() => null)) as { text?: unknown } | null;
  if (typeof data?.text !== "string") throw new ApiError(502, "OpenAI answered the transcription without text");
  return c.json({ text: data.text });
});
