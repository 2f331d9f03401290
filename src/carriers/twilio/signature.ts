import { timingSafeEqual } from "../../lib/hash";
import { bytesToBase64, utf8 } from "../../lib/encoding";

/** Twilio's X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + sorted name+value pairs)). */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
  let data = url;
  for (const name of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) data += name + value;
  }
  const key = await crypto.subtle.importKey("raw", utf8(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return bytesToBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(data))));
}

/**
 * The URL with its standard port made explicit, and without it: Twilio has signed both forms. Done on the raw
 * string so the path and query stay byte-identical (a URL parser would re-encode them).
 */
function portVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/:?#]+)(?::(\d+))?(.*)$/s.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest] = m as unknown as [string, string, string, string | undefined, string];
  const standard = scheme === "https" ? "443" : "80";
  if (port && port !== standard) return [url];
  return [`${scheme}://${host}${rest}`, `${scheme}://${host}:${standard}${rest}`];
}

/** Constant-time check of a signature against every URL form Twilio may have signed. */
export async function validTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  params: URLSearchParams,
): Promise<boolean> {
  let ok = false;
  for (const candidate of portVariants(url)) {
    // evaluate every variant so timing does not reveal which one matched
    const match = await timingSafeEqual(await twilioSignature(authToken, candidate, params), signature);
    ok = ok || match;
  }
  return ok;
}
