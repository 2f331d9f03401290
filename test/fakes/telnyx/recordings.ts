/**
 * Recordings of the fake Telnyx, served as Telnyx serves them: pre-signed links into its recording bucket
 * (`/telephony-recorder-prod/…?X-Amz-Expires=600&X-Amz-Signature=…`), here on the fake's own origin. The
 * answers are S3's: XML errors, 403 for a bad signature or an expired link, 400 when the request also carries an
 * Authorization header (S3 allows one auth mechanism; a client must not send its API key along).
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const BUCKET = "telephony-recorder-prod";
const SIGNING_KEY = randomBytes(32);

export interface StoredRecording {
  name: string;
  body: Buffer;
  contentType: string;
  expired: boolean;
  chunked: boolean;
  redirectTo: string | null;
  downloads: number;
}

export interface RecordingSpec {
  /** 1 = mono, 2 = dual (left = caller, right = the other side, as Telnyx's dual recordings are read here). */
  channels?: 1 | 2;
  /** Samples per channel at 8 kHz (default 8000 = 1 s). */
  samples?: number;
  /** The 16-bit sample value of every left (or only) and right sample, so a copy can be checked exactly. */
  left?: number;
  right?: number;
  chunked?: boolean;
  /** Answer 302 to this URL instead of the audio. */
  redirectTo?: string;
}

/** A 16-bit PCM WAV at 8 kHz whose channels hold constant, distinct values. */
export function wav(spec: RecordingSpec): Buffer {
  const channels = spec.channels ?? 1;
  const samples = spec.samples ?? 8000;
  const data = Buffer.alloc(samples * channels * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(spec.left ?? 1000, i * channels * 2);
    if (channels === 2) data.writeInt16LE(spec.right ?? -2000, i * 4 + 2);
  }
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVEfmt ", 8, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000 * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

const signature = (path: string) => createHmac("sha256", SIGNING_KEY).update(path).digest("hex");

/** The pre-signed URL of a stored recording on `origin`. */
export function presignedUrl(origin: string, r: StoredRecording): string {
  const path = `/${BUCKET}/${r.name}`;
  return `${origin}${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature=${signature(path)}`;
}

export function newRecording(spec: RecordingSpec, body?: Buffer, contentType = "audio/wav"): StoredRecording {
  const day = new Date().toISOString().slice(0, 10);
  return {
    name: `${randomUUID()}/${day}/${randomUUID()}-${Math.floor(Date.now() / 1000)}.wav`,
    body: body ?? wav(spec),
    contentType,
    expired: false,
    chunked: spec.chunked ?? false,
    redirectTo: spec.redirectTo ?? null,
    downloads: 0,
  };
}

function s3Error(res: ServerResponse, status: number, code: string, message: string) {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "Content-Type": "application/xml" });
  res.end(xml);
}

/** GET /telephony-recorder-prod/{name}?…signature. */
export function serveRecording(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  recordings: Map<string, StoredRecording>,
): void {
  const name = decodeURIComponent(url.pathname.slice(BUCKET.length + 2));
  const r = recordings.get(name);
  if (req.method !== "GET") return s3Error(res, 405, "MethodNotAllowed", "The specified method is not allowed");
  if (req.headers.authorization)
    return s3Error(
      res,
      400,
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter",
    );
  if (url.searchParams.get("X-Amz-Signature") !== signature(url.pathname))
    return s3Error(res, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
  if (!r) return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
  if (r.expired) return s3Error(res, 403, "AccessDenied", "Request has expired");
  r.downloads++;
  if (r.redirectTo) {
    res.writeHead(302, { Location: r.redirectTo });
    return void res.end();
  }
  if (r.chunked) {
    res.writeHead(200, { "Content-Type": r.contentType });
    for (let at = 0; at < r.body.length; at += 16 * 1024) res.write(r.body.subarray(at, at + 16 * 1024));
    return void res.end();
  }
  res.writeHead(200, { "Content-Type": r.contentType, "Content-Length": String(r.body.length) });
  res.end(r.body);
}
