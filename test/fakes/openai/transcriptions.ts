/**
 * Fake `POST /v1/audio/transcriptions` (multipart: file, model, response_format…), with OpenAI's error shape.
 * The text describes the audio deterministically so tests can tell utterances and channels apart:
 * a WAV gives `wav {ms} ms peak {peak} mean {mean}` (per the 16-bit/μ-law samples), anything else
 * `file {name} {bytes} bytes`. Behaviour is per API key: control endpoints under /__fake/transcriptions
 * make a key fail (every request, or only the next `times`; status 0 closes the connection without an answer), and
 * list the requests a key made.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http";
import type { RestHandler } from "./rest";

export const MAX_FILE_BYTES = 25 * 1024 * 1024;
const MODELS = new Set(["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-transcribe-diarize"]);
const FORMATS = ["flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"];

interface Failure {
  /** 0: the connection is closed without an answer (the client sees a connection error). */
  status: number;
  message: string;
  type?: string;
  code?: string | null;
  /** Fail only this many requests, then answer normally again (unset: every request). */
  times?: number;
}
interface Logged {
  model: string;
  filename: string;
  contentType: string;
  bytes: number;
  text: string;
  fields: string[];
}
const failures = new Map<string, Failure>();
const logs = new Map<string, Logged[]>();

const oaiError = (
  res: ServerResponse,
  status: number,
  message: string,
  type = "invalid_request_error",
  param: string | null = null,
  code: string | null = null,
) => sendJson(res, status, { error: { message, type, param, code } });

/** Describes a WAV from its fmt/data chunks (lenient: a streaming writer's sizes are clamped). */
export function describeAudio(name: string, buf: Buffer): string {
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE")
    return `file ${name} ${buf.length} bytes`;
  let o = 12;
  let fmt: { tag: number; ch: number; rate: number; bits: number } | null = null;
  while (o + 8 <= buf.length) {
    const id = buf.toString("ascii", o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    if (id === "fmt ")
      fmt = {
        tag: buf.readUInt16LE(o + 8),
        ch: buf.readUInt16LE(o + 10),
        rate: buf.readUInt32LE(o + 12),
        bits: buf.readUInt16LE(o + 22),
      };
    if (id === "data" && fmt) {
      const data = buf.subarray(o + 8, Math.min(buf.length, o + 8 + size));
      const n = fmt.bits === 16 ? Math.floor(data.length / 2) : data.length;
      let peak = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = fmt.bits === 16 ? data.readInt16LE(2 * i) : ulaw(data[i]!);
        const a = Math.abs(v);
        peak = Math.max(peak, a);
        sum += a;
      }
      const ms = Math.round(((n / fmt.ch) * 1000) / fmt.rate);
      return `wav ${ms} ms peak ${peak} mean ${n ? Math.round(sum / n) : 0}`;
    }
    o += 8 + size + (size % 2);
  }
  return `file ${name} ${buf.length} bytes (no data chunk)`;
}

