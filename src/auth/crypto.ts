import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import { base64ToBytes, bytesToBase64, bytesToHex, utf8 } from "../lib/encoding";

/** Purposes of the keys derived from ENCRYPTION_KEY; one key per purpose, never reused across them. */
export type KeyPurpose = "tenant-secrets" | "phone-auth-token" | "recording-url" | "phone-login-code" | "stream-token";

/** Bytes of a well-formed ENCRYPTION_KEY: `openssl rand -base64 32` (npm start and setup:remote make one). */
const KEY_BYTES = 32;

/**
 * HKDF's input keying material. A well-formed key (canonical base64 of at least 32 bytes) is used as its bytes;
 * any other non-empty value as its UTF-8 text, so a deployment with a passphrase for a key still works rather than
 * answering 500 to every request that touches a secret. `GET /api/admin/health` (and `npm run doctor`) flags such a
 * key, since a passphrase is only as strong as its entropy (src/health/config.ts).
 */
function rootKeyBytes(env: Env): Uint8Array {
  const key = env.ENCRYPTION_KEY;
  if (!key) throw new ApiError(500, "Server is not configured (ENCRYPTION_KEY is not set)");
  const raw = base64ToBytes(key);
  return raw && raw.length >= KEY_BYTES ? raw : utf8(key);
}

async function hkdf(env: Env, purpose: KeyPurpose, algorithm: SubtleCryptoImportKeyAlgorithm, usages: string[]) {
  const root = await crypto.subtle.importKey("raw", rootKeyBytes(env), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8("voicedesk"), info: utf8(purpose) },
    root,
    algorithm,
    false,
    usages,
  );
}

export const hmacKey = (env: Env, purpose: Exclude<KeyPurpose, "tenant-secrets">) =>
  hkdf(env, purpose, { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign", "verify"]);

/** Raw HMAC key bytes for jose (which takes a Uint8Array secret). */
export async function hmacSecretBytes(env: Env, purpose: Exclude<KeyPurpose, "tenant-secrets">): Promise<Uint8Array> {
  const root = await crypto.subtle.importKey("raw", rootKeyBytes(env), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: utf8("voicedesk"), info: utf8(purpose) },
    root,
    256,
  );
  return new Uint8Array(bits);
}

const SECRET_PREFIX = "v1:";

/** AES-256-GCM with a random 96-bit IV; stored as `v1:` + base64(iv ‖ ciphertext ‖ tag). */
export async function encryptSecret(env: Env, plaintext: string): Promise<string> {
  const key = await hkdf(env, "tenant-secrets", { name: "AES-GCM", length: 256 }, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, utf8(plaintext)));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return SECRET_PREFIX + bytesToBase64(out);
}

export async function decryptSecret(env: Env, stored: string): Promise<string> {
  const raw = stored.startsWith(SECRET_PREFIX) ? base64ToBytes(stored.slice(SECRET_PREFIX.length)) : null;
  if (!raw || raw.length < 13) throw new ApiError(500, "A stored secret is unreadable");
  const key = await hkdf(env, "tenant-secrets", { name: "AES-GCM", length: 256 }, ["decrypt"]);
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: raw.subarray(0, 12) }, key, raw.subarray(12));
  return new TextDecoder().decode(pt);
}

export async function hmacSha256Hex(env: Env, purpose: Exclude<KeyPurpose, "tenant-secrets">, message: string) {
  const key = await hmacKey(env, purpose);
  return bytesToHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(message))));
}
