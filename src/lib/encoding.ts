const enc = new TextEncoder();

export const utf8 = (s: string): Uint8Array => enc.encode(s);

export function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Strict base64 decode; returns null for anything that is not canonical base64. */
export function base64ToBytes(b64: string): Uint8Array | null {
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const NEEDS_NO_ESCAPING = /^[A-Za-z0-9+/=]*$/;

/**
 * A string as a JSON string literal. Base64 (every audio payload of a live call) needs no escaping, so it is only
 * quoted: JSON.stringify would copy all of it into a new string first, and the frame it goes into is copied
 * once more when sent. That copy was ~0.4 KB of garbage per round trip on the bridge (docs/performance.md,
 * "Round seven"). Anything else goes through JSON.stringify.
 */
export const jsonString = (s: string): string => (NEEDS_NO_ESCAPING.test(s) ? `"${s}"` : JSON.stringify(s));

/** Bytes of audio in a base64 payload, without decoding it. */
export function base64Bytes(b64: string): number {
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.max(0, (b64.length / 4) * 3 - pad);
}

export const bytesToHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** Joins byte arrays into one (`n` = their total length, when the caller already knows it). */
export function concatBytes(parts: Uint8Array[], n = parts.reduce((a, p) => a + p.length, 0)): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === n) return parts[0]!;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
