import type { CustomerRow } from "../../db/customers";
import type { Env } from "../../env";
import { publicOriginOf, toWebSocketOrigin } from "../../lib/public-url";

/**
 * Where Twilio streams a call's media: `{PhoneStreamUrl or wss://<public origin>/streams}/{key}` (the key is
 * the caller's CallSid). It rides in the path because a `<Stream url>` must carry no query string, and the
 * Worker must pick the call's Durable Object at upgrade time, before any `start` message arrives.
 * `origin` is the origin the webhook arrived at; PUBLIC_BASE_URL wins over it.
 */
export function mediaStreamUrl(
  env: Env,
  origin: string,
  customer: Pick<CustomerRow, "phone_stream_url">,
  key: string,
): string {
  const base = (customer.phone_stream_url ?? `${toWebSocketOrigin(publicOriginOf(env, origin))}/streams`).replace(
    /\/+$/,
    "",
  );
  return `${base}/${encodeURIComponent(key)}`;
}