function ulaw(b: number): number {
  const u = ~b & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

async function control(req: IncomingMessage, res: ServerResponse, url: URL, body: () => Promise<Buffer>) {
  const key = url.searchParams.get("apiKey") ?? "";
  if (url.pathname === "/__fake/transcriptions/fail" && req.method === "POST") {
    const f = JSON.parse((await body()).toString() || "null") as Failure | null;
    if (f) failures.set(key, f);
    else failures.delete(key);
    return sendJson(res, 200, { ok: true });
  }
  if (url.pathname === "/__fake/transcriptions/requests" && req.method === "GET")
    return sendJson(res, 200, logs.get(key) ?? []);
  sendJson(res, 404, { error: "unknown fake control path" });
}

export const handleTranscriptions: RestHandler = async (req, res, url, body) => {
  if (url.pathname.startsWith("/__fake/transcriptions/")) {
    await control(req, res, url, body);
    return true;
  }
  if (url.pathname !== "/v1/audio/transcriptions") return false;
  if (req.method !== "POST") return (oaiError(res, 405, `Method ${req.method} not allowed`), true);
  const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!key)
    return (
      oaiError(res, 401, "You didn't provide an API key.", "invalid_request_error", null, "missing_api_key"), true
    );
  const fail = failures.get(key);
  if (fail) {
    if (fail.times !== undefined && --fail.times <= 0) failures.delete(key);
    if (fail.status === 0) {
      await body(); // the upload completes; then the connection drops without an answer
      req.socket.destroy();
      return true;
    }
    return (
      oaiError(res, fail.status, fail.message, fail.type ?? "invalid_request_error", null, fail.code ?? null), true
    );
  }
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > MAX_FILE_BYTES + 64 * 1024) {
    req.resume();
    return (
      oaiError(
        res,
        413,
        `Maximum content size limit (${MAX_FILE_BYTES}) exceeded (${declared} bytes read)`,
        "invalid_request_error",
        null,
        "request_too_large",
      ),
      true
    );
  }
  const ctype = String(req.headers["content-type"] ?? "");
  if (!ctype.startsWith("multipart/form-data"))
    return (oaiError(res, 400, "Content-Type must be multipart/form-data"), true);
  const raw = await body();
  let form: FormData;
  try {
    form = await new Request("http://fake/", {
      method: "POST",
      headers: { "content-type": ctype },
      body: new Uint8Array(raw),
    }).formData();
  } catch {
    return (oaiError(res, 400, "Could not parse multipart form"), true);
  }
  const model = form.get("model");
  if (typeof model !== "string" || !model)
    return (oaiError(res, 400, "you must provide a model parameter", "invalid_request_error", "model"), true);
  if (!MODELS.has(model))
    return (
      oaiError(
        res,
        400,
        `Invalid model ${model}: this model cannot transcribe audio`,
        "invalid_request_error",
        "model",
        "model_not_found",
      ),
      true
    );
  const entry = form.get("file");
  if (entry === null || typeof entry === "string")
    return (oaiError(res, 400, "you must provide a file parameter", "invalid_request_error", "file"), true);
  const file = entry as unknown as { name: string; type: string; arrayBuffer(): Promise<ArrayBuffer> };
  const name = file.name ?? "";
  const buf = Buffer.from(await file.arrayBuffer());
  if (buf.length > MAX_FILE_BYTES)
    return (
      oaiError(
        res,
        413,
        `Maximum content size limit (${MAX_FILE_BYTES}) exceeded (${buf.length} bytes read)`,
        "invalid_request_error",
        "file",
        "request_too_large",
      ),
      true
    );
  const ext = name.split(".").pop()?.toLowerCase() ?? "";
  if (!FORMATS.includes(ext) || buf.length === 0) {
    return (
      oaiError(
        res,
        400,
        `Invalid file format. Supported formats: ${JSON.stringify(FORMATS)}`,
        "invalid_request_error",
        "file",
        "unsupported_format",
      ),
      true
    );
  }
  const format = (form.get("response_format") as string | null) ?? "json";
  if (format !== "json" && format !== "text" && !(model === "whisper-1" && format === "verbose_json")) {
    return (
      oaiError(
        res,
        400,
        `response_format '${format}' is not compatible with model '${model}'`,
        "invalid_request_error",
        "response_format",
        "unsupported_value",
      ),
      true
    );
  }
  const text = describeAudio(name, buf);
  const list = logs.get(key) ?? [];
  list.push({ model, filename: name, contentType: file.type, bytes: buf.length, text, fields: [...form.keys()] });
  logs.set(key, list);
  if (format === "text") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(text);
    return true;
  }
  sendJson(res, 200, {
    text,
    usage: {
      type: "tokens",
      input_tokens: Math.ceil(buf.length / 1000),
      output_tokens: text.length,
      total_tokens: Math.ceil(buf.length / 1000) + text.length,
    },
  });
  return true;
};
