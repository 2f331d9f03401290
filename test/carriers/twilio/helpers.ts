import { BASE, api, twilioFake } from "../../helpers";

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await twilioFake(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** X-Twilio-Signature as the official `twilio` package computes it (in Node, through the fake). */
export const referenceSignature = async (authToken: string, url: string, params: Record<string, string | string[]>) =>
  (await postJson<{ signature: string }>("/reference/signature", { authToken, url, params })).signature;

export const referenceTwiml = async (verbs: unknown[]) =>
  (await postJson<{ xml: string }>("/reference/twiml", { verbs })).xml;

export const referenceAccessToken = async (b: {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  identity: string;
  outgoingApplicationSid: string;
  region?: string;
}) => (await postJson<{ token: string }>("/reference/access-token", b)).token;

/**
 * Posts a form to the Worker the way Twilio would: signed with the tenant's auth token over the public URL
 * (PUBLIC_BASE_URL = BASE in tests). `signWith` overrides the token to forge a signature.
 */
export async function twilioPost(
  path: string,
  params: Record<string, string>,
  authToken: string,
  opts: { signWith?: string; signature?: string } = {},
) {
  const signature = opts.signature ?? (await referenceSignature(opts.signWith ?? authToken, BASE + path, params));
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
    body: new URLSearchParams(params).toString(),
  });
}

/** A 16-bit PCM WAV (Twilio's recording format) of `seconds` with distinct ramps per channel; `extraChunk` adds a LIST chunk before `fmt `. */
export function pcmWav(seconds: number, channels = 2, sampleRate = 8000, extraChunk = false): Uint8Array {
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * 2;
  const list = extraChunk ? 8 + 14 : 0;
  const buf = new Uint8Array(44 + list + dataBytes);
  const v = new DataView(buf.buffer);
  const str = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, 36 + list + dataBytes, true);
  str(8, "WAVE");
  let at = 12;
  if (extraChunk) {
    str(at, "LIST");
    v.setUint32(at + 4, 14, true);
    str(at + 8, "INFOISFT");
    at += list;
  }
  str(at, "fmt ");
  v.setUint32(at + 4, 16, true);
  v.setUint16(at + 8, 1, true);
  v.setUint16(at + 10, channels, true);
  v.setUint32(at + 12, sampleRate, true);
  v.setUint32(at + 16, sampleRate * channels * 2, true);
  v.setUint16(at + 20, channels * 2, true);
  v.setUint16(at + 22, 16, true);
  str(at + 24, "data");
  v.setUint32(at + 28, dataBytes, true);
  for (let f = 0, o = at + 32; f < frames; f++)
    for (let ch = 0; ch < channels; ch++, o += 2) v.setInt16(o, ((f * (ch + 1) * 37) % 20000) - 10000, true);
  return buf;
}

/** Uploads recording media to the fake Twilio (optionally served chunked, or cut off after some bytes). */
export async function putFakeRecording(
  accountSid: string,
  recordingSid: string,
  body: Uint8Array,
  opts: { chunked?: boolean; truncateAfter?: number } = {},
) {
  const q = new URLSearchParams({ accountSid });
  if (opts.chunked) q.set("chunked", "1");
  if (opts.truncateAfter !== undefined) q.set("truncateAfter", String(opts.truncateAfter));
  const res = await twilioFake(`/recordings/${recordingSid}?${q}`, {
    method: "PUT",
    headers: { "Content-Type": "audio/x-wav" },
    body,
  });
  if (res.status !== 201) throw new Error(`putFakeRecording: ${res.status}`);
}
