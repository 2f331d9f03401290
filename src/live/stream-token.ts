import type { CustomerRow } from "../db/customers";
import type { Env } from "../env";
import { hmacSha256Hex, timingSafeEqual } from "../auth/crypto";
import { publicOrigin, toWebSocketOrigin } from "../lib/public-url";

/**
 * Where Twilio streams a call's media: `{PhoneStreamUrl or wss://<public origin>/streams}/{CallSid}`.
 * The call SID rides in the path because a `<Stream url>` must carry no query string, and the Worker must
 * pick the call's Durable Object at upgrade time, before any `start` message arrives.
 */
export function mediaStreamUrl(env: Env, request: Request, customer: CustomerRow, callSid: string): string {
  const base = (customer.phone_stream_url ?? `${toWebSocketOrigin(publicOrigin(env, request))}/streams`).replace(/\/+$/, "");
  return `${base}/${encodeURIComponent(callSid)}`;
}

/**
 * A stream token ties a media stream to the signed webhook that created it: the TwiML passes it as the
 * `StreamToken` <Parameter>, and the call's object checks it in `start` before bridging any audio.
 */
export const streamToken = (env: Env, customerId: number, callSid: string) =>
  hmacSha256Hex(env, "stream-token", `${customerId}:${callSid}`);

export async function validStreamToken(env: Env, customerId: number, callSid: string, token: string): Promise<boolean> {
  return timingSafeEqual(await streamToken(env, customerId, callSid), token);
}
