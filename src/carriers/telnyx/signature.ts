import { z } from "zod";
import { base64ToBytes, bytesToBase64, concatBytes, utf8 } from "../../lib/encoding";

/**
 * Telnyx signs every webhook with the account's Ed25519 key (docs/telnyx.md, "Webhook signatures"): header
 * `telnyx-signature-ed25519` = base64 of the 64-byte signature over `{telnyx-timestamp}|{raw body}`, the
 * timestamp in unix seconds. WebCrypto's standard `Ed25519` name is what workerd accepts at our compatibility
 * date (test/carriers/telnyx/signature.test.ts verifies real signatures with it).
 */
export const SIGNATURE_HEADER = "telnyx-signature-ed25519";
export const TIMESTAMP_HEADER = "telnyx-timestamp";
/** A signature older or newer than this (seconds) is refused: a replay window, as Telnyx's own SDKs use. */
export const TOLERANCE_SEC = 300;

export type SignatureRefusal = "missing" | "malformed" | "stale" | "mismatch";
export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureRefusal };

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (algorithm OID 1.3.101.112), before the 32 key bytes. */
const SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const PEM = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/;

export type PublicKeyParse = { ok: true; raw: Uint8Array; base64: string } | { ok: false; message: string };

const HEX_KEY = /^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{88})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16));

/**
 * The bytes a key's text stands for: 64 hex digits (the raw key) or 88 (its DER), else base64 in either alphabet —
 * standard or URL-safe (a JWK's `x`) — padded or not, but not both alphabets at once. No string is two of these:
 * base64 of 32 bytes is 43 or 44 characters, of the DER 60, so 64 or 88 hex digits can only be hex.
 */
function keyBytes(text: string): Uint8Array | null {
  if (HEX_KEY.test(text)) return hexToBytes(text);
  if (!BASE64.test(text) && !BASE64URL.test(text)) return null;
  const std = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  if (std.length % 4 === 1) return null;
  return base64ToBytes(std.padEnd(std.length + ((4 - (std.length % 4)) % 4), "="));
}

const FORMS = "base64 or base64url of the 32 key bytes, 64 hex digits, or a PEM public key";

/**
 * A stored or submitted Telnyx public key: the base64 of the 32 raw key bytes that Mission Control shows is the
 * canonical form. Also accepted, and reduced to the same 32 bytes: the same bytes in base64url (a JWK's `x`) or as
 * 64 hex digits, and a PEM `PUBLIC KEY` of an Ed25519 key (or its DER body alone, in base64 or hex). `base64` is
 * what to store.
 */
export function parseTelnyxPublicKey(input: string): PublicKeyParse {
  const text = input.trim();
  if (!text) return { ok: false, message: "is required (the public key from Mission Control)" };
  if (text.startsWith("{")) return { ok: false, message: `must be the key itself, not a JWK (give its "x"): ${FORMS}` };
  const pem = PEM.exec(text);
  const bytes = pem ? base64ToBytes(pem[1]!.replace(/\s+/g, "")) : keyBytes(text);
  // Hex digits alone are base64 too (read as such unless there are 64 or 88): when it is no key, say both.
  const asHex =
    /^[0-9a-fA-F]+$/.test(text) && !HEX_KEY.test(text) ? `; as hex it has ${text.length} digits, not 64` : "";
  if (!bytes) return { ok: false, message: `must be the public key from Mission Control: ${FORMS}${asHex}` };
  let raw: Uint8Array | null = null;
  if (bytes.length === 32 && !pem) raw = bytes;
  else if (bytes.length === 44 && SPKI_PREFIX.every((b, i) => bytes[i] === b)) raw = bytes.subarray(SPKI_PREFIX.length);
  if (!raw) return { ok: false, message: `must be a 32-byte Ed25519 public key (got ${bytes.length} bytes${asHex})` };
  return { ok: true, raw, base64: bytesToBase64(raw) };
}

/** The admin API's field: a well-formed key becomes its canonical base64, anything else a 400 naming it. */
export const telnyxPublicKey = z.string().transform((s, ctx) => {
  const key = parseTelnyxPublicKey(s);
  if (key.ok) return key.base64;
  ctx.addIssue({ code: "custom", message: key.message });
  return z.NEVER;
});

export interface SignedDelivery {
  /** The stored public key (any form `parseTelnyxPublicKey` accepts). */
  publicKey: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  /** The request body exactly as received: its bytes are what was signed. */
  rawBody: Uint8Array | string;
  nowMs?: number;
}

/**
 * Checks one delivery. Every refusal is a reason, never an exception, so the route answers 403 whatever was
 * wrong; the timestamp is checked before any cryptography, so stale replays cost nothing.
 */
export async function verifyTelnyxSignature(d: SignedDelivery): Promise<SignatureCheck> {
  if (!d.signature || !d.timestamp) return { ok: false, reason: "missing" };
  if (!/^\d{1,12}$/.test(d.timestamp)) return { ok: false, reason: "malformed" };
  const ts = Number(d.timestamp);
  if (Math.abs((d.nowMs ?? Date.now()) / 1000 - ts) > TOLERANCE_SEC) return { ok: false, reason: "stale" };
  const signature = base64ToBytes(d.signature.trim());
  const key = parseTelnyxPublicKey(d.publicKey);
  if (!signature || signature.length !== 64 || !key.ok) return { ok: false, reason: "malformed" };
  const body = typeof d.rawBody === "string" ? utf8(d.rawBody) : d.rawBody;
  const message = concatBytes([utf8(`${d.timestamp}|`), body]);
  try {
    const cryptoKey = await crypto.subtle.importKey("raw", key.raw, { name: "Ed25519" }, false, ["verify"]);
    const ok = await crypto.subtle.verify("Ed25519", cryptoKey, signature, message);
    return ok ? { ok: true, timestamp: ts } : { ok: false, reason: "mismatch" };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}
