import { hmacSha256Hex } from "../auth/crypto";
import { timingSafeEqual } from "../lib/hash";
import type { Env } from "../env";

/** How long a signed recording URL works. */
export const RECORDING_URL_TTL_SECONDS = 15 * 60;
export const RECORDING_DOWNLOAD_PATH = "/api/recordings/download";

const message = (recordingId: string, exp: string) => `recording-download\n${recordingId}\n${exp}`;

/** `{origin}/api/recordings/download/{recordingId}?exp={unix seconds}&sig={hex HMAC-SHA256}`. */
export async function signRecordingUrl(env: Env, origin: string, recordingId: string, nowMs = Date.now()) {
  const exp = String(Math.floor(nowMs / 1000) + RECORDING_URL_TTL_SECONDS);
  const sig = await hmacSha256Hex(env, "recording-url", message(recordingId, exp));
  const url = `${origin}${RECORDING_DOWNLOAD_PATH}/${encodeURIComponent(recordingId)}?exp=${exp}&sig=${sig}`;
  return { url, expiresAt: new Date(Number(exp) * 1000).toISOString() };
}

/**
 * True only for an unexpired URL signed by us for exactly this recording. The HMAC is always computed and
 * compared in constant time, whatever is wrong, before anything is looked up: a refusal takes the same path
 * for a forged, tampered, foreign or expired URL.
 */
export async function validRecordingSignature(
  env: Env,
  recordingId: string,
  exp: string,
  sig: string,
  nowMs = Date.now(),
) {
  const expected = await hmacSha256Hex(env, "recording-url", message(recordingId, exp));
  const sigOk = await timingSafeEqual(sig, expected);
  const expOk = /^\d{1,12}$/.test(exp) && Number(exp) * 1000 > nowMs;
  return sigOk && expOk;
}
